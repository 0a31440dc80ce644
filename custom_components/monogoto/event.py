"""Event entities of a SIM: its SMS (received, sent) and its data sessions, as the Hub pushes them.

They fire only from pushes (``webhook.py``); polling has no events to give. Each carries what
the payload gave: the network, the bytes of a data session, a received SMS's sender and text.
They are unavailable while real-time events are turned off (no webhook is registered).
"""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.const import Platform

from .coordinator import ThingsCoordinator
from .entity import MonogotoThingEntity, thing_platform_setup
from .push import PushEvent, PushKind

# Fed by pushes, no update calls to limit.
PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class MonogotoEventEntityDescription(EventEntityDescription):
    """Describes a SIM's event entity: the pushed kinds it fires for."""

    kinds: frozenset[PushKind]


SMS_EVENTS = MonogotoEventEntityDescription(
    key="sms_events",
    translation_key="sms_events",
    event_types=[PushKind.SMS_RECEIVED.value, PushKind.SMS_SENT.value],
    kinds=frozenset({PushKind.SMS_RECEIVED, PushKind.SMS_SENT}),
)
DATA_SESSIONS = MonogotoEventEntityDescription(
    key="data_sessions",
    translation_key="data_sessions",
    event_types=["started"],
    kinds=frozenset({PushKind.DATA}),
)


class MonogotoEventEntity(MonogotoThingEntity[ThingsCoordinator], EventEntity):
    """Fires when the Hub pushes one of its kinds of events for the SIM."""

    entity_description: MonogotoEventEntityDescription

    async def async_added_to_hass(self) -> None:
        """Listen to the SIM's pushed events."""
        await super().async_added_to_hass()
        self.async_on_remove(self.runtime.push.listen(self.thing_id, self._on_push))

    def _on_push(self, event: PushEvent) -> None:
        if event.kind not in self.entity_description.kinds:
            return
        event_type = "started" if event.kind is PushKind.DATA else event.kind.value
        self._trigger_event(event_type, event.details)
        self.async_write_ha_state()

    @property
    def available(self) -> bool:
        """Unavailable while no webhook receives pushes (real-time events turned off)."""
        return super().available and self.runtime.push.enabled


async_setup_entry = thing_platform_setup(
    Platform.EVENT, [SMS_EVENTS, DATA_SESSIONS], MonogotoEventEntity
)
