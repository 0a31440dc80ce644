"""The polling benchmark: ours, the naive way and the physical limit, for 10 to 5,000 SIMs.

Run it with ``benchmarks/run`` (installs the plot's dependency first), or inside the project
environment with ``python -m benchmarks.polling``; ``--help`` lists the knobs. It writes
``docs/benchmarks.md`` and ``docs/benchmarks.png`` and prints the table.

What runs where:

- the simulator (``tests/simulator``) in a process of its own (``benchmarks.simserver``), with
  the injected latency, so the CPU time measured is the integration's alone;
- per size, a worker process (``benchmarks.worker poll``) sets the integration up in Home
  Assistant (the real core, state machine and registries, via the test harness's
  ``async_test_home_assistant``) and measures refreshes through the real coordinator and
  client: ours, then naive (the same coordinator with its fetch swapped for "log in, then one
  state call per SIM, one after the other");
- the fallback mode (listing without ``State``) over a simulated hour (``benchmarks.worker
  hour``): an in-process simulator that answers 429 past 60 requests in any 60 s, a virtual
  clock shared by the client's budget, the simulator and the coordinator's cadence.

The naive refresh at the largest size is latency-bound (one request after the other) and runs
in parallel with the simulated hours (``--serial`` to run everything one after the other);
it is measured for real, never extrapolated.
"""

from __future__ import annotations

import argparse
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
import json
import math
import os
from pathlib import Path
import platform
import subprocess
import sys
import time
from typing import Any, Self

ROOT = Path(__file__).resolve().parent.parent
PAGE = 50
CONCURRENCY = 4  # MonogotoClient's default cap
BUDGET = 60  # requests per 60 s


def physical_pages(n: int) -> int:
    """Return the issue's floor: ⌈N/50⌉ listing requests."""
    return max(1, math.ceil(n / PAGE))


def physical_wall(n: int, latency: float) -> float:
    """Return ⌈pages/concurrency⌉ x latency, the floor with no request budget."""
    return math.ceil(physical_pages(n) / CONCURRENCY) * latency


def physical_wall_in_budget(n: int, latency: float) -> float:
    """Return the floor under 60 requests per 60 s, the window empty when the refresh starts.

    The first 60 pages go at once; each further 60 waits for the window to slide by 60 s.
    """
    pages = physical_pages(n)
    windows = math.ceil(pages / BUDGET) - 1
    rest = pages - windows * BUDGET
    return windows * 60.0 + math.ceil(rest / CONCURRENCY) * latency


# -- running the workers -----------------------------------------------------------------------


class Simulator:
    """``benchmarks.simserver`` in a child process."""

    def __enter__(self) -> Self:
        """Start it and read its port."""
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.simserver"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError(f"the simulator did not start: {line!r}")
        self.url = f"http://127.0.0.1:{int(line.split()[1])}"
        return self

    def __exit__(self, *exc: object) -> None:
        """Close its standard input: it stops."""
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def run_worker(*args: str) -> dict[str, Any]:
    """Run ``benchmarks.worker`` with ``args``; return its JSON result."""
    start = time.perf_counter()
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
    result["worker_seconds"] = time.perf_counter() - start
    return result


