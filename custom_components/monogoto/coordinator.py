"""The pollers: one coordinator per cadence, and nothing else.

- ``ThingsCoordinator`` lists the SIMs every 5 minutes; the roster (``fleet.py``) says which
  devices go, ``devices.py`` removes them and follows console renames.
- ``StatusCoordinator`` reads the data-session statuses every 15 minutes, and a new SIM's at once.
- ``DetailsCoordinator`` reads ``GET /thing/{id}`` slowly, only for what the listing lacks.

They are wired together in ``runtime.py``; a failed poll raises what ``errors.poll_error`` maps.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Mapping
from datetime import timedelta
import math
import time
from typing import TYPE_CHECKING, ClassVar

from homeassistant.core import HomeAssistant
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util.hass_dict import HassKey

from .api import (
    Field,
    MonogotoAuthError,
    MonogotoError,
    MonogotoRateLimitError,
    StatusMode,
    Thing,
    ThingStatus,
)
from .const import DETAILS_INTERVAL, DOMAIN, LOGGER, SCAN_INTERVAL, STATUS_INTERVAL
from .devices import follow_renames, remove_sim_devices, sim_device_ids
from .errors import poll_error, rate_limited
from .fleet import Roster
from .issues import RateLimitIssue, sync_permission_issues
from .selection import Selection

if TYPE_CHECKING:
    from .runtime import MonogotoConfigEntry, MonogotoRuntime

#: Per entry, when (loop time) a 429's Retry-After is over. In hass.data, not on a
#: coordinator: a failed set-up discards its coordinators, and Home Assistant retries set-ups
#: on its own schedule (5, 10, 20 ... s), which must not call the console before then.
RATE_LIMITED_UNTIL: HassKey[dict[str, float]] = HassKey(f"{DOMAIN}_rate_limited_until")
#: The fields the details can add to what the listing carries (the state has its own endpoint).
DETAIL_FIELDS = frozenset(Field) - {Field.STATE}


class MonogotoCoordinator[DataT](DataUpdateCoordinator[DataT]):
    """What every coordinator shares: the Retry-After hold, error mapping, repair issues."""

    config_entry: MonogotoConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: MonogotoConfigEntry,
        runtime: MonogotoRuntime,
        *,
        name: str,
        update_interval: timedelta,
    ) -> None:
        """Poll at ``update_interval``; unchanged data notifies nobody."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=name,
            update_interval=update_interval,
            always_update=False,
        )
        self.runtime = runtime
        self.client = runtime.client

    async def _async_update_data(self) -> DataT:
        until = self.hass.data.get(RATE_LIMITED_UNTIL, {}).get(
            self.config_entry.entry_id, 0.0
        )
        if (wait := until - self.hass.loop.time()) > 0:
            if self.data is not None and self.last_update_success:
                return (
                    self.data
                )  # someone else's 429: skip this read, keep what we have
            # Still inside a Retry-After: a set-up retry comes on Home Assistant's schedule.
            raise rate_limited(wait + 1)
        try:
            data = await self._fetch()
        except MonogotoAuthError as err:
            self.runtime.halt(self)
            raise poll_error(err) from err
        except MonogotoRateLimitError as err:
            raise self._rate_limited(err) from err
        except MonogotoError as err:
            raise poll_error(err) from err
        finally:
            self.sync_permission_issues()
        self._on_success()
        return data

    def sync_permission_issues(self) -> None:
        """Show the repair issues of the features the console refuses (after any read)."""
        sync_permission_issues(
            self.hass, self.config_entry, self.client.refused_features()
        )

    async def _fetch(self) -> DataT:
        raise NotImplementedError

    def _on_success(self) -> None:
        """Act on a successful refresh (a hook for subclasses)."""

    def _rate_limited(self, err: MonogotoRateLimitError) -> UpdateFailed:
        """Hold every poll of the entry until the Retry-After is over."""
        retry_after = err.retry_after
        if retry_after is not None:
            self.hass.data.setdefault(RATE_LIMITED_UNTIL, {})[
                self.config_entry.entry_id
            ] = self.hass.loop.time() + retry_after
            # Home Assistant schedules from the whole second, up to 1 s early.
            retry_after += 1
        return rate_limited(retry_after)


