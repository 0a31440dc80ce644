"""The fault matrix's harness: the world a scenario acts on, the row type, and the runner.

Each theme module (``test_login.py``, ``test_rate_limits.py``, ...) holds a table of
``Scenario`` rows and one parametrized test that hands each row to ``run_scenario``; the
fixtures (``world`` and what it is built from) are in ``conftest.py``. ``run_scenario``
injects the row's fault after set-up (or before it, for ``at_setup`` rows), in simulated time
(``tests/timetravel.py``), against the simulator on 127.0.0.1, and asserts

- the SIM entities' availability after the faulty attempt;
- the requests that attempt made, per endpoint (exactly; ``status`` only where a row names it,
  its cadence being the coordinator's business; attempts that never reach the console count
  as client ``attempts``);
- what is logged at WARNING or above: each expected message exactly once over at least two
  faulty attempts, and nothing else;
- when the next attempt comes (``None``: never, until the user acts);
- recovery once the fault is gone: every SIM available, no device or entity lost or doubled;
- and secret hygiene: the canary account's password, CustomerId, tokens and the canary SIM's
  ICCID, IMSI, IMEI, MSISDN, PIN, PUK and IP appear in no log record (DEBUG included, tracebacks
  included), in no diagnostics and in no exception (``tests/test_secrets.py``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
import contextlib
from dataclasses import dataclass
import json
import logging
from types import MappingProxyType
from typing import Any
from unittest.mock import patch

import aiohttp
import pytest

from custom_components.monogoto.const import DOMAIN, SCAN_INTERVAL
from custom_components.monogoto.coordinator import ThingsCoordinator
from custom_components.monogoto.diagnostics import async_get_config_entry_diagnostics
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntry, ConfigEntryState
from homeassistant.const import CONF_PASSWORD, STATE_UNAVAILABLE, Platform
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr, entity_registry as er
from tests.helpers import sim_devices
from tests.network import REFUSED_HANDSHAKE, SwitchableResolver
from tests.simulator import Fault, MonogotoSimulator, make_thing
from tests.test_secrets import (
    CANARY,
    assert_no_secrets,
    canary_entry,
    exception_texts,
    record_texts,
)
from tests.timetravel import ClientFactory, SimulatedTime

CANARY_ID = f"ThingId_ICCID_{CANARY['iccid']}"
#: Loggers whose warnings are the harness's, not the integration's: asyncio reports each time
#: jump as a slow callback; the loader warns about every custom integration.
#: ``aiohttp_fast_zlib`` warns once per process, when a platform's component first loads
#: Home Assistant's HTTP stack: about the machine, not about the integration.
NOISE = {"asyncio", "homeassistant.loader", "aiohttp_fast_zlib"}
#: The test's TLS server (not the integration) reports each handshake its client refused.
SERVER_NOISE = REFUSED_HANDSHAKE
ERROR_FETCHING = "Error fetching monogoto data: "
CANNOT_CONNECT = ERROR_FETCHING + "Could not reach the Monogoto console"
INVALID_RESPONSE = ERROR_FETCHING + "The Monogoto console sent an answer that could not"
RATE_LIMITED = ERROR_FETCHING + "Monogoto is limiting how often"
PERMISSION_DENIED = ERROR_FETCHING + "The Monogoto console refuses GET /things"
AUTH_FAILED = "Authentication failed while fetching monogoto data"
POLL = SCAN_INTERVAL.total_seconds()
#: Home Assistant's own set-up retries: 5, 10, 20, ... seconds (``config_entries``).
SETUP_RETRY = 5.0

type Requests = Mapping[str, int | range]

#: What a healthy poll of the three-SIM account asks: one listing page.
ONE_LISTING: Requests = MappingProxyType({"things": 1})


class World:
    """Everything one scenario acts on and observes."""

    def __init__(
        self,
        hass: HomeAssistant,
        simulator: MonogotoSimulator,
        clock: SimulatedTime,
        clients: ClientFactory,
        url: str,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        """Collect the pieces; the entry is created by ``set_up``."""
        self.hass = hass
        self.simulator = simulator
        self.clock = clock
        self.clients = clients
        self.url = url
        self.caplog = caplog
        self.entry: ConfigEntry | None = None
        #: ``(loop time, success, len(request_log), attempts)`` at the end of each refresh.
        self.refreshes: list[tuple[float, bool, int, int]] = []
        #: Texts of exceptions seen along the way (for the secret check).
        self.exceptions: list[str] = []
        self.diagnostics: list[str] = []
        self.resolver: SwitchableResolver | None = None
        self.platforms: list[Platform] | None = None
        #: Patches that last as long as the scenario.
        self.patches = contextlib.ExitStack()
        self.extra: dict[str, Any] = {}

    # -- observation ---------------------------------------------------------------------

    @property
    def coordinator(self) -> ThingsCoordinator:
        """Return the loaded entry's listing coordinator."""
        assert self.entry is not None
        coordinator: ThingsCoordinator = self.entry.runtime_data.things
        return coordinator

    def sim_devices(self) -> dict[str, dr.DeviceEntry]:
        """Return the SIM devices of the entry by thing id."""
        assert self.entry is not None
        return sim_devices(self.hass, self.entry)

    def entity_ids(self) -> set[str]:
        """Return the unique ids of the entry's entities."""
        assert self.entry is not None
        return {
            entry.unique_id
            for entry in er.async_entries_for_config_entry(
                er.async_get(self.hass), self.entry.entry_id
            )
        }

    def sim_states(self, key: str = "sim_state") -> dict[str, str]:
        """Return the state of each SIM's state sensor (or another of its entities), by id."""
        registry = er.async_get(self.hass)
        assert self.entry is not None
        states: dict[str, str] = {}
        for entry in er.async_entries_for_config_entry(registry, self.entry.entry_id):
            if entry.unique_id.endswith(f"_{key}") and not entry.disabled_by:
                state = self.hass.states.get(entry.entity_id)
                assert state is not None
                states[entry.unique_id.removesuffix(f"_{key}")] = state.state
        return states

    def available(self) -> bool | None:
        """Return True when every SIM shows data, False when none does (else None)."""
        if (judge := self.extra.get("available")) is not None:
            result: bool = judge(self)
            return result
        states = self.sim_states()
        assert states, "no SIM entities"
        unavailable = [s == STATE_UNAVAILABLE for s in states.values()]
        if all(unavailable):
            return False
        if not any(unavailable):
            return True
        return None

    def warnings(self, since: int) -> list[logging.LogRecord]:
        """Return the WARNING+ records logged since record number ``since``."""
        return [
            record
            for record in self.caplog.records[since:]
            if record.levelno >= logging.WARNING
            and record.name not in NOISE
            and SERVER_NOISE not in record.getMessage()
        ]

    def state_of(self, thing_id: str, key: str = "sim_state") -> str:
        """Return the state of one SIM entity."""
        entity_id = er.async_get(self.hass).async_get_entity_id(
            "sensor" if key != "online" else "binary_sensor",
            DOMAIN,
            f"{thing_id}_{key}",
        )
        assert entity_id is not None
        state = self.hass.states.get(entity_id)
        assert state is not None
        return state.state

    def note_exceptions(self) -> None:
        """Keep the texts of the current failure (coordinator and entry)."""
        if self.entry is None:
            return
        if self.entry.reason:
            self.exceptions.append(self.entry.reason)
        if self.entry.state is ConfigEntryState.LOADED:
            self.exceptions += exception_texts(self.coordinator.last_exception)

    async def note_diagnostics(self) -> None:
        """Keep the diagnostics as a user would download them now."""
        if self.entry is not None and self.entry.state is ConfigEntryState.LOADED:
            data = await async_get_config_entry_diagnostics(self.hass, self.entry)
            self.diagnostics.append(json.dumps(data, default=str))

    # -- acting ----------------------------------------------------------------------------

    async def set_up(self) -> None:
        """Add the canary entry and set it up, letting simulated time run as needed."""
        self.entry = canary_entry(self.url)
        self.entry.add_to_hass(self.hass)
        # The polled platforms (the actions' buttons and SMS entity poll nothing), for this
        # set-up and every reload after it (a completed re-authentication reloads).
        self.patches.enter_context(
            patch(
                "custom_components.monogoto.PLATFORMS",
                self.platforms
                or [Platform.BINARY_SENSOR, Platform.SENSOR, Platform.SWITCH],
            )
        )
        await self.clock.run(self.hass.config_entries.async_setup(self.entry.entry_id))

    def use_resolver(
        self, session: aiohttp.ClientSession, resolver: SwitchableResolver
    ) -> None:
        """Reach the console by a host name, through ``resolver``."""
        self.resolver = resolver
        self.clients.session_override = session
        port = self.url.rsplit(":", 1)[1]
        self.url = f"http://console.monogoto.test:{port}"

    def add_things(self, count: int) -> None:
        """Give the account ``count`` more SIMs."""
        start = len(self.simulator.things) + 1
        for index in range(start, start + count):
            self.simulator.add_thing(make_thing(index))

    async def complete_reauth(self) -> None:
        """Do what the user does: open the re-authentication flow, give the password."""
        flows = [
            flow
            for flow in self.hass.config_entries.flow.async_progress()
            if flow["context"]["source"] == SOURCE_REAUTH
        ]
        assert len(flows) == 1
        result = await self.hass.config_entries.flow.async_configure(
            flows[0]["flow_id"], {CONF_PASSWORD: self.simulator.password}
        )
        assert result["type"] is FlowResultType.ABORT
        assert result["reason"] == "reauth_successful"


