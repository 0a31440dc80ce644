"""The polling benchmark: what the console sees from the integration, 100 to 5,000 SIMs.

Run it with ``benchmarks/run`` (installs the plot's dependency first), or inside the project
environment with ``python -m benchmarks.polling``; ``--help`` lists the knobs. It writes
``docs/benchmarks.md`` and ``docs/benchmarks.png`` and prints the tables.

Two kinds of measurement, each size in a process of its own (``benchmarks.worker``):

- *simulated hours*: the real integration (client, budget, planner, the three coordinators) in
  Home Assistant, against ``tests.simulator`` with random latency, in simulated time
  (``tests.timetravel``), for a "kind" and an "unkind" console; the simulator stamps every
  request on arrival, and the figures come from those stamps;
- *refresh cost*: wall time and CPU of steady refreshes in real time, against the simulator
  in a process of its own, with the request budget lifted.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
import json
import math
import os
from pathlib import Path
import platform
import subprocess
import sys
import time
from typing import Any

from custom_components.monogoto.api import PAGE_SIZE, listing_pages
from custom_components.monogoto.api.auth import ASSUMED_TOKEN_LIFETIME
from custom_components.monogoto.api.budget import (
    CONCURRENCY,
    HOUR,
    LOGIN_WINDOW,
    MINUTE,
)
from custom_components.monogoto.planner import PLANNED_SHARE
from tests.simulator import unkind

from .setup_scale import EMPTY_SECTION, section_of
from .webhook import kept_section as webhook_section

ROOT = Path(__file__).resolve().parent.parent
PROFILES = ("kind", "unkind")


def log(message: str) -> None:
    """Progress on standard error."""
    print(message, file=sys.stderr, flush=True)


def run_worker(*args: str) -> dict[str, Any]:
    """Run ``benchmarks.worker`` with ``args``; return its JSON result."""
    done = subprocess.run(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "benchmarks.worker", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-4000:])
        raise RuntimeError(f"worker {' '.join(args)} failed ({done.returncode})")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Run every worker, one after the other; return all results."""
    started = time.perf_counter()
    results: dict[str, Any] = {"hours": [], "refresh": []}
    for profile in PROFILES:
        for n in args.sizes:
            log(f"{profile} console, N={n:,}: simulated hours …")
            hours = ["--hours", str(args.hours), "--max-hours", str(args.max_hours)]
            hours += ["--jitter", str(args.jitter)]
            results["hours"].append(
                run_worker("hours", "--profile", profile, "--n", str(n), *hours)
            )
    for n in args.sizes:
        log(f"refresh cost, N={n:,} …")
        results["refresh"].append(
            run_worker("refresh", "--n", str(n), "--latency", str(args.latency))
        )
    results["seconds"] = time.perf_counter() - started
    return results


# -- the report ----------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    """Describe the machine and the software."""
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown CPU",
    )
    from aiohttp import __version__ as aiohttp_version  # noqa: PLC0415

    from homeassistant.const import __version__ as ha_version  # noqa: PLC0415

    return {
        "machine": f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
        "software": f"Python {platform.python_version()}, Home Assistant {ha_version}, "
        f"aiohttp {aiohttp_version}",
    }


