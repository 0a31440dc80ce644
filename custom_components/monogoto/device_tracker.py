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
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import Location
from .coordinator import MonogotoConfigEntry, ThingsCoordinator
from .entity import MonogotoThingEntity, async_apply_entity_plan

# Read-only platform fed by the coordinators.
PARALLEL_UPDATES = 0

LOCATION = EntityDescription(key="location", translation_key="location")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MonogotoConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a SIM's tracker when the console first gives it coordinates."""
    runtime = entry.runtime_data
    added: set[str] = set()

    @callback
    def add_located() -> None:
        new = [
            MonogotoTracker(runtime, runtime.things, runtime.thing(thing_id), LOCATION)
            for thing_id in runtime.known_things()
            if thing_id not in added and runtime.thing(thing_id).location is not None
        ]
        added.update(tracker.thing_id for tracker in new)
        # Under Home Assistant's cap like every other entity (``entity_plan.py``).
        async_apply_entity_plan(runtime, Platform.DEVICE_TRACKER, new)
        if new:
            async_add_entities(new)

    add_located()
    for coordinator in (runtime.things, runtime.details):
        entry.async_on_unload(coordinator.async_add_listener(add_located))


class MonogotoTracker(MonogotoThingEntity[ThingsCoordinator], TrackerEntity):
    """The SIM's last place as the console gives it."""

    _attr_source_type = SourceType.GPS

    async def async_added_to_hass(self) -> None:
        """Also follow the details, which may be where the coordinates come from."""
        await super().async_added_to_hass()
        self.follow_details()

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
