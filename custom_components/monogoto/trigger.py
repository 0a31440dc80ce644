"""Triggers for SIMs, offered in the automation editor (``triggers.yaml``, strings "triggers").

Home Assistant's integration trigger platform (not the older device automations, which core no
longer accepts for new work): each trigger targets SIM entities, picked directly or through
their SIM device, and is built on Home Assistant's entity-trigger helpers.

Those helpers match an area's, floor's or label's entities by domain and device class only;
``OwnEntities`` also requires them to be this integration's, so a SIM trigger on an area never
fires for another integration's enum, connectivity or data-size entity there.
"""

from __future__ import annotations

from typing import override

import probatio as vol

from homeassistant.components.event import ATTR_EVENT_TYPE
from homeassistant.const import CONF_OPTIONS, STATE_OFF, STATE_ON, UnitOfInformation
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.trigger import (
    ENTITY_STATE_TRIGGER_SCHEMA_WITH_BEHAVIOR,
    EntityNumericalStateCrossedThresholdTriggerWithUnitBase,
    EntityTargetStateTriggerBase,
    EntityTriggerBase,
    StatelessEntityTriggerBase,
    Trigger,
    TriggerConfig,
)
from homeassistant.helpers.trigger.entity_trigger import NotTriggeredReasonReporter
from homeassistant.util.unit_conversion import InformationConverter

from .const import CONF_STATES, SIM_STATE_OPTIONS
from .targets import (
    DATA_USED_SPEC,
    EVENT_SPEC,
    ONLINE_SPEC,
    OwnEntitiesFilter,
    SimStateTarget,
)


class OwnEntities(OwnEntitiesFilter, EntityTriggerBase):
    """Base of the SIM triggers: they match only this integration's entities."""


SIM_STATE_CHANGED_SCHEMA = ENTITY_STATE_TRIGGER_SCHEMA_WITH_BEHAVIOR.extend(
    {
        vol.Required(CONF_OPTIONS, default={}): {
            vol.Optional(CONF_STATES, default=[]): vol.All(
                cv.ensure_list, [vol.In(SIM_STATE_OPTIONS)]
            ),
        },
    }
)


class SimStateChangedTrigger(SimStateTarget, OwnEntities):
    """Fires when a SIM's state changes: to any state, or to one of the chosen states."""

    _schema = SIM_STATE_CHANGED_SCHEMA

    def __init__(self, hass: HomeAssistant, config: TriggerConfig) -> None:
        """Remember the chosen states (none chosen: any change)."""
        super().__init__(hass, config)
        self._states = frozenset(self._options[CONF_STATES])

    @override
    def is_valid_state(
        self, state: State, report_not_triggered: NotTriggeredReasonReporter
    ) -> bool:
        """Match every state, or only the chosen ones."""
        return not self._states or state.state in self._states


class WentOnlineTrigger(OwnEntities, EntityTargetStateTriggerBase):
    """Fires when a SIM starts a data session."""

    _domain_specs = ONLINE_SPEC
    _to_states = {STATE_ON}  # noqa: RUF012 - the type the base class declares


class WentOfflineTrigger(OwnEntities, EntityTargetStateTriggerBase):
    """Fires when a SIM's data session ends."""

    _domain_specs = ONLINE_SPEC
    _to_states = {STATE_OFF}  # noqa: RUF012 - the type the base class declares


class DataUsedCrossedThresholdTrigger(
    OwnEntities, EntityNumericalStateCrossedThresholdTriggerWithUnitBase
):
    """Fires when a SIM's data used crosses a threshold."""

    _domain_specs = DATA_USED_SPEC
    _base_unit = UnitOfInformation.BYTES
    _unit_converter = InformationConverter


class _PushedEventTrigger(OwnEntitiesFilter, StatelessEntityTriggerBase):
    """Fires when one kind of this integration's event entities gets one event type."""

    _domain_specs = EVENT_SPEC
    _event_type: str

    @override
    def is_valid_state(
        self, state: State, report_not_triggered: NotTriggeredReasonReporter
    ) -> bool:
        """Match the trigger's event type."""
        return state.attributes.get(ATTR_EVENT_TYPE) == self._event_type


class SmsReceivedTrigger(_PushedEventTrigger):
    """Fires when the Hub pushes an SMS the SIM received."""

    _translation_key = "sms_events"
    _event_type = "received"


class DataSessionStartedTrigger(_PushedEventTrigger):
    """Fires when the Hub pushes a data session (a data CDR) of the SIM."""

    _translation_key = "data_sessions"
    _event_type = "started"


class DeviceSwappedTrigger(_PushedEventTrigger):
    """Fires when a SIM moved to another device (its old and new IMEI in ``to_state``)."""

    _translation_key = "device_swaps"
    _event_type = "swapped"


TRIGGERS: dict[str, type[Trigger]] = {
    "sim_state_changed": SimStateChangedTrigger,
    "went_online": WentOnlineTrigger,
    "went_offline": WentOfflineTrigger,
    "data_used_crossed_threshold": DataUsedCrossedThresholdTrigger,
    "sms_received": SmsReceivedTrigger,
    "data_session_started": DataSessionStartedTrigger,
    "device_swapped": DeviceSwappedTrigger,
}


async def async_get_triggers(hass: HomeAssistant) -> dict[str, type[Trigger]]:
    """Return the SIM triggers."""
    return TRIGGERS
