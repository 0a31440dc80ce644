"""Sensors of a SIM: its state, usage, last activity and (diagnostic) identifiers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, TypedDict

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory, Platform, UnitOfInformation
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.typing import StateType
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .api import Field, Thing, ThingState
from .const import (
    ACCOUNT_DEVICE_TRANSLATION_KEY,
    DOMAIN,
    SIM_STATE_KEY,
    SIM_STATE_OPTIONS,
)
from .coordinator import ThingsCoordinator
from .entity import MonogotoThingEntity, thing_platform_setup
from .networks import COUNTRIES, MCC_COUNTRY, NETWORK_COUNTRY, NETWORK_NAMES
from .push import PushEvent
from .runtime import MonogotoRuntime

# Read-only platform fed by the coordinator: no per-entity update calls to limit.
PARALLEL_UPDATES = 0


class _DataSize(TypedDict):
    device_class: SensorDeviceClass
    native_unit_of_measurement: UnitOfInformation
    suggested_unit_of_measurement: UnitOfInformation
    suggested_display_precision: int
    state_class: SensorStateClass


#: How a SIM's data use and the account's total show: bytes from the console, megabytes on
#: screen. The counters restart with the billing period, and long-term statistics must read
#: that as a new cycle (total increasing), not as a huge negative change.
DATA_SIZE: Final[_DataSize] = {
    "device_class": SensorDeviceClass.DATA_SIZE,
    "native_unit_of_measurement": UnitOfInformation.BYTES,
    "suggested_unit_of_measurement": UnitOfInformation.MEGABYTES,
    "suggested_display_precision": 1,
    "state_class": SensorStateClass.TOTAL_INCREASING,
}


@dataclass(frozen=True, kw_only=True)
class MonogotoSensorEntityDescription(SensorEntityDescription):
    """Describes a SIM sensor: the field it shows and how to read it from a ``Thing``."""

    value_fn: Callable[[Thing], StateType | datetime]
    #: The field the value comes from: the sensor exists when the account carries it, and is
    #: available while the source of that field (the listing, or else the details) is.
    field: Field
    #: A field the value falls back to when the first is empty, which makes the sensor exist
    #: on its own (the network's codes, for its name).
    fallback_field: Field | None = None
    attributes_fn: Callable[[Thing], Mapping[str, Any] | None] = lambda _: None

    @property
    def fields(self) -> frozenset[Field]:
        """Return the fields the value may come from."""
        if self.fallback_field is None:
            return frozenset((self.field,))
        return frozenset((self.field, self.fallback_field))


_STATE_OPTION = dict(zip(ThingState, SIM_STATE_OPTIONS, strict=True))


def _sim_state(thing: Thing) -> str | None:
    """Return the state as the sensor's option (one shared string, not a copy a SIM)."""
    state = thing.sim_state
    return _STATE_OPTION[state] if state else None


def _roaming_country(thing: Thing) -> str | None:
    """Return the serving network's country (ISO code): its own, else its MCC's default.

    None (unknown) for an MCC the table lacks; the ``mcc`` attribute still shows it.
    """
    if not thing.network:
        return None
    return NETWORK_COUNTRY.get(thing.network) or MCC_COUNTRY.get(thing.network[:3])


def _network_name(thing: Thing) -> str | None:
    """Return the serving network's name: the console's, else the table's, else its codes."""
    if thing.operator:
        return thing.operator
    if not thing.network:
        return None
    return NETWORK_NAMES.get(thing.network, thing.network)


def _field_sensor(
    field: Field,
    value_fn: Callable[[Thing], StateType | datetime],
    *,
    device_class: SensorDeviceClass | None = None,
    state_class: SensorStateClass | None = None,
    entity_category: EntityCategory | None = None,
    entity_registry_enabled_default: bool = True,
    attributes_fn: Callable[[Thing], Mapping[str, Any] | None] = lambda _: None,
) -> MonogotoSensorEntityDescription:
    """Describe the sensor of one field, keyed and translated by the field's name."""
    return MonogotoSensorEntityDescription(
        key=field.value,
        translation_key=field.value,
        device_class=device_class,
        state_class=state_class,
        entity_category=entity_category,
        entity_registry_enabled_default=entity_registry_enabled_default,
        field=field,
        value_fn=value_fn,
        attributes_fn=attributes_fn,
    )


