"""Soak: 24 simulated hours of polling with 10 % of the console's answers faulty.

The console is the canary account with 60 SIMs (two listing pages), tokens that last an hour,
and a seeded random choice of faults on one answer in ten: server errors, rate limits with and
without ``Retry-After``, revoked tokens, resets, stalls past the timeout, bodies that are not
JSON or not a listing, empty listings and listings of one SIM. Logins fail only the way a server fails (5xx, reset, stall, garbage),
never with "Access denied": a rejected password is a fault-matrix row with its own outcome
(re-authentication), not something to soak in.

Time is simulated (``tests/timetravel.py``), so the day takes a few seconds. At the end, with
the faults switched off and one status cycle later:

- every entity is available again, and the entity and device registries hold exactly what
  they held after set-up (no growth, nothing lost);
- logins stay bounded by the token's lifetime: one per hour of token (renewed 2 minutes
  before expiry, so at most ``ceil(24 h / 58 min) + 1 = 26``), plus one per token revoked
  by the console, plus one retry per login that failed: each fault explains at most one more
  login, and nothing else does;
- no poll came before a ``Retry-After`` had passed;
- every client used Home Assistant's shared session (no session of its own to leak) and the
  console holds no more connections open than the client's concurrency cap;
- no secret reached a log record, the diagnostics or an exception;
- Home Assistant's harness checks at teardown that no task or timer lingers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
import json
import math
import time

from freezegun.api import FrozenDateTimeFactory
import pytest

from custom_components.monogoto.api.auth import TOKEN_EXPIRY_MARGIN
from custom_components.monogoto.const import DOMAIN
from custom_components.monogoto.diagnostics import async_get_config_entry_diagnostics
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .network import serve
from .simulator import Fault, MonogotoSimulator, make_thing
from .test_secrets import (
    assert_no_secrets,
    canary_entry,
    canary_simulator,
    exception_texts,
    record_texts,
)
from .timetravel import ClientFactory, SimulatedTime, simulated_client

HOURS = 24
TOKEN_LIFETIME = 3600
FAULT_RATE = 0.10
SEED = 20261128
RETRY_AFTER = 120


def _revoke(simulator: MonogotoSimulator) -> Fault:
    """Return a fault that makes the console forget every token: the request gets a 401."""
    return Fault(passthrough=True, before=simulator.revoke_tokens)


def soak_faults(simulator: MonogotoSimulator) -> dict[str, list[Fault]]:
    """Return the faults to draw from, per endpoint (``*``: the others)."""
    server = [
        Fault(status=500),
        Fault(status=502, body="<html>Bad Gateway</html>", content_type="text/html"),
        Fault(status=503, body="Service Unavailable"),
        Fault(disconnect=True),
        Fault(stall=60),
        Fault(status=200, body="<html>Sign in</html>", content_type="text/html"),
    ]
    others = [
        *server,
        Fault(status=429, headers={"Retry-After": str(RETRY_AFTER)}),
        Fault(status=429),
        _revoke(simulator),
        Fault(status=200, body='[{"ThingId": ', content_type="application/json"),
        Fault(status=200, body="", content_type="application/json"),
        Fault(status=200, body='{"things": []}', content_type="application/json"),
        Fault(
            status=200,
            body="[]" * 40,
            content_type="application/json",
            body_stall=60,
        ),
    ]
    # An empty or one-page listing (a console glitch) must not cost a device
    # (docs/architecture.md, "Never destroy on a surprise").
    surprises = [
        Fault(status=200, body="[]", content_type="application/json"),
        Fault(
            status=200,
            body=json.dumps([make_thing(1)]),
            content_type="application/json",
        ),
    ]
    return {"auth": server, "things": [*others, *surprises], "*": others}


@pytest.fixture
def simulator() -> MonogotoSimulator:
    """Serve the canary account with 60 SIMs and one-hour tokens, on simulated time."""
    sim = canary_simulator(59, token_lifetime=TOKEN_LIFETIME)
    sim.clock = lambda: time.time()  # noqa: PLW0108 - the frozen time, looked up late
    return sim


@pytest.fixture
def clients() -> Iterator[ClientFactory]:
    """Build the integration's clients with simulated clocks and tracked sessions."""
    with simulated_client() as factory:
        yield factory


@pytest.fixture
def platforms() -> list[str]:
    """Set up the polled platforms only: buttons, notify and tracker add no request."""
    return [Platform.BINARY_SENSOR, Platform.SENSOR, Platform.SWITCH]


