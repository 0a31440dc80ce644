"""Constants of the Monogoto integration."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Final

DOMAIN: Final = "monogoto"
LOGGER = logging.getLogger(__package__)

CONF_ADVANCED: Final = "advanced"

#: How often the account is polled. SIM states change rarely; writes re-read at once.
SCAN_INTERVAL: Final = timedelta(minutes=5)
