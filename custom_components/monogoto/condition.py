"""Conditions for SIMs, offered in the automation editor (``conditions.yaml``).

Built on Home Assistant's entity-condition helpers, like the triggers in ``trigger.py``, and,
like them, matching only this integration's entities (``OwnEntities``).
"""

from __future__ import annotations

import probatio as vol

from homeassistant.const import CONF_OPTIONS, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.condition import (
    ENTITY_STATE_CONDITION_SCHEMA_ANY_ALL,
    Condition,
    ConditionConfig,
    EntityStateConditionBase,
)

from .const import CONF_STATES, SIM_STATE_OPTIONS
from .targets import ONLINE_SPEC, OwnEntitiesFilter, SimStateTarget

SIM_STATE_IS_SCHEMA = ENTITY_STATE_CONDITION_SCHEMA_ANY_ALL.extend(
    {
        vol.Required(CONF_OPTIONS): {
            vol.Required(CONF_STATES): vol.All(
                cv.ensure_list, vol.Length(min=1), [vol.In(SIM_STATE_OPTIONS)]
            ),
        },
    }
)


class OwnEntities(OwnEntitiesFilter, EntityStateConditionBase):
    """Base of the SIM conditions: they match only this integration's entities."""


class SimStateIsCondition(SimStateTarget, OwnEntities):
    """Passes when the SIM is in one of the chosen states."""

    _schema = SIM_STATE_IS_SCHEMA

    def __init__(self, hass: HomeAssistant, config: ConditionConfig) -> None:
        """Remember the chosen states."""
        super().__init__(hass, config)
        self._states = set((config.options or {})[CONF_STATES])


class IsOnlineCondition(OwnEntities):
    """Passes when the SIM has a data session."""

    _domain_specs = ONLINE_SPEC
    _states = {STATE_ON}  # noqa: RUF012 - the type the base class declares


CONDITIONS: dict[str, type[Condition]] = {
    "sim_state_is": SimStateIsCondition,
    "is_online": IsOnlineCondition,
}


async def async_get_conditions(hass: HomeAssistant) -> dict[str, type[Condition]]:
    """Return the SIM conditions."""
    return CONDITIONS
