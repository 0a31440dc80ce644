"""The token: log in, keep it, renew it, and tell a refused token from a refused permission.

Log in lazily and share one login between concurrent callers; reuse the token until shortly
before it expires (its JWT ``exp``, else an assumed lifetime, shortened when a refusal teaches a
shorter one). A login is rejected by what it says, not only by its status (``login_rejection``),
and a rejected login is never retried: repeated failed logins may lock the account. A login
answer without a token we can find is no rejection but an unexpected answer: nothing says the
password is wrong.

A 401/403 from a data endpoint is a refused token or a refused permission; the console does
not say which. The client asks the token itself:

- the endpoint worked with this token before: the token has expired (or was revoked). Log in
  again once and retry once;
- it never did: ask for one listing item with the same token. Accepted: the token is alive and
  the *feature* is refused to this user (a permission); no new login. Refused too: the token is
  dead; log in again once and retry once.

A fresh token refused as well is a permission refusal too. A refused feature rests an hour; its
probe then goes the same way, so it logs in only when the token is dead. The listing has no
other endpoint to check it by: its probe logs in at most once a day. Everything else logs in only
as often as the token's lifetime needs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import logging
import math
from typing import Any, Final

from .budget import Priority
from .exceptions import MonogotoAuthError, MonogotoUnexpectedAnswerError
from .features import FEATURES, Feature, FeatureInfo, refusal
from .models import Login
from .parsers import is_jwt, read_login
from .profile import ApiProfile, TokenKind
from .reader import Node, decode, flag
from .transport import Response, Transport

_LOGGER = logging.getLogger(__name__)

#: Renew this long before the token's ``exp``, so no request races the expiry.
TOKEN_EXPIRY_MARGIN: Final = 120.0
#: Assumed lifetime of a token without an ``exp`` claim (third-party code reports 4 h).
ASSUMED_TOKEN_LIFETIME: Final = 3 * 3600.0
#: The shortest lifetime an observed refusal may teach: a token revoked for another reason must
#: not make the client log in on every poll.
MIN_TOKEN_LIFETIME: Final = 900.0
#: How long a feature refused to this user is not asked again.
PERMISSION_RETRY: Final = 3600.0
#: The spacing of the logins a resting feature's probe may make.
PROBE_LOGIN_SPACING: Final = 24 * 3600.0
#: A 4xx from ``/Auth`` that is not about the credentials.
_NOT_A_REJECTION: Final = frozenset({408, 429})
#: Words by which a plain-text login answer refuses.
_REFUSING_WORDS: Final = (
    "denied",
    "fail",
    "invalid",
    "incorrect",
    "wrong",
    "unauthori",
)


class Auth:
    """Owns the token of one account and the features its user is refused."""

    def __init__(
        self,
        transport: Transport,
        username: str,
        password: str,
        profile: ApiProfile,
        clock: Callable[[], float],
    ) -> None:
        """Log in with ``username``/``password`` through ``transport`` when needed."""
        self._transport = transport
        self._credentials = {"UserName": username, "Password": password}
        self._profile = profile
        self._clock = clock
        self._lock = asyncio.Lock()
        self._login: Login | None = None
        self._issued_at = 0.0
        self._valid_until = 0.0
        self._rejected = False
        #: What the current token has served.
        self._served: set[Feature] = set()
        #: Features refused to this user, and until when they rest.
        self._refused: dict[Feature, float] = {}
        self._last_probe_login = -math.inf

    # -- the login -------------------------------------------------------------------------

    async def login(self) -> Login:
        """Log in (or reuse a valid token) and return the login; shared by concurrent callers."""
        async with self._lock:
            now = self._clock()
            if self._login and now < self._valid_until:
                return self._login
            if self._rejected:
                raise MonogotoAuthError("Credentials were rejected; not trying again")
            response = await self._transport.request(
                "POST",
                "/Auth",
                json_body=self._credentials,
                priority=Priority.LOGIN,
                login=True,
            )
            self._profile.logins += 1
            if rejection := login_rejection(response):
                self._rejected = True
                self._profile.login_rejections[rejection] += 1
                raise MonogotoAuthError("Monogoto rejected the user name or password")
            self._transport.raise_for_status(response, "POST /Auth")
            login = self._read_login(response)
            self._start_token(login)
            return login

    def _read_login(self, response: Response) -> Login:
        try:
            return read_login(decode(response.text))
        except MonogotoUnexpectedAnswerError:
            form = f"HTTP {response.status}, {response.form}"
            self._profile.note_unread("POST /Auth", {f"a token (answer: {form})"})
            raise

    def _start_token(self, login: Login) -> None:
        now = self._clock()
        profile = self._profile
        if login.expires_at is not None:
            profile.token_kind = TokenKind.JWT_WITH_EXP
            # To the minute: the claim is whole seconds, our clock is not.
            profile.token_lifetime_claimed = 60 * round((login.expires_at - now) / 60)
        else:
            profile.token_kind = (
                TokenKind.JWT_WITHOUT_EXP if is_jwt(login.token) else TokenKind.OPAQUE
            )
        lifetime = ASSUMED_TOKEN_LIFETIME
        learned = profile.token_refused_at_age
        if learned is not None and learned >= MIN_TOKEN_LIFETIME:
            lifetime = min(lifetime, learned)
        expires_at = (
            login.expires_at if login.expires_at is not None else now + lifetime
        )
        # A token that claims to be already expired is still used once; renew next call.
        self._valid_until = max(expires_at - TOKEN_EXPIRY_MARGIN, now)
        self._issued_at = now
        self._login = login
        self._served = set()
        _LOGGER.debug("Logged in; token valid for %.0f s", self._valid_until - now)

    # -- authenticated requests ------------------------------------------------------------

    async def request(
        self,
        feature: Feature,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json_body: Any = None,
        apikey: bool = False,
    ) -> Response:
        """Make an authenticated request for ``feature`` (see the module's docstring)."""
        info = FEATURES[feature]
        if feature in self._refused and self._clock() < self._refused[feature]:
            raise refusal(feature)

        async def send(login: Login) -> Response:
            return await self._transport.request(
                method,
                path,
                params=params,
                json_body=json_body,
                headers=_headers(login, apikey=apikey),
                priority=info.priority,
            )

        login = await self.login()
        age = self._clock() - self._issued_at
        response = await send(login)
        if response.status not in (401, 403):
            return self._accepted(feature, info, response)
        self._profile.note_error(info.endpoint, response.status, response.form)
        if await self._renew_refused(feature, login):
            response = await send(await self.login())
            if response.status not in (401, 403):
                self._note_refused_age(age)
                return self._accepted(feature, info, response)
            self._profile.note_error(info.endpoint, response.status, response.form)
        self._refused[feature] = self._clock() + PERMISSION_RETRY
        self._profile.permission_refused.add(feature)
        raise refusal(feature)

    def _accepted(
        self, feature: Feature, info: FeatureInfo, response: Response
    ) -> Response:
        """Note a request the token was good for; raise what its status means."""
        self._served.add(feature)
        self._refused.pop(feature, None)
        self._profile.permission_refused.discard(feature)
        self._transport.raise_for_status(response, info.endpoint)
        return response

    async def _renew_refused(self, feature: Feature, login: Login) -> bool:
        """Decide on a refused token: return whether to log in again and retry.

        Not when the token is alive, as one listing item asked for with it shows: the feature
        is refused, not the token. Not for a resting feature's probe whose daily login is spent.
        """
        if feature not in self._served and feature is not Feature.LISTING:
            if await self._token_alive(login):
                _LOGGER.debug("%s refused to a live token: a permission", feature)
                return False
        elif feature in self._refused:
            now = self._clock()
            if now - self._last_probe_login < PROBE_LOGIN_SPACING:
                return False
            self._last_probe_login = now
        _LOGGER.debug("Token refused for %s; logging in again", feature)
        if self._login is not None and self._login.token == login.token:
            self._login = None
            self._valid_until = 0.0
        return True

    async def _token_alive(self, login: Login) -> bool:
        """Return whether the console still accepts ``login``'s token (one listing item)."""
        response = await self._transport.request(
            "GET",
            "/things",
            params={"limit": "1", "offset": "0"},
            headers=_headers(login, apikey=False),
            priority=FEATURES[Feature.LISTING].priority,
        )
        alive = 200 <= response.status < 300
        if alive and self._login is not None and self._login.token == login.token:
            self._served.add(Feature.LISTING)
        return alive

    def _note_refused_age(self, age: float) -> None:
        """Learn the token lifetime: one was refused at ``age`` and a new one was accepted.

        Only for tokens without an ``exp`` claim, whose lifetime is a guess; a JWT refused
        before its ``exp`` was revoked, which says nothing of the next one.
        """
        profile = self._profile
        known = profile.token_refused_at_age
        if known is not None and age >= known:
            return
        profile.token_refused_at_age = round(age)
        if profile.token_kind is TokenKind.JWT_WITH_EXP or age < MIN_TOKEN_LIFETIME:
            return
        # The token just issued lives no longer either.
        self._valid_until = min(
            self._valid_until, self._issued_at + age - TOKEN_EXPIRY_MARGIN
        )
        profile.fallback(
            f"tokens were refused after {round(age)} s; renewing them sooner"
        )

    def refused_features(self) -> set[Feature]:
        """Return the features the console currently refuses to this user."""
        return set(self._refused)


def _headers(login: Login, *, apikey: bool) -> dict[str, str]:
    """Return the headers of an authenticated request (the apikey only where asked for)."""
    headers = {"Authorization": f"Bearer {login.token}"}
    if apikey:
        headers["apikey"] = login.customer_id
    return headers


def login_rejection(response: Response) -> str | None:
    """Return how ``/Auth`` said no (a short form, no content), or None when it did not.

    A rejection is "Access denied" in the body whatever the status, a 401/403 or another 4xx
    (but a 408 or 429), or a 2xx that says the login failed: ``Success: false`` or plain text
    with a refusing word. Any other 2xx is read for its token; one without is an unexpected
    answer, not a rejection.
    """
    status, body = response.status, response.text
    lowered = body.lower()
    refused = "access denied" in lowered or (
        400 <= status < 500 and status not in _NOT_A_REJECTION
    )
    if not refused and 200 <= status < 300:
        decoded = decode(body)
        if isinstance(decoded, dict):
            refused = flag(Node(decoded).get("success")) is False
        elif isinstance(decoded, str) and not decoded.startswith("<"):
            refused = not is_jwt(decoded) and any(w in lowered for w in _REFUSING_WORDS)
    return f"HTTP {status}, {response.form}" if refused else None
