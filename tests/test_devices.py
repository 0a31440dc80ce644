"""devices.py and fleet.py in Home Assistant: SIM devices come, go (never on one surprise), follow renames, and can be removed by hand."""

from __future__ import annotations

import json

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.monogoto.const import DOMAIN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component

from .helpers import next_poll, sim_devices, state_of
from .simulator import MonogotoSimulator, make_thing


def entity_ids(hass: HomeAssistant, entry: MockConfigEntry) -> set[str]:
    """Return the entity ids of the entry."""
    return {
        entity.entity_id
        for entity in er.async_entries_for_config_entry(
            er.async_get(hass), entry.entry_id
        )
    }


def listing(simulator: MonogotoSimulator, thing_ids: list[str]) -> str:
    """Return a listing body of only ``thing_ids``, as the console would page it."""
    return json.dumps([simulator.things[thing_id] for thing_id in thing_ids])


@pytest.mark.usefixtures("clients")
@pytest.mark.consoles("kind", "unkind")
@pytest.mark.parametrize("kept", [0, 1], ids=["empty listing", "one SIM listed"])
async def test_a_surprising_listing_removes_nothing(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    kept: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Five polls answered ``200 []`` (or one SIM of three) keep every device and entity."""
    devices, entities = (
        set(sim_devices(hass, init_integration)),
        entity_ids(hass, init_integration),
    )
    body = listing(simulator, simulator.thing_ids()[:kept])
    simulator.fail(
        "things", status=200, body=body, content_type="application/json", times=100
    )
    for _ in range(5):
        await next_poll(hass, freezer)
        assert set(sim_devices(hass, init_integration)) == devices
        assert entity_ids(hass, init_integration) == entities
    assert caplog.text.count("keeping all their devices") == 1
    simulator.clear_faults()
    await next_poll(hass, freezer)
    assert set(sim_devices(hass, init_integration)) == devices
    for thing_id, thing in simulator.things.items():
        assert state_of(hass, "sensor", thing_id, "sim_state").state == (
            thing["State"].lower()
        )


@pytest.mark.usefixtures("clients")
@pytest.mark.things(120)
async def test_a_listing_that_lost_a_page_removes_nothing(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A full page then an empty one (70 SIMs missing, twice): suspect, nothing removed."""
    devices = set(sim_devices(hass, init_integration))
    for _ in range(2):
        simulator.fail("things", passthrough=True)
        simulator.fail("things", status=200, body="[]", content_type="application/json")
    await next_poll(hass, freezer)
    await next_poll(hass, freezer)
    assert set(sim_devices(hass, init_integration)) == devices


@pytest.mark.usefixtures("clients")
async def test_a_sim_that_really_left_goes_within_three_refreshes(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    gone = simulator.thing_ids()[1]
    simulator.remove_thing(gone)
    for _ in range(3):
        await next_poll(hass, freezer)
    assert set(sim_devices(hass, init_integration)) == set(simulator.thing_ids())
    assert not [e for e in entity_ids(hass, init_integration) if gone in e]


@pytest.mark.consoles("kind", "unkind")
async def test_new_sim_appears_and_removed_sim_loses_its_device(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A new SIM appears at once; one that left goes after two listings without it."""
    new_id = simulator.add_thing(make_thing(77, "SUSPENDED"))
    gone_id = simulator.thing_ids()[0]
    simulator.remove_thing(gone_id)
    await next_poll(hass, freezer)

    devices = sim_devices(hass, init_integration)
    assert new_id in devices
    assert state_of(hass, "sensor", new_id, "sim_state").state == "suspended"
    # One listing without it is not enough: the device keeps its last data.
    assert gone_id in devices
    assert state_of(hass, "sensor", gone_id, "sim_state").state == "active"

    await next_poll(hass, freezer)
    assert gone_id not in sim_devices(hass, init_integration)
    registry = er.async_get(hass)
    assert not [
        entry
        for entry in er.async_entries_for_config_entry(
            registry, init_integration.entry_id
        )
        if entry.unique_id.startswith(gone_id)
    ]


@pytest.mark.consoles("kind", "unkind")
async def test_remove_stale_device_by_hand(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    hass_ws_client,
) -> None:
    assert await async_setup_component(hass, "config", {})
    registry = dr.async_get(hass)
    present = sim_devices(hass, init_integration)[simulator.thing_ids()[0]]
    stale = registry.async_get_or_create(
        config_entry_id=init_integration.entry_id,
        identifiers={(DOMAIN, "ThingId_ICCID_gone")},
    )
    client = await hass_ws_client(hass)

    async def remove(device_id: str) -> bool:
        await client.send_json_auto_id(
            {
                "type": "config/device_registry/remove_config_entry",
                "config_entry_id": init_integration.entry_id,
                "device_id": device_id,
            }
        )
        return bool((await client.receive_json())["success"])

    assert not await remove(present.id)
    assert await remove(stale.id)
    assert registry.async_get(stale.id) is None


@pytest.mark.consoles("kind", "unkind")
async def test_console_rename_renames_the_device_unless_the_user_named_it(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    registry = dr.async_get(hass)
    followed, named_by_user, _ = simulator.thing_ids()
    devices = sim_devices(hass, init_integration)
    registry.async_update_device(devices[named_by_user].id, name_by_user="Boat")
    simulator.things[followed]["ThingName"] = "Weather station"
    simulator.things[named_by_user]["ThingName"] = "Buoy"
    await next_poll(hass, freezer)

    devices = sim_devices(hass, init_integration)
    assert devices[followed].name == "Weather station"
    assert devices[named_by_user].name_by_user == "Boat"
    assert devices[named_by_user].name != "Buoy"
