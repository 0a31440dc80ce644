"""device_tracker.py: where a SIM is (a tracker only with coordinates), and the README's location examples."""

from __future__ import annotations

from pathlib import Path
import re
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_mock_service,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion
import yaml

from homeassistant.const import STATE_HOME, STATE_NOT_HOME, STATE_UNKNOWN, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component

from .helpers import entity_id_of, next_poll, state_of
from .simulator import MonogotoSimulator

AWAY = (48.8566, 2.3522)


async def _home_zone(hass: HomeAssistant) -> tuple[float, float]:
    """Load the zones, so trackers get home/not_home; return where home is."""
    assert await async_setup_component(hass, "zone", {})
    await hass.async_block_till_done()
    home = hass.states.get("zone.home")
    assert home is not None
    return home.attributes["latitude"], home.attributes["longitude"]


def _trackers(hass: HomeAssistant, entry: MockConfigEntry) -> list[str]:
    return [
        e.entity_id
        for e in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        if e.domain == "device_tracker"
    ]


@pytest.mark.consoles("kind", "unkind")
async def test_no_tracker_without_coordinates(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    console: str,
) -> None:
    """The console gives cells but no coordinates (as in the real sample): no tracker."""
    await next_poll(hass, freezer)
    assert _trackers(hass, init_integration) == []


@pytest.mark.consoles("kind", "unkind")
async def test_tracker_appears_with_coordinates_and_follows_them(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    console: str,
) -> None:
    home = await _home_zone(hass)
    located, other, _ = simulator.thing_ids()
    simulator.locate(located, *AWAY, accuracy_km=2.5)
    await next_poll(hass, freezer)
    if console == "unkind":  # the details (hourly) carry what the listing does not
        await next_poll(hass, freezer, 3600)
    assert _trackers(hass, init_integration) == [
        entity_id_of(hass, "device_tracker", located, "location")
    ]
    state = state_of(hass, "device_tracker", located, "location")
    assert state.state == STATE_NOT_HOME
    assert state.attributes["latitude"] == AWAY[0]
    assert state.attributes["longitude"] == AWAY[1]
    assert state.attributes["gps_accuracy"] == 2500
    assert state.attributes["source_type"] == "gps"

    simulator.locate(located, *home, accuracy_km=0.2)
    await next_poll(hass, freezer, 3600)
    assert state_of(hass, "device_tracker", located, "location").state == STATE_HOME

    # Coordinates gone: the tracker stays, without a place.
    simulator.locate(located, None, None)
    await next_poll(hass, freezer, 3600)
    assert state_of(hass, "device_tracker", located, "location").state == STATE_UNKNOWN
    assert other not in " ".join(_trackers(hass, init_integration))


async def test_coordinates_only_in_the_details(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    """A listing without ``LastLocation``: network, cell and place come from the details."""
    thing_id = simulator.thing_ids()[0]
    simulator.locate(thing_id, *AWAY)
    simulator.quirks.listing_omits = frozenset(
        {"LastLocation", "CellId", "LastAccuracyLocation", "Curr_Latitude"}
    )
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert simulator.requests["thing"] == 3
    assert state_of(hass, "device_tracker", thing_id, "location").attributes[
        "latitude"
    ] == pytest.approx(AWAY[0])
    assert state_of(hass, "sensor", thing_id, "network").attributes["plmn"] == "208-01"
    assert state_of(hass, "sensor", thing_id, "roaming_country").state == "fr"


@pytest.mark.parametrize("platforms", [[Platform.DEVICE_TRACKER]])
@pytest.mark.freeze_time("2026-11-28 12:00:00+00:00")
async def test_tracker_snapshot(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    mock_config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    simulator.locate(simulator.thing_ids()[0], *AWAY, accuracy_km=1.5)
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    await snapshot_platform(hass, entity_registry, snapshot, mock_config_entry.entry_id)


def _readme_automation(alias: str) -> dict[str, Any]:
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    for block in re.findall(r"```yaml\n(.*?)```", readme, flags=re.DOTALL):
        for automation in (yaml.safe_load(block) or {}).get("automation", []):
            if automation["alias"] == alias:
                return automation
    raise AssertionError(f"no README automation {alias!r}")


def _rename(
    hass: HomeAssistant, thing_id: str, platform: str, key: str, new: str
) -> None:
    registry = er.async_get(hass)
    registry.async_update_entity(
        entity_id_of(hass, platform, thing_id, key), new_entity_id=new
    )


@pytest.mark.things(5)
async def test_readme_texts_a_tracker_that_leaves_home(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    home = await _home_zone(hass)
    tracker = simulator.thing_ids()[4]  # "Tracker 5"
    simulator.locate(tracker, *home, accuracy_km=0.2)
    await next_poll(hass, freezer)
    _rename(
        hass, tracker, "device_tracker", "location", "device_tracker.tracker_location"
    )
    _rename(hass, tracker, "notify", "sms", "notify.tracker_sms")
    await hass.async_block_till_done()
    automation = _readme_automation("Tracker left home: report every minute")
    assert await async_setup_component(hass, "automation", {"automation": [automation]})
    await hass.async_block_till_done()
    assert hass.states.get("device_tracker.tracker_location").state == STATE_HOME

    simulator.locate(tracker, *AWAY)
    await next_poll(hass, freezer)
    assert hass.states.get("device_tracker.tracker_location").state == STATE_NOT_HOME
    assert simulator.sms_bodies == [(tracker, {"Message": "TIMER,60#"})]


@pytest.mark.things(5)
async def test_readme_resets_a_router_that_went_offline(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    router = simulator.thing_ids()[2]  # "Holiday home router 3"
    simulator.set_state(router, "ACTIVE")
    simulator.connection[router] = "CONNECTED"
    await next_poll(hass, freezer, 3 * 900)
    notified = async_mock_service(hass, "notify", "notify")
    automation = _readme_automation(
        "Router offline for 10 minutes: reset its connection"
    )
    assert await async_setup_component(hass, "automation", {"automation": [automation]})
    await hass.async_block_till_done()
    online = "binary_sensor.holiday_home_router_3_online"
    # The README's ids are those of a SIM named "Holiday home router".
    _rename(
        hass,
        router,
        "binary_sensor",
        "online",
        "binary_sensor.holiday_home_router_online",
    )
    _rename(
        hass,
        router,
        "button",
        "reset_connection",
        "button.holiday_home_router_reset_connection",
    )
    await hass.async_block_till_done()
    assert hass.states.get(online) is None

    simulator.connection[router] = "DISCONNECTED"
    await next_poll(hass, freezer, 900)  # the next status read: offline
    assert hass.states.get("binary_sensor.holiday_home_router_online").state == "off"
    await next_poll(hass, freezer, 601)  # offline for 10 minutes: reset
    assert simulator.resets == [router]
    assert len(notified) == 1
    assert "its connection was reset" in notified[0].data["message"]
    await next_poll(hass, freezer, 61)  # the status read that confirms it
    assert hass.states.get("binary_sensor.holiday_home_router_online").state == "on"
