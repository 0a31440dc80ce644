"""condition.py: the SIM conditions in real automations, passing and blocking as the SIM changes."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.core import HomeAssistant

from .helpers import automations, device_id_of, poll_a_few
from .simulator import MonogotoSimulator


@pytest.mark.consoles("kind", "unkind")
async def test_conditions_pass_and_block(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    watched, _, _ = simulator.thing_ids()
    target = {"device_id": device_id_of(hass, watched)}
    event = {"trigger": "event", "event_type": "check"}
    calls = await automations(
        hass,
        (
            "when_active",
            event,
            {
                "condition": "monogoto.sim_state_is",
                "target": target,
                "options": {"states": ["active"]},
            },
        ),
        (
            "when_suspended",
            event,
            {
                "condition": "monogoto.sim_state_is",
                "target": target,
                "options": {"states": ["suspended", "retired"]},
            },
        ),
        ("when_online", event, {"condition": "monogoto.is_online", "target": target}),
    )
    hass.bus.async_fire("check")
    await hass.async_block_till_done()
    assert {name: len(c) for name, c in calls.items()} == {
        "when_active": 1,
        "when_suspended": 0,
        "when_online": 1,
    }
    simulator.set_state(watched, "SUSPENDED")
    simulator.connection[watched] = "DISCONNECTED"
    await poll_a_few(hass, freezer)
    hass.bus.async_fire("check")
    await hass.async_block_till_done()
    assert {name: len(c) for name, c in calls.items()} == {
        "when_active": 1,
        "when_suspended": 1,
        "when_online": 1,
    }
