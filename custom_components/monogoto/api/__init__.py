"""Async client for the Monogoto console API. It knows nothing of Home Assistant."""

from .client import DEFAULT_BASE_URL, PAGE_SIZE, MonogotoClient, RequestBudget
from .exceptions import (
    MonogotoAuthError,
    MonogotoConnectionError,
    MonogotoError,
    MonogotoRateLimitError,
    MonogotoResponseError,
)
from .models import (
    SETTABLE_STATES,
    Login,
    Thing,
    ThingEvent,
    ThingState,
    ThingStatus,
    parse_state,
    parse_thing,
    thing_alias,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "PAGE_SIZE",
    "SETTABLE_STATES",
    "Login",
    "MonogotoAuthError",
    "MonogotoClient",
    "MonogotoConnectionError",
    "MonogotoError",
    "MonogotoRateLimitError",
    "MonogotoResponseError",
    "RequestBudget",
    "Thing",
    "ThingEvent",
    "ThingState",
    "ThingStatus",
    "parse_state",
    "parse_thing",
    "thing_alias",
]
