"""push.py: the push reader's rules, one by one (the HTTP path is in test_webhook.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from custom_components.monogoto.api import Thing
from custom_components.monogoto.push import (
    PushEvent,
    PushEvents,
    PushKind,
    SimIndex,
    event_details,
    event_kind,
    event_time,
    normalised,
    read_push_body,
)

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
ICCID = "8999900000000000042"
SIM = Thing(
    thing_id=f"ThingId_ICCID_{ICCID}",
    iccid=ICCID,
    imsi="999990000000042",
    msisdn="+99900000042",
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1_764_590_400_000, datetime(2025, 12, 1, 12, 0, tzinfo=UTC)),  # epoch ms
        ("1764590400", datetime(2025, 12, 1, 12, 0, tzinfo=UTC)),  # epoch s as digits
        ("2026-11-30 08:15:00", datetime(2026, 11, 30, 8, 15, tzinfo=UTC)),
        ("2026-11-30T09:15:00+01:00", datetime(2026, 11, 30, 8, 15, tzinfo=UTC)),
        ("2027-01-01 00:00:00", NOW),  # in the future: when it arrived
        ("yesterday", NOW),
        (10**20, NOW),  # out of range
        (True, NOW),
        (None, NOW),
    ],
)
def test_event_time(value: Any, expected: datetime) -> None:
    assert event_time({"time": value}, NOW) == expected


def test_event_time_from_other_keys_and_without_any() -> None:
    assert event_time({"starttime": "2026-11-30 08:15:00"}, NOW).hour == 8
    assert event_time({}, NOW) == NOW


@pytest.mark.parametrize(
    ("record", "volume"),
    [
        ({"totalbytes": "2048"}, 2048),
        ({"bytes": 12.0}, 12),
        ({"uplinkbytes": 100, "downlinkbytes": 50}, 150),
        ({"bytesin": 7}, 7),
        ({"bytes": "lots"}, None),
        ({"bytes": False}, None),
        ({}, None),
    ],
)
def test_data_volume(record: dict[str, Any], volume: int | None) -> None:
    assert event_details(record, PushKind.DATA).get("bytes") == volume


def test_details_of_a_received_sms() -> None:
    record = normalised({"CallingNumber": "+4420", "Text": "hi", "MNO": "Orange"})
    assert event_details(record, PushKind.SMS_RECEIVED) == {
        "network": "Orange",
        "sender": "+4420",
        "text": "hi",
    }
    # A sent SMS carries neither sender nor text; a non-text message is left out.
    assert event_details(record, PushKind.SMS_SENT) == {"network": "Orange"}
    assert event_details({"message": 42}, PushKind.SMS_RECEIVED) == {}


@pytest.mark.parametrize(
    ("record", "kind"),
    [
        ({"cdrtype": "data"}, PushKind.DATA),
        ({"cdrtype": "MT-SMS"}, PushKind.SMS_RECEIVED),
        ({"cdrtype": "MOSMS"}, PushKind.SMS_SENT),
        ({"cdrtype": "VOICE", "message": "x"}, None),
        ({"iccid": ICCID}, None),
        ({"message": "x"}, PushKind.SMS_RECEIVED),
        ({"message": "x", "direction": "Outgoing"}, PushKind.SMS_SENT),
        ({"message": "x", "from": "+99900000042"}, PushKind.SMS_SENT),
        ({"message": "x", "from": "+4420"}, PushKind.SMS_RECEIVED),
    ],
)
def test_event_kind(record: dict[str, Any], kind: PushKind | None) -> None:
    assert event_kind(record, SIM) is kind


@pytest.mark.parametrize(
    "record",
    [
        {"thingid": SIM.thing_id.upper()},
        {"thingid": ICCID},
        {"thingid": "ThingId_ICCID_" + ICCID + "7"},
        {"iccid": ICCID + "7"},
        {"iccid": f" {ICCID}F"},
        {"imsi": 999990000000042},
        {"thingid": "unknown", "iccid": ICCID},
    ],
)
def test_the_sim_is_found(record: dict[str, Any]) -> None:
    assert SimIndex({SIM.thing_id: SIM}).find(record) == SIM.thing_id


@pytest.mark.parametrize(
    "record",
    [
        {"thingid": "ThingId_ICCID_8999900000000000043"},
        {"iccid": "8999900000000000043"},
        {"imsi": "1"},
        {"iccid": "", "imsi": None, "thingid": False},
        {},
    ],
)
def test_an_unknown_sim_is_not_found(record: dict[str, Any]) -> None:
    assert SimIndex({SIM.thing_id: SIM}).find(record) is None


def test_records_in_wrappers_up_to_a_depth() -> None:
    body = b'{"a": {"b": {"c": [{"ICCID": "1"}]}}, "n": 1, "l": [{"Imsi": "2"}]}'
    records, form = read_push_body(body)
    assert form == "json object"
    assert records == [{"imsi": "2"}]  # the first is one level too deep
    records, _ = read_push_body(b'[{"Thing_Id": "x"}, [{"IMSI": "y"}], 3]')
    assert records == [{"thingid": "x"}, {"imsi": "y"}]


def test_a_form_without_a_sim_is_unreadable() -> None:
    assert read_push_body(b"=") == ([], "form")
    assert read_push_body(b"Message=hi") == ([], "form")


def test_listeners_and_fresher_activity() -> None:
    push = PushEvents()
    seen: list[PushEvent] = []

    class Listener:
        def handle_push(self, event: PushEvent) -> None:
            seen.append(event)

    listener = Listener()
    push.listen(SIM.thing_id, listener)
    older = PushEvent(SIM.thing_id, PushKind.DATA, datetime(2026, 1, 1, tzinfo=UTC))
    newer = PushEvent(SIM.thing_id, PushKind.DATA, NOW)
    push.deliver(newer)
    push.deliver(older)  # arrived late: the fresher time stays
    push.deliver(PushEvent(SIM.thing_id, PushKind.SMS_SENT, NOW))
    assert seen == [newer, older, seen[2]]
    assert push.freshen(SIM).last_data_activity == NOW
    polled_later = Thing(
        thing_id=SIM.thing_id, last_data_activity=datetime(2027, 1, 1, tzinfo=UTC)
    )
    assert push.freshen(polled_later) is polled_later
    push.unlisten(SIM.thing_id, listener)
    push.unlisten(SIM.thing_id, listener)  # twice: nothing to stop
    push.deliver(newer)
    assert len(seen) == 3
    assert push.freshen(Thing(thing_id="other")) == Thing(thing_id="other")
