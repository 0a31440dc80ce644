"""options_flow.py: which SIMs are included, and what follows from it.

Every step and every error recovers to saved options; saving reloads the entry; the kept SIMs
keep their devices and entity ids, the ones left out lose their devices at once; the listing
still pages the whole account, while states, statuses and details are read for included SIMs
only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.monogoto.api import MonogotoClient, Thing
from custom_components.monogoto.const import CONF_INCLUDE, CONF_NAME_FILTER, CONF_SIMS
from custom_components.monogoto.options_flow import sim_options
from custom_components.monogoto.runtime import MonogotoRuntime
from homeassistant.config_entries import ConfigEntryState, ConfigFlowResult
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er

from .helpers import next_poll, sim_devices
from .simulator import MonogotoSimulator, make_thing

pytestmark = pytest.mark.things(6)

#: The simulator names SIM n after ``_NAMES[n % 5]``: SIM 4 keeps its "ICCID …" name.
NAMES = {
    1: "Camera 1",
    2: "Gateway 2",
    3: "Holiday home router 3",
    4: "SIM 0004",
    5: "Tracker 5",
    6: "Camera 6",
}


def tid(index: int) -> str:
    """Return the thing id of the simulator's SIM ``index``."""
    return f"ThingId_ICCID_89999{index:014d}"


def entity_ids(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, str]:
    """Return the entry's entity ids by unique id."""
    return {
        entity.unique_id: entity.entity_id
        for entity in er.async_entries_for_config_entry(
            er.async_get(hass), entry.entry_id
        )
    }


def runtime(entry: MockConfigEntry) -> MonogotoRuntime:
    """Return the entry's runtime."""
    value: MonogotoRuntime = entry.runtime_data
    return value


def suggested(result: ConfigFlowResult, key: str) -> Any:
    """Return the value a form suggests for ``key``."""
    for marker in result["data_schema"].schema:
        if marker == key:
            return (marker.description or {}).get("suggested_value")
    raise AssertionError(key)


