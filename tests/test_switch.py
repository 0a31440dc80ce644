"""switch.py: the "SIM active" switch: what on/off does in each SIM state, state updated at once."""

from __future__ import annotations

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
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
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er

from .helpers import entity_id_of, state_of
from .simulator import MonogotoSimulator

#: Every behaviour holds against a console that answers the undocumented questions otherwise.
pytestmark = pytest.mark.consoles("kind", "unkind")


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


@pytest.mark.parametrize(
    ("sim_state", "service", "written", "shown_before", "shown_after"),
    [
        ("PROVISIONED", SERVICE_TURN_ON, "ACTIVE", STATE_OFF, STATE_ON),
        ("PROVISIONED", SERVICE_TURN_OFF, None, STATE_OFF, STATE_OFF),
        ("TEST_ACTIVE", SERVICE_TURN_ON, "ACTIVE", STATE_OFF, STATE_ON),
        ("TEST_ACTIVE", SERVICE_TURN_OFF, None, STATE_OFF, STATE_OFF),
        ("ACTIVE", SERVICE_TURN_ON, None, STATE_ON, STATE_ON),
        ("ACTIVE", SERVICE_TURN_OFF, "SUSPENDED", STATE_ON, STATE_OFF),
        ("SUSPENDED", SERVICE_TURN_ON, "ACTIVE", STATE_OFF, STATE_ON),
        ("SUSPENDED", SERVICE_TURN_OFF, None, STATE_OFF, STATE_OFF),
    ],
)
async def test_switch_in_each_state(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    mock_config_entry: MockConfigEntry,
    sim_state: str,
    service: str,
    written: str | None,
    shown_before: str,
    shown_after: str,
) -> None:
    """Each row of switch.SWITCH_ACTIONS: available, and one PUT or none at all."""
    thing_id = simulator.thing_ids()[0]
    simulator.set_state(thing_id, sim_state)
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    switch = entity_id_of(hass, "switch", thing_id, "sim")
    assert hass.states.get(switch).state == shown_before

    await hass.services.async_call(
        SWITCH_DOMAIN, service, {ATTR_ENTITY_ID: switch}, blocking=True
    )
    assert simulator.put_bodies == ([(thing_id, {"state": written})] if written else [])
    assert simulator.requests.get("state_get", 0) == (1 if written else 0)
    assert hass.states.get(switch).state == shown_after


@pytest.mark.parametrize("service", [SERVICE_TURN_ON, SERVICE_TURN_OFF])
async def test_retired_sim_refuses_with_a_translated_error(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    mock_config_entry: MockConfigEntry,
    service: str,
) -> None:
    thing_id = simulator.thing_ids()[0]
    simulator.set_state(thing_id, "RETIRED")
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    switch = entity_id_of(hass, "switch", thing_id, "sim")
    assert hass.states.get(switch).state == STATE_OFF  # not "unavailable"

    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            SWITCH_DOMAIN, service, {ATTR_ENTITY_ID: switch}, blocking=True
        )
    assert err.value.translation_key == "sim_retired"
    device = dr.async_get(hass).async_get(
        er.async_get(hass).async_get(switch).device_id
    )
    assert err.value.translation_placeholders == {"device": device.name}
    assert "is retired" in str(err.value)
    assert simulator.put_bodies == []


async def test_switch_unavailable_only_in_an_undocumented_state(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    made_up, *documented = simulator.thing_ids()
    simulator.set_state(made_up, "DEACTIVATED")
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    shown = {
        thing_id: hass.states.get(entity_id_of(hass, "switch", thing_id, "sim")).state
        for thing_id in simulator.thing_ids()
    }
    assert shown[made_up] == STATE_UNAVAILABLE
    assert {shown[thing_id] for thing_id in documented} <= {STATE_ON, STATE_OFF}
