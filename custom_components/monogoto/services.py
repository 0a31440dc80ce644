"""The ``monogoto.*`` actions: set a SIM's state, and read a SIM's recent events."""

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

from .api import SETTABLE_STATES, ThingState
from .const import DOMAIN
from .coordinator import MonogotoConfigEntry, MonogotoRuntime

SERVICE_SET_SIM_STATE = "set_sim_state"
SERVICE_GET_SIM_EVENTS = "get_sim_events"
ATTR_STATE = "state"
ATTR_LIMIT = "limit"

SET_SIM_STATE_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): vol.All(cv.ensure_list, [cv.string]),
        # Validated in the handler, so a wrong value gets a translated error.
        vol.Required(ATTR_STATE): cv.string,
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


def _resolve_sim(hass: HomeAssistant, device_id: str) -> tuple[MonogotoRuntime, str]:
    """Return the entry's runtime and the thing id behind a SIM device, or a translated error."""
    device = dr.async_get(hass).async_get(device_id)
    if device is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unknown_device",
            translation_placeholders={"device_id": device_id},
        )
    entry: MonogotoConfigEntry | None = hass.config_entries.async_get_entry(
        device.config_entry_id
    )
    if entry is None or entry.domain != DOMAIN:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="not_a_sim",
            translation_placeholders={"device": device.name or device_id},
        )
    if entry.state is not ConfigEntryState.LOADED:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="entry_not_loaded",
            translation_placeholders={"title": entry.title},
        )
    runtime = entry.runtime_data
    if (thing_id := runtime.thing_ids_of(device.identifiers)) is not None:
        return runtime, thing_id
    raise ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="not_a_sim",
        translation_placeholders={"device": device.name or device_id},
    )


async def _async_set_sim_state(call: ServiceCall) -> None:
    try:
        state = ThingState(str(call.data[ATTR_STATE]).strip().upper())
    except ValueError:
        state = None
    if state not in SETTABLE_STATES:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_state",
            translation_placeholders={"state": str(call.data[ATTR_STATE])},
        )
    targets = [
        _resolve_sim(call.hass, device_id) for device_id in call.data[ATTR_DEVICE_ID]
    ]
    for runtime, thing_id in targets:
        await runtime.async_set_sim_state(thing_id, state)


async def _async_get_sim_events(call: ServiceCall) -> ServiceResponse:
    runtime, thing_id = _resolve_sim(call.hass, call.data[ATTR_DEVICE_ID][0])
    async with runtime.action_errors():
        events = await runtime.client.search_events(thing_id, call.data[ATTR_LIMIT])
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


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the actions once, whether or not an entry is loaded."""
    hass.services.async_register(
        DOMAIN, SERVICE_SET_SIM_STATE, _async_set_sim_state, schema=SET_SIM_STATE_SCHEMA
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_GET_SIM_EVENTS,
        _async_get_sim_events,
        schema=GET_SIM_EVENTS_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
