"""Diagnostics: what a maintainer needs to debug, with every identifier and secret removed."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant

from .api import Thing
from .coordinator import MonogotoConfigEntry

TO_REDACT_ENTRY = {CONF_USERNAME, CONF_PASSWORD, "unique_id", "title"}
#: Thing fields that identify a SIM or its subscriber (names may embed the ICCID).
TO_REDACT_THING = {"thing_id", "iccid", "name", "imei", "imsi", "msisdn", "ip_address"}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: MonogotoConfigEntry
) -> dict[str, Any]:
    """Return the entry, the polling state, the API profile and every SIM, redacted."""
    runtime = entry.runtime_data
    things = [runtime.thing(thing_id) for thing_id in runtime.known_things()]
    return {
        "entry": async_redact_data(entry.as_dict(), TO_REDACT_ENTRY),
        "coordinators": {
            coordinator.name: {
                "last_update_success": coordinator.last_update_success,
                "update_interval_seconds": coordinator.update_interval.total_seconds()
                if coordinator.update_interval
                else None,
                "sims_read": len(coordinator.data or {}),
            }
            for coordinator in runtime.coordinators
        },
        "requests_in_budget": {
            "last_minute": runtime.client.budget.used(60),
            "last_hour": runtime.client.budget.used(3600),
        },
        "api_profile": runtime.client.profile.as_dict(),
        "sim_states": dict(Counter(thing.state or "none" for thing in things)),
        "things": [
            {
                "alias": thing.alias,
                **async_redact_data(_as_dict(thing), TO_REDACT_THING),
            }
            for thing in things
        ],
    }


def _as_dict(thing: Thing) -> dict[str, Any]:
    data = asdict(thing)
    data["present"] = sorted(data["present"])
    return data
