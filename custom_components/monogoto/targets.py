"""Which entities the SIM triggers and conditions target: this integration's, by domain and device class."""

from __future__ import annotations

from collections.abc import Mapping

from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.components.sensor import SensorDeviceClass
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.automation import DomainSpec, filter_by_domain_specs

from .const import DOMAIN, SIM_STATE_KEY

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


class OwnEntitiesFilter:
    """Mixed into the SIM triggers and conditions: they match only this integration's entities.

    Home Assistant's entity triggers and conditions match an area's, floor's or label's
    entities by domain and device class only; this also requires them to be ours, and of one
    kind (``_translation_key``) where the device class is not enough.
    """

    _hass: HomeAssistant
    _domain_specs: Mapping[str, DomainSpec]
    #: The kind of entity matched, when the domain and device class are not enough.
    _translation_key: str | None = None

    def entity_filter(self, entities: set[str]) -> set[str]:
        """Match the domain and device class, this integration and the kind."""
        matched = filter_by_domain_specs(self._hass, self._domain_specs, entities)
        return own_entities(self._hass, matched, self._translation_key)


class SimStateTarget(OwnEntitiesFilter):
    """Targets the SIM state sensors (told from the roaming country, an enum too, by key)."""

    _domain_specs = SIM_STATE_SPEC
    _translation_key = SIM_STATE_KEY
