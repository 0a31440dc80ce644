"""Parsers: the console's answers, read by the rules of ``reader.py``, into ``models.py``.

Things (the listing and ``GET /thing/{id}``) are read in ``things.py``; the rest here.

Each public ``parse_*`` takes a body as the console sent it and returns its model(s); it raises
``MonogotoResponseError`` only when the answer is unusable as a whole. The ``read_*`` variants
take a decoded body and a set that collects what could not be read (the client records it in
the API profile). No parser strips or unwraps anything itself: that is the reader's job.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any, Final

from .exceptions import MonogotoResponseError, MonogotoUnexpectedAnswerError
from .models import Login, PingResult, ThingEvent, ThingStatus
from .reader import (
    Node,
    count,
    decode,
    flag,
    listed,
    number,
    single,
    text,
    timestamp,
    unwrap,
)
from .things import (
    STATE_WORD,
    parse_thing,
    parse_things,
    read_imei_lock,
    read_thing,
    read_things,
    state_word,
)

__all__ = [
    "is_jwt",
    "jwt_expiry",
    "parse_events",
    "parse_login",
    "parse_ping",
    "parse_sms_id",
    "parse_state",
    "parse_statuses",
    "parse_thing",
    "parse_thing_saved",
    "parse_things",
    "read_events",
    "read_imei_lock",
    "read_login",
    "read_ping",
    "read_statuses",
    "read_thing",
    "read_things",
    "state_body_form",
    "state_word",
]

_SMS_ID: Final = re.compile(r"[A-Za-z0-9_.:\-]{1,300}", re.ASCII)
#: Where a login answer may keep its token and its customer id (normalised keys).
_TOKEN_KEYS: Final = ("token", "accesstoken", "authtoken", "idtoken", "jwt", "bearer")
_CUSTOMER_KEYS: Final = ("customerid",)
#: Keys that make an object an event even without ``_source`` around it.
_EVENT_KEYS: Final = ("esdatatype", "messagetype", "severity", "timestamp", "message")

# -- single values -------------------------------------------------------------------------


def parse_state(body: str) -> str:
    """Parse ``GET /thing/{id}/state``: ``ACTIVE``, ``"ACTIVE"``, ``{ ACTIVE }`` …."""
    word = state_word(body)
    if word is None:
        raise MonogotoResponseError("State response is not a state word")
    return word


def state_body_form(body: str) -> str:
    """Name how a state body is spelled: ``plain``, ``quoted``, ``braced``, ``json`` or ``other``."""
    stripped = body.strip()
    if stripped.startswith('"'):
        return "quoted"
    if stripped.startswith(("{", "[")):
        return "json" if decode(stripped) != stripped else "braced"
    return "plain" if STATE_WORD.fullmatch(stripped.upper()) else "other"


def parse_sms_id(body: str) -> str:
    """Parse ``POST /thing/{id}/sms``: the SMS id, in any single-value form."""
    # Not "message": the envelope's own ``Message`` says how the request went.
    found = single(body, prefer=("smsid", "id"))
    if found is None or not _SMS_ID.fullmatch(found):
        raise MonogotoResponseError("SMS response is not an SMS id")
    return found


def parse_thing_saved(body: str) -> None:
    """Check ``PUT /thing/update/``: documented as text, ``{ Thing undefined successfully saved. }``.

    Any 2xx answer is taken as saved (a quoted string, JSON, an empty body alike; the switch
    reads the thing again anyway), unless it says outright that it failed: a ``Success`` flag
    that is false.
    """
    payload = decode(body)
    if isinstance(payload, dict) and Node(payload).read("success", flag) is False:
        raise MonogotoResponseError("Thing update answered Success: false")


# -- login ---------------------------------------------------------------------------------


def parse_login(body: str) -> Login:
    """Parse ``POST /Auth``; it must carry a token and a CustomerId (any spelling, any depth)."""
    return read_login(decode(body))


def read_login(payload: Any) -> Login:
    """Return the login an answer carries; ``MonogotoUnexpectedAnswerError`` when it has none."""
    token = _find_text(payload, _TOKEN_KEYS)
    if token is None and isinstance(payload, str) and is_jwt(payload):
        token = payload
    if token is None:
        raise MonogotoUnexpectedAnswerError("Login answer carries no token")
    claims = _jwt_claims(token)
    customer_id = _find_text(payload, _CUSTOMER_KEYS) or _find_text(
        claims, _CUSTOMER_KEYS
    )
    if customer_id is None:
        raise MonogotoUnexpectedAnswerError("Login answer carries no CustomerId")
    return Login(token=token, customer_id=customer_id, expires_at=_expiry(claims))


def _find_text(value: Any, names: tuple[str, ...], depth: int = 3) -> str | None:
    """Return the first non-empty text under one of ``names``, here or in nested objects."""
    value = unwrap(value, dict)
    if not isinstance(value, dict) or depth < 0:
        return None
    node = Node(value)
    for name in names:
        found = node.get(name)
        if isinstance(found, str) and found.strip():
            return found.strip()
    for inner in value.values():
        if isinstance(inner, dict | list) and (
            found := _find_text(inner, names, depth - 1)
        ):
            return found
    return None


def _jwt_claims(token: str) -> dict[str, Any] | None:
    """Return a JWT's claims, or None when the token is not a JWT (an opaque token)."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except binascii.Error, ValueError:
        return None
    return claims if isinstance(claims, dict) else None


