"""Things: a listing page and ``GET /thing/{id}``, read by the rules of ``reader.py``.

The real 2025 payload differs from the documented schema (``IPs[]`` vs ``IPv4``, usage per
subscriber, epoch ms next to date strings); every spelling seen is read, and ``Thing.present``
records which fields a payload carried at all, so the integration can tell "the console does
not send this" from "this SIM has none".
"""

from __future__ import annotations

import re
from typing import Any, Final

from .exceptions import MonogotoResponseError
from .models import THING_ID_PREFIX, Field, ImeiLock, Location, Thing
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

STATE_WORD: Final = re.compile(r"^[A-Z][A-Z0-9_]{0,63}$", re.ASCII)
_MCC: Final = re.compile(r"^\d{3}$", re.ASCII)
_MNC: Final = re.compile(r"^\d{2,3}$", re.ASCII)


def state_word(value: Any) -> str | None:
    """Return a state word (upper-cased, unknown words kept) from any single-value form."""
    word = single(value, prefer=("state", "status"))
    if word is None:
        return None
    word = word.upper()
    return word if STATE_WORD.fullmatch(word) else None


def parse_things(body: str) -> list[Thing]:
    """Parse one page of ``GET /things`` (an array of things, enveloped or not)."""
    return read_things(decode(body))


def read_things(payload: Any, unread: set[str] | None = None) -> list[Thing]:
    """Return a listing page's things.

    One unreadable item fails the page: skipping it would look as if that SIM had left the
    account, and its device would be removed.
    """
    items = listed(payload, "thingid")
    if items is None:
        raise MonogotoResponseError("Thing listing is not a list of things")
    return [read_thing(item, unread) for item in items]


def parse_thing(body: str) -> Thing:
    """Parse ``GET /thing/{id}``: one thing object (enveloped or not)."""
    return read_thing(decode(body))


def _thing_node(payload: Any, unread: set[str] | None) -> tuple[Node, str]:
    """Return a thing object's node and its ``ThingId`` (text), or raise."""
    value = unwrap(payload, dict, "thingid")
    if not isinstance(value, dict):
        raise MonogotoResponseError("Thing is not a JSON object")
    node = Node(value, unread)
    raw_id = node.get("thingid")
    thing_id = text(raw_id) if isinstance(raw_id, str) else None
    if not thing_id:
        raise MonogotoResponseError("Thing lacks a ThingId")
    return node, thing_id


def read_imei_lock(payload: Any, unread: set[str] | None = None) -> ImeiLock:
    """Return what ``GET /thing/{id}`` says of the IMEI lock; it must carry the ``cas``.

    The ``cas`` is kept as the text it came as (a number may have lost digits in JSON: the
    console then refuses it as stale, and the write is retried after a new read).
    """
    node, _ = _thing_node(payload, unread)
    raw_cas = node.get("cas")
    readable = isinstance(raw_cas, str | int) and not isinstance(raw_cas, bool)
    cas = str(raw_cas).strip() if readable else None
    if not cas:
        raise MonogotoResponseError("Thing lacks its cas")
    return ImeiLock(
        cas=cas,
        locked=node.read("lockmasterimei", flag),
        master_imei=node.read("masterimei", text),
        imei=node.read("imei", text),
    )


def read_thing(payload: Any, unread: set[str] | None = None) -> Thing:
    """Return one thing; it must at least carry a ``ThingId`` (text)."""
    node, thing_id = _thing_node(payload, unread)
    usage = node.node("actualusage")
    where = node.node("lastlocation")
    registered = node.read("lastlocationupdatetime", timestamp)
    if registered is None and where is not None:
        registered = where.read("timestamp", timestamp)
    return Thing(
        thing_id=thing_id,
        iccid=_iccid(node, thing_id),
        name=node.read("thingname", text),
        state=node.read("state", state_word),
        imei=node.read("imei", text),
        master_imei=node.read("masterimei", text),
        imei_locked=node.read("lockmasterimei", flag),
        imsi=node.read("imsi", text) or node.read("activemobilesubscriber", text),
        msisdn=node.read("msisdn", text),
        ip_address=node.first("ips", "ip", text) or node.read("ipv4", text),
        apn=node.first("apns", "name", text),
        operator=node.read("mnoname", text),
        data_used=usage.read("data", count) if usage else None,
        sms_sent=usage.read("mosmscdr", count) if usage else None,
        last_data_activity=node.read("lastdatatime", timestamp),
        last_network_registration=registered,
        network=_network(where) if where else None,
        cell_id=(where.read("cellid", text) if where else None)
        or node.read("cellid", text),
        location=_location(node, where),
        present=_present(node, usage),
    )


def _iccid(node: Node, thing_id: str) -> str | None:
    """Return the ICCID: the external id when it is one, else the tail of the thing id."""
    kind = node.get("externaluniquetype") if node.has("externaluniquetype") else "ICCID"
    is_iccid = (single(kind) or "").upper() == "ICCID"
    iccid = node.read("externaluniqueid", text) if is_iccid else None
    if iccid is None and thing_id.startswith(THING_ID_PREFIX):
        iccid = thing_id.removeprefix(THING_ID_PREFIX) or None
    return iccid


