"""The re-spelling itself (``tests/simulator/respell.py``) and the simulator's re-spelling mode."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import UTC, datetime
import json
import random
from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer
import pytest

from tests.simulator import MonogotoSimulator, unkind
from tests.simulator.respell import (
    envelopes,
    key_words,
    normalised,
    respell_json,
    respell_single,
    single_value,
    spell_instant,
    spell_key,
    unwrapped,
)

STATUS = {
    "Success": True,
    "Message": "Operation succeeded",
    "Data": [
        {"ThingId": "ThingId_ICCID_1", "LastConnectionTime": "2026-11-20 08:00:00"}
    ],
}
SEEDS = range(200)


@pytest.mark.parametrize(
    ("style", "spelled"),
    [
        ("Pascal", "LastDataTime"),
        ("camel", "lastDataTime"),
        ("snake", "last_data_time"),
        ("kebab", "last-data-time"),
        ("SCREAMING_SNAKE", "LAST_DATA_TIME"),
        ("SCREAMING-KEBAB", "LAST-DATA-TIME"),
        ("lower", "lastdatatime"),
        ("UPPER", "LASTDATATIME"),
        ("as sent", "Last_DATA_Time"),
    ],
)
def test_key_styles(style: str, spelled: str) -> None:
    assert spell_key("Last_DATA_Time", style, random.Random(0)) == spelled


@pytest.mark.parametrize(
    "key", ["ThingId", "IPv4", "MO_SMS_CDR_", "_source", "LTEData", "mmeNumberForMTSMS"]
)
def test_every_spelling_is_the_same_key(key: str) -> None:
    rnd = random.Random(1)
    for style in ("Pascal", "camel", "snake", "SCREAMING-KEBAB", "mixed"):
        assert normalised(spell_key(key, style, rnd)) == normalised(key)


def test_a_key_that_cannot_be_split_keeps_its_spelling() -> None:
    assert key_words("…") == []
    assert spell_key("…", "SCREAMING_SNAKE", random.Random(0)) == "…"


def test_keys_that_already_clash_keep_their_spelling() -> None:
    for seed in SEEDS:
        text = respell_json({"Data": "a", "data_": "b"}, random.Random(seed))
        assert '"Data": "a"' in text
        assert '"data_": "b"' in text


@pytest.mark.parametrize(
    ("payload", "inner"),
    [
        (STATUS, STATUS["Data"]),
        ({"Items": [1]}, [1]),
        ({"data": {"a": 1}}, {"a": 1}),
        ({"Success": False, "Data": []}, None),  # a failure is not an envelope
        ({"totalResults": 0, "hits": []}, None),  # the events answer is payload
        ({"ThingId": "x"}, None),
        ({"Data": 1, "data_": 2}, None),
        ([1, 2], None),
    ],
)
def test_unwrapped(payload: Any, inner: Any) -> None:
    assert unwrapped(payload) == inner


def test_only_a_list_goes_into_items() -> None:
    assert {"Items": [1]} in envelopes([1])
    assert all("Items" not in wrapped for wrapped in envelopes({"a": 1}))
    assert all(unwrapped(wrapped) == [1] for wrapped in envelopes([1]))


def _read_instant(value: int | str) -> datetime:
    """Read a time form back, independently of the code under test."""
    if isinstance(value, int):
        return datetime.fromtimestamp(
            value / 1000 if value >= 10**11 else value, tz=UTC
        )
    if "T" not in value:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    return datetime.fromisoformat(value)


@pytest.mark.parametrize(
    "instant",
    [
        datetime(2025, 2, 19, 9, 7, 10, 712000, tzinfo=UTC),
        datetime(2026, 11, 20, 8, 0, 0, tzinfo=UTC),
    ],
)
def test_every_time_form_is_the_same_instant(instant: datetime) -> None:
    forms = {spell_instant(instant, random.Random(seed)) for seed in SEEDS}
    assert {type(form) for form in forms} == {int, str}
    assert len(forms) >= 5
    for form in forms:
        assert _read_instant(form) == instant, form


def test_respelling_is_pure_and_seeded() -> None:
    payload = copy.deepcopy(STATUS)
    texts = [respell_json(payload, random.Random(seed)) for seed in SEEDS]
    assert payload == STATUS
    assert texts[7] == respell_json(STATUS, random.Random(7))
    assert len(set(texts)) > 100


def test_respelling_changes_each_kind_of_scalar() -> None:
    texts = [respell_json(STATUS, random.Random(seed)) for seed in SEEDS]
    assert any('"success": "true"' in text.lower() for text in texts)
    assert any('"success": 1' in text.lower() for text in texts)
    assert any("2026-11-20T08:00:00" in text for text in texts)
    assert any('"thing_id"' in text for text in texts)
    assert any(text.startswith("[") for text in texts)  # the envelope removed
    assert any('"items"' in text.lower() for text in texts)
    numbers = [respell_json({"Data_": 1120773}, random.Random(seed)) for seed in SEEDS]
    assert any('"1120773"' in text for text in numbers)


@pytest.mark.parametrize(
    ("kind", "value"), [("state", "TEST_ACTIVE"), ("sms", "Id_1.5")]
)
def test_single_value_forms(kind: Any, value: str) -> None:
    texts = [respell_single(value, kind, random.Random(seed)) for seed in SEEDS]
    starts = {text.strip()[:1] for text in texts}
    assert {"{", "[", '"', value[0].lower() if kind == "state" else value[0]} <= starts
    for text in texts:
        if kind == "state":
            assert value.lower() in text.lower()
        else:
            assert value in text  # an id keeps its case
    if kind == "state":
        assert any(value.lower() in text for text in texts)


@pytest.mark.parametrize(
    "body", ["ACTIVE", '"ACTIVE"', "{\n    ACTIVE\n}", "{ ACTIVE }", " ACTIVE\n"]
)
def test_single_value_of_the_simulators_forms(body: str) -> None:
    assert single_value(body) == "ACTIVE"


def test_unkind_console_respells_its_answers() -> None:
    assert unkind().respell >= {"auth", "things", "thing", "state_get", "sms"}


@pytest.fixture
def simulator() -> MonogotoSimulator:
    """Return an unkind console (it re-spells), seeded."""
    return MonogotoSimulator(3, quirks=unkind(), seed=5)


async def _answers(sim_url: str, simulator: MonogotoSimulator) -> list[str]:
    """Log in, list, and read a state three times, an unknown thing once; return the bodies."""
    bodies = []
    async with aiohttp.ClientSession(base_url=sim_url) as session:
        async with session.post(
            "/Auth",
            json={"UserName": simulator.username, "Password": simulator.password},
        ) as response:
            bodies.append(await response.text())
        session.headers["Authorization"] = f"Bearer {simulator.issued_tokens[-1]}"
        state = f"/thing/{simulator.thing_ids()[0]}/state"
        for path in ("/things?limit=50&offset=0", state, state, state, "/thing/nope"):
            async with session.get(path) as response:
                bodies.append(await response.text())
    return bodies


async def test_simulator_respells_reproducibly(
    sim_url: str, simulator: MonogotoSimulator
) -> None:
    """Each answer is re-spelled its own way; the same seed re-spells the same way."""
    bodies = await _answers(sim_url, simulator)
    assert len(set(bodies[2:5])) > 1  # each answer chooses anew
    assert json.loads(bodies[-1])["message"] == "Not found"  # errors stay as they are
    again = MonogotoSimulator(3, quirks=unkind(), seed=5)
    server = TestServer(again.create_app(), host="127.0.0.1")
    await server.start_server(access_log=None)
    try:
        again_bodies = await _answers(str(server.make_url("")).rstrip("/"), again)
    finally:
        await server.close()
    # Tokens differ between consoles; every other answer is spelled alike.
    assert again_bodies[1:] == bodies[1:]


async def test_respelling_can_be_left_out(
    sim_url: str, simulator: MonogotoSimulator
) -> None:
    simulator.quirks = replace(simulator.quirks, respell=frozenset())
    bodies = await _answers(sim_url, simulator)
    assert '"token"' in bodies[0]
    assert bodies[2] == bodies[3] == "{\n    ACTIVE\n}"
