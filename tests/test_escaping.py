"""Catalogue text is untrusted: wherever a page shows it, it shows literally and injects nothing.

A hostile catalogue (plan names with script, event attributes, Markdown links and emphasis, table
pipes, attribute lists, Jinja, ``</script>`` and ``<!--``) is built into the whole site, which
must have exactly the elements and attributes of the site built from the real catalogue, with the
hostile text readable as written.
"""

from __future__ import annotations

import html.parser
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import markdown
import pytest
from markupsafe import Markup

from calculators import api
from calculators.requests import yaml_subset
from calculators.requests.catalogue import parse_catalogue
from calculators.web.html import script_json
from macros.tables import page_text, page_value, trust_macro_results
from tests.conftest import ROOT, mkdocs_build

SCRIPT = "<script>alert(1)</script><img src=x onerror=alert(2)>"
HOSTILE = {
    # A key and its value in the sample catalogue  ->  a hostile value for it.
    "name: Team\n": SCRIPT,
    "name: Business\n": "Biz | *bold* _em_ [x](javascript:alert(3)) `code` ~~del~~",
    "name: Starter\n": "{{ 7*7 }} {% raw %} </script><!--<script>alert(4)//",
    "name: Extra storage\n": "\" onmouseover=\"alert(5) ' x='",
    "name: Lumen Cloud\n": '{: onclick="alert(6)" } # Heading <b>bold</b> &amp; &#60;',
    "label: Storage,": "Storage\n\n# Heading\n- item\n    code |",
    "name: Euro,": '"><img src=x onerror=alert(7)> Euro',  # the header's currency choice
}
# Markdown as the site configures it (mkdocs.yml), without the snippets that need files.
EXTENSIONS = [
    "abbr",
    "admonition",
    "attr_list",
    "md_in_html",
    "def_list",
    "footnotes",
    "tables",
    "toc",
    "pymdownx.details",
    "pymdownx.superfences",
    "pymdownx.tabbed",
]


