"""The console's shape: what the integration steers by, as the client has observed it.

The console is undocumented where it matters for planning (how it pages, which fields its
listing carries, how statuses may be asked for). The client observes it and falls back to what
works; ``ConsoleShape`` is the read-only snapshot of that, for the integration to plan its
requests by. The API profile (``profile.py``) is the record of what was seen, for diagnostics.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .models import Field


class StatusMode(StrEnum):
    """How ``GET /thing/status`` is asked (fallbacks in this order)."""

    #: Up to a page of comma-separated ids per call (``ThingIds=a,b,c``).
    BATCHED = "batched"
    #: Without ids, paged like the listing: every SIM's status.
    LISTING = "listing"
    #: One id per call.
    PER_SIM = "per_sim"


@dataclass(frozen=True, slots=True, kw_only=True)
class ConsoleShape:
    """How this console answers, as far as seen: a snapshot, never written by its readers."""

    #: How statuses are asked for now.
    status_mode: StatusMode
    #: The page size the listing pages by (ours, unless the console was seen to use its own).
    page_size: int
    #: Whether the listing ignores ``offset`` (only its first page can be read).
    offset_ignored: bool
    #: The fields the listing's items carried; None before the first listing.
    listing_fields: frozenset[Field] | None
    #: The fields ``GET /thing/{id}`` carried; None before the first details.
    details_fields: frozenset[Field] | None
    #: The requests the last listing took (its probe included).
    listing_requests: int
