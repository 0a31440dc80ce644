"""The roster: which SIMs are gone (confirmed, never on one surprise) or left out, kept free of Home Assistant.

A SIM missing from a listing keeps its device and its last data until its absence is
confirmed: it must be missing from ``MISSING_LISTINGS_BEFORE_REMOVAL`` complete listings in a
row, each of them believable (see ``Roster._suspect``). A SIM the user's selection leaves out
is no surprise but the user's decision: its device goes at once.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Final

from .const import LOGGER
from .selection import Selection

#: Complete listings in a row that must lack a SIM before its device is removed.
MISSING_LISTINGS_BEFORE_REMOVAL: Final = 2
#: A complete listing that lost more than this share of the last believable one (and 2 SIMs or
#: more), or every SIM, is suspect: its absences do not count.
SUSPECT_SHRINK: Final = 0.25


@dataclass(frozen=True, slots=True)
class RosterChange:
    """What one listing means for the SIMs' devices and data."""

    #: SIMs with a device that the user's selection leaves out: removed at once.
    left_out: frozenset[str]
    #: SIMs whose departure is confirmed: removed.
    gone: frozenset[str]
    #: SIMs the listing lacks whose departure is not confirmed: they keep their last data.
    kept: frozenset[str]


class Roster:
    """Remembers, listing after listing, which SIMs were missing and what the last believable listing held."""

    def __init__(
        self, selection: Selection, sim_devices: Callable[[], set[str]]
    ) -> None:
        """Start from the SIMs that have a device (``sim_devices`` is asked once, lazily)."""
        self._selection = selection
        self._sim_devices = sim_devices
        #: Complete listings in a row that lacked each SIM.
        self._misses: dict[str, int] = {}
        #: The SIMs of the last believable complete listing (at start: those with a device).
        self._last_listed: set[str] | None = None
        #: Whether the listing is suspect and the user was told (once per episode).
        self._suspect_reported = False

    def reconcile(
        self,
        listed: Collection[str],
        previous: Collection[str],
        *,
        complete: bool,
        excluded: Iterable[str] = (),
    ) -> RosterChange:
        """Return what a listing of ``listed`` SIMs means, after ``previous`` were shown.

        ``excluded`` are listed SIMs the selection leaves out (by name); a SIM not chosen is
        left out whatever the listing says of it.
        """
        last = self._last_listed
        if last is None:
            last = self._sim_devices()
        had_device = set(previous) | last
        left_out = set(excluded) | {
            tid for tid in had_device if self._selection.excludes_id(tid)
        }
        self._forget(left_out & had_device)
        last = self._last_listed = last - left_out
        missing = (set(previous) | last) - set(listed) - left_out
        gone = self._confirmed_gone(last, listed, missing, complete=complete)
        self._forget(gone)
        return RosterChange(
            left_out=frozenset(left_out & had_device),
            gone=frozenset(gone),
            kept=frozenset(missing - gone),
        )

    def _forget(self, thing_ids: Iterable[str]) -> None:
        for thing_id in thing_ids:
            self._misses.pop(thing_id, None)

    def _confirmed_gone(
        self,
        last: set[str],
        listed: Collection[str],
        missing: set[str],
        *,
        complete: bool,
    ) -> set[str]:
        """Count a believable complete listing's absences; return the SIMs missing enough."""
        for thing_id in self._misses.keys() & set(listed):
            del self._misses[thing_id]
        if complete and not self._suspect(last, listed):
            self._last_listed = set(listed)
            for thing_id in missing:
                self._misses[thing_id] = self._misses.get(thing_id, 0) + 1
        return {
            tid
            for tid in missing
            if self._misses.get(tid, 0) >= MISSING_LISTINGS_BEFORE_REMOVAL
        }

    def _suspect(self, last: set[str], listed: Collection[str]) -> bool:
        """Return whether a listing lost too much of the last believable one to be believed.

        Empty, or short of at least two SIMs and more than a quarter: a console glitch is far
        likelier than a fleet leaving at once. Its absences never count; SIMs that really left
        in such numbers keep their devices until the user deletes them (device page).
        """
        lost = len(last - set(listed))
        suspect = bool(last) and (
            not listed or (lost >= 2 and lost > SUSPECT_SHRINK * len(last))
        )
        if suspect and not self._suspect_reported:
            LOGGER.warning(
                "The Monogoto console listed %s of the %s SIMs it listed before; keeping "
                "all their devices",
                len(listed),
                len(last),
            )
        self._suspect_reported = suspect
        return suspect
