"""Sensors of a SIM: its state, usage, last activity and (diagnostic) identifiers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory, Platform, UnitOfInformation
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .api import Field, Thing, ThingState
from .const import DOMAIN
from .coordinator import MonogotoConfigEntry, MonogotoRuntime, ThingsCoordinator
from .entity import (
    MonogotoThingEntity,
    async_add_thing_entities,
    async_apply_entity_plan,
)
from .networks import COUNTRY_NAMES, MCC_COUNTRY, NETWORK_NAMES

# Read-only platform fed by the coordinator: no per-entity update calls to limit.
PARALLEL_UPDATES = 0

SIM_STATE_OPTIONS = [state.lower() for state in ThingState]
#: The account device's name: ``device.account.name`` in strings.json.
ACCOUNT_DEVICE_TRANSLATION_KEY = "account"


@dataclass(frozen=True, kw_only=True)
class MonogotoSensorEntityDescription(SensorEntityDescription):
    """Describes a SIM sensor: the field it shows and how to read it from a ``Thing``."""

    value_fn: Callable[[Thing], StateType | datetime]
    #: The field the value comes from: the sensor exists when the account carries it, and is
    #: available while the source of that field (the listing, or else the details) is.
    field: Field
    attributes_fn: Callable[[Thing], Mapping[str, Any] | None] = lambda _: None


def _sim_state(thing: Thing) -> str | None:
    state = thing.sim_state
    return state.lower() if state else None


def _country_code(thing: Thing) -> str | None:
    return MCC_COUNTRY.get(thing.network[:3]) if thing.network else None


def _roaming_country(thing: Thing) -> str | None:
    """Return the name of the country the SIM roams in (its MCC), or the MCC if unknown."""
    if not thing.network:
        return None
    code = _country_code(thing)
    return COUNTRY_NAMES.get(code, code) if code else thing.network[:3]


def _network_name(thing: Thing) -> str | None:
    """Return the serving network's name, or its ``MCC-MNC`` when the table lacks it."""
    if not thing.network:
        return None
    return NETWORK_NAMES.get(thing.network, thing.network)


SENSORS: tuple[MonogotoSensorEntityDescription, ...] = (
    MonogotoSensorEntityDescription(
        key="sim_state",
        translation_key="sim_state",
        device_class=SensorDeviceClass.ENUM,
        options=SIM_STATE_OPTIONS,
        field=Field.STATE,
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
        field=Field.DATA_USED,
        value_fn=lambda thing: thing.data_used,
    ),
    MonogotoSensorEntityDescription(
        key="sms_sent",
        translation_key="sms_sent",
        state_class=SensorStateClass.TOTAL_INCREASING,
        field=Field.SMS_SENT,
        value_fn=lambda thing: thing.sms_sent,
    ),
    MonogotoSensorEntityDescription(
        key="last_data_activity",
        translation_key="last_data_activity",
        device_class=SensorDeviceClass.TIMESTAMP,
        field=Field.LAST_DATA_ACTIVITY,
        value_fn=lambda thing: thing.last_data_activity,
    ),
    MonogotoSensorEntityDescription(
        key="last_network_registration",
        translation_key="last_network_registration",
        device_class=SensorDeviceClass.TIMESTAMP,
        field=Field.LAST_NETWORK_REGISTRATION,
        value_fn=lambda thing: thing.last_network_registration,
    ),
    MonogotoSensorEntityDescription(
        key="operator",
        translation_key="operator",
        field=Field.OPERATOR,
        value_fn=lambda thing: thing.operator,
    ),
    MonogotoSensorEntityDescription(
        key="roaming_country",
        translation_key="roaming_country",
        field=Field.NETWORK,
        value_fn=_roaming_country,
        attributes_fn=lambda thing: {
            "country_code": _country_code(thing),
            "mcc": thing.network[:3] if thing.network else None,
        },
    ),
    MonogotoSensorEntityDescription(
        key="network",
        translation_key="network",
        field=Field.NETWORK,
        value_fn=_network_name,
        attributes_fn=lambda thing: {"plmn": thing.network},
    ),
    *(
        MonogotoSensorEntityDescription(
            key=field.value,
            translation_key=field.value,
            entity_category=EntityCategory.DIAGNOSTIC,
            entity_registry_enabled_default=False,
            field=field,
            value_fn=value_fn,
        )
        for field, value_fn in (
            (Field.IMEI, lambda thing: thing.imei),
            (Field.IMSI, lambda thing: thing.imsi),
            (Field.MSISDN, lambda thing: thing.msisdn),
            (Field.IP_ADDRESS, lambda thing: thing.ip_address),
            (Field.APN, lambda thing: thing.apn),
            (Field.CELL_ID, lambda thing: thing.cell_id),
        )
    ),
)


