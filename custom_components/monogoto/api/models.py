"""Frozen models of the Monogoto console API and the lenient parsers that build them.

The console is inconsistent: a thing's state arrives as ``ACTIVE``, ``"ACTIVE"`` or ``{ ACTIVE }``;
timestamps are epoch milliseconds or ``"YYYY-MM-DD HH:MM:SS"`` strings (once with 83 seconds);
addresses are ``IPs[]`` or ``IPv4``; most fields may be ``null``. Parsers here accept all of that
and raise ``MonogotoResponseError`` only when a payload is unusable as a whole.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
import hashlib
import json
import math
import re
from typing import Any

from .exceptions import MonogotoResponseError

THING_ID_PREFIX = "ThingId_ICCID_"
_STATE_WORD = re.compile(r"^[A-Z][A-Z0-9_]{0,63}$", re.ASCII)
_DATETIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2})(?::(\d{2})(?::(\d{2})(?:\.\d+)?)?)?)?(Z|[+-]00:?00)?$",
    re.ASCII,
)


class Field(StrEnum):
    """The facts a ``Thing`` may carry besides its id; each names the attribute that holds it.

    ``Thing.present`` records which of them a payload carried at all (even as null), so the
    integration can tell "the console does not send this" from "this SIM has none".
    """

    STATE = "state"
    IMEI = "imei"
    IMSI = "imsi"
    MSISDN = "msisdn"
    IP_ADDRESS = "ip_address"
    APN = "apn"
    OPERATOR = "operator"
    DATA_USED = "data_used"
    SMS_SENT = "sms_sent"
    LAST_DATA_ACTIVITY = "last_data_activity"
    LAST_NETWORK_REGISTRATION = "last_network_registration"
    NETWORK = "network"
    CELL_ID = "cell_id"
    LOCATION = "location"


class ThingState(StrEnum):
    """The documented SIM states (``GET /thing/{id}/state``)."""

    PROVISIONED = "PROVISIONED"
    TEST_ACTIVE = "TEST_ACTIVE"
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    RETIRED = "RETIRED"


#: The only states ``PUT /thing/{id}/state/`` accepts.
SETTABLE_STATES = frozenset({ThingState.ACTIVE, ThingState.SUSPENDED})


def thing_alias(thing_id: str) -> str:
    """Return a short stable stand-in for a thing id, safe to log (ids embed the ICCID)."""
    return "sim-" + hashlib.sha256(thing_id.encode()).hexdigest()[:8]


@dataclass(frozen=True, slots=True)
class Login:
    """What ``POST /Auth`` returned that the client needs."""

    token: str = field(repr=False)
    customer_id: str = field(repr=False)
    #: Epoch seconds from the JWT ``exp`` claim, when the token carries one.
    expires_at: float | None


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class Location:
    """Where the console places a SIM (``LastLocation``): a secret, never logged.

    The console locates SIMs by their cell, so the accuracy is coarse (``AccuracyInKM``).
    """

    latitude: float
    longitude: float
    accuracy_km: float | None = None
    timestamp: datetime | None = None

    def __repr__(self) -> str:
        """Return a log-safe representation."""
        return "Location(…)"


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class PingResult:
    """The answer to ``POST /thing/{id}/ping``: what came back of the probes sent."""

    sent: int
    received: int
    #: Per cent of the probes lost.
    packet_loss: float
    #: Round-trip times of the probes answered, in milliseconds.
    round_trips_ms: tuple[float, ...] = ()

    def __repr__(self) -> str:
        """Return a representation (no address in it)."""
        return f"PingResult({self.received}/{self.sent})"


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class Thing:
    """One SIM as the console describes it (listing item or ``GET /thing/{id}``).

    Its repr names only the alias and the state: the other fields identify the SIM.
    """

    thing_id: str
    iccid: str | None = None
    name: str | None = None
    #: Normalised upper-case state word; may be a value the docs do not list.
    state: str | None = None
    imei: str | None = None
    imsi: str | None = None
    msisdn: str | None = None
    ip_address: str | None = None
    apn: str | None = None
    operator: str | None = None
    data_used: int | None = None
    sms_sent: int | None = None
    last_data_activity: datetime | None = None
    last_network_registration: datetime | None = None
    #: The serving network as ``"MCC-MNC"`` (``LastLocation``), e.g. ``"208-01"``.
    network: str | None = None
    #: The serving cell (a secret: it locates the SIM).
    cell_id: str | None = None
    #: Coordinates, when the console gives any (it often does not).
    location: Location | None = None
    #: The fields the payload carried at all (even as null).
    present: frozenset[Field] = frozenset()

    def __repr__(self) -> str:
        """Return a log-safe representation."""
        return f"Thing({self.alias}, state={self.state})"

    @property
    def sim_state(self) -> ThingState | None:
        """Return the state as a documented ``ThingState``, or None for anything else."""
        try:
            return ThingState(self.state) if self.state else None
        except ValueError:
            return None

    @property
    def display_name(self) -> str:
        """Return a name for the SIM that does not spell out its ICCID.

        The console names SIMs "ICCID <number>" until someone renames them; a device name
        becomes entity ids, and those end up in logs, history and backups. Such names (and
        missing ones) become "SIM" and the ICCID's last four digits.
        """
        if self.name and not (self.iccid and self.iccid in self.name):
            return self.name
        return f"SIM {(self.iccid or self.alias)[-4:]}"

    @property
    def alias(self) -> str:
        """Return the loggable alias of this thing."""
        return thing_alias(self.thing_id)

    def with_state(self, state: str | None) -> Thing:
        """Return a copy with another state (after a write or a per-thing state read)."""
        return replace(self, state=state, present=self.present | {Field.STATE})

    def completed_by(self, details: Thing) -> Thing:
        """Return this thing with the fields it lacks taken from ``details`` (``GET /thing``).

        What this payload carried wins, null included: it is the newer reading.
        """
        missing = details.present - self.present
        if not missing:
            return self
        return replace(
            self,
            present=self.present | missing,
            **{field: getattr(details, field) for field in missing},
        )


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class ThingStatus:
    """A SIM's data-session status (``GET /thing/status``)."""

    thing_id: str
    #: True when ``ConnectionStatus`` is ``CONNECTED``; None when the console did not say.
    connected: bool | None
    last_connection: datetime | None = None

    def __repr__(self) -> str:
        """Return a log-safe representation."""
        return f"ThingStatus({thing_alias(self.thing_id)}, connected={self.connected})"


