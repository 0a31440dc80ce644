"""How the simulated console answers where the real one is undocumented.

``KIND`` answers the way the integration was first built to expect. ``unkind()`` answers in the
other plausible ways that ``../shared/reference/monogoto-api.md`` leaves open, all at once: the
integration must work the same against both (``scripts/develop --unkind`` shows it live;
tests opt in with ``@pytest.mark.consoles("kind", "unkind")``).

The unkind console also re-spells its answers (``Quirks.respell``, ``respell.py``): each successful
answer of a re-spelled endpoint comes with other key spellings, an envelope added or removed,
numbers as text, other time forms, a single value in another form, chosen at random per answer
(seeded by the simulator's ``seed``, the request and how often it was asked, so a test run is
reproducible). Error bodies (4xx, 5xx), scripted faults and text where JSON is due (the "200 text"
login rejection) are never re-spelled; to keep an endpoint's answers as they are, leave it out of
``respell`` (``replace(unkind(), respell=...)``; ``python -m tests.simulator --no-respell``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from .respell import AnswerKind

StateBody = Literal["plain", "quoted", "braced"]
#: How ``/Auth`` says no to a wrong password: status and body.
LoginRejection = Literal["401 text", "200 text", "400 text", "403 json", "200 json"]


@dataclass
class Quirks:
    """Every undocumented way of answering the simulator can take."""

    #: How a wrong password is answered (the body always says "Access denied").
    login_rejection: LoginRejection = "401 text"
    #: ``jwt``: a JWT (with an ``exp`` claim unless ``exp_claim`` is off); ``opaque``: a random
    #: string. Either way the console expires it after ``token_lifetime``.
    token_kind: Literal["jwt", "opaque"] = "jwt"
    exp_claim: bool = True
    #: The status that refuses an expired or unknown token.
    expired_token_status: int = 401
    #: The page size of ``GET /things`` whatever ``limit`` asks (None: honour ``limit``).
    own_page_size: int | None = None
    #: ``GET /things`` always answers the first page.
    listing_ignores_offset: bool = False
    #: ``GET /things`` answers every SIM in one page, whatever ``limit`` asks.
    listing_ignores_limit: bool = False
    listing_includes_state: bool = True
    #: Top-level keys a listing item leaves out (``GET /thing/{id}`` still has them).
    listing_omits: frozenset[str] = frozenset()
    #: Addresses as ``IPv4`` (the documented schema) instead of ``IPs[]`` (the real sample).
    address_as_ipv4: bool = False
    #: A batched ``GET /thing/status`` answers only for the first id.
    status_answers_first_id_only: bool = False
    #: ``GET /thing/status`` without ids lists every SIM's status (paged); else 400.
    status_listing_form: bool = True
    state_body: StateBody = "plain"
    #: The answer to ``PUT …/state``: ``text`` as documented, or a JSON-quoted string.
    write_answer: Literal["text", "json string"] = "text"
    #: The status refusing ``PUT /thing/update/`` with a stale ``cas`` (undocumented).
    stale_cas_status: int = 409
    #: Error bodies as plain text, or as the v1 API's ``{"status_code", "message", ...}``.
    error_bodies: Literal["text", "json"] = "text"
    #: Endpoints (simulator names) that refuse every token with 403: a missing permission.
    refuses: set[str] = field(default_factory=set)
    #: Endpoints whose successful answers are re-spelled at random (``respell.py``).
    respell: frozenset[str] = frozenset()


#: What each re-spellable endpoint (simulator names) answers: what the client parses.
ANSWER_KINDS: dict[str, AnswerKind] = {
    "auth": "json",
    "things": "json",
    "thing": "json",
    "status": "json",
    "search_cdr": "json",
    "ping": "json",
    "state_get": "state",
    "sms": "sms",
}

KIND = Quirks()


def unkind() -> Quirks:
    """Return a console that answers every undocumented question the other way."""
    return replace(
        KIND,
        login_rejection="200 text",
        token_kind="opaque",
        exp_claim=False,
        expired_token_status=403,
        own_page_size=25,
        listing_omits=frozenset({"ActualUsage", "MobileSubscribers"}),
        address_as_ipv4=True,
        status_answers_first_id_only=True,
        status_listing_form=False,
        state_body="braced",
        write_answer="json string",
        stale_cas_status=412,
        error_bodies="json",
        refuses=set(),
        respell=frozenset(ANSWER_KINDS),
    )


#: Each call gives a console of its own: ``replace`` alone would share ``KIND.refuses``.
PROFILES = {"kind": lambda: replace(KIND, refuses=set()), "unkind": unkind}