@dataclass(frozen=True, kw_only=True)
class MonogotoAccountSensorEntityDescription(SensorEntityDescription):
    """Describes an account total, computed from every SIM."""

    value_fn: Callable[[list[Thing]], StateType]


def _count_states(*states: ThingState) -> Callable[[list[Thing]], int]:
    return lambda things: sum(thing.sim_state in states for thing in things)


ACCOUNT_SENSORS: tuple[MonogotoAccountSensorEntityDescription, ...] = (
    MonogotoAccountSensorEntityDescription(
        key="sims_total",
        translation_key="sims_total",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=len,
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
        value_fn=lambda things: sum(
            thing.sim_state not in (ThingState.ACTIVE, ThingState.SUSPENDED)
            for thing in things
        ),
    ),
    MonogotoAccountSensorEntityDescription(
        key="data_used_total",
        translation_key="data_used_total",
        device_class=SensorDeviceClass.DATA_SIZE,
        native_unit_of_measurement=UnitOfInformation.BYTES,
        suggested_unit_of_measurement=UnitOfInformation.MEGABYTES,
        suggested_display_precision=1,
        # Like each SIM's: the counters restart with the billing period, and long-term
        # statistics must read that as a new cycle, not as a huge negative change.
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda things: sum(thing.data_used or 0 for thing in things),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MonogotoConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the account totals, and the sensors of every SIM (also of SIMs added later)."""
    runtime = entry.runtime_data
    totals = [
        MonogotoAccountSensor(runtime, description) for description in ACCOUNT_SENSORS
    ]
    # Disabled only when the user filled the entry up to Home Assistant's cap.
    async_apply_entity_plan(runtime, Platform.SENSOR, totals)
    async_add_entities(totals)
    async_add_thing_entities(
        entry,
        async_add_entities,
        SENSORS,
        lambda description, fields: description.field in fields,
        lambda thing, description: MonogotoSensor(
            runtime, runtime.things, thing, description
        ),
        platform=Platform.SENSOR,
    )


class MonogotoSensor(MonogotoThingEntity[ThingsCoordinator], SensorEntity):
    """A sensor of one SIM, from the listing or, for what the listing lacks, the details."""

    entity_description: MonogotoSensorEntityDescription

    async def async_added_to_hass(self) -> None:
        """Also follow the details, which complete what the listing lacks."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.runtime.details.async_add_listener(self._handle_coordinator_update)
        )

    @property
    def available(self) -> bool:
        """A field that only the details carry is unavailable while they fail."""
        if not super().available:
            return False
        listed = self.runtime.known_things()[self.thing_id]
        return (
            self.entity_description.field in listed.present
            or self.runtime.details.last_update_success
        )

    @property
    def native_value(self) -> StateType | datetime:
        """Return the value from the latest poll."""
        return self.entity_description.value_fn(self.thing)

    @property
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """Return the codes behind a value, for the sensors that have them."""
        return self.entity_description.attributes_fn(self.thing)


class MonogotoAccountSensor(CoordinatorEntity[ThingsCoordinator], SensorEntity):
    """A total over every SIM, on the account's service device."""

    _attr_has_entity_name = True
    entity_description: MonogotoAccountSensorEntityDescription

    def __init__(
        self,
        runtime: MonogotoRuntime,
        description: MonogotoAccountSensorEntityDescription,
    ) -> None:
        """Attach the sensor to the account device (keyed by entry, not by CustomerId).

        The device is named "Monogoto account" (translated), never after the entry's title:
        that is the login, usually an e-mail address, which must not end up in entity ids.
        """
        super().__init__(runtime.things)
        self.runtime = runtime
        self.entity_description = description
        entry_id = runtime.entry.entry_id
        self._attr_unique_id = f"{entry_id}_{description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, entry_id)},
            entry_type=DeviceEntryType.SERVICE,
            manufacturer="Monogoto",
            model="Account",
            translation_key=ACCOUNT_DEVICE_TRANSLATION_KEY,
        )

    async def async_added_to_hass(self) -> None:
        """Also follow the details (usage may come from them)."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.runtime.details.async_add_listener(self._handle_coordinator_update)
        )

    @property
    def native_value(self) -> StateType:
        """Return the total from the latest poll."""
        runtime = self.runtime
        things = [runtime.thing(thing_id) for thing_id in runtime.known_things()]
        return self.entity_description.value_fn(things)
