"""Rules about the package itself: the client stays Home Assistant-free, translations stay whole."""

from __future__ import annotations

import ast
import json
from pathlib import Path
import re

import pytest

from custom_components.monogoto.coordinator import ERROR_KEYS

PACKAGE = Path(__file__).parent.parent / "custom_components" / "monogoto"
LANGUAGES = ("en", "de", "es", "fr", "nl", "it")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_client_does_not_import_home_assistant() -> None:
    files = sorted((PACKAGE / "api").glob("*.py"))
    assert len(files) >= 4
    for path in files:
        offending = {
            name for name in _imports(path) if name.split(".")[0] == "homeassistant"
        }
        assert not offending, f"{path.name} imports {offending}"


def _paths(tree: object, prefix: str = "") -> dict[str, str]:
    if isinstance(tree, dict):
        out: dict[str, str] = {}
        for key, value in tree.items():
            out.update(_paths(value, f"{prefix}.{key}" if prefix else key))
        return out
    assert isinstance(tree, str), prefix
    return {prefix: tree}


STRINGS = _paths(json.loads((PACKAGE / "strings.json").read_text()))


def test_english_translation_is_strings_json() -> None:
    assert json.loads((PACKAGE / "translations" / "en.json").read_text()) == json.loads(
        (PACKAGE / "strings.json").read_text()
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_translation_is_complete(language: str) -> None:
    translated = _paths(
        json.loads((PACKAGE / "translations" / f"{language}.json").read_text())
    )
    assert set(translated) - set(STRINGS) == set(), "extra keys"
    assert set(STRINGS) - set(translated) == set(), "missing keys"
    for key, text in translated.items():
        placeholders = set(re.findall(r"{\w+}", text))
        assert placeholders == set(re.findall(r"{\w+}", STRINGS[key])), key
        assert text.strip(), key


def test_every_error_key_is_translated() -> None:
    for key in [*ERROR_KEYS.values(), "unknown_error"]:
        assert f"exceptions.{key}.message" in STRINGS
    code = "\n".join(path.read_text() for path in PACKAGE.glob("*.py"))
    for key in re.findall(r'translation_key="(\w+)"', code):
        assert any(
            path.endswith(f".{key}.name") or f".{key}." in path for path in STRINGS
        ), key


def test_every_icon_and_action_is_described() -> None:
    icons = json.loads((PACKAGE / "icons.json").read_text())
    for platform, entities in icons["entity"].items():
        for key in entities:
            assert f"entity.{platform}.{key}.name" in STRINGS
    for action in icons["services"]:
        assert f"services.{action}.name" in STRINGS
