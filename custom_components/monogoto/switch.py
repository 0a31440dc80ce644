"""A SIM's switches: "SIM active" (below) and "IMEI lock" (``MonogotoImeiLockSwitch``).

The "SIM active" switch is on while the SIM is active; turning it on activates the SIM.

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
from homeassistant.const import EntityCategory, Platform
from homeassistant.exceptions import ServiceValidationError

from .actions import async_set_imei_lock, async_set_sim_state
from .api import Field, ThingState
from .const import DOMAIN
from .coordinator import ThingsCoordinator
from .entity import MonogotoThingEntity, combined_setup, thing_platform_setup

# Each switch writes to the live, billable account: one write at a time.
PARALLEL_UPDATES = 1

SIM_SWITCH = SwitchEntityDescription(key="sim", translation_key="sim")
IMEI_LOCK_SWITCH = SwitchEntityDescription(
    key="imei_lock", translation_key="imei_lock", entity_category=EntityCategory.CONFIG
)

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


class MonogotoImeiLockSwitch(MonogotoThingEntity[ThingsCoordinator], SwitchEntity):
    """On while the SIM is locked to its device's IMEI: in any other device it gets no service.

    Unavailable while the SIM has no IMEI yet (it was never in a device): there is nothing
    to lock it to.
    """

    @property
    def fields(self) -> frozenset[Field]:
        """Return the field the switch shows."""
        return frozenset({Field.IMEI_LOCK})

    @property
    def available(self) -> bool:
        """Available once the SIM was in a device (it has an IMEI to be locked to)."""
        thing = self.thing if super().available else None
        return thing is not None and bool(thing.imei or thing.master_imei)

    @property
    def is_on(self) -> bool:
        """Return whether the console locks the SIM to its ``MasterIMEI``."""
        return self.thing.imei_locked is True

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Lock the SIM to the device it is in (or the ``MasterIMEI`` already set)."""
        await async_set_imei_lock(
            self.runtime, self.thing_id, self.device_name, locked=True
        )

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Let the SIM work in any device."""
        await async_set_imei_lock(
            self.runtime, self.thing_id, self.device_name, locked=False
        )


async_setup_entry = combined_setup(
    thing_platform_setup(Platform.SWITCH, [SIM_SWITCH], MonogotoSimSwitch),
    thing_platform_setup(
        Platform.SWITCH,
        [IMEI_LOCK_SWITCH],
        MonogotoImeiLockSwitch,
        exists=lambda _, fields: Field.IMEI_LOCK in fields,
    ),
)
