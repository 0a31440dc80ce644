"""Fixtures shared by every test: the simulator on 127.0.0.1 and a config entry pointing at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from unittest.mock import PropertyMock, patch

import aiohttp
from aiohttp.test_utils import TestServer
from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

from custom_components.monogoto.api import MonogotoClient, RequestBudget, Window
from custom_components.monogoto.const import DOMAIN
from homeassistant.const import CONF_PASSWORD, CONF_URL, CONF_USERNAME
from homeassistant.core import HomeAssistant

from .simulator import DEMO_PASSWORD, DEMO_USERNAME, PROFILES, MonogotoSimulator
from .simulator.app import DEMO_CUSTOMER_ID
from .timetravel import ClientFactory, simulated_client


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run tests marked ``@pytest.mark.consoles(...)`` against each console profile."""
    marker = metafunc.definition.get_closest_marker("consoles")
    if marker is not None and "console" in metafunc.fixturenames:
        metafunc.parametrize("console", marker.args, indirect=True)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/monogoto in every test."""


@pytest.fixture
def console(request: pytest.FixtureRequest) -> str:
    """Return the console profile the simulator answers with (``kind`` unless parametrized)."""
    return str(getattr(request, "param", "kind"))


@pytest.fixture
def simulator(request: pytest.FixtureRequest, console: str) -> MonogotoSimulator:
    """Return the simulated console; ``@pytest.mark.things(n)`` sets how many SIMs it holds."""
    marker = request.node.get_closest_marker("things")
    return MonogotoSimulator(
        marker.args[0] if marker else 3, quirks=PROFILES[console]()
    )


@pytest.fixture
async def sim_url(
    simulator: MonogotoSimulator, socket_enabled: None
) -> AsyncIterator[str]:
    """Serve the simulator over real HTTP on 127.0.0.1 and return its base URL."""
    # No access log: request lines carry thing ids (ICCIDs), and the secret tests read logs.
    server = TestServer(simulator.create_app(), host="127.0.0.1")
    await server.start_server(access_log=None)
    yield str(server.make_url("")).rstrip("/")
    await server.close()


@pytest.fixture
async def client(sim_url: str) -> AsyncIterator[MonogotoClient]:
    """Return a client (own session, test-sized budget) talking to the simulator."""
    async with aiohttp.ClientSession() as session:
        yield MonogotoClient(
            session,
            DEMO_USERNAME,
            DEMO_PASSWORD,
            base_url=sim_url,
            request_timeout=2,
            budget=RequestBudget([Window(1000, 60)]),
        )


@pytest.fixture
def mock_config_entry(sim_url: str) -> MockConfigEntry:
    """Return a config entry for the simulator's demo account."""
    return MockConfigEntry(
        domain=DOMAIN,
        entry_id="01JMONOGOTOACCOUNTENTRY001",
        title=DEMO_USERNAME,
        unique_id=DEMO_CUSTOMER_ID,
        data={
            CONF_USERNAME: DEMO_USERNAME,
            CONF_PASSWORD: DEMO_PASSWORD,
            CONF_URL: sim_url,
        },
    )


@pytest.fixture
async def init_integration(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> MockConfigEntry:
    """Set the integration up against the simulator, in frozen time (see ``next_poll``).

    Waits for the statuses and details read in the background after set-up too.
    """
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    return mock_config_entry


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Use Home Assistant's snapshot serializers (stable ids, tests/snapshots/)."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture
def entity_registry_enabled_by_default() -> Iterator[None]:
    """Create entities that are disabled by default as enabled (for snapshots)."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        return_value=True,
        new_callable=PropertyMock,
    ):
        yield


@pytest.fixture
def platforms() -> list[str]:
    """Return the platforms to set up (all of them unless a test narrows it)."""
    return []


@pytest.fixture(autouse=True)
def only_platforms(platforms: list[str]) -> Iterator[None]:
    """Narrow the set-up to ``platforms`` when a test module asks for it."""
    if not platforms:
        yield
        return
    with patch("custom_components.monogoto.PLATFORMS", platforms):
        yield


@pytest.fixture
def clients() -> Iterator[ClientFactory]:
    """Give the entry's client clocks that follow the frozen time (token, budget, rests)."""
    with simulated_client() as factory:
        yield factory
