"""Async client for the Monogoto console API (``https://console.monogoto.io``).

Every request goes through ``MonogotoClient._request``: it applies the request budget and the
concurrency cap, the timeout, and turns every transport failure into the exception tree of
``exceptions.py``. Token handling lives next to it: log in lazily, share one login between
concurrent callers, reuse the token until shortly before it expires, and on a 401/403 log in
again once and retry once. A rejected login is remembered and never retried: repeated failed
logins may lock the account.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime
import json
import logging
import time
from typing import Any, Final
from urllib.parse import quote

import aiohttp
from yarl import URL

from .exceptions import (
    MonogotoAuthError,
    MonogotoConnectionError,
    MonogotoError,
    MonogotoRateLimitError,
    MonogotoResponseError,
)
from .models import (
    SETTABLE_STATES,
    Login,
    Thing,
    ThingEvent,
    ThingState,
    ThingStatus,
    parse_events,
    parse_login,
    parse_state,
    parse_statuses,
    parse_thing,
    parse_things,
    thing_alias,
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
DEFAULT_TIMEOUT: Final = 30.0
#: Renew this long before the token's ``exp``, so no request races the expiry.
TOKEN_EXPIRY_MARGIN: Final = 120.0
#: Assumed lifetime of a token without an ``exp`` claim (third-party code reports 4 h).
ASSUMED_TOKEN_LIFETIME: Final = 3 * 3600.0
#: The longest wait a ``Retry-After`` may impose. Monogoto's documented budgets renew within
#: an hour (1,000 requests an hour at most); a longer value (or ``inf``, or a date in 9999) is
#: more likely a broken header, and honouring it would stop polling for days.
MAX_RETRY_AFTER: Final = 3600.0


class RequestBudget:
    """At most ``limit`` acquisitions in any rolling ``window`` seconds; callers wait their turn.

    The clock is injectable so tests and benchmarks can use simulated time.
    """

    def __init__(
        self,
        limit: int,
        window: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Any] = asyncio.sleep,
    ) -> None:
        """Create an empty budget."""
        self.limit = limit
        self.window = window
        self._clock = clock
        self._sleep = sleep
        self._stamps: deque[float] = deque()
        self._lock = asyncio.Lock()

    def _prune(self, now: float) -> None:
        while self._stamps and now - self._stamps[0] >= self.window:
            self._stamps.popleft()

    def used(self) -> int:
        """Return how many acquisitions fall in the current window."""
        self._prune(self._clock())
        return len(self._stamps)

    async def acquire(self) -> None:
        """Wait until one more request fits in the window, then count it."""
        async with self._lock:
            while True:
                now = self._clock()
                self._prune(now)
                if len(self._stamps) < self.limit:
                    self._stamps.append(now)
                    return
                await self._sleep(self._stamps[0] + self.window - now)


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
        max_concurrency: int = 4,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Use an injected session; the caller owns it and closes it."""
        self._session = session
        self._username = username
        self._password = password
        self._base_url = base_url.rstrip("/")
        self._timeout = request_timeout
        self.budget = budget or RequestBudget(60, 60.0)
        self._login_budget = login_budget or RequestBudget(5, 60.0)
        self._concurrency = asyncio.Semaphore(max_concurrency)
        self.max_concurrency = max_concurrency
        self._clock = clock
        self._login_lock = asyncio.Lock()
        self._login: Login | None = None
        self._token_valid_until = 0.0
        self._login_rejected = False

    @property
    def customer_id(self) -> str | None:
        """Return the account's CustomerId once logged in."""
        return self._login.customer_id if self._login else None

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
                budget=self._login_budget,
            )
            if response.status in (401, 403):
                self._login_rejected = True
                raise MonogotoAuthError("Monogoto rejected the user name or password")
            self._raise_for_status(response)
            login = parse_login(_decode_json(response.text))
            now = self._clock()
            expires_at = login.expires_at or now + ASSUMED_TOKEN_LIFETIME
            # A token that claims to be already expired is still used once; renew next call.
            self._token_valid_until = max(expires_at - TOKEN_EXPIRY_MARGIN, now)
            self._login = login
            _LOGGER.debug(
                "Logged in; token valid for %.0f s", self._token_valid_until - now
            )
            return login

    def _forget_token(self, token: str) -> None:
        """Drop ``token`` unless a concurrent caller has already replaced it."""
        if self._login and self._login.token == token:
            self._login = None
            self._token_valid_until = 0.0

    async def _authed(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json_body: Any = None,
        apikey: bool = False,
    ) -> _Response:
        """Make an authenticated request; on 401/403 log in again once and retry once."""
        for attempt in (1, 2):
            login = await self.login()
            headers = {"Authorization": f"Bearer {login.token}"}
            if apikey:
                headers["apikey"] = login.customer_id
            response = await self._request(
                method, path, params=params, json_body=json_body, headers=headers
            )
            if response.status not in (401, 403):
                self._raise_for_status(response)
                return response
            self._forget_token(login.token)
            _LOGGER.debug(
                "Token refused (HTTP %s), attempt %s", response.status, attempt
            )
        raise MonogotoAuthError("Monogoto refused a freshly issued token")

    # -- the request choke point -------------------------------------------------------------

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json_body: Any = None,
        headers: dict[str, str] | None = None,
        budget: RequestBudget | None = None,
    ) -> _Response:
        """Send one request within the budget, the concurrency cap and the timeout.

        The concurrency slot is taken *before* the budget is charged, so the budget stamps a
        request when it is sent, not when it joined the queue: with 100 pages queued behind 4
        slots, stamping at queue time would let the console see more than ``limit`` requests
        in one of its windows (the stamps run ahead of the sends by the queue's length).
        """
        url = URL(self._base_url + path, encoded=True)
        if params:
            url = url.with_query(params)
        async with self._concurrency:
            await (budget or self.budget).acquire()
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

    def _raise_for_status(self, response: _Response) -> None:
        status = response.status
        if status == 429:
            raise MonogotoRateLimitError(
                "Monogoto is rate limiting this account",
                retry_after=_retry_after(
                    response.headers.get("Retry-After"), self._clock()
                ),
            )
        if status >= 500:
            raise MonogotoConnectionError(f"Monogoto server error (HTTP {status})")
        if status >= 300:
            raise MonogotoResponseError(f"Unexpected HTTP {status} from Monogoto")

    # -- endpoints ---------------------------------------------------------------------------

    async def list_things_page(
        self, offset: int, limit: int = PAGE_SIZE
    ) -> list[Thing]:
        """Return one page of ``GET /things``."""
        response = await self._authed(
            "GET",
            "/things",
            params={"limit": str(min(limit, PAGE_SIZE)), "offset": str(offset)},
        )
        return parse_things(_decode_json(response.text))

    async def list_things(self, expected: int | None = None) -> list[Thing]:
        """Return every thing of the account, paging until a short page.

        ``expected`` (the count seen last time) lets the pages be fetched concurrently, up to the
        concurrency cap; without it, and past it, pages are fetched one after another. A thing
        seen on two pages (the listing shifted while paging) is kept once.
        """
        pages: list[list[Thing]] = []
        next_offset = 0
        batch = max(1, (expected or 0) // PAGE_SIZE + 1)
        while True:
            offsets = [next_offset + i * PAGE_SIZE for i in range(batch)]
            results = await asyncio.gather(
                *(self.list_things_page(offset) for offset in offsets)
            )
            pages.extend(results)
            if any(len(page) < PAGE_SIZE for page in results):
                break
            next_offset = offsets[-1] + PAGE_SIZE
            batch = 1
        unique: dict[str, Thing] = {}
        for page in pages:
            for thing in page:
                unique.setdefault(thing.thing_id, thing)
        return list(unique.values())

    async def get_thing(self, thing_id: str) -> Thing:
        """Return the full object of one thing (``GET /thing/{id}``)."""
        response = await self._authed("GET", f"/thing/{_segment(thing_id)}")
        return parse_thing(_decode_json(response.text))

    async def get_thing_state(self, thing_id: str) -> str:
        """Return one thing's state word (``GET /thing/{id}/state``); unknown words are kept."""
        response = await self._authed("GET", f"/thing/{_segment(thing_id)}/state")
        return parse_state(response.text)

    async def set_thing_state(self, thing_id: str, state: ThingState) -> None:
        """Activate or suspend a SIM (``PUT /thing/{id}/state/``); a billable, live change."""
        if state not in SETTABLE_STATES:
            raise ValueError(f"Only ACTIVE or SUSPENDED can be set, not {state}")
        await self._authed(
            "PUT",
            f"/thing/{_segment(thing_id)}/state/",
            json_body={"state": str(state)},
        )
        _LOGGER.debug("Set %s to %s", thing_alias(thing_id), state)

    async def get_thing_states(
        self, thing_ids: Iterable[str]
    ) -> dict[str, str | MonogotoError]:
        """Read several states concurrently; a failing thing yields its error, not an exception.

        Authentication and rate-limit errors still raise: they concern the whole account.
        """
        ids = list(thing_ids)
        results = await asyncio.gather(
            *(self.get_thing_state(tid) for tid in ids), return_exceptions=True
        )
        states: dict[str, str | MonogotoError] = {}
        for thing_id, result in zip(ids, results, strict=True):
            if isinstance(result, MonogotoAuthError | MonogotoRateLimitError):
                raise result
            if isinstance(result, BaseException) and not isinstance(
                result, MonogotoError
            ):
                raise result
            states[thing_id] = result
        return states

    async def get_thing_statuses(
        self, thing_ids: Sequence[str]
    ) -> dict[str, ThingStatus]:
        """Return the data-session status of several SIMs (``GET /thing/status``).

        ``ThingIds`` is plural and the endpoint pages like ``/things``, so ids are sent
        comma-separated, up to a page (50) per request. An assumption: the documentation shows
        one id per call; ids the console leaves out simply have no status.
        """
        batches = [
            thing_ids[i : i + PAGE_SIZE] for i in range(0, len(thing_ids), PAGE_SIZE)
        ]
        responses = await asyncio.gather(
            *(
                self._authed(
                    "GET",
                    "/thing/status",
                    params={
                        "ThingIds": ",".join(batch),
                        "limit": str(PAGE_SIZE),
                        "offset": "0",
                    },
                )
                for batch in batches
            )
        )
        return {
            status.thing_id: status
            for response in responses
            for status in parse_statuses(_decode_json(response.text))
        }

    async def search_events(self, thing_id: str, limit: int = 20) -> list[ThingEvent]:
        """Return a SIM's most recent events (``POST /thing/searchCDR``, needs the apikey)."""
        response = await self._authed(
            "POST",
            "/thing/searchCDR",
            json_body={"ThingIdELK": thing_id, "limit": str(limit)},
            apikey=True,
        )
        return parse_events(_decode_json(response.text))


def _segment(value: str) -> str:
    """Percent-encode one URL path segment (thing ids go into paths)."""
    return quote(value, safe="")


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
