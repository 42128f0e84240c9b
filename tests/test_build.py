"""The strict build: what the site contains, and what makes the build fail."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from calculators.domain import money
from calculators.domain.catalogue import Catalogue
from tests.conftest import copy_project, mkdocs_build

pytestmark = pytest.mark.build


def html_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if p.name != "404.html")


def test_home_page_shows_the_catalogue_comparison(built_site: Path, catalogue: Catalogue) -> None:
    home = (built_site / "index.html").read_text(encoding="utf-8")
    for plan in catalogue.self_serve_plans:
        assert plan.name in home
        price = money.display(plan.price("USD", "month"), "USD")
        assert f"{price}/month" in home
    assert "Contact sales" in home


def test_only_calculator_pages_carry_the_runtime(
    built_site: Path, nav_sources: dict[str, Path]
) -> None:
    # The pages whose Markdown calls the calculator() macro, and only those, embed one.
    calling = re.compile(r"\{\{-? *calculator\(")
    expected = sorted(
        built_site / url / "index.html"
        for url, source in nav_sources.items()
        if calling.search(source.read_text(encoding="utf-8"))
    )
    with_calculator = []
    for page in html_pages(built_site):
        text = page.read_text(encoding="utf-8")
        has_calculator = "data-calculator=" in text
        if has_calculator:
            with_calculator.append(page)
            manifest = re.search(r'<div class="kb-runtime" hidden data-kb-runtime="([^"]*)">', text)
            assert manifest, page
            runtime = json.loads(html.unescape(manifest.group(1)))
            assert (built_site / runtime["wheel"]).is_file()
            assert (built_site / runtime["stdlib"]).is_file()
            assert (built_site / runtime["pyodide"] / "pyodide.mjs").is_file()
            assert runtime["catalogue"]["schema_version"] == 1
        else:
            assert "data-kb-runtime" not in text
            assert "pyodide" not in text.lower()
    assert with_calculator == expected


def test_the_wheel_name_carries_a_content_hash(built_site: Path) -> None:
    wheels = list((built_site / "assets" / "calculators").glob("*.whl"))
    assert len(wheels) == 1
    assert re.fullmatch(r"calculators-0\.1\.0\+g[0-9a-f]{12}-py3-none-any\.whl", wheels[0].name)


def test_nothing_is_loaded_from_another_origin(built_site: Path) -> None:
    for page in html_pages(built_site):
        text = page.read_text(encoding="utf-8")
        for attribute in re.findall(r"<(?:script|img|iframe|source)[^>]*\bsrc=\"([^\"]+)\"", text):
            assert not re.match(r"(https?:)?//", attribute), (page, attribute)
        for tag in re.findall(r"<link[^>]+>", text):
            if re.search(r"rel=\"(stylesheet|preload|modulepreload|preconnect|icon)\"", tag):
                href = re.search(r"href=\"([^\"]+)\"", tag)
                assert href and not re.match(r"(https?:)?//", href.group(1)), (page, tag)
        assert "fonts.googleapis" not in text and "fonts.gstatic" not in text


def test_every_page_states_when_it_was_last_reviewed(built_site: Path) -> None:
    for page in html_pages(built_site):
        if page.parent.name in ("search", "assets"):
            continue
        text = page.read_text(encoding="utf-8")
        if 'http-equiv="refresh"' in text:
            continue  # a redirect to a page (short links, moved pages)
        assert 'class="kb-reviewed"' in text, page


def build_variant(tmp_path: Path, edit: dict[str, str]) -> str:
    project = copy_project(tmp_path / "project")
    for relative, content in edit.items():
        target = project / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    result = mkdocs_build(project, tmp_path / "site")
    assert result.returncode != 0, "the build should have failed"
    return result.stdout + result.stderr


def test_a_broken_catalogue_fails_with_file_line_and_key_path(tmp_path: Path) -> None:
    original = (Path(__file__).parent.parent / "catalogue" / "catalogue.yaml").read_text()
    broken = original.replace(
        'year: {USD: "290.00", EUR: "270.00", GBP: "240.00", JPY: "44000"}',
        'year: {USD: "290.00", EUR: "270.00", GBP: "240.00"}',
    )
    assert broken != original
    output = build_variant(tmp_path, {"catalogue/catalogue.yaml": broken})
    line = next(
        i for i, text in enumerate(broken.splitlines(), 1) if 'year: {USD: "290.00"' in text
    )
    assert f"catalogue/catalogue.yaml, line {line}: plans[1].prices.year.JPY" in output
    assert "missing price" in output


def test_an_unknown_plan_in_a_page_fails_the_build(tmp_path: Path) -> None:
    page = '---\nreviewed: 2026-01-01\n---\n# Home {#home}\n\n{{ plan("gold").price() }}\n'
    output = build_variant(tmp_path, {"docs/index.md": page})
    assert "unknown plan 'gold'" in output


def test_an_unknown_macro_fails_the_build(tmp_path: Path) -> None:
    page = "---\nreviewed: 2026-01-01\n---\n# Home {#home}\n\n{{ no_such_macro() }}\n"
    output = build_variant(tmp_path, {"docs/index.md": page})
    assert "no_such_macro" in output


def test_a_broken_link_or_anchor_fails_the_build(tmp_path: Path) -> None:
    page = (
        "---\nreviewed: 2026-01-01\n---\n# Home {#home}\n\n[gone](missing.md) "
        "[no anchor](glossary.md#no-such-anchor)\n"
    )
    output = build_variant(tmp_path, {"docs/index.md": page})
    assert "missing.md" in output
