"""fleet.py: the roster alone: a SIM goes after two believable complete listings, never on a surprise."""

from __future__ import annotations

import pytest

from custom_components.monogoto.fleet import (
    MISSING_LISTINGS_BEFORE_REMOVAL,
    Roster,
    RosterChange,
)
from custom_components.monogoto.selection import IncludeMode, Selection

SIMS = [f"sim-{n}" for n in range(8)]


def _roster(
    selection: Selection | None = None, devices: set[str] | None = None
) -> Roster:
    return Roster(
        selection or Selection(), lambda: set(SIMS if devices is None else devices)
    )


def test_a_sim_missing_from_believable_listings_goes_on_the_second() -> None:
    roster = _roster()
    listed = SIMS[:-1]
    first = roster.reconcile(listed, SIMS, complete=True)
    assert first == RosterChange(
        left_out=frozenset(), gone=frozenset(), kept=frozenset({SIMS[-1]})
    )
    # What was shown since: the listing and the SIM kept.
    second = roster.reconcile(listed, SIMS, complete=True)
    assert MISSING_LISTINGS_BEFORE_REMOVAL == 2
    assert second.gone == {SIMS[-1]}
    assert not second.kept


def test_a_sim_that_comes_back_starts_counting_again() -> None:
    roster = _roster()
    roster.reconcile(SIMS[:-1], SIMS, complete=True)
    roster.reconcile(SIMS, SIMS, complete=True)
    assert not roster.reconcile(SIMS[:-1], SIMS, complete=True).gone


def test_an_incomplete_listing_counts_no_absence() -> None:
    roster = _roster()
    for _ in range(3):
        change = roster.reconcile(SIMS[:-1], SIMS, complete=False)
        assert not change.gone
        assert change.kept == {SIMS[-1]}


@pytest.mark.parametrize("kept", [0, 5], ids=["empty", "lost three of eight"])
def test_a_listing_that_lost_too_much_is_suspect(
    kept: int, caplog: pytest.LogCaptureFixture
) -> None:
    roster = _roster()
    for _ in range(4):
        change = roster.reconcile(SIMS[:kept], SIMS, complete=True)
        assert not change.gone
        assert change.kept == set(SIMS[kept:])
    assert caplog.text.count("keeping all their devices") == 1


def test_the_first_baseline_is_the_devices() -> None:
    """At start (no listing yet), a SIM with a device that the listing lacks counts as missing."""
    roster = _roster(devices={"old", *SIMS})
    change = roster.reconcile(SIMS, [], complete=True)
    assert change.kept == {"old"}
    assert not change.gone


def test_sims_left_out_by_the_options_go_at_once() -> None:
    chosen = Selection(IncludeMode.CHOSEN, chosen=frozenset(SIMS[:2]))
    roster = _roster(chosen)
    change = roster.reconcile(SIMS[:2], SIMS, complete=True, excluded=())
    assert change.left_out == set(SIMS[2:])
    assert not change.gone
    assert not change.kept
    by_name = _roster(Selection(IncludeMode.FILTER, patterns=("x*",)))
    change = by_name.reconcile([], SIMS, complete=True, excluded=SIMS[:3])
    assert change.left_out == set(SIMS[:3])
