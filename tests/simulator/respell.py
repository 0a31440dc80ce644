"""Re-spell a console answer in the other ways the reading rules say it may come.

The client's reading rules (``docs/architecture.md``, "One tolerant reader") accept:

- keys in any case and with or without ``_``/``-`` (``ThingId``, ``thingId``, ``thing_id``,
  ``THING-ID``): two spellings are the same key when they agree once lower-cased without
  ``_`` and ``-``;
- a payload wrapped or not in the console's envelopes (``{"Data": …}``,
  ``{"Success": true, "Data": …}``, ``{"Items": […]}``), in either direction;
- numbers as numeric strings; booleans as ``true``, ``"true"`` or ``1``;
- a timestamp as epoch seconds, epoch milliseconds or ISO-8601 text, the same instant;
- a single value (a state word, an SMS id) bare, quoted, braced, as a one-key object or a
  one-element array; a state word in any case.

``respell_answer`` applies a random choice of these to one answer body, so that what the client
reads from it must not change. The property test (``tests/api/test_respelling.py``) and the
simulator's unkind profile (``Quirks.respell``) share it. It is pure: the answer and a
``random.Random`` in, new body text out; the same seed gives the same text.

The events answer's ``hits``/``_source`` and the thing's own nested objects are payload, not
envelopes: only the three envelopes above are added or removed, and only around the whole answer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
import json
import random
import re
from typing import Any, Literal

#: What an answer holds: a JSON document, a thing's state word, or an SMS id.
AnswerKind = Literal["json", "state", "sms"]

#: Keys (normalised) whose values are instants: read as epoch ms or "YYYY-MM-DD HH:MM:SS" UTC.
TIME_KEYS = frozenset(
    {
        "timestamp",
        "lastdatatime",
        "lastlocationupdatetime",
        "lastconnectiontime",
        "lastdisconnectiontime",
        "lastconnectedtime",
        "lastmtsmstime",
        "lastmosmstime",
        "lastmtvoicetime",
        "lastmovoicetime",
        "datemodified",
        "datecreated",
        "dateassignedtocustomer",
        "lastactivationdate",
    }
)
#: Keys (normalised) whose text values are words the reader takes in any case.
WORD_KEYS = frozenset({"state", "provisionstatus", "connectionstatus"})
#: The keys a one-key object around a single value may use.
SINGLE_VALUE_KEYS: dict[AnswerKind, tuple[str, ...]] = {
    "json": (),
    "state": ("State", "Status", "ThingState", "Data"),
    "sms": ("SmsId", "Id", "MessageId", "Data"),
}

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_CONSOLE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
#: An epoch value at or above this is milliseconds (1973 in ms; year 5138 in seconds).
_EPOCH_MS = 100_000_000_000


def normalised(key: str) -> str:
    """Return the form two spellings of one key share: lower case, no ``_`` or ``-``."""
    return key.lower().replace("_", "").replace("-", "")


def key_words(key: str) -> list[str]:
    """Split a key into its words (``Last_DATA_Time`` → Last, DATA, Time); [] when unsplittable."""
    words = _WORD.findall(key)
    return words if normalised("".join(words)) == normalised(key) else []


_KEY_STYLES: dict[str, Callable[[list[str]], str]] = {
    "Pascal": lambda w: "".join(word.capitalize() for word in w),
    "camel": lambda w: w[0].lower() + "".join(word.capitalize() for word in w[1:]),
    "snake": lambda w: "_".join(word.lower() for word in w),
    "kebab": lambda w: "-".join(word.lower() for word in w),
    "SCREAMING_SNAKE": lambda w: "_".join(word.upper() for word in w),
    "SCREAMING-KEBAB": lambda w: "-".join(word.upper() for word in w),
    "lower": lambda w: "".join(w).lower(),
    "UPPER": lambda w: "".join(w).upper(),
}


def spell_key(key: str, style: str, rnd: random.Random) -> str:
    """Return ``key`` in ``style`` (one of ``_KEY_STYLES``, ``as sent`` or ``mixed``)."""
    words = key_words(key)
    if not words or style == "as sent":
        return key
    if style == "mixed":
        return "".join(
            rnd.choice(("", "_", "-")) * bool(n)
            + "".join(rnd.choice((c.lower(), c.upper())) for c in word)
            for n, word in enumerate(words)
        )
    return _KEY_STYLES[style](words)


def _instant(value: object) -> datetime | None:
    """Return the instant a console time value stands for, or None when it is not one."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= _EPOCH_MS:
        return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=value)
    if isinstance(value, str) and _CONSOLE_TIME.match(value):
        try:
            return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
        except ValueError:  # "12:11:83" and the like are left as they are
            return None
    return None


