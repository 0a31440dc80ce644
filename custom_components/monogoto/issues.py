"""Every repair issue of an entry (rate limited, a refused permission, entities left disabled) and its clean-up."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.entity_platform import MAX_ENABLED_ENTITIES_PER_CONFIG_ENTRY

from .api import FEATURES, Feature
from .const import DOMAIN

if TYPE_CHECKING:
    from .entity_plan import EntityPlan

#: Consecutive rate-limited listings after which the user is told (a repair issue).
RATE_LIMIT_ISSUE_AFTER: Final = 3


def _warn(
    hass: HomeAssistant, issue_id: str, key: str, placeholders: dict[str, str]
) -> None:
    """Show (or update) a repair notice: a warning the user acts on outside the dialog."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key=key,
        translation_placeholders=placeholders,
    )


def rate_limit_issue_id(entry: ConfigEntry) -> str:
    """Return the id of an entry's "rate limited" repair issue."""
    return f"rate_limited_{entry.entry_id}"


def permission_issue_id(entry: ConfigEntry, feature: Feature) -> str:
    """Return the id of the repair issue about a refused feature."""
    return f"permission_{feature}_{entry.entry_id}"


def plan_issue_id(entry: ConfigEntry) -> str:
    """Return the id of the repair issue about entities left disabled."""
    return f"entity_plan_{entry.entry_id}"


class RateLimitIssue:
    """Tells the user once the listing was rate limited several times in a row; ends with a good one."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry) -> None:
        """Start with no refusal counted."""
        self._hass = hass
        self._entry = entry
        self._refusals = 0

    def rate_limited(self) -> None:
        """Count a rate-limited listing; show the issue at the ``RATE_LIMIT_ISSUE_AFTER``-th."""
        self._refusals += 1
        if self._refusals == RATE_LIMIT_ISSUE_AFTER:
            _warn(
                self._hass,
                rate_limit_issue_id(self._entry),
                "rate_limited",
                {"title": self._entry.title},
            )

    def listed(self) -> None:
        """End any rate-limit notice: a listing worked, whatever came before."""
        self._refusals = 0
        ir.async_delete_issue(self._hass, DOMAIN, rate_limit_issue_id(self._entry))


def sync_permission_issues(
    hass: HomeAssistant, entry: ConfigEntry, refused: Collection[Feature]
) -> None:
    """Show a repair issue for each feature the console refuses, and only for those."""
    for feature, info in FEATURES.items():
        issue_id = permission_issue_id(entry, feature)
        if feature not in refused:
            ir.async_delete_issue(hass, DOMAIN, issue_id)
            continue
        _warn(
            hass,
            issue_id,
            "permission_denied",
            {
                "title": entry.title,
                "endpoint": info.endpoint,
                "permission": info.permission,
            },
        )


def sync_plan_issue(
    hass: HomeAssistant, entry: ConfigEntry, plan: EntityPlan | None, refused: int
) -> None:
    """Tell the user how many entities the plan (or the cap) left disabled; none: no issue."""
    disabled = (plan.disabled_entities if plan else 0) + refused
    if not disabled or plan is None:
        ir.async_delete_issue(hass, DOMAIN, plan_issue_id(entry))
        return
    _warn(
        hass,
        plan_issue_id(entry),
        "entity_plan",
        {
            "title": entry.title,
            "sims": str(plan.sims),
            "disabled": str(disabled),
            "fits": str(plan.fits),
            "limit": str(MAX_ENABLED_ENTITIES_PER_CONFIG_ENTRY),
        },
    )


@callback
def remove_issues(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Leave no notice behind an unloaded entry (a reload starts afresh)."""
    ir.async_delete_issue(hass, DOMAIN, rate_limit_issue_id(entry))
    ir.async_delete_issue(hass, DOMAIN, plan_issue_id(entry))
    for feature in FEATURES:
        ir.async_delete_issue(hass, DOMAIN, permission_issue_id(entry, feature))
