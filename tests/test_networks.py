"""Network data: only permissive sources, the serving network's name, and the roaming country.

The roaming country is an enum sensor whose state is the ISO code; Home Assistant shows it as
the country's name in the user's language, from our translations (read here the way Home
Assistant reads them).
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
import re

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.monogoto.const import DOMAIN
from custom_components.monogoto.networks import COUNTRIES, MCC_COUNTRY, NETWORK_COUNTRY
from homeassistant.components.sensor import ATTR_OPTIONS, SensorDeviceClass
from homeassistant.const import ATTR_DEVICE_CLASS, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.translation import async_get_translations

from .helpers import entity_id_of, next_poll, state_of
from .simulator import MonogotoSimulator

ROOT = Path(__file__).parent.parent
PACKAGE = ROOT / "custom_components" / "monogoto"
NETWORKS = PACKAGE / "networks.py"
#: Licences whose data an MIT-licensed integration may ship (SPDX identifiers).
PERMISSIVE = frozenset(
    {
        "Apache-2.0",
        "BSD-2-Clause",
        "BSD-3-Clause",
        "MIT",
        "CC0-1.0",
        "LicenseRef-public-domain",
        "Unicode-3.0",
        "Unicode-DFS-2016",
    }
)


def _sources() -> list[tuple[str, str, str]]:
    """Read ``SOURCES`` from the generated module's text (as a reviewer would)."""
    tree = ast.parse(NETWORKS.read_text(encoding="utf-8"))
    for node in tree.body:
        if (
            isinstance(node, ast.AnnAssign)
            and getattr(node.target, "id", "") == "SOURCES"
        ):
            assert node.value is not None
            sources: list[tuple[str, str, str]] = ast.literal_eval(node.value)
            return sources
    raise AssertionError("networks.py has no SOURCES")


def _not_permissive(sources: list[tuple[str, str, str]]) -> list[str]:
    return [name for name, _, licence in sources if licence not in PERMISSIVE]


def test_every_source_is_permissively_licensed() -> None:
    sources = _sources()
    assert len(sources) >= 3
    assert _not_permissive(sources) == []
    # The check does catch what made the old table unshippable.
    assert _not_permissive([("mcc-mnc-p1", "1.1.0", "AGPL-3.0-only")]) == ["mcc-mnc-p1"]
    assert _not_permissive([("Wikipedia", "-", "CC-BY-SA-4.0")]) == ["Wikipedia"]


def test_the_notice_names_every_source_with_its_licence() -> None:
    notice = (ROOT / "NOTICE").read_text(encoding="utf-8")
    docstring = ast.get_docstring(ast.parse(NETWORKS.read_text(encoding="utf-8")))
    assert docstring is not None
    for name, version, licence in _sources():
        assert name in docstring
        assert version in docstring
        assert licence in docstring
        assert name in notice, name
        assert licence in notice, licence


def test_every_country_the_sensor_can_show_has_a_name() -> None:
    strings = json.loads((PACKAGE / "strings.json").read_text(encoding="utf-8"))
    names = strings["entity"]["sensor"]["roaming_country"]["state"]
    assert set(names) == set(COUNTRIES)
    assert set(MCC_COUNTRY.values()) | set(NETWORK_COUNTRY.values()) == set(COUNTRIES)
    assert all(re.fullmatch("[a-z]{2}", code) for code in COUNTRIES)


def test_nothing_from_the_copyleft_sources_remains() -> None:
    """The product and its generator name no AGPL or CC BY-SA source."""
    banned = re.compile(r"mcc[-_]mnc[-_]p1|wikipedia", re.IGNORECASE)
    paths = [
        *(ROOT / "custom_components").rglob("*.*"),
        ROOT / "scripts" / "make_networks.py",
    ]
    for path in paths:
        if path.suffix in {".py", ".json", ".yaml"}:
            assert not banned.search(path.read_text(encoding="utf-8")), path


@pytest.mark.parametrize(
    ("mcc", "mnc", "mno_name", "country", "network"),
    [
        ("208", "01", "Orange", "fr", "Orange"),  # the console's name first
        ("262", "01", None, "de", "Telekom"),  # none from the console: the table's
        # A network of a US MCC that serves Guam.
        ("310", "370", None, "gu", "Guamcell Cellular and Paging"),
        ("340", "01", None, "gp", "Orange Caraïbe Mobiles"),  # shared MCC: its default
        ("999", "77", None, STATE_UNKNOWN, "999-77"),  # unknown codes: the codes
    ],
)
async def test_roaming_country_and_network(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    mcc: str,
    mnc: str,
    mno_name: str | None,
    country: str,
    network: str,
) -> None:
    thing_id = simulator.thing_ids()[0]
    simulator.roam(thing_id, mcc, mnc, 4711)
    simulator.things[thing_id]["MnoName"] = mno_name
    await next_poll(hass, freezer)
    roaming = state_of(hass, "sensor", thing_id, "roaming_country")
    assert roaming.state == country
    assert roaming.attributes[ATTR_DEVICE_CLASS] == SensorDeviceClass.ENUM
    assert country == STATE_UNKNOWN or country in roaming.attributes[ATTR_OPTIONS]
    assert roaming.attributes["mcc"] == mcc
    serving = state_of(hass, "sensor", thing_id, "network")
    assert serving.state == network
    assert serving.attributes["plmn"] == f"{mcc}-{mnc}"
    # The cell id is diagnostic and disabled by default (it locates the SIM).
    entry = er.async_get(hass).async_get(
        entity_id_of(hass, "sensor", thing_id, "cell_id")
    )
    assert entry is not None
    assert entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION


async def test_no_network_and_no_name_is_unknown(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    thing_id = simulator.thing_ids()[0]
    simulator.things[thing_id]["LastLocation"].update(MCC=None, MNC=None)
    simulator.things[thing_id]["MnoName"] = None
    await next_poll(hass, freezer)
    for key in ("roaming_country", "network"):
        assert state_of(hass, "sensor", thing_id, key).state == STATE_UNKNOWN


@pytest.mark.parametrize(
    ("language", "france", "germany"),
    [
        ("en", "France", "Germany"),
        ("de", "Frankreich", "Deutschland"),
        ("es", "Francia", "Alemania"),
        ("fr", "France", "Allemagne"),
        ("nl", "Frankrijk", "Duitsland"),
        ("it", "Francia", "Germania"),
    ],
)
async def test_roaming_country_shows_in_the_users_language(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    language: str,
    france: str,
    germany: str,
) -> None:
    """MCC 208 reads as France, 262 as Germany, through Home Assistant's translations."""
    thing_id = simulator.thing_ids()[0]
    registry = er.async_get(hass)
    entity_id = entity_id_of(hass, "sensor", thing_id, "roaming_country")
    entry = registry.async_get(entity_id)
    assert entry is not None
    translations = await async_get_translations(hass, language, "entity", {DOMAIN})
    for mcc, name in (("208", france), ("262", germany)):
        simulator.roam(thing_id, mcc, "01", 4711)
        await next_poll(hass, freezer)
        state = hass.states.get(entity_id)
        assert state is not None
        key = f"component.{DOMAIN}.entity.sensor.{entry.translation_key}.state.{state.state}"
        assert translations[key] == name
