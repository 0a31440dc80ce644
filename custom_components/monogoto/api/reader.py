"""The one set of rules by which every answer of the console is read.

No parser trusts a spelling: every answer passes through these rules first.

1. **Bodies.** A body is JSON when it decodes as JSON (a JSON string holding JSON is decoded
   again); otherwise it is text. An empty body is nothing.
2. **Keys** are matched without regard to case, ``_`` or ``-``: ``ThingId``, ``thingId``,
   ``thing_id`` and ``THING-ID`` are one key (``key``). Parsers ask by the normalised name.
3. **Envelopes.** ``{"Data": …}``, ``{"Items": …}``, ``{"Success": true, "Data": …}`` and the
   like (``ENVELOPES``) are unwrapped when the wrapped value is what is needed, and a bare value
   is taken where an envelope was expected: the direction does not matter (``unwrap``,
   ``listed``). An envelope that says ``Success: false`` is a failed answer.
4. **Scalars.** A number may arrive as a number, a numeric string or a JSON-quoted string
   inside text; a text value as text or a whole number (``count``, ``number``, ``text``).
   A boolean is ``true``/``false``, ``"true"``/``"false"`` or ``1``/``0`` (``flag``).
5. **Times** are epoch seconds, epoch milliseconds (anything past 10^11) or ISO-8601 text, and
   the console's ``YYYY-MM-DD HH[:MM[:SS]]``, read as UTC and rolled over when a field
   overflows (``12:11:83`` is 12:12:23) (``timestamp``).
6. **A single value** (a state word, an SMS id) may arrive bare, quoted, braced (``{ ACTIVE }``),
   as a one-key object (``{"Status": "active"}``) or a one-element array (``["ACTIVE"]``),
   nested in any order (``single``).
7. **What could not be read** is never dropped silently: a ``Node`` notes each value that is
   there but unreadable by its key and *form* (``text``, ``number``, ``object`` …, never the
   value) in ``unread``, which the client records in the API profile and logs once.

Speed matters (a 5,000-SIM listing is 21 MB of JSON): keys are normalised once per *layout*
(the tuple of an object's keys, shared by every SIM described alike), not per field.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
import json
import math
import re
from typing import Any, Final

from .exceptions import MonogotoResponseError
from .profile import value_form

try:
    from orjson import loads as _fast_loads
except ImportError:  # pragma: no cover - Home Assistant always ships orjson
    _fast_loads = json.loads  # type: ignore[assignment]

#: Keys (normalised) whose value is the payload an envelope wraps.
ENVELOPES: Final = ("data", "items", "result", "results", "content", "payload", "value")
#: Past this, an epoch number counts milliseconds (10^11 s is the year 5138).
_EPOCH_MS_FROM: Final = 10**11
_DATETIME: Final = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)(?:[ T](\d\d)(?::(\d\d)(?::(\d\d)(?:\.\d+)?)?)?)?(?:Z|[+-]00:?00)?",
    re.ASCII,
)
_PAIRS: Final = {'"': '"', "{": "}", "[": "]"}


def key(name: str) -> str:
    """Return a key as the rules match it: lower case, without ``_`` and ``-``."""
    return name.replace("_", "").replace("-", "").lower()


def decode(text: str) -> Any:
    """Return a body as JSON when it is JSON, else its stripped text (rule 1)."""
    stripped = text.strip()
    if not stripped:
        return None
    if stripped[0] in '{["' or stripped[0].isdigit() or stripped[0] in "-tfn":
        try:
            value = decode_json(stripped)
        except MonogotoResponseError:
            return stripped
        if isinstance(value, str) and value.strip()[:1] in ("{", "["):
            return decode(value)
        return value
    return stripped


def decode_json(text: str) -> Any:
    """Decode JSON with orjson (fast: 21 MB per 5,000-SIM listing), else the laxer ``json``."""
    try:
        return _fast_loads(text)
    except ValueError:
        pass
    try:
        return json.loads(text)
    except ValueError as err:
        raise MonogotoResponseError("Monogoto sent a body that is not JSON") from err


_LAYOUTS: dict[tuple[str, ...], dict[str, str]] = {}


def _keys_of(raw: dict[str, Any]) -> dict[str, str]:
    """Return normalised key → key as sent, computed once per layout (rule 2)."""
    layout = tuple(raw)
    keys = _LAYOUTS.get(layout)
    if keys is None:
        keys = {}
        for name in layout:
            keys.setdefault(key(str(name)), name)
        if len(_LAYOUTS) >= 512:  # a console that re-spells every answer
            _LAYOUTS.clear()
        _LAYOUTS[layout] = keys
    return keys


class Node:
    """One JSON object read by the rules; ``keys`` maps each normalised key to the sent one."""

    __slots__ = ("keys", "raw", "unread")

    def __init__(self, raw: dict[str, Any], unread: set[str] | None = None) -> None:
        """Read ``raw``; note what cannot be read in ``unread`` (when given)."""
        self.raw = raw
        self.keys = _keys_of(raw)
        self.unread = unread

    def has(self, name: str) -> bool:
        """Return whether the object carries ``name`` (null included)."""
        return name in self.keys

    def get(self, name: str) -> Any:
        """Return the raw value of ``name``, or None when absent."""
        sent = self.keys.get(name)
        return None if sent is None else self.raw[sent]

    def read[T](self, name: str, convert: Callable[[Any], T | None]) -> T | None:
        """Return ``name`` converted; a value that is there but unreadable is noted."""
        sent = self.keys.get(name)
        if sent is None:
            return None
        value = self.raw[sent]
        if value is None:
            return None
        result = convert(value)
        if result is None and self.unread is not None:
            self.unread.add(f"{name} as {value_form(value)}")
        return result

    def node(self, name: str) -> Node | None:
        """Return the object under ``name`` (unwrapped as rule 3 and 6 say), if any."""
        value = unwrap(self.get(name), dict)
        return Node(value, self.unread) if isinstance(value, dict) else None

    def first[T](
        self, name: str, inner: str, convert: Callable[[Any], T | None]
    ) -> T | None:
        """Return the first readable ``inner`` of the objects listed under ``name``."""
        for item in listed(self.get(name)) or ():
            if isinstance(item, dict) and (sent := _keys_of(item).get(inner)):
                value = item[sent]
                if value is not None and (found := convert(value)) is not None:
                    return found
        return None


def unwrap(value: Any, wanted: type, item_key: str | None = None) -> Any:
    """Return ``value`` unwrapped until it is ``wanted`` (rules 3 and 6), else as it is.

    Envelopes (``ENVELOPES``) and one-element arrays are opened; an object that lacks
    ``item_key`` (when given) is opened too. A ``Success: false`` envelope raises
    ``MonogotoResponseError``.
    """
    for _ in range(6):
        if isinstance(value, wanted) and (
            item_key is None
            or not isinstance(value, dict)
            or item_key in _keys_of(value)
        ):
            return value
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        elif isinstance(value, dict):
            inner = _envelope(value)
            if inner is _NONE:
                return value
            value = inner
        else:
            return value
    return value


_NONE: Final = object()


def _envelope(value: dict[str, Any], scalar: bool = False) -> Any:
    """Return what an envelope object wraps (a scalar too, if asked), else ``_NONE``."""
    node = Node(value)
    if flag(node.get("success")) is False:
        raise MonogotoResponseError(
            "Monogoto answered that the request did not succeed"
        )
    for name in ENVELOPES:
        inner = node.get(name)
        if isinstance(inner, dict | list) or (scalar and inner is not None):
            return inner
    return _NONE


def listed(value: Any, item_key: str | None = None) -> list[Any] | None:
    """Return ``value`` as a list of items (rule 3, either direction), or None.

    An array is the list; an envelope is opened; an object that is itself an item (it carries
    ``item_key``; any object when no key is given) is a list of one. None: no list at all.
    """
    for _ in range(6):
        if isinstance(value, list) and len(value) == 1 and isinstance(value[0], list):
            value = value[0]
            continue
        if isinstance(value, list):
            return value
        if not isinstance(value, dict):
            return None
        if item_key is not None and item_key in _keys_of(value):
            return [value]
        inner = _envelope(value)
        if inner is _NONE:
            return [value] if item_key is None else None
        value = inner
    return None


def single(value: Any, prefer: tuple[str, ...] = ()) -> str | None:
    """Return the one text value a body or field holds (rule 6), or None.

    In an object of several keys, a ``prefer`` key (normalised) or an envelope holds it.
    """
    for _ in range(6):
        if isinstance(value, str):
            stripped = value.strip()
            if stripped[:1] in _PAIRS and (decoded := decode(stripped)) != stripped:
                value = decoded
                continue
            # Braced or quoted, but not JSON: only when balanced.
            while stripped[:1] in _PAIRS:
                if len(stripped) < 2 or stripped[-1] != _PAIRS[stripped[0]]:
                    return None
                stripped = stripped[1:-1].strip()
            return stripped or None
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        elif isinstance(value, dict):
            value = _one_of(value, prefer)
        else:
            return None
    return None


def _one_of(value: dict[str, Any], prefer: tuple[str, ...]) -> Any:
    """Return the value an object holds as a single value, or None."""
    if len(value) == 1:
        return next(iter(value.values()))
    if found := next((n for n in prefer if Node(value).has(n)), None):
        return Node(value).get(found)
    inner = _envelope(value, scalar=True)
    return None if inner is _NONE else inner


def text(value: Any) -> str | None:
    """Return a text field: text, or a whole number as its digits (rule 4)."""
    if isinstance(value, str):
        stripped = value.strip()
        if stripped[:1] != '"':
            return stripped or None
        inner = decode(stripped)
        if isinstance(inner, str) and inner != stripped:
            return text(inner)
        return stripped.strip('"') or None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return None


def number(value: Any, limit: float = math.inf) -> float | None:
    """Return a finite number within ±``limit`` from a number or numeric text (rule 4)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip().strip('"'))
        except ValueError:
            return None
    if isinstance(value, int | float) and math.isfinite(value) and abs(value) <= limit:
        return float(value)
    return None


