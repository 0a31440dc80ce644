"""The "SIM active" switch: on while the SIM is active; turning it on activates the SIM.

What on and off do in each documented state (``SWITCH_ACTIONS``):

============  =====  ====================================  ===================================
SIM state     shown  turn on                               turn off
============  =====  ====================================  ===================================
provisioned   off    activate (``ACTIVE``)                 nothing (no request): not active
test_active   off    activate (``ACTIVE``)                 nothing (no request): not active
active        on     nothing (no request): already active  suspend (``SUSPENDED``)
suspended     off    re-activate (``ACTIVE``)              nothing (no request): already off
retired       off    refused: ``sim_retired`` error        refused: ``sim_retired`` error
============  =====  ====================================  ===================================

The console can set only ``ACTIVE`` and ``SUSPENDED``, so the switch is available in every
documented state (a retired SIM explains itself when touched) and unavailable only while the
console reports a state it does not document, or its data cannot be read.
"""

from __future__ import annotations

from typing import Any, Final

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import Platform
from homeassistant.exceptions import ServiceValidationError

from .actions import async_set_sim_state
from .api import ThingState
from .const import DOMAIN
from .coordinator import ThingsCoordinator
from .entity import MonogotoThingEntity, thing_platform_setup

# Each switch writes to the live, billable account: one write at a time.
PARALLEL_UPDATES = 1

SIM_SWITCH = SwitchEntityDescription(key="sim", translation_key="sim")

#: Per SIM state, the state that turning the switch on and off writes (None: no request).
SWITCH_ACTIONS: Final[dict[ThingState, tuple[ThingState | None, ThingState | None]]] = {
    ThingState.PROVISIONED: (ThingState.ACTIVE, None),
    ThingState.TEST_ACTIVE: (ThingState.ACTIVE, None),
    ThingState.ACTIVE: (None, ThingState.SUSPENDED),
    ThingState.SUSPENDED: (ThingState.ACTIVE, None),
}
#: Documented states the console lets nobody leave: the switch refuses, with an explanation.
REFUSING_STATES: Final = frozenset({ThingState.RETIRED})


class MonogotoSimSwitch(MonogotoThingEntity[ThingsCoordinator], SwitchEntity):
    """Shows whether a SIM is active; activates or suspends it (see ``SWITCH_ACTIONS``)."""

    @property
    def available(self) -> bool:
        """Available in every documented state; not for a state the console made up."""
        state = self.thing.sim_state if super().available else None
        return state in SWITCH_ACTIONS or state in REFUSING_STATES

    @property
    def is_on(self) -> bool:
        """Return whether the SIM is active."""
        return self.thing.sim_state is ThingState.ACTIVE

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Activate the SIM, unless it already is."""
        await self._async_write(on=True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Suspend the SIM, if it is active."""
        await self._async_write(on=False)

    async def _async_write(self, *, on: bool) -> None:
        state = self.thing.sim_state
        if state is None or state not in SWITCH_ACTIONS:  # retired
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="sim_retired",
                translation_placeholders={"device": self.device_name},
            )
        if (target := SWITCH_ACTIONS[state][0 if on else 1]) is not None:
            await async_set_sim_state(self.runtime, self.thing_id, target)


async_setup_entry = thing_platform_setup(
    Platform.SWITCH, [SIM_SWITCH], MonogotoSimSwitch
)
