"""The fault matrix: every way the console can misbehave, each with its asserted outcome.

One row per scenario (``SCENARIOS``), run in Home Assistant's test harness against the simulator
on 127.0.0.1, in simulated time (``tests/timetravel.py``): a stalled console or a one-hour
``Retry-After`` costs milliseconds. For every row the test asserts

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

``docs/reliability.md`` lists the same scenarios with their outcomes;
``test_reliability_doc_lists_every_scenario`` keeps the two in step.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
import contextlib
from dataclasses import dataclass
from datetime import timedelta
from email.utils import format_datetime
import json
import logging
from pathlib import Path
import re
import time
from typing import Any
from unittest.mock import patch

import aiohttp
from freezegun.api import FrozenDateTimeFactory
import pytest

from custom_components.monogoto.api import parse_thing
from custom_components.monogoto.api.client import PERMISSION_RETRY
from custom_components.monogoto.const import DOMAIN, SCAN_INTERVAL
from custom_components.monogoto.coordinator import (
    RATE_LIMIT_ISSUE_AFTER,
    MonogotoCoordinator,
    ThingsCoordinator,
)
from custom_components.monogoto.diagnostics import async_get_config_entry_diagnostics
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntry, ConfigEntryState
from homeassistant.const import (
    CONF_PASSWORD,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.util import dt as dt_util

from .network import (
    CERTIFICATE,
    REFUSED_HANDSHAKE,
    SwitchableResolver,
    serve,
    tolerate_refused_handshakes,
)
from .simulator import Fault, MonogotoSimulator, make_thing
from .test_secrets import (
    CANARY,
    assert_no_secrets,
    canary_entry,
    canary_simulator,
    exception_texts,
    record_texts,
)
from .timetravel import ClientFactory, SimulatedTime, simulated_client

DOC = Path(__file__).parent.parent / "docs" / "reliability.md"
CANARY_ID = f"ThingId_ICCID_{CANARY['iccid']}"
NEW_PASSWORD = "Canary-N3w-Pa55word!"
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
        registry = dr.async_get(self.hass)
        return {
            value: device
            for device in dr.async_entries_for_config_entry(
                registry, self.entry.entry_id
            )
            for domain, value in device.identifiers
            if domain == DOMAIN and value != self.entry.entry_id
        }

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


@dataclass(frozen=True)
class Scenario:
    """One row of the fault matrix."""

    id: str
    #: What goes wrong (after set-up; before it for ``at_setup`` rows).
    fault: Callable[[World], object]
    #: SIM entities after the faulty attempt: True all available, False none.
    available: bool
    #: Requests the faulty attempt made, per simulator endpoint (``attempts``: client side).
    requests: Requests
    #: Seconds from the end of the faulty attempt to the next one: (earliest, latest), or None
    #: for "never, until the user acts".
    next_attempt: tuple[float, float] | None
    #: Messages logged at WARNING or above, each exactly once; nothing else may be.
    logged: tuple[str, ...] = ()
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


def every(seconds: float, slack: float = 1.0) -> tuple[float, float]:
    """Return the window in which Home Assistant's next attempt falls.

    Home Assistant schedules a poll at ``int(now) + 0.05..0.5 s + interval``, so it comes up to
    a second before or half a second after ``interval`` has passed.
    """
    return (seconds - slack, seconds + slack)


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


def _insert_first(world: World) -> None:
    sim = world.simulator
    new = make_thing(len(sim.things) + 500)
    sim.things = {new["ThingId"]: new, **sim.things}
    sim.connection[new["ThingId"]] = "CONNECTED"
    world.extra["inserted"] = new["ThingId"]


def _remove_tenth(world: World) -> None:
    gone = world.simulator.thing_ids()[9]
    world.extra["removed"] = gone
    world.simulator.remove_thing(gone)


def _no_sim_device_lost(world: World) -> None:
    before: set[str] = world.extra["devices_before"]
    missing = (before & set(world.simulator.thing_ids())) - set(world.sim_devices())
    assert not missing, f"{len(missing)} SIMs still in the account lost their device"


def _removed_sim_gone(world: World) -> None:
    _no_sim_device_lost(world)
    assert world.extra["removed"] not in world.sim_devices()
    assert len(world.sim_devices()) == len(world.simulator.things)


def _inserted_sim_added_once(world: World) -> None:
    _no_sim_device_lost(world)
    assert world.extra["inserted"] in world.sim_devices()
    assert len(world.sim_devices()) == len(world.simulator.things)


def _password_changed(world: World) -> None:
    world.simulator.password = NEW_PASSWORD
    world.simulator.revoke_tokens()


def _reauth_started(world: World) -> None:
    flows = world.hass.config_entries.flow.async_progress()
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


def _login_fails(**kwargs: Any) -> Callable[[World], None]:
    def inject(world: World) -> None:
        world.simulator.revoke_tokens()
        world.simulator.fail("auth", Fault(**kwargs), times=1000)

    return inject


def _no_reauth(world: World) -> None:
    assert not world.hass.config_entries.flow.async_progress()


def _unknown_state(world: World) -> None:
    world.simulator.set_state(CANARY_ID, "DEACTIVATED")


def _state_unknown_and_switch_unavailable(world: World) -> None:
    assert world.state_of(CANARY_ID) == STATE_UNKNOWN
    switch = er.async_get(world.hass).async_get_entity_id(
        "switch", DOMAIN, f"{CANARY_ID}_sim"
    )
    assert switch is not None
    state = world.hass.states.get(switch)
    assert state is not None
    assert state.state == STATE_UNAVAILABLE
    others = [tid for tid in world.simulator.thing_ids() if tid != CANARY_ID]
    assert all(world.state_of(tid) != STATE_UNAVAILABLE for tid in others)


def _heal_unknown_state(world: World) -> None:
    world.simulator.set_state(CANARY_ID, "ACTIVE")


ODD_IDS = [
    "ThingId_ICCID_89 99/01?x=1#frag",
    "ThingId_ICCID_8999%2F..%2Fthings",
    "ThingId_ICCID_../../Auth",
    "ThingId_ICCID_8999ü€😀",
    "ThingId_ICCID_+&=;@$",
]


def _odd_ids(world: World) -> None:
    sim = world.simulator
    for n, thing_id in enumerate(ODD_IDS, start=1):
        thing = make_thing(900 + n, ("ACTIVE", "SUSPENDED")[n % 2])
        thing["ThingId"] = thing_id
        thing["ExternalUniqueId"] = thing_id.removeprefix("ThingId_ICCID_")
        sim.add_thing(thing)
    sim.quirks.listing_includes_state = False


def _odd_ids_read(world: World) -> None:
    # Each id reached the console intact (else its state read would have been a 404).
    for thing_id in ODD_IDS:
        expected = world.simulator.things[thing_id]["State"].lower()
        assert world.state_of(thing_id) == expected, thing_id


NAMES = [
    "Café ☕ Zürich",
    "東京 ルーター",
    "Сервер №1",
    "🚚🚚",
    "עברית ومربع",
    "\uff26\uff55\uff4c\uff4c\uff57\uff49\uff44\uff54\uff48",  # fullwidth "Fullwidth"
    "e\u0301\u200b\u202e",
    "   ",
    "x" * 300,
]


def _non_ascii_names(world: World) -> None:
    for n, name in enumerate(NAMES, start=1):
        thing = make_thing(700 + n)
        thing["ThingName"] = name
        world.simulator.add_thing(thing)


def _names_kept(world: World) -> None:
    devices = world.sim_devices()
    for thing_id, device in devices.items():
        # Names are kept as given; only console-default "ICCID <number>" names are shortened.
        expected = parse_thing(world.simulator.things[thing_id]).display_name
        assert device.name == expected, (device.name, expected)
    entity_ids = [
        e.entity_id
        for e in er.async_entries_for_config_entry(
            er.async_get(world.hass), world.coordinator.config_entry.entry_id
        )
    ]
    assert len(entity_ids) == len(set(entity_ids))
    assert all(re.fullmatch(r"[a-z_]+\.[a-z0-9_]+", eid) for eid in entity_ids)


async def _dns_fails(world: World) -> None:
    assert world.resolver is not None
    world.resolver.failing = True


async def _dns_heals(world: World) -> None:
    assert world.resolver is not None
    world.resolver.failing = False


def _tls(world: World) -> None:
    world.url = world.extra["tls_url"]


def _tls_refused(world: World) -> None:
    causes = []
    for record in world.caplog.records:
        err = record.exc_info[1] if record.exc_info else None
        while err is not None:
            causes.append(type(err).__name__)
            err = err.__cause__
    assert "ClientConnectorCertificateError" in causes
    assert "MonogotoConnectionError" in causes


def _every_status_read(world: World) -> bool:
    assert world.entry is not None
    statuses = world.entry.runtime_data.statuses
    return statuses.last_update_success and len(statuses.data or {}) == len(
        world.simulator.things
    )


async def _all_statuses_read(world: World) -> None:
    """Let simulated time run until every SIM's first status was read, in the background."""
    statuses = world.entry.runtime_data.statuses if world.entry else None
    assert statuses is not None
    await world.clock.until(
        lambda: len(statuses.data or {}) == len(world.simulator.things), limit=3600
    )


