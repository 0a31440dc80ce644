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
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .api import Thing, ThingState
from .const import DOMAIN
from .coordinator import MonogotoConfigEntry, MonogotoCoordinator, MonogotoData
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


@dataclass(frozen=True, kw_only=True)
class MonogotoAccountSensorEntityDescription(SensorEntityDescription):
    """Describes an account total, computed from every SIM."""

    value_fn: Callable[[MonogotoData], StateType]


def _count_states(*states: ThingState) -> Callable[[MonogotoData], int]:
    return lambda data: sum(thing.sim_state in states for thing in data.things.values())


ACCOUNT_SENSORS: tuple[MonogotoAccountSensorEntityDescription, ...] = (
    MonogotoAccountSensorEntityDescription(
        key="sims_total",
        translation_key="sims_total",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data: len(data.things),
    ),
    MonogotoAccountSensorEntityDescription(
        key="sims_active",
        translation_key="sims_active",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=_count_states(ThingState.ACTIVE),
    ),
    MonogotoAccountSensorEntityDescription(
        key="sims_suspended",
        translation_key="sims_suspended",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=_count_states(ThingState.SUSPENDED),
    ),
    MonogotoAccountSensorEntityDescription(
        key="sims_other",
        translation_key="sims_other",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data: sum(
            thing.sim_state not in (ThingState.ACTIVE, ThingState.SUSPENDED)
            for thing in data.things.values()
        ),
    ),
    MonogotoAccountSensorEntityDescription(
        key="data_used_total",
        translation_key="data_used_total",
        device_class=SensorDeviceClass.DATA_SIZE,
        native_unit_of_measurement=UnitOfInformation.BYTES,
        suggested_unit_of_measurement=UnitOfInformation.MEGABYTES,
        suggested_display_precision=1,
        state_class=SensorStateClass.TOTAL,
        value_fn=lambda data: sum(
            thing.data_used or 0 for thing in data.things.values()
        ),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MonogotoConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the account totals, and the sensors of every SIM (also of SIMs added later)."""
    coordinator = entry.runtime_data
    async_add_entities(
        MonogotoAccountSensor(coordinator, description)
        for description in ACCOUNT_SENSORS
    )
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


class MonogotoAccountSensor(CoordinatorEntity[MonogotoCoordinator], SensorEntity):
    """A total over every SIM, on the account's service device."""

    _attr_has_entity_name = True
    entity_description: MonogotoAccountSensorEntityDescription

    def __init__(
        self,
        coordinator: MonogotoCoordinator,
        description: MonogotoAccountSensorEntityDescription,
    ) -> None:
        """Attach the sensor to the account device (keyed by entry, not by CustomerId)."""
        super().__init__(coordinator)
        self.entity_description = description
        entry_id = coordinator.config_entry.entry_id
        self._attr_unique_id = f"{entry_id}_{description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, entry_id)},
            entry_type=DeviceEntryType.SERVICE,
            manufacturer="Monogoto",
            model="Account",
            name=coordinator.config_entry.title,
        )

    @property
    def native_value(self) -> StateType:
        """Return the total from the latest poll."""
        return self.entity_description.value_fn(self.coordinator.data)
