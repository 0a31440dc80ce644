"""runtime.py: one merged view of a SIM, availability decided in one place, everything halted on a rejected password."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.monogoto.api import Field
from custom_components.monogoto.const import DETAILS_INTERVAL
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant

from .helpers import next_poll, state_of
from .simulator import MonogotoSimulator


@pytest.mark.usefixtures("clients")
@pytest.mark.consoles("unkind")
async def test_usage_sensors_exist_when_the_listing_lacks_usage(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The listing carries no ``ActualUsage``: the details fill it in, and follow changes."""
    thing_id = simulator.thing_ids()[0]
    simulator.things[thing_id]["ActualUsage"]["Data_"] = 250_000_000
    await next_poll(hass, freezer, DETAILS_INTERVAL.total_seconds() + 1)
    assert float(state_of(hass, "sensor", thing_id, "data_used").state) == 250.0


@pytest.mark.consoles("kind", "unkind")
async def test_password_change_while_polling_starts_reauth_without_login_loop(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    thing_id = simulator.thing_ids()[0]
    simulator.password = "changed"
    simulator.revoke_tokens()
    await next_poll(hass, freezer)
    assert state_of(hass, "sensor", thing_id, "sim_state").state == STATE_UNAVAILABLE
    flows = hass.config_entries.flow.async_progress()
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    logins = simulator.requests["auth"]
    await next_poll(hass, freezer)
    await next_poll(hass, freezer)
    assert simulator.requests["auth"] == logins  # polling stopped: no login storm


@pytest.mark.consoles("unkind")
async def test_the_merged_view_and_availability(
    hass: HomeAssistant, simulator: MonogotoSimulator, init_integration: MockConfigEntry
) -> None:
    """The listing lacks usage: the merged view has it from the details, and needs them."""
    runtime = init_integration.runtime_data
    thing_id = simulator.thing_ids()[0]
    listed = runtime.known_things()[thing_id]
    assert Field.DATA_USED not in listed.present
    assert listed.data_used is None
    assert runtime.thing(thing_id).data_used is not None
    usage, state = frozenset({Field.DATA_USED}), frozenset({Field.STATE})
    either = usage | state  # a value with a fallback (the network's name or its codes)
    assert runtime.reads_details(thing_id, usage)
    assert runtime.reads_details(thing_id, either)
    assert not runtime.reads_details(thing_id, state)

    assert runtime.available(thing_id, runtime.things, usage)
    runtime.details.last_update_success = False
    assert not runtime.available(thing_id, runtime.things, usage)
    assert runtime.available(thing_id, runtime.things, state)
    # One of its fields is in the listing: it can show a value without the details.
    assert runtime.available(thing_id, runtime.things, either)
    assert runtime.available(thing_id, runtime.statuses)
    runtime.statuses.async_set_updated_data({})
    assert not runtime.available(thing_id, runtime.statuses)
    assert not runtime.available("ThingId_ICCID_not_listed", runtime.things)
