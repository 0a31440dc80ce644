"""Small helpers shared by the integration tests."""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.monogoto.const import DOMAIN, SCAN_INTERVAL
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import HomeAssistant, ServiceResponse, State
from homeassistant.helpers import device_registry as dr, entity_registry as er


def entity_id_of(hass: HomeAssistant, platform: str, thing_id: str, key: str) -> str:
    """Return the entity id of a SIM entity, found by its unique id."""
    entity_id = er.async_get(hass).async_get_entity_id(
        platform, "monogoto", f"{thing_id}_{key}"
    )
    assert entity_id is not None, f"no {platform} entity {key}"
    return entity_id


def device_id_of(hass: HomeAssistant, thing_id: str) -> str:
    """Return the device id of a SIM, found by its thing id."""
    entry_id = hass.config_entries.async_entries(DOMAIN)[0].entry_id
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, thing_id), entry_id
    )
    assert device is not None
    return device.id


async def call_action(
    hass: HomeAssistant,
    action: str,
    thing_id: str,
    *,
    return_response: bool = False,
    **fields: Any,
) -> ServiceResponse:
    """Call one of the integration's actions on one SIM's device, and wait for it."""
    return await hass.services.async_call(
        DOMAIN,
        action,
        {ATTR_DEVICE_ID: device_id_of(hass, thing_id), **fields},
        blocking=True,
        return_response=return_response,
    )


def state_of(hass: HomeAssistant, platform: str, thing_id: str, key: str) -> State:
    """Return the state object of a SIM entity."""
    state = hass.states.get(entity_id_of(hass, platform, thing_id, key))
    assert state is not None
    return state


async def next_poll(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float | None = None
) -> None:
    """Move time past the next poll (the coordinator adds a sub-second offset) and let it run."""
    freezer.tick(seconds if seconds is not None else SCAN_INTERVAL.total_seconds() + 1)
    async_fire_time_changed(hass)
    # Polls run as background tasks and, here, wait on real sockets: wait for those too.
    await hass.async_block_till_done(wait_background_tasks=True)


def sim_devices(hass: HomeAssistant, entry: ConfigEntry) -> dict[str, dr.DeviceEntry]:
    """Return the entry's SIM devices by thing id (the account device left out)."""
    return {
        value: device
        for device in dr.async_entries_for_config_entry(
            dr.async_get(hass), entry.entry_id
        )
        for domain, value in device.identifiers
        if domain == DOMAIN and value != entry.entry_id
    }