def every(seconds: float, slack: float = 1.0) -> tuple[float, float]:
    """Return the window in which Home Assistant's next attempt falls.

    Home Assistant schedules a poll at ``int(now) + 0.05..0.5 s + interval``, so it comes up to
    a second before or half a second after ``interval`` has passed.
    """
    return (seconds - slack, seconds + slack)


#: The next attempt is the next regular poll.
NEXT_POLL = every(POLL)


def no_fault(world: World) -> None:
    """Change nothing: the row's ``arrange`` is what the console does differently."""


@dataclass(frozen=True)
class Scenario:
    """One row of the fault matrix: what goes wrong and what the user sees."""

    id: str
    #: SIM entities after the faulty attempt: True all available, False none.
    available: bool
    #: What goes wrong (after set-up; before it for ``at_setup`` rows).
    fault: Callable[[World], object] = no_fault
    #: Messages logged at WARNING or above, each exactly once; nothing else may be.
    logged: tuple[str, ...] = ()
    #: Seconds from the end of the faulty attempt to the next one: (earliest, latest), or None
    #: for "never, until the user acts".
    next_attempt: tuple[float, float] | None = NEXT_POLL
    #: Requests the faulty attempt made, per simulator endpoint (``attempts``: client side).
    requests: Requests = ONE_LISTING
    #: The faulty attempt is the entry's set-up, not a poll.
    at_setup: bool = False
    #: The entry's state after the faulty attempt.
    entry_state: ConfigEntryState = ConfigEntryState.LOADED
    #: The console before set-up (SIMs, names, token lifetime...).
    arrange: Callable[[World], object] | None = None
    #: Simulated seconds the faulty attempt took: (at least, at most).
    duration: tuple[float, float] = (0.0, 1.0)
    #: Faulty attempts to run before healing (logged-once needs at least two).
    attempts: int = 2
    #: Undo the fault; default: drop every queued fault.
    heal: Callable[[World], Awaitable[None] | None] | None = None
    #: After healing, the entry recovers by itself (or through ``heal``).
    recovers: bool = True
    #: Extra checks after the faulty attempt, after the last one, and after recovery.
    check: Callable[[World], Awaitable[None] | None] | None = None
    check_before_heal: Callable[[World], Awaitable[None] | None] | None = None
    check_after: Callable[[World], Awaitable[None] | None] | None = None
    #: The attempt's Retry-After: the next request may not come earlier than this after
    #: the answer.
    not_before: float | None = None
    #: Background work to let finish before looking (e.g. the first statuses).
    settle: Callable[[World], Awaitable[None]] | None = None


