"""The entity plan: which entities fit under Home Assistant's cap for every included SIM, and applying it.

Home Assistant refuses to add an enabled entity to a config entry that already has 10,000
(``MAX_ENABLED_ENTITIES_PER_CONFIG_ENTRY``), and logs the refusal; which entities it refuses
then depends on the order they happen to arrive in. The plan decides instead, the same way for
every SIM: its state sensor is always enabled, then, as long as *every* SIM's fits, its switch,
its online sensor, its data used, its pushed SMS and data-session events, its other sensors,
its SMS entity, its buttons, its device swaps and its IMEI lock, in that order. (An entity kind without a level, such as a SIM's
tracker, which exists only once the console locates it, takes what room is left, through the
same count.) What does not fit is
still created, disabled (the user may enable some), and a repair issue says so. A level is
enabled for all SIMs or for none, so that no SIM is arbitrarily better served than another.

Diagnostic entities are disabled by default anyway and take no place in the plan.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import MAX_ENABLED_ENTITIES_PER_CONFIG_ENTRY

from .api import Field
from .const import DOMAIN
from .issues import sync_plan_issue

#: The per-SIM entities enabled by default, most useful first, each with the fields it needs
#: (any one of them; none: every SIM has it). The first is enabled whatever the number of SIMs.
PLAN_ORDER: Final[tuple[tuple[str, tuple[Field, ...]], ...]] = (
    ("sim_state", (Field.STATE,)),
    ("sim", ()),
    ("online", ()),
    ("data_used", (Field.DATA_USED,)),
    ("sms_events", ()),
    ("data_sessions", ()),
    ("sms_sent", (Field.SMS_SENT,)),
    ("last_data_activity", (Field.LAST_DATA_ACTIVITY,)),
    ("last_network_registration", (Field.LAST_NETWORK_REGISTRATION,)),
    ("network", (Field.OPERATOR, Field.NETWORK)),
    ("roaming_country", (Field.NETWORK,)),
    # Here: the sensor of every other field (``planned_keys``), in the order of ``Field``.
    ("sms", ()),
    ("ping", ()),
    ("reset_connection", ()),
    ("device_swaps", (Field.IMEI,)),
    ("imei_lock", (Field.IMEI_LOCK,)),
)
#: The level after which a field sensor without a place of its own is planned.
LAST_NAMED_SENSOR: Final = "roaming_country"
#: Fields outside the plan: the identifiers, whose sensors are diagnostic and disabled by
#: default, and the location, whose tracker exists only for some SIMs and takes what room is
#: left under the cap when it comes.
UNPLANNED_FIELDS: Final = frozenset(
    {
        Field.IMEI,
        Field.IMSI,
        Field.MSISDN,
        Field.IP_ADDRESS,
        Field.APN,
        Field.CELL_ID,
        Field.LOCATION,
    }
)
#: Enabled entities of the account device (its totals, ``sensor.ACCOUNT_SENSORS``), kept
#: out of the SIMs' share.
ACCOUNT_ENTITIES: Final = 5
#: The enabled entities the SIMs may have.
SIM_CAP: Final = MAX_ENABLED_ENTITIES_PER_CONFIG_ENTRY - ACCOUNT_ENTITIES


@dataclass(frozen=True, slots=True)
class EntityPlan:
    """Which per-SIM entities start enabled."""

    #: Included SIMs the plan is for.
    sims: int
    #: Keys enabled by default for every SIM.
    enabled: frozenset[str]
    #: Keys the account has, left disabled for lack of room, most useful first.
    left_disabled: tuple[str, ...]
    #: The most SIMs that would keep every entity enabled.
    fits: int

    @property
    def disabled_entities(self) -> int:
        """Return how many entities the plan leaves disabled."""
        return self.sims * len(self.left_disabled)


def planned_keys(fields: Iterable[Field]) -> list[str]:
    """Return the per-SIM kinds the plan has levels for, most useful first.

    A new field's sensor (keyed by the field's name) needs no place in ``PLAN_ORDER``: it is
    planned after the named sensors, unless its field is one of ``UNPLANNED_FIELDS``.
    """
    fields = frozenset(fields)
    named = {field for _, needs in PLAN_ORDER for field in needs}
    others = [
        field.value
        for field in Field
        if field in fields and field not in named and field not in UNPLANNED_FIELDS
    ]
    keys: list[str] = []
    for key, needs in PLAN_ORDER:
        if not needs or fields.intersection(needs):
            keys.append(key)
        if key == LAST_NAMED_SENSOR:
            keys += others
    return keys


def plan_entities(sims: int, fields: Iterable[Field], cap: int = SIM_CAP) -> EntityPlan:
    """Plan the enabled entities of ``sims`` SIMs whose account carries ``fields``."""
    keys = planned_keys(fields)
    enabled: set[str] = set()
    left: list[str] = []
    used = 0
    for index, key in enumerate(keys):
        if not left and (index == 0 or used + sims <= cap):
            enabled.add(key)
            used += sims
        else:
            left.append(key)
    return EntityPlan(
        sims=sims,
        enabled=frozenset(enabled),
        left_disabled=tuple(left),
        fits=cap // max(1, len(keys)),
    )


class EntityPlanner:
    """Keeps an entry's plan, grants new entities their room under the cap, and says what it left out."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        sims_and_fields: Callable[[], tuple[int, frozenset[Field]]],
    ) -> None:
        """Plan for the SIMs and fields ``sims_and_fields`` returns at each call."""
        self._hass = hass
        self._entry = entry
        self._sims_and_fields = sims_and_fields
        #: The plan last made, and the new entities it started enabled that Home Assistant
        #: may not have registered yet (platform, unique id).
        self._plan: EntityPlan | None = None
        self._pending_enabled: set[tuple[str, str]] = set()
        #: New entities the plan wanted enabled but that found no room under the cap.
        self.refused_enabled = 0

    def plan(self) -> EntityPlan:
        """Return the plan for the included SIMs; tell the user when it disables some."""
        sims, fields = self._sims_and_fields()
        plan = plan_entities(
            sims, fields, MAX_ENABLED_ENTITIES_PER_CONFIG_ENTRY - ACCOUNT_ENTITIES
        )
        if plan != self._plan:
            self._plan = plan
            sync_plan_issue(self._hass, self._entry, plan, self.refused_enabled)
        return plan

    def claim_enabled(self, platform: str, unique_ids: Iterable[str]) -> set[str]:
        """Return which of these entities, planned enabled, may start enabled.

        Every enabled-by-default entity of the entry asks here (the account's totals too).
        The plan counts SIMs; this counts entities, as Home Assistant does: the entry's
        enabled entities (the user may have enabled more, an earlier plan may have been
        for fewer SIMs) and the ones just handed to Home Assistant. An entity already
        registered keeps its own setting and takes no new room.
        """
        registry = er.async_get(self._hass)
        self._pending_enabled = {
            key
            for key in self._pending_enabled
            if registry.async_get_entity_id(key[0], DOMAIN, key[1]) is None
        }
        room = (
            MAX_ENABLED_ENTITIES_PER_CONFIG_ENTRY
            - registry.entities.get_enabled_count_for_config_entry_id(
                self._entry.entry_id
            )
            - len(self._pending_enabled)
        )
        granted: set[str] = set()
        refused = 0
        for unique_id in unique_ids:
            if registry.async_get_entity_id(platform, DOMAIN, unique_id) is not None:
                granted.add(unique_id)
            elif room > 0:
                room -= 1
                granted.add(unique_id)
                self._pending_enabled.add((platform, unique_id))
            else:
                refused += 1
        if refused:
            self.refused_enabled += refused
            sync_plan_issue(self._hass, self._entry, self._plan, self.refused_enabled)
        return granted

    @callback
    def apply(
        self,
        platform: Platform,
        entities: Iterable[Entity],
        left_disabled: Collection[str] = (),
    ) -> None:
        """Start disabled the new entities the plan leaves out or the cap has no room for.

        ``left_disabled`` are the description keys the plan disables; every other entity
        enabled by default asks for room (``claim_enabled``). Entities disabled by default
        anyway take no room.
        """
        planned: list[Entity] = []
        for entity in entities:
            if not entity.entity_registry_enabled_default:
                continue
            if entity.entity_description.key in left_disabled:
                entity._attr_entity_registry_enabled_default = False  # noqa: SLF001
            else:
                planned.append(entity)
        granted = self.claim_enabled(platform, [str(e.unique_id) for e in planned])
        for entity in planned:
            if entity.unique_id not in granted:
                entity._attr_entity_registry_enabled_default = False  # noqa: SLF001
