"""Listing and paging: the account changes while its pages are read; 5,000 SIMs."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from custom_components.monogoto.api import MINUTE, listing_pages
from homeassistant.const import Platform
from tests.simulator import make_thing

from .harness import (
    Scenario,
    World,
    no_sim_device_lost,
    on_second_listing_page,
    poll_succeeds,
    run_scenario,
    scenario_ids,
    with_things,
)


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


def _removed_sim_gone(world: World) -> None:
    no_sim_device_lost(world)
    assert world.extra["removed"] not in world.sim_devices()
    assert len(world.sim_devices()) == len(world.simulator.things)


def _inserted_sim_added_once(world: World) -> None:
    no_sim_device_lost(world)
    assert world.extra["inserted"] in world.sim_devices()
    assert len(world.sim_devices()) == len(world.simulator.things)


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
    for budget, logins in (
        (client.budget, False),
        (client._transport.login_budget, True),
    ):
        times = [t for t, e in world.simulator.request_log if (e == "auth") is logins]
        for window in budget.windows:
            start = 0
            for end, now in enumerate(times):
                while now - times[start] >= window.seconds:
                    start += 1
                assert end - start + 1 <= window.limit, "more requests than the budget"
    assert world.available() is True
    assert len(world.sim_devices()) == 5000


def changed_while_paged(
    name: str,
    change: Callable[[World], None],
    check_after: Callable[[World], None],
) -> Scenario:
    """Return a row whose 120 SIMs change as their three pages are read: no device lost."""
    return poll_succeeds(
        name,
        arrange=with_things(120),
        fault=on_second_listing_page(change),
        requests={"things": 3},
        check=no_sim_device_lost,
        check_after=check_after,
    )


SCENARIOS: list[Scenario] = [
    changed_while_paged(
        "same_thing_on_two_pages", _insert_first, _inserted_sim_added_once
    ),
    changed_while_paged(
        "thing_vanishes_between_pages", _remove_tenth, _removed_sim_gone
    ),
    poll_succeeds(
        "five_thousand_things",
        at_setup=True,
        arrange=lambda w: (
            with_things(5000)(w),
            setattr(w, "platforms", [Platform.BINARY_SENSOR]),
            # At 5,000 SIMs the entity plan leaves "online" disabled (no state to look at):
            # every SIM's status in the coordinator is what the user would see enabled.
            w.extra.update(available=_every_status_read),
        ),
        # 101 pages (the last one empty) within the budget's requests a minute: the second
        # minute starts a minute after the first answers. Statuses follow in the background.
        requests={"auth": 1, "things": listing_pages(5000)},
        duration=(MINUTE.seconds, MINUTE.seconds + 1),
        settle=_all_statuses_read,
        check=_budget_kept,
        recovers=False,  # nothing to recover from; a third refresh of 5,000 SIMs adds nothing
    ),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=scenario_ids(SCENARIOS))
async def test_paging(scenario: Scenario, world: World) -> None:
    """The listing is paged while the account changes, or is large: the row's outcome."""
    await run_scenario(scenario, world)
