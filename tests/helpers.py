"""Small helpers shared by the integration tests."""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import (
    async_fire_time_changed,
    async_mock_service,
)

from custom_components.monogoto.const import DOMAIN, SCAN_INTERVAL
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntry
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, State
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    translation,
)
from homeassistant.setup import async_setup_component


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


async def message_of(hass: HomeAssistant, err: HomeAssistantError) -> str:
    """Return the English message the user sees for a translated error."""
    assert err.translation_domain == DOMAIN
    strings = await translation.async_get_translations(
        hass, "en", "exceptions", {DOMAIN}
    )
    text = strings[f"component.{DOMAIN}.exceptions.{err.translation_key}.message"]
    return text.format(**(err.translation_placeholders or {}))


def reauth_flows(hass: HomeAssistant) -> list[str]:
    """Return the ids of the re-authentication flows in progress."""
    return [
        flow["flow_id"]
        for flow in hass.config_entries.flow.async_progress()
        if flow["context"]["source"] == SOURCE_REAUTH
    ]


async def automations(
    hass: HomeAssistant, *automations: tuple[str, dict[str, Any], dict[str, Any] | None]
) -> dict[str, list[ServiceCall]]:
    """Set up one automation per (name, trigger, condition); return each one's calls."""
    calls = {name: async_mock_service(hass, "test", name) for name, _, _ in automations}
    config = [
        {
            "alias": name,
            "triggers": [trigger],
            "conditions": [condition] if condition else [],
            "actions": [{"action": f"test.{name}"}],
        }
        for name, trigger, condition in automations
    ]
    assert await async_setup_component(hass, "automation", {"automation": config})
    await hass.async_block_till_done()
    return calls


async def poll_a_few(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, count: int = 3
) -> None:
    """Poll a few times: enough for every kind of data (statuses may come less often)."""
    for _ in range(count):
        await next_poll(hass, freezer)
