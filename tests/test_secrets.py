"""Secret canaries: known secrets appear in no log record (DEBUG included) and not in diagnostics.

The canary account and SIM defined here also run through the whole fault matrix
(``tests/faults/`` calls ``assert_no_secrets`` on every row, and ``tests/test_soak.py``
at the end of its 24 hours), and the client's exceptions are checked for every kind of fault.
"""

from __future__ import annotations

from collections.abc import Iterable
import json
import logging
import re
import traceback
from typing import Any

import aiohttp
from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
    get_diagnostics_for_device,
)

from custom_components.monogoto.api import MonogotoClient, MonogotoError, ThingState
from custom_components.monogoto.const import DOMAIN
from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.const import (
    ATTR_DEVICE_ID,
    ATTR_ENTITY_ID,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component

from .helpers import entity_id_of, next_poll
from .simulator import PROFILES, Fault, MonogotoSimulator, make_thing
from .simulator.push import data_cdr, incoming_sms, sms_cdr

CANARY = {
    "password": "Canary-Pa55word!",
    "customer_id": "cid_canary-0000-customer",
    "iccid": "8999977700000000042",
    "imsi": "999997770000042",
    "imei": "357770000000042",
    # The device the SIM is moved to (a device swap) is a secret too.
    "new_imei": "357770000000077",
    "msisdn": "+999777000042",
    "pin": "7391",
    "puk": "73910042",
    "ip": "10.77.0.42",
    # Where the SIM is counts too: its cell and its coordinates.
    "cell_id": "77042913",
    "latitude": "47.3769042",
    "longitude": "8.5416942",
}


CANARY_USERNAME = "canary@example.com"
#: An SMS text the Hub pushes: never in a log or diagnostics.
CANARY_SMS = "SOS canary-sms-text 47.3769042,8.5416942"


def canary_simulator(things: int = 0, **kwargs: Any) -> MonogotoSimulator:
    """Return a console of the canary account: the canary SIM first, then ``things`` others."""
    sim = MonogotoSimulator(
        0,
        username=CANARY_USERNAME,
        password=CANARY["password"],
        customer_id=CANARY["customer_id"],
        **kwargs,
    )
    sim.add_thing(canary_thing())
    for index in range(1, things + 1):
        sim.add_thing(make_thing(index, seed=sim.seed))
    return sim


def canary_entry(url: str) -> MockConfigEntry:
    """Return the config entry of the canary account."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=CANARY_USERNAME,
        unique_id=CANARY["customer_id"],
        data={"username": CANARY_USERNAME, "password": CANARY["password"], "url": url},
    )


def secrets_of(simulator: MonogotoSimulator) -> list[tuple[str, str]]:
    """Return every secret the test must not find: the canaries and each token issued."""
    return [
        *CANARY.items(),
        ("current password", simulator.password),
        *((f"token {n}", token) for n, token in enumerate(simulator.issued_tokens)),
    ]


def exception_texts(err: BaseException | None) -> list[str]:
    """Return what an exception would show: message, repr and its formatted chain."""
    if err is None:
        return []
    return [str(err), repr(err), "".join(traceback.format_exception(err))]


def record_texts(records: Iterable[logging.LogRecord]) -> list[str]:
    """Return each log record as a log file would hold it (message and traceback).

    Nothing is masked: entity ids included. The console names SIMs "ICCID <number>" by
    default and Home Assistant logs every entity id it registers, so devices are named
    ``Thing.display_name`` ("SIM 0042"), which never spells out the ICCID.
    """
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return [
        formatter.format(record)
        for record in records
        # The test harness's stand-in for .storage logs what it "writes"; not a real log.
        if not record.name.startswith("pytest_homeassistant_custom_component")
    ]


def assert_no_secrets(
    simulator: MonogotoSimulator, **sources: Iterable[str] | str
) -> None:
    """Assert that no secret appears in any of ``sources`` (name -> texts).

    A secret counts when it stands alone, not inside a longer run of letters and digits:
    a four-digit PIN is otherwise "found" in memory addresses and port numbers.
    """
    patterns = [
        (name, re.compile(rf"(?<![0-9A-Za-z]){re.escape(secret)}(?![0-9A-Za-z])"))
        for name, secret in secrets_of(simulator)
    ]
    for source, texts in sources.items():
        for text in [texts] if isinstance(texts, str) else texts:
            for name, pattern in patterns:
                found = pattern.search(text)
                assert found is None, f"{name} in {source}: {text[:300]!r}"


def canary_thing() -> dict[str, Any]:
    """Return the canary SIM: every identifier and code a known value."""
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
    thing["LastLocation"].update(
        IMSI=CANARY["imsi"],
        CellId=int(CANARY["cell_id"]),
        Latitude=float(CANARY["latitude"]),
        Longitude=float(CANARY["longitude"]),
        AccuracyInKM=2.5,
    )
    thing["CellId"] = int(CANARY["cell_id"])
    return thing


@pytest.fixture
def simulator(console: str) -> MonogotoSimulator:
    """Serve one SIM full of canary values, from an account with a canary password."""
    return canary_simulator(quirks=PROFILES[console]())


@pytest.fixture
def mock_config_entry(sim_url: str) -> MockConfigEntry:
    """Return the canary account's entry."""
    return canary_entry(sim_url)


def _logged(caplog: pytest.LogCaptureFixture) -> str:
    return _logged_records(caplog.records)


def _logged_records(records: Iterable[logging.LogRecord]) -> str:
    parts = []
    for record in records:
        parts.append(record.getMessage())
        if record.exc_info and record.exc_info[1]:
            parts.append(repr(record.exc_info[1]))
    return "\n".join(parts)


@pytest.mark.consoles("kind", "unkind")
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_no_secret_in_logs_or_diagnostics(
    hass: HomeAssistant,
    hass_client,
    hass_client_no_auth,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    thing_id = simulator.thing_ids()[0]
    # The Hub pushes the canary SIM's SMS (its text a canary too), a data session and junk.
    webhook_id = init_integration.data["webhook_id"]
    # Diagnostics' views first: the test client freezes the HTTP router.
    assert await async_setup_component(hass, "diagnostics", {})
    pushed = await hass_client_no_auth()
    canary = simulator.things[thing_id]
    for body in (
        incoming_sms(canary, CANARY_SMS, check_digit=True),
        [data_cdr(canary), sms_cdr(canary, sent=True)],
        {"Message": CANARY_SMS, "ICCID": "8999977700000000000"},
    ):
        response = await pushed.post(f"/api/webhook/{webhook_id}", json=body)
        assert response.status == 200
    response = await pushed.post(f"/api/webhook/{webhook_id}", data=CANARY_SMS)
    assert response.status == 200
    await hass.async_block_till_done()
    sms_events = hass.states.get(entity_id_of(hass, "event", thing_id, "sms_events"))
    assert sms_events.attributes["event_type"] == "sent"
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
    # Lock the SIM to its device (the lock is read and written with both IMEIs in it), then
    # move it to another device: the swap's event carries both IMEIs.
    await hass.services.async_call(
        SWITCH_DOMAIN,
        SERVICE_TURN_ON,
        {ATTR_ENTITY_ID: entity_id_of(hass, "switch", thing_id, "imei_lock")},
        blocking=True,
    )
    simulator.swap_device(thing_id, CANARY["new_imei"])
    await next_poll(hass, freezer)
    swap = hass.states.get(entity_id_of(hass, "event", thing_id, "device_swaps"))
    assert swap.attributes["new_imei"] == CANARY["new_imei"]
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
    # Text it, ping it, reset it, and a ping that fails.
    for action, data in (("send_sms", {"message": "STATUS#"}), ("ping", {})):
        await hass.services.async_call(
            DOMAIN,
            action,
            {ATTR_DEVICE_ID: device.id, **data},
            blocking=True,
            return_response=True,
        )
    await hass.services.async_call(
        "button",
        "press",
        {ATTR_ENTITY_ID: entity_id_of(hass, "button", thing_id, "reset_connection")},
        blocking=True,
    )
    await next_poll(hass, freezer, 61)
    simulator.fail("ping", status=502, body=f"bad gateway {CANARY['ip']}")
    with pytest.raises(HomeAssistantError):
        await hass.services.async_call(
            DOMAIN, "ping", {ATTR_DEVICE_ID: device.id}, blocking=True
        )
    assert hass.states.get(entity_id_of(hass, "device_tracker", thing_id, "location"))
    simulator.fail("state_put", status=503)
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN,
            "set_sim_state",
            {ATTR_DEVICE_ID: [device.id], "state": "ACTIVE"},
            blocking=True,
        )
    account = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, init_integration.entry_id), init_integration.entry_id
    )
    diagnostics = json.dumps(
        [
            await get_diagnostics_for_config_entry(hass, hass_client, init_integration),
            # The canary SIM's own diagnostics, and the account device's.
            *[
                await get_diagnostics_for_device(
                    hass, hass_client, init_integration, device_entry
                )
                for device_entry in (device, account)
            ],
        ]
    )
    assert '"api_profile"' in diagnostics  # the profile is part of what is checked
    assert '"status"' in diagnostics  # so is the SIM's own part

    assert len(simulator.issued_tokens) >= 2
    logged = _logged(caplog)
    assert "unknown state 'WEIRD'" in logged  # the logs under test are really captured
    assert "could not be read (text)" in logged
    assert_no_secrets(
        simulator, logs=logged, diagnostics=diagnostics, error=str(err.value)
    )
    assert '"realtime_events"' in diagnostics
    for text in (diagnostics, logged):
        assert CANARY_SMS not in text
    assert webhook_id not in diagnostics
    # Home Assistant's HTTP and webhook components name the webhook's path at DEBUG (as for
    # every integration's webhook); this integration never does.
    ours = [r for r in caplog.records if r.name.startswith("custom_components")]
    assert webhook_id not in _logged_records(ours)


