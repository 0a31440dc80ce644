"""Rate limiting: Retry-After honoured, a repair issue while it lasts, gone when it ends."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.monogoto.const import DOMAIN
from homeassistant.config_entries import ConfigEntryState
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
    await next_poll(hass, freezer)  # past the 900 s
    assert simulator.requests["things"] == listed + 2


async def _three_rate_limited_polls(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: MonogotoSimulator,
    issue_id: str,
) -> None:
    """Poll into three 429s: no notice after one or two (a blip), a notice after the third."""
    simulator.fail("things", status=429, times=3)
    for _ in range(2):
        await next_poll(hass, freezer)
        assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    await next_poll(hass, freezer)
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None


async def test_repair_issue_while_rate_limited(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    registry = ir.async_get(hass)
    issue_id = f"rate_limited_{init_integration.entry_id}"
    await _three_rate_limited_polls(hass, freezer, simulator, issue_id)
    issue = registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == "rate_limited"
    await next_poll(hass, freezer)
    assert registry.async_get_issue(DOMAIN, issue_id) is None


async def test_rate_limit_issue_does_not_outlive_a_reload_or_an_unload(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The notice goes on reload and on unload; after a reload it counts afresh."""
    registry = ir.async_get(hass)
    issue_id = f"rate_limited_{init_integration.entry_id}"
    await _three_rate_limited_polls(hass, freezer, simulator, issue_id)

    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert init_integration.state is ConfigEntryState.LOADED
    assert registry.async_get_issue(DOMAIN, issue_id) is None

    # The reloaded entry's coordinator starts counting from nothing: a blip is no notice...
    await _three_rate_limited_polls(hass, freezer, simulator, issue_id)
    # ...and unloading takes the notice with it.
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert registry.async_get_issue(DOMAIN, issue_id) is None


async def test_leftover_rate_limit_issue_goes_with_the_first_good_listing(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """A notice left by an earlier run goes with the first successful refresh.

    Home Assistant stopped while rate limited keeps the notice in its issue registry; this
    coordinator never saw a 429, and removes it all the same.
    """
    registry = ir.async_get(hass)
    issue_id = f"rate_limited_{mock_config_entry.entry_id}"
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key="rate_limited",
        translation_placeholders={"title": mock_config_entry.title},
    )
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert registry.async_get_issue(DOMAIN, issue_id) is None
