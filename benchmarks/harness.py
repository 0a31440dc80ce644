"""Shared pieces of the benchmark: a virtual clock, a counting budget, Home Assistant set-up.

Home Assistant runs through ``pytest_homeassistant_custom_component.common``'s
``async_test_home_assistant``: the real ``HomeAssistant`` core, state machine, entity platforms
and registries (kept in memory), without pytest. The integration is set up through its real
``async_setup_entry``; only the client's request budget (and, for the simulated hour, its clock)
is swapped for the benchmark's.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, contextmanager
import logging
import time
from typing import Any
from unittest.mock import patch

from aiohttp.resolver import ThreadedResolver

from custom_components.monogoto.api import MonogotoClient, RequestBudget
from homeassistant import loader
from homeassistant.const import EVENT_STATE_CHANGED, EVENT_STATE_REPORTED
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.storage import Store
from tests.simulator import DEMO_PASSWORD, DEMO_USERNAME

DOMAIN = "monogoto"
#: Budget of the "budget lifted" runs: large enough never to make a request wait.
UNBOUNDED = 10**9


class VirtualClock:
    """A monotonic clock that can jump: ``sleep`` moves it instead of waiting.

    ``real=True``: virtual time = real monotonic time + the jumps (requests still take their
    real time; only the budget's waits are skipped, and counted in ``waited``).
    ``real=False``: time moves only by jumps (the simulated hour).

    ``settle`` (optional) is awaited before each jump: the simulated hour uses it to let every
    request already charged to the budget reach the simulator first, so the simulator stamps
    it with the time it was sent at, not with a time after the jump.
    """

    def __init__(
        self,
        *,
        real: bool,
        start: float = 0.0,
        settle: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        """Start the clock at ``start`` (plus real time when ``real``)."""
        self._real = real
        self._base = time.monotonic() if real else 0.0
        self.offset = start
        self.waited = 0.0
        self.settle = settle

    def __call__(self) -> float:
        """Return the current virtual time in seconds."""
        real = time.monotonic() - self._base if self._real else 0.0
        return real + self.offset

    def advance(self, seconds: float) -> None:
        """Jump forward (time passing between polls)."""
        self.offset += max(0.0, seconds)

    async def sleep(self, seconds: float) -> None:
        """Stand-in for ``asyncio.sleep`` in a ``RequestBudget``: jump instead of waiting."""
        if self.settle is not None:
            await self.settle()
        seconds = max(0.0, seconds)
        self.offset += seconds
        self.waited += seconds
        await asyncio.sleep(0)


class CountingBudget(RequestBudget):
    """A ``RequestBudget`` that also counts every request it let through."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Create the budget; ``granted`` counts acquisitions."""
        super().__init__(*args, **kwargs)
        self.granted = 0

    async def acquire(self) -> None:
        """Wait for room in the window, then count the request."""
        await super().acquire()
        self.granted += 1


@asynccontextmanager
async def home_assistant() -> AsyncIterator[HomeAssistant]:
    """Yield a Home Assistant instance that loads ``custom_components/monogoto``."""
    from pytest_homeassistant_custom_component.common import async_test_home_assistant  # noqa: PLC0415

    logging.getLogger("homeassistant.loader").setLevel(logging.ERROR)
    with (
        patch(
            # The test harness's stand-in for the zeroconf resolver (loopback needs no DNS).
            "homeassistant.helpers.aiohttp_client._async_make_resolver",
            return_value=_Resolver(),
        ),
        # Registries are not persisted: their delayed saves (10 s after a change, 12 MB of
        # JSON for 5,000 devices) would otherwise land in whichever refresh is being measured.
        patch.object(Store, "async_delay_save", lambda *args, **kwargs: None),
    ):
        async with async_test_home_assistant() as hass:
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
            try:
                yield hass
            finally:
                await hass.async_stop(force=True)


class _Resolver(ThreadedResolver):
    async def real_close(self) -> None:
        await self.close()


async def setup_entry(
    hass: HomeAssistant,
    url: str,
    *,
    budget: RequestBudget,
    login_budget: RequestBudget | None = None,
    clock: Callable[[], float] | None = None,
    platforms: list[str] | None = None,
) -> Any:
    """Add and set up a config entry for the simulator's demo account; return the entry."""
    from pytest_homeassistant_custom_component.common import MockConfigEntry  # noqa: PLC0415

    def make_client(*args: Any, **kwargs: Any) -> MonogotoClient:
        kwargs["budget"] = budget
        if login_budget is not None:
            kwargs["login_budget"] = login_budget
        if clock is not None:
            kwargs["clock"] = clock
        return MonogotoClient(*args, **kwargs)

    entry = MockConfigEntry(
        domain=DOMAIN,
        title=DEMO_USERNAME,
        unique_id="cid_benchmark",
        data={"username": DEMO_USERNAME, "password": DEMO_PASSWORD, "url": url},
    )
    entry.add_to_hass(hass)
    with (
        patch("custom_components.monogoto.MonogotoClient", make_client),
        _maybe_platforms(platforms),
    ):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    return entry


@contextmanager
def _maybe_platforms(platforms: list[str] | None) -> Any:
    if platforms is None:
        yield
        return
    with patch("custom_components.monogoto.PLATFORMS", platforms):
        yield


class WriteCounter:
    """Counts entity state writes and the state machine's events while it is active."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Listen to the bus; ``counts`` holds writes, state_changed, state_reported."""
        self.counts: Counter[str] = Counter()
        self._hass = hass

    @contextmanager
    def counting(self) -> Any:
        """Count while inside the block."""
        counts = self.counts
        original = Entity.async_write_ha_state

        def write(entity: Entity) -> None:
            counts["writes"] += 1
            original(entity)

        @callback
        def changed(event: Event[Any]) -> None:
            counts["state_changed"] += 1

        @callback
        def reported(event_data: Any) -> bool:
            # Home Assistant only lets state_reported be watched through an event filter.
            counts["state_reported"] += 1
            return False

        unsub = [
            self._hass.bus.async_listen(EVENT_STATE_CHANGED, changed),
            self._hass.bus.async_listen(
                EVENT_STATE_REPORTED, changed, event_filter=reported
            ),
        ]
        try:
            with patch.object(Entity, "async_write_ha_state", write):
                yield
        finally:
            for remove in unsub:
                remove()
