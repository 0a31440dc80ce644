"""What the Monogoto Hub pushes to a webhook, built from a simulated SIM.

Three documented kinds (``monogoto-api.md`` §1.12 in the project's research): a Webhook
integration's Data CDR (``CdrType`` DATA) and SMS CDR (MO_SMS sent by the SIM, MT_SMS received),
and the "Incoming & outgoing SMS" integration's event with the text (``Time, ICCID, IMSI, IMEI,
From, To, Message``). The field lists are truncated in the documentation; the volume and time
fields here are our guesses, which the receiver must not depend on.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
import ipaddress
import itertools
import random
from typing import Any, Final

import aiohttp
from aiohttp import web
from yarl import URL

KINDS: Final = ("data_cdr", "mo_sms_cdr", "mt_sms_cdr", "incoming_sms")
#: The sender of the SMS the simulator makes up (a short code, not a subscriber's number).
SENDER: Final = "+4420"
_serial = itertools.count(1)


def luhn_digit(digits: str) -> str:
    """Return the check digit a modem appends to a 19-digit ICCID."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


def _common(thing: Mapping[str, Any]) -> dict[str, Any]:
    location = thing.get("LastLocation") or {}
    return {
        "UniqueID": f"cdr-{next(_serial):08d}",
        "Iccid": thing["ExternalUniqueId"],
        "IMSI": thing["IMSI"],
        "MSISDN": thing["MSISDN"],
        "IMEI": thing["IMEI"],
        "MNO": thing.get("MnoName"),
        "MnoName": thing.get("MnoName"),
        "MCC": location.get("MCC"),
        "MNC": location.get("MNC"),
        "ThingName": thing.get("ThingName"),
        "ThingId": thing["ThingId"],
    }


def data_cdr(thing: Mapping[str, Any], volume: int = 48_213) -> dict[str, Any]:
    """Return a Data CDR of the SIM (a data session, ``volume`` bytes)."""
    return {"CdrType": "DATA", **_common(thing), "TotalBytes": volume}


def sms_cdr(thing: Mapping[str, Any], *, sent: bool) -> dict[str, Any]:
    """Return an SMS CDR: MO_SMS for an SMS the SIM sent, MT_SMS for one it received."""
    own, other = thing["MSISDN"], SENDER
    return {
        "CdrType": "MO_SMS" if sent else "MT_SMS",
        **_common(thing),
        "CallingNumber": own if sent else other,
        "CalledNumber": other if sent else own,
    }


def incoming_sms(
    thing: Mapping[str, Any], message: str, *, check_digit: bool = False
) -> dict[str, Any]:
    """Return the SMS integration's event for an SMS the SIM received, with its text.

    ``check_digit`` adds the Luhn digit to the ICCID, as a device reports it (20 digits).
    """
    iccid = thing["ExternalUniqueId"]
    return {
        "Time": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        "ICCID": iccid + luhn_digit(iccid) if check_digit else iccid,
        "IMSI": thing["IMSI"],
        "IMEI": thing["IMEI"],
        "From": SENDER,
        "To": thing["MSISDN"],
        "Message": message,
    }


def payload(kind: str, thing: Mapping[str, Any], message: str) -> dict[str, Any]:
    """Return one of the ``KINDS`` for the SIM."""
    if kind == "data_cdr":
        return data_cdr(thing)
    if kind in ("mo_sms_cdr", "mt_sms_cdr"):
        return sms_cdr(thing, sent=kind == "mo_sms_cdr")
    return incoming_sms(thing, message)


async def post(
    session: aiohttp.ClientSession, url: str, body: Any, *, form: bool = False
) -> int:
    """Post a payload (or a batch: a list) as the Hub would; return the HTTP status."""
    kwargs: dict[str, Any] = {"data": body} if form else {"json": body}
    async with session.post(url, timeout=aiohttp.ClientTimeout(10), **kwargs) as resp:
        return resp.status


#: What the simulator's SIMs "say" when it pushes an incoming SMS without a given text.
MESSAGES: Final = ("SOS", "BAT LOW 11%", "STATUS OK", "SERVER,0,tracker.example,5013")


async def handle_push_request(
    things: Mapping[str, Mapping[str, Any]], request: web.Request
) -> web.Response:
    """``POST /_sim/push``: push events of a SIM to a Home Assistant webhook on loopback.

    Body (JSON): ``url`` (the webhook URL, loopback only), optionally ``thing_id`` (else a
    random SIM), ``kind`` (one of ``KINDS``, else random), ``message``, ``count`` (events in
    one batch, default 1). Answers what was pushed and Home Assistant's HTTP status.
    """
    spec = await request.json()
    url = URL(str(spec.get("url", "")))
    if url.host is None or not _is_loopback(url.host):
        return web.json_response({"error": "url must be on loopback"}, status=400)
    rnd = random.Random()
    thing_id = spec.get("thing_id") or rnd.choice(list(things))
    if thing_id not in things:
        return web.json_response({"error": "unknown thing_id"}, status=404)
    kind = spec.get("kind") or rnd.choice(KINDS)
    if kind not in KINDS:
        return web.json_response({"error": f"kind must be one of {KINDS}"}, status=400)
    message = spec.get("message") or rnd.choice(MESSAGES)
    count = int(spec.get("count", 1))
    bodies = [payload(kind, things[thing_id], message) for _ in range(count)]
    async with aiohttp.ClientSession() as session:
        status = await post(session, str(url), bodies[0] if count == 1 else bodies)
    return web.json_response(
        {"thing_id": thing_id, "kind": kind, "count": count, "status": status}
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
