"""A console that answers otherwise than we assumed: observe, fall back, never destroy, report.

One test (or one parametrized set) per promise of decision 10 and 11 in the architecture, each
through Home Assistant's harness against the simulator, asserting what a user or the console
would notice: devices and entities kept, dialog errors, re-authentication flows, repair issues,
and the requests and logins the simulator counted.
"""

from __future__ import annotations

from collections.abc import Iterator
import json
import logging
from typing import get_args

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.monogoto.api.auth import PERMISSION_RETRY
from custom_components.monogoto.api.shape import StatusMode
from custom_components.monogoto.const import (
    DETAILS_INTERVAL,
    DOMAIN,
    SCAN_INTERVAL,
    STATUS_INTERVAL,
)
from homeassistant.config_entries import (
    SOURCE_REAUTH,
    SOURCE_RECONFIGURE,
    SOURCE_USER,
    ConfigEntryState,
)
from homeassistant.const import (
    CONF_PASSWORD,
    CONF_URL,
    CONF_USERNAME,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er, issue_registry as ir

from .helpers import next_poll, sim_devices, state_of
from .simulator import DEMO_PASSWORD, DEMO_USERNAME, MonogotoSimulator
from .simulator.quirks import LoginRejection
from .timetravel import ClientFactory, simulated_client

REJECTIONS = get_args(LoginRejection)
HOUR_OF_POLLS = int(3600 / SCAN_INTERVAL.total_seconds())


@pytest.fixture(autouse=True)
def clients() -> Iterator[ClientFactory]:
    """Give the entry's client clocks that follow the frozen time (token, budget, rests)."""
    with simulated_client() as factory:
        yield factory


def entity_ids(hass: HomeAssistant, entry: MockConfigEntry) -> set[str]:
    """Return the entity ids of the entry."""
    return {
        entity.entity_id
        for entity in er.async_entries_for_config_entry(
            er.async_get(hass), entry.entry_id
        )
    }


def reauth_flows(hass: HomeAssistant) -> list[str]:
    """Return the ids of the re-authentication flows in progress."""
    return [
        flow["flow_id"]
        for flow in hass.config_entries.flow.async_progress()
        if flow["context"]["source"] == SOURCE_REAUTH
    ]


def listing(simulator: MonogotoSimulator, thing_ids: list[str]) -> str:
    """Return a listing body of only ``thing_ids``, as the console would page it."""
    return json.dumps([simulator.things[thing_id] for thing_id in thing_ids])


# -- 1. never destroy on a surprise ------------------------------------------------------------


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


# -- 2. a login rejected in any form ---------------------------------------------------------


def _form(url: str, password: str) -> dict[str, object]:
    return {
        CONF_USERNAME: DEMO_USERNAME,
        CONF_PASSWORD: password,
        "advanced": {CONF_URL: url},
    }


@pytest.mark.parametrize("rejection", REJECTIONS)
async def test_every_form_of_rejection_is_invalid_auth_in_the_dialogs(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    sim_url: str,
    rejection: LoginRejection,
) -> None:
    """Set-up, reauth and reconfigure: ``invalid_auth``, then the right password works."""
    simulator.quirks.login_rejection = rejection
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _form(sim_url, "wrong")
    )
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _form(sim_url, DEMO_PASSWORD)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    await hass.async_block_till_done(wait_background_tasks=True)

    for source, fields in (
        (SOURCE_REAUTH, {CONF_PASSWORD: "wrong"}),
        (SOURCE_RECONFIGURE, _form(sim_url, "wrong")),
    ):
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": source, "entry_id": entry.entry_id}
        )
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], fields
        )
        assert result["type"] is FlowResultType.FORM
        assert result["errors"] == {"base": "invalid_auth"}
        hass.config_entries.flow.async_abort(result["flow_id"])


@pytest.mark.parametrize("rejection", REJECTIONS)
async def test_a_password_changed_in_operation_asks_once_and_stops(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    clients: ClientFactory,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    rejection: LoginRejection,
) -> None:
    """One rejected login, a reauth flow, every entity unavailable, no login for an hour."""
    simulator.quirks.login_rejection = rejection
    simulator.password = "changed-in-the-console"
    simulator.revoke_tokens()
    simulator.requests.clear()
    for _ in range(HOUR_OF_POLLS):
        await next_poll(hass, freezer)
    assert simulator.requests["auth"] == 1
    assert len(reauth_flows(hass)) == 1
    thing_id = simulator.thing_ids()[0]
    assert state_of(hass, "sensor", thing_id, "sim_state").state == STATE_UNAVAILABLE
    assert set(sim_devices(hass, init_integration)) == set(simulator.thing_ids())


# -- 3. permission is not authentication --------------------------------------------------------


