"""The coordinators: one per cadence (decision 2), bundled in the entry's ``MonogotoRuntime``.

- ``ThingsCoordinator`` lists the SIMs every 5 minutes, adds and (never on one surprise) removes
  their devices, and follows console renames.
- ``StatusCoordinator`` reads the data-session statuses every 15 minutes, and a new SIM's at once.
- ``DetailsCoordinator`` reads ``GET /thing/{id}`` slowly, only for what the listing lacks.

``MonogotoRuntime.replan`` fits the three into the request budget (``planner.py``). Client errors
become Home Assistant errors here and nowhere else: ``ERROR_KEYS`` names the translation key of
each, ``MonogotoCoordinator._async_update_data`` maps them for polling and
``MonogotoRuntime.action_errors`` for the user's actions.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Collection, Iterable, Mapping
from contextlib import asynccontextmanager
from datetime import timedelta
import math
import time
from typing import Any, ClassVar

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    HomeAssistantError,
    ServiceValidationError,
)
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.helpers.entity_platform import MAX_ENABLED_ENTITIES_PER_CONFIG_ENTRY
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util.hass_dict import HassKey

from .api import (
    FEATURES,
    PAGE_SIZE,
    Feature,
    Field,
    MonogotoAuthError,
    MonogotoClient,
    MonogotoConnectionError,
    MonogotoError,
    MonogotoPermissionError,
    MonogotoRateLimitError,
    MonogotoResponseError,
    PingResult,
    StatusMode,
    Thing,
    ThingState,
    ThingStatus,
    listing_pages,
)
from .const import DETAILS_INTERVAL, DOMAIN, LOGGER, SCAN_INTERVAL, STATUS_INTERVAL
from .entity_plan import ACCOUNT_ENTITIES, EntityPlan, plan_entities
from .planner import PLANNED_SHARE, Demand, allot
from .selection import Selection

type MonogotoConfigEntry = ConfigEntry[MonogotoRuntime]


def _warn(
    hass: HomeAssistant, issue_id: str, key: str, placeholders: dict[str, str]
) -> None:
    """Show (or update) a repair notice: a warning the user acts on outside the dialog."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key=key,
        translation_placeholders=placeholders,
    )


#: Translation key (``exceptions.<key>`` in strings.json) for each client error.
ERROR_KEYS: dict[type[MonogotoError], str] = {
    MonogotoAuthError: "invalid_auth",
    MonogotoPermissionError: "permission_denied",
    MonogotoRateLimitError: "rate_limited",
    MonogotoConnectionError: "cannot_connect",
    MonogotoResponseError: "invalid_response",
}
#: Consecutive rate-limited listings after which the user is told (a repair issue).
RATE_LIMIT_ISSUE_AFTER = 3
#: Per entry, when (loop time) a 429's Retry-After is over. In hass.data, not on a
#: coordinator: a failed set-up discards its coordinators, and Home Assistant retries set-ups
#: on its own schedule (5, 10, 20 ... s), which must not call the console before then.
RATE_LIMITED_UNTIL: HassKey[dict[str, float]] = HassKey(f"{DOMAIN}_rate_limited_until")
#: Complete listings in a row that must lack a SIM before its device is removed (decision 10).
MISSING_LISTINGS_BEFORE_REMOVAL = 2
#: A complete listing that lost more than this share of the last believable one (and 2 SIMs or
#: more), or every SIM, is suspect: its absences do not count.
SUSPECT_SHRINK = 0.25
#: The fields the details can add to what the listing carries (the state has its own endpoint).
DETAIL_FIELDS = frozenset(Field) - {Field.STATE}
#: After a connection reset, the SIM's status is read again this many seconds later: long
#: enough for the device to attach anew, short enough for the user to see it did.
RESET_CONFIRM_DELAY = 60.0
#: The longest SMS: one message of 160 GSM 7-bit characters (an extension character such as
#: ``€`` takes two), or of 70 characters in any other alphabet (UCS-2).
SMS_GSM_LIMIT = 160
SMS_UCS2_LIMIT = 70
#: An alphanumeric sender name has at most 11 characters (GSM 03.40).
SMS_SENDER_LIMIT = 11
_GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENSION = frozenset("^{}\\[~]|€\f")


