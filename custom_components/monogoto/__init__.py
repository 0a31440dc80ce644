"""The Monogoto integration: every SIM of a Monogoto account as a Home Assistant device."""

from __future__ import annotations

from homeassistant.const import CONF_PASSWORD, CONF_URL, CONF_USERNAME, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import (
    config_validation as cv,
    device_registry as dr,
    entity_registry as er,
    translation,
)
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.device_registry import DeviceEntry
from homeassistant.helpers.typing import ConfigType
from homeassistant.util import slugify

from .api import MonogotoClient
from .const import ACCOUNT_DEVICE_TRANSLATION_KEY, DOMAIN, LOGGER
from .runtime import MonogotoConfigEntry, MonogotoRuntime
from .services import async_setup_services
from .webhook import async_remove_cloudhook, async_setup_webhook

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.DEVICE_TRACKER,
    Platform.EVENT,
    Platform.NOTIFY,
    Platform.SENSOR,
    Platform.SWITCH,
]
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
    await async_setup_webhook(hass, entry, runtime)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: MonogotoConfigEntry) -> bool:
    """Unload the platforms; the client holds nothing to close (the session is shared)."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: MonogotoConfigEntry) -> None:
    """Delete the entry's cloudhook, if Home Assistant Cloud made one."""
    await async_remove_cloudhook(hass, entry)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: MonogotoConfigEntry, device: DeviceEntry
) -> bool:
    """Allow removing a SIM's device by hand once the SIM is no longer in the account."""
    return entry.runtime_data.thing_id_of(device.identifiers) is None


async def async_migrate_entry(hass: HomeAssistant, entry: MonogotoConfigEntry) -> bool:
    """Migrate an entry from an older version.

    1.1 -> 1.2: the account device was named after the entry's title, i.e. the login (usually
    an e-mail address), so its entities' ids carried it (``sensor.jane_example_com_sims``). The
    device is now "Monogoto account" (translated); each of its entities whose id is still the
    one Home Assistant generated is renamed to match. Ids the user chose stay as they are.

    (Home Assistant itself refuses an entry of a higher major version: a downgrade.)
    """
    if entry.minor_version < 2:
        await _async_rename_account_device(hass, entry)
        hass.config_entries.async_update_entry(entry, minor_version=2)
    if entry.minor_version < 3:
        _merge_operator_into_network(hass, entry)
        hass.config_entries.async_update_entry(entry, minor_version=3)
    return True


def _merge_operator_into_network(
    hass: HomeAssistant, entry: MonogotoConfigEntry
) -> None:
    """1.2 -> 1.3: a SIM's "Operator" and "Network" sensors became one "Network" sensor.

    Where a SIM had both, the network sensor stays (entity id and all) and the operator
    sensor goes; if the entity plan had enabled only the operator sensor (it came first), the
    network sensor takes its place. A lone operator sensor becomes the network sensor and keeps
    its entity id, so that automations using it keep working.
    """
    registry = er.async_get(hass)
    for operator in er.async_entries_for_config_entry(registry, entry.entry_id):
        if operator.domain != Platform.SENSOR or not operator.unique_id.endswith(
            "_operator"
        ):
            continue
        unique_id = operator.unique_id.removesuffix("_operator") + "_network"
        network_id = registry.async_get_entity_id(Platform.SENSOR, DOMAIN, unique_id)
        network = registry.async_get(network_id) if network_id else None
        if network is None:
            registry.async_update_entity(operator.entity_id, new_unique_id=unique_id)
            continue
        if (
            operator.disabled_by is None
            and network.disabled_by is er.RegistryEntryDisabler.INTEGRATION
        ):
            registry.async_update_entity(network.entity_id, disabled_by=None)
        registry.async_remove(operator.entity_id)


async def _async_rename_account_device(
    hass: HomeAssistant, entry: MonogotoConfigEntry
) -> None:
    devices = dr.async_get(hass)
    account = devices.async_get_device_by_identifier(
        (DOMAIN, entry.entry_id), entry.entry_id
    )
    if account is None:
        return
    entities = er.async_get(hass)
    login_slug = slugify(entry.title)
    # Compared while the device still has its old name: what Home Assistant generated then.
    generated = [
        entity
        for entity in er.async_entries_for_device(
            entities, account.id, include_disabled_entities=True
        )
        if login_slug in entity.entity_id
        and entities.async_regenerate_entity_id(entity) == entity.entity_id
    ]
    await translation.async_get_translations(
        hass, hass.config.language, "device", {DOMAIN}
    )
    devices.async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, entry.entry_id)},
        translation_key=ACCOUNT_DEVICE_TRANSLATION_KEY,
    )
    for entity in generated:
        new_entity_id = entities.async_regenerate_entity_id(entity)
        entities.async_update_entity(entity.entity_id, new_entity_id=new_entity_id)
    LOGGER.debug(
        "Renamed %s entity ids of the account device (no login in them any more)",
        len(generated),
    )
