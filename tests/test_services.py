"""services.py: the monogoto.* actions: their targets, their answers, who may call them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser
import yaml

from custom_components.monogoto import services as services_module
from custom_components.monogoto.const import DOMAIN
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError, Unauthorized
from homeassistant.helpers import device_registry as dr

from .helpers import call_action, device_id_of, state_of
from .simulator import MonogotoSimulator

#: Every behaviour holds against a console that answers the undocumented questions otherwise.
pytestmark = pytest.mark.consoles("kind", "unkind")


async def test_set_sim_state_on_three_devices(
    hass: HomeAssistant, simulator: MonogotoSimulator, init_integration: MockConfigEntry
) -> None:
    ids = simulator.thing_ids()
    await hass.services.async_call(
        DOMAIN,
        "set_sim_state",
        {
            ATTR_DEVICE_ID: [device_id_of(hass, tid) for tid in ids],
            "state": "suspended",
        },
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
                ATTR_DEVICE_ID: [device_id_of(hass, simulator.thing_ids()[0])],
                "state": state,
            },
            blocking=True,
        )
    assert err.value.translation_key == "invalid_state"
    assert simulator.put_bodies == []


@pytest.mark.parametrize(
    ("option", "written"),
    [("active", "ACTIVE"), ("suspended", "SUSPENDED"), ("SUSPENDED", "SUSPENDED")],
)
async def test_set_sim_state_options_map_to_the_api(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    option: str,
    written: str,
) -> None:
    """The selector's lower-case keys; upper case (automations of 0.1.0) still works."""
    thing_id = simulator.thing_ids()[1]
    await call_action(hass, "set_sim_state", thing_id, state=option)
    assert simulator.put_bodies == [(thing_id, {"state": written})]


def test_selector_options_are_the_handlers() -> None:
    """services.yaml offers exactly the options the handler maps, spelled the same."""
    services = yaml.safe_load(
        (Path(services_module.__file__).parent / "services.yaml").read_text()
    )
    selector = services["set_sim_state"]["fields"]["state"]["selector"]["select"]
    assert selector["options"] == list(services_module.STATE_OPTIONS)


@pytest.mark.parametrize(
    ("action", "fields"),
    [
        ("send_sms", {"message": "STATUS#"}),
        ("set_sim_state", {"state": "suspended"}),
        ("set_imei_lock", {"locked": True}),
    ],
)
async def test_costly_actions_are_for_administrators_only(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    hass_read_only_user: MockUser,
    hass_admin_user: MockUser,
    action: str,
    fields: dict[str, Any],
) -> None:
    """A non-administrator is refused before any request; an administrator is not."""
    thing_id = simulator.thing_ids()[0]
    data = {ATTR_DEVICE_ID: [device_id_of(hass, thing_id)], **fields}

    async def call_as(user: MockUser) -> None:
        await hass.services.async_call(
            DOMAIN, action, data, blocking=True, context=Context(user_id=user.id)
        )

    requests = sum(simulator.requests.values())
    with pytest.raises(Unauthorized):
        await call_as(hass_read_only_user)
    assert sum(simulator.requests.values()) == requests
    await call_as(hass_admin_user)
    assert sum(simulator.requests.values()) > requests


async def test_ping_and_event_reads_stay_open(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    hass_read_only_user: MockUser,
) -> None:
    thing_id = simulator.thing_ids()[0]
    for action in ("ping", "get_sim_events"):
        response = await hass.services.async_call(
            DOMAIN,
            action,
            {ATTR_DEVICE_ID: [device_id_of(hass, thing_id)]},
            blocking=True,
            return_response=True,
            context=Context(user_id=hass_read_only_user.id),
        )
        assert response is not None


async def test_set_sim_state_refuses_a_retired_sim_before_writing_any(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    active, retired, _ = simulator.thing_ids()
    simulator.set_state(retired, "RETIRED")
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "set_sim_state",
            {
                ATTR_DEVICE_ID: [
                    device_id_of(hass, active),
                    device_id_of(hass, retired),
                ],
                "state": "active",
            },
            blocking=True,
        )
    assert err.value.translation_key == "sim_retired"
    assert simulator.put_bodies == []


def test_both_actions_target_sim_devices_the_same_way() -> None:
    services = yaml.safe_load(
        (Path(services_module.__file__).parent / "services.yaml").read_text()
    )
    targets = [spec["target"] for spec in services.values()]
    assert targets[0] == {"device": [{"integration": DOMAIN, "model": "SIM"}]}
    assert all(target == targets[0] for target in targets)
    assert all(
        ATTR_DEVICE_ID not in spec.get("fields", {}) for spec in services.values()
    )


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
    device_id = device_id_of(hass, simulator.thing_ids()[0])
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
        {ATTR_DEVICE_ID: device_id_of(hass, simulator.thing_ids()[0]), "limit": 5},
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


async def test_send_sms_action_returns_the_sms_ids(
    hass: HomeAssistant, simulator: MonogotoSimulator, init_integration: MockConfigEntry
) -> None:
    first, second, _ = simulator.thing_ids()
    devices = [device_id_of(hass, first), device_id_of(hass, second)]
    response = await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {ATTR_DEVICE_ID: devices, "message": "Wake up €5", "sender": " Home "},
        blocking=True,
        return_response=True,
    )
    assert simulator.sms_bodies == [
        (tid, {"Message": "Wake up €5", "From": "Home"}) for tid in (first, second)
    ]
    assert response is not None
    ids = [item["sms_id"] for item in response["sms"]]
    assert [item["device_id"] for item in response["sms"]] == devices
    assert ids[0].startswith(f"{first}_")
    assert ids[1].startswith(f"{second}_")


@pytest.mark.consoles("kind", "unkind")
async def test_ping_action_returns_round_trips(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    console: str,
) -> None:
    thing_id = simulator.thing_ids()[0]
    ip = simulator.things[thing_id]["IPs"][0]["IP"]
    response = await call_action(hass, "ping", thing_id, return_response=True)
    assert simulator.ping_bodies == [(thing_id, {"IPAddress": ip})]
    assert response == {
        "sent": 4,
        "received": 4,
        "packet_loss": 0.0,
        "round_trips_ms": [48.0, 49.0, 50.0, 51.0],
        "round_trip_min_ms": 48.0,
        "round_trip_average_ms": 49.5,
        "round_trip_max_ms": 51.0,
    }
