"""The "online" binary sensor of a SIM, from its data-session status."""

from __future__ import annotations

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import ThingStatus
from .coordinator import MonogotoConfigEntry, StatusCoordinator
from .entity import MonogotoThingEntity, async_add_thing_entities

# Read-only platform fed by the coordinator.
PARALLEL_UPDATES = 0

ONLINE = BinarySensorEntityDescription(
    key="online",
    translation_key="online",
    device_class=BinarySensorDeviceClass.CONNECTIVITY,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MonogotoConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the online sensor of every SIM, and of SIMs that appear later."""
    runtime = entry.runtime_data
    async_add_thing_entities(
        entry,
        async_add_entities,
        [ONLINE],
        lambda description, fields: True,
        lambda thing, description: MonogotoOnlineSensor(
            runtime, runtime.statuses, thing, description
        ),
        platform=Platform.BINARY_SENSOR,
    )


class MonogotoOnlineSensor(MonogotoThingEntity[StatusCoordinator], BinarySensorEntity):
    """Whether the SIM has a data session (``ConnectionStatus``)."""

    @property
    def _status(self) -> ThingStatus | None:
        return (self.coordinator.data or {}).get(self.thing_id)

    @property
    def available(self) -> bool:
        """Unavailable while the SIM has no status read, not when only other data failed."""
        return super().available and self._status is not None

    @property
    def is_on(self) -> bool | None:
        """Return whether the SIM is connected."""
        status = self._status
        return status.connected if status else None
