"""An entry's runtime data: the client, the three pollers and the entity planner, wired together; the typed entry.

It also holds the one merged view of a SIM (``thing``: the listing completed by the details)
and decides, in ``available``, whether an entity of a SIM can show a value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
import math
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback

from .api import PAGE_SIZE, Field, MonogotoClient, StatusMode, Thing, listing_pages
from .const import DETAILS_INTERVAL, LOGGER, SCAN_INTERVAL, STATUS_INTERVAL
from .coordinator import (
    DetailsCoordinator,
    MonogotoCoordinator,
    StatusCoordinator,
    ThingsCoordinator,
)
from .devices import thing_id_of
from .entity_plan import EntityPlan, EntityPlanner
from .issues import remove_issues
from .planner import PLANNED_SHARE, Demand, allot
from .push import PushEvents

type MonogotoConfigEntry = ConfigEntry[MonogotoRuntime]


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
        #: What the Hub pushed (``webhook.py``): events per SIM, fresher activity.
        self.push = PushEvents()
        self.planner = EntityPlanner(
            hass, entry, lambda: (len(self.known_things()), self.fields())
        )
        entry.async_on_unload(self.things.async_add_listener(self._things_changed))
        entry.async_on_unload(lambda: remove_issues(hass, entry))

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
        """Return a known SIM as the listing gave it, completed by its details.

        The one place a SIM's merged view is built: entities, actions and diagnostics read it.
        """
        thing = self.known_things()[thing_id]
        details = (self.details.data or {}).get(thing_id)
        thing = thing if details is None else thing.completed_by(details)
        return self.push.freshen(thing)

    def merged_things(self) -> list[Thing]:
        """Return every known SIM's merged view."""
        return [self.thing(thing_id) for thing_id in self.known_things()]

    def thing_id_of(self, identifiers: Iterable[tuple[str, str]]) -> str | None:
        """Return the thing id among a device's identifiers, if it is a known SIM."""
        return thing_id_of(identifiers, self.known_things())

    def reads_details(self, thing_id: str, fields: frozenset[Field]) -> bool:
        """Return whether any of ``fields`` of a SIM comes from its details, not the listing."""
        listed = self.known_things().get(thing_id)
        return bool(fields) and (listed is None or not fields <= listed.present)

    def available(
        self,
        thing_id: str,
        coordinator: MonogotoCoordinator[Any],
        fields: frozenset[Field] = frozenset(),
    ) -> bool:
        """Decide whether an entity of a SIM fed by ``coordinator`` can show its ``fields``.

        Its coordinator must have succeeded and the listing must know the SIM; a per-SIM
        reading (a status) must have been read for it; a value that only the details carry
        (none of its fields is in the listing) is unavailable while they fail.
        """
        if not coordinator.last_update_success:
            return False
        listed = self.known_things().get(thing_id)
        if listed is None:
            return False
        if coordinator is not self.things and thing_id not in (coordinator.data or {}):
            return False
        return (
            not fields
            or bool(fields & listed.present)
            or self.details.last_update_success
        )

    def fields(self) -> frozenset[Field]:
        """Return the fields the account has: carried by its listing or its details.

        The state counts as carried when it comes from the state endpoint instead.
        """
        shape = self.client.shape
        fields = (shape.listing_fields or frozenset()) | (
            shape.details_fields or frozenset()
        )
        return fields | {Field.STATE} if self.things.state_reads else fields

    def entity_plan(self) -> EntityPlan:
        """Return the entity plan for the included SIMs (see ``entity_plan.py``)."""
        return self.planner.plan()

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
        shape = self.client.shape
        # The listing form of the statuses has no ids: it pages the whole account.
        status_requests = {
            StatusMode.BATCHED: math.ceil(count / PAGE_SIZE),
            StatusMode.LISTING: listing_pages(max(count, len(self.things.listed))),
            StatusMode.PER_SIM: count,
        }[shape.status_mode]
        return {
            "things": Demand(
                shape.listing_requests + self.things.state_reads,
                SCAN_INTERVAL,
                weight=2,
                chunked=False,
            ),
            "statuses": Demand(
                status_requests,
                STATUS_INTERVAL,
                weight=1,
                chunked=shape.status_mode is StatusMode.PER_SIM,
            ),
            "details": Demand(
                count if self.details.needed() else 0,
                DETAILS_INTERVAL,
                weight=1,
                chunked=True,
            ),
        }
