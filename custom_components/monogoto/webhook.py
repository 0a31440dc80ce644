"""The entry's webhook: where the Monogoto Hub pushes CDRs and SMS (``push.py`` reads them).

One webhook per entry, registered at set-up unless the user turned real-time events off in the
options, and a cloudhook as well when Home Assistant Cloud is available. The webhook id is the
secret that guards it: it is never logged and diagnostics redact it. What arrives is capped in
size (413) and in rate per entry (429, answered at once, never waited on); an unreadable body
is answered 200, so the Hub does not retry it forever, counted by form and said once at INFO;
a SIM the entry does not know is ignored: a push never creates or removes a device.
"""

from __future__ import annotations

import asyncio
from http import HTTPStatus
import logging
import time
from typing import Any, Final

from aiohttp import web

from homeassistant.components import webhook
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.network import NoURLAvailableError
from homeassistant.util import dt as dt_util

from .const import CONF_CLOUDHOOK_URL, CONF_REALTIME_EVENTS, CONF_WEBHOOK_ID, DOMAIN
from .push import (
    PushEvent,
    SimIndex,
    event_details,
    event_kind,
    event_time,
    read_push_body,
)
from .runtime import MonogotoConfigEntry, MonogotoRuntime

_LOGGER = logging.getLogger(__name__)

#: The largest body read (a batch of some 2,000 CDRs); larger ones are refused with 413.
MAX_BODY: Final = 1024 * 1024
#: Events an entry takes at once, and per second after that; more are refused with 429.
BURST: Final = 2000
RATE_PER_SECOND: Final = 200.0
#: Events handled before letting the event loop run other work.
EVENTS_PER_SLICE: Final = 100


def realtime_enabled(entry: MonogotoConfigEntry) -> bool:
    """Return whether the user wants real-time events (on unless turned off)."""
    return bool(entry.options.get(CONF_REALTIME_EVENTS, True))


class TokenBucket:
    """A flood limit that never waits: it says whether there is room, at once."""

    def __init__(self, burst: float, rate: float) -> None:
        """Start full."""
        self.burst = burst
        self.rate = rate
        self._tokens = burst
        self._at = time.monotonic()

    def _refill(self) -> None:
        now = time.monotonic()
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
        self._at = now

    def has_room(self) -> bool:
        """Return whether anything may come in now."""
        self._refill()
        return self._tokens >= 1

    def take(self, count: int) -> None:
        """Take ``count`` tokens (a batch may borrow into the next seconds)."""
        self._refill()
        self._tokens -= count


