"""sensor.py: SIM and account sensors: snapshot, values equal to the simulator's, disabled identifiers."""

from __future__ import annotations

import json

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.monogoto.api import parse_thing
from custom_components.monogoto.const import DOMAIN
from custom_components.monogoto.networks import NETWORK_NAMES
from homeassistant.components.sensor import ATTR_STATE_CLASS, SensorStateClass
from homeassistant.const import STATE_UNKNOWN, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er

from .helpers import entity_id_of, state_of
from .simulator import MonogotoSimulator

#: Every behaviour holds against a console that answers the undocumented questions otherwise.
pytestmark = pytest.mark.consoles("kind", "unkind")
#: The country of each MCC the simulator's SIMs roam in (901: international, none).
SIMULATED_COUNTRIES = {
    "240": "se",
    "208": "fr",
    "262": "de",
    "310": "us",
    "901": STATE_UNKNOWN,
}


@pytest.fixture
def platforms() -> list[str]:
    """Only the sensor platform."""
    return [Platform.SENSOR]


@pytest.mark.things(5)
@pytest.mark.freeze_time("2026-11-28 12:00:00+00:00")
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_sensors_snapshot(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)


@pytest.mark.things(26)  # every set-up request within the first minute (frozen time)
@pytest.mark.parametrize("platforms", [[]])  # every platform
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_values_equal_the_simulator(
    hass: HomeAssistant, simulator: MonogotoSimulator, init_integration: MockConfigEntry
) -> None:
    for thing_id, raw in simulator.things.items():
        thing = parse_thing(json.dumps(raw))

        def value(key: str, tid: str = thing_id) -> str:
            return state_of(hass, "sensor", tid, key).state

        assert value("sim_state") == raw["State"].lower()
        assert float(value("data_used")) == pytest.approx(
            raw["ActualUsage"]["Data_"] / 1_000_000, abs=0.05
        )
        assert int(value("sms_sent")) == raw["ActualUsage"]["MO_SMS_CDR_"]
        assert value("last_data_activity") == (
            thing.last_data_activity.replace(microsecond=0).isoformat()
        )
        assert value("last_network_registration") == (
            thing.last_network_registration.isoformat()
        )
        assert value("imei") == raw["IMEI"]
        assert value("imsi") == raw["IMSI"]
        assert value("msisdn") == raw["MSISDN"]
        assert value("ip_address") == raw["IPs"][0]["IP"]
        assert value("apn") == "data.mono"
        location = raw["LastLocation"]
        assert value("cell_id") == str(location["CellId"])
        assert value("network") == raw["MnoName"]
        assert value("roaming_country") == SIMULATED_COUNTRIES[location["MCC"]]

    # Every SIM device carries every entity: sensors, the online sensor and the switch.
    registry = er.async_get(hass)
    expected = {
        ("sensor", key)
        for key in (
            "sim_state",
            "data_used",
            "sms_sent",
            "last_data_activity",
            "last_network_registration",
            "imei",
            "imsi",
            "msisdn",
            "ip_address",
            "apn",
            "roaming_country",
            "network",
            "cell_id",
        )
    } | {
        ("binary_sensor", "online"),
        ("switch", "sim"),
        ("switch", "imei_lock"),
        ("notify", "sms"),
        ("button", "ping"),
        ("button", "reset_connection"),
        ("event", "sms_events"),
        ("event", "data_sessions"),
        ("event", "device_swaps"),
    }
    for thing_id in simulator.things:
        found = {
            (entry.domain, entry.unique_id.removeprefix(f"{thing_id}_"))
            for entry in er.async_entries_for_config_entry(
                registry, init_integration.entry_id
            )
            if entry.unique_id.startswith(f"{thing_id}_")
        }
        assert found == expected

    states = [raw["State"] for raw in simulator.things.values()]
    account = {
        key: hass.states.get(f"sensor.monogoto_account_{key}").state
        for key in ("sims", "active_sims", "suspended_sims", "other_sims")
    }
    assert account == {
        "sims": str(len(states)),
        "active_sims": str(states.count("ACTIVE")),
        "suspended_sims": str(states.count("SUSPENDED")),
        "other_sims": str(
            len(states) - states.count("ACTIVE") - states.count("SUSPENDED")
        ),
    }


async def test_identifiers_are_diagnostic_and_disabled_by_default(
    hass: HomeAssistant, simulator: MonogotoSimulator, init_integration: MockConfigEntry
) -> None:
    registry = er.async_get(hass)
    thing_id = simulator.thing_ids()[0]
    for key in ("imei", "imsi", "msisdn", "ip_address", "apn"):
        entry = registry.async_get(entity_id_of(hass, "sensor", thing_id, key))
        assert entry is not None
        assert entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION
        assert entry.entity_category is er.EntityCategory.DIAGNOSTIC
    for key in ("sim_state", "data_used", "sms_sent", "last_data_activity", "network"):
        entry = registry.async_get(entity_id_of(hass, "sensor", thing_id, key))
        assert entry is not None
        assert entry.disabled_by is None


async def test_null_and_absent_fields(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    thing_id = simulator.thing_ids()[0]
    raw = simulator.things[thing_id]
    raw["MnoName"] = None  # null: the network sensor falls back to the table
    raw["Last_DATA_Time"] = "not a time"
    del raw["ActualUsage"]  # absent for this SIM only: the account has usage
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)

    # No operator name from the console: the network's name from the table, by its codes.
    network = state_of(hass, "sensor", thing_id, "network")
    assert network.state == NETWORK_NAMES[network.attributes["plmn"]]
    assert (
        state_of(hass, "sensor", thing_id, "last_data_activity").state == STATE_UNKNOWN
    )
    # Entities exist because the account has the data; this SIM's are unknown.
    assert state_of(hass, "sensor", thing_id, "data_used").state == STATE_UNKNOWN
    assert state_of(hass, "sensor", thing_id, "sms_sent").state == STATE_UNKNOWN
    other = simulator.thing_ids()[1]
    assert state_of(hass, "sensor", other, "data_used").state != STATE_UNKNOWN


async def test_account_device_is_named_monogoto_account(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Not after the login: no e-mail address in the device name or any entity id."""
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, init_integration.entry_id), init_integration.entry_id
    )
    assert device is not None
    assert device.name == "Monogoto account"
    entity_ids = [
        entry.entity_id
        for entry in er.async_entries_for_config_entry(
            er.async_get(hass), init_integration.entry_id
        )
    ]
    assert "sensor.monogoto_account_sims" in entity_ids
    assert init_integration.title == "demo@example.com"
    assert not [entity_id for entity_id in entity_ids if "example" in entity_id]


async def test_account_data_used_has_the_state_class_of_a_sims(
    hass: HomeAssistant, simulator: MonogotoSimulator, init_integration: MockConfigEntry
) -> None:
    """A billing-period reset must read as a new cycle in long-term statistics."""
    per_sim = state_of(hass, "sensor", simulator.thing_ids()[0], "data_used")
    account = hass.states.get("sensor.monogoto_account_data_used_by_all_sims")
    assert account is not None
    assert per_sim.attributes[ATTR_STATE_CLASS] == SensorStateClass.TOTAL_INCREASING
    assert account.attributes[ATTR_STATE_CLASS] == SensorStateClass.TOTAL_INCREASING
