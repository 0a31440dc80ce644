"""One measurement in a process of its own (``benchmarks.polling`` starts these).

``python -m benchmarks.worker hours --profile kind --n 1000`` runs the integration for some
simulated hours against the simulator with random latency, and reports what the console saw;
``python -m benchmarks.worker refresh --n 1000`` measures the wall time and CPU of refreshes in
real time. Each prints one JSON line. A fresh process per measurement keeps frozen time,
registries and the garbage collector of one size out of the next.
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Sequence
import contextlib
from datetime import UTC, datetime
import gc
import json
import logging
import socket
import statistics
import subprocess
import sys
import time
from typing import Any
from unittest.mock import patch

import aiohttp
import freezegun

from custom_components.monogoto.api import MonogotoClient, RequestBudget, Window
from custom_components.monogoto.api.budget import (
    CONCURRENCY,
    HOUR,
    LOGIN_WINDOW,
    MINUTE,
)
from custom_components.monogoto.coordinator import (
    DetailsCoordinator,
    MonogotoCoordinator,
    StatusCoordinator,
    ThingsCoordinator,
)
from tests.network import serve
from tests.simulator import PROFILES, MonogotoSimulator
from tests.timetravel import SimulatedTime, simulated_client

from .harness import add_entry, home_assistant, listen, without_entities

#: Where simulated time starts (any date; fixed so runs compare).
EPOCH = datetime(2026, 12, 1, tzinfo=UTC)
#: What each coordinator is called in the results.
KINDS: dict[type, str] = {
    ThingsCoordinator: "things",
    StatusCoordinator: "statuses",
    DetailsCoordinator: "details",
}
#: The console endpoint (simulator name) each coordinator's requests go to.
ENDPOINTS = {"things": "things", "statuses": "status", "details": "thing"}


def most_within(times: Sequence[float], seconds: float) -> int:
    """Return the most stamps that fall within any rolling ``seconds``."""
    ordered = sorted(times)
    most = left = 0
    for right, stamp in enumerate(ordered):
        while stamp - ordered[left] >= seconds:
            left += 1
        most = max(most, right - left + 1)
    return most


# -- simulated hours ---------------------------------------------------------------------------


@contextlib.contextmanager
def recording(
    now: Callable[[], float], log: list[Any]
) -> Iterator[list[dict[str, Any]]]:
    """Record every coordinator refresh: kind, start, end, success, its span of ``log``."""
    records: list[dict[str, Any]] = []
    update = MonogotoCoordinator._async_update_data  # noqa: SLF001 - wrapped, not replaced

    async def recorded(coordinator: MonogotoCoordinator[Any]) -> Any:
        record = {"kind": KINDS[type(coordinator)], "start": now(), "ok": False}
        record["first"] = len(log)
        try:
            data = await update(coordinator)
        except asyncio.CancelledError:
            record["cancelled"] = True  # by the unload at the end
            raise
        except Exception as err:
            record["error"] = f"{err!r} from {err.__cause__!r}"
            raise
        else:
            record["ok"] = True
        finally:
            record.update(end=now(), last=len(log))
            records.append(record)
        return data

    with patch.object(MonogotoCoordinator, "_async_update_data", recorded):
        yield records


def plan_of(runtime: Any) -> dict[str, Any]:
    """Return each coordinator's interval (seconds) and SIMs per refresh, as planned now."""
    plan = {
        KINDS[type(c)]: {
            "interval": c.update_interval.total_seconds(),
            "per_refresh": getattr(c, "per_refresh", None),
        }
        for c in runtime.coordinators
    }
    plan["details"]["needed"] = runtime.details.needed()
    return plan


