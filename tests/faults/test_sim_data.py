"""What the console says about a SIM: an unknown state, a failed state read, odd ids and names."""

from __future__ import annotations

import json
import re

import pytest

from custom_components.monogoto.api import parse_thing
from custom_components.monogoto.const import DOMAIN
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.helpers import entity_registry as er
from tests.simulator import make_thing

from .harness import (
    CANARY_ID,
    Scenario,
    World,
    poll_succeeds,
    run_scenario,
    scenario_ids,
)

ODD_IDS = [
    "ThingId_ICCID_89 99/01?x=1#frag",
    "ThingId_ICCID_8999%2F..%2Fthings",
    "ThingId_ICCID_../../Auth",
    "ThingId_ICCID_8999ü€😀",
    "ThingId_ICCID_+&=;@$",
]
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


def _non_ascii_names(world: World) -> None:
    for n, name in enumerate(NAMES, start=1):
        thing = make_thing(700 + n)
        thing["ThingName"] = name
        world.simulator.add_thing(thing)


def _names_kept(world: World) -> None:
    devices = world.sim_devices()
    for thing_id, device in devices.items():
        # Names are kept as given; only console-default "ICCID <number>" names are shortened.
        expected = parse_thing(
            json.dumps(world.simulator.things[thing_id])
        ).display_name
        assert device.name == expected, (device.name, expected)
    entity_ids = [
        e.entity_id
        for e in er.async_entries_for_config_entry(
            er.async_get(world.hass), world.coordinator.config_entry.entry_id
        )
    ]
    assert len(entity_ids) == len(set(entity_ids))
    assert all(re.fullmatch(r"[a-z_]+\.[a-z0-9_]+", eid) for eid in entity_ids)


SCENARIOS: list[Scenario] = [
    Scenario(
        "unknown_state_value",
        fault=_unknown_state,
        available=True,
        logged=("reports an unknown state 'DEACTIVATED'",),
        check=_state_unknown_and_switch_unavailable,
        heal=_heal_unknown_state,
    ),
    poll_succeeds(
        "one_state_read_fails",
        arrange=lambda w: setattr(w.simulator.quirks, "listing_includes_state", False),
        fault=lambda w: w.simulator.fail("state_get", status=500, times=1),
        requests={"things": 1, "state_get": 3},
    ),
    poll_succeeds(
        "thing_ids_need_percent_encoding",
        fault=_odd_ids,
        # The account grew: one more page asks whether the console pages by its own size.
        requests={"things": 2, "state_get": 3 + len(ODD_IDS)},
        check=_odd_ids_read,
    ),
    poll_succeeds("non_ascii_names", arrange=_non_ascii_names, check=_names_kept),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=scenario_ids(SCENARIOS))
async def test_sim_data(scenario: Scenario, world: World) -> None:
    """The console says something odd about a SIM: the row's outcome, then recovery."""
    await run_scenario(scenario, world)
