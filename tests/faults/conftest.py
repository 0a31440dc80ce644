"""Fixtures of the fault matrix: the ``world`` each scenario runs in, and what it is built from.

The canary account served over HTTP (and HTTPS, and behind a switchable DNS resolver), the
integration's clients on simulated clocks, and refreshes recorded as they finish.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
import time
from typing import Any
from unittest.mock import patch

import aiohttp
from freezegun.api import FrozenDateTimeFactory
import pytest

from custom_components.monogoto.coordinator import (
    MonogotoCoordinator,
    ThingsCoordinator,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from tests.network import (
    CERTIFICATE,
    SwitchableResolver,
    serve,
    tolerate_refused_handshakes,
)
from tests.simulator import MonogotoSimulator
from tests.test_secrets import canary_simulator
from tests.timetravel import ClientFactory, SimulatedTime, simulated_client

from .harness import World


@pytest.fixture
def simulator() -> MonogotoSimulator:
    """Serve the canary account: the canary SIM and two more."""
    sim = canary_simulator(2)
    # The frozen clock, looked up late: tokens expire in simulated time.
    sim.clock = lambda: time.time()  # noqa: PLW0108
    return sim


@pytest.fixture
async def sim_url(
    simulator: MonogotoSimulator, socket_enabled: None
) -> AsyncIterator[str]:
    """Serve the simulator on 127.0.0.1; end its stalls before shutting it down."""
    async with serve(simulator.create_app()) as server:
        yield str(server.make_url("")).rstrip("/")
        simulator.release_stalls()


@pytest.fixture
def clients() -> Iterator[ClientFactory]:
    """Build the integration's clients with simulated clocks and tracked sessions."""
    with simulated_client() as factory:
        yield factory


@pytest.fixture
async def world(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: MonogotoSimulator,
    sim_url: str,
    clients: ClientFactory,
    caplog: pytest.LogCaptureFixture,
) -> AsyncIterator[World]:
    """Return the world of one scenario, with refreshes recorded and time simulated."""
    clock = SimulatedTime(hass, freezer, simulator, clients)
    world = World(hass, simulator, clock, clients, sim_url, caplog)
    finished = MonogotoCoordinator._async_refresh_finished

    def record_refresh(coordinator: MonogotoCoordinator[Any]) -> None:
        if isinstance(
            coordinator, ThingsCoordinator
        ):  # the listing: the poll of record
            world.refreshes.append(
                (
                    hass.loop.time(),
                    coordinator.last_update_success,
                    len(simulator.request_log),
                    clients.sent,
                )
            )
        finished(coordinator)

    resolver = SwitchableResolver()
    async with (
        aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(resolver=resolver, use_dns_cache=False)
        ) as dns_session,
        serve(simulator.create_app(), tls=CERTIFICATE.server_context()) as tls_server,
    ):
        world.extra["tls_url"] = str(tls_server.make_url("")).rstrip("/")
        world.extra["dns"] = (dns_session, resolver)
        with (
            patch.object(
                MonogotoCoordinator, "_async_refresh_finished", record_refresh
            ),
            # The TLS server's side of each refused handshake is not the integration's.
            tolerate_refused_handshakes(hass.loop),
            world.patches,
        ):
            yield world
            if world.entry is not None and world.entry.state is ConfigEntryState.LOADED:
                await hass.config_entries.async_unload(world.entry.entry_id)
            await clock.settle()
            simulator.release_stalls()
    clock.close()
