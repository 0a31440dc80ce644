#!/usr/bin/env python3
r"""Generate the network tables and the roaming country names from permissively licensed data.

Writes ``custom_components/monogoto/networks.py`` (MCC → country, MCC-MNC → country where a
network serves another country than its MCC says, MCC-MNC → network name, and the notice of
every source) and the country names of the roaming country sensor into ``strings.json`` and
``translations/*.json``. Every source, its version and its licence go into the generated
module; ``NOTICE`` at the top of the repository lists the same sources with their licence texts.

Sources (nothing else may feed the tables; see README "Network data"):

* Android's telephony lookup (Apache-2.0): ``input_data/android/telephonylookup.txt`` of
  ``platform/system/timezone``: each MCC's countries (ITU E.212 and ISO 3166, the first one the
  default) and the networks whose country is not their MCC's.
* Android's carrier list (Apache-2.0): ``assets/latest_carrier_id/carrier_list.textpb`` of
  ``platform/packages/providers/TelephonyProvider``: carrier names by MCC+MNC.
* GNOME mobile-broadband-provider-info (public domain), the Debian package of that name:
  ``serviceproviders.xml``, for networks the carrier list does not name.
* Unicode CLDR (Unicode-3.0) through ``babel`` (BSD-3-Clause): country names in en, de, es,
  fr, nl and it. Used here only; the integration does not depend on it.

Regenerate (from the repository root; nothing fetched is committed except the output):

    python3 -m venv /tmp/cldr && /tmp/cldr/bin/pip install babel
    apt-get download mobile-broadband-provider-info
    dpkg-deb -x mobile-broadband-provider-info_*.deb /tmp/mbpi
    T=https://android.googlesource.com/platform
    curl -s "$T/system/timezone/+/$TZ_COMMIT/input_data/android/telephonylookup.txt?format=TEXT" \
        | base64 -d > /tmp/telephonylookup.txt
    curl -s "$T/packages/providers/TelephonyProvider/+/$TP_COMMIT/assets/latest_carrier_id/carrier_list.textpb?format=TEXT" \
        | base64 -d > /tmp/carrier_list.textpb
    /tmp/cldr/bin/python scripts/make_networks.py \
        --telephony-lookup /tmp/telephonylookup.txt --telephony-lookup-commit "$TZ_COMMIT" \
        --carrier-list /tmp/carrier_list.textpb --carrier-list-commit "$TP_COMMIT" \
        --mbpi /tmp/mbpi
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
import gzip
import json
from pathlib import Path
import re
from typing import Any
from xml.etree import ElementTree

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "custom_components" / "monogoto"
LANGUAGES = ("en", "de", "es", "fr", "nl", "it")
#: The translation key whose states are the roaming country's names.
ROAMING_COUNTRY = "roaming_country"
AOSP = "https://android.googlesource.com/platform"
TELEPHONY_LOOKUP = "system/timezone", "input_data/android/telephonylookup.txt"
CARRIER_LIST = (
    "packages/providers/TelephonyProvider",
    "assets/latest_carrier_id/carrier_list.textpb",
)
MBPI_DATA = "usr/share/mobile-broadband-provider-info/serviceproviders.xml"
MBPI_COPYRIGHT = "usr/share/doc/mobile-broadband-provider-info/copyright"
MBPI_CHANGELOG = "usr/share/doc/mobile-broadband-provider-info/changelog.Debian.gz"


@dataclass(frozen=True)
class Source:
    """One third-party source: what it is, which version was read, under which licence."""

    name: str
    version: str
    licence: str


# -- protocol buffer text format (the two Android files) ---------------------------------------

_TOKEN = re.compile(
    r'\s+|#[^\n]*|(?P<string>"(?:[^"\\\n]|\\["\\])*")|(?P<word>[A-Za-z_][\w.]*|-?\d+)'
    r"|(?P<punct>[:<>{}])"
)


def _tokens(text: str) -> Iterator[str]:
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise ValueError(
                f"unreadable text format at {text[position : position + 40]!r}"
            )
        position = match.end()
        if (
            token := match.group("string")
            or match.group("word")
            or match.group("punct")
        ):
            yield token


def parse_text_format(text: str) -> list[tuple[str, Any]]:
    """Parse protocol buffer text format into ``[(field, value or nested list), …]``."""
    tokens = _tokens(text)

    def message(end: str | None) -> list[tuple[str, Any]]:
        fields: list[tuple[str, Any]] = []
        for name in tokens:
            if name == end:
                return fields
            item = next(tokens)
            if item == ":":
                item = next(tokens)
            if item in "<{":
                fields.append((name, message(">" if item == "<" else "}")))
            elif item.startswith('"'):
                fields.append(
                    (name, item[1:-1].replace('\\"', '"').replace("\\\\", "\\"))
                )
            else:
                fields.append((name, item))
        if end is not None:
            raise ValueError(f"text format ends inside a message (missing {end!r})")
        return fields

    return message(None)


def _values(fields: list[tuple[str, Any]], name: str) -> list[Any]:
    return [value for key, value in fields if key == name]


# -- the sources -------------------------------------------------------------------------------


def read_countries(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Return MCC → default country, and MCC-MNC → country where a network serves another one.

    An MCC shared by several countries (340: Guadeloupe and French Guiana) gives its first,
    Android's default; a network known to serve another country than its MCC's (310-370 in
    Guam) gives that country. Country codes are lower case, as enum states need them.
    """
    text = path.read_text(encoding="utf-8")
    if "Licensed under the Apache License, Version 2.0" not in text:
        raise ValueError(
            f"{path.name} no longer says it is under the Apache licence 2.0"
        )
    tree = parse_text_format(text)
    by_mcc: dict[str, str] = {}
    by_network: dict[str, str] = {}
    for entry in _values(tree, "mobile_countries"):
        (mcc,) = _values(entry, "mcc")
        by_mcc[mcc] = _values(entry, "countryIsoCodes")[0]
        for override in _values(entry, "overrides"):
            (mnc,) = _values(override, "mnc")
            by_network[f"{mcc}-{mnc}"] = _values(override, "countryIsoCodes")[0]
    for network in _values(tree, "networks"):
        plmn = f"{_values(network, 'mcc')[0]}-{_values(network, 'mnc')[0]}"
        if by_network.get(plmn) != _values(network, "countryIsoCode")[0]:
            raise ValueError(f"{path.name}: networks and overrides disagree on {plmn}")
    return by_mcc, by_network


