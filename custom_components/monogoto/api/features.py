"""What the client asks the console for: each feature, its endpoint and its permission.

A user's profile in the console may refuse each feature separately; ``auth.py`` rests a refused
feature and raises ``refusal(feature)`` for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from .budget import Priority
from .exceptions import MonogotoPermissionError


class Feature(StrEnum):
    """What the client asks the console for; a user's profile may refuse each separately."""

    LISTING = "listing"
    STATE = "state"
    DETAILS = "details"
    STATUS = "status"
    WRITE_STATE = "write_state"
    EVENTS = "events"
    SMS = "sms"
    PING = "ping"
    RESET = "reset"
    IMEI_LOCK = "imei_lock"


@dataclass(frozen=True, slots=True)
class FeatureInfo:
    """How a feature is asked for, and what the console calls its permission."""

    endpoint: str
    #: The permission of the console's user profile that grants it (``UserProfile.Permissions``).
    permission: str
    priority: Priority


FEATURES: Final[dict[Feature, FeatureInfo]] = {
    Feature.LISTING: FeatureInfo("GET /things", "Things (view)", Priority.LISTING),
    Feature.STATE: FeatureInfo(
        "GET /thing/{id}/state", "Things (view)", Priority.LISTING
    ),
    Feature.DETAILS: FeatureInfo("GET /thing/{id}", "Things (view)", Priority.DETAILS),
    Feature.STATUS: FeatureInfo("GET /thing/status", "Things (view)", Priority.STATUS),
    Feature.WRITE_STATE: FeatureInfo(
        "PUT /thing/{id}/state", "Things (edit)", Priority.ACTION
    ),
    Feature.EVENTS: FeatureInfo(
        "POST /thing/searchCDR", "Search (view)", Priority.ACTION
    ),
    Feature.SMS: FeatureInfo("POST /thing/{id}/sms", "SMS (edit)", Priority.ACTION),
    Feature.PING: FeatureInfo(
        "POST /thing/{id}/ping", "Things (view)", Priority.ACTION
    ),
    Feature.RESET: FeatureInfo(
        "GET /thing/{id}/refreshConnection", "Things (edit)", Priority.ACTION
    ),
    Feature.IMEI_LOCK: FeatureInfo(
        "PUT /thing/update/", "Things (edit)", Priority.ACTION
    ),
}


def refusal(feature: Feature) -> MonogotoPermissionError:
    """Return the error of a feature the console refuses to this user."""
    return MonogotoPermissionError(
        f"Monogoto refuses {FEATURES[feature].endpoint} to this user", feature
    )
