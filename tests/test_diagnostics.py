"""Diagnostics: a redacted snapshot, with the API profile of a kind and an unkind console."""

from __future__ import annotations

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from homeassistant.core import HomeAssistant


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
