"""Serve the simulator on a loopback port: ``python -m tests.simulator --things 30``."""

from __future__ import annotations

import argparse
import ipaddress

from aiohttp import web

from .app import MonogotoSimulator
from .quirks import PROFILES


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
        "--jitter", type=float, default=0.0, help="up to this many random seconds more"
    )
    parser.add_argument(
        "--unkind",
        action="store_const",
        const="unkind",
        dest="profile",
        default="kind",
        help="answer every undocumented question the other way (tests/simulator/quirks.py)",
    )
    parser.add_argument(
        "--state-body", choices=("plain", "quoted", "braced"), help="state body form"
    )
    parser.add_argument(
        "--no-listing-state", action="store_true", help="omit State from /things"
    )
    parser.add_argument(
        "--no-respell",
        action="store_true",
        help="keep the answers spelled as documented (the unkind console re-spells them)",
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    quirks = PROFILES[args.profile]()
    if args.no_respell:
        quirks.respell = frozenset()
    if args.state_body:
        quirks.state_body = args.state_body
    if args.no_listing_state:
        quirks.listing_includes_state = False
    sim = MonogotoSimulator(
        args.things,
        token_lifetime=args.token_lifetime,
        quirks=quirks,
        latency=args.latency,
        jitter=args.jitter,
        seed=args.seed,
    )
    url = f"http://{args.host}:{args.port}"
    print(
        f"Monogoto simulator ({args.profile} console): {len(sim.things)} SIMs at {url}",
        flush=True,
    )
    print(f"  user name: {sim.username}", flush=True)
    print(f"  password:  {sim.password}", flush=True)
    web.run_app(sim.create_app(), host=args.host, port=args.port, print=None)


if __name__ == "__main__":
    main()
