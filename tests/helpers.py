"""Small helpers shared by the integration tests."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.monogoto.const import SCAN_INTERVAL
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er


def entity_id_of(hass: HomeAssistant, platform: str, thing_id: str, key: str) -> str:
    """Return the entity id of a SIM entity, found by its unique id."""
    entity_id = er.async_get(hass).async_get_entity_id(
        platform, "monogoto", f"{thing_id}_{key}"
    )
    assert entity_id is not None, f"no {platform} entity {key}"
    return entity_id


def state_of(hass: HomeAssistant, platform: str, thing_id: str, key: str) -> State:
    """Return the state object of a SIM entity."""
    state = hass.states.get(entity_id_of(hass, platform, thing_id, key))
    assert state is not None
    return state


async def next_poll(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float | None = None
) -> None:
    """Move time past the next poll (the coordinator adds a sub-second offset) and let it run."""
    freezer.tick(seconds if seconds is not None else SCAN_INTERVAL.total_seconds() + 1)
    async_fire_time_changed(hass)
    # Polls run as background tasks and, here, wait on real sockets: wait for those too.
    await hass.async_block_till_done(wait_background_tasks=True)
