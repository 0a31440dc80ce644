"""webhook.py and event.py: the Hub's pushes posted over HTTP to the entry's real webhook view.

Every payload goes through Home Assistant's HTTP server and webhook integration to the
receiver, and is judged by the SIM's entities' states, as a user would see them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
import json
import logging
from typing import Any
from unittest.mock import patch

import aiohttp
from aiohttp.test_utils import TestClient
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.monogoto.const import CONF_WEBHOOK_ID, DOMAIN
from custom_components.monogoto.webhook import MAX_BODY
from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util

from .helpers import next_poll, sim_devices, state_of
from .simulator import MonogotoSimulator
from .simulator.push import data_cdr, incoming_sms, luhn_digit, sms_cdr

type Post = Callable[..., Awaitable[int]]
SOS = "SOS lat=47.37 lon=8.54"


@pytest.fixture
async def post(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client_no_auth: Callable[[], Awaitable[TestClient]],
) -> Post:
    """Return a function that posts a body to the entry's webhook; it returns the status."""
    client = await hass_client_no_auth()
    path = f"/api/webhook/{init_integration.data[CONF_WEBHOOK_ID]}"

    async def send(body: Any, *, form: bool = False, raw: bytes | None = None) -> int:
        if raw is not None:
            response = await client.post(path, data=raw)
        elif form:
            response = await client.post(path, data=body)
        else:
            response = await client.post(path, json=body)
        await hass.async_block_till_done()
        return response.status

    return send


def thing(simulator: MonogotoSimulator, number: int) -> dict[str, Any]:
    """Return the simulator's SIM number ``number`` (1-based)."""
    return simulator.things[simulator.thing_ids()[number - 1]]


def event_state(
    hass: HomeAssistant, simulator: MonogotoSimulator, number: int, key: str
) -> State:
    """Return the state of a SIM's event entity ``key``."""
    return state_of(hass, "event", simulator.thing_ids()[number - 1], key)


def untouched(hass: HomeAssistant, simulator: MonogotoSimulator, *numbers: int) -> bool:
    """Return whether these SIMs' event entities never fired."""
    return all(
        event_state(hass, simulator, number, key).state == STATE_UNKNOWN
        for number in numbers
        for key in ("sms_events", "data_sessions")
    )


# -- each documented kind ----------------------------------------------------------------------


async def test_incoming_sms_fires_received_with_text_and_sender(
    hass: HomeAssistant, simulator: MonogotoSimulator, post: Post
) -> None:
    assert await post(incoming_sms(thing(simulator, 2), SOS)) == 200
    state = event_state(hass, simulator, 2, "sms_events")
    assert state.attributes["event_type"] == "received"
    assert state.attributes["text"] == SOS
    assert state.attributes["sender"] == "+4420"
    assert untouched(hass, simulator, 1, 3)
    assert event_state(hass, simulator, 2, "data_sessions").state == STATE_UNKNOWN


@pytest.mark.parametrize(("sent", "event_type"), [(True, "sent"), (False, "received")])
async def test_sms_cdrs_fire_sent_or_received(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    post: Post,
    sent: bool,
    event_type: str,
) -> None:
    assert await post(sms_cdr(thing(simulator, 3), sent=sent)) == 200
    state = event_state(hass, simulator, 3, "sms_events")
    assert state.attributes["event_type"] == event_type
    assert state.attributes["network"] == thing(simulator, 3)["MnoName"]
    assert "text" not in state.attributes
    assert untouched(hass, simulator, 1, 2)


async def test_data_cdr_fires_a_data_session_and_freshens_last_activity(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    post: Post,
    freezer: Any,
) -> None:
    raw = thing(simulator, 1)
    last_activity = state_of(hass, "sensor", raw["ThingId"], "last_data_activity")
    assert dt_util.parse_datetime(last_activity.state) < dt_util.utcnow()
    assert await post(data_cdr(raw, volume=4096)) == 200
    state = event_state(hass, simulator, 1, "data_sessions")
    assert state.attributes["event_type"] == "started"
    assert state.attributes["bytes"] == 4096
    location = raw["LastLocation"]
    assert state.attributes["plmn"] == f"{location['MCC']}-{location['MNC']}"
    pushed = state_of(hass, "sensor", raw["ThingId"], "last_data_activity")
    assert dt_util.parse_datetime(pushed.state) == dt_util.utcnow().replace(
        microsecond=0
    )
    # Polling stays the truth: a later activity polled wins over the pushed one.
    later = dt_util.utcnow() + timedelta(hours=1)
    raw["Last_DATA_Time"] = int(later.timestamp() * 1000)
    await next_poll(hass, freezer)
    polled = state_of(hass, "sensor", raw["ThingId"], "last_data_activity")
    assert dt_util.parse_datetime(polled.state) == later.replace(microsecond=0)


# -- the tolerant reader -----------------------------------------------------------------------


def _respelled(payload: dict[str, Any], spell: Callable[[str], str]) -> dict[str, Any]:
    return {spell(key): value for key, value in payload.items()}