class ThingsCoordinator(MonogotoCoordinator[dict[str, Thing]]):
    """Lists every SIM of the account; owns the SIM devices."""

    def __init__(
        self, hass: HomeAssistant, entry: MonogotoConfigEntry, runtime: MonogotoRuntime
    ) -> None:
        """Poll the listing every ``SCAN_INTERVAL`` (stretched by the plan)."""
        super().__init__(
            hass, entry, runtime, name=DOMAIN, update_interval=SCAN_INTERVAL
        )
        self._reported_states: set[tuple[str, str]] = set()
        self._rate_limit_issue = RateLimitIssue(hass, entry)
        #: SIMs whose state the last listing lacked (read one by one).
        self.state_reads = 0
        #: The SIMs the user included (the entry's options; a change reloads the entry).
        self.selection = Selection.from_options(entry.options)
        self._roster = Roster(self.selection, lambda: sim_device_ids(hass, entry))
        #: Every SIM of the account's last listing, included or not (the options flow).
        self.listed: dict[str, Thing] = {}

    async def _fetch(self) -> dict[str, Thing]:
        """List the account; keep, read the states of and reconcile the included SIMs only.

        The listing always pages the whole account: it is the only way to see new SIMs.
        """
        previous = self.data or {}
        listing = await self.client.list_things(
            expected=len(self.listed) or len(previous) or None
        )
        account = {thing.thing_id: thing for thing in listing.things}
        self.listed = account if listing.complete else self.listed | account
        included = [t for t in listing.things if self.selection.includes(t)]
        excluded = account.keys() - {thing.thing_id for thing in included}
        listed = await self._with_states(included, previous)
        change = self._roster.reconcile(
            listed, previous, complete=listing.complete, excluded=excluded
        )
        entry = self.config_entry
        remove_sim_devices(self.hass, entry, change.left_out, "left out by the options")
        remove_sim_devices(self.hass, entry, change.gone, "left the account")
        things = listed | {tid: previous[tid] for tid in change.kept if tid in previous}
        follow_renames(self.hass, entry, previous, things)
        return things

    async def _with_states(
        self, listed: list[Thing], previous: Mapping[str, Thing]
    ) -> dict[str, Thing]:
        """Read the state of each SIM the listing gave none; one failing keeps its last."""
        without = [
            thing.thing_id for thing in listed if Field.STATE not in thing.present
        ]
        self.state_reads = len(without)
        states = await self.client.get_thing_states(without) if without else {}
        things: dict[str, Thing] = {}
        for listed_thing in listed:
            thing = listed_thing
            state = states.get(thing.thing_id)
            if isinstance(state, MonogotoError):
                LOGGER.debug(
                    "State of %s unavailable: %s", thing.alias, type(state).__name__
                )
                old = previous.get(thing.thing_id)
                thing = thing.with_state(old.state if old else None)
            elif state is not None:
                thing = thing.with_state(state)
            self._report_unknown_state(thing)
            things[thing.thing_id] = thing
        return things

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

    def _rate_limited(self, err: MonogotoRateLimitError) -> UpdateFailed:
        """Also tell the user when the listing keeps being refused."""
        self._rate_limit_issue.rate_limited()
        return super()._rate_limited(err)

    def _on_success(self) -> None:
        """End any rate-limit notice: a listing worked, whatever came before."""
        self._rate_limit_issue.listed()


