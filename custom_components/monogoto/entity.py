"""Base entity: one device per SIM, unique ids, availability, and adding entities as they appear."""

from __future__ import annotations

from collections.abc import Callable, Collection, Coroutine, Iterable, Sequence
from functools import lru_cache
from typing import Any

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .api import Field, Thing
from .const import DOMAIN
from .coordinator import MonogotoConfigEntry, MonogotoCoordinator, MonogotoRuntime
from .entity_plan import ROOM_LEFT


@lru_cache(maxsize=1024)
def _device_info(thing_id: str, name: str, iccid: str | None) -> DeviceInfo:
    return DeviceInfo(
        identifiers={(DOMAIN, thing_id)},
        manufacturer="Monogoto",
        model="SIM",
        name=name,
        serial_number=iccid,
    )


def sim_device_info(thing: Thing) -> DeviceInfo:
    """Return the SIM's device info, one object shared by its entities (read-only).

    A SIM has a dozen entities or more; at fleet sizes one copy each adds up. A rename (new
    name) gets a new object, so a late entity never registers the old name.
    """
    return _device_info(thing.thing_id, thing.display_name, thing.iccid)


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
        self._attr_device_info = sim_device_info(thing)

    @classmethod
    def coordinator_of(cls, runtime: MonogotoRuntime) -> MonogotoCoordinator[Any]:
        """Return the coordinator whose data the entity shows (the listing, unless it says)."""
        return runtime.things

    def follow_details(self) -> None:
        """Also write the state when the details refresh (call from ``async_added_to_hass``)."""
        self.async_on_remove(
            self.runtime.details.async_add_listener(self._handle_coordinator_update)
        )

    @property
    def thing(self) -> Thing:
        """Return the SIM's latest data (only valid while ``available``)."""
        return self.runtime.thing(self.thing_id)

    @property
    def available(self) -> bool:
        """Unavailable while its coordinator fails, or while the listing has no data of the SIM."""
        return super().available and self.thing_id in self.runtime.known_things()


def thing_platform_setup[DescriptionT: EntityDescription](
    platform: Platform,
    descriptions: Sequence[DescriptionT],
    entity_class: type[MonogotoThingEntity[Any]],
    *,
    exists: Callable[[DescriptionT, frozenset[Field]], bool] = lambda _, __: True,
    ready: Callable[[Thing], bool] | None = None,
    account_entities: Callable[[MonogotoRuntime], list[Entity]] = lambda _: [],
) -> Callable[
    [HomeAssistant, MonogotoConfigEntry, AddConfigEntryEntitiesCallback],
    Coroutine[Any, Any, None],
]:
    """Return the ``async_setup_entry`` of a platform of one entity per SIM and description.

    ``exists`` says which descriptions the account's fields allow; ``ready``, when given,
    whether a SIM's data (details included) calls for its entities yet; ``account_entities``
    are the platform's entities of the account device (added once, under the plan too).
    """

    async def async_setup_entry(
        hass: HomeAssistant,
        entry: MonogotoConfigEntry,
        async_add_entities: AddConfigEntryEntitiesCallback,
    ) -> None:
        """Add the platform's entities of every SIM, and of SIMs that appear later."""
        runtime = entry.runtime_data
        if account := account_entities(runtime):
            # Disabled only when the user filled the entry up to Home Assistant's cap.
            async_apply_entity_plan(runtime, platform, account)
            async_add_entities(account)
        async_add_thing_entities(
            entry,
            async_add_entities,
            descriptions,
            exists,
            lambda thing, description: entity_class(
                runtime, entity_class.coordinator_of(runtime), thing, description
            ),
            platform=platform,
            ready=ready,
        )

    return async_setup_entry


def async_add_thing_entities[DescriptionT: EntityDescription](
    entry: MonogotoConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    descriptions: Sequence[DescriptionT],
    exists: Callable[[DescriptionT, frozenset[Field]], bool],
    make: Callable[[Thing, DescriptionT], Entity],
    *,
    platform: Platform,
    ready: Callable[[Thing], bool] | None = None,
) -> None:
    """Add SIM entities now and as SIMs or fields appear (``exists`` sees the account's fields).

    A SIM for which ``ready`` says no yet is looked at again at every refresh.
    """
    runtime = entry.runtime_data
    #: The description keys added, per SIM: one shared set for SIMs alike (thousands of them).
    added: dict[str, frozenset[str]] = {}

    @callback
    def add_new() -> None:
        things = runtime.known_things()
        fields = runtime.fields()
        wanted = [d for d in descriptions if exists(d, fields)]
        wanted_keys = frozenset(d.key for d in wanted)
        for thing_id in added.keys() - things.keys():
            del added[thing_id]
        new: list[Entity] = []
        for thing_id, thing in things.items():
            have = added.get(thing_id, frozenset())
            if have is wanted_keys or have >= wanted_keys:
                continue
            if ready is not None and not ready(runtime.thing(thing_id)):
                continue
            new += [make(thing, d) for d in wanted if d.key not in have]
            added[thing_id] = have | wanted_keys if have else wanted_keys
        async_apply_entity_plan(
            runtime, platform, new, runtime.entity_plan().enabled | ROOM_LEFT
        )
        if new:
            async_add_entities(new)

    add_new()
    for coordinator in (runtime.things, runtime.details):
        entry.async_on_unload(coordinator.async_add_listener(add_new))


@callback
def async_apply_entity_plan(
    runtime: MonogotoRuntime,
    platform: Platform,
    entities: Iterable[Entity],
    enabled_keys: Collection[str] | None = None,
) -> None:
    """Start disabled the new entities the plan leaves out or the entity cap has no room for.

    ``enabled_keys`` are the description keys the plan enables (None: any). Entities
    disabled by default anyway take no room.
    """
    planned: list[Entity] = []
    for entity in entities:
        if not entity.entity_registry_enabled_default:
            continue
        if enabled_keys is None or entity.entity_description.key in enabled_keys:
            planned.append(entity)
        else:
            entity._attr_entity_registry_enabled_default = False  # noqa: SLF001
    granted = runtime.claim_enabled(platform, [str(e.unique_id) for e in planned])
    for entity in planned:
        if entity.unique_id not in granted:
            entity._attr_entity_registry_enabled_default = False  # noqa: SLF001
