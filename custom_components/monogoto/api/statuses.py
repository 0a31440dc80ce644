"""Data-session statuses (``GET /thing/status``), asked for in whichever way the console answers.

``ThingIds`` is plural and the endpoint pages like ``/things``, so ids are first sent
comma-separated, a page per request (an assumption: the documentation shows one id). When a
batch answers fewer SIMs than it asked for, the others are looked for by the listing form (no
ids, paged) and then by one id alone; the first that answers for them becomes the mode, kept from
then on. SIMs the console has no status for, however asked, are no reason to fall back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Final

from .auth import Auth
from .exceptions import (
    MonogotoAuthError,
    MonogotoError,
    MonogotoPermissionError,
    MonogotoRateLimitError,
    MonogotoResponseError,
)
from .features import Feature
from .models import ThingStatus
from .paging import MAX_PAGES, PAGE_SIZE
from .parsers import read_statuses
from .profile import ApiProfile
from .reader import decode
from .shape import StatusMode

ENDPOINT: Final = "GET /thing/status"


class Statuses:
    """Reads statuses in the mode this console turned out to allow."""

    def __init__(self, auth: Auth, profile: ApiProfile) -> None:
        """Ask through ``auth``; record the mode and the fallbacks in ``profile``."""
        self._auth = auth
        self._profile = profile
        self.mode = StatusMode.BATCHED
        #: SIMs the console has no status for, however asked (no reason to fall back for them).
        self._statusless: set[str] = set()

    async def read(self, thing_ids: Sequence[str]) -> dict[str, ThingStatus]:
        """Return the statuses of ``thing_ids`` the console has.

        A switch to one SIM per request answers only the first missing SIM: asking for the
        others is the caller's call, at the pace its plan allows.
        """
        if self.mode is StatusMode.LISTING:
            every = await self._listing()
            return {tid: every[tid] for tid in thing_ids if tid in every}
        if self.mode is StatusMode.PER_SIM:
            return await self._one_by_one(thing_ids)
        statuses = await self._batched(thing_ids)
        self._statusless -= statuses.keys()
        missing = [
            tid
            for tid in thing_ids
            if tid not in statuses and tid not in self._statusless
        ]
        if missing and len(thing_ids) > 1:
            self._profile.statuses_answered_fewer_than_asked += 1
            statuses |= await self._fallback(missing)
        return statuses

    async def _batched(self, thing_ids: Sequence[str]) -> dict[str, ThingStatus]:
        batches = [
            thing_ids[i : i + PAGE_SIZE] for i in range(0, len(thing_ids), PAGE_SIZE)
        ]
        answers = await asyncio.gather(
            *(self._request({"ThingIds": ",".join(batch)}) for batch in batches)
        )
        return {status.thing_id: status for answer in answers for status in answer}

    async def _request(
        self, params: dict[str, str], offset: int = 0
    ) -> list[ThingStatus]:
        response = await self._auth.request(
            Feature.STATUS,
            "GET",
            "/thing/status",
            params={**params, "limit": str(PAGE_SIZE), "offset": str(offset)},
        )
        unread: set[str] = set()
        statuses = read_statuses(decode(response.text), unread)
        if unread:
            self._profile.note_unread(ENDPOINT, unread)
        return statuses

    def _switch(self, mode: StatusMode, how: str) -> None:
        self.mode = self._profile.status_mode = mode
        self._profile.fallback(
            f"batched status requests answer fewer SIMs than asked; {how} instead"
        )

    async def _fallback(self, missing: list[str]) -> dict[str, ThingStatus]:
        """Find a way of asking that answers for ``missing``; switch to it if there is one."""
        try:
            every = await self._listing()
        except MonogotoResponseError:
            every = {}
        if any(tid in every for tid in missing):
            self._switch(
                StatusMode.LISTING, "reading every status through the status listing"
            )
            return {tid: every[tid] for tid in missing if tid in every}
        alone = await self._request({"ThingIds": missing[0]})
        if not any(status.thing_id == missing[0] for status in alone):
            # The console has no status for these SIMs, however asked: batching works.
            self._statusless.update(missing)
            return {}
        self._switch(StatusMode.PER_SIM, "reading statuses one SIM per request")
        # The rest is the caller's to ask for, at the pace its plan allows: in this mode each
        # SIM costs a request, which a large account cannot spend all at once.
        return {status.thing_id: status for status in alone}

    async def _listing(self) -> dict[str, ThingStatus]:
        """Read every status through the listing form (no ids), paged like ``/things``."""
        found: dict[str, ThingStatus] = {}
        for page_number in range(MAX_PAGES):
            page = await self._request({}, offset=page_number * PAGE_SIZE)
            new = {s.thing_id: s for s in page if s.thing_id not in found}
            found |= new
            if len(page) < PAGE_SIZE or not new:
                break
        return found

    async def _one_by_one(self, thing_ids: Iterable[str]) -> dict[str, ThingStatus]:
        async def one(thing_id: str) -> ThingStatus | None:
            answer = await self._request({"ThingIds": thing_id})
            return next((s for s in answer if s.thing_id == thing_id), None)

        results = await each(thing_ids, one)
        return {
            tid: status
            for tid, status in results.items()
            if isinstance(status, ThingStatus)
        }


async def each[T](
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
