"""Links that never break: short addresses, redirects, the manifest, copy-link, ticket replies."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from macros import links
from tests.conftest import ROOT, copy_project, mkdocs_build

MANIFEST = json.loads((ROOT / "tests" / "published_links.json").read_text(encoding="utf-8"))


def redirects_of(project: Path) -> links.Redirects:
    from mkdocs.config import load_config

    config = load_config(str(project / "mkdocs.yml"))
    return links.read_redirects((config["extra"] or {}).get("redirects"), project / "docs")


# ---- the published site ------------------------------------------------------------------------


@pytest.mark.build
def test_every_published_link_still_leads_somewhere(built_site: Path) -> None:
    assert links.check_manifest(MANIFEST, built_site, redirects_of(ROOT)) == []


@pytest.mark.build
def test_every_section_and_subsection_has_a_short_address(built_site: Path) -> None:
    keys = set(MANIFEST["short_links"])
    for section in range(1, 11):
        assert str(section) in keys
    assert {"1-1", "1-2", "2-3", "3-3", "4-3", "5-2", "6-2", "7-2", "8-1", "8-2", "9-2",
            "10-2"} <= keys  # fmt: skip
    for key, target in MANIFEST["short_links"].items():
        page = (built_site / "kb" / key / "index.html").read_text(encoding="utf-8")
        url, _, anchor = target.partition("#")
        assert f'url=../../{url}#{anchor}"' in page, key
        html = (built_site / url / "index.html").read_text(encoding="utf-8")
        assert f'id="{anchor}"' in html, target


def test_short_addresses_come_from_the_nav_numbers() -> None:
    nav = [{"8 Billing": ["billing/index.md", {"8.2 Prorated": "billing/prorated-charges.md"}]},
           {"Glossary": "glossary.md"}]  # fmt: skip
    found = links.short_links(nav, ROOT / "docs")
    assert found["8"].source == "billing/index.md"
    assert found["8-2"].anchor == "handling-prorated-charges"
    assert found["glossary"].source == "glossary.md"


def test_a_redirect_page_keeps_the_anchor_and_follows_renamed_ones() -> None:
    page = links.redirect_page("../../billing/x/", default_anchor="top", anchors={"old": "new"})
    assert 'content="0; url=../../billing/x/#top"' in page
    assert 'data-anchors="{&quot;old&quot;: &quot;new&quot;}"' in page
    assert 'data-target="../../billing/x/" data-default-anchor="top"' in page
    assert '<script src="../../assets/javascripts/kb-redirect.js"' in page
    assert "<script>" not in page  # no inline script: the site runs under a strict CSP


# ---- renaming a page or an anchor needs a redirect --------------------------------------------


@pytest.fixture(scope="module")
def renamed_project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The project with 8.2 moved to billing/proration.md and one of its anchors renamed."""
    project = copy_project(tmp_path_factory.mktemp("renamed"))
    docs = project / "docs"
    shutil.move(docs / "billing" / "prorated-charges.md", docs / "billing" / "proration.md")
    for path in [project / "mkdocs.yml", *docs.rglob("*.md")]:
        text = path.read_text(encoding="utf-8")
        text = text.replace("prorated-charges.md", "proration.md")
        text = text.replace("#how-proration-works", "#how-it-works")
        text = text.replace("{#how-proration-works}", "{#how-it-works}")
        path.write_text(text, encoding="utf-8")
    yield project


def set_redirects(project: Path, redirects: dict[str, str]) -> None:
    config = project / "mkdocs.yml"
    text = re.sub(r"^  redirects: .*$", "  redirects: " + json.dumps(redirects),
                  config.read_text(encoding="utf-8"), flags=re.M)  # fmt: skip
    config.write_text(text, encoding="utf-8")


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
    assert problems == ["/billing/prorated-charges/ was published and is gone: add a redirect "
                        "in mkdocs.yml extra.redirects"]  # fmt: skip


@pytest.mark.build
def test_renaming_with_redirects_keeps_every_link(renamed_project: Path, tmp_path: Path) -> None:
    set_redirects(renamed_project, {
        "billing/prorated-charges.md": "billing/proration.md",
        "billing/proration.md#how-proration-works": "billing/proration.md#how-it-works",
    })  # fmt: skip
    site = build(renamed_project, tmp_path / "site")
    assert gone(links.check_manifest(MANIFEST, site, redirects_of(renamed_project))) == []
    old = (site / "billing" / "prorated-charges" / "index.html").read_text(encoding="utf-8")
    assert 'url=../../billing/proration/"' in old
    assert '{&quot;how-proration-works&quot;: &quot;how-it-works&quot;}' in old
    short = (site / "kb" / "8-2" / "index.html").read_text(encoding="utf-8")
    assert "../../billing/proration/#handling-prorated-charges" in short


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
            page.wait_for_url(re.compile(re.escape(site_url + target) + "$"))
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
    page.wait_for_function("document.getElementById('kb-announcer')?.textContent"
                           ".startsWith('Link copied')")  # fmt: skip
    assert clipboard(page) == f"{site_url}kb/8-2/#how-proration-works"
    label = page.get_attribute("#how-proration-works [data-copy-link]", "aria-label")
    assert label and "Copy link" in label


@pytest.mark.browser
def test_an_article_copies_as_a_ticket_reply(clipboard_page: Any, site_url: str) -> None:
    page = clipboard_page
    page.goto(site_url + "downgrading/executing-the-downgrade/")
    page.click('.kb-support-actions [data-format="text"]')
    page.wait_for_function("document.getElementById('kb-announcer')?.textContent"
                           ".includes('copied')")  # fmt: skip
    text = clipboard(page)
    assert text.startswith("This article answers it: 4.3 ")
    assert f"{site_url}kb/4-3/" in text
    summary = page.locator(".kb-summary").first.text_content().strip()
    assert summary in text
    page.click('.kb-support-actions [data-format="markdown"]')
    page.wait_for_function("t => navigator.clipboard.readText().then(c => c !== t)", arg=text)
    assert re.match(r"This article answers it: \[4\.3 .+\]\(" + re.escape(site_url) + r"kb/4-3/\)",
                    clipboard(page))  # fmt: skip


@pytest.mark.browser
def test_a_calculator_copies_its_inputs_result_and_link(
    clipboard_page: Any, site_url: str, browser: Any
) -> None:
    page = clipboard_page
    page.goto(site_url + "billing/prorated-charges/")
    calc = page.locator('[data-calculator="proration"]').first
    calc_id = calc.get_attribute("id")
    page.wait_for_function(f"document.getElementById('{calc_id}').dataset.state === 'ready'",
                           timeout=90_000)  # fmt: skip
    page.select_option(f"#{calc_id}-to_plan", "scale")
    page.wait_for_function(f"document.querySelector('#{calc_id} .kb-calc__scenario')"
                           ".textContent.includes('Scale')", timeout=90_000)  # fmt: skip
    due = page.locator(f"#{calc_id} [data-field=due_now]").text_content().strip()
    page.click(f'#{calc_id} [data-action="copy-reply"][data-format="text"]')
    page.wait_for_function(f"document.querySelector('#{calc_id} [data-role=status]')"
                           ".textContent.startsWith('Ticket reply copied')")  # fmt: skip
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
        again.wait_for_function(f"document.querySelector('#{calc_id} [data-field=due_now]')"
                                f"?.textContent.trim() === {json.dumps(due)}",
                                timeout=90_000)  # fmt: skip
    finally:
        fresh.close()
