"""Rate limiting: Retry-After honoured, a repair issue while it lasts, gone when it ends."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.monogoto.const import DOMAIN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from .helpers import next_poll
from .simulator import MonogotoSimulator


async def test_retry_after_is_honoured(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    listed = simulator.requests["things"]
    simulator.fail("things", status=429, headers={"Retry-After": "900"})
    await next_poll(hass, freezer)
    assert simulator.requests["things"] == listed + 1
    await next_poll(hass, freezer)  # 5 minutes later: still inside Retry-After
    await next_poll(hass, freezer)
    assert simulator.requests["things"] == listed + 1
    await next_poll(hass, freezer, 300)  # past the 900 s
    assert simulator.requests["things"] == listed + 2


async def test_repair_issue_while_rate_limited(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    registry = ir.async_get(hass)
    issue_id = f"rate_limited_{init_integration.entry_id}"
    simulator.fail("things", status=429, times=3)
    await next_poll(hass, freezer)
    await next_poll(hass, freezer)
    assert (
        registry.async_get_issue(DOMAIN, issue_id) is None
    )  # a blip is not worth a notice
    await next_poll(hass, freezer)
    issue = registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == "rate_limited"
    await next_poll(hass, freezer)
    assert registry.async_get_issue(DOMAIN, issue_id) is None
