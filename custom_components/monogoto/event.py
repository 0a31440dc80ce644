"""Event entities of a SIM: its SMS (received, sent) and data sessions as pushed, and its device swaps.

The pushed ones fire only from pushes (``webhook.py``); polling has no events to give. Each
carries what the payload gave: the network, the bytes of a data session, a received SMS's
sender and text. They are unavailable while real-time events are turned off (no webhook is
registered). The device swaps come from the listing (``swaps.py``): a SIM whose IMEI changed
moved to another device, perhaps a thief's phone.
"""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.const import Platform
from homeassistant.core import callback

from .api import Field
from .const import LOGGER
from .coordinator import ThingsCoordinator
from .entity import MonogotoThingEntity, combined_setup, thing_platform_setup
from .push import PushEvent, PushKind
from .swaps import ImeiWatch

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
        self.runtime.push.listen(self.thing_id, self)

    async def async_will_remove_from_hass(self) -> None:
        """Stop listening to the SIM's pushed events."""
        self.runtime.push.unlisten(self.thing_id, self)
        await super().async_will_remove_from_hass()

    def handle_push(self, event: PushEvent) -> None:
        """Fire the event, when it is of this entity's kinds."""
        if event.kind not in self.entity_description.kinds:
            return
        event_type = "started" if event.kind is PushKind.DATA else event.kind.value
        self._trigger_event(event_type, event.details)
        self.async_write_ha_state()

    @property
    def available(self) -> bool:
        """Unavailable while no webhook receives pushes (real-time events turned off)."""
        return super().available and self.runtime.push.enabled


DEVICE_SWAPS = EventEntityDescription(
    key="device_swaps", translation_key="device_swaps", event_types=["swapped"]
)


class MonogotoDeviceSwapEntity(MonogotoThingEntity[ThingsCoordinator], EventEntity):
    """Fires when a listing shows the SIM in another device than the one before (its IMEI).

    The IMEIs are in the event's data, for automations, but never recorded (history,
    backups) nor logged.
    """

    _unrecorded_attributes = frozenset({"old_imei", "new_imei"})
    _watch: ImeiWatch | None = None

    @property
    def fields(self) -> frozenset[Field]:
        """Return the field the swaps are seen in."""
        return frozenset({Field.IMEI})

    async def async_added_to_hass(self) -> None:
        """Start watching from the IMEI the SIM is in now."""
        await super().async_added_to_hass()
        self._watch = ImeiWatch(self.thing.imei if self.available else None)

    @callback
    def _handle_coordinator_update(self) -> None:
        """Fire once for a new IMEI, then show the entity as usual."""
        if self._watch is not None and self.available:
            swap = self._watch.seen(self.thing.imei)
            if swap is not None:
                LOGGER.info("%s moved to another device", self.thing.alias)
                self._trigger_event(
                    "swapped", {"old_imei": swap.old_imei, "new_imei": swap.new_imei}
                )
        super()._handle_coordinator_update()


async_setup_entry = combined_setup(
    thing_platform_setup(
        Platform.EVENT, [SMS_EVENTS, DATA_SESSIONS], MonogotoEventEntity
    ),
    thing_platform_setup(
        Platform.EVENT,
        [DEVICE_SWAPS],
        MonogotoDeviceSwapEntity,
        exists=lambda _, fields: Field.IMEI in fields,
    ),
)
