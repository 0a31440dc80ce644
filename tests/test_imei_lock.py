"""Anti-theft: the IMEI lock (switch and action) and device swaps."""

from __future__ import annotations

import logging
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.monogoto.const import DOMAIN
from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.const import (
    ATTR_DEVICE_ID,
    ATTR_ENTITY_ID,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    EntityCategory,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er

from .helpers import (
    automations,
    call_action,
    device_id_of,
    entity_id_of,
    message_of,
    next_poll,
)
from .simulator import Fault, MonogotoSimulator

#: Every behaviour holds against a console that answers the undocumented questions otherwise.
pytestmark = pytest.mark.consoles("kind", "unkind")


async def _switch(hass: HomeAssistant, thing_id: str, service: str) -> None:
    await hass.services.async_call(
        SWITCH_DOMAIN,
        service,
        {ATTR_ENTITY_ID: entity_id_of(hass, "switch", thing_id, "imei_lock")},
        blocking=True,
    )


def _lock_body(
    simulator: MonogotoSimulator, thing_id: str, cas: str, *, locked: bool, imei: str
) -> dict[str, Any]:
    return {
        "cas": cas,
        "ThingId": f"/thing/{thing_id}",
        "LockMasterImei": locked,
        "MasterIMEI": imei,
    }


async def test_lock_and_unlock_put_once_each_and_show_the_console(
    hass: HomeAssistant, simulator: MonogotoSimulator, init_integration: MockConfigEntry
) -> None:
    thing_id = simulator.thing_ids()[0]
    thing = simulator.things[thing_id]
    imei = thing["IMEI"]
    switch = entity_id_of(hass, "switch", thing_id, "imei_lock")
    assert hass.states.get(switch).state == STATE_OFF
    entry = er.async_get(hass).async_get(switch)
    assert entry is not None
    assert entry.entity_category is EntityCategory.CONFIG
    listings, reads = simulator.requests["things"], simulator.requests["thing"]

    cas = thing["cas"]
    await _switch(hass, thing_id, SERVICE_TURN_ON)
    assert simulator.update_bodies == [
        _lock_body(simulator, thing_id, cas, locked=True, imei=imei)
    ]
    assert thing["LockMasterImei"] is True
    assert thing["MasterIMEI"] == imei
    assert hass.states.get(switch).state == STATE_ON
    # Read for the cas, written, read again; no full refresh.
    assert simulator.requests["thing"] == reads + 2
    assert simulator.requests["things"] == listings

    cas = thing["cas"]
    await _switch(hass, thing_id, SERVICE_TURN_OFF)
    assert simulator.update_bodies[1:] == [
        _lock_body(simulator, thing_id, cas, locked=False, imei=imei)
    ]
    assert thing["LockMasterImei"] is False
    assert hass.states.get(switch).state == STATE_OFF
    assert simulator.requests["thing_update"] == 2


async def test_lock_keeps_the_master_imei_already_set(
    hass: HomeAssistant, simulator: MonogotoSimulator, init_integration: MockConfigEntry
) -> None:
    """A SIM whose console already names its device is locked to that one."""
    thing_id = simulator.thing_ids()[1]
    simulator.things[thing_id]["MasterIMEI"] = "350000000009999"
    await _switch(hass, thing_id, SERVICE_TURN_ON)
    (body,) = simulator.update_bodies
    assert body["MasterIMEI"] == "350000000009999"
    assert body["LockMasterImei"] is True


async def test_a_stale_cas_is_read_anew_and_retried_once(
    hass: HomeAssistant, simulator: MonogotoSimulator, init_integration: MockConfigEntry
) -> None:
    thing_id = simulator.thing_ids()[0]
    thing = simulator.things[thing_id]
    # Someone edits the thing in the console between our read and our write.
    simulator.fail(
        "thing_update", passthrough=True, before=lambda: simulator.touch(thing_id)
    )
    reads = simulator.requests["thing"]
    await _switch(hass, thing_id, SERVICE_TURN_ON)
    first, second = simulator.update_bodies
    assert first["cas"] != second["cas"] == simulator.update_bodies[1]["cas"]
    assert thing["LockMasterImei"] is True
    assert simulator.requests["thing"] == reads + 3  # read, read anew, read after
    assert simulator.requests["thing_update"] == 2


async def test_a_cas_stale_twice_is_a_clear_error(
    hass: HomeAssistant, simulator: MonogotoSimulator, init_integration: MockConfigEntry
) -> None:
    thing_id = simulator.thing_ids()[0]
    simulator.fail(
        "thing_update",
        Fault(passthrough=True, before=lambda: simulator.touch(thing_id)),
        times=3,
    )
    with pytest.raises(HomeAssistantError) as err:
        await _switch(hass, thing_id, SERVICE_TURN_ON)
    assert err.value.translation_key == "thing_changed"
    assert "changed in the Monogoto console" in await message_of(hass, err.value)
    assert simulator.requests["thing_update"] == 2  # one write, one retry, no more
    assert simulator.things[thing_id]["LockMasterImei"] is False
    assert (
        hass.states.get(entity_id_of(hass, "switch", thing_id, "imei_lock")).state
        == STATE_OFF
    )


async def test_a_lock_shows_what_was_written_when_the_read_after_fails(
    hass: HomeAssistant, simulator: MonogotoSimulator, init_integration: MockConfigEntry
) -> None:
    """The write is what counts: the next listing confirms it."""
    thing_id = simulator.thing_ids()[0]
    simulator.fail("thing", passthrough=True)  # the read for the cas
    simulator.fail("thing", status=503)  # the read after the write
    await _switch(hass, thing_id, SERVICE_TURN_ON)
    assert simulator.requests["thing_update"] == 1
    assert (
        hass.states.get(entity_id_of(hass, "switch", thing_id, "imei_lock")).state
        == STATE_ON
    )


async def test_a_lock_refuses_when_the_fresh_read_has_no_imei(
    hass: HomeAssistant, simulator: MonogotoSimulator, init_integration: MockConfigEntry
) -> None:
    """The listing still showed an IMEI; the read just before the write has none."""
    thing_id = simulator.thing_ids()[0]
    simulator.swap_device(thing_id, None)
    with pytest.raises(ServiceValidationError) as err:
        await _switch(hass, thing_id, SERVICE_TURN_ON)
    assert err.value.translation_key == "imei_lock_no_imei"
    assert simulator.requests["thing_update"] == 0
    # Unlocking needs no IMEI.
    await _switch(hass, thing_id, SERVICE_TURN_OFF)
    assert simulator.update_bodies[0]["LockMasterImei"] is False


@pytest.mark.things(0)
async def test_a_sim_never_in_a_device_cannot_be_locked(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    """No IMEI, nothing to lock to: the switch is unavailable, the action says why."""
    from .simulator import make_thing

    thing = make_thing(1)
    thing["IMEI"] = None
    thing_id = simulator.add_thing(thing)
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    switch = entity_id_of(hass, "switch", thing_id, "imei_lock")
    assert hass.states.get(switch).state == STATE_UNAVAILABLE
    with pytest.raises(ServiceValidationError) as err:
        await call_action(hass, "set_imei_lock", thing_id, locked=True)
    assert err.value.translation_key == "imei_lock_no_imei"
    assert "never in a device" in await message_of(hass, err.value)
    assert simulator.requests["thing_update"] == 0


async def test_set_imei_lock_on_many_sims(
    hass: HomeAssistant, simulator: MonogotoSimulator, init_integration: MockConfigEntry
) -> None:
    ids = simulator.thing_ids()
    await hass.services.async_call(
        DOMAIN,
        "set_imei_lock",
        {ATTR_DEVICE_ID: [device_id_of(hass, tid) for tid in ids], "locked": True},
        blocking=True,
    )
    assert [body["ThingId"] for body in simulator.update_bodies] == [
        f"/thing/{tid}" for tid in ids
    ]
    for thing_id in ids:
        assert simulator.things[thing_id]["LockMasterImei"] is True
        state = hass.states.get(entity_id_of(hass, "switch", thing_id, "imei_lock"))
        assert state.state == STATE_ON


async def test_a_device_swap_fires_the_trigger_once(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    watched, other, _ = simulator.thing_ids()
    old_imei = simulator.things[watched]["IMEI"]
    calls = await automations(
        hass,
        (
            "swapped",
            {
                "trigger": "monogoto.device_swapped",
                "target": {"device_id": device_id_of(hass, watched)},
            },
            None,
        ),
    )
    await next_poll(hass, freezer)
    assert calls["swapped"] == []
    # Another SIM's swap, and the watched SIM's IMEI missing from one listing: no swap.
    simulator.swap_device(other, "359999000000002")
    simulator.swap_device(watched, None)
    await next_poll(hass, freezer)
    assert calls["swapped"] == []
    simulator.swap_device(watched, old_imei)
    await next_poll(hass, freezer)
    assert calls["swapped"] == []

    simulator.swap_device(watched, "359999000000001")
    for _ in range(3):
        await next_poll(hass, freezer)
    assert len(calls["swapped"]) == 1
    event = hass.states.get(entity_id_of(hass, "event", watched, "device_swaps"))
    assert event.attributes["event_type"] == "swapped"
    assert event.attributes["old_imei"] == old_imei
    assert event.attributes["new_imei"] == "359999000000001"
    # The diagnostic IMEI sensor follows; the IMEIs are in no log.
    registry = er.async_get(hass)
    assert registry.async_get(entity_id_of(hass, "sensor", watched, "imei"))
    assert old_imei not in caplog.text
    assert "359999000000001" not in caplog.text
    assert "moved to another device" in caplog.text
