"""The calculators laid out by layer: small modules that say their job, imports along the flow."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from calculators.wording import units

PACKAGE = Path(__file__).resolve().parent.parent / "calculators"
MODULES = sorted(PACKAGE.rglob("*.py"))
LAYERS = ("requests", "domain", "wording", "commands", "web")
# What each layer may import from the others. The domain's proration takes its explanation
# sentences from wording; wording reads the parsed requests it words.
ALLOWED = {
    "domain": {"wording"},
    "requests": {"domain"},
    "wording": {"domain", "requests"},
    "commands": {"domain", "requests", "wording"},
    "web": {"domain", "requests", "wording", "top"},
}


def _layer(path: Path) -> str:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else "top"


def _imported_layers(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith("calculators")
        ):
            names = node.module.split(".")
            if len(names) == 1:  # from calculators import api
                found.add("top")
            else:
                found.add(names[1] if names[1] in LAYERS else "top")
    return found


def test_every_layer_is_a_package_and_no_module_is_left_at_the_top() -> None:
    assert {p.name for p in PACKAGE.glob("*.py")} == {"__init__.py", "__main__.py", "api.py"}
    for layer in LAYERS:
        assert (PACKAGE / layer / "__init__.py").is_file(), layer


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_each_module_is_small_and_says_its_job(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count("\n") <= 400
    docstring = ast.get_docstring(ast.parse(text))
    assert docstring is not None and docstring.strip()


@pytest.mark.parametrize(
    "path", [p for p in MODULES if _layer(p) != "top"], ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_imports_follow_the_flow(path: Path) -> None:
    layer = _layer(path)
    assert _imported_layers(path) - {layer} <= ALLOWED[layer]


def test_interval_words_come_from_one_table() -> None:
    assert [units.interval_adjective(i) for i in ("day", "week", "month", "year")] == [
        "daily",
        "weekly",
        "monthly",
        "annual",
    ]
    assert units.interval_label("year") == "Annual"
    assert units.billing_cadence("year") == "yearly"
    assert units.per_interval("month") == "a month"


def test_a_label_that_names_its_unit_does_not_repeat_it() -> None:
    assert units.label_with_unit("Team seats", "seat") == "Team seats"
    assert units.label_with_unit("Storage", "GB") == "Storage (GB)"
    assert units.label_names_unit("API calls", "call")
    assert not units.label_names_unit("Storage", "GB")
