"""The package as a whole: the rules hassfest does not check.

hassfest itself (``../shared/tools/hassfest/run``, run first by ``.ci/run`` and by the GitHub
workflow) validates the manifest, strings.json's schema and key spelling, services.yaml,
triggers.yaml, conditions.yaml and icons.json. What stays here is what it cannot see: that the
client is Home Assistant-free, that our six translations are complete, that the Python code and
the YAML/JSON files name the same things, and that hacs.json agrees with the manifest.
"""

from __future__ import annotations

import ast
import importlib
import json
from pathlib import Path
import re
from typing import Any

import pytest
import yaml

from custom_components.monogoto.const import DOMAIN
from custom_components.monogoto.errors import ERROR_KEYS
from homeassistant.const import __version__ as ha_version

ROOT = Path(__file__).parent.parent
PACKAGE = ROOT / "custom_components" / "monogoto"
LANGUAGES = ("en", "de", "es", "fr", "nl", "it")


def _json(path: Path) -> Any:
    return json.loads(path.read_text())


def _paths(tree: object, prefix: str = "") -> dict[str, str]:
    """Flatten a translation tree into ``{"a.b.c": text}``."""
    if isinstance(tree, dict):
        out: dict[str, str] = {}
        for key, value in tree.items():
            out.update(_paths(value, f"{prefix}.{key}" if prefix else key))
        return out
    assert isinstance(tree, str), prefix
    return {prefix: tree}


STRINGS_TREE = _json(PACKAGE / "strings.json")
STRINGS = _paths(STRINGS_TREE)
CODE = "\n".join(path.read_text() for path in PACKAGE.rglob("*.py"))


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


# -- translations ------------------------------------------------------------------------------


def test_english_translation_is_strings_json() -> None:
    assert _json(PACKAGE / "translations" / "en.json") == STRINGS_TREE


def test_every_language_has_a_file() -> None:
    assert {path.stem for path in (PACKAGE / "translations").glob("*.json")} == set(
        LANGUAGES
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_translation_is_complete(language: str) -> None:
    translated = _paths(_json(PACKAGE / "translations" / f"{language}.json"))
    assert set(translated) - set(STRINGS) == set(), "extra keys"
    assert set(STRINGS) - set(translated) == set(), "missing keys"
    for key, text in translated.items():
        placeholders = set(re.findall(r"{\w+}", text))
        assert placeholders == set(re.findall(r"{\w+}", STRINGS[key])), key
        assert text.strip(), key


# -- the code and the strings name the same things ---------------------------------------------


def test_every_translation_key_in_code_exists() -> None:
    for key in [*ERROR_KEYS.values(), "unknown_error"]:
        assert f"exceptions.{key}.message" in STRINGS
    for key in set(re.findall(r'translation_key="(\w+)"', CODE)):
        assert any(f".{key}." in path for path in STRINGS), key


def test_every_string_is_used() -> None:
    """strings.json carries nothing the code does not use."""
    init = (PACKAGE / "__init__.py").read_text()
    for platform, entities in STRINGS_TREE["entity"].items():
        assert f"Platform.{platform.upper()}" in init
        for key in entities:
            assert f'"{key}"' in CODE, f"entity.{platform}.{key} unused"
    for section in ("device", "exceptions", "issues"):
        for key in STRINGS_TREE[section]:
            assert f'"{key}"' in CODE, f"{section}.{key} unused"


def test_config_flow_strings_cover_every_step_error_and_abort() -> None:
    config = (PACKAGE / "config_flow.py").read_text()
    options = (PACKAGE / "options_flow.py").read_text()
    for flow, part in (("config", config), ("options", options)):
        for step in re.findall(r'step_id="(\w+)"', part):
            assert f"{flow}.step.{step}.title" in STRINGS, step
        errors = re.findall(r'\["?(?:base|\w+)"?\] = "(\w+)"', part)
        for error in [*re.findall(r'"base": "(\w+)"', part), *errors]:
            assert f"{flow}.error.{error}" in STRINGS, error
        for reason in re.findall(r'reason="(\w+)"', part):
            assert f"{flow}.abort.{reason}" in STRINGS, reason
    assert "config.abort.already_configured" in STRINGS
    assert {"none_chosen", "empty_filter", "no_match"} <= set(
        re.findall(r'\] = "(\w+)"', options)
    )


def test_every_action_is_registered_described_and_has_an_icon() -> None:
    services = yaml.safe_load((PACKAGE / "services.yaml").read_text())
    icons = _json(PACKAGE / "icons.json")
    code = (PACKAGE / "services.py").read_text()
    assert set(services) == set(STRINGS_TREE["services"]) == set(icons["services"])
    for action in services:
        assert f'"{action}"' in code


@pytest.mark.parametrize(
    ("kind", "module", "table"),
    [("triggers", "trigger", "TRIGGERS"), ("conditions", "condition", "CONDITIONS")],
)
def test_every_trigger_and_condition_is_implemented(
    kind: str, module: str, table: str
) -> None:
    """triggers.yaml/conditions.yaml and the platform's table name the same things."""
    described = {
        key
        for key in yaml.safe_load((PACKAGE / f"{kind}.yaml").read_text())
        if not key.startswith(".")
    }
    platform = getattr(
        importlib.import_module(f"custom_components.monogoto.{module}"), table
    )
    assert described == set(platform) == set(STRINGS_TREE[kind])


# -- HACS ---------------------------------------------------------------------------------------


def test_hacs_json_agrees_with_the_manifest_and_the_tests() -> None:
    hacs = _json(ROOT / "hacs.json")
    manifest = _json(PACKAGE / "manifest.json")
    assert hacs["name"] == manifest["name"]
    if hacs.get("zip_release"):
        assert hacs["filename"] == f"{DOMAIN}.zip"
    # The floor must be the Home Assistant the tests run on (pinned by requirements_test.txt).
    assert hacs["homeassistant"] == ha_version


def test_repository_layout_for_hacs() -> None:
    assert [
        path.name for path in (ROOT / "custom_components").iterdir() if path.is_dir()
    ] == [DOMAIN]
    assert (ROOT / "README.md").is_file()
    assert (ROOT / "LICENSE").is_file()
    assert (PACKAGE / "brand" / "icon.png").is_file()


@pytest.mark.parametrize("language", LANGUAGES)
def test_url_help_states_the_loopback_exception(language: str) -> None:
    """The form refuses plain http:// except to this computer; its help text says so."""
    steps = _json(PACKAGE / "translations" / f"{language}.json")["config"]["step"]
    for step in ("user", "reconfigure"):
        text = steps[step]["sections"]["advanced"]["data_description"]["url"]
        assert "https://" in text
        assert "http://127.0.0.1" in text
        assert "localhost" in text
