"""Options flow, a menu of two steps; saving reloads the entry.

Which SIMs of the account are included (``selection.py``): all of them, a chosen list, or every
SIM whose name matches a filter; the kept SIMs keep their devices and entities, the SIMs left
out lose theirs at once. Real-time events: the webhook URL to paste into the Monogoto Hub, and
whether it is registered at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

import probatio as vol

from homeassistant.config_entries import (
    ConfigEntryState,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.helpers.selector import (
    BooleanSelector,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from .api import Thing
from .const import CONF_INCLUDE, CONF_NAME_FILTER, CONF_REALTIME_EVENTS, CONF_SIMS
from .runtime import MonogotoConfigEntry
from .selection import IncludeMode, Selection, parse_patterns
from .webhook import realtime_enabled, webhook_url

INCLUDE_SELECTOR = SelectSelector(
    SelectSelectorConfig(
        options=[str(mode) for mode in IncludeMode],
        mode=SelectSelectorMode.LIST,
        translation_key=CONF_INCLUDE,
    )
)
FILTER_SELECTOR = TextSelector(TextSelectorConfig(type=TextSelectorType.TEXT))


def sim_options(things: Mapping[str, Thing]) -> list[SelectOptionDict]:
    """Return the account's SIMs as choices, by name; equal names tell their ICCID's end."""
    names = Counter(thing.display_name for thing in things.values())
    options = [
        SelectOptionDict(
            value=thing.thing_id,
            label=(
                thing.display_name
                if names[thing.display_name] == 1
                else f"{thing.display_name} (…{(thing.iccid or thing.alias)[-4:]})"
            ),
        )
        for thing in things.values()
    ]
    return sorted(
        options, key=lambda option: (option["label"].casefold(), option["value"])
    )


class MonogotoOptionsFlow(OptionsFlowWithReload):
    """Choose which SIMs are included, or set real-time events; saving reloads the entry."""

    config_entry: MonogotoConfigEntry

    def _account(self) -> dict[str, Thing]:
        """Return every SIM of the account's last listing."""
        return self.config_entry.runtime_data.things.listed

    def _placeholders(self) -> dict[str, str]:
        runtime = self.config_entry.runtime_data
        return {
            "sims": str(len(runtime.things.listed)),
            "included": str(len(runtime.known_things())),
        }

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Offer the two settings: which SIMs, and real-time events."""
        if self.config_entry.state is not ConfigEntryState.LOADED:
            # The SIMs to choose from come from the running entry's listing.
            return self.async_abort(reason="not_loaded")
        return self.async_show_menu(
            step_id="init", menu_options=["sims", "realtime_events"]
        )

    def _save(self, data: dict[str, Any]) -> ConfigFlowResult:
        """Save the SIM selection, keeping the real-time setting when the user made one."""
        options = self.config_entry.options
        if CONF_REALTIME_EVENTS in options:
            data[CONF_REALTIME_EVENTS] = options[CONF_REALTIME_EVENTS]
        return self.async_create_entry(data=data)

    async def async_step_realtime_events(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show the webhook URL for the Hub; turn receiving on or off."""
        if user_input is not None:
            return self.async_create_entry(
                data={
                    **self.config_entry.options,
                    CONF_REALTIME_EVENTS: bool(user_input[CONF_REALTIME_EVENTS]),
                }
            )
        schema = vol.Schema({vol.Required(CONF_REALTIME_EVENTS): BooleanSelector()})
        return self.async_show_form(
            step_id="realtime_events",
            data_schema=self.add_suggested_values_to_schema(
                schema, {CONF_REALTIME_EVENTS: realtime_enabled(self.config_entry)}
            ),
            description_placeholders={"url": webhook_url(self.hass, self.config_entry)},
        )

    async def async_step_sims(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask how the SIMs are chosen: all, a list, or a name filter."""
        if user_input is not None:
            mode = IncludeMode(user_input[CONF_INCLUDE])
            if mode is IncludeMode.CHOSEN:
                return await self.async_step_choose()
            if mode is IncludeMode.FILTER:
                return await self.async_step_filter()
            return self._save({CONF_INCLUDE: str(mode)})
        current = Selection.from_options(self.config_entry.options).mode
        return self.async_show_form(
            step_id="sims",
            data_schema=vol.Schema(
                {vol.Required(CONF_INCLUDE, default=str(current)): INCLUDE_SELECTOR}
            ),
            description_placeholders=self._placeholders(),
        )

    async def async_step_choose(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose SIMs from the account's listing (searchable); new SIMs stay out."""
        account = self._account()
        if not account:
            return self.async_abort(reason="no_sims")
        errors: dict[str, str] = {}
        if user_input is not None:
            chosen = sorted(set(user_input.get(CONF_SIMS) or ()))
            if chosen:
                return self._save(
                    {CONF_INCLUDE: str(IncludeMode.CHOSEN), CONF_SIMS: chosen}
                )
            errors["base"] = "none_chosen"
        schema = vol.Schema(
            {
                vol.Optional(CONF_SIMS): SelectSelector(
                    SelectSelectorConfig(
                        options=sim_options(account),
                        multiple=True,
                        custom_value=False,
                        mode=SelectSelectorMode.DROPDOWN,
                    )
                )
            }
        )
        return self.async_show_form(
            step_id="choose",
            data_schema=self.add_suggested_values_to_schema(
                schema,
                {CONF_SIMS: self._currently_chosen(account)}
                if user_input is None
                else user_input,
            ),
            description_placeholders=self._placeholders(),
            errors=errors,
        )

    def _currently_chosen(self, account: Mapping[str, Thing]) -> list[str]:
        """Return the SIMs to show ticked: the chosen list, else the SIMs included now."""
        selection = Selection.from_options(self.config_entry.options)
        current = (
            selection.chosen
            if selection.mode is IncludeMode.CHOSEN
            else self.config_entry.runtime_data.known_things()
        )
        return sorted(thing_id for thing_id in current if thing_id in account)

    async def async_step_filter(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Include every SIM whose name matches, now and as the fleet changes."""
        errors: dict[str, str] = {}
        if user_input is not None:
            text = user_input[CONF_NAME_FILTER].strip()
            patterns = parse_patterns(text)
            selection = Selection(IncludeMode.FILTER, patterns=patterns)
            if not patterns:
                errors[CONF_NAME_FILTER] = "empty_filter"
            elif not any(selection.includes(t) for t in self._account().values()):
                errors[CONF_NAME_FILTER] = "no_match"
            else:
                return self._save(
                    {CONF_INCLUDE: str(IncludeMode.FILTER), CONF_NAME_FILTER: text}
                )
        schema = vol.Schema({vol.Required(CONF_NAME_FILTER): FILTER_SELECTOR})
        suggested = user_input or {
            CONF_NAME_FILTER: self.config_entry.options.get(CONF_NAME_FILTER, "")
        }
        return self.async_show_form(
            step_id="filter",
            data_schema=self.add_suggested_values_to_schema(schema, suggested),
            description_placeholders=self._placeholders(),
            errors=errors,
        )
