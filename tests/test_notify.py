"""notify.py: the SMS entity of a SIM (notify.send_message), its snapshot."""

from __future__ import annotations

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from homeassistant.components.notify import (
    ATTR_MESSAGE,
    ATTR_TITLE,
    DOMAIN as NOTIFY_DOMAIN,
    SERVICE_SEND_MESSAGE,
)
from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from .helpers import entity_id_of
from .simulator import MonogotoSimulator


@pytest.mark.consoles("kind", "unkind")
async def test_notify_entity_sends_an_sms(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    console: str,
) -> None:
    thing_id = simulator.thing_ids()[0]
    entity_id = entity_id_of(hass, "notify", thing_id, "sms")
    await hass.services.async_call(
        NOTIFY_DOMAIN,
        SERVICE_SEND_MESSAGE,
        {ATTR_ENTITY_ID: entity_id, ATTR_MESSAGE: "APN,data.mono#", ATTR_TITLE: "x"},
        blocking=True,
    )
    # POST /thing/{id}/sms with the message only: the title is not part of an SMS.
    assert simulator.sms_bodies == [(thing_id, {"Message": "APN,data.mono#"})]
    assert simulator.requests["sms"] == 1
    # The entity shows when it last sent.
    assert hass.states.get(entity_id).state not in ("unknown", "unavailable")


@pytest.mark.parametrize("platforms", [[Platform.NOTIFY]])
@pytest.mark.freeze_time("2026-11-28 12:00:00+00:00")
async def test_notify_snapshot(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)