SENSORS: tuple[MonogotoSensorEntityDescription, ...] = (
    MonogotoSensorEntityDescription(
        key=SIM_STATE_KEY,
        translation_key=SIM_STATE_KEY,
        device_class=SensorDeviceClass.ENUM,
        options=SIM_STATE_OPTIONS,
        field=Field.STATE,
        value_fn=_sim_state,
    ),
    MonogotoSensorEntityDescription(
        key="data_used",
        translation_key="data_used",
        **DATA_SIZE,
        field=Field.DATA_USED,
        value_fn=lambda thing: thing.data_used,
    ),
    _field_sensor(
        Field.SMS_SENT,
        lambda thing: thing.sms_sent,
        state_class=SensorStateClass.TOTAL_INCREASING,
    ),
    *(
        _field_sensor(field, value_fn, device_class=SensorDeviceClass.TIMESTAMP)
        for field, value_fn in (
            (Field.LAST_DATA_ACTIVITY, lambda thing: thing.last_data_activity),
            (
                Field.LAST_NETWORK_REGISTRATION,
                lambda thing: thing.last_network_registration,
            ),
        )
    ),
    MonogotoSensorEntityDescription(
        key="roaming_country",
        translation_key="roaming_country",
        device_class=SensorDeviceClass.ENUM,
        options=list(COUNTRIES),
        field=Field.NETWORK,
        value_fn=_roaming_country,
        attributes_fn=lambda thing: {
            "mcc": thing.network[:3] if thing.network else None
        },
    ),
    MonogotoSensorEntityDescription(
        key="network",
        translation_key="network",
        field=Field.OPERATOR,
        fallback_field=Field.NETWORK,
        value_fn=_network_name,
        attributes_fn=lambda thing: {"plmn": thing.network},
    ),
    *(
        _field_sensor(
            field,
            value_fn,
            entity_category=EntityCategory.DIAGNOSTIC,
            entity_registry_enabled_default=False,
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


def _count_others(things: list[Thing]) -> int:
    return sum(
        thing.sim_state not in (ThingState.ACTIVE, ThingState.SUSPENDED)
        for thing in things
    )


ACCOUNT_SENSORS: tuple[MonogotoAccountSensorEntityDescription, ...] = (
    *(
        MonogotoAccountSensorEntityDescription(
            key=key,
            translation_key=key,
            state_class=SensorStateClass.MEASUREMENT,
            value_fn=value_fn,
        )
        for key, value_fn in (
            ("sims_total", len),
            ("sims_active", _count_states(ThingState.ACTIVE)),
            ("sims_suspended", _count_states(ThingState.SUSPENDED)),
            ("sims_other", _count_others),
        )
    ),
    MonogotoAccountSensorEntityDescription(
        key="data_used_total",
        translation_key="data_used_total",
        **DATA_SIZE,
        value_fn=lambda things: sum(thing.data_used or 0 for thing in things),
    ),
)


class MonogotoSensor(MonogotoThingEntity[ThingsCoordinator], SensorEntity):
    """A sensor of one SIM, from the listing or, for what the listing lacks, the details."""

    entity_description: MonogotoSensorEntityDescription

    @property
    def fields(self) -> frozenset[Field]:
        """Return the fields the sensor's value may come from: they say where it comes from."""
        return self.entity_description.fields

    async def async_added_to_hass(self) -> None:
        """Also follow the Hub's pushes, for the one value a pushed data CDR freshens."""
        await super().async_added_to_hass()
        if self.entity_description.field is Field.LAST_DATA_ACTIVITY:
            self.runtime.push.listen(self.thing_id, self)

    async def async_will_remove_from_hass(self) -> None:
        """Stop following the Hub's pushes."""
        if self.entity_description.field is Field.LAST_DATA_ACTIVITY:
            self.runtime.push.unlisten(self.thing_id, self)
        await super().async_will_remove_from_hass()

    def handle_push(self, event: PushEvent) -> None:
        """Show the fresher activity a pushed CDR told of (``runtime.thing`` merges it)."""
        self.async_write_ha_state()

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
        return self.entity_description.value_fn(self.runtime.merged_things())


async_setup_entry = thing_platform_setup(
    Platform.SENSOR,
    SENSORS,
    MonogotoSensor,
    exists=lambda description, fields: bool(description.fields & fields),
    account_entities=lambda runtime: [
        MonogotoAccountSensor(runtime, description) for description in ACCOUNT_SENSORS
    ],
)
