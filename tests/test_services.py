"""The monogoto.set_sim_state and monogoto.get_sim_events actions."""

from __future__ import annotations

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.monogoto.const import DOMAIN
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr

from .helpers import state_of
from .simulator import MonogotoSimulator


def _device_id(hass: HomeAssistant, thing_id: str) -> str:
    entry_id = hass.config_entries.async_entries(DOMAIN)[0].entry_id
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, thing_id), entry_id
    )
    assert device is not None
    return device.id


async def test_set_sim_state_on_three_devices(
    hass: HomeAssistant, simulator: MonogotoSimulator, init_integration: MockConfigEntry
) -> None:
    ids = simulator.thing_ids()
    await hass.services.async_call(
        DOMAIN,
        "set_sim_state",
        {ATTR_DEVICE_ID: [_device_id(hass, tid) for tid in ids], "state": "SUSPENDED"},
        blocking=True,
    )
    assert simulator.put_bodies == [(tid, {"state": "SUSPENDED"}) for tid in ids]
    for thing_id in ids:
        assert state_of(hass, "sensor", thing_id, "sim_state").state == "suspended"


@pytest.mark.parametrize("state", ["RETIRED", "active-ish", "PROVISIONED", ""])
async def test_set_sim_state_rejects_other_states(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    state: str,
) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "set_sim_state",
            {
                ATTR_DEVICE_ID: [_device_id(hass, simulator.thing_ids()[0])],
                "state": state,
            },
            blocking=True,
        )
    assert err.value.translation_key == "invalid_state"
    assert simulator.put_bodies == []


async def test_set_sim_state_lower_case_is_accepted(
    hass: HomeAssistant, simulator: MonogotoSimulator, init_integration: MockConfigEntry
) -> None:
    thing_id = simulator.thing_ids()[0]
    await hass.services.async_call(
        DOMAIN,
        "set_sim_state",
        {ATTR_DEVICE_ID: _device_id(hass, thing_id), "state": "suspended"},
        blocking=True,
    )
    assert simulator.put_bodies == [(thing_id, {"state": "SUSPENDED"})]


async def test_targets_that_are_not_sims(
    hass: HomeAssistant, simulator: MonogotoSimulator, init_integration: MockConfigEntry
) -> None:
    registry = dr.async_get(hass)
    account = registry.async_get_device_by_identifier(
        (DOMAIN, init_integration.entry_id), init_integration.entry_id
    )
    assert account is not None
    other_entry = MockConfigEntry(domain="other")
    other_entry.add_to_hass(hass)
    foreign = registry.async_get_or_create(
        config_entry_id=other_entry.entry_id, identifiers={("other", "x")}
    )
    for device_id, key in (
        ("no-such-device", "unknown_device"),
        (account.id, "not_a_sim"),
        (foreign.id, "not_a_sim"),
    ):
        with pytest.raises(ServiceValidationError) as err:
            await hass.services.async_call(
                DOMAIN,
                "set_sim_state",
                {ATTR_DEVICE_ID: [device_id], "state": "ACTIVE"},
                blocking=True,
            )
        assert err.value.translation_key == key
    assert simulator.put_bodies == []


async def test_actions_need_a_loaded_entry(
    hass: HomeAssistant, simulator: MonogotoSimulator, init_integration: MockConfigEntry
) -> None:
    device_id = _device_id(hass, simulator.thing_ids()[0])
    await hass.config_entries.async_unload(init_integration.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "set_sim_state",
            {ATTR_DEVICE_ID: [device_id], "state": "ACTIVE"},
            blocking=True,
        )
    assert err.value.translation_key == "entry_not_loaded"


async def test_get_sim_events(
    hass: HomeAssistant, simulator: MonogotoSimulator, init_integration: MockConfigEntry
) -> None:
    response = await hass.services.async_call(
        DOMAIN,
        "get_sim_events",
        {ATTR_DEVICE_ID: _device_id(hass, simulator.thing_ids()[0]), "limit": 5},
        blocking=True,
        return_response=True,
    )
    assert response == {
        "events": [
            {
                "time": f"2025-11-24T16:0{n}:00+00:00",
                "type": kind,
                "message_type": "CDR",
                "severity": "Info",
                "message": f"{kind} event {n}",
            }
            for n, kind in enumerate(("DATA", "MT_SMS", "DATA"))
        ]
    }
    assert simulator.requests["search_cdr"] == 1


async def test_get_sim_events_failure_is_translated(
    hass: HomeAssistant, simulator: MonogotoSimulator, init_integration: MockConfigEntry
) -> None:
    simulator.fail("search_cdr", status=200, body="<html>", content_type="text/html")
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN,
            "get_sim_events",
            {ATTR_DEVICE_ID: _device_id(hass, simulator.thing_ids()[0])},
            blocking=True,
            return_response=True,
        )
    assert err.value.translation_key == "invalid_response"