def _budget_kept(world: World) -> None:
    """No window held more requests than the budgets allow (logins have their own)."""
    client = world.clients.client
    for budget, logins in ((client.budget, False), (client._login_budget, True)):
        times = [t for t, e in world.simulator.request_log if (e == "auth") is logins]
        for window in budget.windows:
            start = 0
            for end, now in enumerate(times):
                while now - times[start] >= window.seconds:
                    start += 1
                assert end - start + 1 <= window.limit, "more requests than the budget"
    assert world.available() is True
    assert len(world.sim_devices()) == 5000


def _permission_issue(present: bool) -> Callable[[World], None]:
    def check(world: World) -> None:
        assert world.entry is not None
        assert world.entry.state is ConfigEntryState.LOADED
        _no_reauth(world)
        issues = [
            issue_id
            for (domain, issue_id) in ir.async_get(world.hass).issues
            if domain == DOMAIN and issue_id.startswith("permission_")
        ]
        assert bool(issues) is present, issues

    return check


def _rate_limit_issue(present: bool) -> Callable[[World], None]:
    def check(world: World) -> None:
        assert world.entry is not None
        issue = ir.async_get(world.hass).async_get_issue(
            DOMAIN, f"rate_limited_{world.entry.entry_id}"
        )
        assert (issue is not None) is present

    return check


