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
    MonogotoClient as MonogotoClient,
)
from .exceptions import (
    MonogotoAuthError as MonogotoAuthError,
    MonogotoConflictError as MonogotoConflictError,
    MonogotoConnectionError as MonogotoConnectionError,
    MonogotoError as MonogotoError,
    MonogotoPermissionError as MonogotoPermissionError,
    MonogotoRateLimitError as MonogotoRateLimitError,
    MonogotoResponseError as MonogotoResponseError,
    MonogotoUnexpectedAnswerError as MonogotoUnexpectedAnswerError,
)
from .features import FEATURES as FEATURES, Feature as Feature
from .models import (
    SETTABLE_STATES as SETTABLE_STATES,
    Field as Field,
    ImeiLock as ImeiLock,
    Location as Location,
    Login as Login,
    PingResult as PingResult,
    Thing as Thing,
    ThingEvent as ThingEvent,
    ThingState as ThingState,
    ThingStatus as ThingStatus,
    thing_alias as thing_alias,
)
from .paging import (
    PAGE_SIZE as PAGE_SIZE,
    Listing as Listing,
    listing_pages as listing_pages,
)
from .parsers import (
    parse_events as parse_events,
    parse_login as parse_login,
    parse_ping as parse_ping,
    parse_sms_id as parse_sms_id,
    parse_state as parse_state,
    parse_statuses as parse_statuses,
    parse_thing as parse_thing,
    parse_thing_saved as parse_thing_saved,
    parse_things as parse_things,
)
from .profile import ApiProfile as ApiProfile
from .shape import ConsoleShape as ConsoleShape, StatusMode as StatusMode
