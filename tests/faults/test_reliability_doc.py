"""docs/reliability.md lists the fault matrix's scenarios theme by theme, as the tests run them."""

from __future__ import annotations

import importlib
from pathlib import Path
import re

from .harness import Scenario

HERE = Path(__file__).parent
DOC = HERE.parent.parent / "docs" / "reliability.md"
#: A theme's heading names its module: ``### Tokens and logins (`tests/faults/test_login.py`)``.
THEME_HEADING = re.compile(r"^### .*\(`(tests/faults/test_\w+\.py)`\)$", re.MULTILINE)
ROW = re.compile(r"^\|\s*(\d+)\s*\|\s*`([a-z0-9_]+)`\s*\|", re.MULTILINE)


def _theme_modules() -> dict[str, list[Scenario]]:
    """Return each theme module's scenarios by its path: every module with ``SCENARIOS``."""
    themes: dict[str, list[Scenario]] = {}
    for path in sorted(HERE.glob("test_*.py")):
        module = importlib.import_module(f"{__package__}.{path.stem}")
        if hasattr(module, "SCENARIOS"):
            themes[f"tests/faults/{path.name}"] = module.SCENARIOS
    return themes


def test_reliability_doc_lists_every_scenario() -> None:
    """One table row per scenario, under its theme's heading, in the module's order."""
    text = DOC.read_text()
    headings = list(THEME_HEADING.finditer(text))
    documented: dict[str, list[str]] = {}
    numbers: list[int] = []
    for heading, following in zip(headings, [*headings[1:], None], strict=True):
        section = text[heading.end() : following.start() if following else None]
        section = section.split("\n## ", 1)[0]  # a theme ends at the next section too
        rows = ROW.findall(section)
        documented[heading[1]] = [name for _, name in rows]
        numbers += [int(number) for number, _ in rows]
    themes = _theme_modules()
    assert set(documented) == set(themes), "a theme without a section, or the reverse"
    for module, scenarios in themes.items():
        assert documented[module] == [s.id for s in scenarios], module
    assert numbers == list(range(1, len(numbers) + 1)), "rows numbered 1, 2, 3, ..."
    assert len(ROW.findall(text)) == len(numbers), "a scenario row outside any theme"
    assert len(numbers) >= 25
