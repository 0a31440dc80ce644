"""The data update coordinator: one per config entry, polling the whole account.

Client errors are mapped to Home Assistant errors here and nowhere else (``ERROR_KEYS``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
import math

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .api import (
    PAGE_SIZE,
    MonogotoAuthError,
    MonogotoClient,
    MonogotoConnectionError,
    MonogotoError,
    MonogotoRateLimitError,
    MonogotoResponseError,
    Thing,
)
from .const import DOMAIN, LOGGER, SCAN_INTERVAL

type MonogotoConfigEntry = ConfigEntry[MonogotoCoordinator]

#: Translation key (``exceptions.<key>`` in strings.json) for each client error.
ERROR_KEYS: dict[type[MonogotoError], str] = {
    MonogotoAuthError: "invalid_auth",
    MonogotoRateLimitError: "rate_limited",
    MonogotoConnectionError: "cannot_connect",
    MonogotoResponseError: "invalid_response",
}


def error_key(err: MonogotoError) -> str:
    """Return the translation key for a client error."""
    for error_type, key in ERROR_KEYS.items():
        if isinstance(err, error_type):
            return key
    return "unknown_error"


@contextmanager
def raise_for_action() -> Iterator[None]:
    """Turn client errors raised while acting for a user into translated HomeAssistantError."""
    try:
        yield
    except MonogotoError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN, translation_key=error_key(err)
        ) from err


@dataclass(frozen=True, slots=True)
class MonogotoData:
    """One refresh's snapshot of the account; compared by value, so unchanged data writes nothing."""

    things: Mapping[str, Thing] = field(default_factory=dict)


class MonogotoCoordinator(DataUpdateCoordinator[MonogotoData]):
    """Polls every SIM of one Monogoto account."""

    config_entry: MonogotoConfigEntry

    def __init__(
        self, hass: HomeAssistant, entry: MonogotoConfigEntry, client: MonogotoClient
    ) -> None:
        """Set up polling at the fixed interval; an unchanged account notifies nobody."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=DOMAIN,
            update_interval=SCAN_INTERVAL,
            always_update=False,
        )
        self.client = client
        self._reported_states: set[tuple[str, str]] = set()

    async def _async_update_data(self) -> MonogotoData:
        try:
            data = await self._fetch()
        except MonogotoAuthError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="invalid_auth"
            ) from err
        except MonogotoRateLimitError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="rate_limited",
                retry_after=err.retry_after,
            ) from err
        except MonogotoError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN, translation_key=error_key(err)
            ) from err
        self._remove_stale_devices(data.things)
        return data

    async def _fetch(self) -> MonogotoData:
        previous = self.data.things if self.data else {}
        listed = await self.client.list_things(expected=len(previous) or None)
        without_state = [thing.thing_id for thing in listed if thing.state is None]
        states = (
            await self.client.get_thing_states(without_state) if without_state else {}
        )
        things: dict[str, Thing] = {}
        for listed_thing in listed:
            thing = listed_thing
            if thing.thing_id in states:
                state = states[thing.thing_id]
                if isinstance(state, MonogotoError):
                    # One SIM failing keeps its last known state; the others carry on.
                    LOGGER.debug(
                        "State of %s unavailable: %s", thing.alias, type(state).__name__
                    )
                    old = previous.get(thing.thing_id)
                    thing = thing.with_state(old.state if old else None)
                else:
                    thing = thing.with_state(state)
            self._report_unknown_state(thing)
            things[thing.thing_id] = thing
        self._fit_interval(
            listing_pages=len(listed) // PAGE_SIZE + 1, state_reads=len(without_state)
        )
        return MonogotoData(things=things)

    def _report_unknown_state(self, thing: Thing) -> None:
        """Warn once per SIM and value when the console reports a state we do not know."""
        if (
            thing.state
            and thing.sim_state is None
            and (thing.thing_id, thing.state) not in self._reported_states
        ):
            self._reported_states.add((thing.thing_id, thing.state))
            LOGGER.warning(
                "SIM %s reports an unknown state %r; shown as unknown",
                thing.alias,
                thing.state,
            )

    def _fit_interval(self, *, listing_pages: int, state_reads: int) -> None:
        """Stretch the interval when a refresh needs more requests than the budget allows in one."""
        budget = self.client.budget
        needed = listing_pages + state_reads
        seconds = math.ceil(needed / budget.limit * budget.window * 1.1)
        interval = max(SCAN_INTERVAL, timedelta(seconds=seconds))
        if interval != self.update_interval:
            LOGGER.info("Polling every %s to stay within the request budget", interval)
            self.update_interval = interval

    def _remove_stale_devices(self, things: Mapping[str, Thing]) -> None:
        """Remove the devices of SIMs that have left the account."""
        registry = dr.async_get(self.hass)
        for device in dr.async_entries_for_config_entry(
            registry, self.config_entry.entry_id
        ):
            thing_ids = {
                value for domain, value in device.identifiers if domain == DOMAIN
            }
            if (
                thing_ids
                and thing_ids.isdisjoint(things)
                and self.config_entry.entry_id not in thing_ids
            ):
                LOGGER.debug("Removing the device of a SIM that left the account")
                registry.async_remove_device(device.id)
