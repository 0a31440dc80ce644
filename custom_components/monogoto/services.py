"""The ``monogoto.*`` actions: set a SIM's state or IMEI lock, read its events, text it, ping it.

All target SIM devices the same way (``target: device`` in services.yaml, ``device_id`` here).
``set_sim_state``, ``set_imei_lock`` and ``send_sms`` change a live SIM or cost money, so only
administrators may call them (refused before any request); reading events and pinging stay
open. ``send_sms`` and ``ping`` return what the console answered (response data).
"""

from __future__ import annotations

import probatio as vol

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.service import async_register_admin_service

from .actions import (
    async_get_events,
    async_ping,
    async_send_sms,
    async_set_imei_lock,
    async_set_sim_state,
)
from .api import ThingState
from .const import DOMAIN
from .devices import device_id_of
from .runtime import MonogotoConfigEntry, MonogotoRuntime
from .sms import check_sms

SERVICE_SET_SIM_STATE = "set_sim_state"
SERVICE_GET_SIM_EVENTS = "get_sim_events"
SERVICE_SEND_SMS = "send_sms"
SERVICE_PING = "ping"
SERVICE_SET_IMEI_LOCK = "set_imei_lock"
ATTR_LOCKED = "locked"
ATTR_STATE = "state"
ATTR_LIMIT = "limit"
ATTR_MESSAGE = "message"
ATTR_SENDER = "sender"
#: The action's options (lower case, as every option key of the integration) and the state
#: each one writes. Upper case is accepted too: automations written for 0.1.0 used it.
STATE_OPTIONS: dict[str, ThingState] = {
    "active": ThingState.ACTIVE,
    "suspended": ThingState.SUSPENDED,
}

SET_SIM_STATE_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): vol.All(cv.ensure_list, [cv.string]),
        # Validated in the handler, so a wrong value gets a translated error.
        vol.Required(ATTR_STATE): cv.string,
    }
)
SET_IMEI_LOCK_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): vol.All(cv.ensure_list, [cv.string]),
        vol.Required(ATTR_LOCKED): cv.boolean,
    }
)
GET_SIM_EVENTS_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): vol.All(
            cv.ensure_list, vol.Length(min=1, max=1), [cv.string]
        ),
        vol.Optional(ATTR_LIMIT, default=20): vol.All(
            vol.Coerce(int), vol.Range(min=1, max=100)
        ),
    }
)


SEND_SMS_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): vol.All(cv.ensure_list, [cv.string]),
        # Length and emptiness are checked in the handler, with a translated error.
        vol.Required(ATTR_MESSAGE): cv.string,
        vol.Optional(ATTR_SENDER): cv.string,
    }
)
PING_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): vol.All(
            cv.ensure_list, vol.Length(min=1, max=1), [cv.string]
        ),
    }
)


def _resolve_sim(
    hass: HomeAssistant, device_id: str
) -> tuple[MonogotoRuntime, str, str]:
    """Return the entry's runtime, the thing id and the name of a SIM device.

    Raises a translated ``ServiceValidationError`` for anything but a SIM of a loaded entry.
    """
    device = dr.async_get(hass).async_get(device_id)
    if device is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unknown_device",
            translation_placeholders={"device_id": device_id},
        )
    name = device.name_by_user or device.name or device_id
    entry: MonogotoConfigEntry | None = hass.config_entries.async_get_entry(
        device.config_entry_id
    )
    if entry is None or entry.domain != DOMAIN:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="not_a_sim",
            translation_placeholders={"device": name},
        )
    if entry.state is not ConfigEntryState.LOADED:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="entry_not_loaded",
            translation_placeholders={"title": entry.title},
        )
    runtime = entry.runtime_data
    if (thing_id := runtime.thing_id_of(device.identifiers)) is not None:
        return runtime, thing_id, name
    raise ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="not_a_sim",
        translation_placeholders={"device": name},
    )


