"""The simulator's command line serves SIMs that the client lists, with their states."""

from __future__ import annotations

import asyncio
import sys

import aiohttp
import pytest

from custom_components.monogoto.api import MonogotoClient, MonogotoConnectionError


@pytest.mark.parametrize("profile", ["kind", "unkind"])
async def test_cli_serves_things_the_client_lists(
    socket_enabled: None, unused_tcp_port: int, profile: str
) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.simulator",
        "--things",
        "7",
        "--port",
        str(unused_tcp_port),
        *(["--unkind"] if profile == "unkind" else []),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        assert process.stdout is not None
        banner = [
            (await asyncio.wait_for(process.stdout.readline(), 30)).decode().strip()
            for _ in range(3)
        ]
        assert (
            banner[0] == f"Monogoto simulator ({profile} console): 7 SIMs at "
            f"http://127.0.0.1:{unused_tcp_port}"
        )
        username = banner[1].split(": ", 1)[1].strip()
        password = banner[2].split(": ", 1)[1].strip()
        async with aiohttp.ClientSession() as session:
            client = MonogotoClient(
                session,
                username,
                password,
                base_url=f"http://127.0.0.1:{unused_tcp_port}",
            )
            for _ in range(50):  # the banner is printed just before the port opens
                try:
                    things = (await client.list_things()).things
                    break
                except MonogotoConnectionError:
                    await asyncio.sleep(0.1)
        assert len(things) == 7
        assert {thing.state for thing in things} == {
            "ACTIVE",
            "SUSPENDED",
            "PROVISIONED",
            "TEST_ACTIVE",
            "RETIRED",
        }
    finally:
        process.terminate()
        await process.wait()
