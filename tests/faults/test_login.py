"""Tokens and logins: expiry, revocation, a changed password, a console that will not log in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from custom_components.monogoto.api.auth import PERMISSION_RETRY
from custom_components.monogoto.const import DOMAIN
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import Platform
from homeassistant.helpers import issue_registry as ir
from tests.simulator import Fault

from .harness import (
    AUTH_FAILED,
    CANNOT_CONNECT,
    INVALID_RESPONSE,
    PERMISSION_DENIED,
    POLL,
    Scenario,
    World,
    fault_on,
    no_reauth,
    on_second_listing_page,
    poll_fails,
    poll_succeeds,
    run_scenario,
    scenario_ids,
    with_things,
)

NEW_PASSWORD = "Canary-N3w-Pa55word!"


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


def _permission_issue(present: bool) -> Callable[[World], None]:
    def check(world: World) -> None:
        assert world.entry is not None
        assert world.entry.state is ConfigEntryState.LOADED
        no_reauth(world)
        issues = [
            issue_id
            for (domain, issue_id) in ir.async_get(world.hass).issues
            if domain == DOMAIN and issue_id.startswith("permission_")
        ]
        assert bool(issues) is present, issues

    return check


SCENARIOS: list[Scenario] = [
    poll_succeeds(
        "token_expires_between_polls",
        arrange=lambda w: setattr(w.simulator, "token_lifetime", 400),
        requests={"auth": 1, "things": 1},
    ),
    poll_succeeds(
        "token_expires_early_without_exp",
        arrange=lambda w: (
            setattr(w.simulator, "token_lifetime", 200),
            setattr(w.simulator.quirks, "exp_claim", False),
        ),
        requests={"things": 2, "auth": 1},
    ),
    poll_succeeds(
        "token_revoked_mid_listing",
        arrange=with_things(120),
        fault=on_second_listing_page(lambda w: w.simulator.revoke_tokens()),
        # Three pages at once; the second and third are refused, one login serves both.
        requests={"things": 5, "auth": 1},
    ),
    poll_fails(
        "listing_refused_after_fresh_login",
        # The login works, the listing refuses even a fresh token: a permission the console
        # user lacks, not a password. A repair issue, no reauth, one probe an hour.
        # (Without the "online" sensors, whose statuses would go on being read meanwhile.)
        arrange=lambda w: setattr(w, "platforms", [Platform.SENSOR, Platform.SWITCH]),
        fault=fault_on("things", status=401, body="Unauthorized"),
        logged=PERMISSION_DENIED,
        requests={"things": 2, "auth": 1},
        next_attempt=(PERMISSION_RETRY - 1, PERMISSION_RETRY + POLL + 1),
        check=_permission_issue(present=True),
        check_after=_permission_issue(present=False),
    ),
    poll_fails(
        "password_changed",
        fault=_password_changed,
        logged=AUTH_FAILED,
        requests={"things": 1, "auth": 1},
        next_attempt=None,
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
    poll_fails(
        "login_server_error",
        fault=_login_fails(status=503, body="Service Unavailable"),
        logged=CANNOT_CONNECT,
        requests={"things": 1, "auth": 1},
        check=no_reauth,
    ),
    poll_fails(
        "login_answer_garbled",
        fault=_login_fails(
            status=200, body="<html>Sign in</html>", content_type="text/html"
        ),
        logged=INVALID_RESPONSE,
        requests={"things": 1, "auth": 1},
        check=no_reauth,
    ),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=scenario_ids(SCENARIOS))
async def test_login(scenario: Scenario, world: World) -> None:
    """A token or login goes wrong: the row's outcome, then recovery."""
    await run_scenario(scenario, world)
