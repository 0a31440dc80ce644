"""Parsing what the device actions and the location fields bring back, leniently."""

from __future__ import annotations

from datetime import UTC, datetime
import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.monogoto.api import MonogotoResponseError, parse_sms_id

from .bodies import parse_ping, parse_thing

THING = json.loads(
    (Path(__file__).parent.parent / "fixtures" / "thing.json").read_text()
)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("ThingId_ICCID_1_1606995009188_0.4954212857733442", None),
        ('"ThingId_ICCID_1_1606995009188_0.49"', "ThingId_ICCID_1_1606995009188_0.49"),
        ('{"SmsId": "abc_1"}', "abc_1"),
        ("  abc_2 \n", "abc_2"),
    ],
)
def test_sms_ids(body: str, expected: str | None) -> None:
    assert parse_sms_id(body) == (expected or body.strip())


@pytest.mark.parametrize(
    "body", ["", "<html>oops</html>", '"a b"', "{}", '{"x": 1}', '"', "{oops", "a b"]
)
def test_bad_sms_ids(body: str) -> None:
    with pytest.raises(MonogotoResponseError):
        parse_sms_id(body)


def _probe(**kwargs: Any) -> dict[str, Any]:
    return {"host": "10.0.0.1", "size": 32, "ttl": 64, **kwargs}


@pytest.mark.parametrize(
    ("payload", "sent", "received", "loss", "trips"),
    [
        # The Ruby client's shape: one summary entry.
        ([_probe(time=12, sent=4, received=4, packetLoss=0)], 4, 4, 0.0, (12.0,)),
        # One entry per probe, without counts; the lost one has no time.
        (
            [_probe(time=10), _probe(time=20.5), _probe(time=None)],
            3,
            2,
            33.3,
            (10.0, 20.5),
        ),
        # A single object, loss as a string.
        (
            _probe(time="7", sent="2", received="1", packetLoss="50 %"),
            2,
            1,
            50.0,
            (7.0,),
        ),
        # Nothing came back.
        ([_probe(sent=4, received=0, packetLoss="100%")], 4, 0, 100.0, ()),
        # More received than sent is nonsense: capped.
        ([_probe(time=1, sent=1, received=3)], 1, 1, 0.0, (1.0,)),
    ],
)
def test_ping_results(
    payload: Any, sent: int, received: int, loss: float, trips: tuple[float, ...]
) -> None:
    result = parse_ping(payload)
    assert (result.sent, result.received, result.packet_loss) == (sent, received, loss)
    assert result.round_trips_ms == trips
    assert "10.0.0.1" not in repr(result)


@pytest.mark.parametrize("payload", [[], "pong", [1, 2], None, [_probe(sent=0)]])
def test_bad_ping_results(payload: Any) -> None:
    with pytest.raises(MonogotoResponseError):
        parse_ping(payload)


@given(
    st.recursive(
        st.none() | st.integers() | st.text(max_size=5) | st.floats(),
        lambda c: (
            st.lists(c, max_size=3)
            | st.dictionaries(
                st.sampled_from(["time", "sent", "received", "packetLoss"]),
                c,
                max_size=4,
            )
        ),
        max_leaves=8,
    )
)
@settings(max_examples=200, deadline=None)
def test_ping_never_crashes(payload: Any) -> None:
    try:
        result = parse_ping(payload)
    except MonogotoResponseError:
        return
    assert 0 <= result.received <= result.sent
    assert 0 <= result.packet_loss <= 100


def _thing(**location: Any) -> dict[str, Any]:
    thing = json.loads(json.dumps(THING))
    thing["LastLocation"].update(location)
    return thing


def test_network_and_cell_from_last_location() -> None:
    thing = parse_thing(THING)
    assert thing.network == "208-01"
    assert thing.cell_id == "6205"
    assert thing.location is None  # the real sample has no coordinates


@pytest.mark.parametrize(
    ("mcc", "mnc"), [("20", "01"), ("208", "1"), (None, "01"), ("2O8", "01"), (208, 1)]
)
def test_malformed_codes_give_no_network(mcc: Any, mnc: Any) -> None:
    assert parse_thing(_thing(MCC=mcc, MNC=mnc)).network is None


def test_numeric_codes_are_read_as_text() -> None:
    assert parse_thing(_thing(MCC=310, MNC=410)).network == "310-410"


def test_location_from_last_location() -> None:
    location = parse_thing(
        _thing(Latitude="47.5", Longitude=8.25, AccuracyInKM=-1.5)
    ).location
    assert location is not None
    assert (location.latitude, location.longitude, location.accuracy_km) == (
        47.5,
        8.25,
        1.5,
    )
    assert location.timestamp == datetime(2025, 2, 19, 9, 4, 23, 307000, tzinfo=UTC)
    assert "47.5" not in repr(location)


@pytest.mark.parametrize(
    "extra",
    [
        {"LastAccuracyLocation": {"Latitude": 1.5, "Longitude": 2.5}},
        {"Curr_Latitude": 1.5, "Curr_Longitude": 2.5},
    ],
)
def test_location_from_the_other_spellings(extra: dict[str, Any]) -> None:
    thing = _thing()
    thing.update(extra)
    location = parse_thing(thing).location
    assert location is not None
    assert (location.latitude, location.longitude) == (1.5, 2.5)
    assert location.accuracy_km is None


@pytest.mark.parametrize(
    "location",
    [
        {"Latitude": 0, "Longitude": 0},  # the documented schema's placeholder
        {"Latitude": 91, "Longitude": 8},
        {"Latitude": 47, "Longitude": "east"},
        {"Latitude": True, "Longitude": 8},
        {"Latitude": float("nan"), "Longitude": 8},
        {"Latitude": 47},
    ],
)
def test_no_location_from_nonsense(location: dict[str, Any]) -> None:
    thing = _thing(**location)
    thing["Latitude"], thing["Longitude"] = (
        47.0,
        8.0,
    )  # the geofence centre: not the SIM
    assert parse_thing(thing).location is None
