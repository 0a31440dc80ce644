"""Secret canaries: known secrets appear in no log record (DEBUG included) and not in diagnostics."""

from __future__ import annotations

import json
import logging

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)

from custom_components.monogoto.const import DOMAIN
from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.const import ATTR_DEVICE_ID, ATTR_ENTITY_ID, SERVICE_TURN_OFF
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr

from .helpers import entity_id_of, next_poll
from .simulator import MonogotoSimulator, make_thing

CANARY = {
    "password": "Canary-Pa55word!",
    "customer_id": "cid_canary-0000-customer",
    "iccid": "8999977700000000042",
    "imsi": "999997770000042",
    "imei": "357770000000042",
    "msisdn": "+999777000042",
    "pin": "7391",
    "puk": "73910042",
    "ip": "10.77.0.42",
}


@pytest.fixture
def simulator() -> MonogotoSimulator:
    """Serve one SIM full of canary values, from an account with a canary password."""
    sim = MonogotoSimulator(
        0,
        username="canary@example.com",
        password=CANARY["password"],
        customer_id=CANARY["customer_id"],
    )
    thing = make_thing(42, "ACTIVE")
    thing_id = f"ThingId_ICCID_{CANARY['iccid']}"
    thing.update(
        ThingId=thing_id,
        ExternalUniqueId=CANARY["iccid"],
        ThingName=f"ICCID {CANARY['iccid']}",
        IMSI=CANARY["imsi"],
        ActiveMobileSubscriber=CANARY["imsi"],
        IMEI=CANARY["imei"],
        MSISDN=CANARY["msisdn"],
        PIN1=CANARY["pin"],
        PUK1=CANARY["puk"],
    )
    thing["IPs"][0]["IP"] = CANARY["ip"]
    thing["MobileSubscribers"][0].update(
        PIN1=CANARY["pin"], PUK1=CANARY["puk"], IMSI=CANARY["imsi"]
    )
    sim.add_thing(thing)
    return sim


@pytest.fixture
def mock_config_entry(sim_url: str) -> MockConfigEntry:
    """Return the canary account's entry."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="canary@example.com",
        unique_id=CANARY["customer_id"],
        data={
            "username": "canary@example.com",
            "password": CANARY["password"],
            "url": sim_url,
        },
    )


def _logged(caplog: pytest.LogCaptureFixture) -> str:
    parts = []
    for record in caplog.records:
        parts.append(record.getMessage())
        if record.exc_info and record.exc_info[1]:
            parts.append(repr(record.exc_info[1]))
    return "\n".join(parts)


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_no_secret_in_logs_or_diagnostics(
    hass: HomeAssistant,
    hass_client,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    thing_id = simulator.thing_ids()[0]
    # Exercise the paths that log: polls, a failure and recovery, an unknown state,
    # a token refused mid-way, a switch write, an action, a failing write.
    await next_poll(hass, freezer)
    simulator.fail("things", status=500)
    await next_poll(hass, freezer)
    simulator.set_state(thing_id, "WEIRD")
    simulator.revoke_tokens()
    await next_poll(hass, freezer)
    simulator.set_state(thing_id, "ACTIVE")
    await next_poll(hass, freezer)
    switch = entity_id_of(hass, "switch", thing_id, "sim")
    await hass.services.async_call(
        SWITCH_DOMAIN, SERVICE_TURN_OFF, {ATTR_ENTITY_ID: switch}, blocking=True
    )
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, thing_id), init_integration.entry_id
    )
    await hass.services.async_call(
        DOMAIN,
        "get_sim_events",
        {ATTR_DEVICE_ID: device.id},
        blocking=True,
        return_response=True,
    )
    simulator.fail("state_put", status=503)
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN,
            "set_sim_state",
            {ATTR_DEVICE_ID: [device.id], "state": "ACTIVE"},
            blocking=True,
        )
    diagnostics = json.dumps(
        await get_diagnostics_for_config_entry(hass, hass_client, init_integration)
    )

    tokens = simulator.issued_tokens
    assert len(tokens) >= 2
    logged = _logged(caplog)
    assert "unknown state 'WEIRD'" in logged  # the logs under test are really captured
    for name, secret in [*CANARY.items(), *(("token", token) for token in tokens)]:
        assert secret not in logged, f"{name} in a log record"
        assert secret not in diagnostics, f"{name} in diagnostics"
        assert secret not in str(err.value), f"{name} in an error message"