@pytest.mark.parametrize(
    "spell",
    [
        str.lower,
        str.upper,
        lambda key: "".join(f"_{c.lower()}" if c.isupper() else c for c in key).strip(
            "_"
        ),
        lambda key: key.replace("Id", "-id").replace("Type", "-type"),
    ],
    ids=["lower", "upper", "snake", "kebab"],
)
async def test_respelled_keys_are_read(
    hass: HomeAssistant, simulator: MonogotoSimulator, post: Post, spell: Any
) -> None:
    assert await post(_respelled(sms_cdr(thing(simulator, 2), sent=True), spell)) == 200
    assert (
        event_state(hass, simulator, 2, "sms_events").attributes["event_type"] == "sent"
    )


async def test_form_body_is_read(
    hass: HomeAssistant, simulator: MonogotoSimulator, post: Post
) -> None:
    body = {k: str(v) for k, v in incoming_sms(thing(simulator, 1), SOS).items()}
    assert await post(body, form=True) == 200
    assert event_state(hass, simulator, 1, "sms_events").attributes["text"] == SOS


async def test_batches_and_wrappers_reach_each_sim(
    hass: HomeAssistant, simulator: MonogotoSimulator, post: Post
) -> None:
    batch = [data_cdr(thing(simulator, 1)), sms_cdr(thing(simulator, 2), sent=False)]
    assert await post(batch) == 200
    wrapped = {"data": {"events": [incoming_sms(thing(simulator, 3), "hi")]}}
    assert await post(wrapped) == 200
    assert event_state(hass, simulator, 1, "data_sessions").state != STATE_UNKNOWN
    received = event_state(hass, simulator, 2, "sms_events")
    assert received.attributes["event_type"] == "received"
    assert event_state(hass, simulator, 3, "sms_events").attributes["text"] == "hi"


@pytest.mark.parametrize(
    "identify",
    [
        lambda raw: {
            "ICCID": raw["ExternalUniqueId"] + luhn_digit(raw["ExternalUniqueId"])
        },
        lambda raw: {"ICCID": raw["ExternalUniqueId"]},
        lambda raw: {"IMSI": raw["IMSI"]},
        lambda raw: {"ThingId": raw["ExternalUniqueId"]},
    ],
    ids=["iccid_20_digits", "iccid_19_digits", "imsi", "thing_id_as_iccid"],
)
async def test_a_sim_is_found_by_iccid_with_or_without_check_digit_or_imsi(
    hass: HomeAssistant, simulator: MonogotoSimulator, post: Post, identify: Any
) -> None:
    body = {"CdrType": "MT_SMS", **identify(thing(simulator, 3))}
    assert await post(body) == 200
    assert event_state(hass, simulator, 3, "sms_events").state != STATE_UNKNOWN
    assert untouched(hass, simulator, 1, 2)


async def test_an_outgoing_sms_by_the_sms_integration_is_sent(
    hass: HomeAssistant, simulator: MonogotoSimulator, post: Post
) -> None:
    raw = thing(simulator, 1)
    body = {**incoming_sms(raw, "status ok"), "From": raw["MSISDN"], "To": "+4420"}
    assert await post(body) == 200
    state = event_state(hass, simulator, 1, "sms_events")
    assert state.attributes["event_type"] == "sent"
    assert "text" not in state.attributes


# -- what is refused or ignored ----------------------------------------------------------------


async def test_unknown_sim_changes_nothing(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    post: Post,
) -> None:
    devices = set(sim_devices(hass, init_integration))
    stranger = {
        **incoming_sms(thing(simulator, 1), SOS),
        "ICCID": "8999911111111111111",
    }
    stranger["IMSI"] = "999991111111111"
    assert await post(stranger) == 200
    assert await post({"CdrType": "DATA", "ThingId": "ThingId_ICCID_1"}) == 200
    assert untouched(hass, simulator, 1, 2, 3)
    assert set(sim_devices(hass, init_integration)) == devices
    assert (
        len(
            dr.async_entries_for_config_entry(
                dr.async_get(hass), init_integration.entry_id
            )
        )
        == 4
    )
    assert init_integration.runtime_data.push.counts["unknown_sim"] == 2


@pytest.mark.parametrize(
    ("raw", "form"),
    [
        (b"\x00\xff\xfe binary", "binary"),
        (b"hello there", "text"),
        (b"", "empty"),
        (b"{not json", "text"),
        (b'{"weather": "sunny"}', "json object"),
        (b"[1, 2, 3]", "json array"),
    ],
)
async def test_garbage_is_answered_200_and_said_once_at_info(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    post: Post,
    caplog: pytest.LogCaptureFixture,
    raw: bytes,
    form: str,
) -> None:
    caplog.set_level(logging.DEBUG, logger="custom_components.monogoto")
    assert await post(None, raw=raw) == 200
    assert await post(None, raw=raw) == 200
    lines = [
        r
        for r in caplog.records
        if r.name.startswith("custom_components.monogoto.webhook")
    ]
    assert len(lines) == 1
    assert lines[0].levelno == logging.INFO
    assert form in lines[0].getMessage()
    assert init_integration.runtime_data.push.unreadable[form] == 2
    assert untouched(hass, simulator, 1, 2, 3)


