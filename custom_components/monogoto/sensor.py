"""Sensors of a SIM: its state, usage, last activity and (diagnostic) identifiers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory, UnitOfInformation
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from .api import Thing, ThingState
from .coordinator import MonogotoConfigEntry
from .entity import MonogotoThingEntity, async_add_thing_entities

# Read-only platform fed by the coordinator: no per-entity update calls to limit.
PARALLEL_UPDATES = 0

SIM_STATE_OPTIONS = [state.lower() for state in ThingState]


@dataclass(frozen=True, kw_only=True)
class MonogotoSensorEntityDescription(SensorEntityDescription):
    """Describes a SIM sensor: where its value comes from and when it exists."""

    value_fn: Callable[[Thing], StateType | datetime]
    #: The ``Thing`` attribute the value comes from; no entity when the console never sends it.
    field: str


def _sim_state(thing: Thing) -> str | None:
    state = thing.sim_state
    return state.lower() if state else None


SENSORS: tuple[MonogotoSensorEntityDescription, ...] = (
    MonogotoSensorEntityDescription(
        key="sim_state",
        translation_key="sim_state",
        device_class=SensorDeviceClass.ENUM,
        options=SIM_STATE_OPTIONS,
        field="state",
        value_fn=_sim_state,
    ),
    MonogotoSensorEntityDescription(
        key="data_used",
        translation_key="data_used",
        device_class=SensorDeviceClass.DATA_SIZE,
        native_unit_of_measurement=UnitOfInformation.BYTES,
        suggested_unit_of_measurement=UnitOfInformation.MEGABYTES,
        suggested_display_precision=1,
        state_class=SensorStateClass.TOTAL_INCREASING,
        field="data_used",
        value_fn=lambda thing: thing.data_used,
    ),
    MonogotoSensorEntityDescription(
        key="sms_sent",
        translation_key="sms_sent",
        state_class=SensorStateClass.TOTAL_INCREASING,
        field="sms_sent",
        value_fn=lambda thing: thing.sms_sent,
    ),
    MonogotoSensorEntityDescription(
        key="last_data_activity",
        translation_key="last_data_activity",
        device_class=SensorDeviceClass.TIMESTAMP,
        field="last_data_activity",
        value_fn=lambda thing: thing.last_data_activity,
    ),
    MonogotoSensorEntityDescription(
        key="last_network_registration",
        translation_key="last_network_registration",
        device_class=SensorDeviceClass.TIMESTAMP,
        field="last_network_registration",
        value_fn=lambda thing: thing.last_network_registration,
    ),
    MonogotoSensorEntityDescription(
        key="operator",
        translation_key="operator",
        field="operator",
        value_fn=lambda thing: thing.operator,
    ),
    *(
        MonogotoSensorEntityDescription(
            key=key,
            translation_key=key,
            entity_category=EntityCategory.DIAGNOSTIC,
            entity_registry_enabled_default=False,
            field=key,
            value_fn=attrgetter(key),
        )
        for key in ("imei", "imsi", "msisdn", "ip_address", "apn")
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MonogotoConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors of every SIM, and of SIMs that appear later."""
    async_add_thing_entities(
        entry,
        async_add_entities,
        lambda thing: (
            MonogotoSensor(entry.runtime_data, thing, description)
            for description in SENSORS
            if description.field in thing.present
        ),
    )


class MonogotoSensor(MonogotoThingEntity, SensorEntity):
    """A sensor of one SIM."""

    entity_description: MonogotoSensorEntityDescription

    @property
    def native_value(self) -> StateType | datetime:
        """Return the value from the latest poll."""
        return self.entity_description.value_fn(self.thing)
