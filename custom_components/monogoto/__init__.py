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
from .coordinator import MonogotoConfigEntry, MonogotoRuntime
from .services import async_setup_services

PLATFORMS: list[Platform] = [Platform.BINARY_SENSOR, Platform.SENSOR, Platform.SWITCH]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions, so automations validate even while no entry is loaded."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: MonogotoConfigEntry) -> bool:
    """Sign in, list the SIMs once, then set up the platforms.

    Statuses and details follow in the background (new SIMs are read at once), so a large
    account's entities appear as soon as its listing is read.
    """
    client = MonogotoClient(
        async_get_clientsession(hass),
        entry.data[CONF_USERNAME],
        entry.data[CONF_PASSWORD],
        base_url=entry.data[CONF_URL],
    )
    runtime = MonogotoRuntime(hass, entry, client)
    await runtime.things.async_config_entry_first_refresh()
    entry.runtime_data = runtime
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: MonogotoConfigEntry) -> bool:
    """Unload the platforms; the client holds nothing to close (the session is shared)."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: MonogotoConfigEntry, device: DeviceEntry
) -> bool:
    """Allow removing a SIM's device by hand once the SIM is no longer in the account."""
    return entry.runtime_data.thing_ids_of(device.identifiers) is None
