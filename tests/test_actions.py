"""actions.py: what the user does to a SIM, refused before any request when it cannot work, within the budget."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.monogoto.api import MINUTE
from custom_components.monogoto.const import DOMAIN
from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN, SERVICE_PRESS
from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.const import (
    ATTR_DEVICE_ID,
    ATTR_ENTITY_ID,
    SERVICE_TURN_OFF,
    STATE_OFF,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError

from .helpers import (
    call_action,
    device_id_of,
    entity_id_of,
    message_of,
    next_poll,
    state_of,
)
from .simulator import MonogotoSimulator


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
        assert (await message_of(hass, err.value)).endswith(
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
    assert (await message_of(hass, err.value)).endswith(
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


def _sent(simulator: MonogotoSimulator) -> int:
    return sum(
        simulator.requests[name] for name in ("sms", "ping", "refresh_connection")
    )


@pytest.mark.consoles("kind", "unkind")
async def test_accepted_write_shows_its_state_when_the_re_read_fails(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The console took the change; only reading it back failed.

    No error: the new state shows at once (optimistically), and the next listing confirms it.
    """
    thing_id = simulator.thing_ids()[0]
    switch = entity_id_of(hass, "switch", thing_id, "sim")
    simulator.fail("state_get", status=500)
    await hass.services.async_call(
        SWITCH_DOMAIN, SERVICE_TURN_OFF, {ATTR_ENTITY_ID: switch}, blocking=True
    )
    assert simulator.put_bodies == [(thing_id, {"state": "SUSPENDED"})]
    assert simulator.requests["state_get"] == 1  # the re-read was tried, and failed
    assert hass.states.get(switch).state == STATE_OFF
    assert state_of(hass, "sensor", thing_id, "sim_state").state == "suspended"

    listings = simulator.requests["things"]
    await next_poll(hass, freezer)
    assert simulator.requests["things"] == listings + 1
    assert hass.states.get(switch).state == STATE_OFF
    assert state_of(hass, "sensor", thing_id, "sim_state").state == "suspended"