_QUALIFIERS = frozenset(
    {
        "imsi_prefix_xpattern",
        "spn",
        "plmn",
        "gid1",
        "gid2",
        "preferred_apn",
        "iccid_prefix",
        "privilege_access_rule",
    }
)


def _plmn(tuple_: str) -> str:
    """Return ``"MCC-MNC"`` of a carrier list tuple (``"26201"`` → ``"262-01"``)."""
    return f"{tuple_[:3]}-{tuple_[3:]}"


def read_carrier_list(path: Path) -> tuple[dict[str, set[str]], str]:
    """Return the names each MCC-MNC's network may have, and the list's version.

    A carrier that claims an MCC-MNC plainly is its network; failing one, a carrier that
    claims it by service provider name (SPN) only (``20801`` with SPN "Orange F"). A claim that
    needs a group id or an IMSI prefix singles out a virtual operator riding on the network,
    as does a carrier with a parent: neither names the network that serves the SIM.
    """
    tree = parse_text_format(path.read_text(encoding="utf-8"))
    plain: dict[str, set[str]] = defaultdict(set)
    by_spn: dict[str, set[str]] = defaultdict(set)
    for carrier in _values(tree, "carrier_id"):
        if _values(carrier, "parent_canonical_id"):
            continue
        (name,) = _values(carrier, "carrier_name")
        for attribute in _values(carrier, "carrier_attribute"):
            qualifiers = _QUALIFIERS.intersection(key for key, _ in attribute)
            if qualifiers <= {"spn"}:
                claims = by_spn if qualifiers else plain
                for tuple_ in _values(attribute, "mccmnc_tuple"):
                    claims[_plmn(tuple_)].add(name.strip())
    (version,) = _values(tree, "version")
    return by_spn | plain, version


def read_service_providers(root: Path) -> tuple[dict[str, set[str]], str]:
    """Return the provider names of each MCC-MNC in GNOME's database, and the package version.

    Refuses a package whose Debian copyright file does not say public domain.
    """
    copyright_text = (root / MBPI_COPYRIGHT).read_text(encoding="utf-8")
    if "License: public-domain" not in copyright_text:
        raise ValueError("mobile-broadband-provider-info is no longer public domain")
    with gzip.open(root / MBPI_CHANGELOG, "rt", encoding="utf-8") as changelog:
        version = re.search(r"\(([^)]+)\)", changelog.readline())
    if version is None:
        raise ValueError("no version in the package's changelog")
    names: dict[str, set[str]] = defaultdict(set)
    # The Debian package's own file, not input from a stranger.
    for provider in ElementTree.parse(root / MBPI_DATA).iter("provider"):  # noqa: S314
        name = provider.findtext("name")
        for network in provider.iter("network-id"):
            if name:
                names[f"{network.get('mcc')}-{network.get('mnc')}"].add(name.strip())
    return names, version.group(1)


def network_names(
    android: dict[str, set[str]], gnome: dict[str, set[str]]
) -> dict[str, str]:
    """Name each MCC-MNC whose name is certain: Android's only name, else GNOME's only one.

    Where both list several (operators that merged, virtual operators under the host's codes),
    the one name both agree on, if any (208-01: "Orange"); otherwise no name, and the sensor
    shows the codes.
    """
    names: dict[str, str] = {}
    for plmn in sorted(android.keys() | gnome.keys()):
        for found in (
            android.get(plmn, set()),
            gnome.get(plmn, set()),
            android.get(plmn, set()) & gnome.get(plmn, set()),
        ):
            if len(found) == 1:
                names[plmn] = next(iter(found))
                break
    return names