#: Faults whose bodies echo secrets back, as a careless error page or proxy might.
ECHOING_FAULTS = [
    Fault(status=500, body=f"Internal error for {CANARY['password']}"),
    Fault(
        status=502,
        body=f"<html>bad gateway {CANARY['iccid']}</html>",
        content_type="text/html",
    ),
    Fault(
        status=200,
        body=f"<html>Login {CANARY['customer_id']}</html>",
        content_type="text/html",
    ),
    Fault(
        status=200,
        body=f'{{"oops": "{CANARY["imsi"]}"',
        content_type="application/json",
    ),
    Fault(
        status=200,
        body=json.dumps({"ThingId": CANARY["msisdn"]}),
        content_type="application/json",
    ),
    Fault(status=400, body=f"Invalid Input Data: {CANARY['imei']} {CANARY['ip']}"),
    Fault(status=404, body=f"Not found: ThingId_ICCID_{CANARY['iccid']}"),
    Fault(
        status=403,
        body=json.dumps(
            {f"ThingId_ICCID_{CANARY['iccid']}": CANARY["imsi"], CANARY["ip"]: 1}
        ),
        content_type="application/json",
    ),
    Fault(status=401, body=f"Unauthorized {CANARY['pin']}"),
    Fault(status=429, body=f"Slow down {CANARY['puk']}", headers={"Retry-After": "7"}),
    Fault(
        status=302,
        headers={"Location": f"https://evil.example/?p={CANARY['password']}"},
    ),
    Fault(disconnect=True),
]