def count(value: Any) -> int | None:
    """Return a count (a whole number ≥ 0) from a number or numeric text (rule 4)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value >= 0 else None
    found = number(value, math.inf)
    ok = found is not None and found >= 0 and found.is_integer()
    return int(found) if ok and found is not None else None


def flag(value: Any) -> bool | None:
    """Return a boolean from ``true``/``"true"``/``1`` and their opposites (rule 4)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return True if value == 1 else False if value == 0 else None
    if isinstance(value, str):
        return {"true": True, "1": True, "false": False, "0": False}.get(
            value.strip().strip('"').lower()
        )
    return None


def timestamp(value: Any) -> datetime | None:
    """Return a UTC time from epoch s/ms, ISO-8601 or the console's text (rule 5)."""
    if isinstance(value, str):
        stripped = value.strip().strip('"')
        if stripped.isascii() and stripped.isdigit():
            return timestamp(int(stripped))
        return _datetime(stripped)
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        return None
    seconds = value / 1000 if value >= _EPOCH_MS_FROM else value
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except OverflowError, OSError, ValueError:
        return None


def _datetime(text: str) -> datetime | None:
    """Parse ISO-8601, else ``YYYY-MM-DD[ HH[:MM[:SS]]]`` rolled over (``12:11:83``)."""
    try:
        parsed = datetime.fromisoformat(text) if text[:4].isdigit() else None
    except ValueError:
        parsed = None
    if parsed is not None:
        return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    match = _DATETIME.fullmatch(text)
    if not match:
        return None
    year, month, day, hour, minute, second = (
        int(part or 0) for part in match.groups()[:6]
    )
    try:
        base = datetime(year, month, day, tzinfo=UTC)
    except ValueError:
        return None
    return base + timedelta(hours=hour, minutes=minute, seconds=second)
