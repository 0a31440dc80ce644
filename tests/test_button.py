"""button.py: ping and reset buttons of a SIM, what they show, their snapshot."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN, SERVICE_PRESS
from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er

from .helpers import entity_id_of, message_of, next_poll, state_of
from .simulator import MonogotoSimulator


async def test_ping_button_shows_the_result(
    hass: HomeAssistant, simulator: MonogotoSimulator, init_integration: MockConfigEntry
) -> None:
    thing_id = simulator.thing_ids()[0]
    entity_id = entity_id_of(hass, "button", thing_id, "ping")
    await hass.services.async_call(
        BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: entity_id}, blocking=True
    )
    assert simulator.ping_bodies == [
        (thing_id, {"IPAddress": simulator.things[thing_id]["IPs"][0]["IP"]})
    ]
    state = hass.states.get(entity_id)
    assert state.state not in ("unknown", "unavailable")
    assert state.attributes["received"] == 4
    assert state.attributes["packet_loss"] == 0.0
    assert state.attributes["round_trip_average_ms"] == 49.5


async def test_ping_without_answer_is_an_error(
    hass: HomeAssistant, simulator: MonogotoSimulator, init_integration: MockConfigEntry
) -> None:
    thing_id = simulator.thing_ids()[0]
    entity_id = entity_id_of(hass, "button", thing_id, "ping")
    # The SIM got another address since the last poll: nothing answers at the known one.
    simulator.things[thing_id]["IPs"][0]["IP"] = "10.140.0.99"
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: entity_id}, blocking=True
        )
    assert err.value.translation_key == "ping_no_reply"
    assert (await message_of(hass, err.value)).endswith("did not answer the ping.")
    assert simulator.requests["ping"] == 1
    assert hass.states.get(entity_id).attributes["packet_loss"] == 100.0


@pytest.mark.consoles("kind", "unkind")
async def test_reset_is_confirmed_by_the_next_status_read(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    console: str,
) -> None:
    thing_id = simulator.thing_ids()[0]
    runtime = init_integration.runtime_data
    before = runtime.statuses.data[thing_id].last_connection
    statuses = simulator.requests["status"]
    await hass.services.async_call(
        BUTTON_DOMAIN,
        SERVICE_PRESS,
        {ATTR_ENTITY_ID: entity_id_of(hass, "button", thing_id, "reset_connection")},
        blocking=True,
    )
    assert simulator.resets == [thing_id]
    assert simulator.requests["status"] == statuses  # not yet: the device re-attaches
    await next_poll(hass, freezer, 61)
    assert simulator.requests["status"] == statuses + 1
    after = runtime.statuses.data[thing_id].last_connection
    assert after is not None
    assert after != before
    assert state_of(hass, "binary_sensor", thing_id, "online").state == "on"


@pytest.mark.parametrize("platforms", [[Platform.BUTTON]])
@pytest.mark.freeze_time("2026-11-28 12:00:00+00:00")
async def test_button_snapshot(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)
