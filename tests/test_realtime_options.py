"""options_flow.py's "Real-time events" step, the webhook's life with the entry, the push triggers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
import sys
from types import ModuleType
from typing import Any
from unittest.mock import AsyncMock, Mock, patch

from aiohttp.test_utils import TestClient
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_mock_service,
)

from custom_components.monogoto.const import (
    CONF_CLOUDHOOK_URL,
    CONF_INCLUDE,
    CONF_REALTIME_EVENTS,
    CONF_WEBHOOK_ID,
)
from homeassistant.components import webhook
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.network import NoURLAvailableError
from homeassistant.setup import async_setup_component

from .helpers import state_of
from .simulator import MonogotoSimulator
from .simulator.push import data_cdr, incoming_sms, sms_cdr

CLOUDHOOK = "https://hooks.nabu.casa/monogoto-test-hook"


async def _realtime_step(hass: HomeAssistant, entry: MockConfigEntry) -> Any:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    return await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "realtime_events"}
    )


async def _set_realtime(
    hass: HomeAssistant, entry: MockConfigEntry, enabled: bool
) -> None:
    result = await _realtime_step(hass, entry)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_REALTIME_EVENTS: enabled}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done(wait_background_tasks=True)


def _registered(hass: HomeAssistant, entry: MockConfigEntry) -> bool:
    return entry.data[CONF_WEBHOOK_ID] in hass.data.get(webhook.DOMAIN, {})


async def test_step_shows_the_url_and_turning_off_unregisters(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: MonogotoSimulator,
) -> None:
    webhook_id = init_integration.data[CONF_WEBHOOK_ID]
    assert len(webhook_id) == 64
    assert _registered(hass, init_integration)
    result = await _realtime_step(hass, init_integration)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "realtime_events"
    assert result["description_placeholders"] == {
        "url": f"http://10.10.10.10:8123/api/webhook/{webhook_id}"  # the test instance
    }
    marker = next(iter(result["data_schema"].schema))
    assert marker.description == {"suggested_value": True}

    await _set_realtime(hass, init_integration, False)
    assert init_integration.options == {CONF_REALTIME_EVENTS: False}
    assert init_integration.state is ConfigEntryState.LOADED
    assert not _registered(hass, init_integration)
    thing_id = simulator.thing_ids()[0]
    assert state_of(hass, "event", thing_id, "sms_events").state == STATE_UNAVAILABLE
    result = await _realtime_step(hass, init_integration)
    assert next(iter(result["data_schema"].schema)).description == {
        "suggested_value": False
    }

    # Choosing SIMs keeps the setting; turning it on again keeps the URL.
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "sims"}
    )
    await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_INCLUDE: "all"}
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert init_integration.options == {
        CONF_INCLUDE: "all",
        CONF_REALTIME_EVENTS: False,
    }
    await _set_realtime(hass, init_integration, True)
    assert init_integration.data[CONF_WEBHOOK_ID] == webhook_id
    assert _registered(hass, init_integration)
    assert state_of(hass, "event", thing_id, "sms_events").state == STATE_UNKNOWN


async def test_set_up_turned_off_registers_nothing_but_has_a_url(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    simulator: MonogotoSimulator,
) -> None:
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, options={CONF_REALTIME_EVENTS: False}
    )
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert not _registered(hass, mock_config_entry)
    thing_id = simulator.thing_ids()[0]
    assert state_of(hass, "event", thing_id, "data_sessions").state == STATE_UNAVAILABLE
    result = await _realtime_step(hass, mock_config_entry)
    webhook_id = mock_config_entry.data[CONF_WEBHOOK_ID]
    assert result["description_placeholders"]["url"].endswith(webhook_id)


async def test_unloading_unregisters(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    assert _registered(hass, init_integration)
    await hass.config_entries.async_unload(init_integration.entry_id)
    assert not _registered(hass, init_integration)


async def test_the_url_is_the_instance_url_when_one_is_set(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    hass.config.external_url = "https://ha.example.org"
    result = await _realtime_step(hass, init_integration)
    webhook_id = init_integration.data[CONF_WEBHOOK_ID]
    assert result["description_placeholders"] == {
        "url": f"https://ha.example.org/api/webhook/{webhook_id}"
    }


class CloudNotAvailable(Exception):  # noqa: N818 - named as Cloud names it
    """Stands in for Home Assistant Cloud's exception."""


class CloudNotConnected(Exception):  # noqa: N818 - named as Cloud names it
    """Stands in for Home Assistant Cloud's exception."""


