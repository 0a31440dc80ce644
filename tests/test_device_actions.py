"""Acting on the device behind a SIM: SMS (notify entity, send_sms), ping, connection reset.

Each is driven through Home Assistant against the simulator; each test asserts the request the
console received (method, path and body, or that no request was made) and what the user sees.
"""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.monogoto.api import MINUTE
from custom_components.monogoto.const import DOMAIN
from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN, SERVICE_PRESS
from homeassistant.components.notify import (
    ATTR_MESSAGE,
    ATTR_TITLE,
    DOMAIN as NOTIFY_DOMAIN,
    SERVICE_SEND_MESSAGE,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_DEVICE_ID, ATTR_ENTITY_ID, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import (
    entity_registry as er,
    issue_registry as ir,
    translation,
)

from .helpers import call_action, device_id_of, entity_id_of, next_poll, state_of
from .simulator import MonogotoSimulator


async def _message(hass: HomeAssistant, err: HomeAssistantError) -> str:
    """Return the English message the user sees for a translated error."""
    assert err.translation_domain == DOMAIN
    strings = await translation.async_get_translations(
        hass, "en", "exceptions", {DOMAIN}
    )
    text = strings[f"component.{DOMAIN}.exceptions.{err.translation_key}.message"]
    return text.format(**(err.translation_placeholders or {}))


def _sent(simulator: MonogotoSimulator) -> int:
    return sum(
        simulator.requests[name] for name in ("sms", "ping", "refresh_connection")
    )


# -- SMS ------------------------------------------------------------------------------------


@pytest.mark.consoles("kind", "unkind")
async def test_notify_entity_sends_an_sms(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    console: str,
) -> None:
    thing_id = simulator.thing_ids()[0]
    entity_id = entity_id_of(hass, "notify", thing_id, "sms")
    await hass.services.async_call(
        NOTIFY_DOMAIN,
        SERVICE_SEND_MESSAGE,
        {ATTR_ENTITY_ID: entity_id, ATTR_MESSAGE: "APN,data.mono#", ATTR_TITLE: "x"},
        blocking=True,
    )
    # POST /thing/{id}/sms with the message only: the title is not part of an SMS.
    assert simulator.sms_bodies == [(thing_id, {"Message": "APN,data.mono#"})]
    assert simulator.requests["sms"] == 1
    # The entity shows when it last sent.
    assert hass.states.get(entity_id).state not in ("unknown", "unavailable")


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


@pytest.mark.parametrize(
    ("message", "sender", "key", "text"),
    [
        ("", None, "sms_empty", "An SMS needs a message; this one is empty."),
        ("   \n ", None, "sms_empty", "An SMS needs a message; this one is empty."),
        (
            "x" * 161,
            None,
            "sms_too_long",
            "This SMS has 161 characters; one SMS holds at most 160.",
        ),
        (
            "€" * 81,  # an extension character takes two places
            None,
            "sms_too_long",
            "This SMS has 162 characters; one SMS holds at most 160.",
        ),
        (
            "Привет" * 12,  # outside the GSM alphabet: 70 characters
            None,
            "sms_too_long",
            "This SMS has 72 characters; one SMS holds at most 70.",
        ),
        (
            "ok",
            "A very long sender",
            "sms_sender_invalid",
            "The sender name must have 1 to 11 characters.",
        ),
    ],
)
async def test_sms_refused_before_any_request(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    message: str,
    sender: str | None,
    key: str,
    text: str,
) -> None:
    thing_id = simulator.thing_ids()[0]
    data: dict[str, Any] = {ATTR_DEVICE_ID: device_id_of(hass, thing_id)}
    data["message"] = message
    if sender is not None:
        data["sender"] = sender
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(DOMAIN, "send_sms", data, blocking=True)
    assert err.value.translation_key == key
    assert await _message(hass, err.value) == text
    if sender is None:
        # The notify entity refuses the same way.
        with pytest.raises(ServiceValidationError) as err:
            await hass.services.async_call(
                NOTIFY_DOMAIN,
                SERVICE_SEND_MESSAGE,
                {
                    ATTR_ENTITY_ID: entity_id_of(hass, "notify", thing_id, "sms"),
                    ATTR_MESSAGE: message,
                },
                blocking=True,
            )
        assert err.value.translation_key == key
    assert simulator.requests["sms"] == 0


async def test_longest_sms_is_sent(
    hass: HomeAssistant, simulator: MonogotoSimulator, init_integration: MockConfigEntry
) -> None:
    thing_id = simulator.thing_ids()[0]
    for message in ("x" * 160, "€" * 80, "Привет" * 11 + "ab"):
        await call_action(hass, "send_sms", thing_id, message=message)
    assert [body["Message"] for _, body in simulator.sms_bodies] == [
        "x" * 160,
        "€" * 80,
        "Привет" * 11 + "ab",
    ]


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
    assert "POST /thing/{id}/sms" in await _message(hass, err.value)
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
    assert await _message(hass, err.value) == "Could not reach the Monogoto console."
    simulator.fail(
        "sms", status=200, body="<html>oops</html>", content_type="text/html"
    )
    with pytest.raises(HomeAssistantError) as err:
        await call_action(hass, "send_sms", thing_id, message="hi")
    assert err.value.translation_key == "invalid_response"


# -- ping -----------------------------------------------------------------------------------


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


async def test_ping_button_shows_the_result(
    hass: HomeAssistant, simulator: MonogotoSimulator, init_integration: MockConfigEntry
) -> None:
    thing_id = simulator.thing_ids()[0]
    entity_id = entity_id_of(hass, "button", thing_id, "ping")
    await hass.services.async_call(
        BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: entity_id}, blocking=True
    )
    assert simulator.ping_bodies == [
        (thing_id, {"IPAddress": simulator.things[thing_id]["IPs"][0]["IP"]})
    ]
    state = hass.states.get(entity_id)
    assert state.state not in ("unknown", "unavailable")
    assert state.attributes["received"] == 4
    assert state.attributes["packet_loss"] == 0.0
    assert state.attributes["round_trip_average_ms"] == 49.5


