"""coordinator.py: the pollers at the floor: requests per refresh, logins, the cadences, the budget, writes.

The benchmark (``benchmarks/``, ``docs/benchmarks.md``) measures the same things with latency and
up to 5,000 SIMs, and times them; these tests pin the behaviour behind its figures:

- a steady refresh of a console that behaves is the listing alone: ⌊N/50⌋+1 pages (the empty
  or short page is what proves the list ended), no login;
- statuses are read every ``STATUS_INTERVAL`` by their own coordinator, the "online" sensors
  keep the last ones in between, and a SIM that joins gets its status at once;
- an unchanged account writes no state;
- a request holds its budget slot until a window after its answer, so the console, stamping
  arrivals under random latency, never sees more than the budget in one window;
- when the three coordinators together would need more than the hourly budget, the plan
  stretches the listing's interval and splits the per-SIM reads, and an hour of polling stays
  within it;
- 5,000 SIMs are polled without blocking the event loop (Home Assistant's blocking-call
  detection quiet; how long the loop steps take is the benchmark's business). Entity set-up is
  checked at 250 SIMs (2,000 enabled entities).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
import math
from typing import Any
from unittest.mock import patch

import aiohttp
from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.monogoto.api import (
    PAGE_SIZE,
    MonogotoClient,
    RequestBudget,
    Window,
    listing_pages,
)
from custom_components.monogoto.api.budget import HOUR, MINUTE
from custom_components.monogoto.const import DOMAIN, SCAN_INTERVAL, STATUS_INTERVAL
from custom_components.monogoto.planner import PLANNED_SHARE
from custom_components.monogoto.runtime import MonogotoRuntime
from homeassistant import block_async_io
from homeassistant.const import (
    EVENT_STATE_CHANGED,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
)
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er

from .helpers import next_poll, state_of
from .simulator import DEMO_PASSWORD, DEMO_USERNAME, MonogotoSimulator, make_thing


def busiest(stamps: list[float], seconds: float) -> int:
    """Return the most stamps in any rolling ``seconds``."""
    stamps = sorted(stamps)
    start = 0
    most = 0
    for end, now in enumerate(stamps):
        while now - stamps[start] >= seconds:
            start += 1
        most = max(most, end - start + 1)
    return most


class FakeClock:
    """A monotonic clock for a ``RequestBudget`` whose waits jump instead of sleeping."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


def fake_time_budget() -> RequestBudget:
    """Return the product's minute and hour budget on a ``FakeClock``: its waits jump."""
    clock = FakeClock()
    return RequestBudget([MINUTE, HOUR], clock=clock, sleep=clock.sleep)