async def test_a_known_sim_without_event_type_is_unreadable(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    post: Post,
) -> None:
    assert (
        await post({"ThingId": thing(simulator, 1)["ThingId"], "CdrType": "VOICE"})
        == 200
    )
    assert init_integration.runtime_data.push.unreadable == {
        "json object without an event type": 1
    }
    assert untouched(hass, simulator, 1)


async def test_oversize_body_is_refused_413(
    hass: HomeAssistant, simulator: MonogotoSimulator, post: Post
) -> None:
    message = "x" * MAX_BODY
    assert await post(incoming_sms(thing(simulator, 1), message)) == 413
    assert untouched(hass, simulator, 1)


async def test_oversize_stream_without_length_is_refused_413(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    hass_client_no_auth: Callable[[], Awaitable[TestClient]],
) -> None:
    """A chunked body carries no Content-Length: reading stops past the cap."""
    client = await hass_client_no_auth()

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(MAX_BODY // 65536 + 2):
            yield b" " * 65536

    path = f"/api/webhook/{init_integration.data[CONF_WEBHOOK_ID]}"
    response = await client.post(path, data=chunks())
    assert response.status == 413
    assert init_integration.runtime_data.push.counts["too_large"] == 1


async def test_a_large_batch_reaches_every_sim_in_slices(
    hass: HomeAssistant, simulator: MonogotoSimulator, post: Post
) -> None:
    batch = [data_cdr(thing(simulator, n % 3 + 1), volume=n) for n in range(250)]
    assert await post(batch) == 200
    # The last CDR of each SIM (249 = 3 x 83 is SIM 1's) is what its entity shows.
    for number, last in ((1, 249), (2, 247), (3, 248)):
        state = event_state(hass, simulator, number, "data_sessions")
        assert state.attributes["bytes"] == last


async def test_flood_is_refused_429_until_the_bucket_refills(
    hass: HomeAssistant, simulator: MonogotoSimulator, post: Post
) -> None:
    body = [sms_cdr(thing(simulator, 1), sent=True)] * 5
    with (
        patch("custom_components.monogoto.webhook.RATE_PER_SECOND", 0.0),
        patch("custom_components.monogoto.webhook.BURST", 5),
    ):
        # The receiver is made at registration: make one with the small bucket.
        entry = hass.config_entries.async_entries(DOMAIN)[0]
        await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done()
        assert await post(body) == 200
        assert await post(body) == 429
    assert entry.runtime_data.push.counts["rate_limited"] == 1
    assert entry.runtime_data.push.counts["sent"] == 5


# -- the payload never leaks -------------------------------------------------------------------


async def test_payload_and_webhook_id_are_never_logged(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    post: Post,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    raw = thing(simulator, 1)
    await post(incoming_sms(raw, SOS))
    await post([data_cdr(raw), {"Iccid": raw["ExternalUniqueId"], "x": 1}])
    await post(None, raw=json.dumps({"Message": SOS}).encode())
    await post(None, raw=f"Message={SOS}".encode())
    logged = "\n".join(record.getMessage() for record in caplog.records)
    ours = "\n".join(
        record.getMessage()
        for record in caplog.records
        if record.name.startswith("custom_components.monogoto")
    )
    assert "could not be read" in ours  # the records under test are really captured
    # Home Assistant's own HTTP and webhook components name the path at DEBUG; we never do.
    assert init_integration.data[CONF_WEBHOOK_ID] not in ours
    for secret in (
        SOS,
        raw["ExternalUniqueId"],
        raw["IMSI"],
        raw["MSISDN"],
        raw["IMEI"],
    ):
        assert secret not in logged


# -- the simulator pushes ----------------------------------------------------------------------


async def test_the_simulator_pushes_to_the_webhook(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    sim_url: str,
    hass_client_no_auth: Callable[[], Awaitable[TestClient]],
) -> None:
    client = await hass_client_no_auth()
    url = str(client.make_url(f"/api/webhook/{init_integration.data[CONF_WEBHOOK_ID]}"))
    thing_id = simulator.thing_ids()[1]
    async with aiohttp.ClientSession() as session:

        async def ask(spec: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            async with session.post(f"{sim_url}/_sim/push", json=spec) as response:
                return response.status, await response.json()

        spec = {
            "url": url,
            "thing_id": thing_id,
            "kind": "incoming_sms",
            "message": "hi",
        }
        assert await ask(spec) == (
            200,
            {"thing_id": thing_id, "kind": "incoming_sms", "count": 1, "status": 200},
        )
        await hass.async_block_till_done()
        assert (
            state_of(hass, "event", thing_id, "sms_events").attributes["text"] == "hi"
        )
        status, answer = await ask({"url": url, "count": 3})
        assert (status, answer["count"], answer["status"]) == (200, 3, 200)
        assert (await ask({"url": "http://192.0.2.1/x"}))[0] == 400
        assert (await ask({"url": "http://ha.example/x"}))[0] == 400
        assert (await ask({"url": url, "thing_id": "nope"}))[0] == 404
        assert (await ask({"url": url, "kind": "voice"}))[0] == 400
    await hass.async_block_till_done()
