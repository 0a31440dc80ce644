"""Config flow: sign in with the Monogoto console user name and password.

Options flow: which SIMs of the account are included (``selection.py``): all of them, a chosen
list, or every SIM whose name matches a filter. Saving reloads the entry; the kept SIMs keep
their devices and entities, the SIMs left out lose theirs at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
import ipaddress
from typing import Any

import probatio as vol
from yarl import URL

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.const import CONF_PASSWORD, CONF_URL, CONF_USERNAME
from homeassistant.core import callback
from homeassistant.data_entry_flow import section
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from .api import (
    DEFAULT_BASE_URL,
    MonogotoAuthError,
    MonogotoClient,
    MonogotoError,
    MonogotoUnexpectedAnswerError,
    Thing,
)
from .const import (
    CONF_ADVANCED,
    CONF_INCLUDE,
    CONF_NAME_FILTER,
    CONF_SIMS,
    DOMAIN,
    LOGGER,
)
from .coordinator import MonogotoConfigEntry
from .selection import IncludeMode, Selection, parse_patterns

USERNAME_SELECTOR = TextSelector(
    TextSelectorConfig(type=TextSelectorType.TEXT, autocomplete="username")
)
PASSWORD_SELECTOR = TextSelector(
    TextSelectorConfig(type=TextSelectorType.PASSWORD, autocomplete="current-password")
)
URL_SELECTOR = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))


class InvalidUrlError(ValueError):
    """The console URL is not https://, nor http:// to a loopback host."""


def normalize_url(value: str) -> str:
    """Return the console URL without a trailing slash, or raise ``InvalidUrlError``.

    Plain http is accepted only for loopback hosts (the simulator): credentials never travel
    unencrypted across a network.
    """
    try:
        url = URL(value.strip())
    except ValueError as err:
        raise InvalidUrlError from err
    if (
        not url.host
        or url.scheme not in ("http", "https")
        or url.user
        or url.query_string
        or url.fragment
    ):
        raise InvalidUrlError
    if url.scheme == "http" and not _is_loopback(url.host):
        raise InvalidUrlError
    return str(url).rstrip("/")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


#: Form errors about a field of the Advanced section: the section opens to show it.
ADVANCED_ERRORS = frozenset({"invalid_url"})


def _user_schema(
    defaults: Mapping[str, Any], errors: Mapping[str, str] | None = None
) -> vol.Schema:
    """Return the sign-in form; Advanced is collapsed unless ``errors`` concern it."""
    collapsed = not ADVANCED_ERRORS & set((errors or {}).values())
    return vol.Schema(
        {
            vol.Required(
                CONF_USERNAME, default=defaults.get(CONF_USERNAME, vol.UNDEFINED)
            ): USERNAME_SELECTOR,
            vol.Required(CONF_PASSWORD): PASSWORD_SELECTOR,
            vol.Required(CONF_ADVANCED): section(
                vol.Schema(
                    {
                        vol.Required(
                            CONF_URL, default=defaults.get(CONF_URL, DEFAULT_BASE_URL)
                        ): URL_SELECTOR
                    }
                ),
                {"collapsed": collapsed},
            ),
        }
    )


class MonogotoConfigFlow(ConfigFlow, domain=DOMAIN):
    """Sign in, re-authenticate after a password change, or move to another user."""

    VERSION = 1
    #: 2: the account device is "Monogoto account", not the login (``async_migrate_entry``).
    MINOR_VERSION = 2

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> MonogotoOptionsFlow:
        """Return the options flow: which SIMs are included."""
        return MonogotoOptionsFlow()

    async def _async_login(
        self, username: str, password: str, url: str
    ) -> tuple[str | None, dict[str, str]]:
        """Log in once; return the account's CustomerId, or the form errors."""
        client = MonogotoClient(
            async_get_clientsession(self.hass), username, password, base_url=url
        )
        try:
            login = await client.login()
        except MonogotoAuthError:
            return None, {"base": "invalid_auth"}
        except MonogotoUnexpectedAnswerError:
            # Not a wrong password: the answer's form is in the log (the client says it).
            return None, {"base": "unexpected_answer"}
        except MonogotoError:
            return None, {"base": "cannot_connect"}
        except Exception:  # noqa: BLE001 - any surprise becomes the "unknown" form error
            LOGGER.exception("Unexpected error while signing in to Monogoto")
            return None, {"base": "unknown"}
        return login.customer_id, {}

    async def _async_validate(
        self, user_input: dict[str, Any]
    ) -> tuple[dict[str, str] | None, dict[str, str]]:
        """Check the form and sign in; return the entry data, or the form errors."""
        try:
            url = normalize_url(user_input[CONF_ADVANCED][CONF_URL])
        except InvalidUrlError:
            return None, {"base": "invalid_url"}
        data = {
            CONF_USERNAME: user_input[CONF_USERNAME].strip(),
            CONF_PASSWORD: user_input[CONF_PASSWORD],
            CONF_URL: url,
        }
        customer_id, errors = await self._async_login(
            data[CONF_USERNAME], data[CONF_PASSWORD], url
        )
        if errors:
            return None, errors
        await self.async_set_unique_id(customer_id)
        return data, {}

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the console credentials and sign in with them."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data, errors = await self._async_validate(user_input)
            if data is not None:
                self._abort_if_unique_id_configured()
                return self.async_create_entry(title=data[CONF_USERNAME], data=data)
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                _user_schema({}, errors), user_input
            ),
            errors=errors,
        )

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """Start re-authentication after the console rejected the stored password."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the new password of the same user."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            customer_id, errors = await self._async_login(
                entry.data[CONF_USERNAME],
                user_input[CONF_PASSWORD],
                entry.data[CONF_URL],
            )
            if not errors:
                await self.async_set_unique_id(customer_id)
                self._abort_if_unique_id_mismatch(reason="wrong_account")
                return self.async_update_reload_and_abort(
                    entry, data_updates={CONF_PASSWORD: user_input[CONF_PASSWORD]}
                )
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=vol.Schema({vol.Required(CONF_PASSWORD): PASSWORD_SELECTOR}),
            description_placeholders={"username": entry.data[CONF_USERNAME]},
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the user or the console URL of the same Monogoto account."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data, errors = await self._async_validate(user_input)
            if data is not None:
                self._abort_if_unique_id_mismatch(reason="wrong_account")
                return self.async_update_reload_and_abort(
                    entry, title=data[CONF_USERNAME], data_updates=data
                )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                _user_schema(entry.data, errors), user_input
            ),
            errors=errors,
        )


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
    """Choose which SIMs of the account are included; saving reloads the entry."""

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
        """Ask how the SIMs are chosen: all, a list, or a name filter."""
        if self.config_entry.state is not ConfigEntryState.LOADED:
            # The SIMs to choose from come from the running entry's listing.
            return self.async_abort(reason="not_loaded")
        if user_input is not None:
            mode = IncludeMode(user_input[CONF_INCLUDE])
            if mode is IncludeMode.CHOSEN:
                return await self.async_step_choose()
            if mode is IncludeMode.FILTER:
                return await self.async_step_filter()
            return self.async_create_entry(data={CONF_INCLUDE: str(mode)})
        current = Selection.from_options(self.config_entry.options).mode
        return self.async_show_form(
            step_id="init",
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
                return self.async_create_entry(
                    data={CONF_INCLUDE: str(IncludeMode.CHOSEN), CONF_SIMS: chosen}
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
                return self.async_create_entry(
                    data={CONF_INCLUDE: str(IncludeMode.FILTER), CONF_NAME_FILTER: text}
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
