"""Diagnostics: what a maintainer needs to debug, with every identifier and secret removed."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceEntry

from .api import Thing
from .const import CONF_CLOUDHOOK_URL, CONF_NAME_FILTER, CONF_SIMS, CONF_WEBHOOK_ID
from .runtime import MonogotoConfigEntry, MonogotoRuntime

#: The chosen SIMs are thing ids (which embed ICCIDs); a name filter may spell out names;
#: the webhook id (and the cloudhook URL that carries one) is the webhook's only guard.
TO_REDACT_ENTRY = {
    CONF_WEBHOOK_ID,
    CONF_CLOUDHOOK_URL,
    CONF_USERNAME,
    CONF_PASSWORD,
    "unique_id",
    "title",
    CONF_SIMS,
    CONF_NAME_FILTER,
}
#: Thing fields that identify a SIM or its subscriber (names may embed the ICCID).
#: Where a SIM is (its cell and coordinates) is a secret too (docs/architecture.md, "Secrets").
TO_REDACT_THING = {
    "thing_id",
    "iccid",
    "name",
    "imei",
    "master_imei",
    "imsi",
    "msisdn",
    "ip_address",
    "cell_id",
    "location",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: MonogotoConfigEntry
) -> dict[str, Any]:
    """Return the entry, the polling state, the API profile and every SIM, redacted."""
    runtime = entry.runtime_data
    things = runtime.merged_things()
    return {
        "entry": async_redact_data(entry.as_dict(), TO_REDACT_ENTRY),
        "coordinators": _coordinators(runtime),
        "requests_in_budget": {
            "last_minute": runtime.client.budget.used(60),
            "last_hour": runtime.client.budget.used(3600),
        },
        "api_profile": runtime.client.profile.as_dict(),
        "realtime_events": runtime.push.as_dict(),
        "sim_states": dict(Counter(thing.state or "none" for thing in things)),
        "things": [_thing(thing) for thing in things],
    }


async def async_get_device_diagnostics(
    hass: HomeAssistant, entry: MonogotoConfigEntry, device: DeviceEntry
) -> dict[str, Any]:
    """Return one SIM's data, redacted like the entry's.

    For the account device: the entry and the polling state (its totals are in the entry's).
    """
    runtime = entry.runtime_data
    thing_id = runtime.thing_id_of(device.identifiers)
    base = {
        "entry": async_redact_data(entry.as_dict(), TO_REDACT_ENTRY),
        "coordinators": _coordinators(runtime),
        "device": {
            "model": device.model,
            "name_by_user_set": device.name_by_user is not None,
            "disabled": device.disabled_by is not None,
        },
    }
    if thing_id is None:
        return base  # the account device: its totals are in the entry's diagnostics
    status = (runtime.statuses.data or {}).get(thing_id)
    return {
        **base,
        "thing": _thing(runtime.thing(thing_id)),
        "status": async_redact_data(asdict(status), TO_REDACT_THING)
        if status is not None
        else None,
        "details_read": thing_id in (runtime.details.data or {}),
    }


def _thing(thing: Thing) -> dict[str, Any]:
    return {"alias": thing.alias, **async_redact_data(_as_dict(thing), TO_REDACT_THING)}


def _coordinators(runtime: MonogotoRuntime) -> dict[str, Any]:
    return {
        coordinator.name: {
            "last_update_success": coordinator.last_update_success,
            "update_interval_seconds": coordinator.update_interval.total_seconds()
            if coordinator.update_interval
            else None,
            "sims_read": len(coordinator.data or {}),
        }
        for coordinator in runtime.coordinators
    }


def _as_dict(thing: Thing) -> dict[str, Any]:
    data = asdict(thing)
    data["present"] = sorted(data["present"])
    return data
