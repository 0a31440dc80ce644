"""What the user does to a SIM (set its state or IMEI lock, text it, ping it, reset it, read its events), shared by entities and actions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, Final

from homeassistant.core import callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.event import async_call_later

from .api import (
    MonogotoConflictError,
    MonogotoError,
    PingResult,
    Thing,
    ThingEvent,
    ThingState,
)
from .const import DOMAIN, LOGGER
from .errors import translate_errors
from .runtime import MonogotoRuntime
from .sms import check_sms

#: After a connection reset, the SIM's status is read again this many seconds later: long
#: enough for the device to attach anew, short enough for the user to see it did.
RESET_CONFIRM_DELAY: Final = 60.0
#: Writes of an IMEI lock retried after one refused for a stale ``cas``, each after a new read.
LOCK_RETRIES: Final = 1


@translate_errors
async def async_set_sim_state(
    runtime: MonogotoRuntime, thing_id: str, state: ThingState
) -> None:
    """Write a SIM's state, re-read it, and update its entities without a full refresh.

    The write is what counts: when it was accepted but the re-read fails, the SIM shows
    the state it was given, and the next listing confirms it.
    """
    await runtime.client.set_thing_state(thing_id, state)
    try:
        new_state = await runtime.client.get_thing_state(thing_id)
    except MonogotoError as err:
        LOGGER.debug("Re-reading a written state failed: %s", type(err).__name__)
        new_state = str(state)
    _show(runtime, thing_id, lambda thing: thing.with_state(new_state))


@translate_errors
async def async_set_imei_lock(
    runtime: MonogotoRuntime, thing_id: str, name: str, *, locked: bool
) -> None:
    """Lock a SIM to its device's IMEI (the ``MasterIMEI`` set, else the one it is in), or unlock it.

    The console guards the write with the thing's ``cas``: the thing is read first, and a stale
    ``cas`` (the thing changed meanwhile) is read anew and the write retried once. The SIM
    then shows what a last read says, like the SIM-active switch.
    """
    for attempt in range(LOCK_RETRIES + 1):
        current = await runtime.client.get_imei_lock(thing_id)
        imei = current.master_imei or current.imei
        if locked and not imei:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="imei_lock_no_imei",
                translation_placeholders={"device": name},
            )
        try:
            await runtime.client.set_imei_lock(
                thing_id, current.cas, locked=locked, master_imei=imei
            )
            break
        except MonogotoConflictError:
            if attempt == LOCK_RETRIES:
                raise
    written = replace(current, locked=locked, master_imei=imei)
    try:
        lock = await runtime.client.get_imei_lock(thing_id)
    except MonogotoError as err:
        LOGGER.debug("Re-reading a written lock failed: %s", type(err).__name__)
        lock = written
    _show(runtime, thing_id, lambda thing: thing.with_imei_lock(lock))


def _show(
    runtime: MonogotoRuntime, thing_id: str, change: Callable[[Thing], Thing]
) -> None:
    """Show a SIM as ``change`` makes it at once, without a full refresh."""
    things = dict(runtime.known_things())
    if thing_id in things:
        things[thing_id] = change(things[thing_id])
        runtime.things.async_set_updated_data(things)


@translate_errors
async def async_send_sms(
    runtime: MonogotoRuntime, thing_id: str, message: str, sender: str | None = None
) -> str:
    """Check and send an SMS to a SIM; return the console's SMS id."""
    check_sms(message, sender)
    return await runtime.client.send_sms(
        thing_id, message, sender.strip() if sender else None
    )


@translate_errors
async def async_ping(runtime: MonogotoRuntime, thing_id: str, name: str) -> PingResult:
    """Ping the device behind a SIM at its current address.

    A SIM without an address, or without a data session, cannot answer: it is refused
    (translated) before any request.
    """
    address = runtime.thing(thing_id).ip_address
    if not address:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="ping_no_ip",
            translation_placeholders={"device": name},
        )
    status = (runtime.statuses.data or {}).get(thing_id)
    if status is None or status.connected is not True:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="ping_offline",
            translation_placeholders={"device": name},
        )
    return await runtime.client.ping(thing_id, address)


@translate_errors
async def async_reset_connection(runtime: MonogotoRuntime, thing_id: str) -> None:
    """Make the SIM attach anew; read its status again once it had time to."""
    await runtime.client.refresh_connection(thing_id)
    statuses = runtime.statuses

    @callback
    def confirm(_now: Any) -> None:
        runtime.entry.async_create_background_task(
            runtime.hass,
            statuses.async_read_now([thing_id]),
            f"{statuses.name} after a reset",
        )

    runtime.entry.async_on_unload(
        async_call_later(runtime.hass, RESET_CONFIRM_DELAY, confirm)
    )


@translate_errors
async def async_get_events(
    runtime: MonogotoRuntime, thing_id: str, limit: int
) -> list[ThingEvent]:
    """Return a SIM's most recent events (newest first, as the console gives them)."""
    return await runtime.client.search_events(thing_id, limit)
