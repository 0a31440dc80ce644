"""The console parsers by their contract: each takes an answer's body text as the console sent it.

Each returns its model(s) or raises ``MonogotoResponseError`` when the answer is unusable as a
whole. The conformance and re-spelling tests reach the parsers only through ``PARSERS``.
"""

from __future__ import annotations

from collections.abc import Callable

from custom_components.monogoto.api import (
    parse_events,
    parse_login,
    parse_ping,
    parse_sms_id,
    parse_state,
    parse_statuses,
    parse_thing,
    parse_things,
)

#: The parser of each answer, by its name in the contract.
PARSERS: dict[str, Callable[[str], object]] = {
    "parse_login": parse_login,
    "parse_things": parse_things,
    "parse_thing": parse_thing,
    "parse_statuses": parse_statuses,
    "parse_state": parse_state,
    "parse_events": parse_events,
    "parse_sms_id": parse_sms_id,
    "parse_ping": parse_ping,
}
