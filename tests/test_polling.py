"""Polling at the floor: requests per refresh, logins, the status cadence, the budget, writes.

The benchmark (``benchmarks/``, ``docs/benchmarks.md``) measures the same things with latency and
up to 5,000 SIMs; these tests pin the behaviour behind its figures:

- a steady refresh is the listing alone: ⌊N/50⌋+1 pages (⌈N/50⌉ unless N is a multiple of 50,
  when the empty page is what proves the list ended), no login, no status call;
- statuses are read every ``STATUS_INTERVAL`` (every third poll), the "online" sensors keep the
  last ones in between, and a SIM that joins gets its status at once;
- an unchanged account writes no state;
- the budget is charged when a request is sent, so the console never sees more than the
  budget in one window, and a refresh that needs more than the budget allows in an interval
  stretches the interval;
- 5,000 SIMs are polled without blocking the event loop (Home Assistant's blocking-call
  detection quiet). Entity set-up is checked at 250 SIMs (2,000 enabled entities): 5,000 SIMs'
  entities take long to set up in the test harness, and Home Assistant refuses more than
  10,000 enabled entities per config entry anyway.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, suppress
from datetime import timedelta
import math
import time
from typing import Any
from unittest.mock import patch

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.monogoto.api import (
    PAGE_SIZE,
    MonogotoClient,
    RequestBudget,
    Thing,
)
from custom_components.monogoto.const import DOMAIN, SCAN_INTERVAL
from custom_components.monogoto.coordinator import MonogotoCoordinator
from homeassistant import block_async_io
from homeassistant.const import EVENT_STATE_CHANGED, STATE_OFF, STATE_ON
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er

from .helpers import next_poll, state_of
from .simulator import DEMO_PASSWORD, DEMO_USERNAME, MonogotoSimulator, make_thing

#: The longest the event loop may go without a break during a 5,000-SIM refresh. Here the
#: simulator shares the loop and asyncio runs in debug mode: measured 45-75 ms.
LONGEST_LOOP_STEP = 0.25
#: The work after the last page arrives (merging, comparing, the stale-device sweep), all in one
#: step: measured 17-19 ms, coverage on or off. The O(N²) sweep it guards against took 120-150 ms.
LONGEST_TAIL = 0.06


def listing_pages(count: int) -> int:
    """Return the pages a full listing takes: until a short page."""
    return count // PAGE_SIZE + 1


class FakeClock:
    """A monotonic clock for a ``RequestBudget`` whose waits jump instead of sleeping."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


@pytest.fixture
def client_budget() -> RequestBudget | None:
    """Return the budget the integration's client gets (None: the product's default)."""
    return None


@pytest.fixture(autouse=True)
def with_budget(client_budget: RequestBudget | None) -> Iterator[None]:
    """Give the client that the integration creates ``client_budget``."""
    if client_budget is None:
        yield
        return

    def make_client(*args: Any, **kwargs: Any) -> MonogotoClient:
        return MonogotoClient(*args, **kwargs, budget=client_budget)

    with patch("custom_components.monogoto.MonogotoClient", make_client):
        yield


def count_state_changes(hass: HomeAssistant) -> list[str]:
    """Record the entity id of every state_changed event from now on."""
    changed: list[str] = []

    @callback
    def record(event: Event[Any]) -> None:
        changed.append(event.data["entity_id"])

    hass.bus.async_listen(EVENT_STATE_CHANGED, record)
    return changed


# -- requests per refresh and the status cadence ----------------------------------------------


@pytest.mark.parametrize("count", [10, 120])
async def test_steady_refresh_is_the_listing_alone(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    count: int,
) -> None:
    simulator.things.clear()
    for index in range(1, count + 1):
        simulator.add_thing(make_thing(index))
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    pages = math.ceil(count / PAGE_SIZE)
    assert simulator.requests == {"auth": 1, "things": pages, "status": pages}

    polls = []
    for _ in range(6):
        simulator.requests.clear()
        await next_poll(hass, freezer)
        polls.append(dict(simulator.requests))
    listing = {"things": pages}
    with_statuses = {"things": pages, "status": pages}
    # No login; the statuses every third poll (15 minutes), the listing alone otherwise.
    assert polls == [listing, listing, with_statuses] * 2