async def hours(args: argparse.Namespace) -> dict[str, Any]:
    """Run set-up plus simulated hours (see ``--hours``); return what the console saw."""
    sim = MonogotoSimulator(
        args.n, quirks=PROFILES[args.profile](), jitter=args.jitter, seed=args.seed
    )
    sim.clock = lambda: time.time()  # noqa: PLW0108 - the frozen clock, looked up late
    real, cpu = time.perf_counter(), time.process_time()
    with freezegun.freeze_time(EPOCH) as freezer:
        start = time.time()
        async with home_assistant() as hass, serve(sim.create_app()) as server:
            url = str(server.make_url("")).rstrip("/")
            with (
                simulated_client() as clients,
                without_entities(),
                recording(lambda: time.time() - start, sim.request_log) as records,
            ):
                clock = SimulatedTime(hass, freezer, sim, clients)
                try:
                    entry = add_entry(hass, url)
                    await clock.run(hass.config_entries.async_setup(entry.entry_id))
                    set_up = time.time() - start
                    runtime = entry.runtime_data
                    listen(runtime.coordinators)
                    plans = [plan_of(runtime)]
                    # Whole hours until the plan held for the last one (a fallback may take
                    # hours to read every SIM once), at least ``hours``, at most ``max_hours``.
                    while len(plans) <= args.max_hours and (
                        len(plans) <= args.hours or plans[-1] != plans[-2]
                    ):
                        await clock.advance(HOUR.seconds)
                        plans.append(plan_of(runtime))
                    ended = time.time() - start
                    profile = runtime.client.profile
                    observed = {
                        "page_size": profile.page_size,
                        "status_mode": str(profile.status_mode),
                        "token_kind": str(profile.token_kind),
                        "fallbacks": list(profile.fallbacks),
                    }
                    await hass.config_entries.async_unload(entry.entry_id)
                    await clock.settle()
                finally:
                    sim.release_stalls()
                    clock.close()
    log = [(at - start, endpoint) for at, endpoint in sim.request_log]
    return {
        "n": args.n,
        "profile": args.profile,
        "jitter": args.jitter,
        "hours": len(plans) - 1,
        "set_up": set_up,
        "span": ended,
        "log": log,
        "refreshes": records,
        "plan": plans[-1],
        "plans": plans,
        "observed": observed,
        "real_seconds": time.perf_counter() - real,
        "cpu_seconds": time.process_time() - cpu,
    }