class _PerSimCoordinator[ValueT](MonogotoCoordinator[dict[str, ValueT]]):
    """A coordinator that reads SIMs in parts: the least recently read first, new ones at once."""

    #: What it reads (its name in the log) and how often, unless the plan stretches it.
    READS: ClassVar[str]
    INTERVAL: ClassVar[timedelta]

    def __init__(
        self, hass: HomeAssistant, entry: MonogotoConfigEntry, runtime: MonogotoRuntime
    ) -> None:
        """Start with no SIM read."""
        super().__init__(
            hass,
            entry,
            runtime,
            name=f"{DOMAIN} {self.READS}",
            update_interval=self.INTERVAL,
        )
        #: SIMs per refresh (None: all of them), set by ``MonogotoRuntime.replan``.
        self.per_refresh: int | None = None
        self._read_at: dict[str, float] = {}
        self._lock = asyncio.Lock()

    async def _fetch(self) -> dict[str, ValueT]:
        known = self.runtime.known_things()
        due = sorted(known, key=lambda tid: self._read_at.get(tid, -math.inf))
        async with self._lock:
            return await self._read(due[: self.per_refresh])

    async def async_read_new(self) -> None:
        """Read the SIMs never read yet (a SIM that just joined, or every SIM at start)."""
        new = [tid for tid in self.runtime.known_things() if tid not in self._read_at]
        if not new or not self.last_update_success:
            return
        async with self._lock:
            try:
                data = await self._read(new[: self.per_refresh])
            except MonogotoError as err:
                LOGGER.debug("Reading new SIMs failed: %s", type(err).__name__)
                self.sync_permission_issues()
                return
        self.async_set_updated_data(data)

    async def async_read_now(self, thing_ids: list[str]) -> None:
        """Read ``thing_ids`` now (after the user acted on them); a failure is only logged."""
        async with self._lock:
            try:
                data = await self._read(thing_ids)
            except MonogotoError as err:
                LOGGER.debug("Re-reading SIMs failed: %s", type(err).__name__)
                self.sync_permission_issues()
                return
        self.async_set_updated_data(data)

    async def _read(self, thing_ids: list[str]) -> dict[str, ValueT]:
        """Read ``thing_ids`` and merge them into the data of the SIMs still known."""
        fresh, asked = await self._read_values(thing_ids) if thing_ids else ({}, [])
        now = time.monotonic()
        self._read_at.update(dict.fromkeys(asked, now))
        known = self.runtime.known_things()
        for thing_id in self._read_at.keys() - known:
            del self._read_at[thing_id]
        kept = {
            tid: value
            for tid, value in (self.data or {}).items()
            if tid in known and tid not in fresh and tid not in asked
        }
        return kept | {tid: v for tid, v in fresh.items() if tid in known}

    async def _read_values(
        self, thing_ids: list[str]
    ) -> tuple[dict[str, ValueT], Collection[str]]:
        """Return the values read and the SIMs the console was asked about.

        Usually all of ``thing_ids``; fewer when asking turned out to cost more than planned,
        in which case the others wait for their turn.
        """
        raise NotImplementedError


class StatusCoordinator(_PerSimCoordinator[ThingStatus]):
    """Reads the data-session statuses, in whichever way the console answers them."""

    READS = "statuses"
    INTERVAL = STATUS_INTERVAL

    async def _read_values(
        self, thing_ids: list[str]
    ) -> tuple[dict[str, ThingStatus], Collection[str]]:
        mode = self.client.shape.status_mode
        try:
            statuses = await self.client.get_thing_statuses(thing_ids)
        finally:
            now = self.client.shape.status_mode
            if now is not mode:
                self.runtime.replan()
        if mode is now or now is not StatusMode.PER_SIM:
            return statuses, thing_ids
        # The console just turned out to answer one SIM per request: read as many more as
        # the new plan allows per refresh (its first one-SIM request counted); the others
        # keep their turn, least recently read first.
        answered = [tid for tid in thing_ids if tid in statuses]
        allowed = (self.per_refresh or len(thing_ids)) - 1
        rest = [tid for tid in thing_ids if tid not in statuses][: max(allowed, 0)]
        if rest:
            statuses |= await self.client.get_thing_statuses(rest)
        return statuses, [*answered, *rest]


class DetailsCoordinator(_PerSimCoordinator[Thing]):
    """Reads ``GET /thing/{id}`` for the fields the listing lacks (usage first); idle else."""

    READS = "details"
    INTERVAL = DETAILS_INTERVAL

    def needed(self) -> bool:
        """Return whether the details can add a field the listing lacks."""
        shape = self.client.shape
        if shape.listing_fields is None:
            return False
        lacking = DETAIL_FIELDS - shape.listing_fields
        if shape.details_fields is not None:
            lacking &= shape.details_fields
        return bool(lacking)

    async def _read_values(
        self, thing_ids: list[str]
    ) -> tuple[dict[str, Thing], Collection[str]]:
        if not self.needed():
            return {}, thing_ids
        results = await self.client.get_things(thing_ids)
        previous = self.data or {}
        details: dict[str, Thing] = {}
        for thing_id, result in results.items():
            if isinstance(result, Thing):
                details[thing_id] = result
            elif thing_id in previous:
                details[thing_id] = previous[thing_id]
        return details, thing_ids
