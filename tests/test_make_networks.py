"""The generator of the network tables: how it reads the sources and which names it trusts."""

from __future__ import annotations

import importlib.util
from pathlib import Path
import sys
from types import ModuleType

import pytest


def _load() -> ModuleType:
    path = Path(__file__).parent.parent / "scripts" / "make_networks.py"
    spec = importlib.util.spec_from_file_location("make_networks", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


make_networks = _load()

LOOKUP = """# Licensed under the Apache License, Version 2.0 (the "License");
networks:<
  # "Sure" # a comment with quotes
  mcc: "234"
  mnc: "55"
  countryIsoCode: "je" # Jersey
>
mobile_countries:<
    mcc: "234"
    countryIsoCodes: "gb"
    overrides<
        mnc: "55"
        countryIsoCodes: "je"
    >
>
mobile_countries:<
    mcc: "340"
    countryIsoCodes: "gp" # Default: Guadeloupe
    countryIsoCodes: "gf"
>
"""

CARRIERS = """carrier_id {
  canonical_id: 1
  carrier_name: "Host"
  carrier_attribute {
    mccmnc_tuple: "20801"
    spn: "Host F"
  }
}
carrier_id {
  canonical_id: 2
  carrier_name: "Riding MVNO"
  carrier_attribute {
    mccmnc_tuple: "20801"
    gid1: "33"
  }
}
carrier_id {
  canonical_id: 3
  carrier_name: "Sub-brand"
  carrier_attribute {
    mccmnc_tuple: "20801"
  }
  parent_canonical_id: 1
}
carrier_id {
  canonical_id: 4
  carrier_name: "Plain"
  carrier_attribute {
    mccmnc_tuple: "26201"
  }
  carrier_attribute {
    mccmnc_tuple: "310260"
  }
}
carrier_id {
  canonical_id: 5
  carrier_name: "By SPN"
  carrier_attribute {
    mccmnc_tuple: "26201"
    spn: "Other"
  }
}
version: 42
"""


def test_countries_default_and_network_overrides(tmp_path: Path) -> None:
    path = tmp_path / "telephonylookup.txt"
    path.write_text(LOOKUP)
    assert make_networks.read_countries(path) == (
        {"234": "gb", "340": "gp"},
        {"234-55": "je"},
    )
    path.write_text(LOOKUP.replace('countryIsoCode: "je"', 'countryIsoCode: "im"'))
    with pytest.raises(ValueError, match="disagree"):
        make_networks.read_countries(path)
    path.write_text(LOOKUP.replace("Apache", "Other"))
    with pytest.raises(ValueError, match="Apache"):
        make_networks.read_countries(path)


def test_carrier_list_names_the_network_not_the_operators_riding_on_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "carrier_list.textpb"
    path.write_text(CARRIERS)
    names, version = make_networks.read_carrier_list(path)
    assert version == "42"
    assert names == {"208-01": {"Host"}, "262-01": {"Plain"}, "310-260": {"Plain"}}


@pytest.mark.parametrize(
    ("android", "gnome", "name"),
    [
        ({"Host"}, {"Host", "MVNO"}, "Host"),  # Android's only name first
        ({"A", "B"}, {"B"}, "B"),  # then GNOME's only one
        ({"A", "B"}, {"B", "C"}, "B"),  # then the one both agree on
        ({"A", "B"}, {"A", "B"}, None),  # nothing certain: no name
        (set(), {"C", "D"}, None),
    ],
)
def test_a_name_only_where_it_is_certain(
    android: set[str], gnome: set[str], name: str | None
) -> None:
    names = make_networks.network_names({"208-01": android}, {"208-01": gnome})
    assert names.get("208-01") == name


def test_unreadable_text_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unreadable"):
        make_networks.parse_text_format('mcc: "2')
    with pytest.raises(ValueError, match="missing"):
        make_networks.parse_text_format("networks:< mcc: 1")