@pytest.mark.parametrize(
    "fault",
    ECHOING_FAULTS,
    ids=[
        "500-text",
        "502-html",
        "200-html",
        "200-bad-json",
        "200-odd-thing",
        "400",
        "404",
        "403-keyed-by-ids",
        "401",
        "429",
        "302",
        "reset",
    ],
)
@pytest.mark.parametrize(
    "endpoint",
    ["auth", "things", "state_get", "thing", "status", "state_put", "search_cdr"],
)
async def test_client_errors_never_carry_secrets(
    sim_url: str, simulator: MonogotoSimulator, endpoint: str, fault: Fault
) -> None:
    """Every client exception, chain included, is free of secrets, whatever the body said."""
    thing_id = f"ThingId_ICCID_{CANARY['iccid']}"
    calls = {
        "auth": lambda c: c.login(),
        "things": lambda c: c.list_things(),
        "state_get": lambda c: c.get_thing_state(thing_id),
        "thing": lambda c: c.get_thing(thing_id),
        "status": lambda c: c.get_thing_statuses([thing_id]),
        "state_put": lambda c: c.set_thing_state(thing_id, ThingState.SUSPENDED),
        "search_cdr": lambda c: c.search_events(thing_id),
    }
    simulator.fail(
        endpoint, fault, times=3
    )  # a reset GET may be retried once by aiohttp
    async with aiohttp.ClientSession() as session:
        client = MonogotoClient(
            session,
            CANARY_USERNAME,
            CANARY["password"],
            base_url=sim_url,
            request_timeout=5,
        )
        try:
            await calls[endpoint](client)
        except MonogotoError as err:
            assert_no_secrets(simulator, exception=exception_texts(err))
        else:
            # Only a write answered 200 and a thing object that merely looks odd succeed: the
            # object reads as a thing, and as a listing page or status answer of one.
            assert (endpoint, fault.status) in {
                ("state_put", 200),
                ("thing", 200),
                ("things", 200),
                ("status", 200),
            }
        # What the API profile recorded of the answer (its form) carries none of it either.
        assert_no_secrets(simulator, profile=json.dumps(client.profile.as_dict()))


def test_the_leak_detector_finds_a_leak() -> None:
    """The checks above are not vacuous: a planted secret is found wherever it hides."""
    simulator = canary_simulator()
    token = simulator.issue_token()
    record = logging.LogRecord(
        "x", logging.DEBUG, __file__, 1, "got %s", (token,), None
    )
    with pytest.raises(AssertionError, match="token 0 in logs"):
        assert_no_secrets(simulator, logs=record_texts([record]))
    err = ValueError("outer")
    err.__cause__ = KeyError(CANARY["imsi"])
    with pytest.raises(AssertionError, match="imsi in exception"):
        assert_no_secrets(simulator, exception=exception_texts(err))