def country_names(codes: list[str]) -> tuple[dict[str, dict[str, str]], Source]:
    """Return each language's name of each country (CLDR through babel)."""
    import babel  # noqa: PLC0415 - a development tool only, not a dependency
    from babel.core import get_cldr_version  # noqa: PLC0415

    licence = Path(babel.__file__).parent / "locale-data" / "LICENSE.unicode"
    if "UNICODE LICENSE V3" not in licence.read_text(encoding="utf-8"):
        raise ValueError("babel's CLDR data is no longer under the Unicode licence v3")
    names = {
        language: {
            code: babel.Locale(language).territories[code.upper()] for code in codes
        }
        for language in LANGUAGES
    }
    return names, Source(
        f"Unicode CLDR {get_cldr_version()}, country names (through babel {babel.__version__})",
        f"CLDR {get_cldr_version()}",
        "Unicode-3.0",
    )


# -- output ------------------------------------------------------------------------------------


def _table(name: str, comment: str, table: dict[str, str]) -> list[str]:
    return [
        f"#: {comment}",
        f"{name}: Final[dict[str, str]] = {{",
        *(
            f"    {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},"
            for key, value in table.items()
        ),
        "}",
    ]


def render_module(
    sources: list[Source],
    by_mcc: dict[str, str],
    by_network: dict[str, str],
    names: dict[str, str],
) -> str:
    """Return the text of ``networks.py``."""
    countries = sorted(set(by_mcc.values()) | set(by_network.values()))
    notice = [f"- {s.name}; {s.version}; licence {s.licence}." for s in sources]
    lines = [
        '"""Mobile country and network codes, generated by ``scripts/make_networks.py``.',
        "",
        "Do not edit by hand: regenerate (README, Network data). Sources, each under a",
        "permissive licence (their texts are in NOTICE at the top of the repository):",
        "",
        *notice,
        '"""',
        "",
        "# Operators' names keep their own scripts (Cyrillic letters that look Latin too).",
        "# ruff: noqa: RUF001",
        "",
        "from typing import Final",
        "",
        "#: Each source: name, version read, SPDX licence identifier.",
        "SOURCES: Final[tuple[tuple[str, str, str], ...]] = (",
        *(
            line
            for s in sources
            for line in (
                "    (",
                f"        {json.dumps(s.name)},",
                f"        {json.dumps(s.version)},",
                f"        {json.dumps(s.licence)},",
                "    ),",
            )
        ),
        ")",
        "#: Every country the roaming country sensor can show (ISO 3166-1 alpha-2, lower case).",
        "COUNTRIES: Final[tuple[str, ...]] = (",
        *(f'    "{code}",' for code in countries),
        ")",
        *_table("MCC_COUNTRY", "Mobile country code → its (default) country.", by_mcc),
        *_table(
            "NETWORK_COUNTRY",
            '"MCC-MNC" → country, for networks that serve another country than their MCC.',
            by_network,
        ),
        *_table("NETWORK_NAMES", '"MCC-MNC" → the network operator\'s name.', names),
        "",
    ]
    return "\n".join(lines)


def write_country_names(names: dict[str, dict[str, str]]) -> None:
    """Put each language's country names into the roaming country sensor's states."""
    for language, path in [("en", PACKAGE / "strings.json")] + [
        (language, PACKAGE / "translations" / f"{language}.json")
        for language in LANGUAGES
    ]:
        tree = json.loads(path.read_text(encoding="utf-8"))
        tree["entity"]["sensor"][ROAMING_COUNTRY]["state"] = names[language]
        path.write_text(
            json.dumps(tree, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )


def main() -> None:
    """Read the sources given on the command line and write the module and the names."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--telephony-lookup", type=Path, required=True)
    parser.add_argument("--telephony-lookup-commit", required=True)
    parser.add_argument("--carrier-list", type=Path, required=True)
    parser.add_argument("--carrier-list-commit", required=True)
    parser.add_argument(
        "--mbpi", type=Path, default=Path("/"), help="where the .deb is unpacked"
    )
    args = parser.parse_args()
    by_mcc, by_network = read_countries(args.telephony_lookup)
    android, list_version = read_carrier_list(args.carrier_list)
    gnome, mbpi_version = read_service_providers(args.mbpi)
    countries = sorted(set(by_mcc.values()) | set(by_network.values()))
    names, cldr = country_names(countries)
    sources = [
        Source(
            f"Android Open Source Project, {AOSP}/{TELEPHONY_LOOKUP[0]} {TELEPHONY_LOOKUP[1]}",
            f"commit {args.telephony_lookup_commit}",
            "Apache-2.0",
        ),
        Source(
            f"Android Open Source Project, {AOSP}/{CARRIER_LIST[0]} {CARRIER_LIST[1]}",
            f"commit {args.carrier_list_commit}, carrier list version {list_version}",
            "Apache-2.0",
        ),
        Source(
            "GNOME mobile-broadband-provider-info serviceproviders.xml (Debian package)",
            f"Debian {mbpi_version}",
            "LicenseRef-public-domain",
        ),
        cldr,
    ]
    module = render_module(sources, by_mcc, by_network, network_names(android, gnome))
    (PACKAGE / "networks.py").write_text(module, encoding="utf-8")
    write_country_names(names)


if __name__ == "__main__":
    main()
