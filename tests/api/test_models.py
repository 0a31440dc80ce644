"""The lenient parsers: known quirks by example, and arbitrary input by property."""

from __future__ import annotations

import base64
import contextlib
from datetime import UTC, datetime
import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.monogoto.api import (
    MonogotoResponseError,
    ThingState,
    parse_state,
)
from custom_components.monogoto.api.parsers import jwt_expiry
from custom_components.monogoto.api.reader import timestamp as parse_timestamp
from custom_components.monogoto.api.things import spellings

from .bodies import parse_events, parse_login, parse_statuses, parse_thing, parse_things

THING = json.loads(
    (Path(__file__).parent.parent / "fixtures" / "thing.json").read_text()
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)


@pytest.mark.parametrize(
    ("body", "state"),
    [
        ("ACTIVE", "ACTIVE"),
        ('"SUSPENDED"', "SUSPENDED"),
        ("{\n    ACTIVE\n}", "ACTIVE"),
        ("{ TEST_ACTIVE }", "TEST_ACTIVE"),
        ('  "retired"\n', "RETIRED"),
        ('{ "PROVISIONED" }', "PROVISIONED"),
        ("DEACTIVATED", "DEACTIVATED"),
    ],
)
def test_parse_state_variants(body: str, state: str) -> None:
    assert parse_state(body) == state


@given(st.text(max_size=40))
def test_parse_state_never_crashes(body: str) -> None:
    try:
        word = parse_state(body)
    except MonogotoResponseError:
        return
    assert word.isupper() or "_" in word or word.isalnum()


@given(
    st.sampled_from(list(ThingState)),
    st.sampled_from(["{}", '"{}"', "{{ {} }}", " {} \n"]),
)
def test_parse_state_roundtrip(state: ThingState, template: str) -> None:
    assert parse_state(template.format(state.value)) == state.value


def test_parse_real_thing() -> None:
    thing = parse_thing(THING)
    assert thing.thing_id == "ThingId_ICCID_8999900000000000001"
    assert thing.iccid == "8999900000000000001"
    assert thing.sim_state is ThingState.ACTIVE
    assert thing.data_used == 1120773
    assert thing.sms_sent == 0
    assert thing.ip_address == "10.140.0.1"
    assert thing.apn == "data.mono"
    assert thing.operator == "Orange"
    assert thing.last_data_activity == datetime(
        2025, 2, 19, 9, 7, 10, 712000, tzinfo=UTC
    )
    assert thing.last_network_registration == datetime(
        2025, 2, 19, 9, 4, 23, tzinfo=UTC
    )
    assert "PIN" not in repr(thing)
    assert thing.iccid not in repr(thing)


def test_parse_thing_variants() -> None:
    minimal = parse_thing(
        {"ThingId": "ThingId_ICCID_123", "IPv4": "10.0.0.9", "IPs": []}
    )
    assert minimal.iccid == "123"
    assert minimal.ip_address == "10.0.0.9"
    assert minimal.state is None
    assert minimal.sim_state is None
    assert minimal.present == {"ip_address"}
    odd = parse_thing(
        {
            "ThingId": "Other_1",
            "ExternalUniqueType": "IMEI",
            "ExternalUniqueId": "3500",
            "State": "not a state",
            "ActualUsage": {"Data_": "42", "MO_SMS_CDR_": -1},
            "LastLocation": {"Timestamp": 1739955863307},
            "APNs": [{"Name": ""}, {"Name": "iot"}],
            "MSISDN": 4412345,
        }
    )
    assert odd.iccid is None
    assert odd.state is None
    assert odd.data_used == 42
    assert odd.sms_sent is None
    assert odd.apn == "iot"
    assert odd.msisdn == "4412345"
    assert odd.last_network_registration == datetime(
        2025, 2, 19, 9, 4, 23, 307000, tzinfo=UTC
    )
    assert odd.with_state("ACTIVE").sim_state is ThingState.ACTIVE


@pytest.mark.parametrize("payload", [None, [], "x", {"ThingId": ""}, {"ThingId": 5}])
def test_parse_thing_rejects(payload: Any) -> None:
    with pytest.raises(MonogotoResponseError):
        parse_thing(payload)


def test_parse_things_fails_the_page_on_one_bad_item() -> None:
    with pytest.raises(MonogotoResponseError):
        parse_things([THING, {"no": "id"}])
    with pytest.raises(MonogotoResponseError):
        parse_things({"things": [THING]})


@given(JSON)
def test_parse_thing_on_arbitrary_json(payload: Any) -> None:
    try:
        thing = parse_thing(payload)
    except MonogotoResponseError:
        return
    assert thing.thing_id