async def open_sims_step(
    hass: HomeAssistant, entry: MockConfigEntry
) -> ConfigFlowResult:
    """Open the options and pick "which SIMs" from their menu."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["sims", "realtime_events"]
    return await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "sims"}
    )


async def _open(
    hass: HomeAssistant, entry: MockConfigEntry, mode: str
) -> ConfigFlowResult:
    result = await open_sims_step(hass, entry)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "sims"
    return await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_INCLUDE: mode}
    )


async def _save(
    hass: HomeAssistant, result: ConfigFlowResult, user_input: dict[str, Any]
) -> ConfigFlowResult:
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], user_input
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    return result


# -- the flow ----------------------------------------------------------------------------------


async def test_sims_form_offers_the_three_ways(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    result = await open_sims_step(hass, init_integration)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "sims"
    assert result["description_placeholders"] == {"sims": "6", "included": "6"}
    schema = result["data_schema"].schema
    marker = next(iter(schema))
    assert marker.default() == "all"
    assert schema[marker].config["options"] == ["all", "chosen", "filter"]
    assert schema[marker].config["translation_key"] == "include"


async def test_all_saves_and_keeps_every_sim(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    before = entity_ids(hass, init_integration)
    result = await _save(
        hass,
        await open_sims_step(hass, init_integration),
        {CONF_INCLUDE: "all"},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options == {CONF_INCLUDE: "all"}
    assert init_integration.state is ConfigEntryState.LOADED
    assert set(sim_devices(hass, init_integration)) == {tid(n) for n in range(1, 7)}
    assert entity_ids(hass, init_integration) == before


async def test_choose_recovers_from_none_chosen_and_drops_the_rest(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: MonogotoSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    before = entity_ids(hass, init_integration)
    result = await _open(hass, init_integration, "chosen")
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "choose"
    assert result["errors"] == {}
    # Every SIM is included now, so every SIM is suggested.
    assert suggested(result, CONF_SIMS) == sorted(tid(n) for n in range(1, 7))
    selector = result["data_schema"].schema[next(iter(result["data_schema"].schema))]
    assert selector.config["multiple"] is True
    assert selector.config["custom_value"] is False
    assert [o["label"] for o in selector.config["options"]] == sorted(
        NAMES.values(), key=str.casefold
    )

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_SIMS: []}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "none_chosen"}
    result = await hass.config_entries.options.async_configure(result["flow_id"], {})
    assert result["errors"] == {"base": "none_chosen"}

    result = await _save(hass, result, {CONF_SIMS: [tid(2), tid(1), tid(2)]})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options == {
        CONF_INCLUDE: "chosen",
        CONF_SIMS: [tid(1), tid(2)],
    }
    assert init_integration.state is ConfigEntryState.LOADED
    # Left out: gone at once (the user's decision); kept: the same entity ids.
    assert set(sim_devices(hass, init_integration)) == {tid(1), tid(2)}
    after = entity_ids(hass, init_integration)
    kept = {
        uid: eid
        for uid, eid in before.items()
        if not uid.startswith(tuple(tid(n) for n in range(3, 7)))
    }
    assert after == kept
    assert set(runtime(init_integration).statuses.data) == {tid(1), tid(2)}

    # A SIM that joins the account stays out of a chosen list.
    simulator.add_thing(make_thing(7))
    await next_poll(hass, freezer)
    assert set(sim_devices(hass, init_integration)) == {tid(1), tid(2)}
    assert tid(7) in runtime(init_integration).things.listed

    # Opening the options again suggests the chosen SIMs.
    result = await _open(hass, init_integration, "chosen")
    assert suggested(result, CONF_SIMS) == [tid(1), tid(2)]


async def test_filter_recovers_from_each_error_and_follows_the_fleet(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: MonogotoSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    result = await _open(hass, init_integration, "filter")
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "filter"
    assert suggested(result, CONF_NAME_FILTER) == ""
    for text, error in (("  , ", "empty_filter"), ("Nothing*", "no_match")):
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {CONF_NAME_FILTER: text}
        )
        assert result["type"] is FlowResultType.FORM
        assert result["errors"] == {CONF_NAME_FILTER: error}
        assert suggested(result, CONF_NAME_FILTER) == text
    result = await _save(hass, result, {CONF_NAME_FILTER: " camera *, SIM ???4 "})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options == {
        CONF_INCLUDE: "filter",
        CONF_NAME_FILTER: "camera *, SIM ???4",
    }
    assert set(sim_devices(hass, init_integration)) == {tid(1), tid(4), tid(6)}

    # A new SIM that matches comes in by itself; one renamed away from the filter goes.
    simulator.add_thing(make_thing(11))  # "Camera 11"
    simulator.add_thing(make_thing(12))  # "Gateway 12"
    simulator.things[tid(1)]["ThingName"] = "Office"
    await next_poll(hass, freezer)
    assert set(sim_devices(hass, init_integration)) == {tid(4), tid(6), tid(11)}
    assert set(runtime(init_integration).statuses.data) == {tid(4), tid(6), tid(11)}

    result = await _open(hass, init_integration, "filter")
    assert suggested(result, CONF_NAME_FILTER) == "camera *, SIM ???4"
    assert result["description_placeholders"] == {"sims": "8", "included": "3"}


async def test_back_to_all_brings_every_sim_back(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, options={CONF_INCLUDE: "chosen", CONF_SIMS: [tid(3)]}
    )
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert set(sim_devices(hass, mock_config_entry)) == {tid(3)}
    result = await open_sims_step(hass, mock_config_entry)
    assert result["data_schema"].schema[next(iter(result["data_schema"].schema))]
    assert next(iter(result["data_schema"].schema)).default() == "chosen"
    await _save(hass, result, {CONF_INCLUDE: "all"})
    assert set(sim_devices(hass, mock_config_entry)) == {tid(n) for n in range(1, 7)}


async def test_options_need_a_running_entry(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    mock_config_entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(mock_config_entry.entry_id)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_loaded"


@pytest.mark.things(0)
async def test_choose_needs_sims(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    result = await _open(hass, init_integration, "chosen")
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "no_sims"


def test_equal_names_tell_their_iccid() -> None:
    things = {
        thing.thing_id: thing
        for thing in (
            Thing(thing_id="a", iccid="8900000000000000011", name="Pump"),
            Thing(thing_id="b", iccid="8900000000000000022", name="pump"),
            Thing(thing_id="c", iccid="8900000000000000033", name="Pump"),
            Thing(thing_id="ThingId_x", name="Boiler"),
        )
    }
    assert sim_options(things) == [
        {"value": "ThingId_x", "label": "Boiler"},
        {"value": "b", "label": "pump"},
        {"value": "a", "label": "Pump (…0011)"},
        {"value": "c", "label": "Pump (…0033)"},
    ]


# -- the selection -----------------------------------------------------------------------------


# -- requests follow the selection -------------------------------------------------------------


def _record(calls: dict[str, list[str]], name: str) -> Any:
    original = getattr(MonogotoClient, name)

    async def spy(self: MonogotoClient, thing_ids: Iterable[str], *args: Any) -> Any:
        ids = list(thing_ids)
        calls.setdefault(name, []).extend(ids)
        return await original(self, ids, *args)

    return patch.object(MonogotoClient, name, spy)


@pytest.mark.consoles("kind", "unkind")
async def test_states_statuses_and_details_are_read_for_included_sims_only(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    simulator: MonogotoSimulator,
    freezer: FrozenDateTimeFactory,
    console: str,
) -> None:
    calls: dict[str, list[str]] = {}
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, options={CONF_INCLUDE: "chosen", CONF_SIMS: [tid(2), tid(5)]}
    )
    with (
        _record(calls, "get_thing_states"),
        _record(calls, "get_thing_statuses"),
        _record(calls, "get_things"),
    ):
        await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)
        for _ in range(12):  # an hour: every cadence has come round
            await next_poll(hass, freezer)
    included = {tid(2), tid(5)}
    assert calls.get("get_thing_statuses")
    for name, ids in calls.items():
        assert set(ids) <= included, name
    if console == "unkind":
        assert calls.get("get_things"), "the unkind listing lacks fields: details read"
    state = runtime(mock_config_entry)
    assert set(state.known_things()) == included
    assert len(state.things.listed) == 6
    assert set(sim_devices(hass, mock_config_entry)) == included