def log(message: str) -> None:
    """Progress on standard error."""
    print(message, file=sys.stderr, flush=True)


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Run every worker; return all results.

    Phase 1, alone on the machine: ours at every size (the CPU- and time-sensitive figures).
    Phase 2: the naive refreshes, which wait on the latency one request at a time and use
    little CPU. The biggest (N x latency: minutes) runs against its own simulator process,
    in parallel with the other sizes, the simulated hours (which count requests, not time)
    and the biggest's memory run (at 0 ms latency) against another.
    """
    sizes: list[int] = args.sizes
    biggest = max(sizes)
    polls: dict[int, dict[str, Any]] = {}
    started = time.perf_counter()
    common = ["--latency", str(args.latency), "--repeat", str(args.repeat)]

    def poll(url: str, n: int, modes: str, *extra: str) -> dict[str, Any]:
        log(f"{modes} N={n:,} …")
        return run_worker(
            "poll", "--n", str(n), "--url", url, "--modes", modes, *common, *extra
        )

    def naive(url: str, n: int, modes: str) -> None:
        result = poll(url, n, modes)
        polls[n].update(
            {k: result[k] for k in ("naive", "naive_memory") if k in result}
        )

    def the_hours() -> dict[int, dict[str, Any]]:
        hours = {}
        for n in args.hour_sizes:
            log(f"fallback mode, simulated hour, N={n:,} …")
            hours[n] = run_worker("hour", "--n", str(n))
        return hours

    def the_rest(url: str) -> dict[int, dict[str, Any]]:
        for n in naive_sizes:
            if n != biggest:
                naive(url, n, "naive,naive_memory")
        hours = the_hours()
        if biggest in naive_sizes:  # at 0 ms latency: most of its time is the set-up
            naive(url, biggest, "naive_memory")
        return hours

    naive_sizes = [] if args.no_naive else sizes
    with Simulator() as sim:
        for n in sizes:
            polls[n] = poll(
                sim.url, n, "ours", *(["--profile"] if n == biggest else [])
            )
        if args.serial:
            for n in naive_sizes:
                naive(sim.url, n, "naive,naive_memory")
            hours = the_hours()
        else:
            with Simulator() as other, ThreadPoolExecutor(2) as pool:
                big = None
                if biggest in naive_sizes:
                    big = pool.submit(naive, sim.url, biggest, "naive")
                hours = pool.submit(the_rest, other.url).result()
                if big is not None:
                    big.result()
    return {
        "polls": polls,
        "hours": hours,
        "seconds": time.perf_counter() - started,
        "parallel_naive": not args.serial,
    }


# -- the report --------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    """Describe the machine and the software."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB RAM"
    except OSError:
        pass
    from aiohttp import __version__ as aiohttp_version  # noqa: PLC0415

    from homeassistant.const import __version__ as ha_version  # noqa: PLC0415

    return {
        "cpu": f"{model}, {os.cpu_count()} cores available",
        "memory": memory,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "home_assistant": ha_version,
        "aiohttp": aiohttp_version,
    }


def _ms(seconds: float) -> str:
    if seconds >= 10:
        return f"{seconds:,.1f} s"
    return f"{seconds * 1000:,.0f} ms"


