"""The polling plan: how often each coordinator may poll so that all of them fit the budget.

Each coordinator wants a number of requests per round at its own cadence (the listing every
5 minutes, the statuses every 15, the details every hour). When together they would need more
than the hourly budget allows, the budget is shared out by weight (the listing first), and each
coordinator that gets less than it wants slows down: a coordinator that must read everything at
once (a paged listing) stretches its interval; one that can read its SIMs in parts keeps its
interval and reads fewer SIMs per refresh.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
import math
from typing import Final

#: The share of the budget polling may plan for; the rest is for the user's actions and logins.
PLANNED_SHARE: Final = 0.9


@dataclass(frozen=True, slots=True)
class Demand:
    """What one coordinator would like."""

    #: Requests one round takes (every SIM read once).
    requests: int
    #: The time it would like between rounds.
    cadence: timedelta
    #: Its share of a scarce budget, relative to the others.
    weight: int
    #: Whether a round may be split over several refreshes.
    chunked: bool


@dataclass(frozen=True, slots=True)
class Allotment:
    """How one coordinator polls."""

    interval: timedelta
    #: Requests per refresh for a chunked coordinator (None: the whole round).
    per_refresh: int | None = None


def allot(demands: Mapping[str, Demand], hourly: float) -> dict[str, Allotment]:
    """Share ``hourly`` requests out among ``demands`` (weighted water-filling)."""
    wants = {
        name: demand.requests * 3600 / demand.cadence.total_seconds()
        for name, demand in demands.items()
    }
    shares = _fill(wants, {name: d.weight for name, d in demands.items()}, hourly)
    return {
        name: _allotment(demand, wants[name], shares[name])
        for name, demand in demands.items()
    }


def _fill(
    wants: Mapping[str, float], weights: Mapping[str, int], hourly: float
) -> dict[str, float]:
    """Give each its want, or an equal share per weight of what the smaller wants leave."""
    shares = dict(wants)
    if sum(wants.values()) <= hourly:
        return shares
    left, weight_left = hourly, sum(weights.values())
    for name in sorted(wants, key=lambda n: wants[n] / weights[n]):
        fair = left * weights[name] / weight_left
        shares[name] = min(wants[name], fair)
        left -= shares[name]
        weight_left -= weights[name]
    return shares


def _allotment(demand: Demand, want: float, share: float) -> Allotment:
    if share >= want or want == 0:
        return Allotment(demand.cadence, demand.requests if demand.chunked else None)
    if demand.chunked:
        per_refresh = math.floor(demand.requests * share / want)
        return Allotment(demand.cadence, max(1, per_refresh))
    seconds = math.ceil(demand.cadence.total_seconds() * want / share)
    return Allotment(timedelta(seconds=seconds))