def summarize(run: dict[str, Any]) -> dict[str, Any]:
    """Reduce one simulated run to the report's figures (the raw log is large)."""
    log = run["log"]
    times = [at for at, _ in log]
    steady_from = run["span"] - HOUR.seconds
    after_set_up = [e for at, e in log if at > run["set_up"]]
    summary: dict[str, Any] = {
        key: run[key]
        for key in (
            "n",
            "profile",
            "jitter",
            "hours",
            "set_up",
            "span",
            "plan",
            "plans",
        )
    }
    summary |= {
        "observed": run["observed"],
        "real_seconds": run["real_seconds"],
        "requests": len(log),
        "max_60s": most_within(times, MINUTE.seconds),
        "max_hour": most_within(times, HOUR.seconds),
        "max_logins_60s": most_within(
            [t for t, e in log if e == "auth"], LOGIN_WINDOW.seconds
        ),
        "set_up_requests": dict(Counter(e for at, e in log if at <= run["set_up"])),
        "logins_after_set_up": after_set_up.count("auth"),
        "steady_hour": dict(Counter(e for at, e in log if at >= steady_from)),
        "per_minute": [
            sum(1 for t in times if m <= t / MINUTE.seconds < m + 1)
            for m in range(int(run["span"] // MINUTE.seconds) + 1)
        ],
    }
    for kind, endpoint in ENDPOINTS.items():
        # Refreshes after set-up that finished (the last one may have been cut by the end).
        done = [
            r
            for r in run["refreshes"]
            if r["kind"] == kind and r["start"] >= run["set_up"] and r["ok"]
        ]
        summary[kind] = {
            "refreshes": len(done),
            "requests": [
                sum(1 for _, e in log[r["first"] : r["last"]] if e == endpoint)
                for r in done
            ],
            "state_requests": [
                sum(1 for _, e in log[r["first"] : r["last"]] if e == "state_get")
                for r in done
            ],
        }
    summary["longest_listing"] = max(
        r["end"] - r["start"] for r in run["refreshes"] if r["kind"] == "things"
    )
    summary["unfinished"] = [
        {"kind": r["kind"], "start": r["start"]}
        for r in run["refreshes"]
        if r.get("cancelled")
    ]
    summary["failed_refreshes"] = [
        r for r in run["refreshes"] if not r["ok"] and not r.get("cancelled")
    ]
    return summary


# -- refreshes in real time --------------------------------------------------------------------


@contextlib.contextmanager
def simulator_process(n: int, latency: float) -> Iterator[str]:
    """Serve ``n`` SIMs with ``python -m tests.simulator`` (its own process: its CPU is not ours)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = ["-m", "tests.simulator", "--things", str(n), "--port", str(port)]
    process = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, *command, "--latency", str(latency)],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", port)),
            ):
                break
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("the simulator did not start")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


async def loop_steps(work: Awaitable[Any]) -> float:
    """Await ``work``; return the longest the event loop went without running a 1 ms ticker."""
    longest, last = 0.0, time.perf_counter()

    async def tick() -> None:
        nonlocal longest, last
        while True:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            longest, last = max(longest, now - last), now

    ticker = asyncio.create_task(tick())
    await work
    longest = max(longest, time.perf_counter() - last)
    ticker.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await ticker
    return longest


async def refresh(args: argparse.Namespace) -> dict[str, Any]:
    """Measure steady refreshes of the listing and of the statuses, in real time."""
    # The budget lifted (its windows would make N=5,000 wait a minute): time and CPU only.
    lifted = RequestBudget([Window(10**9, MINUTE.seconds)], concurrency=CONCURRENCY)
    result: dict[str, Any] = {"n": args.n, "latency": args.latency}
    with simulator_process(args.n, args.latency) as url:
        async with home_assistant() as hass, aiohttp.ClientSession() as control:

            async def requests() -> Counter[str]:
                async with control.get(f"{url}/_sim/stats") as resp:
                    return Counter((await resp.json())["requests"])

            def client(*a: Any, **kw: Any) -> MonogotoClient:
                return MonogotoClient(*a, **kw, budget=lifted)

            with (
                without_entities(),
                patch("custom_components.monogoto.MonogotoClient", client),
            ):
                entry = add_entry(hass, url)
                await hass.config_entries.async_setup(entry.entry_id)
                await hass.async_block_till_done(wait_background_tasks=True)
            runtime = entry.runtime_data
            for kind, coordinator in (
                ("things", runtime.things),
                ("statuses", runtime.statuses),
            ):
                runs = []
                for _ in range(args.repeat + 1):  # the first warms the connections
                    before = await requests()
                    gc.collect()
                    cpu, wall = time.process_time(), time.perf_counter()
                    await coordinator.async_refresh()
                    runs.append(
                        {
                            "wall": time.perf_counter() - wall,
                            "cpu": time.process_time() - cpu,
                            "requests": dict(await requests() - before),
                        }
                    )
                    if not coordinator.last_update_success:
                        raise RuntimeError(f"{kind} refresh failed")
                runs = runs[1:]
                result[kind] = {
                    "wall": statistics.median(r["wall"] for r in runs),
                    "cpu": statistics.median(r["cpu"] for r in runs),
                    "requests": runs[0]["requests"],
                    "loop_step": await loop_steps(coordinator.async_refresh()),
                }
            await hass.config_entries.async_unload(entry.entry_id)
    return result


def main() -> None:
    """Run one measurement and print its result as one JSON line."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.worker")
    parser.add_argument("kind", choices=("hours", "refresh"))
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--profile", choices=sorted(PROFILES), default="kind")
    parser.add_argument(
        "--hours", type=int, default=3, help="simulated hours, at least"
    )
    parser.add_argument("--max-hours", type=int, default=8, help="... at most")
    parser.add_argument("--jitter", type=float, default=2.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--raw", action="store_true", help="hours: print the whole log")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    if args.kind == "hours":
        run = asyncio.run(hours(args))
        result = run if args.raw else summarize(run)
    else:
        result = asyncio.run(refresh(args))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
