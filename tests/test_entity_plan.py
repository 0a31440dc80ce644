"""entity_plan.py: every included SIM under Home Assistant's entity cap, planned and applied.

Home Assistant refuses (and logs) every enabled entity past 10,000 per config entry. The plan
keeps each SIM's state sensor enabled, adds whole levels (switch, online, data used, the other
sensors) while every SIM's fits, creates the rest disabled, and a repair issue says so; a last
guard counts the entry's enabled entities as Home Assistant does, so nothing is ever refused.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
import re
from typing import Any
from unittest.mock import patch

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.monogoto.api import MINUTE, Field, MonogotoClient, RequestBudget
from custom_components.monogoto.binary_sensor import ONLINE
from custom_components.monogoto.button import BUTTONS
from custom_components.monogoto.const import CONF_INCLUDE, CONF_SIMS, DOMAIN
from custom_components.monogoto.device_tracker import LOCATION
from custom_components.monogoto.entity_plan import (
    ACCOUNT_ENTITIES,
    PLAN_ORDER,
    SIM_CAP,
    plan_entities,
    planned_keys,
)
from custom_components.monogoto.event import DATA_SESSIONS, DEVICE_SWAPS, SMS_EVENTS
from custom_components.monogoto.notify import SMS
from custom_components.monogoto.sensor import ACCOUNT_SENSORS, SENSORS
from custom_components.monogoto.switch import IMEI_LOCK_SWITCH, SIM_SWITCH
from homeassistant.core import HomeAssistant
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)

from .helpers import sim_devices
from .simulator import MonogotoSimulator

REFUSAL = "Reached the maximum"
ALL_FIELDS = frozenset(Field)
#: The fields the named levels need (a new field's sensor adds a level of its own).
NAMED_FIELDS = frozenset(field for _, needs in PLAN_ORDER for field in needs)


# -- the plan ----------------------------------------------------------------------------------


def test_every_enabled_sim_entity_has_a_place_in_the_plan() -> None:
    """Each kind enabled by default has a level, but the tracker, which takes the room left."""
    planned = set(planned_keys(ALL_FIELDS))
    unplanned = set()
    for description in (
        *SENSORS,
        ONLINE,
        SIM_SWITCH,
        IMEI_LOCK_SWITCH,
        DEVICE_SWAPS,
        SMS,
        *BUTTONS,
        SMS_EVENTS,
        DATA_SESSIONS,
        LOCATION,
    ):
        if not description.entity_registry_enabled_default:
            assert description.key not in planned, description.key
        elif description.key not in planned:
            unplanned.add(description.key)
    assert unplanned == {LOCATION.key}
    assert PLAN_ORDER[:4] == (
        ("sim_state", (Field.STATE,)),
        ("sim", ()),
        ("online", ()),
        ("data_used", (Field.DATA_USED,)),
    )


@pytest.mark.parametrize(
    ("sims", "enabled"),
    [
        (0, 16),
        (100, 16),
        (624, 16),  # 9,984 enabled: the most that keep everything
        (625, 15),  # the README's table, boundary by boundary
        (666, 15),
        (667, 14),
        (713, 14),
        (714, 13),
        (768, 13),
        (769, 12),
        (832, 12),
        (833, 11),
        (908, 11),
        (909, 10),
        (999, 10),
        (1000, 9),
        (1110, 9),
        (1111, 8),
        (1249, 8),
        (1250, 7),
        (1427, 7),
        (1428, 6),
        (1665, 6),
        (1666, 5),
        (1999, 5),
        (2000, 4),  # 4 x 2,000 = 8,000; a fifth level would be 10,000
        (2498, 4),
        (2499, 3),
        (3331, 3),
        (3332, 2),
        (4997, 2),
        (4998, 1),
        (5000, 1),
        (20000, 1),  # the state sensors alone pass the cap: the guard stops them
    ],
)
def test_levels_are_enabled_for_every_sim_or_none(sims: int, enabled: int) -> None:
    plan = plan_entities(sims, NAMED_FIELDS)
    order = [key for key, _ in PLAN_ORDER]
    assert len(order) == 16
    assert plan.enabled == frozenset(order[:enabled])
    assert plan.left_disabled == tuple(order[enabled:])
    assert plan.disabled_entities == sims * (16 - enabled)
    assert plan.fits == SIM_CAP // 16 == 624
    assert enabled == 1 or sims * enabled <= SIM_CAP


def test_a_field_sensor_without_a_named_level_is_planned_after_the_named_sensors() -> (
    None
):
    """Adding a field's sensor needs no place in PLAN_ORDER: its field gets a level."""
    assert planned_keys(ALL_FIELDS) == [key for key, _ in PLAN_ORDER]
    with patch(
        "custom_components.monogoto.entity_plan.UNPLANNED_FIELDS",
        frozenset({Field.LOCATION}),
    ):
        keys = planned_keys(ALL_FIELDS)
    last_named = keys.index("roaming_country")
    # The IMEI has a level of its own already: the device swaps, which need it.
    assert keys[last_named + 1 : last_named + 6] == [
        "imsi",
        "msisdn",
        "ip_address",
        "apn",
        "cell_id",
    ]
    assert keys[last_named + 6 :] == [
        "sms",
        "ping",
        "reset_connection",
        "device_swaps",
        "imei_lock",
    ]