def _duration(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    if seconds >= 120:
        return f"{seconds / 60:.1f} min"
    if seconds >= 10:
        return f"{seconds:.0f} s"
    return f"{seconds * 1000:,.0f} ms" if seconds < 1 else f"{seconds:.1f} s"


def _cycle(plan: dict[str, Any], n: int) -> str:
    """Describe a coordinator's plan: interval, SIMs per refresh, time to read every SIM."""
    interval = plan["interval"]
    per = plan["per_refresh"]
    if per is None or per >= n:
        return f"every {_duration(interval)}"
    cycle = interval * math.ceil(n / per)
    return f"{per:,} SIMs every {_duration(interval)} (all: {_duration(cycle)})"


def _spread(values: list[int]) -> str:
    if not values:
        return "-"
    low, high = min(values), max(values)
    return f"{low:,}" if low == high else f"{low:,} to {high:,}"


def _steady(run: dict[str, Any]) -> str:
    names = {"things": "listing", "state_get": "state", "status": "status"}
    names |= {"thing": "details", "auth": "login"}
    hour = run["steady_hour"]
    parts = [f"{hour[k]:,} {v}" for k, v in names.items() if hour.get(k)]
    return f"{sum(hour.values()):,} ({', '.join(parts)})"


def _ok(ok: bool) -> str:
    return "pass" if ok else "**FAIL**"


#: The listing's CPU per 1,000 SIMs a refresh may take (seconds), from this many SIMs on.
LISTING_CPU = 0.050
LISTING_CPU_FROM = 1000


def targets(results: dict[str, Any]) -> list[str]:
    """Return the acceptance targets with figures and a verdict each, then the verdict."""
    runs = results["hours"]
    rows = ["| Target | Figures | Result |", "|---|---|:---:|"]
    verdicts = []

    def row(target: str, figure: Any, ok: Any, chosen: list[dict[str, Any]]) -> None:
        figures = ", ".join(f"{r['profile']} N={r['n']:,}: {figure(r)}" for r in chosen)
        verdicts.append(all(ok(r) for r in chosen))
        rows.append(f"| {target} | {figures} | {_ok(verdicts[-1])} |")

    row(
        f"requests in any rolling {MINUTE.seconds:.0f} s, counted by the console on arrival, "
        f"under 0 to {runs[0]['jitter']:g} s of random latency: ≤ {MINUTE.limit}",
        lambda r: r["max_60s"],
        lambda r: r["max_60s"] <= MINUTE.limit,
        runs,
    )
    row(
        f"requests in any rolling hour: ≤ {HOUR.limit:,}",
        lambda r: f"{r['max_hour']:,}",
        lambda r: r["max_hour"] <= HOUR.limit,
        runs,
    )
    row(
        f"logins in any rolling {LOGIN_WINDOW.seconds:.0f} s: ≤ {LOGIN_WINDOW.limit}",
        lambda r: r["max_logins_60s"],
        lambda r: r["max_logins_60s"] <= LOGIN_WINDOW.limit,
        runs,
    )
    kind = [r for r in runs if r["profile"] == "kind"]
    row(
        f"kind console: ⌊N/{PAGE_SIZE}⌋+1 listing requests per listing refresh after set-up",
        lambda r: (
            f"{_spread(r['things']['requests'])} (⌊N/{PAGE_SIZE}⌋+1 = "
            f"{listing_pages(r['n'])})"
        ),
        lambda r: set(r["things"]["requests"]) == {listing_pages(r["n"])},
        kind,
    )
    row(
        "kind console: 0 logins after set-up",
        lambda r: r["logins_after_set_up"],
        lambda r: r["logins_after_set_up"] == 0,
        kind,
    )
    listing_cpu = [r for r in results["refresh"] if r["n"] >= LISTING_CPU_FROM]
    verdicts.append(
        all(r["things"]["cpu"] * 1000 / r["n"] <= LISTING_CPU for r in listing_cpu)
    )
    figures = ", ".join(
        f"N={r['n']:,}: {_duration(r['things']['cpu'] * 1000 / r['n'])}"
        for r in listing_cpu
    )
    rows.append(
        f"| listing refresh CPU per 1,000 SIMs (N ≥ {LISTING_CPU_FROM:,}; below, a "
        f"refresh's fixed cost of a few ms dominates): ≤ {LISTING_CPU * 1000:.0f} ms "
        f"| {figures} | {_ok(verdicts[-1])} |"
    )
    verdict = (
        "**Every target is met.**" if all(verdicts) else "**Targets missed: see FAIL.**"
    )
    return [*rows, "", verdict]


def hours_table(results: dict[str, Any], profile: str) -> list[str]:
    """Return the simulated-hours table of one console profile."""
    rows = [
        (
            "| N | set-up | listing: requests per refresh, interval | statuses | details "
            f"| requests in the last hour | most in any {MINUTE.seconds:.0f} s / hour "
            "| longest listing refresh | logins after set-up | simulated / real time |"
        ),
        "|---:|---|---|---|---|---|---:|---:|---:|---:|",
    ]
    for run in (r for r in results["hours"] if r["profile"] == profile):
        n, plan = run["n"], run["plan"]
        set_up = run["set_up_requests"]
        details = (
            _cycle(plan["details"], n) if plan["details"]["needed"] else "not needed"
        )
        rows.append(
            f"| {n:,} | {_duration(run['set_up'])}, {sum(set_up.values()):,} requests "
            f"| {_spread(run['things']['requests'])} every {_duration(plan['things']['interval'])} "
            f"| {_cycle(plan['statuses'], n)} | {details} | {_steady(run)} "
            f"| {run['max_60s']} / {run['max_hour']:,} "
            f"| {_duration(run['longest_listing'])} | {run['logins_after_set_up']} "
            f"| {run['hours']} h / {run['real_seconds']:.0f} s |"
        )
    return rows


def refresh_table(results: dict[str, Any], latency: float) -> list[str]:
    """Return the real-time refresh cost table."""
    rows = [
        (
            "| N | refresh | requests | wall time | floor ⌈requests/4⌉ x latency | CPU "
            "| CPU per 1,000 SIMs | longest loop step |"
        ),
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for run in results["refresh"]:
        n = run["n"]
        for kind in ("things", "statuses"):
            cost = run[kind]
            count = sum(cost["requests"].values())
            floor = math.ceil(count / CONCURRENCY) * latency
            rows.append(
                f"| {n:,} | {'listing' if kind == 'things' else 'statuses'} | {count:,} "
                f"| {_duration(cost['wall'])} | {_duration(floor)} | {_duration(cost['cpu'])} "
                f"| {_duration(cost['cpu'] * 1000 / n)} | {_duration(cost['loop_step'])} |"
            )
    return rows


def observed(results: dict[str, Any]) -> list[str]:
    """Return what the client observed of the unkind console, once."""
    runs = [r for r in results["hours"] if r["profile"] == "unkind"]
    seen = sorted({f for r in runs for f in r["observed"]["fallbacks"]})
    return [f"- {message}" for message in seen]


def plot(results: dict[str, Any], path: Path) -> None:
    """Draw requests per simulated minute at the largest size, and the busiest windows."""
    import matplotlib as mpl  # noqa: PLC0415

    mpl.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    runs = results["hours"]
    biggest = max(r["n"] for r in runs)
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.8))
    for run, color in zip(
        (r for r in runs if r["n"] == biggest), ("tab:blue", "tab:red"), strict=False
    ):
        minutes = run["per_minute"]
        left.plot(
            [m / 60 for m in range(len(minutes))],
            minutes,
            color=color,
            linewidth=0.8,
            label=f"{run['profile']} console",
        )
    left.axhline(MINUTE.limit, color="grey", linestyle=":", linewidth=1)
    left.set(
        xlabel="simulated hours",
        ylabel="requests arriving per minute",
        title=f"N={biggest:,}: requests per minute, as the console counts them",
    )
    labels = [f"{r['profile'][0]}{r['n']:,}" for r in runs]
    positions = range(len(runs))
    right.bar(
        [p - 0.2 for p in positions],
        [r["max_60s"] / MINUTE.limit for r in runs],
        0.4,
        label=f"most in any 60 s / {MINUTE.limit}",
    )
    right.bar(
        [p + 0.2 for p in positions],
        [r["max_hour"] / HOUR.limit for r in runs],
        0.4,
        label=f"most in any hour / {HOUR.limit:,}",
    )
    right.axhline(1.0, color="grey", linestyle=":", linewidth=1)
    right.axhline(PLANNED_SHARE, color="grey", linestyle="--", linewidth=0.6)
    right.set_xticks(list(positions), labels)
    right.set(
        ylabel="share of the budget",
        title="Busiest windows (k = kind, u = unkind console; N)",
        ylim=(0, 1.15),
    )
    for axis in (left, right):
        axis.grid(True, alpha=0.3)
        axis.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def report(results: dict[str, Any], args: argparse.Namespace) -> str:
    """Return docs/benchmarks.md."""
    runs = results["hours"]
    jitter = runs[0]["jitter"]
    failures = [(r["profile"], r["n"], f) for r in runs for f in r["failed_refreshes"]]
    text = (ROOT / "benchmarks" / "report.md").read_text()
    return text.format(
        date=results["date"],
        machine=results["machine"]["machine"],
        software=results["machine"]["software"],
        seconds=f"{results['seconds'] / 60:.1f} min",
        sizes=", ".join(f"{n:,}" for n in sorted({r["n"] for r in runs})),
        jitter=f"{jitter:g}",
        min_hours=results["min_hours"],
        max_hours=results["max_hours"],
        latency=f"{args.latency * 1000:.0f}",
        page=PAGE_SIZE,
        minute=f"{MINUTE.limit} requests in any {MINUTE.seconds:.0f} s",
        hour=f"{HOUR.limit:,} in any {HOUR.seconds / 3600:.0f} h",
        share=f"{PLANNED_SHARE:.0%}",
        own_page=unkind().own_page_size,
        token=_duration(ASSUMED_TOKEN_LIFETIME),
        concurrency=CONCURRENCY,
        targets="\n".join(targets(results)),
        kind="\n".join(hours_table(results, "kind")),
        unkind="\n".join(hours_table(results, "unkind")),
        observed="\n".join(observed(results)),
        refresh="\n".join(refresh_table(results, args.latency)),
        failures=(
            "None: every refresh succeeded."
            if not failures
            else "\n".join(f"- {p} N={n:,}: {f}" for p, n, f in failures)
        ),
        findings="\n".join(findings(results)),
        setup_scale=_setup_scale_section(args.out),
        webhook=webhook_section(args.out),
    )