async def test_ping_without_answer_is_an_error(
    hass: HomeAssistant, simulator: MonogotoSimulator, init_integration: MockConfigEntry
) -> None:
    thing_id = simulator.thing_ids()[0]
    entity_id = entity_id_of(hass, "button", thing_id, "ping")
    # The SIM got another address since the last poll: nothing answers at the known one.
    simulator.things[thing_id]["IPs"][0]["IP"] = "10.140.0.99"
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: entity_id}, blocking=True
        )
    assert err.value.translation_key == "ping_no_reply"
    assert (await _message(hass, err.value)).endswith("did not answer the ping.")
    assert simulator.requests["ping"] == 1
    assert hass.states.get(entity_id).attributes["packet_loss"] == 100.0


@pytest.mark.parametrize(
    ("index", "key"),
    [(1, "ping_offline"), (2, "ping_offline")],
)
async def test_ping_refused_for_a_sim_offline(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    index: int,
    key: str,
) -> None:
    """Suspended and provisioned SIMs have no data session: refused before any request."""
    thing_id = simulator.thing_ids()[index]
    for call in (
        (
            BUTTON_DOMAIN,
            SERVICE_PRESS,
            {ATTR_ENTITY_ID: entity_id_of(hass, "button", thing_id, "ping")},
        ),
        (DOMAIN, "ping", {ATTR_DEVICE_ID: device_id_of(hass, thing_id)}),
    ):
        with pytest.raises(ServiceValidationError) as err:
            await hass.services.async_call(*call, blocking=True)
        assert err.value.translation_key == key
        assert (await _message(hass, err.value)).endswith(
            "is not online, so it cannot be pinged."
        )
    assert simulator.requests["ping"] == 0


async def test_ping_refused_for_a_sim_without_an_address(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    thing_id = simulator.thing_ids()[0]
    simulator.things[thing_id]["IPs"] = []
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    with pytest.raises(ServiceValidationError) as err:
        await call_action(hass, "ping", thing_id)
    assert err.value.translation_key == "ping_no_ip"
    assert (await _message(hass, err.value)).endswith(
        "has no IP address, so it cannot be pinged."
    )
    assert simulator.requests["ping"] == 0


async def test_ping_without_a_status_read_is_refused(
    hass: HomeAssistant, simulator: MonogotoSimulator, init_integration: MockConfigEntry
) -> None:
    """Whether a SIM is online is unknown until its status was read: no guess, no request."""
    thing_id = simulator.thing_ids()[0]
    runtime = init_integration.runtime_data
    runtime.statuses.async_set_updated_data({})
    with pytest.raises(ServiceValidationError) as err:
        await call_action(hass, "ping", thing_id)
    assert err.value.translation_key == "ping_offline"
    assert simulator.requests["ping"] == 0


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


# -- connection reset -----------------------------------------------------------------------


@pytest.mark.consoles("kind", "unkind")
async def test_reset_is_confirmed_by_the_next_status_read(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    console: str,
) -> None:
    thing_id = simulator.thing_ids()[0]
    runtime = init_integration.runtime_data
    before = runtime.statuses.data[thing_id].last_connection
    statuses = simulator.requests["status"]
    await hass.services.async_call(
        BUTTON_DOMAIN,
        SERVICE_PRESS,
        {ATTR_ENTITY_ID: entity_id_of(hass, "button", thing_id, "reset_connection")},
        blocking=True,
    )
    assert simulator.resets == [thing_id]
    assert simulator.requests["status"] == statuses  # not yet: the device re-attaches
    await next_poll(hass, freezer, 61)
    assert simulator.requests["status"] == statuses + 1
    after = runtime.statuses.data[thing_id].last_connection
    assert after is not None
    assert after != before
    assert state_of(hass, "binary_sensor", thing_id, "online").state == "on"


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


async def test_actions_use_the_action_priority_and_budget(
    hass: HomeAssistant, simulator: MonogotoSimulator, init_integration: MockConfigEntry
) -> None:
    """Every request of these actions goes through the budget (one slot each)."""
    budget = init_integration.runtime_data.client.budget
    used = budget.used(MINUTE.seconds)
    thing_id = simulator.thing_ids()[0]
    device_id = device_id_of(hass, thing_id)
    await hass.services.async_call(
        DOMAIN, "send_sms", {ATTR_DEVICE_ID: device_id, "message": "a"}, blocking=True
    )
    await hass.services.async_call(
        DOMAIN, "ping", {ATTR_DEVICE_ID: device_id}, blocking=True
    )
    await hass.services.async_call(
        BUTTON_DOMAIN,
        SERVICE_PRESS,
        {ATTR_ENTITY_ID: entity_id_of(hass, "button", thing_id, "reset_connection")},
        blocking=True,
    )
    assert budget.used(MINUTE.seconds) == used + 3
    assert _sent(simulator) == 3


# -- snapshots ------------------------------------------------------------------------------


@pytest.mark.parametrize("platforms", [[Platform.BUTTON], [Platform.NOTIFY]])
@pytest.mark.freeze_time("2026-11-28 12:00:00+00:00")
async def test_buttons_and_notify_snapshot(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)
