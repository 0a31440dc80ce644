"""Client errors → translated Home Assistant errors, from one table: a helper for polls, a decorator for actions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps
from typing import TYPE_CHECKING, Concatenate

from homeassistant.exceptions import ConfigEntryAuthFailed, HomeAssistantError
from homeassistant.helpers.update_coordinator import UpdateFailed

from .api import FEATURES, Feature, MonogotoError
from .api.exceptions import (
    MonogotoAuthError,
    MonogotoConflictError,
    MonogotoConnectionError,
    MonogotoPermissionError,
    MonogotoRateLimitError,
    MonogotoResponseError,
)
from .const import DOMAIN
from .issues import sync_permission_issues

if TYPE_CHECKING:
    from .runtime import MonogotoRuntime

#: Translation key (``exceptions.<key>`` in strings.json) for each client error.
ERROR_KEYS: dict[type[MonogotoError], str] = {
    MonogotoAuthError: "invalid_auth",
    MonogotoPermissionError: "permission_denied",
    MonogotoRateLimitError: "rate_limited",
    MonogotoConnectionError: "cannot_connect",
    # Before its base class: the first match wins.
    MonogotoConflictError: "thing_changed",
    MonogotoResponseError: "invalid_response",
}


def error_key(err: MonogotoError) -> str:
    """Return the translation key for a client error."""
    for error_type, key in ERROR_KEYS.items():
        if isinstance(err, error_type):
            return key
    return "unknown_error"


def error_placeholders(err: MonogotoError) -> dict[str, str] | None:
    """Return the placeholders of an error's message (which endpoint a refusal concerns)."""
    if isinstance(err, MonogotoPermissionError):
        return {"endpoint": FEATURES[Feature(err.feature)].endpoint}
    return None


def rate_limited(retry_after: float | None) -> UpdateFailed:
    """Return the failed poll of a rate-limited console, retried after ``retry_after``."""
    return UpdateFailed(
        translation_domain=DOMAIN,
        translation_key="rate_limited",
        retry_after=retry_after,
    )


def poll_error(err: MonogotoError) -> HomeAssistantError:
    """Return what a failed poll raises: a rejected login asks the user to sign in again.

    A 429 is ``rate_limited`` (its Retry-After is the coordinator's to hold).
    """
    if isinstance(err, MonogotoAuthError):
        return ConfigEntryAuthFailed(
            translation_domain=DOMAIN, translation_key="invalid_auth"
        )
    return UpdateFailed(
        translation_domain=DOMAIN,
        translation_key=error_key(err),
        translation_placeholders=error_placeholders(err),
    )


def translate_errors[**P, R](
    action: Callable[Concatenate[MonogotoRuntime, P], Awaitable[R]],
) -> Callable[Concatenate[MonogotoRuntime, P], Awaitable[R]]:
    """Turn client errors met while acting for the user into translated errors.

    A rejected login also starts the re-authentication flow, as a failed poll would; a
    refused permission shows its repair issue.
    """

    @wraps(action)
    async def acting(
        runtime: MonogotoRuntime, /, *args: P.args, **kwargs: P.kwargs
    ) -> R:
        try:
            return await action(runtime, *args, **kwargs)
        except MonogotoError as err:
            if isinstance(err, MonogotoAuthError):
                runtime.entry.async_start_reauth(runtime.hass)
            sync_permission_issues(
                runtime.hass, runtime.entry, runtime.client.refused_features()
            )
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key=error_key(err),
                translation_placeholders=error_placeholders(err),
            ) from err

    return acting