def _setup_scale_section(page: Path) -> str:
    """Return the set-up benchmark's section of the page, kept as it is (it has its own run)."""
    return (section_of(page.read_text()) if page.exists() else None) or EMPTY_SECTION


def findings(results: dict[str, Any]) -> list[str]:
    """Return what the figures show beyond the targets: refreshes that outlast their interval."""
    lines = []
    for run in results["hours"]:
        where = f"{run['profile']} console, N={run['n']:,}"
        interval = run["plan"]["things"]["interval"]
        if run["longest_listing"] > interval:
            lines.append(
                f"- {where}: a listing refresh took {_duration(run['longest_listing'])}, "
                f"longer than its {_duration(interval)} interval."
            )
        for left in run["unfinished"]:
            running = run["span"] - left["start"]
            if running > run["plan"][left["kind"]]["interval"]:
                name = {"things": "listing"}.get(left["kind"], left["kind"])
                lines.append(
                    f"- {where}: a {name} refresh started {_duration(running)} "
                    f"before the end was still running (planned interval "
                    f"{_duration(run['plan'][left['kind']]['interval'])})."
                )
        if (
            run["observed"]["status_mode"] == "per_sim"
            and not run["plan"]["statuses"]["per_refresh"]
        ):
            lines.append(
                f"- {where}: statuses are read one SIM per request, yet the plan at the end "
                "still reads every SIM per status refresh (not yet re-planned)."
            )
        if run["max_hour"] >= HOUR.limit:
            lines.append(
                f"- {where}: the hourly window was full ({run['max_hour']:,} requests, "
                f"while the plan shares out {PLANNED_SHARE:.0%}): the budget's {HOUR.limit:,} "
                "an hour held the rate, not the plan, and whatever came next (listing, "
                "details, a user's action) waited for the window to free."
                + (
                    " It happens in the first hour: the first plan, made before the "
                    "console turned out to answer statuses one SIM per request, gave the "
                    "details a share the statuses then needed too; every later plan fits "
                    "(the planner does not count what an hour has already spent)."
                    if run["observed"]["status_mode"] == "per_sim"
                    else ""
                )
            )
    return lines or ["- No refresh outlasted its interval."]