def poll_fails(
    name: str, fault: Callable[[World], object], logged: str, **changes: Any
) -> Scenario:
    """Return a row whose poll fails: every SIM unavailable, ``logged`` once.

    Unless ``changes`` say otherwise: one listing request, and the next poll on time.
    """
    return Scenario(name, available=False, fault=fault, logged=(logged,), **changes)


def poll_succeeds(name: str, **changes: Any) -> Scenario:
    """Return a row whose poll succeeds despite the fault: every SIM available, no warning.

    Unless ``changes`` say otherwise: one listing request, and the next poll on time.
    """
    return Scenario(name, available=True, **changes)


def scenario_ids(scenarios: list[Scenario]) -> list[str]:
    """Return the pytest ids of a theme's rows: the scenario names."""
    return [scenario.id for scenario in scenarios]


def fault_on(endpoint: str, **kwargs: Any) -> Callable[[World], None]:
    """Return a fault that keeps answering ``endpoint`` with ``Fault(**kwargs)``."""

    def inject(world: World) -> None:
        world.simulator.fail(endpoint, Fault(**kwargs), times=1000)

    return inject


def on_second_listing_page(
    action: Callable[[World], object],
) -> Callable[[World], None]:
    """Return a fault that changes the console while the listing is being paged."""

    def inject(world: World) -> None:
        world.simulator.fail("things", passthrough=True)
        world.simulator.fail(
            "things", Fault(passthrough=True, before=lambda: action(world))
        )

    return inject