def test_the_plan_counts_only_the_entities_the_account_has() -> None:
    fields = {Field.STATE, Field.OPERATOR}  # no usage, activity, codes: 9 per SIM
    plan = plan_entities(1100, fields)
    assert plan.enabled == {
        "sim_state",
        "sim",
        "online",
        "sms_events",
        "data_sessions",
        "network",
        "sms",
        "ping",
        "reset_connection",
    }
    assert plan.left_disabled == ()
    assert plan.fits == SIM_CAP // 9
    # Without the state (read nowhere), the switch is first.
    assert plan_entities(20000, {Field.OPERATOR}).enabled == {"sim"}
    # The network sensor needs the console's operator name or the network's codes.
    assert {"network", "roaming_country"} <= plan_entities(1, {Field.NETWORK}).enabled


# -- in Home Assistant -------------------------------------------------------------------------


def enabled_entities(
    hass: HomeAssistant, entry: MockConfigEntry
) -> list[er.RegistryEntry]:
    """Return the entry's enabled registry entries."""
    return [
        entity
        for entity in er.async_entries_for_config_entry(
            er.async_get(hass), entry.entry_id
        )
        if not entity.disabled
    ]


def sim_key(entity: er.RegistryEntry) -> str | None:
    """Return the description key of a SIM entity (None for the account's)."""
    match = re.fullmatch(r"ThingId_ICCID_\d+_(\w+)", entity.unique_id)
    return match.group(1) if match else None


@pytest.fixture
def cap_40() -> Iterator[None]:
    """Make Home Assistant's cap 40 (and ours with it), to plan 6 SIMs like 1,500."""
    with (
        patch(
            "homeassistant.helpers.entity_platform.MAX_ENABLED_ENTITIES_PER_CONFIG_ENTRY",
            40,
        ),
        patch(
            "custom_components.monogoto.entity_plan.MAX_ENABLED_ENTITIES_PER_CONFIG_ENTRY",
            40,
        ),
        patch(
            "custom_components.monogoto.issues.MAX_ENABLED_ENTITIES_PER_CONFIG_ENTRY",
            40,
        ),
    ):
        yield


@pytest.mark.things(6)
async def test_a_small_cap_disables_whole_levels_with_a_repair_issue(
    hass: HomeAssistant,
    cap_40: None,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # 35 for the SIMs: 6 x 5 levels = 30 enabled; the sixth (36) does not fit.
    enabled = enabled_entities(hass, init_integration)
    assert len(enabled) == 30 + 5  # and the account's 5 totals
    assert Counter(map(sim_key, enabled)) == dict.fromkeys(
        ("sim_state", "sim", "online", "data_used", "sms_events"), 6
    ) | {None: 5}
    registry = er.async_get(hass)
    left = [
        sim_key(e)
        for e in er.async_entries_for_config_entry(registry, init_integration.entry_id)
        if e.disabled and e.entity_category is None
    ]
    assert Counter(left) == dict.fromkeys(
        (
            "data_sessions",
            "sms_sent",
            "last_data_activity",
            "last_network_registration",
            "network",
            "roaming_country",
            "sms",
            "device_swaps",
        ),
        6,
    )
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, f"entity_plan_{init_integration.entry_id}"
    )
    assert issue is not None
    assert issue.translation_key == "entity_plan"
    assert issue.translation_placeholders == {
        "title": init_integration.title,
        "sims": "6",
        # The eight above, the two buttons and the IMEI lock (configuration).
        "disabled": str(6 * 11),
        "fits": "2",
        "limit": "40",
    }
    assert REFUSAL not in caplog.text

    # Gone with the entry; back with it while it still applies.
    await hass.config_entries.async_unload(init_integration.entry_id)
    assert (
        ir.async_get(hass).async_get_issue(
            DOMAIN, f"entity_plan_{init_integration.entry_id}"
        )
        is None
    )