def main() -> None:
    """Parse the command line, measure, write the report and the plot."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.polling", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--sizes", default="100,1000,5000", help="SIM counts")
    parser.add_argument(
        "--hours", type=int, default=2, help="simulated hours at least (default 2)"
    )
    parser.add_argument(
        "--max-hours",
        type=int,
        default=6,
        help="... at most, until the plan held an hour",
    )
    parser.add_argument(
        "--jitter", type=float, default=2.0, help="random latency 0..s (default 2)"
    )
    parser.add_argument(
        "--latency", type=float, default=0.05, help="refresh cost: s per request"
    )
    parser.add_argument(
        "--quick", action="store_true", help="100 SIMs, 2 h: a smoke test"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--plot", type=Path, default=ROOT / "docs" / "benchmarks.png")
    parser.add_argument("--json", type=Path, help="also save the results here")
    parser.add_argument("--from-json", type=Path, help="report results saved by --json")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.hours, args.max_hours = "100", 2, 3
        if args.out == parser.get_default("out"):
            args.out = ROOT / "artifacts" / "benchmarks" / "benchmarks.md"
            args.plot = ROOT / "artifacts" / "benchmarks" / "benchmarks.png"
    args.sizes = [int(n) for n in args.sizes.split(",")]
    if args.from_json:
        results = json.loads(args.from_json.read_text())
        args.latency = results["latency"]
    else:
        results = measure(args)
        results |= {"machine": machine(), "latency": args.latency}
        results |= {"min_hours": args.hours, "max_hours": args.max_hours}
        results["date"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        if args.json:
            args.json.write_text(json.dumps(results, indent=1))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report(results, args))
    plot(results, args.plot)
    for table in (targets(results), refresh_table(results, args.latency)):
        print("\n".join(table), end="\n\n")
    log(f"wrote {args.out} and {args.plot} after {results['seconds']:.0f} s")


if __name__ == "__main__":
    main()
