"""Async client for the Monogoto console API (``https://console.monogoto.io``): the facade.

One method per endpoint (the writes to a SIM mixed in from ``writes.py``). The work is
elsewhere, a file per job: ``transport.py`` (one request: budget slot, timeout, status →
exception), ``auth.py`` (the token, refusals, resting features),
``paging.py`` (the listing), ``statuses.py`` (status modes and fallbacks), ``reader.py`` and
``parsers.py`` (reading answers), ``profile.py`` (the record of what was seen). What the
integration steers by is ``shape``, a read-only ``ConsoleShape``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
import logging
import time
from typing import Any, Final

import aiohttp

from .auth import Auth
from .budget import LOGIN_WINDOW, RequestBudget
from .exceptions import MonogotoError
from .features import Feature
from .models import (
    Field,
    Login,
    PingResult,
    Thing,
    ThingEvent,
    ThingStatus,
    thing_alias,
)
from .paging import PAGE_SIZE, Listing, Pager
from .parsers import (
    parse_sms_id,
    parse_state,
    read_events,
    read_ping,
    read_thing,
    state_body_form,
)
from .profile import ApiProfile
from .reader import decode
from .shape import ConsoleShape
from .statuses import Statuses, each
from .transport import DEFAULT_TIMEOUT, Transport, segment
from .writes import ThingWrites

_LOGGER = logging.getLogger(__name__)

DEFAULT_BASE_URL: Final = "https://console.monogoto.io"


class MonogotoClient(ThingWrites):
    """Talks to the Monogoto console for one account (its writes to a SIM: ``writes.py``)."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        username: str,
        password: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        request_timeout: float = DEFAULT_TIMEOUT,
        budget: RequestBudget | None = None,
        login_budget: RequestBudget | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Use an injected session; the caller owns it and closes it.

        ``clock`` (wall time) and the budgets' clocks are injectable for simulated time.
        """
        self.profile = ApiProfile()
        self._clock = clock
        self._transport = Transport(
            session,
            base_url,
            timeout=request_timeout,
            budget=budget or RequestBudget(),
            login_budget=login_budget or RequestBudget((LOGIN_WINDOW,)),
            profile=self.profile,
            clock=self._now,
        )
        self._auth = Auth(self._transport, username, password, self.profile, self._now)
        self._pager = Pager(self._auth, self.profile)
        self._statuses = Statuses(self._auth, self.profile)
        self._details_fields: frozenset[Field] | None = None

    def _now(self) -> float:
        """Return the wall time of ``clock`` (looked up late: simulated time may replace it)."""
        return self._clock()

    @property
    def budget(self) -> RequestBudget:
        """Return the request budget (its use is shown in diagnostics)."""
        return self._transport.budget

    @property
    def shape(self) -> ConsoleShape:
        """Return how this console answers, as far as seen: what to plan requests by."""
        return ConsoleShape(
            status_mode=self._statuses.mode,
            page_size=self._pager.page_size or PAGE_SIZE,
            offset_ignored=self._pager.offset_ignored,
            listing_fields=self._pager.listing_fields,
            details_fields=self._details_fields,
            listing_requests=self._pager.pages_last_listing,
        )

    async def login(self) -> Login:
        """Log in (or reuse a valid token) and return the login (``POST /Auth``)."""
        return await self._auth.login()

    def refused_features(self) -> set[Feature]:
        """Return the features the console currently refuses to this user."""
        return self._auth.refused_features()

    async def _read[T](
        self,
        feature: Feature,
        endpoint: str,
        read: Callable[[Any, set[str]], T],
        method: str,
        path: str,
        **kwargs: Any,
    ) -> T:
        """Request ``path`` for ``feature`` and read its answer; record what was unread."""
        response = await self._auth.request(feature, method, path, **kwargs)
        unread: set[str] = set()
        result = read(decode(response.text), unread)
        if unread:
            self.profile.note_unread(endpoint, unread)
        return result

    # -- the listing and one thing ---------------------------------------------------------

    async def list_things_page(
        self, offset: int, limit: int = PAGE_SIZE
    ) -> list[Thing]:
        """Return one page of ``GET /things``."""
        return await self._pager.page(offset, limit)

    async def list_things(self, expected: int | None = None) -> Listing:
        """Return every thing of the account (``GET /things``, paged; see ``paging.py``)."""
        return await self._pager.listing(expected)

    async def get_thing(self, thing_id: str) -> Thing:
        """Return the full object of one thing (``GET /thing/{id}``)."""
        thing = await self._read(
            Feature.DETAILS,
            "GET /thing/{id}",
            read_thing,
            "GET",
            f"/thing/{segment(thing_id)}",
        )
        self._details_fields = (self._details_fields or frozenset()) | thing.present
        self.profile.details_fields = self._details_fields
        return thing

    async def get_thing_state(self, thing_id: str) -> str:
        """Return one thing's state word (``GET /thing/{id}/state``); unknown words are kept."""
        response = await self._auth.request(
            Feature.STATE, "GET", f"/thing/{segment(thing_id)}/state"
        )
        self.profile.state_bodies[state_body_form(response.text)] += 1
        return parse_state(response.text)

    async def get_thing_states(
        self, thing_ids: Iterable[str]
    ) -> dict[str, str | MonogotoError]:
        """Read several states; a failing thing yields its error (see ``statuses.each``)."""
        return await each(thing_ids, self.get_thing_state)

    async def get_things(
        self, thing_ids: Iterable[str]
    ) -> dict[str, Thing | MonogotoError]:
        """Read several things' full objects; a failing thing yields its error."""
        return await each(thing_ids, self.get_thing)

    async def get_thing_statuses(
        self, thing_ids: Sequence[str]
    ) -> dict[str, ThingStatus]:
        """Return the data-session status of SIMs (``GET /thing/status``; see ``statuses.py``)."""
        return await self._statuses.read(thing_ids)

    # -- events and acting on the device behind a SIM --------------------------------------

    async def search_events(self, thing_id: str, limit: int = 20) -> list[ThingEvent]:
        """Return a SIM's most recent events (``POST /thing/searchCDR``, needs the apikey)."""
        return await self._read(
            Feature.EVENTS,
            "POST /thing/searchCDR",
            read_events,
            "POST",
            "/thing/searchCDR",
            json_body={"ThingIdELK": thing_id, "limit": str(limit)},
            apikey=True,
        )

    async def send_sms(
        self, thing_id: str, message: str, sender: str | None = None
    ) -> str:
        """Send an SMS to a SIM (``POST /thing/{id}/sms``); return the console's SMS id.

        The caller validates the text: the console is not asked to refuse it.
        """
        body: dict[str, str] = {"Message": message}
        if sender:
            body["From"] = sender
        response = await self._auth.request(
            Feature.SMS, "POST", f"/thing/{segment(thing_id)}/sms", json_body=body
        )
        _LOGGER.debug("Sent an SMS to %s", thing_alias(thing_id))
        return parse_sms_id(response.text)

    async def ping(self, thing_id: str, ip_address: str) -> PingResult:
        """Ping the device behind a SIM at its address (``POST /thing/{id}/ping``, apikey)."""
        result = await self._read(
            Feature.PING,
            "POST /thing/{id}/ping",
            read_ping,
            "POST",
            f"/thing/{segment(thing_id)}/ping",
            json_body={"IPAddress": ip_address},
            apikey=True,
        )
        _LOGGER.debug("Pinged %s: %r", thing_alias(thing_id), result)
        return result

    async def refresh_connection(self, thing_id: str) -> None:
        """Make the network detach a SIM so it attaches anew (``GET …/refreshConnection``).

        A 2xx is success whatever its body says; anything else raises.
        """
        await self._auth.request(
            Feature.RESET, "GET", f"/thing/{segment(thing_id)}/refreshConnection"
        )
        _LOGGER.debug("Reset the connection of %s", thing_alias(thing_id))