@pytest.mark.things(6)
async def test_entities_the_user_enabled_leave_less_room_and_nothing_is_refused(
    hass: HomeAssistant,
    cap_40: None,
    mock_config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An entry that already has 30 enabled entities of another kind: 5 places are left."""
    mock_config_entry.add_to_hass(hass)
    registry = er.async_get(hass)
    for index in range(30):
        registry.async_get_or_create(
            "sensor", DOMAIN, f"elsewhere_{index}", config_entry=mock_config_entry
        )
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    enabled = enabled_entities(hass, mock_config_entry)
    assert len(enabled) <= 40
    new = [e for e in enabled if not e.unique_id.startswith("elsewhere_")]
    assert len(new) == 10  # the 5 account totals and the 5 places the guard found
    assert REFUSAL not in caplog.text
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, f"entity_plan_{mock_config_entry.entry_id}"
    )
    assert issue is not None
    assert int(issue.translation_placeholders["disabled"]) == 6 * 11 + 25

    # A reload: the entities already registered keep their setting and take no new room.
    await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert len(enabled_entities(hass, mock_config_entry)) == len(enabled)
    assert REFUSAL not in caplog.text


@pytest.mark.things(6)
async def test_no_issue_when_everything_fits(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    assert not ir.async_get(hass).async_get_issue(
        DOMAIN, f"entity_plan_{init_integration.entry_id}"
    )
    assert len(enabled_entities(hass, init_integration)) == 6 * 16 + 5


# -- the acceptance: 5,000 SIMs ----------------------------------------------------------------


@pytest.fixture
def big_budget() -> Iterator[None]:
    """Let the client make its 100-odd first-minute requests at once (real time)."""

    def make_client(*args: Any, **kwargs: Any) -> MonogotoClient:
        return MonogotoClient(
            *args, **kwargs, budget=RequestBudget([replace(MINUTE, limit=100_000)])
        )

    with patch("custom_components.monogoto.MonogotoClient", make_client):
        yield


async def _set_up(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)


@pytest.mark.things(5000)
# All platforms at 5,000 SIMs: ~70 s alone on 2 cores (Home Assistant's entity registry).
@pytest.mark.timeout(600)
async def test_5000_sims_each_keep_an_enabled_state_sensor(
    hass: HomeAssistant,
    big_budget: None,
    mock_config_entry: MockConfigEntry,
    simulator: MonogotoSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await _set_up(hass, mock_config_entry)
    entry_id = mock_config_entry.entry_id
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry_id)
    assert len(devices) == 5000 + 1  # and the account
    enabled = enabled_entities(hass, mock_config_entry)
    assert len(enabled) <= 10_000
    registry = er.async_get(hass)
    for thing_id in simulator.thing_ids():
        entity_id = registry.async_get_entity_id(
            "sensor", DOMAIN, f"{thing_id}_sim_state"
        )
        assert entity_id is not None
        assert not registry.async_get(entity_id).disabled
        assert hass.states.get(entity_id) is not None
    assert REFUSAL not in caplog.text
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"entity_plan_{entry_id}")
    assert issue is not None
    assert issue.translation_placeholders["sims"] == "5000"
    assert issue.translation_placeholders["disabled"] == str(5000 * 15)


@pytest.mark.things(5000)
# All platforms at 5,000 SIMs: ~70 s alone on 2 cores (Home Assistant's entity registry).
@pytest.mark.timeout(600)
async def test_5000_sims_with_50_chosen_have_exactly_those_all_enabled(
    hass: HomeAssistant,
    big_budget: None,
    mock_config_entry: MockConfigEntry,
    simulator: MonogotoSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    chosen = simulator.thing_ids()[::100]
    assert len(chosen) == 50
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, options={CONF_INCLUDE: "chosen", CONF_SIMS: chosen}
    )
    await _set_up(hass, mock_config_entry)
    entry_id = mock_config_entry.entry_id
    assert set(sim_devices(hass, mock_config_entry)) == set(chosen)
    entities = er.async_entries_for_config_entry(er.async_get(hass), entry_id)
    per_sim = [e for e in entities if e.entity_category is None and e.device_id]
    sim_entities = [e for e in per_sim if e.unique_id.startswith("ThingId_")]
    # 16 kinds; the two buttons and the IMEI lock have a category.
    assert len(sim_entities) == 50 * 13
    assert not [e for e in sim_entities if e.disabled]
    assert REFUSAL not in caplog.text
    assert ir.async_get(hass).async_get_issue(DOMAIN, f"entity_plan_{entry_id}") is None
    assert simulator.requests["things"] == 101  # the listing still pages the account
    assert simulator.requests["status"] == 1  # 50 SIMs: one batch


def test_the_account_totals_are_what_the_plan_keeps_out() -> None:
    assert len(ACCOUNT_SENSORS) == ACCOUNT_ENTITIES
    assert all(d.entity_registry_enabled_default for d in ACCOUNT_SENSORS)
