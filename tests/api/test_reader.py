"""The reading rules (``api/reader.py``), one case per rule, through the public parsers."""

from __future__ import annotations

from datetime import UTC, datetime
import json
from pathlib import Path
from typing import Any

import pytest

from custom_components.monogoto.api import (
    MonogotoResponseError,
    MonogotoUnexpectedAnswerError,
    parse_events,
    parse_login,
    parse_ping,
    parse_sms_id,
    parse_state,
    parse_statuses,
    parse_thing,
    parse_things,
)
from custom_components.monogoto.api.reader import (
    count,
    decode,
    flag,
    key,
    listed,
    single,
    text,
    timestamp,
    unwrap,
)
from custom_components.monogoto.api.things import read_thing

THING = json.loads(
    (Path(__file__).parent.parent / "fixtures" / "thing.json").read_text()
)


def _respelled(value: Any, spell: Any) -> Any:
    """Return ``value`` with every key re-spelled by ``spell``."""
    if isinstance(value, dict):
        return {spell(k): _respelled(v, spell) for k, v in value.items()}
    if isinstance(value, list):
        return [_respelled(v, spell) for v in value]
    return value


@pytest.mark.parametrize(
    "spell",
    [
        str.lower,
        str.upper,
        lambda k: k.replace("_", ""),
        lambda k: k.replace("_", "-").lower(),
        lambda k: k[:1].lower() + k[1:],
    ],
)
def test_keys_regardless_of_case_and_separators(spell: Any) -> None:
    expected = parse_thing(json.dumps(THING))
    assert parse_thing(json.dumps(_respelled(THING, spell))) == expected
    assert key("Last_DATA_Time") == key("last-data-time") == "lastdatatime"


@pytest.mark.parametrize(
    "wrap",
    [
        lambda v: v,
        lambda v: {"Data": v},
        lambda v: {"Success": True, "Message": "Operation succeeded", "Data": v},
        lambda v: {"items": v},
        lambda v: {"Result": {"Data": v}},
        lambda v: [v],
    ],
)
def test_envelopes_either_way(wrap: Any) -> None:
    expected = parse_thing(json.dumps(THING))
    assert parse_thing(json.dumps(wrap(THING))) == expected
    assert parse_things(json.dumps(wrap([THING, THING]))) == [expected, expected]
    status = {"ThingId": "a", "ConnectionStatus": "CONNECTED"}
    assert [s.connected for s in parse_statuses(json.dumps(wrap([status])))] == [True]


def test_a_bare_item_is_a_list_of_one_and_success_false_fails() -> None:
    assert len(parse_things(json.dumps(THING))) == 1
    assert parse_statuses(json.dumps({"ThingId": "a"}))[0].connected is None
    with pytest.raises(MonogotoResponseError):
        parse_things(json.dumps({"Success": False, "Data": [THING]}))
    with pytest.raises(MonogotoResponseError):
        parse_things(json.dumps({"Success": True, "Message": "no data"}))
    assert listed({"Data": "text"}) == [{"Data": "text"}]
    assert listed(5) is None
    assert unwrap([{"Data": {"a": 1}}], dict, "a") == {"a": 1}
    assert unwrap([{"Data": {"a": 1}}], dict) == {"Data": {"a": 1}}


@pytest.mark.parametrize(
    ("value", "read", "expected"),
    [
        ("42", count, 42),
        ('"42"', count, 42),
        (42.0, count, 42),
        ("4.5", count, None),
        (-1, count, None),
        (4412345, text, "4412345"),
        (44.0, text, "44"),
        ('"abc"', text, "abc"),
        ('"\\"abc\\""', text, "abc"),
        ('"abc', text, "abc"),
        (1.5, text, None),
        (True, text, None),
        (True, flag, True),
        ("true", flag, True),
        (1, flag, True),
        ("0", flag, False),
        (False, flag, False),
        (2, flag, None),
        ("maybe", flag, None),
        (None, flag, None),
    ],
)
def test_scalars_as_numbers_or_text(value: Any, read: Any, expected: Any) -> None:
    assert read(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1739955863, datetime(2025, 2, 19, 9, 4, 23, tzinfo=UTC)),
        (1739955863307, datetime(2025, 2, 19, 9, 4, 23, 307000, tzinfo=UTC)),
        ("1739955863", datetime(2025, 2, 19, 9, 4, 23, tzinfo=UTC)),
        ('"2025-02-19 09:04:23"', datetime(2025, 2, 19, 9, 4, 23, tzinfo=UTC)),
        ("2025-02-19T11:04:23+02:00", datetime(2025, 2, 19, 9, 4, 23, tzinfo=UTC)),
        ("2024-09-20 12:11:83", datetime(2024, 9, 20, 12, 12, 23, tzinfo=UTC)),
        ("2024-02-30 00:00:00", None),
        ("W01", None),
        ([1], None),
    ],
)
def test_times(value: Any, expected: datetime | None) -> None:
    assert timestamp(value) == expected


