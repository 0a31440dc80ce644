"""SIM devices in the device registry: find them, remove them, follow console renames."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

from .api import Thing
from .const import DOMAIN, LOGGER


def sim_device_ids(hass: HomeAssistant, entry: ConfigEntry) -> set[str]:
    """Return the thing ids of an entry's SIM devices (the account device aside)."""
    registry = dr.async_get(hass)
    return {
        value
        for device in dr.async_entries_for_config_entry(registry, entry.entry_id)
        for domain, value in device.identifiers
        if domain == DOMAIN and value != entry.entry_id
    }


def remove_sim_devices(
    hass: HomeAssistant, entry: ConfigEntry, thing_ids: Iterable[str], reason: str
) -> None:
    """Remove the devices of SIMs whose departure is confirmed (or that were left out)."""
    registry = dr.async_get(hass)
    for thing_id in thing_ids:
        device = registry.async_get_device_by_identifier(
            (DOMAIN, thing_id), entry.entry_id
        )
        if device is not None:
            LOGGER.debug("Removing the device of a SIM that %s", reason)
            registry.async_remove_device(device.id)


def follow_renames(
    hass: HomeAssistant,
    entry: ConfigEntry,
    previous: Mapping[str, Thing],
    things: Mapping[str, Thing],
) -> None:
    """Rename the device of a SIM renamed in the console, unless the user named it."""
    registry = dr.async_get(hass)
    for thing_id, thing in things.items():
        old = previous.get(thing_id)
        if old is None or old.display_name == thing.display_name:
            continue
        device = registry.async_get_device_by_identifier(
            (DOMAIN, thing_id), entry.entry_id
        )
        if device is not None and device.name_by_user is None:
            registry.async_update_device(device.id, name=thing.display_name)


def thing_id_of(
    identifiers: Iterable[tuple[str, str]], known: Collection[str]
) -> str | None:
    """Return the thing id among a device's identifiers, if it is a known SIM."""
    return next(
        (value for domain, value in identifiers if domain == DOMAIN and value in known),
        None,
    )


def device_id_of(hass: HomeAssistant, entry: ConfigEntry, thing_id: str) -> str:
    """Return the id of a SIM's device (its thing id while it has none)."""
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, thing_id), entry.entry_id
    )
    return device.id if device else thing_id
