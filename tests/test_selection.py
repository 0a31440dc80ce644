"""selection.py: which SIMs the options include, read leniently."""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.monogoto.api import Thing
from custom_components.monogoto.const import CONF_INCLUDE, CONF_NAME_FILTER, CONF_SIMS
from custom_components.monogoto.selection import IncludeMode, Selection, parse_patterns


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, Selection()),
        ({CONF_INCLUDE: "all", CONF_SIMS: ["a"]}, Selection()),
        ({CONF_INCLUDE: "bogus"}, Selection()),
        (
            {CONF_INCLUDE: "chosen", CONF_SIMS: ["a", "b"]},
            Selection(IncludeMode.CHOSEN, frozenset({"a", "b"})),
        ),
        ({CONF_INCLUDE: "chosen"}, Selection(IncludeMode.CHOSEN)),
        (
            {CONF_INCLUDE: "filter", CONF_NAME_FILTER: "A*, b?"},
            Selection(IncludeMode.FILTER, patterns=("a*", "b?")),
        ),
        ({CONF_INCLUDE: "filter", CONF_NAME_FILTER: " , "}, Selection()),
        ({CONF_INCLUDE: "filter"}, Selection()),
    ],
)
def test_selection_reads_options_leniently(
    options: dict[str, Any], expected: Selection
) -> None:
    assert Selection.from_options(options) == expected


def test_selection_includes() -> None:
    pump = Thing(thing_id="ThingId_ICCID_891", iccid="891", name="Pump 1")
    unnamed = Thing(
        thing_id="ThingId_ICCID_8912345", iccid="8912345", name="ICCID 8912345"
    )
    assert Selection().includes(pump)
    assert not Selection().excludes_id(pump.thing_id)
    chosen = Selection(IncludeMode.CHOSEN, frozenset({pump.thing_id}))
    assert chosen.includes(pump)
    assert not chosen.includes(unnamed)
    assert chosen.excludes_id(unnamed.thing_id)
    assert not chosen.excludes_id(pump.thing_id)
    named = Selection(IncludeMode.FILTER, patterns=parse_patterns("PUMP ?,sim 2345"))
    assert named.includes(pump)
    assert named.includes(unnamed)  # by the name its device gets, not the ICCID
    assert not named.includes(Thing(thing_id="x", name="Pump 10"))
    assert not named.excludes_id("x")  # a filter needs the name: the listing decides
