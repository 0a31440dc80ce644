"""The entity plan (decision 12): every included SIM under Home Assistant's entity cap.

Home Assistant refuses to add an enabled entity to a config entry that already has 10,000
(``MAX_ENABLED_ENTITIES_PER_CONFIG_ENTRY``), and logs the refusal; which entities it refuses
then depends on the order they happen to arrive in. The plan decides instead, the same way for
every SIM: its state sensor is always enabled, then, as long as *every* SIM's fits, its switch,
its online sensor, its data used, its pushed SMS and data-session events, its other sensors,
its SMS entity and its buttons, in that order. (A SIM's tracker, which exists only once the console locates it, takes what room is
left, through the same count.) What does not fit is
still created, disabled (the user may enable some), and a repair issue says so. A level is
enabled for all SIMs or for none, so that no SIM is arbitrarily better served than another.

Diagnostic entities are disabled by default anyway and take no place in the plan.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from homeassistant.helpers.entity_platform import MAX_ENABLED_ENTITIES_PER_CONFIG_ENTRY

from .api import Field

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
    ("sms", ()),
    ("ping", ()),
    ("reset_connection", ()),
)
#: Per-SIM kinds outside the levels: they exist only for some SIMs (a tracker once the
#: console locates its SIM), so they are not planned for every SIM; each takes what room is
#: left under the cap when it comes.
ROOM_LEFT: Final = frozenset({"location"})
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


def plan_entities(sims: int, fields: Iterable[Field], cap: int = SIM_CAP) -> EntityPlan:
    """Plan the enabled entities of ``sims`` SIMs whose account carries ``fields``."""
    fields = frozenset(fields)
    keys = [key for key, needs in PLAN_ORDER if not needs or fields.intersection(needs)]
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
