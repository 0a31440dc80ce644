"""Set-up time and memory at scale: 100 / 1,000 / 5,000 SIMs, and 5,000 with 50 chosen.

``python -m benchmarks.setup_scale`` (or ``benchmarks/run_setup_scale``) runs each case in a
process of its own (a fresh Home Assistant, so memory figures do not mix), twice: once timed,
once under ``tracemalloc`` to split the memory it adds between our own data (allocated by
``custom_components/monogoto``) and Home Assistant's (registries, state machine, entity
objects, the event loop's work). It prints the Markdown table of ``docs/setup-scale.md``.

Home Assistant is the real core, run through ``pytest_homeassistant_custom_component``'s
``async_test_home_assistant`` (registries in memory: their size on disk is what they would
write). The simulator serves on 127.0.0.1 from a thread of its own, without latency; the
client's request budget is lifted, so what is measured is the set-up's own work, not the
60-requests-a-minute wait a real 5,000-SIM account has in its first minute (see "Refresh
cost" above for that).

Never the real console.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
from pathlib import Path
import pstats
import subprocess
import sys
import threading
import time
import tracemalloc
from typing import Any
from unittest.mock import patch

from aiohttp import web

from custom_components.monogoto.api import MonogotoClient, RequestBudget, Window
from custom_components.monogoto.coordinator import ThingsCoordinator
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.json import json_bytes
from tests.simulator import MonogotoSimulator

from .harness import add_entry, home_assistant

PACKAGE = str(Path(__file__).resolve().parent.parent / "custom_components" / "monogoto")
#: (label, SIMs in the account, SIMs chosen or None for all)
CASES = [
    ("100", 100, None),
    ("1,000", 1000, None),
    ("5,000", 5000, None),
    ("5,000, 50 chosen", 5000, 50),
]


def rss() -> int:
    """Return this process's resident memory in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0  # pragma: no cover - Linux only


def serve(sim: MonogotoSimulator) -> str:
    """Serve the simulator from a thread of its own; return its URL."""
    ready = threading.Event()
    url: list[str] = []

    def run() -> None:
        loop = asyncio.new_event_loop()
        runner = web.AppRunner(sim.create_app(), access_log=None)
        loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        loop.run_until_complete(site.start())
        port = runner.addresses[0][1]
        url.append(f"http://127.0.0.1:{port}")
        ready.set()
        loop.run_forever()

    threading.Thread(target=run, daemon=True).start()
    ready.wait()
    return url[0]


