"""Observe, don't assume: a console that answers otherwise than we assumed (rejections, fallbacks, paging).

One test (or one parametrized set) per promise of docs/architecture.md's "Observe, don't
assume" (the devices it never destroys are tested in test_devices.py), each
through Home Assistant's harness against the simulator, asserting what a user or the console
would notice: devices and entities kept, dialog errors, re-authentication flows, repair issues,
and the requests and logins the simulator counted.
"""

from __future__ import annotations

import logging
from typing import get_args

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.monogoto.api.shape import StatusMode
from custom_components.monogoto.const import DOMAIN, SCAN_INTERVAL, STATUS_INTERVAL
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

from .helpers import next_poll, reauth_flows, sim_devices, state_of
from .simulator import DEMO_PASSWORD, DEMO_USERNAME, MonogotoSimulator
from .simulator.quirks import LoginRejection
from .timetravel import ClientFactory

REJECTIONS = get_args(LoginRejection)
HOUR_OF_POLLS = int(3600 / SCAN_INTERVAL.total_seconds())


pytestmark = pytest.mark.usefixtures("clients")


# -- 1. never destroy on a surprise ------------------------------------------------------------


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
