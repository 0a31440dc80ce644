"""Conformance corpus: every console answer known from documentation or from the wild.

Each file in ``tests/fixtures/console/`` is one body exactly as sent (identifiers replaced by
fake ones). ``index.json`` says for each which section of the API reference (monogoto-api.md) it
comes from, and what each parser must make of it: the model, field by field, or
``{"raises": "MonogotoResponseError"}`` when the answer is unusable as a whole.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from ipaddress import ip_address, ip_network
import json
from pathlib import Path
import re
from typing import Any

import pytest

from custom_components.monogoto.api import (
    Field,
    Location,
    Login,
    MonogotoResponseError,
    PingResult,
    Thing,
    ThingEvent,
    ThingStatus,
)

from .parsing import PARSERS

CORPUS = Path(__file__).parent.parent / "fixtures" / "console"
INDEX: dict[str, dict[str, Any]] = json.loads((CORPUS / "index.json").read_text())
#: The model each parser gives (a list of them where the parser's name says so).
MODELS: dict[str, type[Any]] = {
    "parse_login": Login,
    "parse_things": Thing,
    "parse_thing": Thing,
    "parse_statuses": ThingStatus,
    "parse_events": ThingEvent,
    "parse_ping": PingResult,
}
LIST_PARSERS = {"parse_things", "parse_statuses", "parse_events"}
TIME_FIELDS = {
    "last_data_activity",
    "last_network_registration",
    "last_connection",
    "timestamp",
}
CASES = [
    pytest.param(name, parser, expected, id=f"{name}-{parser}")
    for name, entry in INDEX.items()
    for parser, expected in entry["expect"].items()
]


def _value(name: str, value: Any) -> Any:
    """Turn one field of the index (JSON) into the model's type."""
    if value is None:
        return None
    if name in TIME_FIELDS:
        return datetime.fromisoformat(value)
    if name == "present":
        return frozenset(Field(field) for field in value)
    if name == "location":
        return Location(**{key: _value(key, item) for key, item in value.items()})
    if name == "round_trips_ms":
        return tuple(value)
    return value


def _model(model: type[Any], expected: dict[str, Any]) -> Any:
    """Build the expected model; the index must name every field (no silent default)."""
    names = {field.name for field in fields(model)}
    assert set(expected) == names, (
        f"index lists {sorted(expected)}, {model.__name__} has {sorted(names)}"
    )
    return model(**{name: _value(name, value) for name, value in expected.items()})


def _assert_same(actual: Any, expected: Any, where: str) -> None:
    """Compare a model field by field, so a failure names the field."""
    assert type(actual) is type(expected), f"{where}: {type(actual).__name__}"
    for field in fields(expected):
        got, want = getattr(actual, field.name), getattr(expected, field.name)
        assert got == want, f"{where}.{field.name}: {got!r} != {want!r}"


def test_every_file_has_an_entry_and_a_source() -> None:
    files = {path.name for path in CORPUS.iterdir() if path.name != "index.json"}
    assert files == set(INDEX)
    for name, entry in INDEX.items():
        assert re.match(r"monogoto-api\.md §\d", entry["source"]), name
        assert set(entry["expect"]) <= set(PARSERS), name


#: Identifiers of the API reference's samples (and its docs' garbled tokens): never stored.
REFERENCE_IDENTIFIERS = (
    "8912372646888991",
    "cid_c256463da",
    "cid_ecs1d3a5",
    "123456789101112",
    "+4420412389916",
    "eyJhb6IkpXVCJ9",
    "demo@monogoto.io",
    "UserId_a76ty5a5",
    "OrganizationId_235348d7d",
    "UserProfileId_40e0998a",
    "c4d5e6f7-a8b9",
)


@pytest.mark.parametrize("name", sorted(INDEX))
def test_corpus_carries_only_fake_identifiers(name: str) -> None:
    """ICCIDs, IMSIs, MSISDNs and addresses are the obviously fake ones; none is the reference's."""
    body = (CORPUS / name).read_text()
    for identifier in REFERENCE_IDENTIFIERS:
        assert identifier not in body
    assert set(re.findall(r"(?<!\d)89\d{15,18}(?!\d)", body)) <= {"8900000000000000001"}
    for imsi_or_imei in re.findall(r"(?<![\d.])\d{15}(?![\d.])", body):
        assert imsi_or_imei.startswith(("00101", "0000000")), imsi_or_imei
    for msisdn in re.findall(r"\+\d{6,}", body):
        assert msisdn.startswith("+999"), msisdn
    for address in re.findall(r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.])", body):
        assert ip_address(address) in ip_network("192.0.2.0/24"), address


@pytest.mark.parametrize(("name", "parser", "expected"), CASES)
def test_corpus(name: str, parser: str, expected: Any) -> None:
    """Each sample gives the model the index says (or is refused as a whole)."""
    body = (CORPUS / name).read_text()
    parse = PARSERS[parser]
    if isinstance(expected, dict) and set(expected) == {"raises"}:
        assert expected["raises"] == MonogotoResponseError.__name__
        with pytest.raises(MonogotoResponseError):
            parse(body)
        return
    actual = parse(body)
    if parser not in MODELS:
        assert actual == expected
        return
    model = MODELS[parser]
    if parser in LIST_PARSERS:
        assert isinstance(actual, list)
        assert len(actual) == len(expected), f"{name}: {len(actual)} items"
        for n, (item, want) in enumerate(zip(actual, expected, strict=True)):
            _assert_same(item, _model(model, want), f"{name}[{n}]")
    else:
        _assert_same(actual, _model(model, expected), name)
