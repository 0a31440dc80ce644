"""Which SIMs of the account the user included (the entry's options).

Three ways, chosen in the options flow:

- ``all`` (the default): every SIM the console lists;
- ``chosen``: a fixed list of SIMs (thing ids); SIMs that join the account stay out;
- ``filter``: every SIM whose name matches a pattern, now and later (``*`` any text, ``?``
  one character, case-insensitive, several patterns separated by commas). It follows the
  fleet: a SIM that joins, or is renamed to match, comes in by itself; one renamed away from
  the pattern goes.

The name is the one the SIM's device gets (``Thing.display_name``), i.e. what the user sees.
The console's listing carries no tag or group the integration reads (the API reference's
``ThingTags`` is a field of the details, empty in every payload seen), so there is no filter
by tag.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from fnmatch import fnmatchcase
from typing import Any

from .api import Thing
from .const import CONF_INCLUDE, CONF_NAME_FILTER, CONF_SIMS


class IncludeMode(StrEnum):
    """How the included SIMs are chosen."""

    ALL = "all"
    CHOSEN = "chosen"
    FILTER = "filter"


def parse_patterns(text: str) -> tuple[str, ...]:
    """Return the comma-separated patterns of ``text``, trimmed and case-folded."""
    return tuple(
        pattern for part in text.split(",") if (pattern := part.strip().casefold())
    )


@dataclass(frozen=True, slots=True)
class Selection:
    """The SIMs an entry includes."""

    mode: IncludeMode = IncludeMode.ALL
    chosen: frozenset[str] = frozenset()
    patterns: tuple[str, ...] = ()

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> Selection:
        """Read the entry's options; anything unreadable includes every SIM."""
        try:
            mode = IncludeMode(options.get(CONF_INCLUDE, IncludeMode.ALL))
        except ValueError:
            return cls()
        if mode is IncludeMode.CHOSEN:
            return cls(mode, chosen=frozenset(options.get(CONF_SIMS) or ()))
        if mode is IncludeMode.FILTER:
            patterns = parse_patterns(str(options.get(CONF_NAME_FILTER) or ""))
            return cls(mode, patterns=patterns) if patterns else cls()
        return cls()

    def includes(self, thing: Thing) -> bool:
        """Return whether a listed SIM is included."""
        if self.mode is IncludeMode.CHOSEN:
            return thing.thing_id in self.chosen
        if self.mode is IncludeMode.FILTER:
            return self.matches(thing.display_name)
        return True

    def matches(self, name: str) -> bool:
        """Return whether a name matches one of the filter's patterns."""
        folded = name.casefold()
        return any(fnmatchcase(folded, pattern) for pattern in self.patterns)

    def excludes_id(self, thing_id: str) -> bool:
        """Return whether a SIM is left out whatever the listing says of it (not chosen)."""
        return self.mode is IncludeMode.CHOSEN and thing_id not in self.chosen
