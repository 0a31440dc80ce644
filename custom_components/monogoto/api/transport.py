"""One request to the console: its budget slot, the timeout, and what its status means.

Every request of the client goes through ``Transport.request``: it takes a slot of the request
budget (``budget.py``: the console's windows, the concurrency cap, priorities) and, for a login,
of the login budget too; it applies the timeout and turns every transport failure into the
exception tree of ``exceptions.py``. ``raise_for_status`` turns a status into an exception,
honouring ``Retry-After``. Tokens and retries are ``auth.py``'s business, not this module's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Any, Final
from urllib.parse import quote

import aiohttp
from yarl import URL

from .budget import Priority, RequestBudget
from .exceptions import (
    MonogotoConflictError,
    MonogotoConnectionError,
    MonogotoRateLimitError,
    MonogotoResponseError,
)
from .profile import ApiProfile, body_form
from .reader import decode

DEFAULT_TIMEOUT: Final = 30.0
#: The longest wait a ``Retry-After`` may impose. Monogoto's documented budgets renew within
#: an hour; a longer value (or ``inf``, or a date in 9999) is more likely a broken header, and
#: honouring it would stop polling for days.
MAX_RETRY_AFTER: Final = 3600.0


@dataclass(frozen=True, slots=True)
class Response:
    """A console answer: its status, its body as text, its headers."""

    status: int
    text: str
    headers: dict[str, str]

    @property
    def form(self) -> str:
        """Describe the body without its content (for the profile and the log)."""
        value = decode(self.text)
        return body_form(self.text, None if value == self.text.strip() else value)


class Transport:
    """Sends requests to one console within the budgets and the timeout."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_url: str,
        *,
        timeout: float,
        budget: RequestBudget,
        login_budget: RequestBudget,
        profile: ApiProfile,
        clock: Callable[[], float],
    ) -> None:
        """Use an injected session; the caller owns it and closes it."""
        self.session = session
        self._base_url = base_url.rstrip("/")
        self._timeout = timeout
        self.budget = budget
        self.login_budget = login_budget
        self._profile = profile
        self._clock = clock

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json_body: Any = None,
        headers: dict[str, str] | None = None,
        priority: Priority,
        login: bool = False,
    ) -> Response:
        """Send one request within its budget slot and the timeout.

        A login also takes a slot of the login budget (5 a minute) first.
        """
        url = URL(self._base_url + path, encoded=True)
        if params:
            url = url.with_query(params)
        if login:
            async with self.login_budget.slot(priority):
                return await self._send(method, url, json_body, headers, priority)
        return await self._send(method, url, json_body, headers, priority)

    async def _send(
        self,
        method: str,
        url: URL,
        json_body: Any,
        headers: dict[str, str] | None,
        priority: Priority,
    ) -> Response:
        async with self.budget.slot(priority):
            try:
                async with asyncio.timeout(self._timeout):
                    async with self.session.request(
                        method,
                        url,
                        json=json_body,
                        headers={"Accept": "application/json", **(headers or {})},
                        allow_redirects=False,
                    ) as resp:
                        body = await resp.read()
                        return Response(
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

    def raise_for_status(self, response: Response, what: str) -> None:
        """Raise the error a status means (429 with its ``Retry-After``); a 2xx passes."""
        status = response.status
        if status < 300:
            return
        self._profile.note_error(what, status, response.form)
        if status == 429:
            raise MonogotoRateLimitError(
                "Monogoto is rate limiting this account",
                retry_after=retry_after(
                    response.headers.get("Retry-After"), self._clock()
                ),
            )
        if status >= 500:
            raise MonogotoConnectionError(f"Monogoto server error (HTTP {status})")
        if status in (409, 412):
            raise MonogotoConflictError(
                f"Monogoto refused a stale write (HTTP {status})"
            )
        raise MonogotoResponseError(f"Unexpected HTTP {status} from Monogoto")


def segment(value: str) -> str:
    """Percent-encode one URL path segment (thing ids go into paths)."""
    return quote(value, safe="")


def retry_after(value: str | None, now: float) -> float | None:
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
