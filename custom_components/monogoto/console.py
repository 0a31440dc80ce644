"""What the integration steers by: the console's shape as the client observed it, read in this one place."""

from __future__ import annotations

from typing import Protocol

from .api import Field, MonogotoClient, StatusMode


class ConsoleShape(Protocol):
    """The observations that change how the integration polls and which entities it makes."""

    @property
    def status_mode(self) -> StatusMode:
        """How the data-session statuses are asked (batched, listing, one SIM per request)."""

    @property
    def pages_last_listing(self) -> int:
        """How many pages the last complete listing took."""

    @property
    def listing_fields(self) -> frozenset[Field] | None:
        """The fields the listing carries (None: not listed yet)."""

    @property
    def details_fields(self) -> frozenset[Field] | None:
        """The fields the details carry (None: none read yet)."""


def console_shape(client: MonogotoClient) -> ConsoleShape:
    """Return what the client observed of the console, read-only."""
    return client.profile
