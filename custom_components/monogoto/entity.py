"""The base entity of a SIM (its device, unique id, source and availability) and adding SIM entities as they appear."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from typing import Any, ClassVar

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .api import Field, Thing
from .const import DOMAIN
from .coordinator import MonogotoCoordinator
from .runtime import MonogotoConfigEntry, MonogotoRuntime


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
    """An entity of one SIM (a Monogoto *thing*), fed by one of the entry's coordinators.

    Its value comes from ``runtime.thing`` (or its coordinator's per-SIM data); whether it
    can show one is ``runtime.available``'s decision. It also follows the details when its
    ``fields`` come from them (or always, with ``FOLLOWS_DETAILS``).
    """

    _attr_has_entity_name = True
    #: Whether the entity follows the details whatever its field says.
    FOLLOWS_DETAILS: ClassVar[bool] = False

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

    @property
    def fields(self) -> frozenset[Field]:
        """Return the fields the entity's value may come from (empty: none in particular)."""
        return frozenset()

    async def async_added_to_hass(self) -> None:
        """Also follow the details when they, not the listing, carry the entity's data.

        Only then: a listener per entity of every SIM is memory a fleet pays for nothing.
        """
        await super().async_added_to_hass()
        if self.FOLLOWS_DETAILS or self.runtime.reads_details(
            self.thing_id, self.fields
        ):
            self.async_on_remove(
                self.runtime.details.async_add_listener(self._handle_coordinator_update)
            )

    @property
    def device_name(self) -> str:
        """Return the SIM's device name as the user sees it."""
        device = self.device_entry
        name = (device.name_by_user or device.name) if device else None
        return name or self.thing.display_name

    @property
    def thing(self) -> Thing:
        """Return the SIM's latest data (only valid while ``available``)."""
        return self.runtime.thing(self.thing_id)

    @property
    def available(self) -> bool:
        """Return what ``runtime.available`` decides for the SIM, the coordinator and the field."""
        return self.runtime.available(self.thing_id, self.coordinator, self.fields)


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
            runtime.planner.apply(platform, account)
            async_add_entities(account)
        sims = _SimEntities(
            runtime, platform, descriptions, entity_class, exists, ready
        )
        sims.add_new(async_add_entities)
        for coordinator in (runtime.things, runtime.details):
            add_new = partial(sims.add_new, async_add_entities)
            entry.async_on_unload(coordinator.async_add_listener(add_new))

    return async_setup_entry


type PlatformSetup = Callable[
    [HomeAssistant, MonogotoConfigEntry, AddConfigEntryEntitiesCallback],
    Coroutine[Any, Any, None],
]


def combined_setup(*setups: PlatformSetup) -> PlatformSetup:
    """Return the ``async_setup_entry`` of a platform whose SIM entities are of several classes."""

    async def async_setup_entry(
        hass: HomeAssistant,
        entry: MonogotoConfigEntry,
        async_add_entities: AddConfigEntryEntitiesCallback,
    ) -> None:
        """Set up each class's entities in turn."""
        for setup in setups:
            await setup(hass, entry, async_add_entities)

    return async_setup_entry


@dataclass(slots=True)
class _SimEntities[DescriptionT: EntityDescription]:
    """Adds a platform's SIM entities now and as SIMs or fields appear.

    ``exists`` sees the account's fields; a SIM for which ``ready`` says no yet is looked
    at again at every refresh.
    """

    runtime: MonogotoRuntime
    platform: Platform
    descriptions: Sequence[DescriptionT]
    entity_class: type[MonogotoThingEntity[Any]]
    exists: Callable[[DescriptionT, frozenset[Field]], bool]
    ready: Callable[[Thing], bool] | None
    #: The description keys added, per SIM: one shared set for SIMs alike (thousands of them).
    added: dict[str, frozenset[str]] = field(default_factory=dict)

    @callback
    def add_new(self, async_add_entities: AddConfigEntryEntitiesCallback) -> None:
        """Add the entities the SIMs lack, under the entity plan."""
        runtime = self.runtime
        things = runtime.known_things()
        fields = runtime.fields()
        wanted = [d for d in self.descriptions if self.exists(d, fields)]
        wanted_keys = frozenset(d.key for d in wanted)
        for thing_id in self.added.keys() - things.keys():
            del self.added[thing_id]
        coordinator = self.entity_class.coordinator_of(runtime)
        new: list[Entity] = []
        for thing_id, thing in things.items():
            have = self.added.get(thing_id, frozenset())
            if have is wanted_keys or have >= wanted_keys:
                continue
            if self.ready is not None and not self.ready(runtime.thing(thing_id)):
                continue
            new += [
                self.entity_class(runtime, coordinator, thing, d)
                for d in wanted
                if d.key not in have
            ]
            self.added[thing_id] = have | wanted_keys if have else wanted_keys
        runtime.planner.apply(self.platform, new, runtime.entity_plan().left_disabled)
        if new:
            async_add_entities(new)
