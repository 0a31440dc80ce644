"""What the user does to a SIM (set its state, text it, ping it, reset it, read its events), shared by entities and actions."""

from __future__ import annotations

from typing import Any, Final

from homeassistant.core import callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.event import async_call_later

from .api import MonogotoError, PingResult, ThingEvent, ThingState
from .const import DOMAIN, LOGGER
from .errors import translate_errors
from .runtime import MonogotoRuntime
from .sms import check_sms

#: After a connection reset, the SIM's status is read again this many seconds later: long
#: enough for the device to attach anew, short enough for the user to see it did.
RESET_CONFIRM_DELAY: Final = 60.0


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
    things = dict(runtime.known_things())
    if thing_id in things:
        things[thing_id] = things[thing_id].with_state(new_state)
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
