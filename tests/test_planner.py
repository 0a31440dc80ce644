"""planner.py: the hourly budget shared out among the pollers, by weight, stretching or chunking."""

from __future__ import annotations

from datetime import timedelta

from custom_components.monogoto.planner import Allotment, Demand, allot

MINUTES_5 = timedelta(minutes=5)
MINUTES_15 = timedelta(minutes=15)


def test_wants_that_fit_are_granted_as_asked() -> None:
    plan = allot(
        {
            "things": Demand(1, MINUTES_5, weight=2, chunked=False),
            "statuses": Demand(2, MINUTES_15, weight=1, chunked=True),
        },
        hourly=900,
    )
    assert plan == {
        "things": Allotment(MINUTES_5),
        "statuses": Allotment(MINUTES_15, per_refresh=2),
    }


def test_a_scarce_budget_stretches_the_listing_and_chunks_the_rest() -> None:
    """100 pages every 5 minutes (1,200/h) and 300 SIMs every 15 (1,200/h) in 900 an hour."""
    plan = allot(
        {
            "things": Demand(100, MINUTES_5, weight=2, chunked=False),
            "statuses": Demand(300, MINUTES_15, weight=1, chunked=True),
        },
        hourly=900,
    )
    # The listing gets 600/h (2 of 3 weights): every 10 minutes instead of 5.
    assert plan["things"] == Allotment(timedelta(minutes=10))
    # The statuses keep their cadence and read 300 * 300/1200 = 75 SIMs a refresh.
    assert plan["statuses"] == Allotment(MINUTES_15, per_refresh=75)


def test_a_small_want_leaves_its_share_to_the_others() -> None:
    plan = allot(
        {
            "things": Demand(100, MINUTES_5, weight=2, chunked=False),
            "details": Demand(0, timedelta(hours=1), weight=1, chunked=True),
        },
        hourly=900,
    )
    assert plan["things"] == Allotment(timedelta(seconds=400))
    assert plan["details"] == Allotment(timedelta(hours=1), per_refresh=0)
