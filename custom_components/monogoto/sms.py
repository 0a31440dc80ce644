"""The rules an SMS must meet before the console is asked to send it (length, alphabet, sender)."""

from __future__ import annotations

from typing import Final

from homeassistant.exceptions import ServiceValidationError

from .const import DOMAIN

#: The longest SMS: one message of 160 GSM 7-bit characters (an extension character such as
#: ``€`` takes two), or of 70 characters in any other alphabet (UCS-2).
SMS_GSM_LIMIT: Final = 160
SMS_UCS2_LIMIT: Final = 70
#: An alphanumeric sender name has at most 11 characters (GSM 03.40).
SMS_SENDER_LIMIT: Final = 11
_GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENSION = frozenset("^{}\\[~]|€\f")


def sms_length(message: str) -> tuple[int, int]:
    """Return the length of ``message`` in one SMS and the limit of its alphabet."""
    if all(ch in _GSM_BASIC or ch in _GSM_EXTENSION for ch in message):
        return len(message) + sum(ch in _GSM_EXTENSION for ch in message), SMS_GSM_LIMIT
    return len(message.encode("utf-16-le")) // 2, SMS_UCS2_LIMIT


def check_sms(message: str, sender: str | None) -> None:
    """Refuse an SMS the console should not be asked to send (translated, before any request)."""
    if not message.strip():
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="sms_empty"
        )
    length, limit = sms_length(message)
    if length > limit:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="sms_too_long",
            translation_placeholders={"length": str(length), "limit": str(limit)},
        )
    if sender is not None and not 0 < len(sender.strip()) <= SMS_SENDER_LIMIT:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="sms_sender_invalid",
            translation_placeholders={"limit": str(SMS_SENDER_LIMIT)},
        )
