"""The API profile: what this console was seen to do, where the documentation is silent.

Much of the console API is undocumented (paging, the listing's fields, batched statuses, error
bodies, token lifetime). The client treats every such shape as an observation: when an answer
contradicts it, the client falls back to a way that works, keeps using that way, and records
here what it saw. Diagnostics show the profile, so a user's bug report carries the evidence.

Nothing here identifies anyone: counts, modes, field *names* and body *forms*, never values.
It is a record only: the client steers by its console shape (``shape.py``), never by this.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
import logging
import re
from typing import Any

from .models import Field
from .shape import StatusMode

_LOGGER = logging.getLogger(__name__)

#: A JSON key worth recording: a plain name, not an identifier used as a key.
_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z_]{0,39}[0-9]{0,2}$", re.ASCII)
_MAX_KEYS = 12


class TokenKind(StrEnum):
    """What ``POST /Auth``'s token turned out to be."""

    JWT_WITH_EXP = "jwt_with_exp"
    JWT_WITHOUT_EXP = "jwt_without_exp"
    OPAQUE = "opaque"


class ListingEnd(StrEnum):
    """Why a paged listing stopped."""

    SHORT_PAGE = "short_page"
    EMPTY_PAGE = "empty_page"
    WHOLE_ACCOUNT_IN_ONE_PAGE = "whole_account_in_one_page"
    NO_NEW_SIM = "page_added_no_new_sim"
    PAGE_CAP = "page_cap"


#: Listing ends after which every SIM of the account was seen.
COMPLETE_ENDS = frozenset(
    {ListingEnd.SHORT_PAGE, ListingEnd.EMPTY_PAGE, ListingEnd.WHOLE_ACCOUNT_IN_ONE_PAGE}
)


def body_form(text: str, decoded: Any = None) -> str:
    """Describe a body without its content: ``json object (keys …)``, ``text``, ``html`` …."""
    stripped = text.strip()
    if not stripped:
        return "empty"
    if "access denied" in stripped.lower():
        return "text 'Access denied'"
    if isinstance(decoded, Mapping):
        keys = sorted(key for key in decoded if _PLAIN_KEY.match(str(key)))
        return f"json object (keys: {', '.join(keys[:_MAX_KEYS]) or 'none'})"
    if isinstance(decoded, list):
        return "json array"
    if isinstance(decoded, str):
        return "json string"
    if stripped.startswith("<"):
        return "html"
    return "text"


_FORMS = {bool: "boolean", int: "number", float: "number", str: "text"}


def value_form(value: object) -> str:
    """Name a value's form without its content: ``text``, ``number``, ``object`` …."""
    if isinstance(value, Mapping):
        return "object"
    return "array" if isinstance(value, list) else _FORMS.get(type(value), "other")


def spellings(payload: Mapping[str, Any]) -> set[str]:
    """Return how a thing object spells the facts that have several spellings."""
    found: set[str] = set()
    for key in ("IPs", "IPv4"):
        if key in payload:
            found.add(f"address as {key}")
    for key in ("Last_DATA_Time", "LastLocationUpdateTime"):
        value = payload.get(key)
        if isinstance(value, bool) or value is None:
            continue
        kind = "epoch ms" if isinstance(value, int | float) else type(value).__name__
        if isinstance(value, str):
            kind = "digits" if value.strip().isdigit() else "date string"
        found.add(f"{key} as {kind}")
    return found


@dataclass
class ApiProfile:
    """Observations of one console, kept for the client's lifetime."""

    listings: int = 0
    listing_ends: Counter[str] = field(default_factory=Counter)
    #: The page size the console pages by: our limit, unless it was seen to use its own.
    page_size: int | None = None
    offset_ignored: bool = False
    duplicates_across_pages: int = 0
    pages_last_listing: int = 0
    listing_fields: frozenset[Field] | None = None
    details_fields: frozenset[Field] | None = None
    state_from: str | None = None
    status_mode: StatusMode = StatusMode.BATCHED
    statuses_answered_fewer_than_asked: int = 0
    state_bodies: Counter[str] = field(default_factory=Counter)
    write_answers: Counter[str] = field(default_factory=Counter)
    spellings: set[str] = field(default_factory=set)
    token_kind: TokenKind | None = None
    #: Seconds between a token's issue and its ``exp`` claim.
    token_lifetime_claimed: float | None = None
    #: The youngest age at which a token was refused although the retry with a new one worked.
    token_refused_at_age: float | None = None
    logins: int = 0
    login_rejections: Counter[str] = field(default_factory=Counter)
    error_bodies: dict[str, str] = field(default_factory=dict)
    permission_refused: set[str] = field(default_factory=set)
    #: What could not be read, by endpoint: the value's key and form (``reader.py``).
    unread: dict[str, set[str]] = field(default_factory=dict)
    fallbacks: list[str] = field(default_factory=list)

    def fallback(self, message: str) -> None:
        """Record a fallback, and say so at INFO the first time it is taken."""
        if message not in self.fallbacks:
            self.fallbacks.append(message)
            _LOGGER.info("Monogoto console: %s", message)

    def note_error(self, what: str, status: int, form: str) -> None:
        """Record the form of an error body (the latest per endpoint and status)."""
        self.error_bodies[f"{what} HTTP {status}"] = form

    def note_unread(self, endpoint: str, forms: Iterable[str]) -> None:
        """Record what an answer of ``endpoint`` carried unreadably; say so at INFO, once."""
        known = self.unread.setdefault(endpoint, set())
        for what in forms:
            if what not in known:
                known.add(what)
                _LOGGER.info(
                    "Monogoto console: could not read %s from %s", what, endpoint
                )

    def note_listing_fields(self, fields: Iterable[Field]) -> None:
        """Record which fields the listing's items carried (any item counts)."""
        self.listing_fields = frozenset(fields)

    def as_dict(self) -> dict[str, Any]:
        """Return the profile for diagnostics: plain, sorted, identifier-free."""
        return {
            "listing": {
                "listings": self.listings,
                "ended_by": dict(sorted(self.listing_ends.items())),
                "page_size": self.page_size,
                "offset_ignored": self.offset_ignored,
                "duplicates_across_pages": self.duplicates_across_pages,
                "pages_last_listing": self.pages_last_listing,
                "fields": _names(self.listing_fields),
                "state_from": self.state_from,
            },
            "details_fields": _names(self.details_fields),
            "status_mode": self.status_mode.value,
            "statuses_answered_fewer_than_asked": self.statuses_answered_fewer_than_asked,
            "bodies": {
                "state": dict(sorted(self.state_bodies.items())),
                "write_answers": dict(sorted(self.write_answers.items())),
                "spellings": sorted(self.spellings),
                "errors": dict(sorted(self.error_bodies.items())),
            },
            "token": {
                "kind": self.token_kind.value if self.token_kind else None,
                "lifetime_claimed_s": self.token_lifetime_claimed,
                "refused_at_age_s": self.token_refused_at_age,
                "logins": self.logins,
                "login_rejections": dict(sorted(self.login_rejections.items())),
            },
            "unread": {k: sorted(v) for k, v in sorted(self.unread.items()) if v},
            "permission_refused": sorted(self.permission_refused),
            "fallbacks": list(self.fallbacks),
        }


def _names(fields: frozenset[Field] | None) -> list[str] | None:
    return None if fields is None else sorted(fields)