def sms_length(message: str) -> tuple[int, int]:
    """Return the length of ``message`` in one SMS and the limit of its alphabet."""
    if all(ch in _GSM_BASIC or ch in _GSM_EXTENSION for ch in message):
        return len(message) + sum(ch in _GSM_EXTENSION for ch in message), SMS_GSM_LIMIT
    return len(message.encode("utf-16-le")) // 2, SMS_UCS2_LIMIT


def check_sms(message: str, sender: str | None) -> None:
    """Refuse an SMS the console should not be asked to send (translated, before any request)."""
    if not message.strip():
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="sms_empty"
        )
    length, limit = sms_length(message)
    if length > limit:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="sms_too_long",
            translation_placeholders={"length": str(length), "limit": str(limit)},
        )
    if sender is not None and not 0 < len(sender.strip()) <= SMS_SENDER_LIMIT:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="sms_sender_invalid",
            translation_placeholders={"limit": str(SMS_SENDER_LIMIT)},
        )


def error_key(err: MonogotoError) -> str:
    """Return the translation key for a client error."""
    for error_type, key in ERROR_KEYS.items():
        if isinstance(err, error_type):
            return key
    return "unknown_error"


def error_placeholders(err: MonogotoError) -> dict[str, str] | None:
    """Return the placeholders of an error's message (which endpoint a refusal concerns)."""
    if isinstance(err, MonogotoPermissionError):
        return {"endpoint": FEATURES[Feature(err.feature)].endpoint}
    return None


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
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="rate_limited",
                retry_after=wait + 1,
            )
        try:
            data = await self._fetch()
        except MonogotoAuthError as err:
            self.runtime.halt(self)
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="invalid_auth"
            ) from err
        except MonogotoRateLimitError as err:
            raise self._rate_limited(err) from err
        except MonogotoError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key=error_key(err),
                translation_placeholders=error_placeholders(err),
            ) from err
        finally:
            self.runtime.sync_permission_issues()
        self._on_success()
        return data

    async def _fetch(self) -> DataT:
        raise NotImplementedError

    def _on_success(self) -> None:
        """Act on a successful refresh (a hook for subclasses)."""

    def _rate_limited(self, err: MonogotoRateLimitError) -> UpdateFailed:
        retry_after = err.retry_after
        if retry_after is not None:
            self.hass.data.setdefault(RATE_LIMITED_UNTIL, {})[
                self.config_entry.entry_id
            ] = self.hass.loop.time() + retry_after
            # Home Assistant schedules from the whole second, up to 1 s early.
            retry_after += 1
        return UpdateFailed(
            translation_domain=DOMAIN,
            translation_key="rate_limited",
            retry_after=retry_after,
        )


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
        self._rate_limited_refreshes = 0
        #: Complete listings in a row that lacked each SIM.
        self._misses: dict[str, int] = {}
        #: The SIMs of the last complete listing (at start: those with a device).
        self._last_listed: set[str] | None = None
        #: Whether the listing is suspect and the user was told (once per episode).
        self._suspect_reported = False
        #: SIMs whose state the last listing lacked (read one by one).
        self.state_reads = 0
        #: The SIMs the user included (the entry's options; a change reloads the entry).
        self.selection = Selection.from_options(entry.options)
        #: Every SIM of the account's last listing, included or not (the options flow).
        self.listed: dict[str, Thing] = {}

    @property
    def rate_limit_issue_id(self) -> str:
        """Return the id of this entry's "rate limited" repair issue."""
        return f"rate_limited_{self.config_entry.entry_id}"

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
        things = self._reconcile(
            listed, previous, complete=listing.complete, excluded=excluded
        )
        self._follow_renames(previous, things)
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

    def _reconcile(
        self,
        listed: dict[str, Thing],
        previous: Mapping[str, Thing],
        *,
        complete: bool,
        excluded: Iterable[str] = (),
    ) -> dict[str, Thing]:
        """Keep the SIMs the listing lacks until their absence is confirmed (decision 10).

        Only the absences of a complete listing that is believable count (see ``_suspect``);
        the last believable listing stays the baseline. A SIM still missing keeps its device
        and its last data. A SIM the user's selection leaves out (``excluded``, or not
        chosen) is no surprise but the user's decision: its device goes at once.
        """
        last = self._last_listed
        if last is None:
            last = self._sim_device_ids()
        left_out = self._remove_left_out(set(previous) | last, excluded)
        last = self._last_listed = last - left_out
        missing = (set(previous) | last) - listed.keys() - left_out
        gone = self._confirmed_gone(last, listed, missing, complete=complete)
        self._remove_devices(gone)
        things = dict(listed)
        for thing_id in missing - gone:
            if thing_id in previous:
                things[thing_id] = previous[thing_id]
        return things

    def _remove_left_out(
        self, had_device: set[str], excluded: Iterable[str]
    ) -> set[str]:
        """Remove at once the devices of SIMs the user's options leave out; return those SIMs."""
        left_out = set(excluded) | {
            tid for tid in had_device if self.selection.excludes_id(tid)
        }
        self._remove_devices(left_out & had_device, reason="left out by the options")
        return left_out

    def _confirmed_gone(
        self,
        last: set[str],
        listed: Mapping[str, Thing],
        missing: set[str],
        *,
        complete: bool,
    ) -> set[str]:
        """Count a believable complete listing's absences; return the SIMs missing enough."""
        for thing_id in listed.keys() & self._misses.keys():
            del self._misses[thing_id]
        if complete and not self._suspect(last, listed):
            self._last_listed = set(listed)
            for thing_id in missing:
                self._misses[thing_id] = self._misses.get(thing_id, 0) + 1
        return {
            tid
            for tid in missing
            if self._misses.get(tid, 0) >= MISSING_LISTINGS_BEFORE_REMOVAL
        }

    def _suspect(self, last: set[str], listed: Mapping[str, Thing]) -> bool:
        """Return whether a listing lost too much of the last believable one to be believed.

        Empty, or short of at least two SIMs and more than a quarter: a console glitch is far
        likelier than a fleet leaving at once. Its absences never count; SIMs that really left
        in such numbers keep their devices until the user deletes them (device page).
        """
        lost = len(last - listed.keys())
        suspect = bool(last) and (
            not listed or (lost >= 2 and lost > SUSPECT_SHRINK * len(last))
        )
        if suspect and not self._suspect_reported:
            LOGGER.warning(
                "The Monogoto console listed %s of the %s SIMs it listed before; keeping "
                "all their devices",
                len(listed),
                len(last),
            )
        self._suspect_reported = suspect
        return suspect

    def _sim_device_ids(self) -> set[str]:
        """Return the thing ids of this entry's SIM devices (the account device aside)."""
        registry = dr.async_get(self.hass)
        entry_id = self.config_entry.entry_id
        return {
            value
            for device in dr.async_entries_for_config_entry(registry, entry_id)
            for domain, value in device.identifiers
            if domain == DOMAIN and value != entry_id
        }

    def _remove_devices(
        self, thing_ids: set[str], reason: str = "left the account"
    ) -> None:
        """Remove the devices of SIMs whose departure is confirmed (or that were left out)."""
        registry = dr.async_get(self.hass)
        for thing_id in thing_ids:
            self._misses.pop(thing_id, None)
            device = registry.async_get_device_by_identifier(
                (DOMAIN, thing_id), self.config_entry.entry_id
            )
            if device is not None:
                LOGGER.debug("Removing the device of a SIM that %s", reason)
                registry.async_remove_device(device.id)

    def _follow_renames(
        self, previous: Mapping[str, Thing], things: Mapping[str, Thing]
    ) -> None:
        """Rename the device of a SIM renamed in the console, unless the user named it."""
        registry = dr.async_get(self.hass)
        for thing_id, thing in things.items():
            old = previous.get(thing_id)
            if old is None or old.display_name == thing.display_name:
                continue
            device = registry.async_get_device_by_identifier(
                (DOMAIN, thing_id), self.config_entry.entry_id
            )
            if device is not None and device.name_by_user is None:
                registry.async_update_device(device.id, name=thing.display_name)

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
        self._rate_limited_refreshes += 1
        if self._rate_limited_refreshes == RATE_LIMIT_ISSUE_AFTER:
            _warn(
                self.hass,
                self.rate_limit_issue_id,
                "rate_limited",
                {"title": self.config_entry.title},
            )
        return super()._rate_limited(err)

    def _on_success(self) -> None:
        """End any rate-limit notice: a listing worked, whatever came before."""
        self._rate_limited_refreshes = 0
        ir.async_delete_issue(self.hass, DOMAIN, self.rate_limit_issue_id)


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
                self.runtime.sync_permission_issues()
                return
        self.async_set_updated_data(data)

    async def async_read_now(self, thing_ids: list[str]) -> None:
        """Read ``thing_ids`` now (after the user acted on them); a failure is only logged."""
        async with self._lock:
            try:
                data = await self._read(thing_ids)
            except MonogotoError as err:
                LOGGER.debug("Re-reading SIMs failed: %s", type(err).__name__)
                self.runtime.sync_permission_issues()
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


