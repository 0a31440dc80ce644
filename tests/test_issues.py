"""issues.py: every repair issue (rate limited, a refused permission), shown and cleaned up."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.monogoto.api.auth import PERMISSION_RETRY
from custom_components.monogoto.const import DOMAIN, SCAN_INTERVAL, STATUS_INTERVAL
from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN, SERVICE_PRESS
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir

from .helpers import (
    call_action,
    entity_id_of,
    message_of,
    next_poll,
    reauth_flows,
    state_of,
)
from .simulator import MonogotoSimulator
from .timetravel import ClientFactory

#: Polls in an hour at the listing's cadence.
HOUR_OF_POLLS = int(3600 / SCAN_INTERVAL.total_seconds())


async def _three_rate_limited_polls(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: MonogotoSimulator,
    issue_id: str,
) -> None:
    """Poll into three 429s: no notice after one or two (a blip), a notice after the third."""
    simulator.fail("things", status=429, times=3)
    for _ in range(2):
        await next_poll(hass, freezer)
        assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    await next_poll(hass, freezer)
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None


@pytest.mark.consoles("kind", "unkind")
async def test_sms_refused_by_the_profile_is_a_repair_issue_not_reauth(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    console: str,
) -> None:
    simulator.quirks.refuses.add("sms")
    thing_id = simulator.thing_ids()[0]
    with pytest.raises(HomeAssistantError) as err:
        await call_action(hass, "send_sms", thing_id, message="hi")
    assert err.value.translation_key == "permission_denied"
    assert "POST /thing/{id}/sms" in await message_of(hass, err.value)
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, f"permission_sms_{init_integration.entry_id}"
    )
    assert issue is not None
    assert issue.translation_placeholders["permission"] == "SMS (edit)"
    assert not hass.config_entries.flow.async_progress()  # no reauth
    assert init_integration.state is ConfigEntryState.LOADED
    # Other actions keep working.
    await hass.services.async_call(
        BUTTON_DOMAIN,
        SERVICE_PRESS,
        {ATTR_ENTITY_ID: entity_id_of(hass, "button", thing_id, "ping")},
        blocking=True,
    )
    assert simulator.requests["ping"] == 1


async def test_ping_refused_by_the_profile(
    hass: HomeAssistant, simulator: MonogotoSimulator, init_integration: MockConfigEntry
) -> None:
    simulator.quirks.refuses.add("ping")
    with pytest.raises(HomeAssistantError) as err:
        await call_action(hass, "ping", simulator.thing_ids()[0], return_response=True)
    assert err.value.translation_key == "permission_denied"
    assert ir.async_get(hass).async_get_issue(
        DOMAIN, f"permission_ping_{init_integration.entry_id}"
    )
    assert not hass.config_entries.flow.async_progress()


@pytest.mark.usefixtures("clients")
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


async def test_repair_issue_while_rate_limited(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    registry = ir.async_get(hass)
    issue_id = f"rate_limited_{init_integration.entry_id}"
    await _three_rate_limited_polls(hass, freezer, simulator, issue_id)
    issue = registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == "rate_limited"
    await next_poll(hass, freezer)
    assert registry.async_get_issue(DOMAIN, issue_id) is None


async def test_rate_limit_issue_does_not_outlive_a_reload_or_an_unload(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The notice goes on reload and on unload; after a reload it counts afresh."""
    registry = ir.async_get(hass)
    issue_id = f"rate_limited_{init_integration.entry_id}"
    await _three_rate_limited_polls(hass, freezer, simulator, issue_id)

    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert init_integration.state is ConfigEntryState.LOADED
    assert registry.async_get_issue(DOMAIN, issue_id) is None

    # The reloaded entry's coordinator starts counting from nothing: a blip is no notice...
    await _three_rate_limited_polls(hass, freezer, simulator, issue_id)
    # ...and unloading takes the notice with it.
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert registry.async_get_issue(DOMAIN, issue_id) is None


async def test_leftover_rate_limit_issue_goes_with_the_first_good_listing(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """A notice left by an earlier run goes with the first successful refresh.

    Home Assistant stopped while rate limited keeps the notice in its issue registry; this
    coordinator never saw a 429, and removes it all the same.
    """
    registry = ir.async_get(hass)
    issue_id = f"rate_limited_{mock_config_entry.entry_id}"
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key="rate_limited",
        translation_placeholders={"title": mock_config_entry.title},
    )
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert registry.async_get_issue(DOMAIN, issue_id) is None
