"""The Monogoto integration: every SIM of a Monogoto account as a Home Assistant device."""

from __future__ import annotations

from homeassistant.const import CONF_PASSWORD, CONF_URL, CONF_USERNAME, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.device_registry import DeviceEntry
from homeassistant.helpers.typing import ConfigType

from .api import MonogotoClient
from .const import DOMAIN
from .coordinator import MonogotoConfigEntry, MonogotoCoordinator
from .services import async_setup_services

PLATFORMS: list[Platform] = [Platform.BINARY_SENSOR, Platform.SENSOR, Platform.SWITCH]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions, so automations validate even while no entry is loaded."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: MonogotoConfigEntry) -> bool:
    """Sign in, read the account once, then set up the platforms."""
    client = MonogotoClient(
        async_get_clientsession(hass),
        entry.data[CONF_USERNAME],
        entry.data[CONF_PASSWORD],
        base_url=entry.data[CONF_URL],
    )
    coordinator = MonogotoCoordinator(hass, entry, client)
    await coordinator.async_config_entry_first_refresh()
    entry.runtime_data = coordinator
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: MonogotoConfigEntry) -> bool:
    """Unload the platforms; the client holds nothing to close (the session is shared)."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: MonogotoConfigEntry, device: DeviceEntry
) -> bool:
    """Allow removing a SIM's device by hand once the SIM is no longer in the account."""
    things = entry.runtime_data.data.things
    return not any(
        domain == DOMAIN and value in things for domain, value in device.identifiers
    )
