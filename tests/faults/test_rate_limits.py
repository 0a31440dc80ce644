"""Rate limits: 429 answers, with and without ``Retry-After``, at set-up and on every poll."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from email.utils import format_datetime
from typing import Any

import pytest

from custom_components.monogoto.const import DOMAIN
from custom_components.monogoto.issues import RATE_LIMIT_ISSUE_AFTER
from homeassistant.config_entries import ConfigEntryState
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .harness import (
    POLL,
    RATE_LIMITED,
    Scenario,
    World,
    fault_on,
    poll_fails,
    run_scenario,
    scenario_ids,
)


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
        _retry_after(format_datetime(when, usegmt=True))(world)

    return inject


def _retry_after(seconds: str, **fault: Any) -> Callable[[World], None]:
    """Return a fault that answers the listing 429 with ``Retry-After: seconds``."""
    return fault_on("things", status=429, headers={"Retry-After": seconds}, **fault)


def rate_limited(name: str, fault: Callable[[World], None], **changes: Any) -> Scenario:
    """Return a row whose poll is refused with a 429: all unavailable, "rate limited" once."""
    return poll_fails(name, fault, RATE_LIMITED, **changes)


SCENARIOS: list[Scenario] = [
    rate_limited(
        "rate_limited_retry_after",
        _retry_after("900"),
        next_attempt=(900, 902),
        not_before=900,
        check=_rate_limit_issue(present=False),
    ),
    rate_limited(
        "rate_limited_after_slow_answer",
        # Home Assistant schedules from the whole second; the 429 came 0.5 s into one.
        _retry_after("900", stall=0.5),
        duration=(0.5, 0.6),
        next_attempt=(900, 902),
        not_before=900,
    ),
    rate_limited(
        "rate_limited_retry_after_date",
        _retry_after_date(600),
        next_attempt=(598, 603),
    ),
    rate_limited(
        "rate_limited_retry_after_absurd",
        _retry_after("999999999"),
        next_attempt=(3600, 3602),  # capped at an hour
        not_before=3600,
    ),
    rate_limited(
        "rate_limited_without_retry_after",
        # No backoff: a coordinator's polls keep Home Assistant's fixed interval.
        fault_on("things", status=429, body="Too Many Requests"),
    ),
    rate_limited(
        "rate_limited_persistently",
        fault_on("things", status=429),
        attempts=RATE_LIMIT_ISSUE_AFTER,
        check=_rate_limit_issue(present=False),
        check_before_heal=_rate_limit_issue(present=True),
        check_after=_rate_limit_issue(present=False),
    ),
    Scenario(
        "rate_limited_at_setup",
        at_setup=True,
        fault=_retry_after("900"),
        available=False,
        entry_state=ConfigEntryState.SETUP_RETRY,
        requests={"auth": 1, "things": 1},
        # Home Assistant retries set-up at 5, 15, 35 ... 635, 1235 s; none may call the
        # console before the 900 s are over.
        next_attempt=(900, 1240),
        not_before=900,
    ),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=scenario_ids(SCENARIOS))
async def test_rate_limits(scenario: Scenario, world: World) -> None:
    """The console answers 429: the row's outcome, then recovery."""
    await run_scenario(scenario, world)
