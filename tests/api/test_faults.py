"""Fuzzing the client end to end: arbitrary answers over real HTTP, and header parsing.

``tests/api/test_models.py`` feeds the parsers arbitrary JSON values. These tests go one layer
out: arbitrary *bytes* with arbitrary status codes and content types, served by the simulator
on 127.0.0.1 and read by the client through its choke point (``_request``), its JSON decoding
and its status mapping. Whatever comes back, each call returns a model or raises one of the
client's own errors; never an aiohttp, JSON, Unicode or any other exception. Also: arbitrary
``Retry-After`` values, and arbitrary thing ids through the URL encoding to the console and back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
import json
import math
import time
from typing import Any

import aiohttp
from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from custom_components.monogoto.api import (
    MonogotoAuthError,
    MonogotoClient,
    MonogotoError,
    MonogotoRateLimitError,
    ThingState,
)
from custom_components.monogoto.api.transport import MAX_RETRY_AFTER, retry_after
from tests.simulator import Fault, MonogotoSimulator, make_thing

THING_ID = "ThingId_ICCID_8999900000000000001"
#: The client call that reads each endpoint's body.
CALLS: dict[str, Callable[[MonogotoClient], Awaitable[Any]]] = {
    "auth": lambda c: c.login(),
    "things": lambda c: c.list_things(),
    "thing": lambda c: c.get_thing(THING_ID),
    "state_get": lambda c: c.get_thing_state(THING_ID),
    "status": lambda c: c.get_thing_statuses([THING_ID]),
    "search_cdr": lambda c: c.search_events(THING_ID),
    "state_put": lambda c: c.set_thing_state(THING_ID, ThingState.SUSPENDED),
}
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(["ThingId", "State", "token", "CustomerId", "Data", "hits"])
            | st.text(max_size=6),
            children,
            max_size=4,
        )
    ),
    max_leaves=10,
)
BODIES = st.one_of(
    st.binary(max_size=200),
    JSON.map(lambda value: json.dumps(value).encode()),
    JSON.map(lambda value: json.dumps(value).encode()[:-1]),  # cut short
    st.text(max_size=60).map(lambda text: text.encode("utf-16")),  # not UTF-8
    st.sampled_from(
        [b"", b"null", b"[]", b"{}", b'"ACTIVE"', b"{ ACTIVE }", b"\xef\xbb\xbf[]"]
    ),
)
STATUSES = st.one_of(
    st.just(200),
    st.sampled_from([201, 203, 400, 401, 403, 404, 409, 418, 429, 500, 502, 503]),
    st.integers(200, 599),
)
CONTENT_TYPES = st.sampled_from(
    [
        "application/json",
        "application/json; charset=latin-1",
        "text/plain",
        "text/html",
        "application/octet-stream",
        "application/problem+json",
    ]
)
FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@pytest.fixture
async def session(sim_url: str) -> Any:
    """Return one client session for every example of a test."""
    async with aiohttp.ClientSession() as session:
        yield session


def _client(
    session: aiohttp.ClientSession, sim_url: str, sim: MonogotoSimulator
) -> MonogotoClient:
    return MonogotoClient(
        session, sim.username, sim.password, base_url=sim_url, request_timeout=5
    )


@FUZZ
@given(
    endpoint=st.sampled_from(sorted(CALLS)),
    body=BODIES,
    status=STATUSES,
    content_type=CONTENT_TYPES,
    retry_after=st.none() | st.text(max_size=20).filter(str.isprintable),
)
async def test_any_answer_gives_a_model_or_a_client_error(
    session: aiohttp.ClientSession,
    sim_url: str,
    simulator: MonogotoSimulator,
    endpoint: str,
    body: bytes,
    status: int,
    content_type: str,
    retry_after: str | None,
) -> None:
    headers = {} if retry_after is None else {"Retry-After": retry_after.strip()}
    simulator.clear_faults()
    simulator.fail(
        endpoint,
        Fault(status=status, body=body, content_type=content_type, headers=headers),
    )
    client = _client(session, sim_url, simulator)
    error: MonogotoError | None = None
    try:
        await CALLS[endpoint](client)
    except MonogotoError as err:
        error = err
    if error is None:
        assert status < 300 or status in (401, 403)  # a 401 is retried after a login
    elif isinstance(error, MonogotoRateLimitError):
        assert error.retry_after is None or 0 <= error.retry_after <= MAX_RETRY_AFTER
    elif isinstance(error, MonogotoAuthError):
        # Only a login is rejected: by a 4xx (but 408 or 429), by "Access denied" whatever
        # the status, or by a 2xx that is not a token (decision 1). A data endpoint's refusal
        # is retried after a new login, and a second refusal is a permission error.
        assert endpoint == "auth"
        assert (
            (400 <= status < 500 and status not in (408, 429))
            or b"access denied" in body.lower()
            or 200 <= status < 300
        )


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    suffix=st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters=","),
        min_size=1,
        max_size=20,
    ).filter(lambda text: text.strip() == text),
    state=st.sampled_from(list(ThingState)),
)
async def test_any_thing_id_reaches_the_console_intact(
    session: aiohttp.ClientSession,
    sim_url: str,
    simulator: MonogotoSimulator,
    suffix: str,
    state: ThingState,
) -> None:
    """Path and query encoding: the console finds the very thing the id names."""
    thing = make_thing(5, state.value)
    thing["ThingId"] = thing_id = f"ThingId_ICCID_{suffix}"
    simulator.add_thing(thing)
    client = _client(session, sim_url, simulator)
    try:
        assert await client.get_thing_state(thing_id) == state.value
        assert (await client.get_thing(thing_id)).thing_id == thing_id
        statuses = await client.get_thing_statuses([thing_id])
        assert set(statuses) == {thing_id}
    finally:
        simulator.remove_thing(thing_id)


# -- Retry-After ---------------------------------------------------------------------------

NOW = 1_800_000_000.0


@given(
    st.text(max_size=40)
    | st.from_regex(r"\s*-?[0-9]{1,30}(\.[0-9]*)?(e[+-]?[0-9]{1,4})?\s*")
)
def test_retry_after_is_never_negative_nor_endless(value: str) -> None:
    wait = retry_after(value, NOW)
    assert wait is None or (math.isfinite(wait) and 0 <= wait <= MAX_RETRY_AFTER)


@given(
    st.datetimes(
        min_value=datetime(1970, 1, 2),  # noqa: DTZ001 - naive bounds; hypothesis adds UTC
        timezones=st.just(UTC),
    )
)
def test_retry_after_http_dates(when: datetime) -> None:
    wait = retry_after(format_datetime(when, usegmt=True), NOW)
    expected = min(
        max(0.0, when.replace(microsecond=0).timestamp() - NOW), MAX_RETRY_AFTER
    )
    assert wait == pytest.approx(expected)


@pytest.mark.parametrize(
    ("value", "wait"),
    [
        ("120", 120),
        (" 120 ", 120),
        ("0", 0),
        ("-5", 0),
        ("1.5", 1.5),
        ("inf", MAX_RETRY_AFTER),
        ("1e999", MAX_RETRY_AFTER),
        ("999999999", MAX_RETRY_AFTER),
        ("nan", 0),
        ("soon", None),
        ("", None),
        (None, None),
        ("Fri, 31 Dec 9999 23:59:59 GMT", MAX_RETRY_AFTER),
        ("Thu, 01 Jan 1970 00:00:00 GMT", 0),
    ],
)
def test_retry_after_examples(value: str | None, wait: float | None) -> None:
    assert retry_after(value, NOW) == wait


def test_retry_after_asctime_date_is_gmt(monkeypatch: pytest.MonkeyPatch) -> None:
    """An HTTP date in the asctime form has no zone; it is GMT, not the host's local time."""
    monkeypatch.setenv("TZ", "XXX-14")  # a host 14 hours ahead of UTC
    time.tzset()
    try:
        when = datetime.fromtimestamp(NOW, UTC) + timedelta(seconds=90)
        assert retry_after(when.strftime("%a %b %d %H:%M:%S %Y"), NOW) == 90
    finally:
        monkeypatch.undo()
        time.tzset()