def _retry_after_date(seconds: float) -> Callable[[World], None]:
    def inject(world: World) -> None:
        # The poll comes POLL seconds from now; the console asks for `seconds` more after it.
        when = dt_util.utcnow() + timedelta(seconds=POLL + seconds)
        fault_on(
            "things",
            status=429,
            headers={"Retry-After": format_datetime(when, usegmt=True)},
        )(world)

    return inject


def _mixed_5xx(world: World) -> None:
    for status in (500, 502, 503, 500, 502, 503):
        world.simulator.fail("things", status=status, times=1)


def _listing_answer(**kwargs: Any) -> Callable[[World], None]:
    """Return a fault that answers the listing with the right SIMs, but slowly."""

    def inject(world: World) -> None:
        body = json.dumps(list(world.simulator.things.values()))
        fault_on(
            "things", status=200, body=body, content_type="application/json", **kwargs
        )(world)

    return inject


def _refused_until_reauth(world: World) -> Awaitable[None]:
    world.simulator.clear_faults()
    return world.complete_reauth()


SCENARIOS: list[Scenario] = [
    # -- tokens and logins -------------------------------------------------------------------
    Scenario(
        "token_expires_between_polls",
        arrange=lambda w: setattr(w.simulator, "token_lifetime", 400),
        fault=lambda w: None,
        available=True,
        requests={"auth": 1, "things": 1},
        next_attempt=every(POLL),
    ),
    Scenario(
        "token_expires_early_without_exp",
        arrange=lambda w: (
            setattr(w.simulator, "token_lifetime", 200),
            setattr(w.simulator.quirks, "exp_claim", False),
        ),
        fault=lambda w: None,
        available=True,
        requests={"things": 2, "auth": 1},
        next_attempt=every(POLL),
    ),
    Scenario(
        "token_revoked_mid_listing",
        arrange=with_things(120),
        fault=on_second_listing_page(lambda w: w.simulator.revoke_tokens()),
        available=True,
        # Three pages at once; the second and third are refused, one login serves both.
        requests={"things": 5, "auth": 1},
        next_attempt=every(POLL),
    ),
    Scenario(
        "listing_refused_after_fresh_login",
        # The login works, the listing refuses even a fresh token: a permission the console
        # user lacks, not a password. A repair issue, no reauth, one probe an hour.
        # (Without the "online" sensors, whose statuses would go on being read meanwhile.)
        arrange=lambda w: setattr(w, "platforms", [Platform.SENSOR, Platform.SWITCH]),
        fault=fault_on("things", status=401, body="Unauthorized"),
        available=False,
        requests={"things": 2, "auth": 1},
        next_attempt=(PERMISSION_RETRY - 1, PERMISSION_RETRY + POLL + 1),
        logged=(PERMISSION_DENIED,),
        check=_permission_issue(present=True),
        check_after=_permission_issue(present=False),
    ),
    Scenario(
        "password_changed",
        fault=_password_changed,
        available=False,
        requests={"things": 1, "auth": 1},
        next_attempt=None,
        logged=(AUTH_FAILED,),
        check=_reauth_started,
        heal=lambda w: w.complete_reauth(),
    ),
    Scenario(
        "password_changed_before_setup",
        at_setup=True,
        fault=_password_changed,
        available=False,
        entry_state=ConfigEntryState.SETUP_ERROR,
        requests={"auth": 1},
        next_attempt=None,
        logged=("could not authenticate",),
        check=_reauth_started,
        heal=lambda w: w.complete_reauth(),
    ),
    Scenario(
        "login_server_error",
        fault=_login_fails(status=503, body="Service Unavailable"),
        available=False,
        requests={"things": 1, "auth": 1},
        next_attempt=every(POLL),
        logged=(CANNOT_CONNECT,),
        check=_no_reauth,
    ),
    Scenario(
        "login_answer_garbled",
        fault=_login_fails(
            status=200, body="<html>Sign in</html>", content_type="text/html"
        ),
        available=False,
        requests={"things": 1, "auth": 1},
        next_attempt=every(POLL),
        logged=(INVALID_RESPONSE,),
        check=_no_reauth,
    ),
    # -- rate limits ---------------------------------------------------------------------------
    Scenario(
        "rate_limited_retry_after",
        fault=fault_on("things", status=429, headers={"Retry-After": "900"}),
        available=False,
        requests={"things": 1},
        next_attempt=(900, 902),
        not_before=900,
        logged=(RATE_LIMITED,),
        check=_rate_limit_issue(present=False),
    ),
    Scenario(
        "rate_limited_after_slow_answer",
        # Home Assistant schedules from the whole second; the 429 came 0.5 s into one.
        fault=fault_on("things", status=429, headers={"Retry-After": "900"}, stall=0.5),
        available=False,
        requests={"things": 1},
        duration=(0.5, 0.6),
        next_attempt=(900, 902),
        not_before=900,
        logged=(RATE_LIMITED,),
    ),
    Scenario(
        "rate_limited_retry_after_date",
        fault=_retry_after_date(600),
        available=False,
        requests={"things": 1},
        next_attempt=(598, 603),
        logged=(RATE_LIMITED,),
    ),
    Scenario(
        "rate_limited_retry_after_absurd",
        fault=fault_on("things", status=429, headers={"Retry-After": "999999999"}),
        available=False,
        requests={"things": 1},
        next_attempt=(3600, 3602),  # capped at an hour
        not_before=3600,
        logged=(RATE_LIMITED,),
    ),
    Scenario(
        "rate_limited_without_retry_after",
        fault=fault_on("things", status=429, body="Too Many Requests"),
        available=False,
        requests={"things": 1},
        # No backoff: a coordinator's polls keep Home Assistant's fixed interval.
        next_attempt=every(POLL),
        logged=(RATE_LIMITED,),
    ),
    Scenario(
        "rate_limited_persistently",
        fault=fault_on("things", status=429),
        available=False,
        requests={"things": 1},
        next_attempt=every(POLL),
        attempts=RATE_LIMIT_ISSUE_AFTER,
        logged=(RATE_LIMITED,),
        check=_rate_limit_issue(present=False),
        check_before_heal=_rate_limit_issue(present=True),
        check_after=_rate_limit_issue(present=False),
    ),
    Scenario(
        "rate_limited_at_setup",
        at_setup=True,
        fault=fault_on("things", status=429, headers={"Retry-After": "900"}),
        available=False,
        entry_state=ConfigEntryState.SETUP_RETRY,
        requests={"auth": 1, "things": 1},
        # Home Assistant retries set-up at 5, 15, 35 ... 635, 1235 s; none may call the
        # console before the 900 s are over.
        next_attempt=(900, 1240),
        not_before=900,
    ),
    # -- server errors and transport -----------------------------------------------------------
    Scenario(
        "http_500_burst",
        fault=fault_on("things", status=500),
        available=False,
        requests={"things": 1},
        next_attempt=every(POLL),
        logged=(CANNOT_CONNECT,),
    ),
    Scenario(
        "http_502_burst",
        fault=fault_on(
            "things",
            status=502,
            body="<html><h1>502 Bad Gateway</h1></html>",
            content_type="text/html",
        ),
        available=False,
        requests={"things": 1},
        next_attempt=every(POLL),
        logged=(CANNOT_CONNECT,),
    ),
    Scenario(
        "http_503_burst",
        fault=fault_on(
            "things",
            status=503,
            body="Service Unavailable",
            headers={"Retry-After": "60"},
        ),
        available=False,
        requests={"things": 1},
        # A 503's Retry-After is not a rate limit: the next poll keeps the interval.
        next_attempt=every(POLL),
        logged=(CANNOT_CONNECT,),
    ),
    Scenario(
        "http_5xx_mixed_burst",
        fault=_mixed_5xx,
        available=False,
        requests={"things": 1},
        next_attempt=every(POLL),
        attempts=3,
        logged=(CANNOT_CONNECT,),
    ),
    Scenario(
        "http_404_listing",
        fault=fault_on("things", status=404, body="Not found"),
        available=False,
        requests={"things": 1},
        next_attempt=every(POLL),
        logged=(INVALID_RESPONSE,),
    ),
    Scenario(
        "redirect_elsewhere",
        fault=fault_on(
            "things",
            status=302,
            headers={"Location": "https://console.evil.test/things"},
        ),
        available=False,
        requests={"things": 1},  # not followed
        next_attempt=every(POLL),
        logged=(INVALID_RESPONSE,),
    ),
    Scenario(
        "connection_reset",
        fault=fault_on("things", disconnect=True),
        available=False,
        # aiohttp resends an idempotent GET once when a kept-alive connection dies.
        requests={"things": range(1, 3)},
        next_attempt=every(POLL),
        logged=(CANNOT_CONNECT,),
    ),
    Scenario(
        "timeout_no_answer",
        fault=fault_on("things", stall=3600),
        available=False,
        requests={"things": 1},
        duration=(30, 31),
        next_attempt=every(POLL),
        logged=(CANNOT_CONNECT,),
    ),
    Scenario(
        "stall_within_timeout",
        fault=_listing_answer(stall=20),
        available=True,
        requests={"things": 1},
        duration=(20, 21),
        next_attempt=every(POLL),
    ),
    Scenario(
        "stall_mid_body_past_timeout",
        fault=_listing_answer(body_stall=3600),
        available=False,
        requests={"things": 1},
        duration=(30, 31),
        next_attempt=every(POLL),
        logged=(CANNOT_CONNECT,),
    ),
    Scenario(
        "dns_failure",
        arrange=lambda w: w.use_resolver(*w.extra["dns"]),
        fault=_dns_fails,
        available=False,
        requests={"attempts": 1},  # nothing reaches the console
        next_attempt=every(POLL),
        logged=(CANNOT_CONNECT,),
        heal=_dns_heals,
    ),
    Scenario(
        "tls_certificate_untrusted",
        at_setup=True,
        arrange=_tls,
        fault=lambda w: None,
        available=False,
        entry_state=ConfigEntryState.SETUP_RETRY,
        requests={"attempts": 1},  # the handshake fails: no request reaches the console
        next_attempt=every(SETUP_RETRY),
        check=_tls_refused,
        recovers=False,
    ),
    # -- bodies ----------------------------------------------------------------------------------
    Scenario(
        "malformed_json",
        fault=fault_on(
            "things", status=200, body='[{"ThingId": ', content_type="application/json"
        ),
        available=False,
        requests={"things": 1},
        next_attempt=every(POLL),
        logged=(INVALID_RESPONSE,),
    ),
    Scenario(
        "html_page_with_200",
        fault=fault_on(
            "things",
            status=200,
            body="<!doctype html><title>Monogoto - Sign in</title>",
            content_type="text/html",
        ),
        available=False,
        requests={"things": 1},
        next_attempt=every(POLL),
        logged=(INVALID_RESPONSE,),
    ),
    Scenario(
        "empty_body",
        fault=fault_on("things", status=200, body="", content_type="application/json"),
        available=False,
        requests={"things": 1},
        next_attempt=every(POLL),
        logged=(INVALID_RESPONSE,),
    ),
    Scenario(
        "json_of_wrong_shape",
        fault=fault_on(
            "things",
            status=200,
            body='{"things": [], "total": 3}',
            content_type="application/json",
        ),
        available=False,
        requests={"things": 1},
        next_attempt=every(POLL),
        logged=(INVALID_RESPONSE,),
    ),
    Scenario(
        "listing_item_without_id",
        fault=fault_on(
            "things",
            status=200,
            body=json.dumps([make_thing(1), {"ThingName": "no id"}]),
            content_type="application/json",
        ),
        available=False,
        requests={"things": 1},
        next_attempt=every(POLL),
        logged=(INVALID_RESPONSE,),
        check=_no_sim_device_lost,  # an unreadable page removes no device
    ),
    # -- the account's contents ------------------------------------------------------------------
    Scenario(
        "same_thing_on_two_pages",
        arrange=with_things(120),
        fault=on_second_listing_page(_insert_first),
        available=True,
        requests={"things": 3},
        next_attempt=every(POLL),
        check=_no_sim_device_lost,
        check_after=_inserted_sim_added_once,
    ),
    Scenario(
        "thing_vanishes_between_pages",
        arrange=with_things(120),
        fault=on_second_listing_page(_remove_tenth),
        available=True,
        requests={"things": 3},
        next_attempt=every(POLL),
        check=_no_sim_device_lost,
        check_after=_removed_sim_gone,
    ),
    Scenario(
        "unknown_state_value",
        fault=_unknown_state,
        available=True,
        requests={"things": 1},
        next_attempt=every(POLL),
        logged=("reports an unknown state 'DEACTIVATED'",),
        check=_state_unknown_and_switch_unavailable,
        heal=_heal_unknown_state,
    ),
    Scenario(
        "one_state_read_fails",
        arrange=lambda w: setattr(w.simulator.quirks, "listing_includes_state", False),
        fault=lambda w: w.simulator.fail("state_get", status=500, times=1),
        available=True,
        requests={"things": 1, "state_get": 3},
        next_attempt=every(POLL),
    ),
    Scenario(
        "thing_ids_need_percent_encoding",
        fault=_odd_ids,
        available=True,
        # The account grew: one more page asks whether the console pages by its own size.
        requests={"things": 2, "state_get": 3 + len(ODD_IDS)},
        next_attempt=every(POLL),
        check=_odd_ids_read,
    ),
    Scenario(
        "non_ascii_names",
        arrange=_non_ascii_names,
        fault=lambda w: None,
        available=True,
        requests={"things": 1},
        next_attempt=every(POLL),
        check=_names_kept,
    ),
    Scenario(
        "five_thousand_things",
        at_setup=True,
        arrange=lambda w: (
            with_things(5000)(w),
            setattr(w, "platforms", [Platform.BINARY_SENSOR]),
            # At 5,000 SIMs the entity plan leaves "online" disabled (no state to look at):
            # every SIM's status in the coordinator is what the user would see enabled.
            w.extra.update(available=_every_status_read),
        ),
        fault=lambda w: None,
        available=True,
        # 101 pages (the last one empty) within 60 requests a minute: the second minute
        # starts 60 s after the first answers. Statuses follow in the background.
        requests={"auth": 1, "things": 101},
        duration=(60, 61),
        settle=_all_statuses_read,
        next_attempt=every(POLL),
        check=_budget_kept,
        recovers=False,  # nothing to recover from; a third refresh of 5,000 SIMs adds nothing
    ),
]


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


