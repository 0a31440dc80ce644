"""One measurement, in a process of its own (``benchmarks.polling`` starts these).

``python -m benchmarks.worker poll --url URL --n N ...`` sets the integration up in Home
Assistant against the simulator process at URL holding N SIMs and measures refreshes in the
modes asked for; ``python -m benchmarks.worker hour --n N ...`` simulates an hour of polling in
the fallback mode (listing without ``State``) against an in-process, rate-limiting simulator on
a virtual clock. Each prints one JSON line on standard output.

A fresh process per measurement keeps the figures apart: peak memory, garbage-collector state
and Home Assistant's registries do not carry over from one size to the next.
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter, deque
from collections.abc import Awaitable, Callable
import contextlib
from datetime import UTC, datetime
import gc
import json
import logging
import math
import statistics
import sys
import time
import tracemalloc
from typing import Any
from unittest.mock import patch

import aiohttp
from aiohttp import web

from custom_components.monogoto.api import PAGE_SIZE, MonogotoClient, RequestBudget
from custom_components.monogoto.coordinator import (
    STATUS_INTERVAL,
    MonogotoCoordinator,
    MonogotoData,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util import dt as dt_util
from tests.simulator import DEMO_PASSWORD, DEMO_USERNAME, MonogotoSimulator

from .harness import (
    UNBOUNDED,
    CountingBudget,
    VirtualClock,
    WriteCounter,
    home_assistant,
    setup_entry,
)

#: The product's budget (decision 3): 60 requests and 5 logins in any 60 seconds.
BUDGET = (60, 60.0)
LOGIN_BUDGET = (5, 60.0)
SIMULATED_HOUR = 3600.0


class _LogCounter(logging.Handler):
    """Counts log records whose message contains one of some words."""

    def __init__(self, *words: str) -> None:
        super().__init__(logging.WARNING)
        self.words = words
        self.hits: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        for word in self.words:
            if word in message:
                self.hits[word] += 1


# -- the simulator process, driven over HTTP -------------------------------------------------


class SimControl:
    """Talks to ``benchmarks.simserver``'s control routes."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        """Use ``session`` to reach the simulator at ``url``."""
        self._session = session
        self.url = url

    async def reset(self, things: int, latency: float, *, listing_state: bool) -> None:
        """Regenerate the account and zero the counters."""
        async with self._session.post(
            f"{self.url}/_sim/bench/reset",
            json={
                "things": things,
                "latency": latency,
                "listing_includes_state": listing_state,
            },
        ) as resp:
            resp.raise_for_status()

    async def set_latency(self, latency: float) -> None:
        """Change the latency only."""
        async with self._session.post(
            f"{self.url}/_sim/bench/latency", json={"latency": latency}
        ) as resp:
            resp.raise_for_status()

    async def requests(self) -> Counter[str]:
        """Return the request counters by endpoint."""
        async with self._session.get(f"{self.url}/_sim/bench/requests") as resp:
            return Counter(await resp.json())


# -- one refresh -----------------------------------------------------------------------------


class LoopStallMeter:
    """Measures the longest time the event loop went without running a 1 ms ticker."""

    def __init__(self) -> None:
        """Not started yet."""
        self.longest = 0.0
        self._last = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            self.longest = max(self.longest, now - self._last - 0.001)
            self._last = now

    def start(self) -> None:
        """Start ticking."""
        self._last = time.perf_counter()
        self._task = asyncio.get_running_loop().create_task(self._tick())

    async def stop(self) -> None:
        """Stop ticking (counting the step that may have just ended the measured work)."""
        assert self._task is not None
        self.longest = max(self.longest, time.perf_counter() - self._last)
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


