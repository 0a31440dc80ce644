"""Bodies for the parsers, which read answers as the console sends them: JSON text."""

from __future__ import annotations

import json
from typing import Any

from custom_components.monogoto import api


def parse_thing(payload: Any) -> api.Thing:
    """Parse ``payload`` sent as a JSON body."""
    return api.parse_thing(json.dumps(payload))


def parse_things(payload: Any) -> list[api.Thing]:
    """Parse ``payload`` sent as a JSON body."""
    return api.parse_things(json.dumps(payload))


def parse_login(payload: Any) -> api.Login:
    """Parse ``payload`` sent as a JSON body."""
    return api.parse_login(json.dumps(payload))


def parse_statuses(payload: Any) -> list[api.ThingStatus]:
    """Parse ``payload`` sent as a JSON body."""
    return api.parse_statuses(json.dumps(payload))


def parse_events(payload: Any) -> list[api.ThingEvent]:
    """Parse ``payload`` sent as a JSON body."""
    return api.parse_events(json.dumps(payload))


def parse_ping(payload: Any) -> api.PingResult:
    """Parse ``payload`` sent as a JSON body."""
    return api.parse_ping(json.dumps(payload))