async def _async_set_sim_state(call: ServiceCall) -> None:
    state = STATE_OPTIONS.get(str(call.data[ATTR_STATE]).strip().lower())
    if state is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_state",
            translation_placeholders={"state": str(call.data[ATTR_STATE])},
        )
    # Every target is checked before any SIM is written.
    targets = [
        _resolve_sim(call.hass, device_id) for device_id in call.data[ATTR_DEVICE_ID]
    ]
    for runtime, thing_id, name in targets:
        if runtime.thing(thing_id).sim_state is ThingState.RETIRED:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="sim_retired",
                translation_placeholders={"device": name},
            )
    for runtime, thing_id, _ in targets:
        await async_set_sim_state(runtime, thing_id, state)


async def _async_set_imei_lock(call: ServiceCall) -> None:
    # Every target is checked before any SIM is written: each needs a device's IMEI.
    targets = [
        _resolve_sim(call.hass, device_id) for device_id in call.data[ATTR_DEVICE_ID]
    ]
    for runtime, thing_id, name in targets:
        thing = runtime.thing(thing_id)
        if not (thing.imei or thing.master_imei):
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="imei_lock_no_imei",
                translation_placeholders={"device": name},
            )
    for runtime, thing_id, name in targets:
        await async_set_imei_lock(
            runtime, thing_id, name, locked=call.data[ATTR_LOCKED]
        )


async def _async_get_sim_events(call: ServiceCall) -> ServiceResponse:
    runtime, thing_id, _ = _resolve_sim(call.hass, call.data[ATTR_DEVICE_ID][0])
    events = await async_get_events(runtime, thing_id, call.data[ATTR_LIMIT])
    return {
        "events": [
            {
                "time": event.timestamp.isoformat() if event.timestamp else None,
                "type": event.data_type,
                "message_type": event.message_type,
                "severity": event.severity,
                "message": event.message,
            }
            for event in events
        ]
    }


async def _async_send_sms(call: ServiceCall) -> ServiceResponse:
    message: str = call.data[ATTR_MESSAGE]
    sender: str | None = call.data.get(ATTR_SENDER)
    # Every target and the text are checked before any SMS is sent.
    targets = [
        _resolve_sim(call.hass, device_id) for device_id in call.data[ATTR_DEVICE_ID]
    ]
    check_sms(message, sender)
    sent: dict[str, str] = {}
    for runtime, thing_id, _ in targets:
        device_id = device_id_of(call.hass, runtime.entry, thing_id)
        sent[device_id] = await async_send_sms(runtime, thing_id, message, sender)
    return {"sms": [{"device_id": dev, "sms_id": sms} for dev, sms in sent.items()]}


async def _async_ping(call: ServiceCall) -> ServiceResponse:
    runtime, thing_id, name = _resolve_sim(call.hass, call.data[ATTR_DEVICE_ID][0])
    result = await async_ping(runtime, thing_id, name)
    trips = result.round_trips_ms
    return {
        "sent": result.sent,
        "received": result.received,
        "packet_loss": result.packet_loss,
        "round_trips_ms": list(trips),
        "round_trip_min_ms": min(trips) if trips else None,
        "round_trip_average_ms": round(sum(trips) / len(trips), 1) if trips else None,
        "round_trip_max_ms": max(trips) if trips else None,
    }


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the actions once, whether or not an entry is loaded.

    Changing a SIM's state or lock acts on the live account, a state change and an SMS are
    billable: administrators only (Home Assistant refuses others before the handler runs).
    """
    for service, handler, schema in (
        (SERVICE_SET_SIM_STATE, _async_set_sim_state, SET_SIM_STATE_SCHEMA),
        (SERVICE_SET_IMEI_LOCK, _async_set_imei_lock, SET_IMEI_LOCK_SCHEMA),
    ):
        async_register_admin_service(hass, DOMAIN, service, handler, schema=schema)
    hass.services.async_register(
        DOMAIN,
        SERVICE_GET_SIM_EVENTS,
        _async_get_sim_events,
        schema=GET_SIM_EVENTS_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
    async_register_admin_service(
        hass,
        DOMAIN,
        SERVICE_SEND_SMS,
        _async_send_sms,
        schema=SEND_SMS_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_PING,
        _async_ping,
        schema=PING_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