class MonogotoRuntime:
    """An entry's client and coordinators, and what concerns all of them."""

    def __init__(
        self, hass: HomeAssistant, entry: MonogotoConfigEntry, client: MonogotoClient
    ) -> None:
        """Create the coordinators; each reads only when asked or when it has listeners."""
        self.hass = hass
        self.entry = entry
        self.client = client
        self.things = ThingsCoordinator(hass, entry, self)
        self.statuses = StatusCoordinator(hass, entry, self)
        self.details = DetailsCoordinator(hass, entry, self)
        #: The entity plan last made, and the new entities it started enabled that Home
        #: Assistant may not have registered yet (platform, unique id).
        self._plan: EntityPlan | None = None
        self._pending_enabled: set[tuple[str, str]] = set()
        #: New entities the plan wanted enabled but that found no room under the cap.
        self.refused_enabled = 0
        entry.async_on_unload(self.things.async_add_listener(self._things_changed))
        entry.async_on_unload(self._remove_issues)

    @property
    def coordinators(self) -> tuple[MonogotoCoordinator[Any], ...]:
        """Return the three coordinators."""
        return (self.things, self.statuses, self.details)

    def halt(self, failed: MonogotoCoordinator[Any]) -> None:
        """Stop every other coordinator once the credentials were rejected.

        Home Assistant stops the one that failed and asks the user to sign in again, which
        reloads the entry; until then nothing else polls (or logs the same failure again),
        and every entity is unavailable.
        """
        for coordinator in self.coordinators:
            if coordinator is not failed:
                coordinator.last_update_success = False
                coordinator.async_update_listeners()
                self.entry.async_create_task(
                    self.hass, coordinator.async_shutdown(), "halt polling"
                )

    def known_things(self) -> Mapping[str, Thing]:
        """Return the included SIMs the listing knows (the ones that have entities).

        Statuses and details are read for these only: the user's selection (options) is
        applied by the listing, before anything else sees a SIM.
        """
        return self.things.data or {}

    def thing(self, thing_id: str) -> Thing:
        """Return a known SIM as the listing gave it, completed by its details."""
        thing = self.known_things()[thing_id]
        details = (self.details.data or {}).get(thing_id)
        return thing if details is None else thing.completed_by(details)

    def fields(self) -> frozenset[Field]:
        """Return the fields the account has: carried by its listing or its details.

        The state counts as carried when it comes from the state endpoint instead.
        """
        shape = self.client.shape
        fields = (shape.listing_fields or frozenset()) | (
            shape.details_fields or frozenset()
        )
        return fields | {Field.STATE} if self.things.state_reads else fields

    @callback
    def _things_changed(self) -> None:
        """Re-plan for the new SIM count; read new SIMs' statuses and details at once."""
        self.replan()
        for coordinator in (self.statuses, self.details):
            self.entry.async_create_background_task(
                self.hass, coordinator.async_read_new(), f"{coordinator.name} new SIMs"
            )

    def replan(self) -> None:
        """Fit the three cadences into the request budget (``planner.allot``)."""
        plan = allot(self._demands(), self.client.budget.hourly_limit * PLANNED_SHARE)
        if plan["things"].interval != self.things.update_interval:
            LOGGER.info(
                "Polling every %s to stay within the request budget",
                plan["things"].interval,
            )
        self.things.update_interval = plan["things"].interval
        for coordinator, name in (
            (self.statuses, "statuses"),
            (self.details, "details"),
        ):
            coordinator.update_interval = plan[name].interval
            coordinator.per_refresh = plan[name].per_refresh

    def _demands(self) -> dict[str, Demand]:
        """Return what each coordinator would like, as this console answers."""
        count = len(self.known_things())
        mode = self.client.shape.status_mode
        # The listing form of the statuses has no ids: it pages the whole account.
        status_requests = {
            StatusMode.BATCHED: math.ceil(count / PAGE_SIZE),
            StatusMode.LISTING: listing_pages(max(count, len(self.things.listed))),
            StatusMode.PER_SIM: count,
        }[mode]
        return {
            "things": Demand(
                self.client.shape.listing_requests + self.things.state_reads,
                SCAN_INTERVAL,
                weight=2,
                chunked=False,
            ),
            "statuses": Demand(
                status_requests,
                STATUS_INTERVAL,
                weight=1,
                chunked=mode is StatusMode.PER_SIM,
            ),
            "details": Demand(
                count if self.details.needed() else 0,
                DETAILS_INTERVAL,
                weight=1,
                chunked=True,
            ),
        }

    # -- the entity plan (decision 12) -------------------------------------------------------

    def entity_plan(self) -> EntityPlan:
        """Return the plan for the included SIMs; tell the user when it disables some."""
        plan = plan_entities(
            len(self.known_things()),
            self.fields(),
            MAX_ENABLED_ENTITIES_PER_CONFIG_ENTRY - ACCOUNT_ENTITIES,
        )
        if plan != self._plan:
            self._plan = plan
            self._sync_plan_issue()
        return plan

    def claim_enabled(self, platform: str, unique_ids: Iterable[str]) -> set[str]:
        """Return which of these entities, planned enabled, may start enabled.

        Every enabled-by-default entity of the entry asks here (the account's totals too).
        The plan counts SIMs; this counts entities, as Home Assistant does: the entry's
        enabled entities (the user may have enabled more, an earlier plan may have been
        for fewer SIMs) and the ones just handed to Home Assistant. An entity already
        registered keeps its own setting and takes no new room.
        """
        registry = er.async_get(self.hass)
        self._pending_enabled = {
            key
            for key in self._pending_enabled
            if registry.async_get_entity_id(key[0], DOMAIN, key[1]) is None
        }
        room = (
            MAX_ENABLED_ENTITIES_PER_CONFIG_ENTRY
            - registry.entities.get_enabled_count_for_config_entry_id(
                self.entry.entry_id
            )
            - len(self._pending_enabled)
        )
        granted: set[str] = set()
        refused = 0
        for unique_id in unique_ids:
            if registry.async_get_entity_id(platform, DOMAIN, unique_id) is not None:
                granted.add(unique_id)
            elif room > 0:
                room -= 1
                granted.add(unique_id)
                self._pending_enabled.add((platform, unique_id))
            else:
                refused += 1
        if refused:
            self.refused_enabled += refused
            self._sync_plan_issue()
        return granted

    @property
    def plan_issue_id(self) -> str:
        """Return the id of the repair issue about entities left disabled."""
        return f"entity_plan_{self.entry.entry_id}"

    def _sync_plan_issue(self) -> None:
        plan = self._plan
        disabled = (plan.disabled_entities if plan else 0) + self.refused_enabled
        if not disabled or plan is None:
            ir.async_delete_issue(self.hass, DOMAIN, self.plan_issue_id)
            return
        _warn(
            self.hass,
            self.plan_issue_id,
            "entity_plan",
            {
                "title": self.entry.title,
                "sims": str(plan.sims),
                "disabled": str(disabled),
                "fits": str(plan.fits),
                "limit": str(MAX_ENABLED_ENTITIES_PER_CONFIG_ENTRY),
            },
        )

    # -- repair issues -----------------------------------------------------------------------

    def permission_issue_id(self, feature: Feature) -> str:
        """Return the id of the repair issue about a refused feature."""
        return f"permission_{feature}_{self.entry.entry_id}"

    def sync_permission_issues(self) -> None:
        """Show a repair issue for each feature the console refuses, and only for those."""
        refused = self.client.refused_features()
        for feature, info in FEATURES.items():
            issue_id = self.permission_issue_id(feature)
            if feature not in refused:
                ir.async_delete_issue(self.hass, DOMAIN, issue_id)
                continue
            _warn(
                self.hass,
                issue_id,
                "permission_denied",
                {
                    "title": self.entry.title,
                    "endpoint": info.endpoint,
                    "permission": info.permission,
                },
            )

    @callback
    def _remove_issues(self) -> None:
        """Leave no notice behind an unloaded entry (a reload starts afresh)."""
        ir.async_delete_issue(self.hass, DOMAIN, self.things.rate_limit_issue_id)
        ir.async_delete_issue(self.hass, DOMAIN, self.plan_issue_id)
        for feature in FEATURES:
            ir.async_delete_issue(self.hass, DOMAIN, self.permission_issue_id(feature))

    # -- the user's actions ------------------------------------------------------------------

    @asynccontextmanager
    async def action_errors(self) -> AsyncIterator[None]:
        """Turn client errors met while acting for the user into translated errors.

        A rejected login also starts the re-authentication flow, as a failed poll would; a
        refused permission shows its repair issue.
        """
        try:
            yield
        except MonogotoError as err:
            if isinstance(err, MonogotoAuthError):
                self.entry.async_start_reauth(self.hass)
            self.sync_permission_issues()
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key=error_key(err),
                translation_placeholders=error_placeholders(err),
            ) from err

    async def async_set_sim_state(self, thing_id: str, state: ThingState) -> None:
        """Write a SIM's state, re-read it, and update its entities without a full refresh.

        The write is what counts: when it was accepted but the re-read fails, the SIM shows
        the state it was given, and the next listing confirms it.
        """
        async with self.action_errors():
            await self.client.set_thing_state(thing_id, state)
        try:
            new_state = await self.client.get_thing_state(thing_id)
        except MonogotoError as err:
            LOGGER.debug("Re-reading a written state failed: %s", type(err).__name__)
            new_state = str(state)
        things = dict(self.known_things())
        if thing_id in things:
            things[thing_id] = things[thing_id].with_state(new_state)
            self.things.async_set_updated_data(things)

    async def async_send_sms(
        self, thing_id: str, message: str, sender: str | None = None
    ) -> str:
        """Check and send an SMS to a SIM; return the console's SMS id."""
        check_sms(message, sender)
        async with self.action_errors():
            return await self.client.send_sms(
                thing_id, message, sender.strip() if sender else None
            )

    async def async_ping(self, thing_id: str, name: str) -> PingResult:
        """Ping the device behind a SIM at its current address.

        A SIM without an address, or without a data session, cannot answer: it is refused
        (translated) before any request.
        """
        address = self.thing(thing_id).ip_address
        if not address:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="ping_no_ip",
                translation_placeholders={"device": name},
            )
        status = (self.statuses.data or {}).get(thing_id)
        if status is None or status.connected is not True:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="ping_offline",
                translation_placeholders={"device": name},
            )
        async with self.action_errors():
            return await self.client.ping(thing_id, address)

    async def async_reset_connection(self, thing_id: str) -> None:
        """Make the SIM attach anew; read its status again once it had time to."""
        async with self.action_errors():
            await self.client.refresh_connection(thing_id)

        @callback
        def confirm(_now: Any) -> None:
            self.entry.async_create_background_task(
                self.hass,
                self.statuses.async_read_now([thing_id]),
                f"{self.statuses.name} after a reset",
            )

        self.entry.async_on_unload(
            async_call_later(self.hass, RESET_CONFIRM_DELAY, confirm)
        )

    def thing_ids_of(self, identifiers: Iterable[tuple[str, str]]) -> str | None:
        """Return the thing id among a device's identifiers, if it is a known SIM."""
        known = self.known_things()
        return next(
            (
                value
                for domain, value in identifiers
                if domain == DOMAIN and value in known
            ),
            None,
        )
