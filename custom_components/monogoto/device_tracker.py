"""Where a SIM is: a tracker per SIM, once the console has given that SIM coordinates.

The console places SIMs by their cell (``LastLocation``; GPS-less), so the accuracy comes from
its ``AccuracyInKM``. Many consoles never send coordinates at all: then no tracker is created.
A tracker, once created, stays (its SIM may come back into coverage); while the console gives
no coordinates it shows no place.
"""

from __future__ import annotations

from homeassistant.components.device_tracker.const import SourceType
from homeassistant.components.device_tracker.entity import TrackerEntity
from homeassistant.const import Platform
from homeassistant.helpers.entity import EntityDescription

from .api import Location
from .coordinator import ThingsCoordinator
from .entity import MonogotoThingEntity, thing_platform_setup

# Read-only platform fed by the coordinators.
PARALLEL_UPDATES = 0

LOCATION = EntityDescription(key="location", translation_key="location")


class MonogotoTracker(MonogotoThingEntity[ThingsCoordinator], TrackerEntity):
    """The SIM's last place as the console gives it."""

    _attr_source_type = SourceType.GPS
    # The coordinates may come from the listing or the details, SIM by SIM.
    FOLLOWS_DETAILS = True

    @property
    def _location(self) -> Location | None:
        return self.thing.location if self.available else None

    @property
    def latitude(self) -> float | None:
        """Return the latitude."""
        location = self._location
        return location.latitude if location else None

    @property
    def longitude(self) -> float | None:
        """Return the longitude."""
        location = self._location
        return location.longitude if location else None

    @property
    def location_accuracy(self) -> float:
        """Return the accuracy in metres (the console's ``AccuracyInKM``; 0 when unknown)."""
        location = self._location
        if location is None or location.accuracy_km is None:
            return 0
        return round(location.accuracy_km * 1000)


async_setup_entry = thing_platform_setup(
    Platform.DEVICE_TRACKER,
    (LOCATION,),
    MonogotoTracker,
    # Created once the console first gives the SIM coordinates; it stays after that.
    ready=lambda thing: thing.location is not None,
)