async def test_a_refused_endpoint_is_a_repair_issue_not_a_reauth(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    clients: ClientFactory,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The statuses refused (403 to fresh tokens): "online" unavailable, the rest works."""
    simulator.quirks.refuses = {"status"}
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert mock_config_entry.state is ConfigEntryState.LOADED
    thing_id = simulator.thing_ids()[0]
    assert (
        state_of(hass, "binary_sensor", thing_id, "online").state == STATE_UNAVAILABLE
    )
    assert state_of(hass, "sensor", thing_id, "sim_state").state == "active"
    assert not reauth_flows(hass)
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, f"permission_status_{mock_config_entry.entry_id}"
    )
    assert issue is not None
    assert issue.translation_key == "permission_denied"
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["endpoint"] == "GET /thing/status"
    assert issue.translation_placeholders["permission"]

    # The token was alive (one listing item asked for with it showed it): no new login.
    assert simulator.requests["auth"] == 1

    # Two hours of polling: the listing goes on; the hourly probe reuses the live token.
    simulator.requests.clear()
    for _ in range(2 * HOUR_OF_POLLS):
        await next_poll(hass, freezer)
    assert simulator.requests["auth"] <= 1
    # The polls, and the one SIM each hourly probe asks for to show the token alive.
    assert 2 * HOUR_OF_POLLS <= simulator.requests["things"] <= 2 * HOUR_OF_POLLS + 2
    assert simulator.requests["status"] <= 2  # a probe an hour, not retried
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert not reauth_flows(hass)
    assert ir.async_get(hass).async_get_issue(
        DOMAIN, f"permission_status_{mock_config_entry.entry_id}"
    )

    # The administrator grants the permission: the next probe heals it, the notice goes.
    simulator.quirks.refuses = set()
    await next_poll(hass, freezer, PERMISSION_RETRY + STATUS_INTERVAL.total_seconds())
    await next_poll(hass, freezer)
    assert state_of(hass, "binary_sensor", thing_id, "online").state == STATE_ON
    assert (
        ir.async_get(hass).async_get_issue(
            DOMAIN, f"permission_status_{mock_config_entry.entry_id}"
        )
        is None
    )


# -- 4 and 5. data the listing lacks, statuses however they are answered ------------------------


@pytest.mark.consoles("unkind")
@pytest.mark.things(20)
async def test_online_is_right_within_one_status_cycle(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A batch answered for its first id only: every SIM's "online" is right anyway."""
    for thing_id in simulator.thing_ids()[::2]:
        simulator.connection[thing_id] = "DISCONNECTED"
    await next_poll(hass, freezer, STATUS_INTERVAL.total_seconds() + 1)
    for thing_id in simulator.thing_ids():
        expected = (
            STATE_ON if simulator.connection[thing_id] == "CONNECTED" else STATE_OFF
        )
        assert state_of(hass, "binary_sensor", thing_id, "online").state == expected
    profile = init_integration.runtime_data.client.profile
    assert profile.status_mode is StatusMode.PER_SIM


@pytest.mark.consoles("unkind")
async def test_usage_sensors_exist_when_the_listing_lacks_usage(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The listing carries no ``ActualUsage``: the details fill it in, and follow changes."""
    thing_id = simulator.thing_ids()[0]
    simulator.things[thing_id]["ActualUsage"]["Data_"] = 250_000_000
    await next_poll(hass, freezer, DETAILS_INTERVAL.total_seconds() + 1)
    assert float(state_of(hass, "sensor", thing_id, "data_used").state) == 250.0


# -- 6. paging that always ends -----------------------------------------------------------------


@pytest.mark.things(120)
@pytest.mark.parametrize(
    ("quirk", "pages"),
    [("listing_ignores_offset", 2), ("listing_ignores_limit", 1)],
)
async def test_paging_ends_without_duplicates(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    mock_config_entry: MockConfigEntry,
    quirk: str,
    pages: int,
) -> None:
    """A console that ignores ``offset`` (or ``limit``) ends the listing at once, no doubles."""
    setattr(simulator.quirks, quirk, True)
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert simulator.requests["things"] == pages
    devices = set(sim_devices(hass, mock_config_entry))
    assert devices <= set(simulator.thing_ids())
    assert len(devices) == len(mock_config_entry.runtime_data.known_things())


# -- 8. observe, and say what was seen ------------------------------------------------------------


@pytest.mark.consoles("unkind")
@pytest.mark.things(26)  # every set-up request within the first minute (frozen time)
async def test_each_fallback_is_logged_once_at_info(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An unkind console: one INFO line per fallback taken, however often it is taken."""
    caplog.set_level(logging.INFO, logger="custom_components.monogoto")
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    for _ in range(2 * 3):
        await next_poll(hass, freezer)
    profile = mock_config_entry.runtime_data.client.profile
    lines = [
        record
        for record in caplog.records
        if record.getMessage().startswith("Monogoto console: ")
    ]
    assert len(profile.fallbacks) >= 2
    assert [record.getMessage() for record in lines] == [
        f"Monogoto console: {fallback}" for fallback in profile.fallbacks
    ]
    assert {record.levelno for record in lines} == {logging.INFO}