class PushReceiver:
    """The webhook's handler for one entry, and what it counted (for diagnostics)."""

    def __init__(self, runtime: MonogotoRuntime) -> None:
        """Receive for the entry's known SIMs."""
        self.runtime = runtime
        self.push = runtime.push
        self.bucket = TokenBucket(BURST, RATE_PER_SECOND)
        self._index: SimIndex | None = None

    def _sims(self) -> SimIndex:
        """Return the index of the SIMs the latest listing knows (rebuilt when it changes)."""
        things = self.runtime.known_things()
        if self._index is None or self._index.things is not things:
            self._index = SimIndex(things)
        return self._index

    async def handle(
        self, hass: HomeAssistant, webhook_id: str, request: web.Request
    ) -> web.Response:
        """Read a push: refuse what is too large or too much, never fail on its content."""
        if not self.bucket.has_room():
            self.push.counts["rate_limited"] += 1
            return web.Response(status=HTTPStatus.TOO_MANY_REQUESTS)
        body = await _read_capped(request)
        if body is None:
            self.push.counts["too_large"] += 1
            return web.Response(status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        self.push.counts["requests"] += 1
        records, form = read_push_body(body)
        self.bucket.take(max(1, len(records)))
        if not records:
            self._note_unreadable(form)
        for start in range(0, len(records), EVENTS_PER_SLICE):
            if start:
                await asyncio.sleep(0)
            for record in records[start : start + EVENTS_PER_SLICE]:
                self._deliver(record, form)
        return web.Response(status=HTTPStatus.OK)

    def _deliver(self, record: dict[str, Any], form: str) -> None:
        sims = self._sims()
        thing_id = sims.find(record)
        if thing_id is None:
            self.push.counts["unknown_sim"] += 1
            return
        kind = event_kind(record, sims.things[thing_id])
        if kind is None:
            self._note_unreadable(f"{form} without an event type")
            return
        self.push.counts[kind.value] += 1
        self.push.deliver(
            PushEvent(
                thing_id,
                kind,
                event_time(record, dt_util.utcnow()),
                event_details(record, kind),
            )
        )

    def _note_unreadable(self, form: str) -> None:
        """Count the form; say it once (the form only: nothing of the content)."""
        if not self.push.unreadable[form]:
            _LOGGER.info(
                "A push to the Monogoto webhook could not be read (%s); answered 200 and"
                " counted in the diagnostics",
                form,
            )
        self.push.unreadable[form] += 1


async def _read_capped(request: web.Request) -> bytes | None:
    """Return the body, or None when it is larger than ``MAX_BODY`` (read no further)."""
    if (request.content_length or 0) > MAX_BODY:
        return None
    body = bytearray()
    while chunk := await request.content.read(MAX_BODY + 1 - len(body)):
        body += chunk
        if len(body) > MAX_BODY:
            return None
    return bytes(body)


async def async_setup_webhook(
    hass: HomeAssistant, entry: MonogotoConfigEntry, runtime: MonogotoRuntime
) -> None:
    """Register the entry's webhook (and cloudhook), or drop the cloudhook when turned off.

    The id is made once, even while turned off, so the options always show the URL.
    """
    webhook_id = entry.data.get(CONF_WEBHOOK_ID)
    if not webhook_id:
        webhook_id = webhook.async_generate_id()
        hass.config_entries.async_update_entry(
            entry, data={**entry.data, CONF_WEBHOOK_ID: webhook_id}
        )
    if not realtime_enabled(entry):
        await async_remove_cloudhook(hass, entry)
        return
    webhook.async_register(
        hass,
        DOMAIN,
        "Monogoto",
        webhook_id,
        PushReceiver(runtime).handle,
        allowed_methods=("POST", "PUT"),
    )
    runtime.push.enabled = True

    @callback
    def unregister() -> None:
        runtime.push.enabled = False
        webhook.async_unregister(hass, webhook_id)

    entry.async_on_unload(unregister)
    await _async_create_cloudhook(hass, entry, webhook_id)


async def _async_create_cloudhook(
    hass: HomeAssistant, entry: MonogotoConfigEntry, webhook_id: str
) -> None:
    """Add a cloudhook where Home Assistant Cloud is available (as core integrations do)."""
    if CONF_CLOUDHOOK_URL in entry.data or "cloud" not in hass.config.components:
        return
    from homeassistant.components import cloud  # noqa: PLC0415 - only with Cloud loaded

    if not cloud.async_active_subscription(hass):
        return
    try:
        url = await cloud.async_create_cloudhook(hass, webhook_id)
    except cloud.CloudNotAvailable, cloud.CloudNotConnected:
        _LOGGER.debug("Home Assistant Cloud is not connected: no cloudhook yet")
        return
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, CONF_CLOUDHOOK_URL: url}
    )


async def async_remove_cloudhook(
    hass: HomeAssistant, entry: MonogotoConfigEntry
) -> None:
    """Delete the entry's cloudhook, if it has one (turned off, or the entry removed)."""
    if CONF_CLOUDHOOK_URL not in entry.data or "cloud" not in hass.config.components:
        return
    from homeassistant.components import cloud  # noqa: PLC0415 - only with Cloud loaded

    try:
        await cloud.async_delete_cloudhook(hass, entry.data[CONF_WEBHOOK_ID])
    except cloud.CloudNotAvailable:
        _LOGGER.debug("Home Assistant Cloud is not available: cloudhook kept")
        return
    data = {k: v for k, v in entry.data.items() if k != CONF_CLOUDHOOK_URL}
    hass.config_entries.async_update_entry(entry, data=data)


def webhook_url(hass: HomeAssistant, entry: MonogotoConfigEntry) -> str:
    """Return the URL to paste into the Hub: the cloudhook, else this instance's URL."""
    if url := entry.data.get(CONF_CLOUDHOOK_URL):
        return str(url)
    webhook_id = str(entry.data[CONF_WEBHOOK_ID])
    try:
        return webhook.async_generate_url(hass, webhook_id)
    except NoURLAvailableError:
        return webhook.async_generate_path(webhook_id)
