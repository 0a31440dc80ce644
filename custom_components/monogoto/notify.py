"""A notify entity per SIM: ``notify.send_message`` texts the device behind it by SMS."""

from __future__ import annotations

from homeassistant.components.notify import NotifyEntity, NotifyEntityDescription
from homeassistant.const import Platform

from .actions import async_send_sms
from .coordinator import ThingsCoordinator
from .entity import MonogotoThingEntity, thing_platform_setup

# Each message is a billable SMS on the live account: one at a time.
PARALLEL_UPDATES = 1

SMS = NotifyEntityDescription(key="sms", translation_key="sms")


class MonogotoSmsEntity(MonogotoThingEntity[ThingsCoordinator], NotifyEntity):
    """Sends an SMS to the SIM (``POST /thing/{id}/sms``); the title is not sent."""

    async def async_send_message(self, message: str, title: str | None = None) -> None:
        """Send ``message`` as one SMS (checked before any request)."""
        await async_send_sms(self.runtime, self.thing_id, message)


async_setup_entry = thing_platform_setup(Platform.NOTIFY, [SMS], MonogotoSmsEntity)
