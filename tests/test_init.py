"""__init__.py: set-up, unload, set-up retries and re-authentication, migrations."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.monogoto.const import DOMAIN
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import CONF_PASSWORD, CONF_URL, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er

from .helpers import next_poll, sim_devices, state_of
from .simulator import DEMO_PASSWORD, DEMO_USERNAME, MonogotoSimulator
from .simulator.app import DEMO_CUSTOMER_ID

pytestmark = pytest.mark.consoles("kind", "unkind")


@pytest.mark.consoles("kind")
@pytest.mark.things(120)
async def test_setup_creates_a_device_per_sim(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    assert init_integration.state is ConfigEntryState.LOADED
    devices = sim_devices(hass, init_integration)
    assert set(devices) == set(simulator.thing_ids())
    for thing_id, thing in simulator.things.items():
        assert (
            state_of(hass, "sensor", thing_id, "sim_state").state
            == thing["State"].lower()
        )
        assert devices[thing_id].serial_number == thing["ExternalUniqueId"]
    # 3 listing pages, 3 status batches and one login for 120 SIMs.
    assert simulator.requests == {"auth": 1, "things": 3, "status": 3}

    changed = simulator.thing_ids()[42]
    simulator.set_state(changed, "SUSPENDED")
    await next_poll(hass, freezer)
    assert state_of(hass, "sensor", changed, "sim_state").state == "suspended"
    assert simulator.requests["auth"] == 1  # the token is reused


@pytest.mark.consoles("unkind")
@pytest.mark.things(26)  # every request within the first minute's budget (frozen time)
async def test_setup_on_an_unkind_console(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
) -> None:
    """Pages of its own size, no usage in the listing, statuses one SIM at a time: all shown."""
    devices = sim_devices(hass, init_integration)
    assert set(devices) == set(simulator.thing_ids())
    for thing_id, thing in simulator.things.items():
        assert state_of(hass, "sensor", thing_id, "sim_state").state == (
            thing["State"].lower()
        )
        online = state_of(hass, "binary_sensor", thing_id, "online").state
        assert online == (
            "on" if simulator.connection[thing_id] == "CONNECTED" else "off"
        )
        used = state_of(hass, "sensor", thing_id, "data_used")
        assert float(used.state) == pytest.approx(
            thing["ActualUsage"]["Data_"] / 1e6, abs=0.05
        )
    # Pages of 25 (the second found by one probe), one status batch that answered one SIM,
    # the status listing refused, then one SIM per request; the details of every SIM.
    assert simulator.requests == {
        "auth": 1,
        "things": 2,
        "status": 1 + 1 + 25,
        "thing": 26,
    }


async def test_unload(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert init_integration.state is ConfigEntryState.NOT_LOADED


async def test_setup_retries_while_console_is_down(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    simulator.fail("things", status=503, times=10)
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY


async def test_setup_with_rejected_password_starts_reauth(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    simulator.password = "changed"
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    assert mock_config_entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress()
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


@pytest.mark.consoles("kind")
async def test_migration_renames_account_entity_ids_that_carry_the_login(
    hass: HomeAssistant, simulator: MonogotoSimulator, sim_url: str
) -> None:
    """1.1 -> 1.2: the ids generated from the login follow the new device name.

    An id the user chose stays as it is.
    """
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=DEMO_USERNAME,
        unique_id=DEMO_CUSTOMER_ID,
        data={
            CONF_USERNAME: DEMO_USERNAME,
            CONF_PASSWORD: DEMO_PASSWORD,
            CONF_URL: sim_url,
        },
        version=1,
        minor_version=1,
    )
    entry.add_to_hass(hass)
    # The registries as 0.1.0 left them: an account device named after the login.
    account = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, entry.entry_id)},
        name=DEMO_USERNAME,
        model="Account",
    )
    entities = er.async_get(hass)
    old = {
        key: entities.async_get_or_create(
            "sensor",
            DOMAIN,
            f"{entry.entry_id}_{key}",
            config_entry=entry,
            device_id=account.id,
            has_entity_name=True,
            original_name=name,
            object_id_base=name,
        ).entity_id
        for key, name in (("sims_total", "SIMs"), ("sims_active", "Active SIMs"))
    }
    assert old == {
        "sims_total": "sensor.demo_example_com_sims",
        "sims_active": "sensor.demo_example_com_active_sims",
    }
    entities.async_update_entity(old["sims_active"], new_entity_id="sensor.live_sims")

    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.LOADED
    assert (entry.version, entry.minor_version) == (1, 3)
    assert dr.async_get(hass).async_get(account.id).name == "Monogoto account"
    ids = {
        e.unique_id.removeprefix(f"{entry.entry_id}_"): e.entity_id
        for e in er.async_entries_for_config_entry(entities, entry.entry_id)
        if e.device_id == account.id
    }
    assert ids["sims_total"] == "sensor.monogoto_account_sims"
    assert ids["sims_active"] == "sensor.live_sims"  # the user's choice
    assert ids["sims_suspended"] == "sensor.monogoto_account_suspended_sims"  # new
    assert hass.states.get("sensor.monogoto_account_sims").state == "3"
    assert hass.states.get("sensor.demo_example_com_sims") is None


@pytest.mark.things(3)
async def test_migration_merges_the_operator_sensor_into_the_network_sensor(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    """1.2 -> 1.3: one network sensor per SIM; automations on a lone operator sensor live on."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(mock_config_entry, minor_version=2)
    both_planned, network_left_out, operator_only = simulator.thing_ids()
    entities = er.async_get(hass)

    def old(thing_id: str, key: str, disabled: bool = False) -> str:
        return entities.async_get_or_create(
            "sensor",
            DOMAIN,
            f"{thing_id}_{key}",
            config_entry=mock_config_entry,
            disabled_by=er.RegistryEntryDisabler.INTEGRATION if disabled else None,
        ).entity_id

    gone = [old(both_planned, "operator"), old(network_left_out, "operator")]
    kept = old(both_planned, "network")
    left_out = old(network_left_out, "network", disabled=True)
    lone = old(operator_only, "operator")
    entities.async_update_entity(lone, new_entity_id="sensor.boat_operator")

    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert mock_config_entry.minor_version == 3
    assert [entities.async_get(entity_id) for entity_id in gone] == [None, None]
    ids = {
        thing_id: entities.async_get_entity_id("sensor", DOMAIN, f"{thing_id}_network")
        for thing_id in (both_planned, network_left_out, operator_only)
    }
    assert ids == {
        both_planned: kept,
        network_left_out: left_out,
        operator_only: "sensor.boat_operator",
    }
    # The plan had enabled the operator sensor: the network sensor takes its place.
    assert not entities.async_get(left_out).disabled
    state = hass.states.get("sensor.boat_operator")
    assert state is not None
    assert state.state == simulator.things[operator_only]["MnoName"]
    assert not [
        entry
        for entry in er.async_entries_for_config_entry(
            entities, mock_config_entry.entry_id
        )
        if entry.unique_id.endswith("_operator")
    ]


async def test_an_entry_from_a_newer_version_is_not_set_up(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN, data=dict(mock_config_entry.data), version=2, minor_version=1
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.MIGRATION_ERROR
