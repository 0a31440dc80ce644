"""Set-up time and memory at scale: 100 / 1,000 / 5,000 SIMs, and 5,000 with 50 chosen.

``benchmarks/run setup-scale`` (or ``python -m benchmarks.setup_scale`` inside the project
environment) runs each case in a process of its own (a fresh Home Assistant, so memory figures
do not mix), three times: timed, under ``tracemalloc`` (to split the memory the set-up adds
between our own code and Home Assistant's) and, for 1,000 SIMs, under cProfile (where the time
goes). It writes its section of ``docs/benchmarks.md`` (between the ``SECTION`` markers, which
the polling benchmark keeps when it rewrites the page) and ``docs/setup-scale.png``.

Home Assistant is the real core, run through ``pytest_homeassistant_custom_component``'s
``async_test_home_assistant`` (registries in memory: their size on disk is what they would
write). The simulator serves on 127.0.0.1 from a thread of its own, without latency; the
client's request budget is lifted, so what is measured is the set-up's own work, not the
wait for the request budget a real 5,000-SIM account has in its first minutes (the polling
benchmark's tables show that).

Never the real console.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
from dataclasses import replace
import json
import os
from pathlib import Path
import pstats
import re
import subprocess
import sys
import threading
import time
import tracemalloc
from typing import Any
from unittest.mock import patch

from aiohttp import web

# The integration's modules, loaded before anything is measured: their code and tables (the
# network names, say) are there once, not per SIM.
from custom_components.monogoto import (  # noqa: F401
    PLATFORMS,
    binary_sensor,
    button,
    condition,
    config_flow,
    device_tracker,
    diagnostics,
    event,
    notify,
    sensor,
    switch,
    trigger,
)
from custom_components.monogoto.api import MINUTE, MonogotoClient, RequestBudget
from custom_components.monogoto.coordinator import ThingsCoordinator
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.json import json_bytes
from tests.simulator import MonogotoSimulator

from .harness import add_entry, home_assistant

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "custom_components" / "monogoto"
#: Our modules that make entities: what they allocate is entity objects (and the unique ids
#: the entity registry goes on holding), not SIM data.
ENTITY_MODULES = frozenset(
    str(PACKAGE / f"{name}.py") for name in ("entity", *(p.value for p in PLATFORMS))
)
#: The markers of this benchmark's section in docs/benchmarks.md.
SECTION = ("<!-- setup-scale:start -->", "<!-- setup-scale:end -->")
EMPTY_SECTION = (
    f"{SECTION[0]}\n(not measured yet: `benchmarks/run setup-scale`)\n{SECTION[1]}\n"
)
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
            *args, **kwargs, budget=RequestBudget([replace(MINUTE, limit=10**9)])
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
            result |= traced_memory()
        if profiler:
            result |= profiled(profiler)
        return result


def traced_memory() -> dict[str, int]:
    """Split what is traced (still allocated) between our SIM data, our entities and the rest.

    An allocation is ours when our code made it (the innermost frame is in our package): the
    SIM data (client, models, coordinators) or, from the platform modules, entity objects.
    """
    snapshot = tracemalloc.take_snapshot()
    tracemalloc.stop()
    split = {"traced_total": 0, "traced_data": 0, "traced_entities": 0}
    for stat in snapshot.statistics("filename"):
        filename = stat.traceback[0].filename
        split["traced_total"] += stat.size
        if filename in ENTITY_MODULES:
            split["traced_entities"] += stat.size
        elif filename.startswith(str(PACKAGE)):
            split["traced_data"] += stat.size
    return split


def profiled(profiler: cProfile.Profile) -> dict[str, float]:
    """Return where a profiled set-up spent its time: adding entities, and in our code."""
    stats = pstats.Stats(profiler, stream=sys.stderr)
    stats.sort_stats("cumulative").print_stats(30)
    table: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    add_entity = sum(
        cumulative
        for (filename, _, name), (_, _, _, cumulative, _) in table.items()
        if name == "_async_add_entity" and filename.endswith("entity_platform.py")
    )
    ours = sum(
        own
        for (filename, _, _), (_, _, own, _, _) in table.items()
        if filename.startswith(str(PACKAGE))
    )
    return {"add_entity_seconds": add_entity, "our_seconds": ours}


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


#: (label, SIMs in the account, SIMs included, timed figures, traced figures)
Row = tuple[str, int, int, dict[str, Any], dict[str, Any]]
#: The targets of issue 12: set-up of 1,000 SIMs after the listing, our data per SIM.
SETUP_TARGET_SECONDS = 10.0
DATA_TARGET_BYTES = 2048


def memory_per_sim(row: Row) -> dict[str, float]:
    """Return traced bytes per SIM: our data, our entity objects and Home Assistant's share.

    Our data is counted per SIM in the account (the listing of every SIM is kept), the rest
    per included SIM.
    """
    _, things, included, _, memory = row
    data, entities = memory["traced_data"], memory["traced_entities"]
    return {
        "ours: SIM data, per SIM in the account": data / things,
        "ours: entity objects, per included SIM": entities / included,
        "Home Assistant, per included SIM": (memory["traced_total"] - data - entities)
        / included,
    }


def selection_cost(rows: list[Row]) -> str:
    """Return what the set-up asked of the console with and without a selection."""
    every = next(row for row in rows if row[1] == row[2] == 5000)
    chosen = next(row for row in rows if row[1] == 5000 > row[2])
    return (
        f"Requests follow the selection: the set-up of {chosen[2]} chosen of "
        f"{chosen[1]:,} SIMs made {chosen[3]['requests']['things']} listing requests, as "
        f"many as all {every[1]:,} ({every[3]['requests']['things']}): the listing pages "
        "the whole account, the only way to see new SIMs; it read the chosen SIMs' statuses "
        f"in {chosen[3]['requests'].get('status', 0)} request(s) instead of "
        f"{every[3]['requests'].get('status', 0)}."
    )


def targets(rows: list[Row]) -> str:
    """Return the targets and whether this run met them."""
    thousand = next(timed for _, n, k, timed, _ in rows if n == k == 1000)
    data = max(next(iter(memory_per_sim(row).values())) for row in rows)
    return (
        f"Targets: set-up of 1,000 SIMs ≤ {SETUP_TARGET_SECONDS:.0f} s after the listing: "
        f"**{thousand['after_listing']:.1f} s**; our SIM data ≤ {kib(DATA_TARGET_BYTES)} per SIM: "
        f"**at most {kib(data)}** "
        + (
            "(both met)."
            if thousand["after_listing"] <= SETUP_TARGET_SECONDS
            and data <= DATA_TARGET_BYTES
            else "(**not met**)."
        )
    )


def report(rows: list[Row], profile: dict[str, Any]) -> str:
    """Return this benchmark's section of docs/benchmarks.md, markers included."""
    lines = [
        SECTION[0],
        "## Set-up time and memory at scale",
        "",
        (
            "*Generated by `benchmarks/run setup-scale` (`benchmarks/setup_scale.py`); do not edit "
            "by hand.*"
        ),
        "",
        "![Set-up time after the first listing, and the memory our code keeps](setup-scale.png)",
        "",
        (
            "From `async_setup` of the entry to every entity written (statuses and details read in "
            "the background included), with the request budget lifted and no latency: the set-up's "
            "own work. *After the listing* starts when the first listing has arrived (target: "
            "≤ 10 s for 1,000 SIMs). Memory: the resident memory the set-up added (RSS), and, from "
            "a second run under `tracemalloc`, what is still allocated afterwards, split by who "
            "allocated it: our SIM data (client, models, coordinators, plan; per SIM in the "
            "account, as the listing of every SIM is kept for the options), our entity objects "
            "(one per enabled entity, plus the unique ids Home Assistant's entity registry keeps "
            "for every registered one) and the rest (Home Assistant's registries, state machine "
            "and entity platforms), both per included SIM. Our modules are loaded before "
            "measuring: their code and tables are there once, not per SIM. Registries on disk: "
            "the JSON the entity and device registries would write."
        ),
        "",
        (
            f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} CPUs "
            f"shared with other work, Python {sys.version.split()[0]}."
        ),
        "",
        (
            "| SIMs | set-up | after the listing | enabled / registered entities | devices | "
            "RSS added | ours: SIM data per SIM | ours: entity objects per included SIM | "
            "the rest per included SIM | registries on disk |"
        ),
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        label, _, _, timed, _ = row
        data, entities, rest = memory_per_sim(row).values()
        lines.append(
            f"| {label} | {timed['seconds']:.1f} s | {timed['after_listing']:.1f} s | "
            f"{timed['enabled']:,} / {timed['entities']:,} | {timed['devices']:,} | "
            f"{mib(timed['rss_added'])} | {kib(data)} | {kib(entities)} | {kib(rest)} | "
            f"{mib(timed['registry_bytes'])} |"
        )
    lines += [
        "",
        selection_cost(rows),
        "",
        targets(rows),
        "",
        (
            f"Where the time goes (cProfile of the {profile['label']}-SIM set-up, "
            f"{profile['seconds']:.1f} s under the profiler): "
            f"{profile['add_entity_seconds']:.1f} s in Home Assistant's "
            "`EntityPlatform._async_add_entity` (entity and device registry entries, first state "
            f"writes), {profile['our_seconds']:.1f} s in our own code."
        ),
        SECTION[1],
    ]
    return "\n".join(lines) + "\n"


