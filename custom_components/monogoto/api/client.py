"""Async client for the Monogoto console API (``https://console.monogoto.io``).

Every request goes through ``MonogotoClient._request``: it takes a slot of the request budget
(``budget.py``: the console's windows, the concurrency cap, priorities), applies the timeout,
and turns every transport failure into the exception tree of ``exceptions.py``.

Token handling lives next to it: log in lazily, share one login between concurrent callers,
reuse the token until shortly before it expires, and on a 401/403 log in again once and retry
once. A login is rejected by what it says, not only by its status (decision 1), and a rejected
login is never retried: repeated failed logins may lock the account. A data endpoint that
refuses a freshly issued token refuses a *permission*, not the credentials: that feature raises
``MonogotoPermissionError`` and is not asked again for an hour.

Where the console is undocumented, the client observes instead of assuming (decision 11):
paging, statuses and token lifetime fall back to what works, and ``profile`` records it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime
from enum import StrEnum
import json
import logging
import time
from typing import Any, Final
from urllib.parse import quote

import aiohttp
from yarl import URL

from .budget import LOGIN_WINDOW, Priority, RequestBudget
from .exceptions import (
    MonogotoAuthError,
    MonogotoConnectionError,
    MonogotoError,
    MonogotoPermissionError,
    MonogotoRateLimitError,
    MonogotoResponseError,
)
from .models import (
    SETTABLE_STATES,
    Login,
    PingResult,
    Thing,
    ThingEvent,
    ThingState,
    ThingStatus,
    is_jwt,
    parse_events,
    parse_login,
    parse_ping,
    parse_sms_id,
    parse_state,
    parse_statuses,
    parse_thing,
    parse_things,
    state_body_form,
    thing_alias,
)
from .profile import (
    COMPLETE_ENDS,
    ApiProfile,
    ListingEnd,
    StatusMode,
    TokenKind,
    body_form,
    spellings,
)

_fast_loads: Callable[[str], Any] | None
try:
    from orjson import loads as _fast_loads
except ImportError:  # pragma: no cover - Home Assistant always ships orjson
    _fast_loads = None

_LOGGER = logging.getLogger(__name__)

DEFAULT_BASE_URL: Final = "https://console.monogoto.io"
#: The page size cap of ``GET /things``; larger values are rejected by the console.
PAGE_SIZE: Final = 50


def listing_pages(count: int) -> int:
    """Return the requests a whole listing of ``count`` SIMs takes: until a short page.

    The last page is short, or empty when ``count`` is a multiple of the page size.
    """
    return count // PAGE_SIZE + 1


#: No refresh reads more pages than this (20,000 SIMs), whatever the console does with offsets.
MAX_PAGES: Final = 400
DEFAULT_TIMEOUT: Final = 30.0
#: Renew this long before the token's ``exp``, so no request races the expiry.
TOKEN_EXPIRY_MARGIN: Final = 120.0
#: Assumed lifetime of a token without an ``exp`` claim (third-party code reports 4 h).
ASSUMED_TOKEN_LIFETIME: Final = 3 * 3600.0
#: The shortest lifetime an observed refusal may teach: a token revoked for another reason must
#: not make the client log in on every poll.
MIN_TOKEN_LIFETIME: Final = 900.0
#: How long a feature refused to this user is not asked again (and the spacing of probe logins).
PERMISSION_RETRY: Final = 3600.0
#: The longest wait a ``Retry-After`` may impose. Monogoto's documented budgets renew within
#: an hour; a longer value (or ``inf``, or a date in 9999) is more likely a broken header, and
#: honouring it would stop polling for days.
MAX_RETRY_AFTER: Final = 3600.0
#: A 4xx from ``/Auth`` that is not about the credentials.
_NOT_A_REJECTION: Final = frozenset({408, 429})


class Feature(StrEnum):
    """What the client asks the console for; a user's profile may refuse each separately."""

    LISTING = "listing"
    STATE = "state"
    DETAILS = "details"
    STATUS = "status"
    WRITE_STATE = "write_state"
    EVENTS = "events"
    SMS = "sms"
    PING = "ping"
    RESET = "reset"