@pytest.fixture
def simulator() -> MonogotoSimulator:
    """Serve the canary account: the canary SIM and two more."""
    sim = canary_simulator(2)
    # The frozen clock, looked up late: tokens expire in simulated time.
    sim.clock = lambda: time.time()  # noqa: PLW0108
    return sim


@pytest.fixture
async def sim_url(
    simulator: MonogotoSimulator, socket_enabled: None
) -> AsyncIterator[str]:
    """Serve the simulator on 127.0.0.1; end its stalls before shutting it down."""
    async with serve(simulator.create_app()) as server:
        yield str(server.make_url("")).rstrip("/")
        simulator.release_stalls()


@pytest.fixture
def clients() -> Iterator[ClientFactory]:
    """Build the integration's clients with simulated clocks and tracked sessions."""
    with simulated_client() as factory:
        yield factory


@pytest.fixture
async def world(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: MonogotoSimulator,
    sim_url: str,
    clients: ClientFactory,
    caplog: pytest.LogCaptureFixture,
) -> AsyncIterator[World]:
    """Return the world of one scenario, with refreshes recorded and time simulated."""
    clock = SimulatedTime(hass, freezer, simulator, clients)
    world = World(hass, simulator, clock, clients, sim_url, caplog)
    finished = MonogotoCoordinator._async_refresh_finished

    def record_refresh(coordinator: MonogotoCoordinator[Any]) -> None:
        if isinstance(
            coordinator, ThingsCoordinator
        ):  # the listing: the poll of record
            world.refreshes.append(
                (
                    hass.loop.time(),
                    coordinator.last_update_success,
                    len(simulator.request_log),
                    clients.sent,
                )
            )
        finished(coordinator)

    resolver = SwitchableResolver()
    async with (
        aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(resolver=resolver, use_dns_cache=False)
        ) as dns_session,
        serve(simulator.create_app(), tls=CERTIFICATE.server_context()) as tls_server,
    ):
        world.extra["tls_url"] = str(tls_server.make_url("")).rstrip("/")
        world.extra["dns"] = (dns_session, resolver)
        with (
            patch.object(
                MonogotoCoordinator, "_async_refresh_finished", record_refresh
            ),
            # The TLS server's side of each refused handshake is not the integration's.
            tolerate_refused_handshakes(hass.loop),
            world.patches,
        ):
            yield world
            if world.entry is not None and world.entry.state is ConfigEntryState.LOADED:
                await hass.config_entries.async_unload(world.entry.entry_id)
            await clock.settle()
            simulator.release_stalls()
    clock.close()


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


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
async def test_fault_matrix(scenario: Scenario, world: World) -> None:
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


def test_reliability_doc_lists_every_scenario() -> None:
    """docs/reliability.md has one table row per scenario, in the same order."""
    rows = re.findall(
        r"^\|\s*\d+\s*\|\s*`([a-z0-9_]+)`\s*\|", DOC.read_text(), re.MULTILINE
    )
    assert rows == [scenario.id for scenario in SCENARIOS]
    assert len(rows) >= 25