@dataclass(frozen=True, slots=True, kw_only=True)
class ThingEvent:
    """One entry of a SIM's event log (``POST /thing/searchCDR``)."""

    timestamp: datetime | None
    data_type: str | None
    message_type: str | None
    severity: str | None
    message: str | None


def parse_state(body: str) -> str:
    """Parse a state body: ``ACTIVE``, ``"ACTIVE"``, ``{ ACTIVE }`` and whitespace all work.

    Unknown words are kept (upper-cased); anything that is not a single word is an error.
    """
    text = body.strip()
    if text.startswith('"'):
        try:
            decoded = json.loads(text)
        except ValueError:
            decoded = text.strip('"')
        text = decoded if isinstance(decoded, str) else ""
    text = text.strip().removeprefix("{").removesuffix("}").strip().strip('"').strip()
    word = text.upper()
    if not _STATE_WORD.fullmatch(word):
        raise MonogotoResponseError("State response is not a state word")
    return word


def state_body_form(body: str) -> str:
    """Name how a state body is spelled: ``plain``, ``quoted``, ``braced`` or ``other``."""
    text = body.strip()
    if text.startswith('"'):
        return "quoted"
    if text.startswith("{"):
        return "braced"
    return "plain" if _STATE_WORD.fullmatch(text.upper()) else "other"


def parse_login(payload: object) -> Login:
    """Parse the ``POST /Auth`` body; it must carry a token and a CustomerId."""
    if not isinstance(payload, Mapping):
        raise MonogotoResponseError("Login response is not a JSON object")
    token = payload.get("token")
    customer_id = payload.get("CustomerId")
    if (
        not isinstance(token, str)
        or not token
        or not isinstance(customer_id, str)
        or not customer_id
    ):
        raise MonogotoResponseError("Login response lacks token or CustomerId")
    return Login(token=token, customer_id=customer_id, expires_at=jwt_expiry(token))


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
    claims = _jwt_claims(token)
    exp = claims.get("exp") if claims is not None else None
    if isinstance(exp, bool) or not isinstance(exp, int | float) or exp <= 0:
        return None
    return float(exp)