@dataclass(frozen=True, slots=True)
class FeatureInfo:
    """How a feature is asked for, and what the console calls its permission."""

    endpoint: str
    #: The permission of the console's user profile that grants it (``UserProfile.Permissions``).
    permission: str
    priority: Priority


FEATURES: Final[dict[Feature, FeatureInfo]] = {
    Feature.LISTING: FeatureInfo("GET /things", "Things (view)", Priority.LISTING),
    Feature.STATE: FeatureInfo(
        "GET /thing/{id}/state", "Things (view)", Priority.LISTING
    ),
    Feature.DETAILS: FeatureInfo("GET /thing/{id}", "Things (view)", Priority.DETAILS),
    Feature.STATUS: FeatureInfo("GET /thing/status", "Things (view)", Priority.STATUS),
    Feature.WRITE_STATE: FeatureInfo(
        "PUT /thing/{id}/state", "Things (edit)", Priority.ACTION
    ),
    Feature.EVENTS: FeatureInfo(
        "POST /thing/searchCDR", "Search (view)", Priority.ACTION
    ),
    Feature.SMS: FeatureInfo("POST /thing/{id}/sms", "SMS (edit)", Priority.ACTION),
    Feature.PING: FeatureInfo(
        "POST /thing/{id}/ping", "Things (view)", Priority.ACTION
    ),
    Feature.RESET: FeatureInfo(
        "GET /thing/{id}/refreshConnection", "Things (edit)", Priority.ACTION
    ),
}


@dataclass(frozen=True, slots=True)
class Listing:
    """Every SIM one listing found, and whether it is known to be all of them."""

    things: list[Thing]
    #: True when the listing ended the way a whole listing ends (a short or empty page): only
    #: then does a SIM's absence mean anything.
    complete: bool


@dataclass(frozen=True, slots=True)
class _Response:
    status: int
    text: str
    headers: dict[str, str]


