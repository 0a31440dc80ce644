"""The simulator in a process of its own, so the benchmark's CPU figures are the client's alone.

``python -m benchmarks.simserver`` serves ``tests.simulator`` on a free loopback port, prints
``PORT <n>`` and serves until its standard input closes. Two extra routes, under ``/_sim/`` so
the simulator neither counts nor delays them:

- ``POST /_sim/bench/reset`` ``{"things": n, "latency": s, "listing_includes_state": b}``:
  regenerate the account with ``n`` SIMs, set the knobs and zero the request counters;
- ``POST /_sim/bench/latency`` ``{"latency": s}``: change the latency only;
- ``GET /_sim/bench/requests``: the request counters by endpoint.
"""

from __future__ import annotations

import asyncio
import sys

from aiohttp import web

from tests.simulator import MonogotoSimulator, make_thing


def build_app(sim: MonogotoSimulator) -> web.Application:
    """Return the simulator's application with the benchmark's control routes."""
    app = sim.create_app()

    async def reset(request: web.Request) -> web.Response:
        body = await request.json()
        sim.things.clear()
        sim.connection.clear()
        for index in range(1, int(body["things"]) + 1):
            sim.add_thing(make_thing(index))
        sim.latency = float(body.get("latency", 0.0))
        sim.listing_includes_state = bool(body.get("listing_includes_state", True))
        sim.requests.clear()
        return web.json_response({"things": len(sim.things)})

    async def latency(request: web.Request) -> web.Response:
        sim.latency = float((await request.json())["latency"])
        return web.json_response({"latency": sim.latency})

    async def requests(request: web.Request) -> web.Response:
        return web.json_response(dict(sim.requests))

    app.router.add_post("/_sim/bench/reset", reset)
    app.router.add_post("/_sim/bench/latency", latency)
    app.router.add_get("/_sim/bench/requests", requests)
    return app


async def _serve() -> None:
    runner = web.AppRunner(build_app(MonogotoSimulator(0)), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server = site._server  # noqa: SLF001 - the only way to learn the port picked by the OS
    assert server is not None
    port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    print(f"PORT {port}", flush=True)
    loop = asyncio.get_running_loop()
    # Serve until the benchmark closes our standard input (or dies).
    await loop.run_in_executor(None, sys.stdin.read)
    await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(_serve())
