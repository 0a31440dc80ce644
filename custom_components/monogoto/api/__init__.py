"""Async client for the Monogoto console API. It knows nothing of Home Assistant."""

from .budget import HOUR, MINUTE, Priority, RequestBudget, Window
from .client import (
    DEFAULT_BASE_URL,
    FEATURES,
    PAGE_SIZE,
    Feature,
    Listing,
    MonogotoClient,
)
from .exceptions import (
    MonogotoAuthError,
    MonogotoConnectionError,
    MonogotoError,
    MonogotoPermissionError,
    MonogotoRateLimitError,
    MonogotoResponseError,
)
from .models import (
    SETTABLE_STATES,
    Field,
    Location,
    Login,
    PingResult,
    Thing,
    ThingEvent,
    ThingState,
    ThingStatus,
    parse_state,
    parse_thing,
    thing_alias,
)
from .profile import ApiProfile, StatusMode

__all__ = [
    "DEFAULT_BASE_URL",
    "FEATURES",
    "HOUR",
    "MINUTE",
    "PAGE_SIZE",
    "SETTABLE_STATES",
    "ApiProfile",
    "Feature",
    "Field",
    "Listing",
    "Location",
    "Login",
    "MonogotoAuthError",
    "MonogotoClient",
    "MonogotoConnectionError",
    "MonogotoError",
    "MonogotoPermissionError",
    "MonogotoRateLimitError",
    "MonogotoResponseError",
    "PingResult",
    "Priority",
    "RequestBudget",
    "StatusMode",
    "Thing",
    "ThingEvent",
    "ThingState",
    "ThingStatus",
    "Window",
    "parse_state",
    "parse_thing",
    "thing_alias",
]
