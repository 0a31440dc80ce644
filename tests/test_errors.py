"""errors.py: client errors become translated errors; a rejected login asks to sign in again."""

from __future__ import annotations

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.monogoto.api import MonogotoError, MonogotoRateLimitError
from custom_components.monogoto.const import DOMAIN
from custom_components.monogoto.errors import error_key, error_placeholders
from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN, SERVICE_PRESS
from homeassistant.components.notify import (
    ATTR_MESSAGE,
    DOMAIN as NOTIFY_DOMAIN,
    SERVICE_SEND_MESSAGE,
)
from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import ATTR_ENTITY_ID, SERVICE_TURN_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir

from .helpers import call_action, entity_id_of, message_of
from .simulator import MonogotoSimulator


async def test_sms_console_failure_is_translated(
    hass: HomeAssistant, simulator: MonogotoSimulator, init_integration: MockConfigEntry
) -> None:
    simulator.fail("sms", status=503)
    thing_id = simulator.thing_ids()[0]
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            NOTIFY_DOMAIN,
            SERVICE_SEND_MESSAGE,
            {
                ATTR_ENTITY_ID: entity_id_of(hass, "notify", thing_id, "sms"),
                ATTR_MESSAGE: "hi",
            },
            blocking=True,
        )
    assert err.value.translation_key == "cannot_connect"
    assert await message_of(hass, err.value) == "Could not reach the Monogoto console."
    simulator.fail(
        "sms", status=200, body="<html>oops</html>", content_type="text/html"
    )
    with pytest.raises(HomeAssistantError) as err:
        await call_action(hass, "send_sms", thing_id, message="hi")
    assert err.value.translation_key == "invalid_response"


async def test_reset_failure_is_translated(
    hass: HomeAssistant, simulator: MonogotoSimulator, init_integration: MockConfigEntry
) -> None:
    thing_id = simulator.thing_ids()[0]
    entity_id = entity_id_of(hass, "button", thing_id, "reset_connection")
    simulator.fail("refresh_connection", status=404, body="Not found")
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: entity_id}, blocking=True
        )
    assert err.value.translation_key == "invalid_response"
    simulator.quirks.refuses.add("refresh_connection")
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: entity_id}, blocking=True
        )
    assert err.value.translation_key == "permission_denied"
    assert ir.async_get(hass).async_get_issue(
        DOMAIN, f"permission_reset_{init_integration.entry_id}"
    )
    assert not hass.config_entries.flow.async_progress()


@pytest.mark.consoles("kind", "unkind")
async def test_switch_failure_is_translated(
    hass: HomeAssistant, simulator: MonogotoSimulator, init_integration: MockConfigEntry
) -> None:
    thing_id = simulator.thing_ids()[0]
    switch = entity_id_of(hass, "switch", thing_id, "sim")
    simulator.fail("state_put", status=500)
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            SWITCH_DOMAIN, SERVICE_TURN_OFF, {ATTR_ENTITY_ID: switch}, blocking=True
        )
    assert err.value.translation_key == "cannot_connect"
    assert hass.states.get(switch).state == STATE_ON


@pytest.mark.consoles("kind", "unkind")
async def test_switch_with_rejected_login_starts_reauth(
    hass: HomeAssistant, simulator: MonogotoSimulator, init_integration: MockConfigEntry
) -> None:
    switch = entity_id_of(hass, "switch", simulator.thing_ids()[0], "sim")
    simulator.password = "changed"
    simulator.revoke_tokens()
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            SWITCH_DOMAIN, SERVICE_TURN_OFF, {ATTR_ENTITY_ID: switch}, blocking=True
        )
    assert err.value.translation_key == "invalid_auth"
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress()
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    assert simulator.put_bodies == []


@pytest.mark.consoles("kind", "unkind")
async def test_get_sim_events_failure_is_translated(
    hass: HomeAssistant, simulator: MonogotoSimulator, init_integration: MockConfigEntry
) -> None:
    simulator.fail("search_cdr", status=200, body="<html>", content_type="text/html")
    with pytest.raises(HomeAssistantError) as err:
        await call_action(
            hass, "get_sim_events", simulator.thing_ids()[0], return_response=True
        )
    assert err.value.translation_key == "invalid_response"


def test_every_client_error_has_a_translation_key() -> None:
    """Each kind its own key; an error outside the table (a new kind) is "unknown_error"."""
    assert error_key(MonogotoRateLimitError("429")) == "rate_limited"
    assert error_key(MonogotoError("new")) == "unknown_error"
    assert error_placeholders(MonogotoError("new")) is None