def plot(rows: list[Row], path: Path) -> None:
    """Draw set-up time after the listing, and the memory our code keeps, for every case."""
    import matplotlib as mpl  # noqa: PLC0415

    mpl.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    labels = [label for label, *_ in rows]
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.2))
    left.bar(labels, [timed["after_listing"] for *_, timed, _ in rows])
    left.axhline(SETUP_TARGET_SECONDS, color="grey", linestyle="--", linewidth=0.8)
    left.set(
        ylabel="seconds", title="Set-up after the first listing (target: 1,000 SIMs)"
    )
    shares = [memory_per_sim(row) for row in rows]
    positions = range(len(rows))
    for offset, name in zip((-0.2, 0.2), list(shares[0])[:2], strict=True):
        values = [share[name] / 1024 for share in shares]
        right.bar([p + offset for p in positions], values, 0.4, label=name)
    right.axhline(DATA_TARGET_BYTES / 1024, color="grey", linestyle="--", linewidth=0.8)
    right.set_xticks(list(positions), labels)
    right.set(ylabel="KiB", title="Memory our code keeps (traced)")
    right.legend(fontsize=8)
    for axis in (left, right):
        axis.grid(True, axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def section_of(page: str) -> str | None:
    """Return this benchmark's section of a page, markers included, if it has one."""
    match = re.search(
        re.escape(SECTION[0]) + ".*?" + re.escape(SECTION[1]), page, re.DOTALL
    )
    return match.group(0) + "\n" if match else None


def main() -> None:
    """Run every case (or one, in this process) and write the section and the plot."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--case", type=int, help="run one case here: this many SIMs")
    parser.add_argument("--chosen", type=int, help="with this many chosen")
    parser.add_argument("--mode", default="time", choices=("time", "memory", "profile"))
    parser.add_argument("--quick", action="store_true", help="100 and 1,000 SIMs only")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    if args.case:
        print(json.dumps(asyncio.run(measure(args.case, args.chosen, args.mode))))
        return
    rows: list[Row] = []
    for label, things, chosen in CASES[:2] if args.quick else CASES:
        timed = run_case(things, chosen, "time")
        memory = run_case(things, chosen, "memory")
        print(label, json.dumps(timed), json.dumps(memory), file=sys.stderr)
        rows.append((label, things, chosen or things, timed, memory))
    profile = {"label": "1,000"} | run_case(1000, None, "profile")
    section = report(rows, profile)
    print(section)
    if args.quick:
        return
    page = args.out.read_text()
    old = section_of(page)
    if old is None:
        raise SystemExit(f"{args.out} has no {SECTION[0]} ... {SECTION[1]} section")
    args.out.write_text(page.replace(old, section))
    plot(rows, args.out.parent / "setup-scale.png")


if __name__ == "__main__":
    main()