def with_things(count: int) -> Callable[[World], None]:
    """Return an arrangement giving the account ``count`` SIMs in all."""

    def arrange(world: World) -> None:
        world.add_things(count - len(world.simulator.things))

    return arrange


def no_sim_device_lost(world: World) -> None:
    """Check that every SIM still in the account kept its device."""
    before: set[str] = world.extra["devices_before"]
    missing = (before & set(world.simulator.thing_ids())) - set(world.sim_devices())
    assert not missing, f"{len(missing)} SIMs still in the account lost their device"


def no_reauth(world: World) -> None:
    """Check that nobody is asked to sign in again."""
    assert not world.hass.config_entries.flow.async_progress()


def _check_requests(made: list[str], attempts: int, expected: Requests) -> None:
    """Compare per endpoint; ``status`` only when expected, client ``attempts`` likewise."""
    counts = Counter(made)
    counts["attempts"] = attempts
    keys = set(expected) | (set(counts) - {"status", "attempts"})
    for key in keys:
        want = expected.get(key, 0)
        got = counts.get(key, 0)
        if isinstance(want, range):
            assert got in want, f"{key}: {got} requests, expected {want}"
        else:
            assert got == want, f"{key}: {got} requests, expected {want}"


async def _maybe(result: Awaitable[None] | object) -> None:
    if isinstance(result, Awaitable):
        await result


@dataclass
class Attempt:
    """What the faulty attempt left: where the logs and requests stood, when it ended."""

    logs_from: int
    ended_at: float
    requests_to: int
    devices_before: set[str]
    entities_before: set[str]


async def run_scenario(scenario: Scenario, world: World) -> None:
    """Inject the fault, then assert availability, requests, logs, timing and recovery."""
    if scenario.arrange:
        await _maybe(scenario.arrange(world))
    attempt = await _faulty_attempt(scenario, world)
    await _next_attempts(scenario, world, attempt)
    if scenario.check_before_heal:
        await _maybe(scenario.check_before_heal(world))
    _assert_logged(scenario, world, attempt.logs_from)
    if scenario.recovers:
        await _recovery(scenario, world, attempt)
    assert_no_secrets(
        world.simulator,
        logs=record_texts(world.caplog.records),
        diagnostics=world.diagnostics,
        exceptions=world.exceptions,
    )


async def _faulty_attempt(scenario: Scenario, world: World) -> Attempt:
    """Set up (before or after the fault), let one attempt fail; check what it did."""
    sim, clock = world.simulator, world.clock
    devices_before: set[str] = set()
    entities_before: set[str] = set()
    if not scenario.at_setup:
        await world.set_up()
        assert world.entry is not None
        assert world.entry.state is ConfigEntryState.LOADED
        assert world.available() is True
        devices_before = set(world.sim_devices())
        entities_before = world.entity_ids()
        world.extra["devices_before"] = devices_before
    logs_from = len(world.caplog.records)
    requests_from, attempts_from = len(sim.request_log), world.clients.sent
    await _maybe(scenario.fault(world))
    if scenario.at_setup:
        await world.set_up()
        assert world.entry is not None
        ended_at = clock.now()
        requests_to, attempts_to = len(sim.request_log), world.clients.sent
    else:
        refreshes = len(world.refreshes)
        await clock.until(lambda: len(world.refreshes) > refreshes, limit=3 * 3600)
        ended_at, _, requests_to, attempts_to = world.refreshes[refreshes]
    assert world.entry.state is scenario.entry_state
    started_at = (
        world.clients.sent_at[attempts_from]
        if attempts_to > attempts_from
        else ended_at
    )
    low, high = scenario.duration
    assert low <= ended_at - started_at <= high, f"took {ended_at - started_at:.1f} s"
    _check_requests(
        [endpoint for _, endpoint in sim.request_log[requests_from:requests_to]],
        attempts_to - attempts_from,
        scenario.requests,
    )
    if scenario.settle:
        await scenario.settle(world)
    if world.entry.state is ConfigEntryState.LOADED:
        assert world.available() is scenario.available
    else:
        assert not scenario.available
    world.note_exceptions()
    await world.note_diagnostics()
    if scenario.check:
        await _maybe(scenario.check(world))
    return Attempt(logs_from, ended_at, requests_to, devices_before, entities_before)


