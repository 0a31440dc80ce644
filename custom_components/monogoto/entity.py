"""Base entity: one device per SIM, unique ids, availability, and adding entities as they appear."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from homeassistant.const import Platform
from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .api import Field, Thing
from .const import DOMAIN
from .coordinator import MonogotoConfigEntry, MonogotoCoordinator, MonogotoRuntime


class MonogotoThingEntity[CoordinatorT: MonogotoCoordinator[Any]](
    CoordinatorEntity[CoordinatorT]
):
    """An entity of one SIM (a Monogoto *thing*), fed by one of the entry's coordinators."""

    _attr_has_entity_name = True

    def __init__(
        self,
        runtime: MonogotoRuntime,
        coordinator: CoordinatorT,
        thing: Thing,
        description: EntityDescription,
    ) -> None:
        """Attach the entity to the SIM's device."""
        super().__init__(coordinator)
        self.runtime = runtime
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
        return self.runtime.thing(self.thing_id)

    @property
    def available(self) -> bool:
        """Unavailable while its coordinator fails, or while the listing has no data of the SIM."""
        return super().available and self.thing_id in self.runtime.known_things()


def async_add_thing_entities[DescriptionT: EntityDescription](
    entry: MonogotoConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    descriptions: Iterable[DescriptionT],
    exists: Callable[[DescriptionT, frozenset[Field]], bool],
    make: Callable[[Thing, DescriptionT], Entity],
    *,
    platform: Platform,
) -> None:
    """Add each SIM's entities now, and as SIMs appear or the account shows more fields.

    An entity exists because the account has its data (``exists`` is given the fields the
    listing or the details carry), not because one payload happened to carry it. Only the
    included SIMs appear (the listing applies the options). Whether a new entity starts
    enabled follows the entity plan (``entity_plan.py``).
    """
    runtime = entry.runtime_data
    descriptions = tuple(descriptions)
    added: dict[str, set[str]] = {}
    last_fields: frozenset[Field] | None = None

    @callback
    def add_new() -> None:
        nonlocal last_fields
        things = runtime.known_things()
        fields = runtime.fields()
        wanted = [d for d in descriptions if exists(d, fields)]
        recheck = fields != last_fields
        last_fields = fields
        for thing_id in added.keys() - things.keys():
            del added[thing_id]
        plan = runtime.entity_plan()
        new: list[Entity] = []
        planned: list[Entity] = []
        for thing_id, thing in things.items():
            keys = added.get(thing_id)
            if keys is not None and not recheck:
                continue
            keys = added.setdefault(thing_id, set())
            for description in wanted:
                if description.key not in keys:
                    keys.add(description.key)
                    entity = make(thing, description)
                    new.append(entity)
                    if not description.entity_registry_enabled_default:
                        continue
                    if description.key in plan.enabled:
                        planned.append(entity)
                    else:
                        entity._attr_entity_registry_enabled_default = False  # noqa: SLF001
        granted = runtime.claim_enabled(
            platform, [str(entity.unique_id) for entity in planned]
        )
        for entity in planned:
            if entity.unique_id not in granted:
                entity._attr_entity_registry_enabled_default = False  # noqa: SLF001
        if new:
            async_add_entities(new)

    add_new()
    for coordinator in (runtime.things, runtime.details):
        entry.async_on_unload(coordinator.async_add_listener(add_new))