def spell_instant(instant: datetime, rnd: random.Random) -> int | str:
    """Return ``instant`` as epoch s or ms, or ISO-8601 text in UTC or another offset."""
    epoch_ms = (instant - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)
    offset = timezone(timedelta(minutes=rnd.choice((0, 0, 120, -300, 330))))
    local = instant.astimezone(offset)
    iso = local.isoformat(timespec="milliseconds" if epoch_ms % 1000 else "seconds")
    forms: list[int | str] = [epoch_ms, iso, iso.replace("+00:00", "Z")]
    if epoch_ms % 1000 == 0:
        forms += [epoch_ms // 1000, instant.strftime("%Y-%m-%d %H:%M:%S")]
    return rnd.choice(forms)


def _spell_bool(value: bool, rnd: random.Random) -> bool | str | int:
    return rnd.choice((value, str(value).lower(), int(value)))


def _spell_word(word: str, rnd: random.Random) -> str:
    """Return a word in another case (the reader takes state words in any case)."""
    return rnd.choice(
        (
            word,
            word.lower(),
            word.capitalize(),
            "".join(rnd.choice((c.lower(), c.upper())) for c in word),
        )
    )


class _Speller:
    """One answer's choices: a key style and how often scalars change form."""

    def __init__(self, rnd: random.Random) -> None:
        self.rnd = rnd
        self.key_style = rnd.choice([*_KEY_STYLES, "as sent", "mixed"])
        self.change_rate = rnd.choice((0.0, 0.5, 1.0))

    def value(self, key: str, value: Any) -> Any:
        """Re-spell one value (recursively), knowing the key it stands under."""
        if isinstance(value, dict):
            return self.mapping(value)
        if isinstance(value, list):
            return [self.value(key, item) for item in value]
        if self.rnd.random() >= self.change_rate:
            return value
        if normalised(key) in TIME_KEYS and (instant := _instant(value)) is not None:
            value = spell_instant(instant, self.rnd)
        if isinstance(value, bool):
            return _spell_bool(value, self.rnd)
        if isinstance(value, int | float) and self.rnd.random() < 0.5:
            return str(value)
        if isinstance(value, str) and normalised(key) in WORD_KEYS:
            return _spell_word(value, self.rnd)
        return value

    def mapping(self, mapping: dict[str, Any]) -> dict[str, Any]:
        """Re-spell an object's keys and values; keys that already clash keep their spelling."""
        clashing = _clashing(mapping)
        return {
            (
                key if key in clashing else spell_key(key, self.key_style, self.rnd)
            ): self.value(key, value)
            for key, value in mapping.items()
        }


def _clashing(mapping: dict[str, Any]) -> set[str]:
    """Return the keys that share their normalised form with another key of the object."""
    seen: dict[str, list[str]] = {}
    for key in mapping:
        seen.setdefault(normalised(key), []).append(key)
    return {key for keys in seen.values() if len(keys) > 1 for key in keys}


def unwrapped(payload: Any) -> Any | None:
    """Return what an envelope wraps, or None when ``payload`` is not one of the envelopes."""
    if not isinstance(payload, dict):
        return None
    keys = {normalised(key): key for key in payload}
    if len(keys) < len(payload):
        return None  # two keys that read alike: not an envelope
    if set(keys) == {"items"}:
        return payload[keys["items"]]
    if "data" in keys and set(keys) <= {"data", "success", "message"}:
        if payload.get(keys.get("success", ""), True) is not True:
            return None  # an answer that says it failed is not an envelope around a payload
        return payload[keys["data"]]
    return None


def envelopes(payload: Any) -> list[Any]:
    """Return ``payload`` in each envelope the console uses (``Items`` only around a list)."""
    wrapped: list[Any] = [
        {"Data": payload},
        {"Success": True, "Data": payload},
        {"Success": True, "Message": "Operation succeeded", "Data": payload},
    ]
    if isinstance(payload, list):
        wrapped.append({"Items": payload})
    return wrapped


def rewrap(payload: Any, rnd: random.Random) -> Any:
    """Keep, remove, add or swap the envelope around a whole answer."""
    inner = unwrapped(payload)
    bare = payload if inner is None else inner
    return rnd.choice([payload, bare, *envelopes(bare)])


def respell_json(payload: Any, rnd: random.Random) -> str:
    """Return a JSON answer re-spelled: envelope, keys, numbers, booleans, times, words."""
    speller = _Speller(rnd)
    return json.dumps(speller.value("", rewrap(payload, rnd)))


def single_value(body: str) -> str:
    """Return the value of a single-value body as the simulator spells it: bare, quoted or braced."""
    text = body.strip()
    if text.startswith('"'):
        decoded = json.loads(text)
        return decoded if isinstance(decoded, str) else text
    return text.removeprefix("{").removesuffix("}").strip()


def respell_single(value: str, kind: AnswerKind, rnd: random.Random) -> str:
    """Return a single value bare, quoted, braced, in a one-key object or a one-element array.

    A state word also changes case (an SMS id is an identifier: its case stays). The JSON forms
    may come in an envelope too.
    """
    if kind == "state":
        value = _spell_word(value, rnd)
    form = rnd.choice(("bare", "braced", "quoted", "object", "array"))
    if form == "bare":
        return rnd.choice((value, f"{value}\n", f"  {value} "))
    if form == "braced":
        return rnd.choice((f"{{ {value} }}", f"{{\n    {value}\n}}", f"{{{value}}}"))
    payload: Any = {
        "quoted": value,
        "object": {rnd.choice(SINGLE_VALUE_KEYS[kind]): value},
        "array": [value],
    }[form]
    if rnd.random() < 0.3:
        payload = rnd.choice(envelopes(payload))
    return json.dumps(_Speller(rnd).value("", payload))


def respell_answer(kind: AnswerKind, body: str, rnd: random.Random) -> str:
    """Return the body of one answer re-spelled by a random choice of the reading rules."""
    if kind == "json":
        return respell_json(json.loads(body), rnd)
    return respell_single(single_value(body), kind, rnd)
