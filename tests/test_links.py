"""Links that never break: short addresses, redirects, the manifest, copy-link, ticket replies."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from macros import links
from tests.conftest import (
    RENAMED_REDIRECTS,
    ROOT,
    copy_project,
    mkdocs_build,
    renamed_copy,
    set_redirects,
)

MANIFEST = json.loads((ROOT / "tests" / "published_links.json").read_text(encoding="utf-8"))


def redirects_of(project: Path) -> links.Redirects:
    config = links.read_site_config(project / "mkdocs.yml")
    return links.read_redirects((config.get("extra") or {}).get("redirects"), project / "docs")


# ---- the published site ------------------------------------------------------------------------


@pytest.mark.build
def test_every_published_link_still_leads_somewhere(built_site: Path) -> None:
    assert links.check_manifest(MANIFEST, built_site, redirects_of(ROOT)) == []


@pytest.mark.build
def test_every_section_and_subsection_has_a_short_address(built_site: Path) -> None:
    keys = set(MANIFEST["short_links"])
    for section in range(1, 11):
        assert str(section) in keys
    assert {
        "1-1",
        "1-2",
        "2-3",
        "3-3",
        "4-3",
        "5-2",
        "6-2",
        "7-2",
        "8-1",
        "8-2",
        "9-2",
        "10-2",
    } <= keys
    for key, target in MANIFEST["short_links"].items():
        page = (built_site / "kb" / key / "index.html").read_text(encoding="utf-8")
        url, _, anchor = target.partition("#")
        # To the page, whose top is the title the manifest records; the reader's #anchor is kept.
        assert f'url=../../{url}"' in page, key
        html = (built_site / url / "index.html").read_text(encoding="utf-8")
        assert f'id="{anchor}"' in html, target


def test_short_addresses_come_from_the_nav_numbers() -> None:
    nav = [
        {"8 Billing": ["billing/index.md", {"8.2 Prorated": "billing/prorated-charges.md"}]},
        {"Glossary": "glossary.md"},
    ]
    found = links.short_links(nav, ROOT / "docs")
    assert found["8"].source == "billing/index.md"
    assert found["8-2"].anchor == "handling-prorated-charges"
    assert found["glossary"].source == "glossary.md"


def test_short_links_and_moved_pages_become_redirect_maps_for_both_engines() -> None:
    nav = [{"8 Billing": ["billing/index.md", {"8.2 Prorated": "billing/prorated-charges.md"}]}]
    short = links.short_links(nav, ROOT / "docs")
    redirects = links.Redirects(
        pages={"billing/old/": "billing/prorated-charges/"},
        anchors={"billing/prorated-charges/": {"old-id": "how-proration-works"}},
        moved={"billing/old.md": "billing/prorated-charges.md"},
    )
    assert links.redirect_maps(short, redirects) == {
        "kb/8.md": "billing/index.md",
        "kb/8-2.md": "billing/prorated-charges.md",
        "billing/old.md": "billing/prorated-charges.md",
    }
    assert links.page_links(short, redirects) == {
        "billing/": {"short": "8", "number": "8"},
        "billing/prorated-charges/": {
            "short": "8-2",
            "number": "8.2",
            "renamed_anchors": {"old-id": "how-proration-works"},
        },
    }


def test_the_generated_config_is_what_mkdocs_yml_inherits(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    written = links.write_generated_config(project)
    assert written == project / links.GENERATED_CONFIG
    config = links.read_site_config(project / "mkdocs.yml")
    assert config["INHERIT"] == links.GENERATED_CONFIG.as_posix()
    generated = links.read_site_config(written)
    maps = generated["plugins"]["redirects"]["redirect_maps"]
    assert maps["kb/8-2.md"] == "billing/prorated-charges.md"
    assert maps["kb/glossary.md"] == "glossary.md"
    assert generated["extra"]["kb_pages"]["billing/prorated-charges/"]["short"] == "8-2"


# ---- renaming a page or an anchor needs a redirect --------------------------------------------


@pytest.fixture(scope="module")
def renamed_project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The project with 8.2 moved to billing/proration.md and one of its anchors renamed."""
    yield renamed_copy(tmp_path_factory.mktemp("renamed"))


def build(project: Path, site: Path) -> Path:
    result = mkdocs_build(project, site)
    assert result.returncode == 0, result.stdout + result.stderr
    return site


def gone(problems: list[str]) -> list[str]:
    return [p for p in problems if "run `make links`" not in p]


@pytest.mark.build
def test_renaming_without_a_redirect_is_caught(renamed_project: Path, tmp_path: Path) -> None:
    set_redirects(renamed_project, {})
    site = build(renamed_project, tmp_path / "site")
    problems = gone(links.check_manifest(MANIFEST, site, redirects_of(renamed_project)))
    assert problems == [
        "/billing/prorated-charges/ was published and is gone: add a redirect "
        "in mkdocs.yml extra.redirects"
    ]


@pytest.mark.build
def test_renaming_with_redirects_keeps_every_link(renamed_project: Path, tmp_path: Path) -> None:
    set_redirects(renamed_project, RENAMED_REDIRECTS)
    site = build(renamed_project, tmp_path / "site")
    assert gone(links.check_manifest(MANIFEST, site, redirects_of(renamed_project))) == []
    old = (site / "billing" / "prorated-charges" / "index.html").read_text(encoding="utf-8")
    assert 'url=../proration/"' in old
    # The moved page keeps the reader's #anchor; the new page follows the renamed one.
    new = (site / "billing" / "proration" / "index.html").read_text(encoding="utf-8")
    assert """data-kb-anchor-redirects='{"how-proration-works": "how-it-works"}'""" in new
    short = (site / "kb" / "8-2" / "index.html").read_text(encoding="utf-8")
    assert 'url=../../billing/proration/"' in short


