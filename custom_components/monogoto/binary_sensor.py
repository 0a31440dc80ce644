"""The "online" binary sensor of a SIM, from its data-session status."""

from __future__ import annotations

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.const import Platform

from .api import ThingStatus
from .coordinator import StatusCoordinator
from .entity import MonogotoThingEntity, thing_platform_setup
from .runtime import MonogotoRuntime

# Read-only platform fed by the coordinator.
PARALLEL_UPDATES = 0

ONLINE = BinarySensorEntityDescription(
    key="online",
    translation_key="online",
    device_class=BinarySensorDeviceClass.CONNECTIVITY,
)


class MonogotoOnlineSensor(MonogotoThingEntity[StatusCoordinator], BinarySensorEntity):
    """Whether the SIM has a data session (``ConnectionStatus``)."""

    @classmethod
    def coordinator_of(cls, runtime: MonogotoRuntime) -> StatusCoordinator:
        """Return the statuses' coordinator."""
        return runtime.statuses

    @property
    def _status(self) -> ThingStatus | None:
        return (self.coordinator.data or {}).get(self.thing_id)

    @property
    def is_on(self) -> bool | None:
        """Return whether the SIM is connected."""
        status = self._status
        return status.connected if status else None


async_setup_entry = thing_platform_setup(
    Platform.BINARY_SENSOR, [ONLINE], MonogotoOnlineSensor
)
