"""trigger.py: the SIM triggers in real automations, driven by changes in the simulator."""

from __future__ import annotations

from pathlib import Path
import re

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import yaml

from custom_components.monogoto.const import DETAILS_INTERVAL
from homeassistant.components.binary_sensor import BinarySensorDeviceClass
from homeassistant.components.sensor import SensorDeviceClass
from homeassistant.core import HomeAssistant
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    entity_registry as er,
)
from homeassistant.setup import async_setup_component

from .helpers import automations, device_id_of, next_poll, poll_a_few
from .simulator import MonogotoSimulator

#: Every behaviour holds against a console that answers the undocumented questions otherwise.
pytestmark = pytest.mark.consoles("kind", "unkind")


async def _usage_refresh(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Move an hour: where the listing lacks usage, it comes with the hourly details."""
    await next_poll(hass, freezer, DETAILS_INTERVAL.total_seconds() + 1)


@pytest.mark.parametrize(
    ("states", "changes", "fires"),
    [
        ([], ["SUSPENDED"], 1),
        ([], ["SUSPENDED", "ACTIVE"], 2),
        (["suspended"], ["RETIRED"], 0),
        (["suspended"], ["RETIRED", "SUSPENDED"], 1),
        (["suspended", "retired"], ["RETIRED", "SUSPENDED"], 2),
    ],
)
async def test_sim_state_changed(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    states: list[str],
    changes: list[str],
    fires: int,
) -> None:
    watched, other, _ = simulator.thing_ids()
    calls = await automations(
        hass,
        (
            "changed",
            {
                "trigger": "monogoto.sim_state_changed",
                "target": {"device_id": device_id_of(hass, watched)},
                "options": {"states": states},
            },
            None,
        ),
    )
    # Unrelated changes: another SIM's state, this SIM's usage and its roaming country (an
    # enum sensor too).
    simulator.set_state(other, "RETIRED")
    simulator.things[watched]["ActualUsage"]["Data_"] += 1_000_000
    simulator.roam(watched, "262", "01", 4711)
    await poll_a_few(hass, freezer, 1)
    assert calls["changed"] == []
    for state in changes:
        simulator.set_state(watched, state)
        await poll_a_few(hass, freezer, 1)
    assert len(calls["changed"]) == fires


async def test_went_offline_and_online(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    watched, other, _ = simulator.thing_ids()
    target = {"device_id": device_id_of(hass, watched)}
    calls = await automations(
        hass,
        ("offline", {"trigger": "monogoto.went_offline", "target": target}, None),
        ("online", {"trigger": "monogoto.went_online", "target": target}, None),
    )
    simulator.connection[other] = "DISCONNECTED"
    await poll_a_few(hass, freezer)
    assert calls == {"offline": [], "online": []}
    simulator.connection[watched] = "DISCONNECTED"
    await poll_a_few(hass, freezer)
    assert (len(calls["offline"]), len(calls["online"])) == (1, 0)
    simulator.connection[watched] = "CONNECTED"
    await poll_a_few(hass, freezer)
    assert (len(calls["offline"]), len(calls["online"])) == (1, 1)


async def test_data_used_crossed_threshold(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    watched, other, _ = simulator.thing_ids()
    for thing_id in (watched, other):
        simulator.things[thing_id]["ActualUsage"]["Data_"] = 400_000_000
    await _usage_refresh(hass, freezer)
    calls = await automations(
        hass,
        (
            "over",
            {
                "trigger": "monogoto.data_used_crossed_threshold",
                "target": {"device_id": device_id_of(hass, watched)},
                "options": {
                    "threshold": {
                        "type": "above",
                        "value": {"number": 0.5, "unit_of_measurement": "GB"},
                    }
                },
            },
            None,
        ),
    )
    simulator.things[other]["ActualUsage"]["Data_"] = 900_000_000
    simulator.things[watched]["ActualUsage"]["Data_"] = 450_000_000
    await _usage_refresh(hass, freezer)
    assert calls["over"] == []
    simulator.things[watched]["ActualUsage"]["Data_"] = 510_000_000
    await _usage_refresh(hass, freezer)
    assert len(calls["over"]) == 1
    simulator.things[watched]["ActualUsage"]["Data_"] = 600_000_000
    await _usage_refresh(hass, freezer)
    assert len(calls["over"]) == 1  # still above: no new crossing


@pytest.mark.parametrize(
    "expected_lingering_timers", [True]
)  # the README's time trigger
async def test_readme_examples_are_valid(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Every README automation using monogoto triggers or conditions loads (invalid ones would not)."""
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", readme, flags=re.DOTALL)
    automations = [
        item
        for block in blocks
        if "monogoto." in block
        for item in (yaml.safe_load(block) or {}).get("automation", [])
    ]
    triggers = [
        t
        for a in automations
        for t in a["triggers"]
        if t["trigger"].startswith("monogoto.")
    ]
    conditions = [
        c
        for a in automations
        for c in a.get("conditions", [])
        if c["condition"].startswith("monogoto.")
    ]
    assert {t["trigger"] for t in triggers} == {
        f"monogoto.{key}"
        for key in (
            "sim_state_changed",
            "went_online",
            "went_offline",
            "data_used_crossed_threshold",
        )
    }
    assert {c["condition"] for c in conditions} == {
        "monogoto.sim_state_is",
        "monogoto.is_online",
    }
    assert await async_setup_component(hass, "automation", {"automation": automations})
    await hass.async_block_till_done()
    states = hass.states.async_all("automation")
    assert len(states) == len(automations)
    assert all(state.state == "on" for state in states), [s.as_dict() for s in states]


async def test_area_targets_match_only_this_integrations_entities(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Targeting an area matches only this integration's entities there.

    Another integration's enum, connectivity and data-size entities in the same area neither
    fire the SIM triggers nor sway the SIM conditions.
    """
    watched = simulator.thing_ids()[0]
    simulator.things[watched]["ActualUsage"]["Data_"] = 400_000_000
    await poll_a_few(hass, freezer, 1)
    garage = ar.async_get(hass).async_create("Garage").id
    dr.async_get(hass).async_update_device(device_id_of(hass, watched), area_id=garage)
    entities = er.async_get(hass)
    foreign = {}
    for domain, key, device_class, state, unit in (
        ("sensor", "mode", SensorDeviceClass.ENUM, "idle", None),
        ("binary_sensor", "link", BinarySensorDeviceClass.CONNECTIVITY, "off", None),
        ("sensor", "download", SensorDeviceClass.DATA_SIZE, "100", "MB"),
    ):
        entry = entities.async_get_or_create(
            domain, "template", key, original_device_class=device_class
        )
        entities.async_update_entity(entry.entity_id, area_id=garage)
        attributes = {"device_class": device_class}
        if unit:
            attributes["unit_of_measurement"] = unit
        hass.states.async_set(entry.entity_id, state, attributes)
        foreign[key] = (entry.entity_id, attributes)
    target = {"area_id": garage}
    event = {"trigger": "event", "event_type": "check"}
    calls = await automations(
        hass,
        ("changed", {"trigger": "monogoto.sim_state_changed", "target": target}, None),
        ("offline", {"trigger": "monogoto.went_offline", "target": target}, None),
        (
            "over",
            {
                "trigger": "monogoto.data_used_crossed_threshold",
                "target": target,
                "options": {
                    "threshold": {
                        "type": "above",
                        "value": {"number": 0.5, "unit_of_measurement": "GB"},
                    }
                },
            },
            None,
        ),
        (
            "all_active",
            event,
            {
                "condition": "monogoto.sim_state_is",
                "target": target,
                "options": {"behavior": "all", "states": ["active"]},
            },
        ),
        (
            "all_online",
            event,
            {
                "condition": "monogoto.is_online",
                "target": target,
                "options": {"behavior": "all"},
            },
        ),
    )
    # The foreign entities change (and end "idle", "off", below the threshold): nothing fires.
    for key, state in (("mode", "busy"), ("link", "on"), ("download", "900")):
        entity_id, attributes = foreign[key]
        hass.states.async_set(entity_id, state, attributes)
    await hass.async_block_till_done()
    for key, state in (("mode", "idle"), ("link", "off"), ("download", "100")):
        entity_id, attributes = foreign[key]
        hass.states.async_set(entity_id, state, attributes)
    await hass.async_block_till_done()
    assert {name: len(c) for name, c in calls.items() if name != "all_active"} == {
        "changed": 0,
        "offline": 0,
        "over": 0,
        "all_online": 0,
    }
    # The conditions look at the SIM alone, whatever the foreign "idle" and "off" say.
    hass.bus.async_fire("check")
    await hass.async_block_till_done()
    assert (len(calls["all_active"]), len(calls["all_online"])) == (1, 1)
    # And the SIM itself still fires each trigger.
    simulator.set_state(watched, "SUSPENDED")
    simulator.connection[watched] = "DISCONNECTED"
    simulator.things[watched]["ActualUsage"]["Data_"] = 600_000_000
    await _usage_refresh(hass, freezer)
    assert (len(calls["changed"]), len(calls["offline"]), len(calls["over"])) == (
        1,
        1,
        1,
    )
