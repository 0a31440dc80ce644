"""Offline checks of the rules hassfest and HACS apply to a custom integration.

The official validators need GitHub (see .github/workflows/validate.yml); these run anywhere
and catch the same mistakes early: required and sorted manifest keys, the hacs.json schema,
every translation key used, every action described.
"""

from __future__ import annotations

import json
from pathlib import Path
import re
from typing import Any

import pytest
import yaml

from custom_components.monogoto.const import DOMAIN
from homeassistant.const import __version__ as ha_version

ROOT = Path(__file__).parent.parent
PACKAGE = ROOT / "custom_components" / "monogoto"
MANIFEST_REQUIRED = {
    "codeowners",
    "config_flow",
    "documentation",
    "domain",
    "integration_type",
    "iot_class",
    "issue_tracker",
    "name",
    "requirements",
    "version",
}
IOT_CLASSES = {
    "assumed_state",
    "calculated",
    "cloud_polling",
    "cloud_push",
    "local_polling",
    "local_push",
}
HACS_KEYS = {
    "content_in_root",
    "country",
    "filename",
    "hacs",
    "hide_default_branch",
    "homeassistant",
    "name",
    "persistent_directory",
    "render_readme",
    "zip_release",
}
VERSION = re.compile(r"^\d+\.\d+\.\d+$")


def _json(path: Path) -> Any:
    return json.loads(path.read_text())


def check_manifest(manifest: dict[str, Any]) -> list[str]:
    """Return the hassfest/HACS manifest rules ``manifest`` breaks."""
    errors = [f"missing key {key}" for key in sorted(MANIFEST_REQUIRED - set(manifest))]
    keys = list(manifest)
    if keys[:2] != ["domain", "name"] or keys[2:] != sorted(keys[2:]):
        errors.append("keys must be domain, name, then sorted")
    if manifest.get("domain") != PACKAGE.name:
        errors.append("domain must equal the folder name")
    errors.extend(
        f"{key} must be an https URL"
        for key in ("documentation", "issue_tracker")
        if not str(manifest.get(key, "")).startswith("https://")
    )
    if not manifest.get("codeowners") or not all(
        str(owner).startswith("@") for owner in manifest.get("codeowners", [])
    ):
        errors.append("codeowners must be GitHub handles")
    if manifest.get("iot_class") not in IOT_CLASSES:
        errors.append("unknown iot_class")
    if not VERSION.match(str(manifest.get("version", ""))):
        errors.append("version must be X.Y.Z")
    return errors


def test_manifest() -> None:
    assert check_manifest(_json(PACKAGE / "manifest.json")) == []


@pytest.mark.parametrize("key", sorted(MANIFEST_REQUIRED))
def test_manifest_check_fails_without_any_required_key(key: str) -> None:
    manifest = _json(PACKAGE / "manifest.json")
    del manifest[key]
    assert check_manifest(manifest)


def test_manifest_check_fails_on_unsorted_keys() -> None:
    manifest = _json(PACKAGE / "manifest.json")
    reordered = {"domain": manifest.pop("domain"), "name": manifest.pop("name")}
    reordered.update(reversed(list(manifest.items())))
    assert "keys must be domain, name, then sorted" in check_manifest(reordered)


def test_hacs_json() -> None:
    hacs = _json(ROOT / "hacs.json")
    assert set(hacs) <= HACS_KEYS
    assert hacs["name"]
    assert VERSION.match(hacs["homeassistant"])
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


def _keys(tree: object, prefix: str = "") -> set[str]:
    if isinstance(tree, dict):
        return set().union(
            *(_keys(v, f"{prefix}.{k}" if prefix else k) for k, v in tree.items())
        )
    return {prefix}


STRINGS = _json(PACKAGE / "strings.json")
STRING_KEYS = _keys(STRINGS)


def test_config_flow_strings_cover_every_step_error_and_abort() -> None:
    code = (PACKAGE / "config_flow.py").read_text()
    for step in re.findall(r'step_id="(\w+)"', code):
        assert f"config.step.{step}.title" in STRING_KEYS, step
    for field in ("username", "password"):
        assert f"config.step.user.data.{field}" in STRING_KEYS
        assert f"config.step.user.data_description.{field}" in STRING_KEYS
    assert "config.step.user.sections.advanced.data.url" in STRING_KEYS
    for error in re.findall(r'"base": "(\w+)"', code):
        assert f"config.error.{error}" in STRING_KEYS, error
    for reason in [*re.findall(r'reason="(\w+)"', code), "already_configured"]:
        assert f"config.abort.{reason}" in STRING_KEYS, reason


def test_every_translation_key_in_code_exists() -> None:
    code = "\n".join(path.read_text() for path in PACKAGE.rglob("*.py"))
    for key in set(re.findall(r'translation_key="(\w+)"', code)):
        assert any(f".{key}." in path for path in STRING_KEYS), key


def test_every_string_is_used() -> None:
    """strings.json carries nothing the code, icons or services do not use."""
    code = "\n".join(path.read_text() for path in PACKAGE.rglob("*.py"))
    for platform, entities in STRINGS["entity"].items():
        assert f"Platform.{platform.upper()}" in (PACKAGE / "__init__.py").read_text()
        for key in entities:
            assert f'"{key}"' in code, f"entity.{platform}.{key} unused"
    for key in STRINGS["exceptions"]:
        assert f'"{key}"' in code, f"exceptions.{key} unused"
    for key in STRINGS["issues"]:
        assert f'"{key}"' in code, f"issues.{key} unused"


def test_every_action_is_described_and_translated() -> None:
    services = yaml.safe_load((PACKAGE / "services.yaml").read_text())
    icons = _json(PACKAGE / "icons.json")
    code = (PACKAGE / "services.py").read_text()
    assert set(services) == set(STRINGS["services"]) == set(icons["services"])
    for action, spec in services.items():
        assert f'"{action}"' in code
        assert STRINGS["services"][action]["name"]
        assert STRINGS["services"][action]["description"]
        assert set(spec.get("fields", {})) == set(
            STRINGS["services"][action].get("fields", {})
        )
        for field in spec.get("fields", {}).values():
            select = field.get("selector", {}).get("select")
            if select and "translation_key" in select:
                options = STRINGS["selector"][select["translation_key"]]["options"]
                assert set(options) == set(select["options"])


@pytest.mark.parametrize(
    ("kind", "module", "table"),
    [("triggers", "trigger", "TRIGGERS"), ("conditions", "condition", "CONDITIONS")],
)
def test_every_trigger_and_condition_is_described(
    kind: str, module: str, table: str
) -> None:
    """triggers.yaml/conditions.yaml, the platform and strings.json name the same things."""
    import importlib

    described = {
        key: spec
        for key, spec in yaml.safe_load((PACKAGE / f"{kind}.yaml").read_text()).items()
        if not key.startswith(".")
    }
    platform = getattr(
        importlib.import_module(f"custom_components.monogoto.{module}"), table
    )
    icons = _json(PACKAGE / "icons.json")[kind]
    assert set(described) == set(platform) == set(STRINGS[kind]) == set(icons)
    for key, spec in described.items():
        assert STRINGS[kind][key]["name"]
        assert STRINGS[kind][key]["description"]
        assert set(spec.get("fields", {})) == set(STRINGS[kind][key]["fields"])
        for field in spec.get("fields", {}).values():
            select = field.get("selector", {}).get("select")
            if select and "translation_key" in select:
                options = STRINGS["selector"][select["translation_key"]]["options"]
                assert set(options) == set(select["options"])
