"""Server errors and transport: 5xx, 404, redirects, resets, timeouts, stalls, DNS and TLS."""

from __future__ import annotations

from collections.abc import Callable
import json
from typing import Any

import pytest

from homeassistant.config_entries import ConfigEntryState
from tests.network import SwitchableResolver

from .harness import (
    CANNOT_CONNECT,
    INVALID_RESPONSE,
    SETUP_RETRY,
    Scenario,
    World,
    every,
    fault_on,
    poll_fails,
    poll_succeeds,
    run_scenario,
    scenario_ids,
)


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


def _resolver(world: World) -> SwitchableResolver:
    assert world.resolver is not None
    return world.resolver


async def _dns_fails(world: World) -> None:
    _resolver(world).failing = True


async def _dns_heals(world: World) -> None:
    _resolver(world).failing = False


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


def cannot_connect(
    name: str, fault: Callable[[World], object], **changes: Any
) -> Scenario:
    """Return a row whose poll cannot reach the console: all unavailable, logged once."""
    return poll_fails(name, fault, CANNOT_CONNECT, **changes)


def listing_fails(name: str, logged: str = CANNOT_CONNECT, **fault: Any) -> Scenario:
    """Return a row whose listing keeps answering ``Fault(**fault)``."""
    return poll_fails(name, fault_on("things", **fault), logged)


SCENARIOS: list[Scenario] = [
    listing_fails("http_500_burst", status=500),
    listing_fails(
        "http_502_burst",
        status=502,
        body="<html><h1>502 Bad Gateway</h1></html>",
        content_type="text/html",
    ),
    # A 503's Retry-After is not a rate limit: the next poll keeps the interval.
    listing_fails(
        "http_503_burst",
        status=503,
        body="Service Unavailable",
        headers={"Retry-After": "60"},
    ),
    cannot_connect("http_5xx_mixed_burst", _mixed_5xx, attempts=3),
    listing_fails("http_404_listing", INVALID_RESPONSE, status=404, body="Not found"),
    # Not followed: one request.
    listing_fails(
        "redirect_elsewhere",
        INVALID_RESPONSE,
        status=302,
        headers={"Location": "https://console.evil.test/things"},
    ),
    cannot_connect(
        "connection_reset",
        fault_on("things", disconnect=True),
        # aiohttp resends an idempotent GET once when a kept-alive connection dies.
        requests={"things": range(1, 3)},
    ),
    cannot_connect(
        "timeout_no_answer", fault_on("things", stall=3600), duration=(30, 31)
    ),
    poll_succeeds(
        "stall_within_timeout", fault=_listing_answer(stall=20), duration=(20, 21)
    ),
    cannot_connect(
        "stall_mid_body_past_timeout",
        _listing_answer(body_stall=3600),
        duration=(30, 31),
    ),
    cannot_connect(
        "dns_failure",
        _dns_fails,
        arrange=lambda w: w.use_resolver(*w.extra["dns"]),
        requests={"attempts": 1},  # nothing reaches the console
        heal=_dns_heals,
    ),
    Scenario(
        "tls_certificate_untrusted",
        at_setup=True,
        arrange=_tls,
        available=False,
        entry_state=ConfigEntryState.SETUP_RETRY,
        requests={"attempts": 1},  # the handshake fails: no request reaches the console
        next_attempt=every(SETUP_RETRY),
        check=_tls_refused,
        recovers=False,
    ),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=scenario_ids(SCENARIOS))
async def test_outages(scenario: Scenario, world: World) -> None:
    """The console errs, stalls or cannot be reached: the row's outcome, then recovery."""
    await run_scenario(scenario, world)