async def _next_attempts(scenario: Scenario, world: World, attempt: Attempt) -> None:
    """Let the next attempts come (or not): each within ``next_attempt`` of the last."""
    sim, clock, entry = world.simulator, world.clock, world.entry
    assert entry is not None
    ended_at = attempt.ended_at
    for _ in range(scenario.attempts - 1):
        attempts = world.clients.sent
        if scenario.next_attempt is None:
            await clock.advance(6 * 3600)
            assert world.clients.sent == attempts, "tried again before the user acted"
            assert len(sim.request_log) == attempt.requests_to
            return
        refreshes = len(world.refreshes)
        await clock.until(lambda n=attempts: world.clients.sent > n, limit=2 * 3600)
        next_at = world.clients.sent_at[attempts]
        low, high = scenario.next_attempt
        assert low <= next_at - ended_at <= high, (
            f"next attempt after {next_at - ended_at:.2f} s"
        )
        if scenario.not_before is not None:
            # The 429 arrived as the attempt ended (nothing else takes time here).
            assert next_at - ended_at >= scenario.not_before
        # Let that attempt finish (it may wait on a timeout) before looking again.
        await clock.until(
            lambda n=refreshes: (
                len(world.refreshes) > n or entry.state is not ConfigEntryState.LOADED
            ),
            limit=3600,
        )
        ended_at = (
            world.refreshes[refreshes][0]
            if len(world.refreshes) > refreshes
            else clock.now()
        )
        world.note_exceptions()


def _assert_logged(scenario: Scenario, world: World, logs_from: int) -> None:
    """Each expected message at WARNING or above exactly once, and nothing else."""
    warnings = world.warnings(logs_from)
    for message in scenario.logged:
        hits = [r for r in warnings if message in r.getMessage()]
        assert len(hits) == 1, f"{message!r} logged {len(hits)} times"
    unexpected = [
        r.getMessage()
        for r in warnings
        if not any(message in r.getMessage() for message in scenario.logged)
    ]
    assert not unexpected, f"unexpected warnings: {unexpected}"


async def _recovery(scenario: Scenario, world: World, attempt: Attempt) -> None:
    """Heal the fault: everything available again, nothing lost, nothing doubled."""
    sim, entry = world.simulator, world.entry
    assert entry is not None
    heal_logs_from = len(world.caplog.records)
    if scenario.heal:
        await _maybe(scenario.heal(world))
    else:
        sim.clear_faults()
    refreshes = len(world.refreshes)
    await world.clock.until(
        lambda: (
            entry.state is ConfigEntryState.LOADED
            and len(world.refreshes) > refreshes
            and world.refreshes[-1][1]
        ),
        limit=2 * 3600,
    )
    assert world.available() is True
    assert not world.warnings(heal_logs_from)
    # A failed poll that heals by polling says so once; a reload or set-up does not.
    polled_back = not (
        scenario.at_setup or scenario.available or scenario.next_attempt is None
    )
    recovered = [
        r
        for r in world.caplog.records[attempt.logs_from :]
        if r.getMessage() == "Fetching monogoto data recovered"
    ]
    assert len(recovered) == (1 if polled_back else 0)
    if scenario.check_after:
        await _maybe(scenario.check_after(world))
    assert set(world.sim_devices()) == set(sim.thing_ids())
    if not scenario.at_setup and attempt.devices_before == set(sim.thing_ids()):
        assert world.entity_ids() == attempt.entities_before
    await world.note_diagnostics()
