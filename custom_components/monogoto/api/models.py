"""Frozen models of what the Monogoto console answers: dataclasses only.

``parsers.py`` builds them from the console's answers, by the rules of ``reader.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
import hashlib

THING_ID_PREFIX = "ThingId_ICCID_"


class Field(StrEnum):
    """The facts a ``Thing`` may carry besides its id; each names the attribute that holds it.

    ``Thing.present`` records which of them a payload carried at all (even as null), so the
    integration can tell "the console does not send this" from "this SIM has none".
    """

    STATE = "state"
    IMEI = "imei"
    #: Whether the SIM is locked to its ``MasterIMEI`` (``LockMasterImei``), and that IMEI.
    IMEI_LOCK = "imei_lock"
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
    #: The IMEI the console locks the SIM to, when ``imei_locked`` (a secret, as the IMEI).
    master_imei: str | None = None
    imei_locked: bool | None = None
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

    def with_imei_lock(self, lock: ImeiLock) -> Thing:
        """Return a copy with the lock a read (or a write) of the thing gave."""
        return replace(
            self,
            imei_locked=lock.locked,
            master_imei=lock.master_imei,
            present=self.present | {Field.IMEI_LOCK},
        )

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
class ImeiLock:
    """What ``PUT /thing/update/`` needs of a thing, read just before: its lock and its ``cas``."""

    #: The thing's version: the console refuses a write that carries an older one.
    cas: str
    locked: bool | None
    master_imei: str | None = None
    #: The IMEI of the device the SIM is in now.
    imei: str | None = None

    def __repr__(self) -> str:
        """Return a log-safe representation (no IMEI in it)."""
        return f"ImeiLock(locked={self.locked})"


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
