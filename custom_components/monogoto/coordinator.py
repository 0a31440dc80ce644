"""The data update coordinator: one per config entry, polling the whole account.

Client errors become Home Assistant errors here and nowhere else: ``ERROR_KEYS`` names the
translation key of each, ``_async_update_data`` maps them for polling and ``action_errors``
for user actions (switch, ``monogoto.*`` actions).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
import math

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, HomeAssistantError
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from .api import (
    PAGE_SIZE,
    MonogotoAuthError,
    MonogotoClient,
    MonogotoConnectionError,
    MonogotoError,
    MonogotoRateLimitError,
    MonogotoResponseError,
    Thing,
    ThingState,
    ThingStatus,
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
#: Consecutive rate-limited refreshes after which the user is told (a repair issue).
RATE_LIMIT_ISSUE_AFTER = 3
#: Per entry, when (loop time) a 429's Retry-After is over. In hass.data, not on the
#: coordinator: a failed set-up discards its coordinator, and Home Assistant retries set-ups
#: on its own schedule (5, 10, 20 ... s), which must not call the console before then.
RATE_LIMITED_UNTIL: HassKey[dict[str, float]] = HassKey(f"{DOMAIN}_rate_limited_until")
#: How often the data-session statuses (``GET /thing/status``) are read; see ``_status_ids_to_read``.
STATUS_INTERVAL = timedelta(minutes=15)


def error_key(err: MonogotoError) -> str:
    """Return the translation key for a client error."""
    for error_type, key in ERROR_KEYS.items():
        if isinstance(err, error_type):
            return key
    return "unknown_error"


@dataclass(frozen=True, slots=True)
class MonogotoData:
    """One refresh's snapshot of the account; compared by value, so unchanged data writes nothing."""

    things: Mapping[str, Thing] = field(default_factory=dict)
    #: Data-session status per SIM; None when that call failed (only "online" is affected).
    statuses: Mapping[str, ThingStatus] | None = None


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
        self._rate_limited_refreshes = 0
        #: SIMs the last listing left out (see ``_keep_skipped``).
        self._skipped: set[str] = set()
        #: When the statuses of every SIM were last read successfully, and which SIMs that was.
        self._statuses_read_at: datetime | None = None
        self._status_ids: frozenset[str] = frozenset()

    @property
    def rate_limit_issue_id(self) -> str:
        """Return the id of this entry's "rate limited" repair issue."""
        return f"rate_limited_{self.config_entry.entry_id}"

    async def _async_update_data(self) -> MonogotoData:
        entry_id = self.config_entry.entry_id
        until = self.hass.data.get(RATE_LIMITED_UNTIL, {}).get(entry_id, 0.0)
        if (wait := until - self.hass.loop.time()) > 0:
            # Still inside a Retry-After: a set-up retry comes on Home Assistant's schedule.
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="rate_limited",
                retry_after=wait + 1,
            )
        try:
            data = await self._fetch()
        except MonogotoAuthError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="invalid_auth"
            ) from err
        except MonogotoRateLimitError as err:
            self._note_rate_limited()
            retry_after = err.retry_after
            if retry_after is not None:
                self.hass.data.setdefault(RATE_LIMITED_UNTIL, {})[entry_id] = (
                    self.hass.loop.time() + retry_after
                )
                # Home Assistant schedules from the whole second, up to 1 s early.
                retry_after += 1
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="rate_limited",
                retry_after=retry_after,
            ) from err
        except MonogotoError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN, translation_key=error_key(err)
            ) from err
        self._note_not_rate_limited()
        self._remove_stale_devices(data.things)
        return data

    async def _fetch(self) -> MonogotoData:
        started = dt_util.utcnow()
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
        self._keep_skipped(
            previous, things, paged=max(len(previous), len(things)) >= PAGE_SIZE
        )
        statuses = await self._fetch_statuses(list(things), started)
        self._fit_interval(
            listing_pages=len(listed) // PAGE_SIZE + 1,
            state_reads=len(without_state),
            status_reads=math.ceil(len(things) / PAGE_SIZE),
        )
        return MonogotoData(things=things, statuses=statuses)

    def _status_ids_to_read(self, thing_ids: list[str], now: datetime) -> list[str]:
        """Return the SIMs whose data-session status this refresh reads.

        The statuses cost as many requests as the listing (50 SIMs per call) but the listing
        does not carry them; reading them on every refresh would double each refresh. So all
        of them are read every ``STATUS_INTERVAL`` (15 min, every third refresh at the 5 min
        interval; every refresh once the interval has stretched past it), and in between only
        those of SIMs that have joined since (so a new SIM's "online" sensor does not wait),
        while the "online" sensors keep the last statuses. Half an interval of slack keeps the
        cadence at every third refresh although Home Assistant may fire a poll a second early.
        After a failed read every SIM is read again on the next refresh.
        """
        interval = self.update_interval or SCAN_INTERVAL
        read_at = self._statuses_read_at
        if (
            read_at is None
            or self.data is None
            or self.data.statuses is None
            or now - read_at + interval / 2 >= STATUS_INTERVAL
        ):
            return thing_ids
        return [tid for tid in thing_ids if tid not in self._status_ids]

    async def _fetch_statuses(
        self, thing_ids: list[str], now: datetime
    ) -> Mapping[str, ThingStatus] | None:
        """Read the data-session statuses when due; a failure affects only "online" entities."""
        to_read = self._status_ids_to_read(thing_ids, now)
        every = len(to_read) == len(thing_ids)
        previous = self.data.statuses if self.data else None
        if not to_read and previous is not None:
            return previous
        try:
            statuses = await self.client.get_thing_statuses(to_read)
        except MonogotoAuthError, MonogotoRateLimitError:
            raise
        except MonogotoError as err:
            LOGGER.debug("Connection statuses unavailable: %s", type(err).__name__)
            # A failed read of only the new SIMs leaves the others' statuses alone.
            return None if every else previous
        if every:
            self._statuses_read_at = now
            self._status_ids = frozenset(thing_ids)
            return statuses
        self._status_ids |= set(to_read)
        return {**(previous or {}), **statuses}

    def _keep_skipped(
        self, previous: Mapping[str, Thing], things: dict[str, Thing], *, paged: bool
    ) -> None:
        """Keep, for one refresh, a SIM that a listing of several pages left out.

        When a SIM leaves the account while the pages are read, the later pages shift by one
        and the SIM at a page boundary is skipped, though still there: removing its device
        would lose its entities and their settings. It keeps its last data instead; a SIM
        that has really left is missing again next time and goes then. One page cannot
        shift, so there a missing SIM goes at once.
        """
        skipped = set(previous) - set(things)
        if paged:
            for thing_id in skipped - self._skipped:
                things[thing_id] = previous[thing_id]
        self._skipped = skipped if paged else set()

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

    def _fit_interval(
        self, *, listing_pages: int, state_reads: int, status_reads: int
    ) -> None:
        """Stretch the interval when a refresh needs more requests than the budget allows.

        ``status_reads`` counts a refresh that reads every status, the costliest kind: once
        the interval is stretched past ``STATUS_INTERVAL`` every refresh is one. The 10 %
        margin leaves room for user actions (switch, ``monogoto.*`` actions) in the budget.
        """
        budget = self.client.budget
        needed = listing_pages + state_reads + status_reads
        seconds = math.ceil(needed / budget.limit * budget.window * 1.1)
        interval = max(SCAN_INTERVAL, timedelta(seconds=seconds))
        if interval != self.update_interval:
            LOGGER.info("Polling every %s to stay within the request budget", interval)
            self.update_interval = interval

    def _note_rate_limited(self) -> None:
        self._rate_limited_refreshes += 1
        if self._rate_limited_refreshes == RATE_LIMIT_ISSUE_AFTER:
            ir.async_create_issue(
                self.hass,
                DOMAIN,
                self.rate_limit_issue_id,
                is_fixable=False,
                severity=ir.IssueSeverity.WARNING,
                translation_key="rate_limited",
                translation_placeholders={"title": self.config_entry.title},
            )

    def _note_not_rate_limited(self) -> None:
        if self._rate_limited_refreshes >= RATE_LIMIT_ISSUE_AFTER:
            ir.async_delete_issue(self.hass, DOMAIN, self.rate_limit_issue_id)
        self._rate_limited_refreshes = 0

    def _remove_stale_devices(self, things: Mapping[str, Thing]) -> None:
        """Remove the devices of SIMs that have left the account."""
        registry = dr.async_get(self.hass)
        entry_id = self.config_entry.entry_id
        for device in dr.async_entries_for_config_entry(registry, entry_id):
            ids = {value for domain, value in device.identifiers if domain == DOMAIN}
            # keys().isdisjoint walks the device's one id; ids.isdisjoint(things) would walk
            # every thing for every device, O(N²): 140 ms a refresh at 5,000 SIMs.
            if ids and things.keys().isdisjoint(ids) and entry_id not in ids:
                LOGGER.debug("Removing the device of a SIM that left the account")
                registry.async_remove_device(device.id)

    @asynccontextmanager
    async def action_errors(self) -> AsyncIterator[None]:
        """Turn client errors met while acting for the user into translated errors.

        A rejected login also starts the re-authentication flow, as a failed poll would.
        """
        try:
            yield
        except MonogotoError as err:
            if isinstance(err, MonogotoAuthError):
                self.config_entry.async_start_reauth(self.hass)
            raise HomeAssistantError(
                translation_domain=DOMAIN, translation_key=error_key(err)
            ) from err

    async def async_set_sim_state(self, thing_id: str, state: ThingState) -> None:
        """Write a SIM's state, re-read it, and update its entities without a full refresh."""
        async with self.action_errors():
            await self.client.set_thing_state(thing_id, state)
            new_state = await self.client.get_thing_state(thing_id)
        things = dict(self.data.things)
        if thing_id in things:
            things[thing_id] = things[thing_id].with_state(new_state)
            self.async_set_updated_data(replace(self.data, things=things))