class Elements(html.parser.HTMLParser):
    """Every start tag with its attribute names, the text, and the bodies of scripts."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, tuple[str, ...]]] = []
        self.attributes: list[tuple[str, str, str]] = []
        self.text: list[str] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._in_script: dict[str, str | None] | None = None
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, tuple(sorted(name for name, _ in attrs))))
        self.attributes.extend((tag, name, value or "") for name, value in attrs)
        if tag == "script":
            self._in_script = dict(attrs)
            self.scripts.append((self._in_script, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = None

    def handle_data(self, data: str) -> None:
        if self._in_script is not None:
            attrs, body = self.scripts[-1]
            self.scripts[-1] = (attrs, body + data)
        else:
            self.text.append(data)


def render(text: str) -> Elements:
    return Elements(markdown.markdown(text, extensions=EXTENSIONS))


HOSTILE_TEXTS = [
    *HOSTILE.values(),
    "a\nb",
    "* not a list",
    "1. not a list",
    "|",
    "<!--",
    "_x_",
    "&lt; stays &amp; literal",
    "[^1]",
    "*[HTML]: abbr",
    "\\*",
    "{#id}",
]


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_page_text_shows_literally_in_prose_tables_and_headings(text: str) -> None:
    shown = re.sub(r"\n+", " ", text)
    prose = render(f"Plan {page_text(text)} here.")
    assert prose.tags == [("p", ())] and "".join(prose.text) == f"Plan {shown} here."
    table = render(f"| a | b |\n|---|---|\n| {page_text(text)} | x |\n")
    assert [tag for tag, _ in table.tags].count("td") == 2
    assert [t for t in table.text if t.strip()][-2:] == [shown, "x"]
    heading = render(f"## {page_text(text)} {{#fixed}}\n")
    assert heading.tags == [("h2", ("id",))] and heading.attributes == [("h2", "id", "fixed")]
    assert "".join(heading.text) == shown


def test_an_id_keeps_its_underscores() -> None:
    assert page_text("extra_storage") == "extra_storage"


def test_page_values_escape_every_catalogue_string_but_what_macros_built() -> None:
    assert page_value(SCRIPT) == page_text(SCRIPT) != SCRIPT
    assert page_value(Markup("<table>")) == "<table>"
    assert page_value(None) is None
    assert page_value(14) == 14

    @dataclass(frozen=True)
    class Named:
        name: str
        aliases: tuple[str, ...]
        prices: dict[str, Decimal]

        def title(self) -> str:
            return self.name

    named = page_value(Named(SCRIPT, (SCRIPT,), {"USD": Decimal("9.00")}))
    assert str(named.name) == page_text(SCRIPT)
    assert named.aliases == [page_text(SCRIPT)]
    assert named.prices["USD"] == Decimal("9.00")
    assert str(named.title()) == page_text(SCRIPT)
    assert page_value({"a": SCRIPT})["a"] == page_text(SCRIPT)


def test_macro_results_are_trusted_text_or_escaped_values() -> None:
    def plugin_info() -> str:
        return SCRIPT

    plugin_info.__module__ = "mkdocs_macros.context"
    macros = {
        "table": lambda: "<table>",
        "plan": lambda: {"name": SCRIPT},
        "value": 3,
        "macros_info": plugin_info,
    }
    trust_macro_results(macros)
    assert isinstance(macros["table"](), Markup)  # type: ignore[operator]
    assert macros["plan"]()["name"] == page_text(SCRIPT)  # type: ignore[operator]
    assert macros["value"] == 3
    assert macros["macros_info"]() == page_text(SCRIPT)  # type: ignore[operator]


def test_json_in_a_script_element_cannot_end_it() -> None:
    value = {"name": "</script><!--<script>alert(1)</script>", "line": "\u2028&"}
    text = script_json(value)
    assert json.loads(text) == value
    assert not re.search(r"</|<!--|[<>&\u2028]", text)


# --------------------------------------------------------------------------------------------
# The whole site, built from a hostile catalogue


def hostile_catalogue() -> str:
    """The sample catalogue with the values in ``HOSTILE``."""
    source = (ROOT / "catalogue" / "catalogue.yaml").read_text(encoding="utf-8")
    for entry, value in HOSTILE.items():
        assert source.count(entry) == 1, entry
        key, _, rest = entry.partition(": ")
        end = rest[-1] if rest[-1] in ",\n" else ""
        source = source.replace(entry, f"{key}: {json.dumps(value)}{end}")
    return source


def test_a_record_summary_in_markdown_keeps_plan_names_literal() -> None:
    data = yaml_subset.parse(hostile_catalogue()).data
    catalogue = parse_catalogue(data, source="hostile.yaml")
    request = json.loads((ROOT / "tests/golden/record/seats-added.json").read_text())["request"]
    summary = api.run("record", request, catalogue=catalogue)["summary_markdown"]
    # Escaped for the ticket systems' Markdown (CommonMark escapes < as well): no element.
    assert {tag for tag, _ in render(summary).tags} == {"p", "strong", "code", "ul", "li"}
    assert r"\<script\>alert(1)\</script\>\<img src=x onerror=alert(2)\> (monthly" in summary


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    catalogue = folder / "catalogue.yaml"
    catalogue.write_text(hostile_catalogue(), encoding="utf-8")
    site = folder / "site"
    result = mkdocs_build(ROOT, site, env={"KB_CATALOGUE": str(catalogue)})
    if result.returncode != 0:
        pytest.fail(f"the hostile catalogue did not build:\n{result.stdout}\n{result.stderr}")
    return site


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


@pytest.mark.build
def test_hostile_catalogue_text_injects_no_element_or_attribute(
    hostile_site: Path, built_site: Path
) -> None:
    hostile_pages = pages(hostile_site)
    assert [p.relative_to(hostile_site) for p in hostile_pages] == [
        p.relative_to(built_site) for p in pages(built_site)
    ]
    for page in hostile_pages:
        hostile = Elements(page.read_text(encoding="utf-8"))
        normal = Elements((built_site / page.relative_to(hostile_site)).read_text(encoding="utf-8"))
        assert hostile.tags == normal.tags, page
        for tag, name, value in hostile.attributes:
            assert not name.startswith("on"), (page, tag, name)
            assert not value.strip().lower().startswith("javascript:"), (page, tag, name)


@pytest.mark.build
def test_hostile_catalogue_text_reads_as_written(hostile_site: Path) -> None:
    shown = {value: 0 for value in HOSTILE.values() if "\n" not in value}
    for page in pages(hostile_site):
        text = "".join(Elements(page.read_text(encoding="utf-8")).text)
        for value in shown:
            shown[value] += value in text
    assert all(shown.values()), shown
    home = "".join(Elements((hostile_site / "index.html").read_text(encoding="utf-8")).text)
    assert "{{ 7*7 }} {% raw %}" in home and SCRIPT in home


@pytest.mark.build
def test_json_in_hostile_pages_holds_the_catalogue_intact(hostile_site: Path) -> None:
    found = 0
    for page in pages(hostile_site):
        elements = Elements(page.read_text(encoding="utf-8"))
        for attributes, body in elements.scripts:
            if attributes.get("type") != "application/json":
                assert "alert(" not in body, page
                continue
            assert not re.search(r"</script|<!--", body, re.I), page
            json.loads(body)  # the theme's own configuration
        # The calculators' runtime data: JSON in an attribute (macros/widgets.py runtime_html).
        for _tag, name, value in elements.attributes:
            if name == "data-kb-runtime":
                data = json.loads(value)
                assert SCRIPT in [plan["name"] for plan in data["catalogue"]["plans"]], page
                found += 1
    assert found
