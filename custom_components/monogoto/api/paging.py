"""The SIM listing (``GET /things?limit=&offset=``): pages, their end, and the probes.

The console sends no total count, so a listing ends on a short or empty page. What the console
does with ``limit`` and ``offset`` is undocumented; the pager observes it: a console that pages
by a size of its own is followed at that size, one that ignores ``offset`` is read by its first
page only (the listing is then known to be incomplete), one that ignores ``limit`` is read in
one page. A hard cap on pages ends any listing, whatever the console does.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Final

from .auth import Auth
from .features import Feature
from .models import Field, Thing
from .parsers import read_things
from .profile import COMPLETE_ENDS, ApiProfile, ListingEnd, spellings
from .reader import decode

#: The page size cap of ``GET /things``; larger values are rejected by the console.
PAGE_SIZE: Final = 50
#: No refresh reads more pages than this (20,000 SIMs), whatever the console does with offsets.
MAX_PAGES: Final = 400
ENDPOINT: Final = "GET /things"


def listing_pages(count: int) -> int:
    """Return the requests a whole listing of ``count`` SIMs takes: until a short page.

    The last page is short, or empty when ``count`` is a multiple of the page size.
    """
    return count // PAGE_SIZE + 1


@dataclass(frozen=True, slots=True)
class Listing:
    """Every SIM one listing found, and whether it is known to be all of them."""

    things: list[Thing]
    #: True when the listing ended the way a whole listing ends (a short or empty page): only
    #: then does a SIM's absence mean anything.
    complete: bool


class Pager:
    """Reads the listing the way this console turned out to page it."""

    def __init__(self, auth: Auth, profile: ApiProfile) -> None:
        """Page through ``auth``'s requests; record what was seen in ``profile``."""
        self._auth = auth
        self._profile = profile
        #: The console's own page size, once seen (None: ours, ``PAGE_SIZE``).
        self.page_size: int | None = None
        self.offset_ignored = False
        self.listing_fields: frozenset[Field] | None = None
        #: Pages read by the listing under way, and by the last one (its probe included).
        self._pages_read = 0
        self.pages_last_listing = 0
        #: The length of the short first page last probed for a console page size of its own.
        self._probed_first_page: int | None = None

    async def page(self, offset: int, limit: int = PAGE_SIZE) -> list[Thing]:
        """Return one page of ``GET /things``."""
        response = await self._auth.request(
            Feature.LISTING,
            "GET",
            "/things",
            params={"limit": str(min(limit, PAGE_SIZE)), "offset": str(offset)},
        )
        self._pages_read += 1
        payload = decode(response.text)
        unread: set[str] = set()
        things = read_things(payload, unread)
        if unread:
            self._profile.note_unread(ENDPOINT, unread)
        if things and isinstance(payload, list) and isinstance(payload[0], dict):
            self._profile.spellings |= spellings(payload[0])
        return things

    async def listing(self, expected: int | None = None) -> Listing:
        """Return every thing of the account, paging until the listing ends.

        It ends on a short or empty page, on a page that adds no new thing (a console that
        ignores ``offset``), or after ``MAX_PAGES``: never an endless loop. ``expected`` (the
        count seen last time) lets the pages be fetched concurrently. A thing seen on two pages
        (the listing shifted while paging) is kept once.
        """
        profile = self._profile
        profile.listings += 1
        self._pages_read = 0
        seen: dict[str, Thing] = {}
        end, taken = await self._page_through(seen, expected)
        if end is ListingEnd.SHORT_PAGE and taken == 1:
            end = await self._probe_page_size(seen)
        profile.listing_ends[end] += 1
        self.pages_last_listing = profile.pages_last_listing = self._pages_read
        # Things described alike share one set of present fields: union the distinct ones.
        kinds = {thing.present for thing in seen.values()}
        self.listing_fields = frozenset[Field]().union(*kinds)
        profile.note_listing_fields(self.listing_fields)
        profile.state_from = (
            "state endpoint"
            if any(Field.STATE not in kind for kind in kinds)
            else "listing"
        )
        return Listing(things=list(seen.values()), complete=end in COMPLETE_ENDS)

    async def _page_through(
        self, seen: dict[str, Thing], expected: int | None
    ) -> tuple[ListingEnd, int]:
        """Read pages into ``seen`` until the listing ends; return how, and pages taken."""
        page_size = self.page_size or PAGE_SIZE
        fetched = taken = offset = 0
        end: ListingEnd | None = None
        batch = 1 if self.offset_ignored else max(1, (expected or 0) // page_size + 1)
        while end is None:
            batch = min(batch, MAX_PAGES - fetched)
            offsets = [offset + i * page_size for i in range(batch)]
            results = await asyncio.gather(*map(self.page, offsets))
            fetched += len(results)
            for page in results:
                taken += 1
                end = self._take_page(page, seen)
                if end is not None:
                    break
                offset += len(page)
            if end is None and self.offset_ignored:
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
        self._profile.duplicates_across_pages += len(page) - len(new)
        seen.update((thing.thing_id, thing) for thing in new)
        page_size = self.page_size or PAGE_SIZE
        if not page:
            return ListingEnd.EMPTY_PAGE
        if not new:
            if len(page) >= page_size and not self.offset_ignored:
                self.offset_ignored = self._profile.offset_ignored = True
                self._profile.fallback(
                    "the SIM listing ignores offset: only its first page can be read"
                )
            return ListingEnd.NO_NEW_SIM
        if first and len(page) > PAGE_SIZE:
            self._profile.fallback(
                "the SIM listing ignores limit and answers every SIM"
            )
            return ListingEnd.WHOLE_ACCOUNT_IN_ONE_PAGE
        if len(page) == PAGE_SIZE:
            self.page_size = self._profile.page_size = PAGE_SIZE
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
            self.page_size is not None
            or not length
            or length == self._probed_first_page
        ):
            return ListingEnd.SHORT_PAGE
        self._probed_first_page = length
        page = await self.page(length)
        if not any(thing.thing_id not in seen for thing in page):
            return ListingEnd.SHORT_PAGE
        self.page_size = self._profile.page_size = length
        self._profile.fallback(f"the SIM listing pages by {length}, not by {PAGE_SIZE}")
        return self._take_page(page, seen) or await self._continue(seen)

    async def _continue(self, seen: dict[str, Thing]) -> ListingEnd:
        """Read the rest of a listing one page at a time (after the page size changed)."""
        pages = 2
        while pages < MAX_PAGES:
            pages += 1
            end = self._take_page(await self.page(len(seen)), seen)
            if end is not None:
                return end
        return ListingEnd.PAGE_CAP