def parse_timestamp(value: object) -> datetime | None:
    """Parse epoch milliseconds or a UTC date-time string; anything else gives None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit():
            return parse_timestamp(int(text))
        return _parse_datetime_string(text)
    if isinstance(value, int | float) and value > 0:
        try:
            return datetime.fromtimestamp(value / 1000, tz=UTC)
        except OverflowError, OSError, ValueError:
            return None
    return None


def _parse_datetime_string(text: str) -> datetime | None:
    """Parse ``YYYY-MM-DD[ HH[:MM[:SS]]]`` as UTC; overflowing fields roll over (``12:11:83``)."""
    match = _DATETIME.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second = (
        int(part or 0) for part in match.groups()[:6]
    )
    try:
        base = datetime(year, month, day, tzinfo=UTC)
    except ValueError:
        return None
    return base + timedelta(hours=hour, minutes=minute, seconds=second)


def _text(value: object) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _count(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float) and value >= 0 and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip())
    return None


def _first_of(payload: Mapping[str, Any], array: str, key: str) -> str | None:
    """Return the first text ``key`` of the objects in the ``array`` (``IPs``, ``APNs``)."""
    entries = payload.get(array)
    if isinstance(entries, list):
        for entry in entries:
            if isinstance(entry, Mapping) and (text := _text(entry.get(key))):
                return text
    return None


_MCC = re.compile(r"^\d{3}$", re.ASCII)
_MNC = re.compile(r"^\d{2,3}$", re.ASCII)


def _network(last_location: Mapping[str, Any]) -> str | None:
    """Return ``"MCC-MNC"`` of the serving network; None unless both codes are well formed."""
    mcc = _text(last_location.get("MCC"))
    mnc = _text(last_location.get("MNC"))
    if mcc and mnc and _MCC.match(mcc) and _MNC.match(mnc):
        return f"{mcc}-{mnc}"
    return None


def _coordinate(value: object, limit: float) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if isinstance(value, int | float) and math.isfinite(value) and abs(value) <= limit:
        return float(value)
    return None


def _location(
    payload: Mapping[str, Any], last_location: Mapping[str, Any]
) -> Location | None:
    """Return the first place that has both coordinates.

    Looked for in ``LastLocation`` (the documented schema), ``LastAccuracyLocation``, then
    ``Curr_Latitude``/``Curr_Longitude``.
    ``Latitude``/``Longitude`` at the top level are the geofence's centre, not the SIM's place.
    A 0/0 pair is the documented schema's placeholder, not a place in the Gulf of Guinea.
    """
    accurate = payload.get("LastAccuracyLocation")
    candidates: list[tuple[Mapping[str, Any], str, str]] = [
        (last_location, "Latitude", "Longitude"),
        (accurate if isinstance(accurate, Mapping) else {}, "Latitude", "Longitude"),
        (payload, "Curr_Latitude", "Curr_Longitude"),
    ]
    for source, lat_key, lon_key in candidates:
        latitude = _coordinate(source.get(lat_key), 90)
        longitude = _coordinate(source.get(lon_key), 180)
        if latitude is None or longitude is None or latitude == longitude == 0:
            continue
        accuracy = _coordinate(source.get("AccuracyInKM"), math.inf)
        return Location(
            latitude=latitude,
            longitude=longitude,
            accuracy_km=abs(accuracy) if accuracy is not None else None,
            timestamp=parse_timestamp(source.get("Timestamp")),
        )
    return None


def parse_thing(payload: object) -> Thing:
    """Parse one thing object; it must at least carry a ``ThingId``."""
    if not isinstance(payload, Mapping):
        raise MonogotoResponseError("Thing is not a JSON object")
    thing_id = payload.get("ThingId")
    if not isinstance(thing_id, str) or not thing_id.strip():
        raise MonogotoResponseError("Thing lacks a ThingId")
    thing_id = thing_id.strip()
    usage = payload.get("ActualUsage")
    usage = usage if isinstance(usage, Mapping) else {}
    last_location = payload.get("LastLocation")
    last_location = last_location if isinstance(last_location, Mapping) else {}
    registered = payload.get("LastLocationUpdateTime")
    if registered is None:
        registered = last_location.get("Timestamp")
    return Thing(
        thing_id=thing_id,
        iccid=_iccid(payload, thing_id),
        name=_text(payload.get("ThingName")),
        state=_lenient_state(payload.get("State")),
        imei=_text(payload.get("IMEI")),
        imsi=_text(payload.get("IMSI")) or _text(payload.get("ActiveMobileSubscriber")),
        msisdn=_text(payload.get("MSISDN")),
        ip_address=_first_of(payload, "IPs", "IP") or _text(payload.get("IPv4")),
        apn=_first_of(payload, "APNs", "Name"),
        operator=_text(payload.get("MnoName")),
        data_used=_count(usage.get("Data_")),
        sms_sent=_count(usage.get("MO_SMS_CDR_")),
        last_data_activity=parse_timestamp(payload.get("Last_DATA_Time")),
        last_network_registration=parse_timestamp(registered),
        network=_network(last_location),
        cell_id=_text(last_location.get("CellId")) or _text(payload.get("CellId")),
        location=_location(payload, last_location),
        present=_present(payload, usage),
    )


def _iccid(payload: Mapping[str, Any], thing_id: str) -> str | None:
    """Return the ICCID: the external id when it is one, else the tail of the thing id."""
    iccid = (
        _text(payload.get("ExternalUniqueId"))
        if payload.get("ExternalUniqueType", "ICCID") == "ICCID"
        else None
    )
    if iccid is None and thing_id.startswith(THING_ID_PREFIX):
        iccid = thing_id.removeprefix(THING_ID_PREFIX) or None
    return iccid


def _lenient_state(state: object) -> str | None:
    """Return the state, or None for one that is missing or not a documented string."""
    try:
        return parse_state(state) if isinstance(state, str) else None
    except MonogotoResponseError:
        return None


#: One frozenset per combination of present fields, shared by every SIM that has it: a fleet's
#: SIMs mostly carry the same few combinations (there are at most 2**14), and one set a SIM
#: would cost ~350 bytes, twice (listing and details).
_PRESENT_SETS: dict[frozenset[Field], frozenset[Field]] = {}


def _present(payload: Mapping[str, Any], usage: Mapping[str, Any]) -> frozenset[Field]:
    """Return the fields this payload carries (null values included: the key is there)."""
    present = frozenset(
        field
        for field, keys in _FIELD_SOURCES.items()
        if any(key in payload for key in keys)
        or any(key in usage for key in _USAGE_SOURCES.get(field, ()))
    )
    return _PRESENT_SETS.setdefault(present, present)


# Which payload keys feed each field (for ``Thing.present``).
_FIELD_SOURCES: dict[Field, tuple[str, ...]] = {
    Field.STATE: ("State",),
    Field.IMEI: ("IMEI",),
    Field.IMSI: ("IMSI", "ActiveMobileSubscriber"),
    Field.MSISDN: ("MSISDN",),
    Field.IP_ADDRESS: ("IPs", "IPv4"),
    Field.APN: ("APNs",),
    Field.OPERATOR: ("MnoName",),
    Field.DATA_USED: (),
    Field.SMS_SENT: (),
    Field.LAST_DATA_ACTIVITY: ("Last_DATA_Time",),
    Field.LAST_NETWORK_REGISTRATION: ("LastLocationUpdateTime", "LastLocation"),
    Field.NETWORK: ("LastLocation",),
    Field.CELL_ID: ("LastLocation", "CellId"),
    Field.LOCATION: ("LastLocation", "LastAccuracyLocation", "Curr_Latitude"),
}
_USAGE_SOURCES: dict[Field, tuple[str, ...]] = {
    Field.DATA_USED: ("Data_",),
    Field.SMS_SENT: ("MO_SMS_CDR_",),
}


def parse_things(payload: object) -> list[Thing]:
    """Parse a ``GET /things`` page: a bare JSON array of thing objects.

    One unreadable item fails the page: skipping it would look as if that SIM had left the
    account, and its device would be removed.
    """
    if not isinstance(payload, list):
        raise MonogotoResponseError("Thing listing is not a JSON array")
    return [parse_thing(item) for item in payload]


def parse_statuses(payload: object) -> list[ThingStatus]:
    """Parse ``GET /thing/status``: ``{"Success": true, "Data": [...]}``."""
    if not isinstance(payload, Mapping) or not isinstance(payload.get("Data"), list):
        raise MonogotoResponseError("Status response lacks a Data array")
    if payload.get("Success") is False:
        raise MonogotoResponseError("Status request did not succeed")
    statuses: list[ThingStatus] = []
    for item in payload["Data"]:
        if not isinstance(item, Mapping) or not isinstance(item.get("ThingId"), str):
            raise MonogotoResponseError("Status item lacks a ThingId")
        connection = item.get("ConnectionStatus")
        statuses.append(
            ThingStatus(
                thing_id=item["ThingId"],
                connected=connection.strip().upper() == "CONNECTED"
                if isinstance(connection, str) and connection.strip()
                else None,
                last_connection=parse_timestamp(item.get("LastConnectionTime")),
            )
        )
    return statuses


def parse_events(payload: object) -> list[ThingEvent]:
    """Parse ``POST /thing/searchCDR``: ``{"totalResults": n, "hits": [{"_source": {...}}]}``."""
    if not isinstance(payload, Mapping) or not isinstance(payload.get("hits"), list):
        raise MonogotoResponseError("Event response lacks a hits array")
    events: list[ThingEvent] = []
    for hit in payload["hits"]:
        source = hit.get("_source") if isinstance(hit, Mapping) else None
        if not isinstance(source, Mapping):
            raise MonogotoResponseError("Event hit lacks _source")
        events.append(
            ThingEvent(
                timestamp=parse_timestamp(source.get("Timestamp")),
                data_type=_text(source.get("EsDataType")),
                message_type=_text(source.get("MessageType")),
                severity=_text(source.get("Severity")),
                message=_text(source.get("message")),
            )
        )
    return events


_SMS_ID = re.compile(r"[A-Za-z0-9_.:\-]{1,300}", re.ASCII)


def parse_sms_id(body: str) -> str:
    """Parse the answer to ``POST /thing/{id}/sms``: the SMS id, bare or JSON-quoted."""
    text = body.strip()
    if text.startswith('"'):
        try:
            decoded = json.loads(text)
        except ValueError:
            decoded = None
        text = decoded.strip() if isinstance(decoded, str) else ""
    elif text.startswith("{"):
        try:
            decoded = json.loads(text)
        except ValueError:
            decoded = None
        found = None
        if isinstance(decoded, Mapping):
            found = next(
                (
                    _text(decoded.get(key))
                    for key in ("SmsId", "smsId", "id", "Id", "Message")
                    if _text(decoded.get(key))
                ),
                None,
            )
        text = found or ""
    if not _SMS_ID.fullmatch(text):
        raise MonogotoResponseError("SMS response is not an SMS id")
    return text


def _percent(value: object) -> float | None:
    if isinstance(value, str):
        value = value.strip().removesuffix("%").strip()
    loss = _coordinate(value, 100)
    return abs(loss) if loss is not None else None


def parse_ping(payload: object) -> PingResult:
    """Parse the answer to ``POST /thing/{id}/ping``.

    Its shape: ``[{host, size, ttl, time, sent, received, packetLoss}]`` (one entry per probe
    or one summary), or a single such object.
    The counts come from the entries' ``sent``/``received`` when they carry them, else from
    the entries themselves (one per probe; answered when it has a ``time``).
    """
    if isinstance(payload, Mapping):
        payload = [payload]
    if not isinstance(payload, list) or not all(
        isinstance(item, Mapping) for item in payload
    ):
        raise MonogotoResponseError("Ping response is not a list of probes")
    times = tuple(
        float(t)
        for item in payload
        if (t := _coordinate(item.get("time"), math.inf)) is not None and t >= 0
    )
    sent_counts = [_count(item.get("sent")) for item in payload]
    received_counts = [_count(item.get("received")) for item in payload]
    sent = max((c for c in sent_counts if c is not None), default=len(payload))
    received = max((c for c in received_counts if c is not None), default=len(times))
    if sent == 0:
        raise MonogotoResponseError("Ping response has no probe")
    received = min(received, sent)
    losses = [
        loss
        for item in payload
        if (loss := _percent(item.get("packetLoss"))) is not None
    ]
    loss = losses[0] if losses else round(100 * (sent - received) / sent, 1)
    return PingResult(
        sent=sent, received=received, packet_loss=loss, round_trips_ms=times
    )