async def test_online_keeps_the_last_status_between_status_reads(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    thing_id = simulator.thing_ids()[0]
    assert state_of(hass, "binary_sensor", thing_id, "online").state == STATE_ON
    simulator.connection[thing_id] = "DISCONNECTED"
    for _ in range(2):
        await next_poll(hass, freezer)
        assert state_of(hass, "binary_sensor", thing_id, "online").state == STATE_ON
    await next_poll(hass, freezer)
    assert state_of(hass, "binary_sensor", thing_id, "online").state == STATE_OFF


async def test_a_new_sim_gets_its_status_at_once(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    new_id = simulator.add_thing(make_thing(77, "ACTIVE"))
    simulator.requests.clear()
    await next_poll(hass, freezer)
    # One status call, for the new SIM only; the others keep theirs.
    assert simulator.requests == {"things": 1, "status": 1}
    assert state_of(hass, "binary_sensor", new_id, "online").state == STATE_ON
    simulator.fail("status", status=500)  # a failed read of the new SIMs only ...
    newer_id = simulator.add_thing(make_thing(78, "ACTIVE"))
    await next_poll(hass, freezer)
    # ... leaves the others' statuses alone; the new one is asked again next time.
    assert state_of(hass, "binary_sensor", new_id, "online").state == STATE_ON
    assert state_of(hass, "binary_sensor", newer_id, "online").state == "unavailable"
    await next_poll(hass, freezer)
    assert state_of(hass, "binary_sensor", newer_id, "online").state == STATE_ON


async def test_status_cadence_holds_when_polls_come_a_second_early(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Home Assistant schedules a poll from the whole second: up to 1 s early, each time."""
    coordinator: MonogotoCoordinator = init_integration.runtime_data
    reads = []
    for _ in range(3):
        simulator.requests.clear()
        freezer.tick(SCAN_INTERVAL.total_seconds() - 1)
        await coordinator.async_refresh()
        reads.append(simulator.requests["status"])
    assert reads == [0, 0, 1]


# -- state writes --------------------------------------------------------------------------------


@pytest.mark.things(120)
async def test_unchanged_account_writes_no_state(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    changed = count_state_changes(hass)
    for _ in range(3):  # listing-only polls and a poll that also reads the statuses
        await next_poll(hass, freezer)
    assert simulator.requests["status"] == 2 * math.ceil(120 / PAGE_SIZE)
    assert changed == []

    # One SIM suspended in the console: only what depends on it is written.
    thing_id = simulator.thing_ids()[0]
    simulator.set_state(thing_id, "SUSPENDED")
    await next_poll(hass, freezer)
    registry = er.async_get(hass)
    sim_entities = {
        entry.entity_id
        for entry in er.async_entries_for_config_entry(
            registry, init_integration.entry_id
        )
        if entry.unique_id.startswith(f"{thing_id}_")
    }
    account_entities = {
        entry.entity_id
        for entry in er.async_entries_for_config_entry(
            registry, init_integration.entry_id
        )
        if entry.unique_id.startswith(f"{init_integration.entry_id}_")
    }
    assert changed
    assert set(changed) <= sim_entities | account_entities
    assert state_of(hass, "sensor", thing_id, "sim_state").entity_id in changed


# -- the request budget --------------------------------------------------------------------------


async def test_console_never_sees_more_than_the_budget(
    simulator: MonogotoSimulator, socket_enabled: None
) -> None:
    """The budget stamps a request when it is sent, not when it queued for a slot.

    Eight slow pages fill the window (two at a time: 0.4 s to send them all); the next eight
    are fast. Stamped at queue time, all sixteen would be stamped at once per window and the
    fast ones would reach the console within 0.4 s of the slow ones: 12 in one window.
    """
    limit, window = 8, 1.0
    for index in range(4, 2 * limit * PAGE_SIZE + 1):
        simulator.add_thing(make_thing(index))
    arrivals: list[float] = []

    @web.middleware
    async def stamp(
        request: web.Request,
        handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
    ) -> web.StreamResponse:
        if request.path == "/things":
            arrivals.append(time.perf_counter())
            if int(request.query["offset"]) < limit * PAGE_SIZE:
                await asyncio.sleep(0.1)
        return await handler(request)

    app = simulator.create_app()
    app.middlewares.insert(0, stamp)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server(access_log=None)
    try:
        async with aiohttp.ClientSession() as session:
            client = MonogotoClient(
                session,
                DEMO_USERNAME,
                DEMO_PASSWORD,
                base_url=str(server.make_url("")).rstrip("/"),
                budget=RequestBudget(limit, window),
                max_concurrency=2,
            )
            await client.login()
            pages = await asyncio.gather(
                *(client.list_things_page(k * PAGE_SIZE) for k in range(2 * limit))
            )
    finally:
        await server.close()
    assert [len(page) for page in pages] == [PAGE_SIZE] * 2 * limit
    assert len(arrivals) == 2 * limit
    # The most requests the console saw in any window, allowing 50 ms of loopback jitter.
    busiest = max(
        sum(1 for t in arrivals if start <= t < start + window - 0.05)
        for start in arrivals
    )
    assert busiest <= limit


@pytest.mark.things(280)
@pytest.mark.parametrize("client_budget", [RequestBudget(60, 60.0)])
async def test_interval_stretches_when_a_refresh_needs_more_than_the_budget(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    client_budget: RequestBudget,
) -> None:
    """Without State in the listing, 280 SIMs need 6 + 280 + 6 requests: over 5 minutes' worth.

    The budget runs on a fake clock here (its waits jump), so the test takes no minutes.
    """
    clock = FakeClock()
    client_budget._clock = clock
    client_budget._sleep = clock.sleep
    simulator.quirks.listing_includes_state = False
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    coordinator: MonogotoCoordinator = mock_config_entry.runtime_data

    needed = listing_pages(280) + 280 + math.ceil(280 / PAGE_SIZE)
    assert simulator.requests == {"auth": 1, "things": 6, "state_get": 280, "status": 6}
    # The refresh was spread over the budget's windows instead of bursting ...
    assert clock.now >= (needed // 60) * 60.0
    # ... and the interval grew to fit a refresh (plus 10 %) at 60 requests a minute.
    stretched = timedelta(seconds=math.ceil(needed / 60 * 60 * 1.1))
    assert stretched > SCAN_INTERVAL
    assert coordinator.update_interval == stretched

    simulator.requests.clear()
    await next_poll(hass, freezer)  # 5 minutes: too early
    assert simulator.requests == {}
    await next_poll(hass, freezer, (stretched - SCAN_INTERVAL).total_seconds())
    assert simulator.requests["things"] == listing_pages(280)
    assert simulator.requests["state_get"] == 280


async def test_interval_stays_when_the_budget_suffices(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    coordinator: MonogotoCoordinator = init_integration.runtime_data
    assert coordinator.update_interval == SCAN_INTERVAL


# -- 5,000 SIMs and the event loop ----------------------------------------------------------------


@pytest.fixture
def blocking_call_detection() -> Iterator[None]:
    """Turn Home Assistant's blocking-call detection on, all of it (the harness leaves it off).

    Under tests Home Assistant skips the checks on file access and imports; here they are on
    too, as in a real instance.
    """
    calls = block_async_io._BLOCKED_CALLS.calls
    assert not calls, "blocking-call detection is already on"
    with patch.object(block_async_io, "_IN_TESTS", False):
        block_async_io.enable()
    try:
        yield
    finally:
        for blocked in calls:
            setattr(blocked.object, blocked.function, blocked.original_func)
        calls.clear()


@asynccontextmanager
async def loop_watch() -> AsyncIterator[list[float]]:
    """Yield ``[longest]``: the longest the event loop went without running a 1 ms ticker."""
    longest = [0.0]
    last = [time.perf_counter()]

    async def tick() -> None:
        while True:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            longest[0] = max(longest[0], now - last[0])
            last[0] = now

    task = asyncio.get_running_loop().create_task(tick())
    try:
        yield longest
    finally:
        # The block may end right after a long step, before the ticker runs again.
        longest[0] = max(longest[0], time.perf_counter() - last[0])
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task


@pytest.mark.things(5000)
@pytest.mark.parametrize("client_budget", [RequestBudget(10_000, 60.0)])
async def test_5000_sims_are_polled_at_the_floor_without_blocking(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    mock_config_entry: MockConfigEntry,
    blocking_call_detection: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The data path at 5,000 SIMs: set-up, then a steady refresh (real time, no freezer).

    The SIMs' devices exist, as a previous run left them, so the stale-device sweep runs at
    full size; the entity platforms are left out (see the module docstring).
    """
    mock_config_entry.add_to_hass(hass)
    devices = dr.async_get(hass)
    for thing_id in simulator.thing_ids():
        devices.async_get_or_create(
            config_entry_id=mock_config_entry.entry_id,
            identifiers={(DOMAIN, thing_id)},
        )
    with patch("custom_components.monogoto.PLATFORMS", []):
        await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
        coordinator: MonogotoCoordinator = mock_config_entry.runtime_data
        assert simulator.requests == {"auth": 1, "things": 101, "status": 100}

        simulator.requests.clear()
        listed_at: list[float] = []
        list_things = coordinator.client.list_things

        async def list_and_note(expected: int | None = None) -> list[Thing]:
            things = await list_things(expected)
            listed_at.append(time.perf_counter())
            return things

        with patch.object(coordinator.client, "list_things", list_and_note):
            async with loop_watch() as longest:
                await coordinator.async_refresh()
                # What runs after the last page: merging, comparing, the device sweep.
                tail = time.perf_counter() - listed_at[0]
        assert coordinator.last_update_success
        # No login, no status call: the listing alone.
        assert simulator.requests == {"things": listing_pages(5000)}
    assert len(coordinator.data.things) == 5000
    kept = dr.async_entries_for_config_entry(devices, mock_config_entry.entry_id)
    assert len(kept) == 5000
    assert "Detected blocking call" not in caplog.text
    # Pages are parsed one at a time as they arrive; nothing walks the account O(N²).
    assert longest[0] < LONGEST_LOOP_STEP
    assert tail < LONGEST_TAIL


@pytest.mark.things(250)
async def test_entity_setup_does_not_block(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    mock_config_entry: MockConfigEntry,
    blocking_call_detection: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    entries = er.async_entries_for_config_entry(
        er.async_get(hass), mock_config_entry.entry_id
    )
    enabled = [entry.entity_id for entry in entries if not entry.disabled]
    assert len(enabled) >= 250 * 8
    assert all(hass.states.get(entity_id) for entity_id in enabled)
    assert "Detected blocking call" not in caplog.text