async def test_soak_24_hours(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: MonogotoSimulator,
    clients: ClientFactory,
    socket_enabled: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A day of faulty polling leaves everything as it was, and logins bounded."""
    clock = SimulatedTime(hass, freezer, simulator, clients)
    async with serve(simulator.create_app()) as server:
        try:
            await _soak(hass, simulator, clock, clients, server, caplog)
        finally:
            simulator.release_stalls()
            clock.close()


async def _soak(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    clock: SimulatedTime,
    clients: ClientFactory,
    server: object,
    caplog: pytest.LogCaptureFixture,
) -> None:
    entry = canary_entry(str(server.make_url("")).rstrip("/"))  # type: ignore[attr-defined]
    entry.add_to_hass(hass)
    await clock.run(hass.config_entries.async_setup(entry.entry_id))
    assert entry.state is ConfigEntryState.LOADED
    entities = _entities(hass, entry.entry_id)
    # Compare with set-up: what was available then must be available again at the end.
    available = {e for e in entities if _state(hass, e) != STATE_UNAVAILABLE}
    assert len(available) > len(entities) / 2
    devices = _devices(hass, entry.entry_id)
    assert len(devices) == 61  # 60 SIMs and the account
    coordinator = entry.runtime_data.things
    refreshes: list[bool] = []
    original = coordinator._async_refresh_finished

    def record() -> None:
        refreshes.append(coordinator.last_update_success)
        original()

    coordinator._async_refresh_finished = record  # type: ignore[method-assign]

    # -- the day ----------------------------------------------------------------------------
    started, requests_before = clock.now(), len(simulator.request_log)
    simulator.chaos(FAULT_RATE, soak_faults(simulator), seed=SEED)
    await clock.advance(HOURS * 3600)
    simulator.chaos(0, [])
    day = simulator.request_log[requests_before:]
    served = list(simulator.faults_served)
    # Then one status cycle without faults, for the "online" sensors too.
    await clock.advance(30 * 60)

    # -- everything is back, nothing grew -------------------------------------------------
    assert entry.state is ConfigEntryState.LOADED
    assert coordinator.last_update_success
    assert {e for e in entities if _state(hass, e) != STATE_UNAVAILABLE} == available
    assert _entities(hass, entry.entry_id) == entities
    assert _devices(hass, entry.entry_id) == devices

    # -- the faults really happened, and polling went on through them ---------------------
    faults = Counter(endpoint for _, endpoint, _ in served)
    requests = len(day)
    assert 0.07 * requests <= sum(faults.values()) <= 0.13 * requests
    bodies = {fault.body for _, endpoint, fault in served if endpoint == "things"}
    assert "[]" in bodies, "no empty listing was served"
    assert any('"ThingId"' in str(body) and len(body) > 40 for body in bodies)
    polls = len(refreshes)
    assert HOURS * 12 * 0.95 <= polls <= HOURS * 12 * 1.3
    failed = refreshes.count(False)
    assert 0 < failed < polls / 2

    # -- logins bounded by the token lifetime ------------------------------------------------
    logins = sum(1 for _, endpoint in day if endpoint == "auth")
    revoked = sum(1 for _, _, fault in served if fault.before is not None)
    failed_logins = faults["auth"]
    renewals = math.ceil(HOURS * 3600 / (TOKEN_LIFETIME - TOKEN_EXPIRY_MARGIN)) + 1
    assert renewals == 26
    assert logins <= renewals + revoked + failed_logins
    assert logins >= HOURS  # the token is renewed, not used past its expiry

    # -- no poll before a Retry-After had passed -------------------------------------------
    for at, _, fault in served:
        if fault.status == 429 and "Retry-After" in fault.headers:
            later = [t for t, _ in day if t > at + 5]  # past the poll that was refused
            assert not later or later[0] >= at + RETRY_AFTER

    # -- one shared session; no pile-up of connections -----------------------------------
    shared = async_get_clientsession(hass)
    assert {id(session.session) for session in clients.sessions} == {id(shared)}
    assert (
        len(server.runner.server.connections) <= coordinator.client.budget.concurrency
    )  # type: ignore[attr-defined]

    # -- secrets ------------------------------------------------------------------------------
    diagnostics = json.dumps(
        await async_get_config_entry_diagnostics(hass, entry), default=str
    )
    assert_no_secrets(
        simulator,
        logs=record_texts(caplog.records),
        diagnostics=diagnostics,
        exception=exception_texts(coordinator.last_exception),
    )
    assert await hass.config_entries.async_unload(entry.entry_id)
    await clock.settle()
    del started


def _state(hass: HomeAssistant, entity_id: str) -> str | None:
    state = hass.states.get(entity_id)
    return state.state if state else None


def _entities(hass: HomeAssistant, entry_id: str) -> set[str]:
    return {
        entry.entity_id
        for entry in er.async_entries_for_config_entry(er.async_get(hass), entry_id)
        if not entry.disabled_by
    }


def _devices(hass: HomeAssistant, entry_id: str) -> set[tuple[str, str]]:
    return {
        identifier
        for device in dr.async_entries_for_config_entry(dr.async_get(hass), entry_id)
        for identifier in device.identifiers
        if identifier[0] == DOMAIN
    }
