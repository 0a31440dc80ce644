"""Serve the simulator on a loopback port: ``python -m tests.simulator --things 30``."""

from __future__ import annotations

import argparse
import ipaddress

from aiohttp import web

from .app import MonogotoSimulator


def _loopback(host: str) -> str:
    if host != "localhost" and not ipaddress.ip_address(host).is_loopback:
        raise argparse.ArgumentTypeError(
            "the simulator only listens on loopback addresses"
        )
    return host


def main() -> None:
    """Parse the command line and serve until interrupted."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.simulator", description=__doc__
    )
    parser.add_argument(
        "--things", type=int, default=30, help="number of SIMs (default 30)"
    )
    parser.add_argument("--host", type=_loopback, default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument(
        "--latency", type=float, default=0.0, help="seconds added to every answer"
    )
    parser.add_argument(
        "--token-lifetime", type=float, default=4 * 3600, help="seconds; JWT exp"
    )
    parser.add_argument(
        "--state-body", choices=("plain", "quoted", "braced"), default="plain"
    )
    parser.add_argument(
        "--no-listing-state", action="store_true", help="omit State from /things"
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    sim = MonogotoSimulator(
        args.things,
        token_lifetime=args.token_lifetime,
        state_body=args.state_body,
        listing_includes_state=not args.no_listing_state,
        latency=args.latency,
        seed=args.seed,
    )
    url = f"http://{args.host}:{args.port}"
    print(f"Monogoto simulator: {len(sim.things)} SIMs at {url}", flush=True)
    print(f"  user name: {sim.username}", flush=True)
    print(f"  password:  {sim.password}", flush=True)
    web.run_app(sim.create_app(), host=args.host, port=args.port, print=None)


if __name__ == "__main__":
    main()