def _mib(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MiB"


def _requests(requests: dict[str, int]) -> str:
    order = ["auth", "things", "state_get", "status"]
    names = {
        "auth": "login",
        "things": "list",
        "state_get": "state",
        "status": "status",
    }
    parts = [f"{requests[k]:,} {names[k]}" for k in order if requests.get(k)] + [
        f"{v:,} {k}" for k, v in requests.items() if k not in order and v
    ]
    return ", ".join(parts) or "0"


def _writes(run: dict[str, Any]) -> str:
    return f"{run['writes']:,} / {run['state_changed']:,} / {run['state_reported']:,}"


def table(results: dict[str, Any], latency: float) -> list[str]:
    """Return the main Markdown table."""
    rows = [
        (
            "| N | mode | requests per refresh | logins | wall time | x physical limit "
            "| CPU | CPU per 1,000 SIMs | peak memory | writes / changed / reported |"
        ),
        "|---:|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for n, poll in sorted(results["polls"].items()):
        phys = physical_wall(n, latency)
        phys_budget = physical_wall_in_budget(n, latency)
        per_k = 1000 / n
        rows.append(
            f"| {n:,} | physical limit | {physical_pages(n):,} list | 0 | {_ms(phys)} | 1.00 "
            "| - | - | - | - |"
        )
        raw = poll["raw"]
        rows.append(
            f"| {n:,} | raw transport floor (measured) | {raw['pages']:,} list | 0 "
            f"| {_ms(raw['wall'])} | {raw['wall'] / phys:.2f} | - | - | - | - |"
        )
        ours = poll["ours"]
        budget_note = ""
        if ours["budget_wait"] > 0:
            budget_note = (
                f" (incl. {_ms(ours['budget_wait'])} waiting for the 60/min budget;"
                f" floor in budget {_ms(phys_budget)})"
            )
        ratio = (
            ours["wall"] / phys_budget
            if ours["budget_wait"] > 0
            else ours["wall"] / phys
        )
        rows.append(
            f"| {n:,} | **ours**, steady refresh | {_requests(ours['requests'])} "
            f"| {ours['logins']} | {_ms(ours['wall'])}{budget_note} | {ratio:.2f}"
            f"{' of the in-budget floor' if ours['budget_wait'] > 0 else ''} "
            f"| {_ms(ours['cpu'])} | {_ms(ours['cpu'] * per_k)} "
            f"| {_mib(poll['ours_memory']['peak_bytes'])} | {_writes(ours)} |"
        )
        if ours["budget_wait"] > 0:
            lifted = poll["ours_unbounded"]
            rows.append(
                f"| {n:,} | ours, budget lifted | {_requests(lifted['requests'])} "
                f"| {lifted['logins']} | {_ms(lifted['wall'])} | {lifted['wall'] / phys:.2f} "
                f"| {_ms(lifted['cpu'])} | {_ms(lifted['cpu'] * per_k)} | - | {_writes(lifted)} |"
            )
        status = poll["ours_status"]
        rows.append(
            f"| {n:,} | ours, refresh that also reads statuses (every 15 min) "
            f"| {_requests(status['requests'])} | {status['logins']} | {_ms(status['wall'])} "
            f"| - | {_ms(status['cpu'])} | {_ms(status['cpu'] * per_k)} | - | {_writes(status)} |"
        )
        if "naive" in poll:
            naive = poll["naive"]
            rows.append(
                f"| {n:,} | naive | {_requests(naive['requests'])} | {naive['logins']} "
                f"| {_ms(naive['wall'])} | {naive['wall'] / phys:.1f} | {_ms(naive['cpu'])} "
                f"| {_ms(naive['cpu'] * per_k)} | {_mib(poll['naive_memory']['peak_bytes'])} "
                f"| {_writes(naive)} |"
            )
    return rows


def targets(results: dict[str, Any], latency: float) -> list[str]:
    """Return the targets table."""
    polls = {int(n): poll for n, poll in results["polls"].items()}
    rows = ["| Target | Figures | Met |", "|---|---|:---:|"]

    def mark(ok: bool) -> str:
        return "yes" if ok else "**no**"

    logins = {n: poll["ours"]["logins"] for n, poll in polls.items()}
    rows.append(
        "| 0 logins per steady-state refresh | "
        + ", ".join(f"N={n:,}: {v}" for n, v in sorted(logins.items()))
        + f" | {mark(all(v == 0 for v in logins.values()))} |"
    )
    listing = {
        n: (poll["ours"]["total_requests"], poll["ours"]["requests"].get("things", 0))
        for n, poll in polls.items()
    }
    exact = all(
        total == things == n // PAGE + 1 for n, (total, things) in listing.items()
    )
    rows.append(
        "| requests per refresh = ⌈N/50⌉ in listing mode | "
        + ", ".join(
            f"N={n:,}: {total} (⌈N/50⌉ = {physical_pages(n)})"
            for n, (total, _) in sorted(listing.items())
        )
        + " — all listing pages; the extra one at exact multiples of 50 is the empty page "
        "that proves the list ended (the console sends no total) "
        f"| {'yes, ⌊N/50⌋+1' if exact else '**no**'} |"
    )
    for n in (1000, 5000):
        if n not in polls:
            continue
        poll = polls[n]
        phys = physical_wall(n, latency)
        ours = poll["ours"]
        if ours["budget_wait"] > 0:
            lifted = poll["ours_unbounded"]
            in_budget = physical_wall_in_budget(n, latency)
            rows.append(
                f"| wall ≤ 1.5 x physical limit at N={n:,} | budget lifted: "
                f"{_ms(lifted['wall'])} = {lifted['wall'] / phys:.2f} x {_ms(phys)}; "
                f"with the 60/min budget: {_ms(ours['wall'])} = "
                f"{ours['wall'] / in_budget:.2f} x the in-budget floor {_ms(in_budget)} "
                f"({physical_pages(n)} pages cannot go out in one minute) "
                f"| {mark(lifted['wall'] <= 1.5 * phys)} (budget lifted); "
                f"{mark(ours['wall'] <= 1.5 * in_budget)} (in budget) |"
            )
        else:
            rows.append(
                f"| wall ≤ 1.5 x physical limit at N={n:,} | {_ms(ours['wall'])} = "
                f"{ours['wall'] / phys:.2f} x {_ms(phys)} | {mark(ours['wall'] <= 1.5 * phys)} |"
            )
    cpu = {n: poll["ours"]["cpu"] * 1000 / n for n, poll in polls.items() if n >= 100}
    rows.append(
        "| CPU ≤ 100 ms per 1,000 SIMs | "
        + ", ".join(f"N={n:,}: {_ms(v)}" for n, v in sorted(cpu.items()))
        + " (N=10 left out: a refresh's fixed cost, a few ms, is not per SIM)"
        + f" | {mark(all(v <= 0.1 for v in cpu.values()))} |"
    )
    writes = {
        n: (
            poll["ours"]["writes"],
            poll["ours"]["state_changed"],
            poll["ours_status"]["writes"],
        )
        for n, poll in polls.items()
    }
    rows.append(
        "| 0 state writes for an unchanged refresh | "
        + ", ".join(
            f"N={n:,}: {w} writes, {c} state_changed (status refresh: {s} writes)"
            for n, (w, c, s) in sorted(writes.items())
        )
        + f" | {mark(all(w == c == s == 0 for w, c, s in writes.values()))} |"
    )
    hours = {int(n): hour for n, hour in results["hours"].items()}
    if hours:
        ok = all(
            h["whole_span"]["max_rolling_60s"] <= BUDGET and not h["throttled"]
            for h in hours.values()
        )
        rows.append(
            "| Fallback mode never above the budget over a simulated hour | "
            + ", ".join(
                f"N={n:,}: at most {h['whole_span']['max_rolling_60s']} in any 60 s, "
                f"{sum(h['throttled'].values())} x 429"
                for n, h in sorted(hours.items())
            )
            + f" | {mark(ok)} |"
        )
    return rows


def hour_table(results: dict[str, Any]) -> list[str]:
    """Return the fallback-mode table."""
    rows = [
        (
            "| N | requests per status refresh (list + state + status) | interval after stretching "
            "| refreshes started in the hour | requests in the hour | most in any rolling 60 s "
            "| most in a clock minute | logins | 429 answers | simulated span | real time |"
        ),
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, hour in sorted(results["hours"].items()):
        pages = n // PAGE + 1
        statuses = math.ceil(n / PAGE)
        first = hour["refreshes"][0]["requests"]
        started = sum(1 for r in hour["refreshes"] if r["start"] < 3600)
        whole = hour["whole_span"]
        rows.append(
            f"| {n:,} | {pages} + {n:,} + {statuses} = {pages + n + statuses:,} "
            f"(setup: {first:,} incl. the login) | {hour['interval'] / 60:.1f} min "
            f"| {started} | {hour['hour']['requests']:,} "
            f"| {whole['max_rolling_60s']} | {whole['max_clock_minute']} | {whole['logins']} "
            f"| {sum(hour['throttled'].values())} | {hour['span'] / 60:.0f} min "
            f"| {hour['real_seconds']:.0f} s |"
        )
    return rows


def profile_table(results: dict[str, Any]) -> list[str]:
    """Return where the CPU time of the biggest refresh goes."""
    polls = {int(n): poll for n, poll in results["polls"].items()}
    biggest = max(polls)
    profile = polls[biggest].get("profile")
    if not profile:
        return []
    total = profile["total"]
    rows = [
        (
            f"Profile of one steady refresh at N={biggest:,} (cProfile, own time per function, "
            f"grouped by file; {_ms(total)} in all under the profiler, which inflates it):"
        ),
        "",
        "| Where | CPU | Share |",
        "|---|---:|---:|",
    ]
    rows += [
        f"| {bucket} | {_ms(seconds)} | {seconds / total:.0%} |"
        for bucket, seconds in profile["buckets"].items()
    ]
    rows += ["", "Top functions (own time):", "", "| Function | CPU |", "|---|---:|"]
    rows += [
        f"| `{where.replace(str(ROOT) + '/', '')}` | {_ms(seconds)} |"
        for seconds, where in profile["top"]
    ]
    return rows


def plot(results: dict[str, Any], latency: float, path: Path) -> None:
    """Draw requests and wall time against N."""
    import matplotlib as mpl  # noqa: PLC0415

    mpl.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    polls = {int(n): poll for n, poll in results["polls"].items()}
    sizes = sorted(polls)
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8))
    naive_sizes = [n for n in sizes if "naive" in polls[n]]
    left.plot(
        naive_sizes,
        [
            polls[n]["naive"]["total_requests"] + polls[n]["naive"]["logins"]
            for n in naive_sizes
        ],
        "o-",
        color="tab:red",
        label="naive (login + 1 state call per SIM)",
    )
    left.plot(
        sizes,
        [polls[n]["ours_status"]["total_requests"] for n in sizes],
        "s--",
        color="tab:orange",
        label="ours, status refresh (every 15 min)",
    )
    left.plot(
        sizes,
        [polls[n]["ours"]["total_requests"] for n in sizes],
        "o-",
        color="tab:blue",
        label="ours, steady refresh",
    )
    left.plot(
        sizes,
        [physical_pages(n) for n in sizes],
        "k:",
        label="physical limit ⌈N/50⌉",
    )
    left.set(
        xscale="log",
        yscale="log",
        xlabel="SIMs (N)",
        ylabel="requests per refresh",
        title="Requests per refresh",
    )
    left.axhline(BUDGET, color="grey", linewidth=0.8)
    left.annotate(
        "budget: 60 requests per minute", (sizes[0], BUDGET * 1.15), color="grey"
    )
    right.plot(
        naive_sizes,
        [polls[n]["naive"]["wall"] for n in naive_sizes],
        "o-",
        color="tab:red",
        label="naive",
    )
    right.plot(
        sizes,
        [polls[n]["ours"]["wall"] for n in sizes],
        "o-",
        color="tab:blue",
        label="ours (60/min budget)",
    )
    right.plot(
        sizes,
        [polls[n]["ours_unbounded"]["wall"] for n in sizes],
        "^--",
        color="tab:cyan",
        label="ours, budget lifted",
    )
    right.plot(
        sizes,
        [polls[n]["raw"]["wall"] for n in sizes],
        "x-",
        color="tab:green",
        label="raw transport floor (measured)",
    )
    right.plot(
        sizes,
        [physical_wall(n, latency) for n in sizes],
        "k:",
        label="physical limit ⌈pages/4⌉ x latency",
    )
    waited = [n for n in sizes if polls[n]["ours"]["budget_wait"] > 0]
    if waited:
        n = waited[0]
        right.annotate(
            f"{polls[n]['ours']['total_requests']} pages > 60 per minute:\n"
            "the budget makes it wait",
            (n, polls[n]["ours"]["wall"]),
            xytext=(-125, -50),
            textcoords="offset points",
            fontsize=8,
            color="tab:blue",
        )
    right.set(
        xscale="log",
        yscale="log",
        xlabel="SIMs (N)",
        ylabel="seconds",
        title=f"Refresh wall time ({latency * 1000:.0f} ms latency)",
    )
    for axis in (left, right):
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def report(results: dict[str, Any], args: argparse.Namespace) -> str:
    """Return docs/benchmarks.md."""
    info = results["machine"]
    polls = {int(n): poll for n, poll in results["polls"].items()}
    biggest = max(polls)
    big = polls[biggest]
    entities = big["entities"]
    capped = big["log"].get("Reached the maximum", 0)
    lines = [
        "# Polling benchmark",
        "",
        "How many requests, how much time and CPU one refresh of a Monogoto account costs, from",
        "10 to 5,000 SIMs: ours, the naive way (log in, then one state call per SIM, one after",
        "the other), and the physical limit (⌈N/50⌉ listing requests, ⌈pages/4⌉ x latency with",
        "the client's 4 concurrent requests). Everything runs against the simulator on",
        "127.0.0.1; nothing calls the real console.",
        "",
        "![Requests and wall time against N](benchmarks.png)",
        "",
        "## Reproduce",
        "",
        "```sh",
        "benchmarks/run            # installs requirements_bench.txt, then the whole run (~6 min)",
        "benchmarks/run --quick    # 10 and 100 SIMs, 10 ms latency: a smoke test (~40 s)",
        "```",
        "",
        (
            "(`benchmarks/run` is `source scripts/_env.sh; inenv python -m benchmarks.polling`; "
            "`--help` lists the knobs.)"
        ),
        "",
        f"- Date: {results['date']}",
        f"- Machine: {info['cpu']}, {info['memory']}, {info['os']}",
        (
            f"- Software: Python {info['python']}, Home Assistant {info['home_assistant']}, "
            f"aiohttp {info['aiohttp']}"
        ),
        (
            f"- Latency injected by the simulator: {args.latency * 1000:.0f} ms per request; "
            f"{args.repeat} steady refreshes per size, the median shown"
        ),
        f"- Total run time: {results['seconds']:.0f} s"
        + (
            "; the naive refreshes (which wait on the latency, one request at a time) ran "
            f"after ours, N={biggest:,} in parallel with the smaller ones, the simulated "
            "hours and its own memory run, against a simulator process of its own"
            if results["parallel_naive"]
            else ""
        ),
        "",
        "## Refresh cost",
        "",
        *table(results, args.latency),
        "",
        "How to read it:",
        "",
        (
            "- *requests per refresh*: from the simulator's own counters, by endpoint "
            "(login = `POST /Auth`, list = `GET /things`, state = `GET /thing/{id}/state`, "
            "status = `GET /thing/status`)."
        ),
        (
            "- *wall time*: from the start of the coordinator's refresh to the last entity "
            "updated. Waits imposed by the request budget (60 requests in any 60 s) are taken on "
            "a virtual clock, so the benchmark does not sit through them, and added to the wall "
            "time; nothing else is simulated. Each steady refresh starts one poll interval "
            "(5 min, virtual) after the previous one, as in Home Assistant."
        ),
        (
            "- *x physical limit*: wall time divided by ⌈⌈N/50⌉/4⌉ x latency. The *raw transport "
            "floor* fetches the same pages with bare aiohttp, reading the bodies without parsing "
            "them: the simulator's JSON and the loopback transfer of ~210 kB per page are in it."
        ),
        (
            "- *CPU*: `time.process_time()` of the Home Assistant process over the refresh (the "
            "simulator runs in its own process); *peak memory*: `tracemalloc` peak over one more "
            "refresh (the naive one at 0 ms latency, which does not change what it allocates)."
        ),
        (
            "- *writes / changed / reported*: entity state writes (`async_write_ha_state` calls), "
            "`state_changed` and `state_reported` events during a refresh in which nothing "
            "changed in the account. The naive row keeps Home Assistant's default "
            "`always_update=True`: every entity writes, the state machine then drops the "
            "unchanged values (0 changed) but still reports each one."
        ),
        f"- Entities: at N={biggest:,} Home Assistant created {entities['enabled']:,} enabled "
        f"entities ({entities['registered']:,} registered) for {big['things']:,} SIMs"
        + (
            f" — it refuses more than 10,000 enabled entities per config entry "
            f"(`MAX_ENABLED_ENTITIES_PER_CONFIG_ENTRY`) and logged so {capped} time(s). "
            "Counts of writes at that size are for the entities that exist."
            if capped
            else "."
        ),
        "",
        "## Targets",
        "",
        *targets(results, args.latency),
        "",
        "## Fallback mode over a simulated hour",
        "",
        (
            "When the listing lacks `State`, every SIM costs a state call per refresh. The "
            "coordinator stretches its interval to fit the budget (`_fit_interval`: the requests a "
            "status refresh needs, at 60 per minute, plus 10 %), and the client's budget spaces "
            "the requests within a refresh. Here a simulator that answers *429* past 60 requests "
            "(or 5 logins) in any rolling 60 s, stamping each request on a virtual clock shared "
            "with the client's budget and the coordinator, is polled for an hour of virtual time "
            "(the last refresh is let finish; the rate figures cover the whole span)."
        ),
        "",
        *hour_table(results),
        "",
        "## Where the CPU time goes",
        "",
        *profile_table(results),
        "",
        "The listing's JSON (~210 kB per page of 50) is decoded with orjson (Home "
        "Assistant's own JSON library; the standard library's `json` cost about 20 ms more "
        "per 1,000 SIMs) and each thing is parsed into a frozen `Thing` by `api/models.py` "
        "(lenient parsing of ~15 fields and two timestamps, ~20 µs a thing): together about "
        "60 % of a refresh's CPU. Most of *other* is the garbage collector, woken by the "
        "allocations of decoding; `list_things_page`'s own time is mostly collections "
        "charged to it too. Home Assistant's share is small because an unchanged account "
        "notifies no entity (`always_update=False`). Loop stalls: the longest the event loop "
        "went without a break during a steady refresh was "
        + ", ".join(
            f"{_ms(poll['ours_stall']['loop_stall'])} at N={n:,}"
            for n, poll in sorted(polls.items())
        )
        + " (pages are parsed one at a time as they arrive).",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    """Parse the command line, measure, write the report and the plot."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.polling", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--sizes",
        default="10,100,1000,5000",
        help="SIM counts (default 10,100,1000,5000)",
    )
    parser.add_argument(
        "--latency", type=float, default=0.05, help="seconds per request (default 0.05)"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="steady refreshes per size"
    )
    parser.add_argument(
        "--hour-sizes",
        default="100,1000,5000",
        help="sizes of the simulated fallback hour",
    )
    parser.add_argument("--no-naive", action="store_true", help="skip the naive mode")
    parser.add_argument(
        "--serial", action="store_true", help="run nothing in parallel (slower)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="10 and 100 SIMs at 10 ms: a smoke test"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--plot", type=Path, default=ROOT / "docs" / "benchmarks.png")
    parser.add_argument("--json", type=Path, help="also save the raw results here")
    parser.add_argument(
        "--from-json",
        type=Path,
        help="measure nothing: write the report and the plot from results saved by --json",
    )
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.latency, args.hour_sizes = "10,100", 0.01, "100"
        if args.out == ROOT / "docs" / "benchmarks.md":
            args.out = ROOT / "artifacts" / "benchmarks" / "benchmarks.md"
            args.plot = ROOT / "artifacts" / "benchmarks" / "benchmarks.png"
    args.sizes = [int(n) for n in args.sizes.split(",")]
    args.hour_sizes = [int(n) for n in args.hour_sizes.split(",") if n]

    if args.from_json:
        results = json.loads(args.from_json.read_text())
        for key in ("polls", "hours"):  # JSON made the sizes strings
            results[key] = {int(n): value for n, value in results[key].items()}
        settings = results.get("settings", {})
        args.latency = settings.get("latency", args.latency)
        args.repeat = settings.get("repeat", args.repeat)
    else:
        results = measure(args)
        results["machine"] = machine()
        results["date"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        results["settings"] = {"latency": args.latency, "repeat": args.repeat}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if args.json and not args.from_json:
        args.json.write_text(json.dumps(results, indent=1))
    text = report(results, args)
    args.out.write_text(text)
    plot(results, args.latency, args.plot)
    print("\n".join(table(results, args.latency)))
    print()
    print("\n".join(targets(results, args.latency)))
    print()
    print("\n".join(hour_table(results)))
    log(f"\nwrote {args.out} and {args.plot} in {results['seconds']:.0f} s")


if __name__ == "__main__":
    main()
