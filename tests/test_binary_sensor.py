"""binary_sensor.py: the online sensor of a SIM: snapshot, and a failing status call affecting only it."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.monogoto.const import STATUS_INTERVAL
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from .helpers import next_poll, state_of
from .simulator import MonogotoSimulator

#: Every behaviour holds against a console that answers the undocumented questions otherwise.
pytestmark = pytest.mark.consoles("kind", "unkind")


@pytest.fixture
def platforms() -> list[str]:
    """Set up the online sensors and the SIM state sensors (to see those stay available)."""
    return [Platform.BINARY_SENSOR, Platform.SENSOR]


@pytest.mark.parametrize("platforms", [[Platform.BINARY_SENSOR]])
@pytest.mark.freeze_time("2026-11-28 12:00:00+00:00")
async def test_binary_sensor_snapshot(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    entities = er.async_entries_for_config_entry(
        entity_registry, init_integration.entry_id
    )
    assert [entry.domain for entry in entities].count("binary_sensor") == 3
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)


async def test_online_follows_connection_status(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    thing_id = simulator.thing_ids()[0]
    assert state_of(hass, "binary_sensor", thing_id, "online").state == STATE_ON
    simulator.connection[thing_id] = "DISCONNECTED"
    # Statuses are read every STATUS_INTERVAL, not on every poll.
    await next_poll(hass, freezer, STATUS_INTERVAL.total_seconds())
    assert state_of(hass, "binary_sensor", thing_id, "online").state == STATE_OFF


async def test_status_failure_affects_only_online(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    thing_id = simulator.thing_ids()[0]
    simulator.fail("status", status=500)
    await next_poll(hass, freezer, STATUS_INTERVAL.total_seconds())
    assert (
        state_of(hass, "binary_sensor", thing_id, "online").state == STATE_UNAVAILABLE
    )
    assert state_of(hass, "sensor", thing_id, "sim_state").state == "active"
    # The statuses have their own cadence: the next status read brings it back.
    await next_poll(hass, freezer, STATUS_INTERVAL.total_seconds())
    assert state_of(hass, "binary_sensor", thing_id, "online").state == STATE_ON