@given(st.dictionaries(st.sampled_from(list(THING)), JSON, max_size=10))
def test_parse_thing_with_arbitrary_fields(fields: dict[str, Any]) -> None:
    thing = parse_thing({**fields, "ThingId": "ThingId_ICCID_1"})
    assert thing.thing_id == "ThingId_ICCID_1"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1739955863307, datetime(2025, 2, 19, 9, 4, 23, 307000, tzinfo=UTC)),
        ("1739955863307", datetime(2025, 2, 19, 9, 4, 23, 307000, tzinfo=UTC)),
        ("2025-02-19 09:04:23", datetime(2025, 2, 19, 9, 4, 23, tzinfo=UTC)),
        ("2024-09-20 12:11:83", datetime(2024, 9, 20, 12, 12, 23, tzinfo=UTC)),
        ("2025-02-19 09", datetime(2025, 2, 19, 9, tzinfo=UTC)),
        ("2025-01-01T00:00:00.000Z", datetime(2025, 1, 1, tzinfo=UTC)),
        ("2025-13-01 00:00:00", None),
        ("yesterday", None),
        (0, None),
        (-5, None),
        (True, None),
        (None, None),
        (float("inf"), None),
        (10**20, None),
        ("²", None),
    ],
)
def test_parse_timestamp(value: object, expected: datetime | None) -> None:
    assert parse_timestamp(value) == expected


@given(JSON)
def test_parse_timestamp_never_crashes(value: Any) -> None:
    result = parse_timestamp(value)
    assert result is None or result.tzinfo is UTC


def _jwt(claims: object) -> str:
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"eyJhbGciOiJIUzI1NiJ9.{body}.sig"


def test_jwt_expiry() -> None:
    assert jwt_expiry(_jwt({"exp": 1800000000})) == 1800000000.0
    assert jwt_expiry(_jwt({"iat": 1})) is None
    assert jwt_expiry(_jwt({"exp": True})) is None
    assert jwt_expiry(_jwt([1, 2])) is None
    assert jwt_expiry("a.b") is None
    assert jwt_expiry("a.!!!.c") is None
    # The documentation's deliberately garbled sample token does not decode.
    assert (
        jwt_expiry("eyJhb6IkpXVCJ9.eyJSb2xlIjoiVXN4lclByb2Zp.99aSLzP7kTgK6TZGW") is None
    )


@given(st.text(max_size=60))
def test_jwt_expiry_never_crashes(token: str) -> None:
    result = jwt_expiry(token)
    assert result is None or result > 0


def test_parse_login() -> None:
    login = parse_login({"token": _jwt({"exp": 1800000000}), "CustomerId": "cid_1"})
    assert login.customer_id == "cid_1"
    assert login.expires_at == 1800000000.0
    assert "cid_1" not in repr(login)


@given(JSON)
def test_parse_login_on_arbitrary_json(payload: Any) -> None:
    try:
        login = parse_login(payload)
    except MonogotoResponseError:
        return
    assert login.token
    assert login.customer_id


def test_parse_statuses_and_events() -> None:
    statuses = parse_statuses(
        {
            "Success": True,
            "Data": [
                {
                    "ThingId": "a",
                    "ConnectionStatus": "CONNECTED",
                    "LastConnectionTime": None,
                },
                {"ThingId": "b", "ConnectionStatus": "DISCONNECTED"},
                {"ThingId": "c"},
            ],
        }
    )
    assert [status.connected for status in statuses] == [True, False, None]
    assert "ICCID" not in repr(statuses[0])
    with pytest.raises(MonogotoResponseError):
        parse_statuses({"Success": False, "Data": []})
    with pytest.raises(MonogotoResponseError):
        parse_statuses({"Data": [{"NoId": 1}]})
    events = parse_events(
        {"hits": [{"_source": {"EsDataType": "DATA", "Timestamp": 1}}]}
    )
    assert events[0].data_type == "DATA"
    with pytest.raises(MonogotoResponseError):
        parse_events({"hits": [{"x": 1}]})


@settings(max_examples=50)
@given(JSON)
def test_status_and_event_parsers_on_arbitrary_json(payload: Any) -> None:
    for parser in (parse_statuses, parse_events):
        with contextlib.suppress(MonogotoResponseError):
            parser(payload)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Tracker 7", "Tracker 7"),
        ("ICCID 8999900000000000001", "SIM 0001"),
        ("spare, ICCID 8999900000000000001 in drawer", "SIM 0001"),
        (None, "SIM 0001"),
        ("  ", "SIM 0001"),
    ],
)
def test_display_name_never_spells_out_the_iccid(
    name: str | None, expected: str
) -> None:
    thing = parse_thing({**THING, "ThingName": name})
    assert thing.display_name == expected


def test_spellings_are_read_by_the_reading_rules() -> None:
    """The profile's spellings: a re-cased or enveloped listing spells them alike."""
    sent = [{"ThingId": "T1", "IPv4": "192.0.2.1", "Last_DATA_Time": 1739956030712}]
    respelled = {"Data": [{"thing_id": "T1", "ipv4": "x", "LAST-DATA-TIME": 5}]}
    expected = {"address as IPv4", "Last_DATA_Time as epoch ms"}
    assert spellings(sent) == spellings(respelled) == expected
    text_times = [{"ThingId": "T1", "LastLocationUpdateTime": "2025-02-19 09:04:23"}]
    assert spellings(text_times) == {"LastLocationUpdateTime as date string"}
    assert spellings([{"ThingId": "T1", "Last_DATA_Time": None}]) == set()
    assert spellings({"Data": []}) == set()
