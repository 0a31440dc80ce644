"""Constants that several modules share (never kept in a platform, which nothing imports)."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Final

from .api import ThingState

DOMAIN: Final = "monogoto"
LOGGER = logging.getLogger(__package__)

CONF_ADVANCED: Final = "advanced"

#: How often the account is polled. SIM states change rarely; writes re-read at once.
SCAN_INTERVAL: Final = timedelta(minutes=5)
#: How often every SIM's data-session status is read.
STATUS_INTERVAL: Final = timedelta(minutes=15)
#: How often every SIM's details are read, when the listing lacks some of their fields.
DETAILS_INTERVAL: Final = timedelta(hours=1)

#: Options: which SIMs of the account are included (``selection.Selection``).
CONF_INCLUDE: Final = "include"
#: Options: the chosen SIMs' thing ids (include = chosen).
CONF_SIMS: Final = "sims"
#: Options: the name filter (include = filter), comma-separated ``*``/``?`` patterns.
CONF_NAME_FILTER: Final = "name_filter"

#: Options: whether the Hub's pushes are received (on unless turned off).
CONF_REALTIME_EVENTS: Final = "realtime_events"
#: Entry data: the webhook's id (a secret) and, with Home Assistant Cloud, its cloudhook.
CONF_WEBHOOK_ID: Final = "webhook_id"
CONF_CLOUDHOOK_URL: Final = "cloudhook_url"
#: The SIM state sensor's options: the documented states in lower case (translated), also the
#: states the triggers and conditions offer.
SIM_STATE_OPTIONS: Final = [state.lower() for state in ThingState]
#: The account device's name: ``device.account.name`` in strings.json.
ACCOUNT_DEVICE_TRANSLATION_KEY: Final = "account"
#: Triggers and conditions: the SIM states chosen.
CONF_STATES: Final = "states"
#: The SIM state sensor's key and translation key: triggers and conditions match it by this.
SIM_STATE_KEY: Final = "sim_state"
