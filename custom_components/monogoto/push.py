"""Pushed events: what the Monogoto Hub posts to the webhook, read tolerantly, per SIM.

The Hub's Webhook integration posts Data and SMS CDRs (``CdrType`` DATA, MO_SMS, MT_SMS) and
its "Incoming & outgoing SMS" integration posts each SMS with its text (``Time, ICCID, IMSI,
IMEI, From, To, Message``). Neither the encoding (JSON or form), nor batching, nor the keys'
spelling is documented, so pushes are read by the client's reading rules (``api/reader.py``:
keys in any case, with or without ``_`` and ``-``; numbers and times in any of their forms) and
taken in any packaging: a JSON object, array or wrapper of events, or a form. A SIM is found by its
thing id, its ICCID (19 or 20 digits: the Hub may drop the Luhn check digit) or its IMSI.

Nothing read here is ever logged: payloads carry identifiers and SMS texts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, Final, Protocol
from urllib.parse import parse_qsl

from .api import Thing
from .api.reader import decode, key, number, text, timestamp

#: How deep the reader looks for events inside wrappers (``{"data": {"events": [...]}}``).
_MAX_DEPTH: Final = 4
#: Keys that name a SIM, normalised (``thing_id`` and ``ThingId`` alike).
_ID_KEYS: Final = ("thingid", "iccid", "imsi")
_TIME_KEYS: Final = (
    "time",
    "timestamp",
    "eventtime",
    "starttime",
    "endtime",
    "cdrtime",
    "date",
    "createdat",
)
_BYTES_KEYS: Final = (
    "bytes",
    "totalbytes",
    "datavolume",
    "volume",
    "usage",
    "datausage",
)
_UPLINK_DOWNLINK: Final = (("uplinkbytes", "downlinkbytes"), ("bytesin", "bytesout"))
_TEXT_KEYS: Final = ("message", "text", "body", "smstext", "content")


class PushKind(StrEnum):
    """What a pushed event tells of a SIM."""

    DATA = "data"
    SMS_RECEIVED = "received"
    SMS_SENT = "sent"


@dataclass(frozen=True, slots=True)
class PushEvent:
    """One event for one known SIM; ``details`` are what the payload gave, for the entity."""

    thing_id: str
    kind: PushKind
    time: datetime
    details: dict[str, Any] = field(default_factory=dict)


def normalised(record: Mapping[str, Any]) -> dict[str, Any]:
    """Return a record with its keys as the reading rules match them (``api/reader.py``)."""
    return {key(str(name)): value for name, value in record.items()}


def read_push_body(body: bytes) -> tuple[list[dict[str, Any]], str]:
    """Return the body's event records (keys normalised) and the body's form.

    The form (``json object``, ``json array``, ``form``, ``text``, ``empty``, ``binary``)
    says how the body looked, without anything of its content.
    """
    try:
        body_text = body.decode()
    except UnicodeDecodeError:
        return [], "binary"
    stripped = body_text.strip()
    if not stripped:
        return [], "empty"
    decoded = decode(stripped)
    if isinstance(decoded, list | dict):
        form = "json array" if isinstance(decoded, list) else "json object"
        return list(_records(decoded, _MAX_DEPTH)), form
    if stripped[0] in "[{":
        return [], "text"
    if "=" in stripped:
        record = normalised(dict(parse_qsl(stripped, keep_blank_values=True)))
        return ([record] if _names_a_sim(record) else []), "form"
    return [], "text"


def _names_a_sim(record: Mapping[str, Any]) -> bool:
    return any(name in record for name in _ID_KEYS)


def _records(value: Any, depth: int) -> Iterator[dict[str, Any]]:
    """Yield the objects that name a SIM, in wrappers and lists to ``depth`` levels."""
    if depth <= 0:
        return
    if isinstance(value, list):
        for item in value:
            yield from _records(item, depth - 1)
    elif isinstance(value, Mapping):
        record = normalised(value)
        if _names_a_sim(record):
            yield record
            return
        for item in record.values():
            if isinstance(item, list | Mapping):
                yield from _records(item, depth - 1)


class SimIndex:
    """Finds a known SIM by thing id, ICCID (with or without its check digit) or IMSI."""

    def __init__(self, things: Mapping[str, Thing]) -> None:
        """Index the included SIMs the listing knows."""
        self.things = things
        self._by_key: dict[str, str] = {}
        for thing_id, thing in things.items():
            self._by_key[thing_id.casefold()] = thing_id
            if thing.iccid:
                self._by_key[thing.iccid] = thing_id
                self._by_key[thing.iccid[:19]] = thing_id
            if thing.imsi:
                self._by_key[f"imsi:{thing.imsi}"] = thing_id

    def find(self, record: Mapping[str, Any]) -> str | None:
        """Return the thing id the record names, or None for a SIM not known here."""
        if (thing_id := text(record.get("thingid"))) is not None:
            if (found := self._by_key.get(thing_id.casefold())) is not None:
                return found
            thing_id = thing_id.rsplit("_", 1)[-1]  # ThingId_ICCID_<iccid>
            if thing_id.isdigit() and (found := self._by_iccid(thing_id)):
                return found
        if (iccid := text(record.get("iccid"))) and (found := self._by_iccid(iccid)):
            return found
        if imsi := text(record.get("imsi")):
            return self._by_key.get(f"imsi:{imsi}")
        return None

    def _by_iccid(self, iccid: str) -> str | None:
        digits = iccid.strip().rstrip("Ff")
        return self._by_key.get(digits) or self._by_key.get(digits[:19])


def event_kind(record: Mapping[str, Any], thing: Thing) -> PushKind | None:
    """Return what a record tells: a data session, an SMS received or sent, or None."""
    cdr_type = (text(record.get("cdrtype")) or "").upper().replace("-", "_")
    if cdr_type == "DATA":
        return PushKind.DATA
    if cdr_type in ("MT_SMS", "MTSMS"):
        return PushKind.SMS_RECEIVED
    if cdr_type in ("MO_SMS", "MOSMS"):
        return PushKind.SMS_SENT
    if cdr_type or not any(name in record for name in _TEXT_KEYS):
        return None
    # The SMS integration's events: the SIM's own number tells the direction, when known.
    direction = (text(record.get("direction")) or "").casefold()
    if direction in ("mo", "outgoing", "out", "sent") or (
        thing.msisdn is not None and text(record.get("from")) == thing.msisdn
    ):
        return PushKind.SMS_SENT
    return PushKind.SMS_RECEIVED


def event_time(record: Mapping[str, Any], received: datetime) -> datetime:
    """Return when the event happened by the payload, else when it arrived (never later)."""
    for name in _TIME_KEYS:
        if (parsed := timestamp(record.get(name))) is not None:
            return min(parsed, received)
    return received


def event_details(record: Mapping[str, Any], kind: PushKind) -> dict[str, Any]:
    """Return what the entity shows of an event: network, bytes, sender and text."""
    details: dict[str, Any] = {}
    if network := text(record.get("mnoname")) or text(record.get("mno")):
        details["network"] = network
    mcc, mnc = text(record.get("mcc")), text(record.get("mnc"))
    if mcc and mnc:
        details["plmn"] = f"{mcc}-{mnc}"
    if kind is PushKind.DATA and (volume := _bytes(record)) is not None:
        details["bytes"] = volume
    if kind is PushKind.SMS_RECEIVED:
        sender = text(record.get("from")) or text(record.get("callingnumber"))
        if sender:
            details["sender"] = sender
        message = next((record[name] for name in _TEXT_KEYS if name in record), None)
        if isinstance(message, str):
            details["text"] = message
    return details


def _count(value: Any) -> int | None:
    """Return a byte count: a whole number, or a fractional one cut to its whole part."""
    found = number(value)
    return int(found) if found is not None and found >= 0 else None


def _bytes(record: Mapping[str, Any]) -> int | None:
    for name in _BYTES_KEYS:
        if (value := _count(record.get(name))) is not None:
            return value
    for up_key, down_key in _UPLINK_DOWNLINK:
        up, down = _count(record.get(up_key)), _count(record.get(down_key))
        if up is not None or down is not None:
            return (up or 0) + (down or 0)
    return None


class PushListener(Protocol):
    """What listens to a SIM's pushed events: the SIM's entities themselves."""

    def handle_push(self, event: PushEvent) -> None:
        """Take one pushed event of the SIM."""


class PushEvents:
    """An entry's pushed events: who listens per SIM, and the freshest activity pushed."""

    def __init__(self) -> None:
        """Start with no listener and nothing pushed."""
        self._listeners: dict[str, list[PushListener]] = {}
        #: The latest data activity a CDR told of, per SIM (polling may know a later one).
        self.data_activity: dict[str, datetime] = {}
        #: Whether the webhook is registered (the event entities are available then).
        self.enabled = False
        #: What the receiver counted (events by kind, unknown SIMs, refusals), and the
        #: forms of the bodies it could not read.
        self.counts: Counter[str] = Counter()
        self.unreadable: Counter[str] = Counter()

    def listen(self, thing_id: str, listener: PushListener) -> None:
        """Hand ``listener`` each event of the SIM until ``unlisten``.

        The listener is the entity itself, not a callback and a function to stop it: a fleet
        has a few listeners per SIM, and each closure would cost memory for nothing.
        """
        self._listeners.setdefault(thing_id, []).append(listener)

    def unlisten(self, thing_id: str, listener: PushListener) -> None:
        """Stop handing ``listener`` the SIM's events."""
        listeners = self._listeners.get(thing_id)
        if listeners is not None and listener in listeners:
            listeners.remove(listener)
            if not listeners:
                del self._listeners[thing_id]

    def deliver(self, event: PushEvent) -> None:
        """Note a data session's time and hand the event to the SIM's listeners."""
        if event.kind is PushKind.DATA:
            known = self.data_activity.get(event.thing_id)
            if known is None or event.time > known:
                self.data_activity[event.thing_id] = event.time
        for listener in tuple(self._listeners.get(event.thing_id, ())):
            listener.handle_push(event)

    def freshen(self, thing: Thing) -> Thing:
        """Return the SIM with the later of its polled and its pushed data activity."""
        pushed = self.data_activity.get(thing.thing_id)
        polled = thing.last_data_activity
        if pushed is None or (polled is not None and polled >= pushed):
            return thing
        return replace(thing, last_data_activity=pushed)

    def as_dict(self) -> dict[str, Any]:
        """Return the counts for diagnostics (no id, no content)."""
        return {
            "enabled": self.enabled,
            "counts": dict(sorted(self.counts.items())),
            "unreadable_by_form": dict(sorted(self.unreadable.items())),
            "sims_with_pushed_activity": len(self.data_activity),
        }
