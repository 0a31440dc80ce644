"""Base entity: one device per SIM, unique ids, availability, and adding SIMs as they appear."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .api import Thing
from .const import DOMAIN
from .coordinator import MonogotoConfigEntry, MonogotoCoordinator


class MonogotoThingEntity(CoordinatorEntity[MonogotoCoordinator]):
    """An entity of one SIM (a Monogoto *thing*)."""

    _attr_has_entity_name = True

    def __init__(
        self,
        coordinator: MonogotoCoordinator,
        thing: Thing,
        description: EntityDescription,
    ) -> None:
        """Attach the entity to the SIM's device."""
        super().__init__(coordinator)
        self.entity_description = description
        self.thing_id = thing.thing_id
        self._attr_unique_id = f"{thing.thing_id}_{description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, thing.thing_id)},
            manufacturer="Monogoto",
            model="SIM",
            name=thing.display_name,
            serial_number=thing.iccid,
        )

    @property
    def thing(self) -> Thing:
        """Return the SIM's latest data (only valid while ``available``)."""
        return self.coordinator.data.things[self.thing_id]

    @property
    def available(self) -> bool:
        """Unavailable while polling fails or once the SIM has left the account."""
        return super().available and self.thing_id in self.coordinator.data.things


def async_add_thing_entities(
    entry: MonogotoConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    entities_for: Callable[[Thing], Iterable[Entity]],
) -> None:
    """Add the entities of every SIM now, and of each SIM that appears later."""
    coordinator = entry.runtime_data
    known: set[str] = set()

    @callback
    def add_new_things() -> None:
        new = [
            thing
            for thing_id, thing in coordinator.data.things.items()
            if thing_id not in known
        ]
        known.update(thing.thing_id for thing in new)
        known.intersection_update(coordinator.data.things)
        if new:
            async_add_entities(
                entity for thing in new for entity in entities_for(thing)
            )

    add_new_things()
    entry.async_on_unload(coordinator.async_add_listener(add_new_things))
