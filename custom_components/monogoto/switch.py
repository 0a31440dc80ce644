"""The SIM switch: on = ACTIVE, off = SUSPENDED."""

from __future__ import annotations

from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import SETTABLE_STATES, ThingState
from .coordinator import MonogotoConfigEntry, ThingsCoordinator
from .entity import MonogotoThingEntity, async_add_thing_entities

# Each switch writes to the live, billable account: one write at a time.
PARALLEL_UPDATES = 1

SIM_SWITCH = SwitchEntityDescription(key="sim", translation_key="sim")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MonogotoConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the SIM switch of every SIM, and of SIMs that appear later."""
    runtime = entry.runtime_data
    async_add_thing_entities(
        entry,
        async_add_entities,
        [SIM_SWITCH],
        lambda description, fields: True,
        lambda thing, description: MonogotoSimSwitch(
            runtime, runtime.things, thing, description
        ),
    )


class MonogotoSimSwitch(MonogotoThingEntity[ThingsCoordinator], SwitchEntity):
    """Activates or suspends a SIM."""

    @property
    def available(self) -> bool:
        """Only a SIM that is active or suspended can be switched."""
        return super().available and self.thing.sim_state in SETTABLE_STATES

    @property
    def is_on(self) -> bool:
        """Return whether the SIM is active."""
        return self.thing.sim_state is ThingState.ACTIVE

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Activate the SIM."""
        await self.runtime.async_set_sim_state(self.thing_id, ThingState.ACTIVE)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Suspend the SIM."""
        await self.runtime.async_set_sim_state(self.thing_id, ThingState.SUSPENDED)
