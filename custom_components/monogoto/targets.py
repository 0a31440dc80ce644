"""Which entities the SIM triggers and conditions target: this integration's, by domain and device class."""

from __future__ import annotations

from collections.abc import Mapping

from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.components.sensor import SensorDeviceClass
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.automation import DomainSpec

from .const import DOMAIN

#: The SIM state sensor is an enum sensor, as the roaming country is: ``own_entities`` tells
#: them apart by translation key.
SIM_STATE_SPEC: Mapping[str, DomainSpec] = {
    Platform.SENSOR: DomainSpec(device_class=SensorDeviceClass.ENUM)
}
ONLINE_SPEC: Mapping[str, DomainSpec] = {
    Platform.BINARY_SENSOR: DomainSpec(
        device_class=BinarySensorDeviceClass.CONNECTIVITY
    )
}
DATA_USED_SPEC: Mapping[str, DomainSpec] = {
    Platform.SENSOR: DomainSpec(device_class=SensorDeviceClass.DATA_SIZE)
}
#: The pushed-event entities (SMS events, data sessions), told apart by translation key.
EVENT_SPEC: Mapping[str, DomainSpec] = {Platform.EVENT: DomainSpec()}


def own_entities(
    hass: HomeAssistant, entity_ids: set[str], translation_key: str | None = None
) -> set[str]:
    """Return the entities among ``entity_ids`` that this integration provides.

    With ``translation_key``, only those of that kind (the SIM state among the enum sensors).
    """
    registry = er.async_get(hass)
    return {
        entity_id
        for entity_id in entity_ids
        if (entry := registry.async_get(entity_id)) is not None
        and entry.platform == DOMAIN
        and translation_key in (None, entry.translation_key)
    }