def is_jwt(token: str) -> bool:
    """Return whether the token is a JWT whose claims can be read."""
    return _jwt_claims(token) is not None


def jwt_expiry(token: str) -> float | None:
    """Return the ``exp`` claim of a JWT in epoch seconds, or None when it has none."""
    return _expiry(_jwt_claims(token))


def _expiry(claims: dict[str, Any] | None) -> float | None:
    exp = claims.get("exp") if claims is not None else None
    if isinstance(exp, bool) or not isinstance(exp, int | float) or exp <= 0:
        return None
    return float(exp)


# -- statuses and events -------------------------------------------------------------------


def parse_statuses(body: str) -> list[ThingStatus]:
    """Parse ``GET /thing/status``: ``{"Success": true, "Data": [...]}``, or its items bare."""
    return read_statuses(decode(body))


def read_statuses(payload: Any, unread: set[str] | None = None) -> list[ThingStatus]:
    """Return the statuses of an answer; every item must name its thing."""
    items = listed(payload, "thingid")
    if items is None:
        raise MonogotoResponseError("Status response is not a list of statuses")
    statuses: list[ThingStatus] = []
    for item in items:
        value = unwrap(item, dict, "thingid")
        node = Node(value, unread) if isinstance(value, dict) else None
        thing_id = node.get("thingid") if node else None
        if node is None or not isinstance(thing_id, str) or not thing_id.strip():
            raise MonogotoResponseError("Status item lacks a ThingId")
        connection = node.read("connectionstatus", single)
        statuses.append(
            ThingStatus(
                thing_id=thing_id.strip(),
                connected=connection.upper() == "CONNECTED" if connection else None,
                last_connection=node.read("lastconnectiontime", timestamp),
            )
        )
    return statuses


def parse_events(body: str) -> list[ThingEvent]:
    """Parse ``POST /thing/searchCDR``: ``{"hits": [{"_source": {...}}]}`` and its variants."""
    return read_events(decode(body))


def read_events(payload: Any, unread: set[str] | None = None) -> list[ThingEvent]:
    """Return the events of an answer; each hit is an event, in ``_source`` or bare."""
    events: list[ThingEvent] = []
    for hit in _hits(payload):
        value = unwrap(hit, dict)
        node = Node(value, unread) if isinstance(value, dict) else None
        source = node.node("source") if node else None
        if source is None and node and any(node.has(k) for k in _EVENT_KEYS):
            source = node
        if source is None:
            raise MonogotoResponseError("Event hit is not an event")
        events.append(
            ThingEvent(
                timestamp=source.read("timestamp", timestamp),
                data_type=source.read("esdatatype", text),
                message_type=source.read("messagetype", text),
                severity=source.read("severity", text),
                message=source.read("message", text),
            )
        )
    return events


def _hits(payload: Any) -> list[Any]:
    """Return the hits of an event answer (``hits``, ``hits.hits``, an envelope, bare)."""
    value = payload
    for _ in range(4):
        opened = unwrap(value, dict, "hits")
        if isinstance(opened, dict) and Node(opened).has("hits"):
            value = Node(opened).get("hits")
            continue
        items = listed(value, "source")
        if items is not None:
            return items
        break
    raise MonogotoResponseError("Event response lacks its hits")


# -- ping ----------------------------------------------------------------------------------


def parse_ping(body: str) -> PingResult:
    """Parse ``POST /thing/{id}/ping``: ``[{host, size, ttl, time, sent, received, packetLoss}]``.

    One entry per probe or one summary, or a single such object. The counts come from the
    entries' ``sent``/``received`` when they carry them, else from the entries themselves (one
    per probe; answered when it has a ``time``).
    """
    return read_ping(decode(body))


#: Keys (normalised) of which a probe entry carries at least one.
_PROBE_KEYS: Final = ("host", "time", "sent", "received", "packetloss", "ttl", "size")


def read_ping(payload: Any, unread: set[str] | None = None) -> PingResult:
    """Return the result of a ping answer (see ``parse_ping``)."""
    items = listed(payload)
    if not items or not all(isinstance(item, dict) for item in items):
        raise MonogotoResponseError("Ping response is not a list of probes")
    probes = [Node(item, unread) for item in items]
    # An object with nothing of a probe (an error body) is no lost probe.
    if not all(any(probe.has(k) for k in _PROBE_KEYS) for probe in probes):
        raise MonogotoResponseError("Ping response is not a list of probes")
    times = tuple(
        t
        for probe in probes
        if (t := probe.read("time", number)) is not None and t >= 0
    )
    sent_counts = [c for p in probes if (c := p.read("sent", count)) is not None]
    received_counts = [
        c for p in probes if (c := p.read("received", count)) is not None
    ]
    sent = max(sent_counts, default=len(probes))
    if sent == 0:
        raise MonogotoResponseError("Ping response has no probe")
    received = min(max(received_counts, default=len(times)), sent)
    losses = [
        loss
        for probe in probes
        if (loss := probe.read("packetloss", _percent)) is not None
    ]
    loss = losses[0] if losses else round(100 * (sent - received) / sent, 1)
    return PingResult(
        sent=sent, received=received, packet_loss=loss, round_trips_ms=times
    )


def _percent(value: Any) -> float | None:
    if isinstance(value, str):
        value = value.strip().removesuffix("%").strip()
    loss = number(value, 100)
    return abs(loss) if loss is not None else None