async def measure(things: int, chosen: int | None, mode: str) -> dict[str, Any]:
    """Set one entry up; return its figures."""
    sim = MonogotoSimulator(things)
    url = serve(sim)
    options: dict[str, Any] = {}
    if chosen is not None:
        options = {"include": "chosen", "sims": sim.thing_ids()[:: things // chosen]}
    listed_at: list[float] = []
    original_fetch = ThingsCoordinator._fetch  # noqa: SLF001

    async def fetch(self: ThingsCoordinator) -> Any:
        data = await original_fetch(self)
        listed_at.append(time.perf_counter())
        return data

    def make_client(*args: Any, **kwargs: Any) -> MonogotoClient:
        return MonogotoClient(
            *args, **kwargs, budget=RequestBudget([Window(10**9, 60.0)])
        )

    async with home_assistant() as hass:
        entry = add_entry(hass, url)
        hass.config_entries.async_update_entry(entry, options=options)
        await hass.async_block_till_done()
        profiler = cProfile.Profile() if mode == "profile" else None
        if mode == "memory":
            tracemalloc.start(1)
        rss_before = rss()
        start = time.perf_counter()
        with (
            patch("custom_components.monogoto.MonogotoClient", make_client),
            patch.object(ThingsCoordinator, "_fetch", fetch),
        ):
            if profiler:
                profiler.enable()
            assert await hass.config_entries.async_setup(entry.entry_id)
            await hass.async_block_till_done(wait_background_tasks=True)
            if profiler:
                profiler.disable()
        done = time.perf_counter()
        result: dict[str, Any] = {
            "seconds": done - start,
            "after_listing": done - listed_at[0],
            "rss_added": rss() - rss_before,
            "states": len(hass.states.async_all()),
            "devices": len(dr.async_get(hass).devices),
            "entities": len(er.async_get(hass).entities),
            "enabled": er.async_get(
                hass
            ).entities.get_enabled_count_for_config_entry_id(entry.entry_id),
            "registry_bytes": sum(
                len(json_bytes(store._data_to_save()))  # noqa: SLF001
                for store in (er.async_get(hass), dr.async_get(hass))
            ),
            "requests": dict(sim.requests),
        }
        if mode == "memory":
            snapshot = tracemalloc.take_snapshot()
            tracemalloc.stop()
            ours = total = 0
            for stat in snapshot.statistics("filename"):
                total += stat.size
                if stat.traceback[0].filename.startswith(PACKAGE):
                    ours += stat.size
            result |= {"traced_total": total, "traced_ours": ours}
        if profiler:
            stats = pstats.Stats(profiler, stream=sys.stderr)
            stats.sort_stats("cumulative").print_stats(40)
            stats.sort_stats("tottime").print_stats(25)
        return result


def run_case(things: int, chosen: int | None, mode: str) -> dict[str, Any]:
    """Run one case in a fresh process; return its figures."""
    args = [sys.executable, "-m", "benchmarks.setup_scale", "--case", str(things)]
    if chosen is not None:
        args += ["--chosen", str(chosen)]
    args += ["--mode", mode]
    out = subprocess.run(  # noqa: S603 - our own module, our own arguments
        args, check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def kib(value: float) -> str:
    """Format bytes as KiB with one decimal."""
    return f"{value / 1024:,.1f} KiB"


def mib(value: float) -> str:
    """Format bytes as MiB with one decimal."""
    return f"{value / 1024 / 1024:,.1f} MiB"


def report(
    rows: list[tuple[str, int, int | None, dict[str, Any], dict[str, Any]]],
) -> str:
    """Return the Markdown section."""
    lines = [
        "## Set-up time and memory at scale",
        "",
        (
            "From `async_setup` of the entry to every entity written (statuses and details read "
            "in the background included), with the request budget lifted and no latency: the set-up's "
            "own work. *After the listing* starts when the first listing has arrived (the target: "
            "≤ 10 s for 1,000 SIMs). Memory: the resident memory the set-up added to Home "
            "Assistant (RSS), and, from a second run under `tracemalloc`, the part allocated by our "
            "own code (`custom_components/monogoto`: SIM data, coordinators, entity objects' own "
            "fields) against everything else (Home Assistant's registries, state machine, entity "
            "platform bookkeeping). Registries on disk: the JSON the entity and device registries "
            "would write."
        ),
        "",
        (
            f"Reproduce: `source scripts/_env.sh; inenv python -m benchmarks.setup_scale` "
            f"(each case in a fresh process; `--profile N` prints a cProfile of one set-up). "
            f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
            f"{os.cpu_count()} CPUs shared with other work, Python {sys.version.split()[0]}."
        ),
        "",
        (
            "| SIMs | set-up | after the listing | enabled entities / registered | devices | "
            "RSS added | traced: ours | ours per included SIM | traced: Home Assistant and the rest "
            "| registries on disk |"
        ),
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, things, chosen, timed, memory in rows:
        included = chosen or things
        lines.append(
            f"| {label} | {timed['seconds']:.1f} s | {timed['after_listing']:.1f} s | "
            f"{timed['enabled']:,} / {timed['entities']:,} | {timed['devices']:,} | "
            f"{mib(timed['rss_added'])} | {mib(memory['traced_ours'])} | "
            f"{kib(memory['traced_ours'] / included)} | "
            f"{mib(memory['traced_total'] - memory['traced_ours'])} | "
            f"{mib(timed['registry_bytes'])} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    """Run every case (or one, in this process) and print the section."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--case", type=int, help="run one case here: this many SIMs")
    parser.add_argument("--chosen", type=int, help="with this many chosen")
    parser.add_argument("--mode", default="time", choices=("time", "memory", "profile"))
    parser.add_argument("--profile", type=int, help="profile one set-up of N SIMs")
    parser.add_argument("--quick", action="store_true", help="100 and 1,000 SIMs only")
    args = parser.parse_args()
    if args.profile:
        print(json.dumps(asyncio.run(measure(args.profile, args.chosen, "profile"))))
        return
    if args.case:
        print(json.dumps(asyncio.run(measure(args.case, args.chosen, args.mode))))
        return
    rows = []
    for label, things, chosen in CASES[:2] if args.quick else CASES:
        timed = run_case(things, chosen, "time")
        memory = run_case(things, chosen, "memory")
        print(label, json.dumps(timed), json.dumps(memory), file=sys.stderr)
        rows.append((label, things, chosen, timed, memory))
    print(report(rows))


if __name__ == "__main__":
    main()