async def test_without_any_url_the_path_is_shown(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    with patch(
        "homeassistant.components.webhook.get_url", side_effect=NoURLAvailableError
    ):
        result = await _realtime_step(hass, init_integration)
    webhook_id = init_integration.data[CONF_WEBHOOK_ID]
    assert result["description_placeholders"] == {"url": f"/api/webhook/{webhook_id}"}


@pytest.fixture
def cloud() -> Iterator[ModuleType]:
    """Home Assistant Cloud, logged in and subscribed.

    A stand-in module with the functions the integration calls: the real one needs
    libraries the test environment leaves out (``turbojpeg``).
    """
    module = ModuleType("homeassistant.components.cloud")
    module.async_active_subscription = Mock(return_value=True)  # type: ignore[attr-defined]
    module.async_create_cloudhook = AsyncMock(return_value=CLOUDHOOK)  # type: ignore[attr-defined]
    module.async_delete_cloudhook = AsyncMock()  # type: ignore[attr-defined]
    module.CloudNotAvailable = CloudNotAvailable  # type: ignore[attr-defined]
    module.CloudNotConnected = CloudNotConnected  # type: ignore[attr-defined]
    with patch.dict(sys.modules, {"homeassistant.components.cloud": module}):
        yield module


async def test_cloudhook_with_home_assistant_cloud(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, cloud: ModuleType
) -> None:
    create, delete = cloud.async_create_cloudhook, cloud.async_delete_cloudhook
    hass.config.components.add("cloud")
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    webhook_id = mock_config_entry.data[CONF_WEBHOOK_ID]
    create.assert_awaited_once_with(hass, webhook_id)
    assert mock_config_entry.data[CONF_CLOUDHOOK_URL] == CLOUDHOOK
    result = await _realtime_step(hass, mock_config_entry)
    assert result["description_placeholders"] == {"url": CLOUDHOOK}

    # A reload reuses it; turning real-time events off deletes it.
    await hass.config_entries.async_reload(mock_config_entry.entry_id)
    assert create.await_count == 1
    await _set_realtime(hass, mock_config_entry, False)
    delete.assert_awaited_once_with(hass, webhook_id)
    assert CONF_CLOUDHOOK_URL not in mock_config_entry.data

    # On again, then the entry removed: the new cloudhook is deleted with it.
    await _set_realtime(hass, mock_config_entry, True)
    assert create.await_count == 2
    await hass.config_entries.async_remove(mock_config_entry.entry_id)
    assert delete.await_count == 2


async def test_no_cloudhook_while_cloud_is_not_connected(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, cloud: ModuleType
) -> None:
    create, delete = cloud.async_create_cloudhook, cloud.async_delete_cloudhook
    create.side_effect = CloudNotConnected
    delete.side_effect = CloudNotAvailable
    hass.config.components.add("cloud")
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert CONF_CLOUDHOOK_URL not in mock_config_entry.data
    assert _registered(hass, mock_config_entry)
    # A cloudhook that cannot be deleted now stays recorded (deleted later).
    hass.config_entries.async_update_entry(
        mock_config_entry,
        data={**mock_config_entry.data, CONF_CLOUDHOOK_URL: CLOUDHOOK},
    )
    await _set_realtime(hass, mock_config_entry, False)
    assert mock_config_entry.data[CONF_CLOUDHOOK_URL] == CLOUDHOOK


async def test_no_cloudhook_without_a_subscription(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, cloud: ModuleType
) -> None:
    cloud.async_active_subscription.return_value = False
    hass.config.components.add("cloud")
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    cloud.async_create_cloudhook.assert_not_awaited()
    assert CONF_CLOUDHOOK_URL not in mock_config_entry.data


# -- triggers ----------------------------------------------------------------------------------


async def test_sms_received_and_data_session_triggers(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: MonogotoSimulator,
    hass_client_no_auth: Callable[[], Awaitable[TestClient]],
) -> None:
    first, second = simulator.thing_ids()[:2]
    target = {
        "entity_id": [
            state_of(hass, "event", first, "sms_events").entity_id,
            state_of(hass, "event", first, "data_sessions").entity_id,
        ]
    }
    calls = {
        name: async_mock_service(hass, "test", name)
        for name in ("sms_received", "data_session_started")
    }
    config = [
        {
            "alias": name,
            "triggers": [{"trigger": f"monogoto.{name}", "target": target}],
            "actions": [{"action": f"test.{name}"}],
        }
        for name in calls
    ]
    assert await async_setup_component(hass, "automation", {"automation": config})
    await hass.async_block_till_done()
    client = await hass_client_no_auth()
    path = f"/api/webhook/{init_integration.data[CONF_WEBHOOK_ID]}"
    things = simulator.things
    for body in (
        incoming_sms(things[first], "SOS"),
        sms_cdr(things[first], sent=True),  # sent: not "received"
        data_cdr(things[first]),
        incoming_sms(things[second], "other SIM"),  # not targeted
        data_cdr(things[first]),
    ):
        assert (await client.post(path, json=body)).status == 200
        await hass.async_block_till_done()
    assert len(calls["sms_received"]) == 1
    assert len(calls["data_session_started"]) == 2
