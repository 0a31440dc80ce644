"""Async client for the Monogoto console API. It knows nothing of Home Assistant.

Its public names are re-exported here, each ``as`` itself (PEP 484's explicit re-export, which
``mypy --strict`` honours without an ``__all__``); the modules hold the rest.
"""

from .budget import (
    HOUR as HOUR,
    MINUTE as MINUTE,
    Priority as Priority,
    RequestBudget as RequestBudget,
    Window as Window,
)
from .client import (
    DEFAULT_BASE_URL as DEFAULT_BASE_URL,
    FEATURES as FEATURES,
    PAGE_SIZE as PAGE_SIZE,
    Feature as Feature,
    Listing as Listing,
    MonogotoClient as MonogotoClient,
    listing_pages as listing_pages,
)
from .exceptions import (
    MonogotoAuthError as MonogotoAuthError,
    MonogotoConnectionError as MonogotoConnectionError,
    MonogotoError as MonogotoError,
    MonogotoPermissionError as MonogotoPermissionError,
    MonogotoRateLimitError as MonogotoRateLimitError,
    MonogotoResponseError as MonogotoResponseError,
)
from .models import (
    SETTABLE_STATES as SETTABLE_STATES,
    Field as Field,
    Location as Location,
    Login as Login,
    PingResult as PingResult,
    Thing as Thing,
    ThingEvent as ThingEvent,
    ThingState as ThingState,
    ThingStatus as ThingStatus,
    parse_state as parse_state,
    parse_thing as parse_thing,
    thing_alias as thing_alias,
)
from .profile import ApiProfile as ApiProfile, StatusMode as StatusMode
