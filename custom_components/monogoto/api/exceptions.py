"""The one exception tree of the Monogoto client.

Nothing else escapes the client: aiohttp and JSON errors are translated here, so callers catch
``MonogotoError`` (or a subclass) and never a transport detail.
"""

from __future__ import annotations


class MonogotoError(Exception):
    """Base class for every error the client raises."""


class MonogotoConnectionError(MonogotoError):
    """The console could not be reached or answered with a server error (timeouts included)."""


class MonogotoAuthError(MonogotoError):
    """The console rejected the credentials; retrying will not help until they change."""


class MonogotoPermissionError(MonogotoError):
    """The console refuses one feature to this user, even with a freshly issued token.

    Not bad credentials: the login works, the user's profile lacks a permission. Only that
    feature is affected; ``feature`` names it (a ``Feature`` value).
    """

    def __init__(self, message: str, feature: str) -> None:
        """Keep which feature was refused."""
        super().__init__(message)
        self.feature = feature


class MonogotoRateLimitError(MonogotoError):
    """The console answered 429: it asks us to slow down."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        """Keep how long to wait, in seconds, when the console said so."""
        super().__init__(message)
        self.retry_after = retry_after


class MonogotoResponseError(MonogotoError):
    """The console answered, but with something we cannot read (bad JSON, wrong shape, 4xx)."""


class MonogotoConflictError(MonogotoResponseError):
    """The console refused a write guarded by a ``cas``: the thing changed since it was read.

    The console's answer to a stale ``cas`` is undocumented; 409 and 412 are taken to mean it.
    """


class MonogotoUnexpectedAnswerError(MonogotoResponseError):
    """The console answered in a way we cannot read (a login answer without a token …).

    Not a refusal: nothing says the credentials or the request were wrong. What the answer
    looked like (its form, never its content) is in the log and the API profile.
    """