@pytest.mark.build
def test_renaming_an_anchor_without_a_redirect_is_caught(
    renamed_project: Path, tmp_path: Path
) -> None:
    set_redirects(renamed_project, {"billing/prorated-charges.md": "billing/proration.md"})
    site = build(renamed_project, tmp_path / "site")
    problems = gone(links.check_manifest(MANIFEST, site, redirects_of(renamed_project)))
    assert len(problems) == 1 and "/billing/prorated-charges/#how-proration-works" in problems[0]


# ---- in the browser ----------------------------------------------------------------------------


@pytest.fixture
def clipboard_page(browser: Any, site_url: str) -> Iterator[Any]:
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    yield page
    context.close()


def clipboard(page: Any) -> str:
    return str(page.evaluate("navigator.clipboard.readText()"))


@pytest.mark.browser
def test_short_links_redirect_to_the_page_and_anchor(browser: Any, site_url: str) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        for key, target in MANIFEST["short_links"].items():
            page.goto(f"{site_url}kb/{key}/")
            page.wait_for_url(re.compile(re.escape(site_url + target.partition("#")[0]) + "$"))
        page.goto(f"{site_url}kb/8-2/#how-proration-works")
        page.wait_for_url(f"{site_url}billing/prorated-charges/#how-proration-works")
    finally:
        context.close()


@pytest.mark.browser
def test_copy_link_buttons_copy_the_permanent_address(clipboard_page: Any, site_url: str) -> None:
    page = clipboard_page
    page.goto(site_url + "billing/prorated-charges/")
    buttons = page.locator("article [data-copy-link]")
    buttons.first.wait_for()
    headings = page.locator("article h1[id], article h2[id], article h3[id]").count()
    calculator_headings = page.locator("article [data-calculator] h3[id]").count()
    assert buttons.count() == headings - calculator_headings
    page.click("h1 [data-copy-link]")
    assert clipboard(page) == f"{site_url}kb/8-2/"
    # By keyboard: focus the next section's button and press Enter.
    page.focus("#how-proration-works [data-copy-link]")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "document.getElementById('kb-announcer')?.textContent.startsWith('Link copied')"
    )
    assert clipboard(page) == f"{site_url}kb/8-2/#how-proration-works"
    label = page.get_attribute("#how-proration-works [data-copy-link]", "aria-label")
    assert label and "Copy link" in label


@pytest.mark.browser
def test_an_article_copies_as_a_ticket_reply(clipboard_page: Any, site_url: str) -> None:
    page = clipboard_page
    page.goto(site_url + "downgrading/executing-the-downgrade/")
    page.click('.kb-support-actions [data-format="text"]')
    page.wait_for_function(
        "document.getElementById('kb-announcer')?.textContent.includes('copied')"
    )
    text = clipboard(page)
    assert text.startswith("This article answers it: 4.3 ")
    assert f"{site_url}kb/4-3/" in text
    summary = page.locator(".kb-summary").first.text_content().strip()
    assert summary in text
    page.click('.kb-support-actions [data-format="markdown"]')
    page.wait_for_function("t => navigator.clipboard.readText().then(c => c !== t)", arg=text)
    assert re.match(
        r"This article answers it: \[4\.3 .+\]\(" + re.escape(site_url) + r"kb/4-3/\)",
        clipboard(page),
    )


@pytest.mark.browser
def test_a_calculator_copies_its_inputs_result_and_link(
    clipboard_page: Any, site_url: str, browser: Any
) -> None:
    page = clipboard_page
    page.goto(site_url + "billing/prorated-charges/")
    calc = page.locator('[data-calculator="proration"]').first
    calc_id = calc.get_attribute("id")
    page.wait_for_function(
        f"document.getElementById('{calc_id}').dataset.state === 'ready'", timeout=90_000
    )
    page.select_option(f"#{calc_id}-to_plan", "scale")
    page.wait_for_function(
        f"document.querySelector('#{calc_id} .kb-calc__scenario').textContent.includes('Scale')",
        timeout=90_000,
    )
    due = page.locator(f"#{calc_id} [data-field=due_now]").text_content().strip()
    page.click(f'#{calc_id} [data-action="copy-reply"][data-format="text"]')
    page.wait_for_function(
        f"document.querySelector('#{calc_id} [data-role=status]')"
        ".textContent.startsWith('Ticket reply copied')"
    )
    reply = clipboard(page)
    assert "8.2 Handling prorated charges" in reply and f"{site_url}kb/8-2/" in reply
    assert "New plan: Scale" in reply
    assert f"Due today: {due}" in reply
    link = re.search(r"Open this calculation: (\S+)", reply)
    assert link and link.group(1).endswith(f"#{calc_id}") and "to_plan=scale" in link.group(1)

    fresh = browser.new_context()
    try:
        again = fresh.new_page()
        again.goto(link.group(1))
        again.wait_for_function(
            f"document.querySelector('#{calc_id} [data-field=due_now]')"
            f"?.textContent.trim() === {json.dumps(due)}",
            timeout=90_000,
        )
    finally:
        fresh.close()
