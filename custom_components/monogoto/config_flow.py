"""Config flow: sign in with the Monogoto console user name and password.

The options flow (which SIMs, real-time events) is in ``options_flow.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
import ipaddress
from typing import Any
from urllib.parse import urlsplit

import probatio as vol
from yarl import URL

from homeassistant.config_entries import ConfigEntry, ConfigFlow, ConfigFlowResult
from homeassistant.const import CONF_PASSWORD, CONF_URL, CONF_USERNAME
from homeassistant.core import callback
from homeassistant.data_entry_flow import section
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
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
)
from .const import CONF_ADVANCED, DOMAIN, LOGGER
from .options_flow import MonogotoOptionsFlow

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
    unencrypted across a network. Any user information (``user@``, ``:secret@``, even a bare
    ``@``) is refused: a password in the URL would sit in the entry's data.
    """
    text = value.strip()
    try:
        url = URL(text)
    except ValueError as err:
        raise InvalidUrlError from err
    if (
        not url.host
        or url.scheme not in ("http", "https")
        or _has_userinfo(text, url)
        or url.query_string
        or url.fragment
    ):
        raise InvalidUrlError
    if url.scheme == "http" and not _is_loopback(url.host):
        raise InvalidUrlError
    return str(url).rstrip("/")


def _has_userinfo(text: str, url: URL) -> bool:
    """Return whether the URL names a user or a password, or has an empty ``@`` (yarl drops it)."""
    return (
        url.user is not None or url.password is not None or "@" in urlsplit(text).netloc
    )


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
    #: 2: the account device is "Monogoto account", not the login; 3: a SIM's operator sensor
    #: merged into its network sensor (``async_migrate_entry``).
    MINOR_VERSION = 3

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
