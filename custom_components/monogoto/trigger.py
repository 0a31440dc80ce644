"""Triggers for SIMs, offered in the automation editor (``triggers.yaml``, strings "triggers").

Home Assistant's integration trigger platform (not the older device automations, which core no
longer accepts for new work): each trigger targets SIM entities, picked directly or through
their SIM device, and is built on Home Assistant's entity-trigger helpers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, override

import probatio as vol

from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.components.sensor import SensorDeviceClass
from homeassistant.const import (
    CONF_OPTIONS,
    STATE_OFF,
    STATE_ON,
    Platform,
    UnitOfInformation,
)
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.automation import DomainSpec
from homeassistant.helpers.trigger import (
    ENTITY_STATE_TRIGGER_SCHEMA_WITH_BEHAVIOR,
    EntityTriggerBase,
    Trigger,
    TriggerConfig,
    make_entity_numerical_state_crossed_threshold_with_unit_trigger,
    make_entity_target_state_trigger,
)
from homeassistant.helpers.trigger.entity_trigger import NotTriggeredReasonReporter
from homeassistant.util.unit_conversion import InformationConverter

from .sensor import SIM_STATE_OPTIONS

CONF_STATES: Final = "states"

#: The SIM state sensor is the integration's only enum sensor.
SIM_STATE_SPEC: Mapping[str, DomainSpec] = {
    Platform.SENSOR: DomainSpec(device_class=SensorDeviceClass.ENUM)
}
ONLINE_SPEC: Mapping[str, DomainSpec] = {
    Platform.BINARY_SENSOR: DomainSpec(
        device_class=BinarySensorDeviceClass.CONNECTIVITY
    )
}
DATA_USED_SPEC: Mapping[str, DomainSpec] = {
    Platform.SENSOR: DomainSpec(device_class=SensorDeviceClass.DATA_SIZE)
}

SIM_STATE_CHANGED_SCHEMA = ENTITY_STATE_TRIGGER_SCHEMA_WITH_BEHAVIOR.extend(
    {
        vol.Required(CONF_OPTIONS, default={}): {
            vol.Optional(CONF_STATES, default=[]): vol.All(
                cv.ensure_list, [vol.In(SIM_STATE_OPTIONS)]
            ),
        },
    }
)


class SimStateChangedTrigger(EntityTriggerBase):
    """Fires when a SIM's state changes: to any state, or to one of the chosen states."""

    _domain_specs = SIM_STATE_SPEC
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


TRIGGERS: dict[str, type[Trigger]] = {
    "sim_state_changed": SimStateChangedTrigger,
    "went_online": make_entity_target_state_trigger(ONLINE_SPEC, STATE_ON),
    "went_offline": make_entity_target_state_trigger(ONLINE_SPEC, STATE_OFF),
    "data_used_crossed_threshold": (
        make_entity_numerical_state_crossed_threshold_with_unit_trigger(
            DATA_USED_SPEC, UnitOfInformation.BYTES, InformationConverter
        )
    ),
}


async def async_get_triggers(hass: HomeAssistant) -> dict[str, type[Trigger]]:
    """Return the SIM triggers."""
    return TRIGGERS