class MonogotoClient:
    """Talks to the Monogoto console for one account."""

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
        self._session = session
        self._username = username
        self._password = password
        self._base_url = base_url.rstrip("/")
        self._timeout = request_timeout
        self.budget = budget or RequestBudget()
        self._login_budget = login_budget or RequestBudget((LOGIN_WINDOW,))
        self._clock = clock
        self.profile = ApiProfile()
        self._login_lock = asyncio.Lock()
        self._login: Login | None = None
        self._token_issued_at = 0.0
        self._token_valid_until = 0.0
        self._login_rejected = False
        #: Features refused to this user, and until when they are not asked again.
        self._refused: dict[Feature, float] = {}
        self._last_probe_login = -PERMISSION_RETRY
        #: The length of the short first page last probed for a console page size of its own.
        self._probed_first_page: int | None = None
        #: SIMs the console has no status for, however asked (no reason to fall back for them).
        self._statusless: set[str] = set()
        #: Pages read by the listing under way (its probe included).
        self._pages_read = 0

    # -- token lifecycle ---------------------------------------------------------------------

    async def login(self) -> Login:
        """Log in (or reuse a valid token) and return the login; shared by concurrent callers."""
        async with self._login_lock:
            if self._login and self._clock() < self._token_valid_until:
                return self._login
            if self._login_rejected:
                raise MonogotoAuthError("Credentials were rejected; not trying again")
            response = await self._request(
                "POST",
                "/Auth",
                json_body={"UserName": self._username, "Password": self._password},
                priority=Priority.LOGIN,
                login=True,
            )
            self.profile.logins += 1
            if rejection := _login_rejection(response):
                self._login_rejected = True
                self.profile.login_rejections[rejection] += 1
                raise MonogotoAuthError("Monogoto rejected the user name or password")
            self._raise_for_status(response, "POST /Auth")
            login = parse_login(_decode_json(response.text))
            self._start_token(login)
            return login

    def _start_token(self, login: Login) -> None:
        now = self._clock()
        profile = self.profile
        if login.expires_at is not None:
            profile.token_kind = TokenKind.JWT_WITH_EXP
            # To the minute: the claim is whole seconds, our clock is not.
            profile.token_lifetime_claimed = 60 * round((login.expires_at - now) / 60)
        else:
            profile.token_kind = (
                TokenKind.JWT_WITHOUT_EXP if is_jwt(login.token) else TokenKind.OPAQUE
            )
        lifetime = ASSUMED_TOKEN_LIFETIME
        learned = profile.token_refused_at_age
        if learned is not None and learned >= MIN_TOKEN_LIFETIME:
            lifetime = min(lifetime, learned)
        expires_at = (
            login.expires_at if login.expires_at is not None else now + lifetime
        )
        # A token that claims to be already expired is still used once; renew next call.
        self._token_valid_until = max(expires_at - TOKEN_EXPIRY_MARGIN, now)
        self._token_issued_at = now
        self._login = login
        _LOGGER.debug(
            "Logged in; token valid for %.0f s", self._token_valid_until - now
        )

    def _forget_token(self, token: str) -> None:
        """Drop ``token`` unless a concurrent caller has already replaced it."""
        if self._login and self._login.token == token:
            self._login = None
            self._token_valid_until = 0.0

    async def _authed(
        self,
        feature: Feature,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json_body: Any = None,
        apikey: bool = False,
    ) -> _Response:
        """Make an authenticated request for ``feature``.

        A refused token (401/403) is renewed and the request retried once. A fresh token refused
        too means the login works but the profile lacks the permission: the feature rests an hour.
        """
        info = FEATURES[feature]
        probing = feature in self._refused
        if probing and self._clock() < self._refused[feature]:
            raise _refusal(feature)
        refused_age = 0.0
        for attempt in (1, 2):
            login = await self.login()
            age = self._clock() - self._token_issued_at
            response = await self._request(
                method,
                path,
                params=params,
                json_body=json_body,
                headers=_auth_headers(login, apikey=apikey),
                priority=info.priority,
            )
            if response.status not in (401, 403):
                self._raise_for_status(response, info.endpoint)
                self._granted(feature, refused_age if attempt == 2 else None)
                return response
            refused_age = age
            if not self._renew_refused_token(info, response, login, attempt, probing):
                break
        self._rest(feature)
        raise _refusal(feature)

    def _granted(self, feature: Feature, refused_age: float | None) -> None:
        """Note an accepted request; ``refused_age``: the token refused just before it."""
        if refused_age is not None:
            self._note_refused_age(refused_age)
        self._refused.pop(feature, None)
        self.profile.permission_refused.discard(feature)

    def _rest(self, feature: Feature) -> None:
        """Rest ``feature`` for an hour: the console refused it to a fresh token."""
        self._refused[feature] = self._clock() + PERMISSION_RETRY
        self.profile.permission_refused.add(feature)

    def _renew_refused_token(
        self,
        info: FeatureInfo,
        response: _Response,
        login: Login,
        attempt: int,
        probing: bool,
    ) -> bool:
        """Note a refused token; return whether to log in again and retry.

        Once per request, and for a feature at rest only once an hour (the probe login).
        """
        self.profile.note_error(info.endpoint, response.status, _form(response))
        _LOGGER.debug("Token refused (HTTP %s), attempt %s", response.status, attempt)
        probe_spent = (
            probing and self._clock() - self._last_probe_login < PERMISSION_RETRY
        )
        if attempt == 2 or probe_spent:
            return False
        if probing:
            self._last_probe_login = self._clock()
        self._forget_token(login.token)
        return True

    def _note_refused_age(self, age: float) -> None:
        """Learn the token lifetime: one was refused at ``age`` and a new one was accepted.

        Only for tokens without an ``exp`` claim, whose lifetime is a guess; a JWT refused
        before its ``exp`` was revoked, which says nothing of the next one.
        """
        profile = self.profile
        known = profile.token_refused_at_age
        if known is not None and age >= known:
            return
        profile.token_refused_at_age = round(age)
        if profile.token_kind is TokenKind.JWT_WITH_EXP or age < MIN_TOKEN_LIFETIME:
            return
        # The token just issued lives no longer either.
        self._token_valid_until = min(
            self._token_valid_until,
            self._token_issued_at + age - TOKEN_EXPIRY_MARGIN,
        )
        profile.fallback(
            f"tokens were refused after {round(age)} s; renewing them sooner"
        )

    def refused_features(self) -> set[Feature]:
        """Return the features the console currently refuses to this user."""
        return set(self._refused)

    # -- the request choke point -------------------------------------------------------------

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json_body: Any = None,
        headers: dict[str, str] | None = None,
        priority: Priority,
        login: bool = False,
    ) -> _Response:
        """Send one request within its budget slot and the timeout.

        A login also takes a slot of the login budget (5 a minute) first.
        """
        url = URL(self._base_url + path, encoded=True)
        if params:
            url = url.with_query(params)
        if login:
            async with self._login_budget.slot(priority):
                return await self._send(method, url, json_body, headers, priority)
        return await self._send(method, url, json_body, headers, priority)

    async def _send(
        self,
        method: str,
        url: URL,
        json_body: Any,
        headers: dict[str, str] | None,
        priority: Priority,
    ) -> _Response:
        async with self.budget.slot(priority):
            try:
                async with asyncio.timeout(self._timeout):
                    async with self._session.request(
                        method,
                        url,
                        json=json_body,
                        headers={"Accept": "application/json", **(headers or {})},
                        allow_redirects=False,
                    ) as resp:
                        body = await resp.read()
                        return _Response(
                            resp.status,
                            body.decode("utf-8", errors="replace"),
                            dict(resp.headers),
                        )
            except TimeoutError as err:
                raise MonogotoConnectionError(
                    f"Timed out after {self._timeout:.0f} s"
                ) from err
            except aiohttp.ClientError as err:
                raise MonogotoConnectionError(
                    f"Cannot reach Monogoto: {type(err).__name__}"
                ) from err

    def _raise_for_status(self, response: _Response, what: str) -> None:
        status = response.status
        if status < 300:
            return
        self.profile.note_error(what, status, _form(response))
        if status == 429:
            raise MonogotoRateLimitError(
                "Monogoto is rate limiting this account",
                retry_after=_retry_after(
                    response.headers.get("Retry-After"), self._clock()
                ),
            )
        if status >= 500:
            raise MonogotoConnectionError(f"Monogoto server error (HTTP {status})")
        raise MonogotoResponseError(f"Unexpected HTTP {status} from Monogoto")

    # -- the listing -------------------------------------------------------------------------

    async def list_things_page(
        self, offset: int, limit: int = PAGE_SIZE
    ) -> list[Thing]:
        """Return one page of ``GET /things``."""
        response = await self._authed(
            Feature.LISTING,
            "GET",
            "/things",
            params={"limit": str(min(limit, PAGE_SIZE)), "offset": str(offset)},
        )
        self._pages_read += 1
        payload = _decode_json(response.text)
        things = parse_things(payload)
        if payload:
            self.profile.spellings |= spellings(payload[0])
        return things

    async def list_things(self, expected: int | None = None) -> Listing:
        """Return every thing of the account, paging until the listing ends.

        It ends on a short or empty page, on a page that adds no new thing (a console that
        ignores ``offset``), or after ``MAX_PAGES``: never an endless loop. ``expected`` (the
        count seen last time) lets the pages be fetched concurrently. A thing seen on two pages
        (the listing shifted while paging) is kept once.
        """
        profile = self.profile
        profile.listings += 1
        self._pages_read = 0
        seen: dict[str, Thing] = {}
        end, taken = await self._page_through(seen, expected)
        if end is ListingEnd.SHORT_PAGE and taken == 1:
            end = await self._probe_page_size(seen)
        profile.listing_ends[end] += 1
        profile.pages_last_listing = self._pages_read
        profile.note_listing_fields(
            {field for thing in seen.values() for field in thing.present}
        )
        return Listing(things=list(seen.values()), complete=end in COMPLETE_ENDS)

    async def _page_through(
        self, seen: dict[str, Thing], expected: int | None
    ) -> tuple[ListingEnd, int]:
        """Read pages into ``seen`` until the listing ends; return how, and pages taken."""
        profile = self.profile
        page_size = profile.page_size or PAGE_SIZE
        fetched = taken = offset = 0
        end: ListingEnd | None = None
        batch = (
            1 if profile.offset_ignored else max(1, (expected or 0) // page_size + 1)
        )
        while end is None:
            batch = min(batch, MAX_PAGES - fetched)
            offsets = [offset + i * page_size for i in range(batch)]
            results = await asyncio.gather(*map(self.list_things_page, offsets))
            fetched += len(results)
            for page in results:
                taken += 1
                end = self._take_page(page, seen)
                if end is not None:
                    break
                offset += len(page)
            if end is None and profile.offset_ignored:
                end = ListingEnd.NO_NEW_SIM
            elif end is None and fetched >= MAX_PAGES:
                end = ListingEnd.PAGE_CAP
            batch = 1
        return end, taken

    def _take_page(
        self, page: list[Thing], seen: dict[str, Thing]
    ) -> ListingEnd | None:
        """Add a page's new things to ``seen``; return why the listing ends, if it does."""
        first = not seen
        new = [thing for thing in page if thing.thing_id not in seen]
        self.profile.duplicates_across_pages += len(page) - len(new)
        seen.update((thing.thing_id, thing) for thing in new)
        page_size = self.profile.page_size or PAGE_SIZE
        if not page:
            return ListingEnd.EMPTY_PAGE
        if not new:
            if len(page) >= page_size and not self.profile.offset_ignored:
                self.profile.offset_ignored = True
                self.profile.fallback(
                    "the SIM listing ignores offset: only its first page can be read"
                )
            return ListingEnd.NO_NEW_SIM
        if first and len(page) > PAGE_SIZE:
            self.profile.fallback("the SIM listing ignores limit and answers every SIM")
            return ListingEnd.WHOLE_ACCOUNT_IN_ONE_PAGE
        if len(page) == PAGE_SIZE:
            self.profile.page_size = PAGE_SIZE
        if len(page) < page_size:
            return ListingEnd.SHORT_PAGE
        return None

    async def _probe_page_size(self, seen: dict[str, Thing]) -> ListingEnd:
        """After a short first page, check once whether the console pages by its own size.

        Only while no full page of ours was ever seen, and once per first-page length: a steady
        small account costs nothing more. When the next page brings new SIMs, the console pages
        by the first page's length, and the client does so from now on.
        """
        length = len(seen)
        if (
            self.profile.page_size is not None
            or not length
            or length == self._probed_first_page
        ):
            return ListingEnd.SHORT_PAGE
        self._probed_first_page = length
        page = await self.list_things_page(length)
        if not any(thing.thing_id not in seen for thing in page):
            return ListingEnd.SHORT_PAGE
        self.profile.page_size = length
        self.profile.fallback(f"the SIM listing pages by {length}, not by {PAGE_SIZE}")
        return self._take_page(page, seen) or await self._continue(seen)

    async def _continue(self, seen: dict[str, Thing]) -> ListingEnd:
        """Read the rest of a listing one page at a time (after the page size changed)."""
        pages = 2
        while pages < MAX_PAGES:
            pages += 1
            end = self._take_page(await self.list_things_page(len(seen)), seen)
            if end is not None:
                return end
        return ListingEnd.PAGE_CAP

    # -- one thing ---------------------------------------------------------------------------

    async def get_thing(self, thing_id: str) -> Thing:
        """Return the full object of one thing (``GET /thing/{id}``)."""
        response = await self._authed(
            Feature.DETAILS, "GET", f"/thing/{_segment(thing_id)}"
        )
        thing = parse_thing(_decode_json(response.text))
        self.profile.details_fields = (self.profile.details_fields or frozenset()) | (
            thing.present
        )
        return thing

    async def get_thing_state(self, thing_id: str) -> str:
        """Return one thing's state word (``GET /thing/{id}/state``); unknown words are kept."""
        response = await self._authed(
            Feature.STATE, "GET", f"/thing/{_segment(thing_id)}/state"
        )
        self.profile.state_bodies[state_body_form(response.text)] += 1
        return parse_state(response.text)

    async def set_thing_state(self, thing_id: str, state: ThingState) -> None:
        """Activate or suspend a SIM (``PUT /thing/{id}/state/``); a billable, live change."""
        if state not in SETTABLE_STATES:
            raise ValueError(f"Only ACTIVE or SUSPENDED can be set, not {state}")
        response = await self._authed(
            Feature.WRITE_STATE,
            "PUT",
            f"/thing/{_segment(thing_id)}/state/",
            json_body={"state": str(state)},
        )
        self.profile.write_answers[
            body_form(response.text, _try_json(response.text))
        ] += 1
        _LOGGER.debug("Set %s to %s", thing_alias(thing_id), state)

    async def get_thing_states(
        self, thing_ids: Iterable[str]
    ) -> dict[str, str | MonogotoError]:
        """Read several states; a failing thing yields its error (see ``_each``)."""
        return await _each(thing_ids, self.get_thing_state)

    async def get_things(
        self, thing_ids: Iterable[str]
    ) -> dict[str, Thing | MonogotoError]:
        """Read several things' full objects; a failing thing yields its error."""
        return await _each(thing_ids, self.get_thing)

    # -- statuses ----------------------------------------------------------------------------

    async def get_thing_statuses(
        self, thing_ids: Sequence[str]
    ) -> dict[str, ThingStatus]:
        """Return the data-session status of SIMs (``GET /thing/status``), as this console allows.

        ``ThingIds`` is plural and the endpoint pages like ``/things``, so ids are first sent
        comma-separated, a page per request (an assumption: the documentation shows one id).
        When a batch answers fewer SIMs than it asked for, the client checks whether the others
        have a status at all, by the listing form (no ids, paged) and then one id alone; the
        first that answers for them becomes the mode, kept from then on. A switch to one SIM per
        request answers only the first missing SIM: asking for the others is the caller's call.
        """
        mode = self.profile.status_mode
        if mode is StatusMode.LISTING:
            every = await self._status_listing()
            return {tid: every[tid] for tid in thing_ids if tid in every}
        if mode is StatusMode.PER_SIM:
            return await self._statuses_one_by_one(thing_ids)
        statuses = await self._statuses_batched(thing_ids)
        self._statusless -= statuses.keys()
        missing = [
            tid
            for tid in thing_ids
            if tid not in statuses and tid not in self._statusless
        ]
        if missing and len(thing_ids) > 1:
            self.profile.statuses_answered_fewer_than_asked += 1
            statuses |= await self._status_fallback(missing)
        return statuses

    async def _statuses_batched(
        self, thing_ids: Sequence[str]
    ) -> dict[str, ThingStatus]:
        batches = [
            thing_ids[i : i + PAGE_SIZE] for i in range(0, len(thing_ids), PAGE_SIZE)
        ]
        answers = await asyncio.gather(
            *(self._status_request({"ThingIds": ",".join(batch)}) for batch in batches)
        )
        return {status.thing_id: status for answer in answers for status in answer}

    async def _status_request(
        self, params: dict[str, str], offset: int = 0
    ) -> list[ThingStatus]:
        response = await self._authed(
            Feature.STATUS,
            "GET",
            "/thing/status",
            params={**params, "limit": str(PAGE_SIZE), "offset": str(offset)},
        )
        return parse_statuses(_decode_json(response.text))

    async def _status_fallback(self, missing: list[str]) -> dict[str, ThingStatus]:
        """Find a way of asking that answers for ``missing``; switch to it if there is one."""
        try:
            every = await self._status_listing()
        except MonogotoResponseError:
            every = {}
        if any(tid in every for tid in missing):
            self.profile.status_mode = StatusMode.LISTING
            self.profile.fallback(
                "batched status requests answer fewer SIMs than asked; "
                "reading every status through the status listing instead"
            )
            return {tid: every[tid] for tid in missing if tid in every}
        alone = await self._status_request({"ThingIds": missing[0]})
        if not any(status.thing_id == missing[0] for status in alone):
            # The console has no status for these SIMs, however asked: batching works.
            self._statusless.update(missing)
            return {}
        self.profile.status_mode = StatusMode.PER_SIM
        self.profile.fallback(
            "batched status requests answer fewer SIMs than asked; "
            "reading statuses one SIM per request instead"
        )
        # The rest is the caller's to ask for, at the pace its plan allows: in this mode each
        # SIM costs a request, which a large account cannot spend all at once.
        return {status.thing_id: status for status in alone}

    async def _status_listing(self) -> dict[str, ThingStatus]:
        """Read every status through the listing form (no ids), paged like ``/things``."""
        found: dict[str, ThingStatus] = {}
        for page_number in range(MAX_PAGES):
            page = await self._status_request({}, offset=page_number * PAGE_SIZE)
            new = {s.thing_id: s for s in page if s.thing_id not in found}
            found |= new
            if len(page) < PAGE_SIZE or not new:
                break
        return found

    async def _statuses_one_by_one(
        self, thing_ids: Iterable[str]
    ) -> dict[str, ThingStatus]:
        async def one(thing_id: str) -> ThingStatus | None:
            answer = await self._status_request({"ThingIds": thing_id})
            return next((s for s in answer if s.thing_id == thing_id), None)

        results = await _each(thing_ids, one)
        return {
            tid: status
            for tid, status in results.items()
            if isinstance(status, ThingStatus)
        }

    # -- events ------------------------------------------------------------------------------

    async def search_events(self, thing_id: str, limit: int = 20) -> list[ThingEvent]:
        """Return a SIM's most recent events (``POST /thing/searchCDR``, needs the apikey)."""
        response = await self._authed(
            Feature.EVENTS,
            "POST",
            "/thing/searchCDR",
            json_body={"ThingIdELK": thing_id, "limit": str(limit)},
            apikey=True,
        )
        return parse_events(_decode_json(response.text))

    # -- acting on the device behind a SIM ---------------------------------------------------

    async def send_sms(
        self, thing_id: str, message: str, sender: str | None = None
    ) -> str:
        """Send an SMS to a SIM (``POST /thing/{id}/sms``); return the console's SMS id.

        The caller validates the text: the console is not asked to refuse it.
        """
        body: dict[str, str] = {"Message": message}
        if sender:
            body["From"] = sender
        response = await self._authed(
            Feature.SMS, "POST", f"/thing/{_segment(thing_id)}/sms", json_body=body
        )
        _LOGGER.debug("Sent an SMS to %s", thing_alias(thing_id))
        return parse_sms_id(response.text)

    async def ping(self, thing_id: str, ip_address: str) -> PingResult:
        """Ping the device behind a SIM at its address (``POST /thing/{id}/ping``, apikey)."""
        response = await self._authed(
            Feature.PING,
            "POST",
            f"/thing/{_segment(thing_id)}/ping",
            json_body={"IPAddress": ip_address},
            apikey=True,
        )
        result = parse_ping(_decode_json(response.text))
        _LOGGER.debug("Pinged %s: %r", thing_alias(thing_id), result)
        return result

    async def refresh_connection(self, thing_id: str) -> None:
        """Make the network detach a SIM so it attaches anew (``GET …/refreshConnection``).

        A 2xx is success whatever its body says; anything else raises.
        """
        await self._authed(
            Feature.RESET, "GET", f"/thing/{_segment(thing_id)}/refreshConnection"
        )
        _LOGGER.debug("Reset the connection of %s", thing_alias(thing_id))


async def _each[T](
    thing_ids: Iterable[str], read: Callable[[str], Awaitable[T]]
) -> dict[str, T | MonogotoError]:
    """Read each thing concurrently; a failing thing yields its error, not an exception.

    Errors that concern the whole account (authentication, rate limit, a refused permission)
    and anything that is not a client error still raise.
    """
    ids = list(thing_ids)
    results = await asyncio.gather(*map(read, ids), return_exceptions=True)
    out: dict[str, T | MonogotoError] = {}
    for thing_id, result in zip(ids, results, strict=True):
        if isinstance(
            result,
            MonogotoAuthError | MonogotoRateLimitError | MonogotoPermissionError,
        ) or (
            isinstance(result, BaseException) and not isinstance(result, MonogotoError)
        ):
            raise result
        out[thing_id] = result
    return out


def _login_rejection(response: _Response) -> str | None:
    """Return how ``/Auth`` said no (a short form, no content), or None when it did not.

    A rejection is "Access denied" in the body whatever the status, a 401/403 or another 4xx
    (but a 408 or 429), or a 2xx that is JSON or plain text without a token. An HTML page with
    200 is not the console's answer but something in the way: an invalid response.
    """
    status, text = response.status, response.text
    decoded = _try_json(text)
    form = body_form(text, decoded)
    if "access denied" in text.lower():
        return f"HTTP {status}, {form}"
    if 400 <= status < 500 and status not in _NOT_A_REJECTION:
        return f"HTTP {status}, {form}"
    if 200 <= status < 300:
        if isinstance(decoded, dict):
            token = decoded.get("token")
            return (
                None if isinstance(token, str) and token else f"HTTP {status}, {form}"
            )
        if decoded is not None or (text.strip() and not text.lstrip().startswith("<")):
            return f"HTTP {status}, {form}"
    return None


def _refusal(feature: Feature) -> MonogotoPermissionError:
    """Return the error of a feature the console refuses to this user."""
    return MonogotoPermissionError(
        f"Monogoto refuses {FEATURES[feature].endpoint} to this user", feature
    )


def _auth_headers(login: Login, *, apikey: bool) -> dict[str, str]:
    """Return the headers of an authenticated request (the apikey only where asked for)."""
    headers = {"Authorization": f"Bearer {login.token}"}
    if apikey:
        headers["apikey"] = login.customer_id
    return headers


def _form(response: _Response) -> str:
    return body_form(response.text, _try_json(response.text))


def _segment(value: str) -> str:
    """Percent-encode one URL path segment (thing ids go into paths)."""
    return quote(value, safe="")


def _try_json(text: str) -> Any:
    """Return the decoded body, or None when it is not JSON."""
    try:
        return _decode_json(text)
    except MonogotoResponseError:
        return None


def _decode_json(text: str) -> Any:
    """Decode a JSON body: with orjson when it can, else with the (laxer) standard library.

    A 5,000-SIM listing is ~21 MB of JSON per refresh; orjson (which Home Assistant itself
    depends on) takes ~20 ms of CPU per 1,000 SIMs off each refresh (``docs/benchmarks.md``).
    What orjson refuses and ``json`` accepts (``NaN``, integers past 64 bits) still decodes.
    """
    if _fast_loads is not None:
        try:
            return _fast_loads(text)
        except ValueError:
            pass
    try:
        return json.loads(text)
    except ValueError as err:
        raise MonogotoResponseError("Monogoto sent a body that is not JSON") from err


def _retry_after(value: str | None, now: float) -> float | None:
    """Read ``Retry-After`` as seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return min(max(0.0, float(value)), MAX_RETRY_AFTER)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except TypeError, ValueError:
        return None
    if when.tzinfo is None:  # the asctime form of an HTTP date has no zone: it is GMT
        when = when.replace(tzinfo=UTC)
    return min(max(0.0, when.timestamp() - now), MAX_RETRY_AFTER)
