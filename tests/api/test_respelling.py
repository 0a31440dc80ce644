"""Re-spelled answers read alike: the reading rules, checked on what the simulator answers.

Each endpoint's answers are fetched over real HTTP from the simulator (the kind console and the
unkind one, not re-spelled), then re-spelled by ``tests/simulator/respell.py`` with random
choices (key spellings, envelopes, numbers as text, time forms, booleans, single-value forms):
the parsed models must equal those of the answer as sent. 8 endpoints x 2 consoles x 40
re-spellings = 640 re-spelled answers per run, from a fixed seed: the same 640 every run.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
import random
from typing import Any

import aiohttp
from hypothesis import given, note, seed, settings, strategies as st
import pytest

from tests.simulator import PROFILES, MonogotoSimulator
from tests.simulator.quirks import ANSWER_KINDS
from tests.simulator.respell import respell_answer

from .parsing import PARSERS

pytestmark = [
    pytest.mark.consoles("kind", "unkind"),
    # Hypothesis' own PRNG bookkeeping misreads Python 3.14's reference counts once per run.
    pytest.mark.filterwarnings("ignore:It looks like `register_random`"),
]

EXAMPLES_PER_ENDPOINT = 40
PARSER_OF = {
    "auth": "parse_login",
    "things": "parse_things",
    "thing": "parse_thing",
    "status": "parse_statuses",
    "search_cdr": "parse_events",
    "ping": "parse_ping",
    "state_get": "parse_state",
    "sms": "parse_sms_id",
}


@pytest.fixture
def simulator(console: str) -> MonogotoSimulator:
    """Return a console of 7 SIMs (every state, one located) that answers as it is spelled."""
    sim = MonogotoSimulator(7, quirks=replace(PROFILES[console](), respell=frozenset()))
    sim.locate(sim.thing_ids()[0], 47.3769, 8.5417, accuracy_km=2.5)
    return sim


@pytest.fixture
async def answers(sim_url: str, simulator: MonogotoSimulator) -> dict[str, list[str]]:
    """Return the bodies the simulator answers, by endpoint, as sent."""
    ids = simulator.thing_ids()
    found: dict[str, list[str]] = {endpoint: [] for endpoint in PARSER_OF}
    async with aiohttp.ClientSession(base_url=sim_url) as session:

        async def keep(endpoint: str, method: str, path: str, **kwargs: Any) -> None:
            async with session.request(method, path, **kwargs) as response:
                assert response.status == 200, (endpoint, response.status)
                found[endpoint].append(await response.text())

        await keep(
            "auth",
            "POST",
            "/Auth",
            json={"UserName": simulator.username, "Password": simulator.password},
        )
        token = simulator.issued_tokens[-1]
        session.headers.update(
            {"Authorization": f"Bearer {token}", "apikey": simulator.customer_id}
        )
        await _fetch_things(keep, ids)
        await _fetch_actions(keep, simulator)
    return found


async def _fetch_things(keep: Callable[..., Awaitable[None]], ids: list[str]) -> None:
    """Fetch the listing (two pages), two things, every state and the statuses."""
    for offset in (0, 5):
        await keep("things", "GET", f"/things?limit=5&offset={offset}")
    for thing_id in ids[:2]:
        await keep("thing", "GET", f"/thing/{thing_id}")
    for thing_id in ids[:6]:
        await keep("state_get", "GET", f"/thing/{thing_id}/state")
    await keep("status", "GET", "/thing/status", params={"ThingIds": ",".join(ids[:3])})


async def _fetch_actions(
    keep: Callable[..., Awaitable[None]], simulator: MonogotoSimulator
) -> None:
    """Fetch events, an SMS id and two pings (one answered, one not)."""
    ids = simulator.thing_ids()
    await keep("search_cdr", "POST", "/thing/searchCDR", json={"ThingIdELK": ids[0]})
    await keep("sms", "POST", f"/thing/{ids[0]}/sms", json={"Message": "STATUS#"})
    for thing_id in ids[:2]:  # the first is connected, the second suspended
        address = simulator.things[thing_id]["IPs"][0]["IP"]
        await keep(
            "ping", "POST", f"/thing/{thing_id}/ping", json={"IPAddress": address}
        )


@pytest.mark.parametrize("endpoint", sorted(PARSER_OF))
def test_respelled_answers_parse_alike(
    endpoint: str, answers: dict[str, list[str]]
) -> None:
    """40 re-spellings of this endpoint's answers parse to the models of the answers as sent."""
    parse = PARSERS[PARSER_OF[endpoint]]
    bodies = answers[endpoint]
    expected = [parse(body) for body in bodies]
    respelled: list[str] = []

    @seed(19)
    @settings(max_examples=EXAMPLES_PER_ENDPOINT, database=None, deadline=None)
    @given(index=st.integers(0, len(bodies) - 1), seed=st.integers(0, 2**32 - 1))
    def reads_alike(index: int, seed: int) -> None:
        body = respell_answer(
            ANSWER_KINDS[endpoint], bodies[index], random.Random(seed)
        )
        note(f"re-spelled: {body[:2000]}")
        respelled.append(body)
        assert parse(body) == expected[index]

    reads_alike()
    assert len(respelled) >= EXAMPLES_PER_ENDPOINT
    assert any(body != bodies[0] for body in respelled)  # it did re-spell
