"""Buttons of a SIM: ping the device behind it, and reset its connection.

Both act on the live device through the console, one press at a time. A ping that gets no
answer is an error the user sees; the last ping's result is kept as the button's attributes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.const import EntityCategory, Platform
from homeassistant.exceptions import HomeAssistantError

from .actions import async_ping, async_reset_connection
from .const import DOMAIN
from .coordinator import ThingsCoordinator
from .entity import MonogotoThingEntity, thing_platform_setup
from .runtime import MonogotoRuntime

# Each press calls the console for a live device: one at a time.
PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class MonogotoButtonEntityDescription(ButtonEntityDescription):
    """Describes a SIM button: what pressing it does."""

    press_fn: Callable[[MonogotoSimButton], Awaitable[None]]


async def _ping(button: MonogotoSimButton) -> None:
    result = await async_ping(button.runtime, button.thing_id, button.device_name)
    trips = result.round_trips_ms
    button.last_result = {
        "sent": result.sent,
        "received": result.received,
        "packet_loss": result.packet_loss,
        "round_trip_average_ms": round(sum(trips) / len(trips), 1) if trips else None,
    }
    button.async_write_ha_state()
    if not result.received:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="ping_no_reply",
            translation_placeholders={"device": button.device_name},
        )


async def _reset(button: MonogotoSimButton) -> None:
    await async_reset_connection(button.runtime, button.thing_id)


BUTTONS: tuple[MonogotoButtonEntityDescription, ...] = tuple(
    MonogotoButtonEntityDescription(
        key=key, translation_key=key, entity_category=category, press_fn=press_fn
    )
    for key, category, press_fn in (
        ("ping", EntityCategory.DIAGNOSTIC, _ping),
        ("reset_connection", EntityCategory.CONFIG, _reset),
    )
)


class MonogotoSimButton(MonogotoThingEntity[ThingsCoordinator], ButtonEntity):
    """A button acting on the device behind a SIM."""

    entity_description: MonogotoButtonEntityDescription

    def __init__(
        self,
        runtime: MonogotoRuntime,
        coordinator: ThingsCoordinator,
        thing: Any,
        description: MonogotoButtonEntityDescription,
    ) -> None:
        """Start without a result."""
        super().__init__(runtime, coordinator, thing, description)
        self.last_result: dict[str, Any] | None = None

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Return the last ping's result (no address in it)."""
        return self.last_result

    async def async_press(self) -> None:
        """Act on the device."""
        await self.entity_description.press_fn(self)


async_setup_entry = thing_platform_setup(Platform.BUTTON, BUTTONS, MonogotoSimButton)
