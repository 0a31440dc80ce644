"""The console parsers by their contract: each takes an answer's body text as the console sent it.

Each returns its model(s) or raises ``MonogotoResponseError`` when the answer is unusable as a
whole. The conformance and re-spelling tests reach the parsers only through ``PARSERS``.

TEMPORARY ADAPTER (issue 19): today only ``parse_state`` and ``parse_sms_id`` take text; the
others take a decoded payload. Until the reading layer gives all of them text and
``custom_components.monogoto.api`` re-exports them, ``_from_text`` decodes for them here. When
it does, import the eight parsers from ``custom_components.monogoto.api`` and delete
``_from_text``: nothing else in the tests changes.
"""

from __future__ import annotations

from collections.abc import Callable
import json
from typing import Any

from custom_components.monogoto.api import MonogotoResponseError, parse_state
from custom_components.monogoto.api.models import (
    parse_events,
    parse_login,
    parse_ping,
    parse_sms_id,
    parse_statuses,
    parse_thing,
    parse_things,
)


def _from_text[T](parse: Callable[[Any], T]) -> Callable[[str], T]:
    """TEMPORARY: decode the body for a parser that still takes a payload (see above)."""

    def parse_text(body: str) -> T:
        try:
            payload = json.loads(body)
        except ValueError as err:
            raise MonogotoResponseError(
                "Monogoto sent a body that is not JSON"
            ) from err
        return parse(payload)

    return parse_text


#: The parser of each answer, by its name in the contract.
PARSERS: dict[str, Callable[[str], object]] = {
    "parse_login": _from_text(parse_login),
    "parse_things": _from_text(parse_things),
    "parse_thing": _from_text(parse_thing),
    "parse_statuses": _from_text(parse_statuses),
    "parse_state": parse_state,
    "parse_events": _from_text(parse_events),
    "parse_sms_id": parse_sms_id,
    "parse_ping": _from_text(parse_ping),
}