async def one_refresh(
    hass: HomeAssistant,
    coordinator: MonogotoCoordinator,
    sim: SimControl,
    vclock: VirtualClock,
    writes: WriteCounter,
    *,
    memory: bool = False,
    stall: bool = False,
) -> dict[str, Any]:
    """Run one refresh through Home Assistant's coordinator and measure it.

    ``memory`` traces allocations, ``stall`` runs a 1 ms ticker: both cost CPU, so each has
    a refresh of its own and the plain refreshes give the CPU and wall figures.
    """
    before = await sim.requests()
    writes.counts.clear()
    gc.collect()  # start every measured refresh from the same garbage-free heap
    meter = LoopStallMeter()
    if memory:
        tracemalloc.start()
    if stall:
        meter.start()
    waited = vclock.waited
    cpu = time.process_time()
    start = time.perf_counter()
    with writes.counting():
        await coordinator.async_refresh()
        await hass.async_block_till_done()
    wall = time.perf_counter() - start
    cpu = time.process_time() - cpu
    peak = 0
    if memory:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    if stall:
        await meter.stop()
    if not coordinator.last_update_success:
        raise RuntimeError(f"refresh failed: {coordinator.last_exception!r}")
    after = await sim.requests()
    requests = {k: v for k, v in (after - before).items() if v}
    return {
        "wall": wall + (vclock.waited - waited),
        "budget_wait": vclock.waited - waited,
        "cpu": cpu,
        "peak_bytes": peak,
        "loop_stall": meter.longest,
        "requests": requests,
        "logins": requests.get("auth", 0),
        "total_requests": sum(v for k, v in requests.items() if k != "auth"),
        "writes": writes.counts["writes"],
        "state_changed": writes.counts["state_changed"],
        "state_reported": writes.counts["state_reported"],
    }


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the run with the median wall time, with every run's wall and CPU attached."""
    ordered = sorted(runs, key=lambda run: run["wall"])
    median = dict(ordered[len(ordered) // 2])
    median["walls"] = [run["wall"] for run in runs]
    median["cpus"] = [run["cpu"] for run in runs]
    median["cpu"] = statistics.median(run["cpu"] for run in runs)
    return median


async def raw_floor(url: str, n: int, concurrency: int, repeat: int) -> dict[str, Any]:
    """Fetch the listing's pages with bare aiohttp (no parsing, no Home Assistant).

    The transport-and-simulator floor: what no client can beat on this machine.
    """
    pages = n // PAGE_SIZE + 1
    walls = []
    async with aiohttp.ClientSession() as session:
        async with session.post(
            f"{url}/Auth", json={"UserName": DEMO_USERNAME, "Password": DEMO_PASSWORD}
        ) as resp:
            token = (await resp.json())["token"]
        headers = {"Authorization": f"Bearer {token}"}
        slots = asyncio.Semaphore(concurrency)

        async def page(offset: int) -> None:
            async with (
                slots,
                session.get(
                    f"{url}/things",
                    params={"limit": str(PAGE_SIZE), "offset": str(offset)},
                    headers=headers,
                ) as resp,
            ):
                await resp.read()

        for _ in range(repeat + 1):  # the first one opens the connections
            start = time.perf_counter()
            await asyncio.gather(*(page(k * PAGE_SIZE) for k in range(pages)))
            walls.append(time.perf_counter() - start)
    return {"wall": statistics.median(walls[1:]), "walls": walls[1:], "pages": pages}


# -- the naive way ---------------------------------------------------------------------------


def naive_fetch(
    hass: HomeAssistant, coordinator: MonogotoCoordinator, url: str
) -> Callable[[], Awaitable[MonogotoData]]:
    """Return a stand-in for the coordinator's fetch: log in, then one state call per SIM.

    A fresh client each refresh (so a fresh login), each SIM's ``GET /thing/{id}/state`` one
    after the other, and no request budget: what the seed document's recipe does in a loop.
    """

    async def fetch() -> MonogotoData:
        client = MonogotoClient(
            async_get_clientsession(hass),
            DEMO_USERNAME,
            DEMO_PASSWORD,
            base_url=url,
            budget=RequestBudget(UNBOUNDED, 60.0),
        )
        data = coordinator.data
        things = dict(data.things)
        for thing_id, thing in data.things.items():
            things[thing_id] = thing.with_state(await client.get_thing_state(thing_id))
        return MonogotoData(things=things, statuses=data.statuses)

    return fetch


# -- the "poll" worker -------------------------------------------------------------------------


async def poll(args: argparse.Namespace) -> dict[str, Any]:
    """Measure ours (and/or naive) at one size."""
    n: int = args.n
    result: dict[str, Any] = {"n": n, "latency": args.latency}
    limits = _LogCounter("Reached the maximum", "Detected blocking call")
    logging.getLogger().addHandler(limits)
    async with aiohttp.ClientSession() as control:
        sim = SimControl(control, args.url)
        await sim.reset(n, args.latency, listing_state=True)
        async with home_assistant() as hass:
            vclock = VirtualClock(real=True)
            budget = RequestBudget(*BUDGET, clock=vclock, sleep=vclock.sleep)
            login_budget = RequestBudget(
                *LOGIN_BUDGET, clock=vclock, sleep=vclock.sleep
            )
            start = time.perf_counter()
            entry = await setup_entry(
                hass, args.url, budget=budget, login_budget=login_budget
            )
            coordinator: MonogotoCoordinator = entry.runtime_data
            setup_requests = await sim.requests()
            result["setup"] = {
                "wall": time.perf_counter() - start + vclock.waited,
                "budget_wait": vclock.waited,
                "requests": dict(setup_requests),
            }
            registry = er.async_get(hass)
            entries = er.async_entries_for_config_entry(registry, entry.entry_id)
            result["entities"] = {
                "registered": len(entries),
                "enabled": sum(1 for e in entries if not e.disabled),
                "states": len(hass.states.async_entity_ids()),
            }
            result["things"] = len(coordinator.data.things)
            interval = coordinator.update_interval
            assert interval is not None
            result["interval"] = interval.total_seconds()
            writes = WriteCounter(hass)

            if "ours" in args.modes:
                runs = []
                for _ in range(args.repeat):
                    # The pause between two polls.
                    vclock.advance(interval.total_seconds())
                    runs.append(
                        await one_refresh(hass, coordinator, sim, vclock, writes)
                    )
                result["ours"] = _median_run(runs)
                # A refresh that also reads every status (one in three at 5 minutes).
                vclock.advance(interval.total_seconds())
                later = dt_util.utcnow() + STATUS_INTERVAL
                with patch.object(dt_util, "utcnow", return_value=later):
                    result["ours_status"] = await one_refresh(
                        hass, coordinator, sim, vclock, writes
                    )
                vclock.advance(interval.total_seconds())
                result["ours_memory"] = await one_refresh(
                    hass, coordinator, sim, vclock, writes, memory=True
                )
                vclock.advance(interval.total_seconds())
                result["ours_stall"] = await one_refresh(
                    hass, coordinator, sim, vclock, writes, stall=True
                )
                # The same refreshes with a budget that never makes a request wait.
                coordinator.client.budget = RequestBudget(UNBOUNDED, 60.0)
                result["ours_unbounded"] = _median_run(
                    [
                        await one_refresh(hass, coordinator, sim, vclock, writes)
                        for _ in range(args.repeat)
                    ]
                )
                result["raw"] = await raw_floor(
                    args.url, n, coordinator.client.max_concurrency, args.repeat
                )
                if args.profile:
                    result["profile"] = await profile_refresh(hass, coordinator)

            if args.modes & {"naive", "naive_memory"}:
                coordinator.always_update = True  # Home Assistant's default
                with patch.object(
                    coordinator, "_fetch", naive_fetch(hass, coordinator, args.url)
                ):
                    if "naive" in args.modes:
                        result["naive"] = await one_refresh(
                            hass, coordinator, sim, vclock, writes
                        )
                    if "naive_memory" in args.modes:
                        # Peak memory does not depend on the latency: measure it without.
                        await sim.set_latency(0.0)
                        result["naive_memory"] = await one_refresh(
                            hass, coordinator, sim, vclock, writes, memory=True
                        )
                        await sim.set_latency(args.latency)
            await hass.config_entries.async_unload(entry.entry_id)
    result["log"] = dict(limits.hits)
    return result


#: Where a refresh's CPU time goes, by the file the time is spent in (cProfile's tottime).
_BUCKETS = (
    ("json decoding", ("orjson", "json/decoder.py", "json/__init__.py", "_json")),
    ("parsing into models (api/models.py)", ("monogoto/api/models.py", "<string>")),
    ("client (api/client.py)", ("monogoto/api/client.py",)),
    ("coordinator (coordinator.py)", ("monogoto/coordinator.py",)),
    ("aiohttp, yarl, multidict", ("aiohttp", "yarl", "multidict", "propcache")),
    ("asyncio event loop and sockets", ("asyncio", "socket", "selector", "ssl")),
    ("Home Assistant", ("homeassistant",)),
)


async def profile_refresh(
    hass: HomeAssistant, coordinator: MonogotoCoordinator
) -> dict[str, Any]:
    """Profile one refresh with cProfile; return CPU seconds by bucket and the top functions."""
    import cProfile  # noqa: PLC0415
    import pstats  # noqa: PLC0415

    gc.collect()
    profiler = cProfile.Profile()
    profiler.enable()
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    profiler.disable()
    stats = pstats.Stats(profiler)
    buckets: Counter[str] = Counter()
    functions = []
    for (filename, line, name), row in stats.stats.items():  # type: ignore[attr-defined]
        tottime = row[2]
        if name == "<method 'poll' of 'select.epoll' objects>":
            continue  # waiting, not working
        where = f"{filename}:{line}({name})"
        for bucket, needles in _BUCKETS:
            if any(needle in where for needle in needles):
                buckets[bucket] += tottime
                break
        else:
            buckets["other (builtins, gc, …)"] += tottime
        functions.append((tottime, where.replace(str(sys.prefix), "…")))
    functions.sort(reverse=True)
    return {
        "buckets": dict(buckets.most_common()),
        "total": sum(buckets.values()),
        "top": functions[:12],
    }


# -- the "hour" worker: fallback mode on a virtual clock ---------------------------------------


class RateLimitedSimulator(MonogotoSimulator):
    """The simulator answering 429 past 60 requests (or 5 logins) in any rolling 60 s.

    Every request is stamped with the (virtual) clock, so the benchmark can check the rate
    the console saw, not the rate the client believes it sent.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Create the console; the limits are the budget's own, as a strict console's."""
        super().__init__(*args, **kwargs)
        self.arrivals: list[tuple[float, str]] = []
        self.throttled: Counter[str] = Counter()
        self._recent: dict[str, deque[float]] = {"api": deque(), "auth": deque()}
        self.monotonic: Callable[[], float] = lambda: 0.0

    def create_app(self) -> web.Application:
        """Put the rate limit in front of the simulator's own middleware."""
        app = super().create_app()
        app.middlewares.insert(0, self._rate_limit)
        return app

    @web.middleware
    async def _rate_limit(
        self,
        request: web.Request,
        handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
    ) -> web.StreamResponse:
        if request.path.startswith("/_sim/"):
            return await handler(request)
        now = self.monotonic()
        kind = "auth" if request.path == "/Auth" else "api"
        limit = LOGIN_BUDGET[0] if kind == "auth" else BUDGET[0]
        recent = self._recent[kind]
        while recent and now - recent[0] >= 60.0:
            recent.popleft()
        self.arrivals.append((now, kind))
        if len(recent) >= limit:
            self.throttled[kind] += 1
            retry = math.ceil(recent[0] + 60.0 - now)
            return web.Response(
                status=429,
                text="Too Many Requests",
                headers={"Retry-After": str(retry)},
            )
        recent.append(now)
        return await handler(request)


def _rate_stats(arrivals: list[tuple[float, str]], until: float) -> dict[str, Any]:
    """Return the most requests the console saw in any rolling 60 s, and per clock minute."""
    times = sorted(t for t, kind in arrivals if kind == "api" and t < until)
    most = 0
    left = 0
    for right, t in enumerate(times):
        while t - times[left] >= 60.0:
            left += 1
        most = max(most, right - left + 1)
    per_minute = Counter(int(t // 60) for t in times)
    return {
        "requests": len(times),
        "logins": sum(1 for t, kind in arrivals if kind == "auth" and t < until),
        "max_rolling_60s": most,
        "max_clock_minute": max(per_minute.values(), default=0),
        "per_minute": [per_minute.get(m, 0) for m in range(int(until // 60))],
    }


async def hour(args: argparse.Namespace) -> dict[str, Any]:
    """Simulate an hour of polling in the fallback mode at one size."""
    n: int = args.n
    epoch = time.time()
    sim = RateLimitedSimulator(n, listing_includes_state=False)
    budget: CountingBudget
    login_budget: CountingBudget

    async def settle() -> None:
        # Let every request already charged to a budget reach the simulator before the
        # clock jumps, so the simulator stamps it with the time it was sent at.
        deadline = time.monotonic() + 10
        while len(sim.arrivals) < budget.granted + login_budget.granted:
            if time.monotonic() > deadline:
                raise RuntimeError("requests charged to the budget never arrived")
            await asyncio.sleep(0.0002)

    vclock = VirtualClock(real=False, settle=settle)
    budget = CountingBudget(*BUDGET, clock=vclock, sleep=vclock.sleep)
    login_budget = CountingBudget(*LOGIN_BUDGET, clock=vclock, sleep=vclock.sleep)
    sim.monotonic = vclock
    sim.clock = lambda: epoch + vclock()  # token iat/exp on the same clock

    runner = web.AppRunner(sim.create_app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server = site._server  # noqa: SLF001 - the port the OS picked
    assert server is not None
    port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    url = f"http://127.0.0.1:{port}"

    refreshes: list[dict[str, Any]] = []
    real_start = time.perf_counter()
    with patch.object(
        dt_util,
        "utcnow",
        side_effect=lambda: datetime.fromtimestamp(epoch + vclock(), UTC),
    ):
        async with home_assistant() as hass:
            entry = await setup_entry(
                hass,
                url,
                budget=budget,
                login_budget=login_budget,
                clock=lambda: epoch + vclock(),
                platforms=[],  # the request pattern is the subject, not the entities
            )
            coordinator: MonogotoCoordinator = entry.runtime_data
            refreshes.append(_refresh_record(0.0, vclock(), sim, coordinator, 0))
            while True:
                assert coordinator.update_interval is not None
                vclock.advance(coordinator.update_interval.total_seconds())
                if vclock() >= SIMULATED_HOUR:
                    break
                started, seen = vclock(), len(sim.arrivals)
                await coordinator.async_refresh()
                if not coordinator.last_update_success:
                    raise RuntimeError(
                        f"refresh failed: {coordinator.last_exception!r}"
                    )
                refreshes.append(
                    _refresh_record(started, vclock(), sim, coordinator, seen)
                )
            await hass.config_entries.async_unload(entry.entry_id)
    await runner.cleanup()
    span = max(SIMULATED_HOUR, refreshes[-1]["end"])
    return {
        "n": n,
        "interval": refreshes[-1]["interval"],
        "refreshes": refreshes,
        "hour": _rate_stats(sim.arrivals, SIMULATED_HOUR),
        "span": span,
        "whole_span": _rate_stats(sim.arrivals, span + 1),
        "throttled": dict(sim.throttled),
        "real_seconds": time.perf_counter() - real_start,
    }


def _refresh_record(
    started: float,
    ended: float,
    sim: RateLimitedSimulator,
    coordinator: MonogotoCoordinator,
    seen: int,
) -> dict[str, Any]:
    interval = coordinator.update_interval
    assert interval is not None
    return {
        "start": started,
        "end": ended,
        "requests": len(sim.arrivals) - seen,
        "interval": interval.total_seconds(),
    }


# -- command line ----------------------------------------------------------------------------


def main() -> None:
    """Run one worker and print its result as one JSON line."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.worker")
    parser.add_argument("kind", choices=("poll", "hour"))
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--url")
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--modes", default="ours,naive")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    args.modes = set(args.modes.split(","))
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    run = poll if args.kind == "poll" else hour
    result = asyncio.run(run(args))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
