"""sms.py: the SMS rules (length per alphabet, sender), checked before any request."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.monogoto.const import DOMAIN
from custom_components.monogoto.sms import sms_length
from homeassistant.components.notify import (
    ATTR_MESSAGE,
    DOMAIN as NOTIFY_DOMAIN,
    SERVICE_SEND_MESSAGE,
)
from homeassistant.const import ATTR_DEVICE_ID, ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError

from .helpers import call_action, device_id_of, entity_id_of, message_of
from .simulator import MonogotoSimulator


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
    assert await message_of(hass, err.value) == text
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


@pytest.mark.parametrize(
    ("message", "length", "limit"),
    [
        ("hello", 5, 160),
        ("price: 5€", 10, 160),  # an extension character takes two
        ("Grüße", 5, 160),
        ("こんにちは", 5, 70),  # outside GSM 7-bit: UCS-2
        ("🙂", 2, 70),  # outside the BMP: two UCS-2 units
    ],
)
def test_length_and_limit_follow_the_alphabet(
    message: str, length: int, limit: int
) -> None:
    assert sms_length(message) == (length, limit)
