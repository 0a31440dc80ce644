"""diagnostics.py: the entry and each device, redacted snapshots, kind and unkind console."""

from __future__ import annotations

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
    get_diagnostics_for_device,
)
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from custom_components.monogoto.const import DOMAIN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

from .simulator import MonogotoSimulator


@pytest.mark.consoles("kind", "unkind")
@pytest.mark.freeze_time("2026-11-28 12:00:00+00:00")
async def test_diagnostics(
    hass: HomeAssistant,
    hass_client,
    init_integration: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, init_integration
    )
    assert diagnostics == snapshot(
        exclude=props("entry_id", "created_at", "modified_at", "url")
    )


@pytest.mark.consoles("kind", "unkind")
@pytest.mark.freeze_time("2026-11-28 12:00:00+00:00")
async def test_device_diagnostics(
    hass: HomeAssistant,
    hass_client,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    """A SIM's page offers its own diagnostics, redacted like the entry's."""
    registry = dr.async_get(hass)
    thing_id = simulator.thing_ids()[0]
    raw = simulator.things[thing_id]
    found = {}
    for name, identifier in (("sim", thing_id), ("account", init_integration.entry_id)):
        device = registry.async_get_device_by_identifier(
            (DOMAIN, identifier), init_integration.entry_id
        )
        assert device is not None
        found[name] = await get_diagnostics_for_device(
            hass, hass_client, init_integration, device
        )
    assert found == snapshot(
        exclude=props("entry_id", "created_at", "modified_at", "url")
    )
    text = str(found)
    assert "sim-" in text  # the SIM is there, by its alias
    for key in ("ExternalUniqueId", "IMSI", "IMEI", "MSISDN"):
        assert raw[key] not in text, key
    assert thing_id not in text
    assert init_integration.data["password"] not in text
    assert init_integration.unique_id not in text
