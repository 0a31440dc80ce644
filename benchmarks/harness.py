"""Home Assistant for the benchmark, outside pytest: the test harness's core and registries.

``async_test_home_assistant`` (from ``pytest_homeassistant_custom_component``) gives the real
``HomeAssistant`` core, state machine and registries, kept in memory. The integration is set up
through its real ``async_setup_entry``; only what the benchmark says it changes is changed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
import logging
from typing import Any
from unittest.mock import patch

from aiohttp.resolver import ThreadedResolver

# Makes Home Assistant's clocks reachable by freezegun; imported before the rest of HA.
import pytest_homeassistant_custom_component.patch_time  # noqa: F401

# isort: split
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_test_home_assistant,
)

from custom_components.monogoto.const import DOMAIN
from homeassistant import loader
from homeassistant.const import CONF_PASSWORD, CONF_URL, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store
from tests.simulator import DEMO_PASSWORD, DEMO_USERNAME


@asynccontextmanager
async def home_assistant() -> AsyncIterator[HomeAssistant]:
    """Yield a Home Assistant instance that loads ``custom_components/monogoto``."""
    logging.getLogger("homeassistant.loader").setLevel(logging.ERROR)
    with (
        # Loopback needs no zeroconf resolver.
        patch(
            "homeassistant.helpers.aiohttp_client._async_make_resolver",
            return_value=_Resolver(),
        ),
        # Registries are not persisted: a delayed save (MBs of JSON for 5,000 devices)
        # would land in whichever refresh is being measured.
        patch.object(Store, "async_delay_save", lambda *args, **kwargs: None),
    ):
        async with async_test_home_assistant() as hass:
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
            try:
                yield hass
            finally:
                await hass.async_stop(force=True)


class _Resolver(ThreadedResolver):
    async def real_close(self) -> None:
        await self.close()


def add_entry(hass: HomeAssistant, url: str) -> MockConfigEntry:
    """Add a config entry for the simulator's demo account at ``url``."""
    credentials = {CONF_USERNAME: DEMO_USERNAME, CONF_PASSWORD: DEMO_PASSWORD}
    entry = MockConfigEntry(domain=DOMAIN, data={**credentials, CONF_URL: url})
    entry.add_to_hass(hass)
    return entry


@contextmanager
def without_entities() -> Iterator[None]:
    """Set the integration up without its entity platforms.

    The request pattern is the subject, and 5,000 SIMs' 40,000 entities take minutes to set
    up (Home Assistant enables at most 10,000 per entry anyway). The coordinators only poll
    while something listens: ``listen`` stands in for the entities.
    """
    with patch("custom_components.monogoto.PLATFORMS", []):
        yield


def listen(coordinators: Any) -> None:
    """Add a listener to each coordinator, as its entities would."""
    for coordinator in coordinators:
        coordinator.async_add_listener(lambda: None)