def _network(where: Node) -> str | None:
    """Return ``"MCC-MNC"`` of the serving network; None unless both codes are well formed."""
    mcc, mnc = where.read("mcc", text), where.read("mnc", text)
    if mcc and mnc and _MCC.match(mcc) and _MNC.match(mnc):
        return f"{mcc}-{mnc}"
    return None


def _location(node: Node, where: Node | None) -> Location | None:
    """Return the first place that has both coordinates.

    Looked for in ``LastLocation`` (the documented schema), ``LastAccuracyLocation``, then
    ``Curr_Latitude``/``Curr_Longitude``. ``Latitude``/``Longitude`` at the top level are the
    geofence's centre, not the SIM's place. A 0/0 pair is the documented schema's placeholder.
    """
    candidates = (
        (where, "latitude", "longitude"),
        ("lastaccuracylocation", "latitude", "longitude"),
        (node, "currlatitude", "currlongitude"),
    )
    for place, lat_key, lon_key in candidates:
        # An object of its own (often empty) is read only when it has something.
        source = (
            (node.node(place) if node.get(place) else None)
            if isinstance(place, str)
            else place
        )
        if source is None or source.get(lat_key) is None:
            continue
        latitude = number(source.get(lat_key), 90)
        longitude = number(source.get(lon_key), 180)
        if latitude is None or longitude is None or latitude == longitude == 0:
            continue
        accuracy = number(source.get("accuracyinkm"))
        return Location(
            latitude=latitude,
            longitude=longitude,
            accuracy_km=abs(accuracy) if accuracy is not None else None,
            timestamp=source.read("timestamp", timestamp),
        )
    return None


#: Which keys (normalised) feed each field, for ``Thing.present``; usage keys apart.
_FIELD_SOURCES: Final[dict[Field, tuple[str, ...]]] = {
    Field.STATE: ("state",),
    Field.IMEI: ("imei",),
    Field.IMEI_LOCK: ("lockmasterimei",),
    Field.IMSI: ("imsi", "activemobilesubscriber"),
    Field.MSISDN: ("msisdn",),
    Field.IP_ADDRESS: ("ips", "ipv4"),
    Field.APN: ("apns",),
    Field.OPERATOR: ("mnoname",),
    Field.LAST_DATA_ACTIVITY: ("lastdatatime",),
    Field.LAST_NETWORK_REGISTRATION: ("lastlocationupdatetime", "lastlocation"),
    Field.NETWORK: ("lastlocation",),
    Field.CELL_ID: ("lastlocation", "cellid"),
    Field.LOCATION: ("lastlocation", "lastaccuracylocation", "currlatitude"),
}
_USAGE_SOURCES: Final = {Field.DATA_USED: "data", Field.SMS_SENT: "mosmscdr"}
#: One frozenset per combination of present fields, shared by every SIM that has it, and the
#: combination of each pair of key layouts (thing, usage) seen: SIMs described alike share both.
_PRESENT_SETS: dict[frozenset[Field], frozenset[Field]] = {}
_PRESENT_BY_LAYOUT: dict[tuple[int, int], tuple[object, object, frozenset[Field]]] = {}


def _present(node: Node, usage: Node | None) -> frozenset[Field]:
    """Return the fields this thing carries (null values included: the key is there)."""
    keys, usage_keys = node.keys, usage.keys if usage else None
    layout = (id(keys), id(usage_keys))
    known = _PRESENT_BY_LAYOUT.get(layout)
    if known is not None and known[0] is keys and known[1] is usage_keys:
        return known[2]
    fields = {f for f, names in _FIELD_SOURCES.items() if any(n in keys for n in names)}
    if usage_keys is not None:
        fields |= {f for f, name in _USAGE_SOURCES.items() if name in usage_keys}
    present = _PRESENT_SETS.setdefault(frozenset(fields), frozenset(fields))
    if len(_PRESENT_BY_LAYOUT) > 512:
        _PRESENT_BY_LAYOUT.clear()
    _PRESENT_BY_LAYOUT[layout] = (keys, usage_keys, present)
    return present


#: Facts with several spellings, by their keys (normalised) and the names the profile shows.
_ADDRESS_KEYS: Final = (("ips", "IPs"), ("ipv4", "IPv4"))
_TIME_KEYS: Final = (
    ("lastdatatime", "Last_DATA_Time"),
    ("lastlocationupdatetime", "LastLocationUpdateTime"),
)


def spellings(payload: Any) -> set[str]:
    """Return how a listing's first thing spells the facts that have several spellings.

    Keys are matched by the reading rules, so a re-cased key is the same spelling; the forms
    (``epoch ms``, ``digits``, ``date string``) are what the profile records, never values.
    """
    items = listed(payload, "thingid")
    if not items or not isinstance(items[0], dict):
        return set()
    node = Node(items[0])
    found = {f"address as {name}" for k, name in _ADDRESS_KEYS if node.has(k)}
    for k, name in _TIME_KEYS:
        value = node.get(k)
        if isinstance(value, bool) or value is None:
            continue
        kind = "epoch ms" if isinstance(value, int | float) else type(value).__name__
        if isinstance(value, str):
            kind = "digits" if value.strip().isdigit() else "date string"
        found.add(f"{name} as {kind}")
    return found
