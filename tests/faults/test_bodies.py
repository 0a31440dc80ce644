"""Answers that cannot be read: a listing cut off, HTML, empty, of the wrong shape."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.simulator import make_thing

from .harness import (
    INVALID_RESPONSE,
    Scenario,
    World,
    fault_on,
    no_sim_device_lost,
    poll_fails,
    run_scenario,
    scenario_ids,
)


def unreadable_listing(
    name: str, body: str, content_type: str = "application/json", **changes: Any
) -> Scenario:
    """Return a row whose listing answers 200 with ``body``: all unavailable, logged once."""
    fault = fault_on("things", status=200, body=body, content_type=content_type)
    return poll_fails(name, fault, INVALID_RESPONSE, **changes)


SCENARIOS: list[Scenario] = [
    unreadable_listing("malformed_json", '[{"ThingId": '),
    unreadable_listing(
        "html_page_with_200",
        "<!doctype html><title>Monogoto - Sign in</title>",
        content_type="text/html",
    ),
    unreadable_listing("empty_body", ""),
    unreadable_listing("json_of_wrong_shape", '{"things": [], "total": 3}'),
    unreadable_listing(
        "listing_item_without_id",
        json.dumps([make_thing(1), {"ThingName": "no id"}]),
        check=no_sim_device_lost,  # an unreadable page removes no device
    ),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=scenario_ids(SCENARIOS))
async def test_bodies(scenario: Scenario, world: World) -> None:
    """The listing's answer cannot be read: the row's outcome, then recovery."""
    await run_scenario(scenario, world)
