"""The SIM switch: one PUT per switch, state updated at once, errors translated."""

from __future__ import annotations

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er

from .helpers import entity_id_of, state_of
from .simulator import MonogotoSimulator


@pytest.fixture
def platforms() -> list[str]:
    """Set up the switch, and the sensors to see the SIM state follow."""
    return [Platform.SENSOR, Platform.SWITCH]


@pytest.mark.things(5)
@pytest.mark.parametrize("platforms", [[Platform.SWITCH]])
@pytest.mark.freeze_time("2026-11-28 12:00:00+00:00")
async def test_switch_snapshot(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)


async def test_switch_off_puts_once_and_updates_at_once(
    hass: HomeAssistant, simulator: MonogotoSimulator, init_integration: MockConfigEntry
) -> None:
    thing_id = simulator.thing_ids()[0]
    switch = entity_id_of(hass, "switch", thing_id, "sim")
    assert hass.states.get(switch).state == STATE_ON
    listings = simulator.requests["things"]

    await hass.services.async_call(
        SWITCH_DOMAIN, SERVICE_TURN_OFF, {ATTR_ENTITY_ID: switch}, blocking=True
    )
    assert simulator.put_bodies == [(thing_id, {"state": "SUSPENDED"})]
    assert hass.states.get(switch).state == STATE_OFF
    assert state_of(hass, "sensor", thing_id, "sim_state").state == "suspended"
    assert simulator.requests["things"] == listings  # no full refresh
    assert simulator.requests["state_get"] == 1  # the state was re-read

    await hass.services.async_call(
        SWITCH_DOMAIN, SERVICE_TURN_ON, {ATTR_ENTITY_ID: switch}, blocking=True
    )
    assert simulator.put_bodies[-1] == (thing_id, {"state": "ACTIVE"})
    assert hass.states.get(switch).state == STATE_ON


@pytest.mark.things(11)
async def test_switch_unavailable_outside_active_and_suspended(
    hass: HomeAssistant, simulator: MonogotoSimulator, init_integration: MockConfigEntry
) -> None:
    for thing_id, raw in simulator.things.items():
        state = hass.states.get(entity_id_of(hass, "switch", thing_id, "sim")).state
        expected = {"ACTIVE": STATE_ON, "SUSPENDED": STATE_OFF}.get(
            raw["State"], STATE_UNAVAILABLE
        )
        assert state == expected


async def test_switch_failure_is_translated(
    hass: HomeAssistant, simulator: MonogotoSimulator, init_integration: MockConfigEntry
) -> None:
    thing_id = simulator.thing_ids()[0]
    switch = entity_id_of(hass, "switch", thing_id, "sim")
    simulator.fail("state_put", status=500)
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            SWITCH_DOMAIN, SERVICE_TURN_OFF, {ATTR_ENTITY_ID: switch}, blocking=True
        )
    assert err.value.translation_key == "cannot_connect"
    assert hass.states.get(switch).state == STATE_ON


async def test_switch_with_rejected_login_starts_reauth(
    hass: HomeAssistant, simulator: MonogotoSimulator, init_integration: MockConfigEntry
) -> None:
    switch = entity_id_of(hass, "switch", simulator.thing_ids()[0], "sim")
    simulator.password = "changed"
    simulator.revoke_tokens()
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            SWITCH_DOMAIN, SERVICE_TURN_OFF, {ATTR_ENTITY_ID: switch}, blocking=True
        )
    assert err.value.translation_key == "invalid_auth"
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress()
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    assert simulator.put_bodies == []