@pytest.mark.parametrize(
    "body",
    [
        "ACTIVE",
        '"ACTIVE"',
        "{ ACTIVE }",
        '{"Status": "active"}',
        '["ACTIVE"]',
        '[{"State": "Active"}]',
        '{"Success": true, "Data": "ACTIVE"}',
        '{"ThingId": "x", "State": "ACTIVE"}',
        '"\\"ACTIVE\\""',
    ],
)
def test_a_single_value_in_any_wrapping(body: str) -> None:
    assert parse_state(body) == "ACTIVE"


@pytest.mark.parametrize(
    "body", ["{ ACTIVE", '"ACTIVE', "[]", "{}", '{"a": 1, "b": 2}']
)
def test_unbalanced_or_empty_single_values(body: str) -> None:
    with pytest.raises(MonogotoResponseError):
        parse_state(body)
    assert single(body) is None or single(body) == "ACTIVE"


def test_sms_id_and_ping_by_the_same_rules() -> None:
    assert parse_sms_id('{"Data": {"sms_id": "abc_1"}}') == "abc_1"
    assert parse_sms_id('["abc_2"]') == "abc_2"
    ping = parse_ping(json.dumps({"data": [{"SENT": "2", "Received": 2, "time": 5}]}))
    assert (ping.sent, ping.received, ping.round_trips_ms) == (2, 2, (5.0,))


@pytest.mark.parametrize(
    "answer",
    [
        {"totalResults": 1, "hits": [{"_source": {"EsDataType": "DATA"}}]},
        {"hits": {"total": 1, "hits": [{"_source": {"es_data_type": "DATA"}}]}},
        {"Data": [{"EsDataType": "DATA"}]},
        [{"source": {"ESDATATYPE": "DATA"}}],
    ],
)
def test_events_in_their_variants(answer: Any) -> None:
    assert [e.data_type for e in parse_events(json.dumps(answer))] == ["DATA"]


def test_events_without_hits_fail() -> None:
    with pytest.raises(MonogotoResponseError):
        parse_events(json.dumps({"total": 0}))


def _jwt(claims: dict[str, Any]) -> str:
    import base64

    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"eyJhbGciOiJIUzI1NiJ9.{body}.sig"


def test_login_token_and_customer_from_anywhere() -> None:
    token = _jwt({"exp": 1800000000, "CustomerId": "cid_9"})
    login = parse_login(json.dumps({"Data": {"access_token": token}}))
    assert (login.customer_id, login.expires_at) == ("cid_9", 1800000000.0)
    assert parse_login(json.dumps(token)).customer_id == "cid_9"
    with pytest.raises(MonogotoUnexpectedAnswerError):
        parse_login(json.dumps({"token": "opaque"}))
    with pytest.raises(MonogotoUnexpectedAnswerError):
        parse_login("<html>Sign in</html>")


def test_what_cannot_be_read_is_noted_by_form() -> None:
    unread: set[str] = set()
    payload = {
        **THING,
        "Last_DATA_Time": "yesterday",
        "ActualUsage": {"Data_": "lots"},
        "State": 5,
    }
    thing = read_thing(payload, unread)
    assert thing.last_data_activity is None
    assert unread == {"lastdatatime as text", "data as text", "state as number"}
    assert "yesterday" not in str(unread)


def test_bodies() -> None:
    assert decode("") is None
    assert decode(" ACTIVE ") == "ACTIVE"
    assert decode('"{\\"a\\": 1}"') == {"a": 1}
    assert decode("nope") == "nope"
    assert decode("[NaN]")[0] != decode("[NaN]")[0]  # the standard library's reading
