"""The 404 page: search, the short-link pattern with every section, the support contact, and a
mistyped /kb/ link pointed at its section; served as a host serves it (docs/_headers)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from calculators.domain.catalogue import Catalogue
from macros import links
from tests.hardened_site import ROOT, Watched, serve_with_headers

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def hardened_url(built_site: Path) -> Iterator[str]:
    with serve_with_headers(built_site) as url:
        yield url


@pytest.fixture
def visit(browser: Any) -> Iterator[Watched]:
    context = browser.new_context()
    yield Watched(context)
    context.close()


def nav_sections() -> dict[str, str]:
    import yaml

    config = yaml.load(
        (ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader
    )  # the !ENV tag is read as text
    short = links.short_links(config["nav"], ROOT / "docs")
    return {
        key: f"{link.number} {link.title}"
        for key, link in short.items()
        if re.fullmatch(r"\d+(-\d+)?", key)
    }


def test_the_404_page_lists_every_short_link_and_the_support_contact(
    built_site: Path, catalogue: Catalogue
) -> None:
    text = (built_site / "404.html").read_text(encoding="utf-8")
    sections = nav_sections()
    assert len(sections) >= 25
    for key, title in sections.items():
        assert f'<a href="/kb/{key}/">{title}</a>' in text, key
    assert f'href="mailto:{catalogue.company.support_email}"' in text
    assert f'href="{catalogue.company.support_form_url}"' in text
    assert 'role="search"' in text and 'name="q"' in text


def test_a_mistyped_short_link_points_at_its_section(visit: Watched, hardened_url: str) -> None:
    response = visit.page.goto(hardened_url + "kb/8-9/")
    assert response.status == 404
    typed = visit.page.locator("[data-kb-not-found]")
    typed.wait_for(state="visible")
    assert typed.text_content() == (
        "You tried /kb/8-9/. There is no short link 8-9; section 8 is 8 Billing and payments: "
        "its articles are listed under Short links below."
    )
    assert visit.page.locator(".kb-not-found__match > a").text_content() == "8 Billing and payments"
    # The listed short links work.
    visit.page.click('.kb-not-found__sections a[href$="/kb/8-2/"]')
    visit.page.wait_for_url(re.compile(r".*/billing/prorated-charges/$"))
    assert visit.violations == []


def test_a_short_link_with_a_dot_is_recognised(visit: Watched, hardened_url: str) -> None:
    visit.page.goto(hardened_url + "kb/8.2/")
    typed = visit.page.locator("[data-kb-not-found]")
    typed.wait_for(state="visible")
    assert typed.text_content() == "You tried /kb/8.2/. Did you mean 8.2 Handling prorated charges?"


def test_the_404_search_opens_the_site_search_with_the_words(
    visit: Watched, hardened_url: str
) -> None:
    visit.page.goto(hardened_url + "no/such/page/")
    assert visit.page.locator("[data-kb-not-found]").text_content() == "You tried /no/such/page/."
    visit.page.fill("#kb-not-found-query", "proration")
    visit.page.click(".kb-not-found__search button[type=submit]")
    dialog = visit.page.locator("[data-kb-search-dialog]")
    expect(dialog).to_be_visible()
    expect(dialog.locator(".kb-search__input")).to_have_value("proration")
    expect(dialog.locator(".kb-search__page").first).to_have_text("8.2 Handling prorated charges")
    assert "q=" not in visit.page.url  # the words left the address once search opened
    assert visit.violations == []
