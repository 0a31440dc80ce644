"""A notify entity per SIM: ``notify.send_message`` texts the device behind it by SMS."""

from __future__ import annotations

from homeassistant.components.notify import NotifyEntity, NotifyEntityDescription
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import MonogotoConfigEntry, ThingsCoordinator
from .entity import MonogotoThingEntity, async_add_thing_entities

# Each message is a billable SMS on the live account: one at a time.
PARALLEL_UPDATES = 1

SMS = NotifyEntityDescription(key="sms", translation_key="sms")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MonogotoConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the SMS entity of every SIM, and of SIMs that appear later."""
    runtime = entry.runtime_data
    async_add_thing_entities(
        entry,
        async_add_entities,
        [SMS],
        lambda description, fields: True,
        lambda thing, description: MonogotoSmsEntity(
            runtime, runtime.things, thing, description
        ),
        platform=Platform.NOTIFY,
    )


class MonogotoSmsEntity(MonogotoThingEntity[ThingsCoordinator], NotifyEntity):
    """Sends an SMS to the SIM (``POST /thing/{id}/sms``); the title is not sent."""

    async def async_send_message(self, message: str, title: str | None = None) -> None:
        """Send ``message`` as one SMS (checked before any request)."""
        await self.runtime.async_send_sms(self.thing_id, message)