async def set_up_without_entities(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Set the entry up with no entity platform: the requests are the subject here."""
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)


async def poll_for_an_hour(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Let an hour pass a minute at a time, every poll that falls due running."""
    for _ in range(math.ceil(3600 / 61)):
        await next_poll(hass, freezer, 61)


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


# -- requests per refresh and the cadences ------------------------------------------------------


def runtime_of(entry: MockConfigEntry) -> MonogotoRuntime:
    """Return the entry's runtime (its three coordinators)."""
    runtime: MonogotoRuntime = entry.runtime_data
    return runtime


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
    await hass.async_block_till_done(wait_background_tasks=True)
    pages = listing_pages(count)
    batches = math.ceil(count / PAGE_SIZE)
    # At set-up only: a short first page is followed by one more, in case the console pages
    # by a size of its own (it does not here: that page is empty).
    probe = 1 if count < PAGE_SIZE else 0
    assert simulator.requests == {"auth": 1, "things": pages + probe, "status": batches}

    polls = []
    for _ in range(6):
        simulator.requests.clear()
        await next_poll(hass, freezer)
        polls.append(dict(simulator.requests))
    listing = {"things": pages}
    with_statuses = {"things": pages, "status": batches}
    # No login, no details; the statuses every 15 minutes, the listing alone otherwise.
    assert polls == [listing, listing, with_statuses] * 2
    assert runtime_of(mock_config_entry).things.update_interval == SCAN_INTERVAL


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
    # One status call, for the new SIM only; the others keep theirs. (The first page grew:
    # one more page asks whether the console pages by a size of its own.)
    assert simulator.requests == {"things": 2, "status": 1}
    assert state_of(hass, "binary_sensor", new_id, "online").state == STATE_ON
    simulator.fail("status", status=500)  # a failed read of the new SIMs only ...
    newer_id = simulator.add_thing(make_thing(78, "ACTIVE"))
    await next_poll(hass, freezer)
    # ... leaves the others' statuses alone; the new one is read at the next status round.
    assert state_of(hass, "binary_sensor", new_id, "online").state == STATE_ON
    assert state_of(hass, "binary_sensor", newer_id, "online").state == "unavailable"
    await next_poll(hass, freezer, STATUS_INTERVAL.total_seconds())
    assert state_of(hass, "binary_sensor", newer_id, "online").state == STATE_ON


# -- state writes --------------------------------------------------------------------------------


@pytest.mark.things(120)
async def test_unchanged_account_writes_no_state(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    changed = count_state_changes(hass)
    simulator.requests.clear()
    for _ in range(3):  # listing-only polls and a poll that also reads the statuses
        await next_poll(hass, freezer)
    assert simulator.requests["status"] == math.ceil(120 / PAGE_SIZE)
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


@pytest.mark.things(24 * PAGE_SIZE)
async def test_console_never_sees_more_than_the_budget_under_random_latency(
    simulator: MonogotoSimulator, sim_url: str
) -> None:
    """A request holds its slot until a window after its answer: arrivals stay in budget.

    The simulator stamps each request when it arrives, then answers after a random delay (part
    before the stamp, part after), as a loaded console on a slow link would. Counted when sent,
    or freed when answered, requests whose answers came late would let the next ones arrive
    within a window of the earlier ones.
    """
    window = Window(8, 1.0)
    simulator.jitter = 0.4
    async with aiohttp.ClientSession() as session:
        client = MonogotoClient(
            session,
            DEMO_USERNAME,
            DEMO_PASSWORD,
            base_url=sim_url,
            budget=RequestBudget([window]),
        )
        await client.login()
        simulator.request_log.clear()
        pages = await asyncio.gather(
            *(client.list_things_page(k * PAGE_SIZE) for k in range(24))
        )
    assert [len(page) for page in pages] == [PAGE_SIZE] * 24
    arrivals = [at for at, endpoint in simulator.request_log if endpoint == "things"]
    assert len(arrivals) == 24
    assert busiest(arrivals, window.seconds) <= window.limit


@pytest.mark.things(4000)
@pytest.mark.parametrize("client_budget", [fake_time_budget()])
async def test_an_hour_of_polling_stays_within_the_hourly_budget(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """4,000 SIMs: 81 pages every 5 minutes would be 972 requests an hour, over the share.

    The listing's and the statuses' intervals stretch to fit their shares (neither can be
    split); an hour of polls then stays within the budget. The budget runs on a fake
    clock whose waits jump, so its minute windows take no minutes here.
    """
    with patch("custom_components.monogoto.PLATFORMS", []):
        await set_up_without_entities(hass, mock_config_entry)
        runtime = runtime_of(mock_config_entry)
        interval = runtime.things.update_interval
        status_interval = runtime.statuses.update_interval
        assert interval is not None
        assert status_interval is not None
        assert interval > SCAN_INTERVAL
        assert status_interval >= STATUS_INTERVAL
        planned = (
            listing_pages(4000) * 3600 / interval.total_seconds()
            + math.ceil(4000 / PAGE_SIZE) * 3600 / status_interval.total_seconds()
        )
        assert planned <= HOUR.limit * PLANNED_SHARE

        simulator.requests.clear()
        await poll_for_an_hour(hass, freezer)
        assert runtime.things.last_update_success
    hour = sum(simulator.requests.values())
    assert simulator.requests["things"] <= listing_pages(4000) * math.ceil(
        3600 / interval.total_seconds()
    )
    assert hour <= HOUR.limit


@pytest.mark.things(1000)
@pytest.mark.parametrize("client_budget", [fake_time_budget()])
async def test_a_status_fallback_to_one_sim_per_request_keeps_to_the_plan(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """1,000 SIMs whose status batches answer one SIM: not 1,000 requests at once.

    The first round reads the SIMs the new plan allows per refresh; the listing keeps its
    interval's pace through the hour, and the hour stays within the budget.
    """
    simulator.quirks.status_answers_first_id_only = True
    simulator.quirks.status_listing_form = False
    with patch("custom_components.monogoto.PLATFORMS", []):
        await set_up_without_entities(hass, mock_config_entry)
        runtime = runtime_of(mock_config_entry)
        per_refresh = runtime.statuses.per_refresh
        assert per_refresh is not None
        assert per_refresh < 1000
        batches = math.ceil(1000 / PAGE_SIZE)
        # The batches, the refused listing form, then at most the plan's share alone.
        assert simulator.requests["status"] <= batches + 1 + per_refresh

        simulator.requests.clear()
        await poll_for_an_hour(hass, freezer)
        assert runtime.things.last_update_success
        interval = runtime.things.update_interval
        assert interval is not None
    polls = math.floor(3600 / interval.total_seconds())
    assert simulator.requests["things"] >= listing_pages(1000) * polls
    assert sum(simulator.requests.values()) <= HOUR.limit


async def test_intervals_stay_when_the_budget_suffices(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    runtime = runtime_of(init_integration)
    assert runtime.things.update_interval == SCAN_INTERVAL
    assert runtime.statuses.update_interval == STATUS_INTERVAL
    assert runtime.statuses.per_refresh in (None, len(runtime.known_things()))


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


@pytest.mark.things(5000)
@pytest.mark.parametrize(
    "client_budget", [RequestBudget([Window(10_000, MINUTE.seconds)])]
)
async def test_5000_sims_are_polled_at_the_floor_without_blocking(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    mock_config_entry: MockConfigEntry,
    blocking_call_detection: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The data path at 5,000 SIMs: set-up, then a steady refresh (real time, no freezer).

    The SIMs' devices exist, as a previous run left them, so reconciling runs at full size;
    the entity platforms are left out (see the module docstring).
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
        await hass.async_block_till_done(wait_background_tasks=True)
        runtime = runtime_of(mock_config_entry)
        assert simulator.requests == {"auth": 1, "things": 101, "status": 100}

        simulator.requests.clear()
        await runtime.things.async_refresh()
        assert runtime.things.last_update_success
        # No login, no status call: the listing alone.
        assert simulator.requests == {"things": listing_pages(5000)}
    assert len(runtime.known_things()) == 5000
    kept = dr.async_entries_for_config_entry(devices, mock_config_entry.entry_id)
    assert len(kept) == 5000
    assert "Detected blocking call" not in caplog.text


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
    await hass.async_block_till_done(wait_background_tasks=True)
    entries = er.async_entries_for_config_entry(
        er.async_get(hass), mock_config_entry.entry_id
    )
    enabled = [entry.entity_id for entry in entries if not entry.disabled]
    assert len(enabled) >= 250 * 8
    assert all(hass.states.get(entity_id) for entity_id in enabled)
    assert "Detected blocking call" not in caplog.text


@pytest.mark.consoles("kind", "unkind")
async def test_connection_failure_then_recovery(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    thing_id = simulator.thing_ids()[0]
    simulator.fail("things", status=502, times=2)
    await next_poll(hass, freezer)
    assert state_of(hass, "sensor", thing_id, "sim_state").state == STATE_UNAVAILABLE
    await next_poll(hass, freezer)
    assert caplog.text.count("Error fetching monogoto data") == 1  # logged once
    await next_poll(hass, freezer)
    assert state_of(hass, "sensor", thing_id, "sim_state").state == "active"
    assert "Fetching monogoto data recovered" in caplog.text


@pytest.mark.consoles("kind", "unkind")
async def test_listing_without_state_reads_each_state(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    simulator.quirks.listing_includes_state = False
    simulator.quirks.state_body = "braced"
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert simulator.requests["state_get"] == 3
    for thing_id, thing in simulator.things.items():
        assert (
            state_of(hass, "sensor", thing_id, "sim_state").state
            == thing["State"].lower()
        )


@pytest.mark.consoles("kind", "unkind")
async def test_one_failing_state_read_keeps_the_others(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    first, second, _ = simulator.thing_ids()
    simulator.quirks.listing_includes_state = False
    simulator.set_state(second, "SUSPENDED")
    simulator.set_state(first, "SUSPENDED")
    simulator.fail("state_get", status=500)  # the first state read fails
    await next_poll(hass, freezer)
    states = {
        tid: state_of(hass, "sensor", tid, "sim_state").state for tid in (first, second)
    }
    # One of the two kept its last known value; the other shows the new one.
    assert sorted(states.values()) == ["active", "suspended"]


@pytest.mark.consoles("kind", "unkind")
async def test_unknown_state_is_unknown_and_warned_once(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    thing_id = simulator.thing_ids()[0]
    simulator.set_state(thing_id, "DEACTIVATED")
    await next_poll(hass, freezer)
    await next_poll(hass, freezer)
    assert state_of(hass, "sensor", thing_id, "sim_state").state == STATE_UNKNOWN
    assert caplog.text.count("unknown state 'DEACTIVATED'") == 1
    assert thing_id not in caplog.text


async def test_retry_after_is_honoured(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    listed = simulator.requests["things"]
    simulator.fail("things", status=429, headers={"Retry-After": "900"})
    await next_poll(hass, freezer)
    assert simulator.requests["things"] == listed + 1
    await next_poll(hass, freezer)  # 5 minutes later: still inside Retry-After
    await next_poll(hass, freezer)
    assert simulator.requests["things"] == listed + 1
    await next_poll(hass, freezer)  # past the 900 s
    assert simulator.requests["things"] == listed + 2
