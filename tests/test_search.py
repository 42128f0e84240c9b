"""Search: what the index reads from the built pages (tools/search_index.py), how the engine ranks
(overrides/assets/javascripts/search-engine.mjs, run in Node as the browser runs it), and the
search dialog as a reader uses it (overrides/assets/javascripts/search.js)."""

from __future__ import annotations

import functools
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from calculators.domain.catalogue import Catalogue
from tests.search_queries import run_search
from tools.search_index import (
    ENGINE_PATH,
    INDEX_PATH,
    build_search,
    catalogue_groups,
    glossary_groups,
    read_page,
    read_site,
    synonym_groups,
)

ROOT = Path(__file__).resolve().parent.parent


def page_html(body: str, *, number: str = "") -> str:
    """A built page as the theme writes it: navigation around an article."""
    info = f'<div class="kb-page-info" hidden data-kb-section="{number}"></div>' if number else ""
    return (
        "<html><body><nav><a href='/'>Home</a> Navigation words</nav>"
        f'<article class="md-content__inner md-typeset">{body}{info}</article>'
        "<footer>Footer words</footer></body></html>"
    )


# ---- reading the built pages ---------------------------------------------------------------------


def test_a_page_is_read_section_by_section_without_what_is_not_the_article() -> None:
    html = page_html(
        '<h1 id="title">Handling charges<a class="headerlink" href="#title">&para;</a></h1>'
        "<p>Opening words.</p>"
        '<h2 id="minimum">Minimum charge</h2><p>Small <strong>charges</strong>, wait.</p>'
        '<section data-calculator="proration"><h3>What will this cost?</h3><form>'
        "<label>Current plan</label><select><option>Team</option></select></form>"
        "<p>Calculator result words</p></section>"
        '<h3 id="example">An example</h3><p>Example words.</p>'
        '<div class="kb-search-terms" hidden><p>Hidden words</p></div>'
        '<aside class="kb-feedback"><p>Was this page helpful?</p></aside>'
        '<script type="application/json">{"script": "words"}</script>'
        '<h2 id="related">Related</h2><ul><li><a href="../x/">Another page</a></li></ul>',
        number="8.2",
    )
    page = read_page(html, "billing/charges/")
    assert page is not None
    assert (page.path, page.title, page.number) == ("billing/charges/", "Handling charges", "8.2")
    assert [(s.anchor, s.heading, s.text) for s in page.sections] == [
        ("", "Handling charges", "Opening words."),
        ("minimum", "Minimum charge", "Small charges, wait."),
        ("example", "An example", "Example words."),
    ]


def test_a_page_without_an_article_is_not_indexed() -> None:
    assert read_page("<html><body><p>Redirecting…</p></body></html>", "kb/8-2/") is None


def test_the_glossary_gives_each_entry_the_names_it_is_also_called() -> None:
    html = page_html(
        '<h1 id="glossary">Glossary</h1><p>Terms.</p>'
        '<h2 id="anchor-date">Anchor date</h2><p>Also called the <strong>billing anchor</strong>: '
        "the day your periods start.</p>"
        '<h2 id="plan">Plan</h2><p>Also known as: package, subscription. The bundle.</p>'
        '<h2 id="seat">Seat</h2><p>One person.</p>'
    )
    assert glossary_groups(read_page(html, "glossary/")) == [
        ["Anchor date", "billing anchor"],
        ["Plan", "package", "subscription"],
    ]


def test_the_catalogue_names_each_thing_several_ways(catalogue: Catalogue) -> None:
    groups = synonym_groups(catalogue_groups(catalogue))
    assert ["Single sign-on (SAML)", "Single sign-on", "SAML", "sso"] in groups
    assert ["Team seats", "seats"] in groups
    assert ["Extra storage", "extra storage"] not in groups  # one name, said twice: no group


def test_synonym_groups_drop_repeats_and_single_names() -> None:
    assert synonym_groups([["Add-on", "add-on", " addon "], ["alone"]], [["a  b", "c"]]) == [
        ["Add-on", "addon"],
        ["a b", "c"],
    ]


# ---- the engine, on a small site -----------------------------------------------------------------

SMALL_SITE = {
    "quota/": ("1.1", "<h1 id='t'>Quota rules</h1><p>How limits work.</p>"),
    "heading/": ("1.2", "<h1 id='t'>Limits</h1><h2 id='q'>Your quota</h2><p>Numbers.</p>"),
    "body/": ("1.3", "<h1 id='t'>Usage</h1><p>A quota is a limit on usage.</p>"),
    "tax/": ("2.1", "<h1 id='t'>Billing details</h1><h2 id='tax-id'>Tax ID</h2><p>Add it.</p>"),
    "exact/": ("3.1", "<h1 id='t'>Changes</h1><p>Each downgrade is prorated.</p>"),
    "near/": ("3.2", "<h1 id='t'>Moves</h1><p>A downgrader is someone else.</p>"),
    "sso/": ("4.1", "<h1 id='t'>Signing in</h1><p>Single sign-on for every seat.</p>"),
    "calc/": (
        "5.1",
        "<h1 id='t'>Calculator</h1><p>Text.</p><section data-calculator='x'>"
        "<h3>Zebrafield heading</h3><label>Zebrafield</label></section>",
    ),
    "section/": ("6", "<h1 id='t'>A whole section</h1><p>Overview.</p>"),
}


@pytest.fixture(scope="module")
def small_site(tmp_path_factory: pytest.TempPathFactory, catalogue: Catalogue) -> Path:
    site = tmp_path_factory.mktemp("small-site")
    for path, (number, body) in SMALL_SITE.items():
        (site / path).mkdir(parents=True)
        (site / path / "index.html").write_text(page_html(body, number=number), encoding="utf-8")
    (site / ENGINE_PATH).parent.mkdir(parents=True)
    shutil.copy(ROOT / "overrides" / ENGINE_PATH, site / ENGINE_PATH)
    build_search(site, catalogue=catalogue, search_synonyms={"downgrade": ["downsize"]})
    return site


def pages_found(site: Path, query: str) -> list[str]:
    return [result["page"] for result in run_search(site, [query])[0]["results"]]


def test_titles_outrank_headings_which_outrank_the_text(small_site: Path) -> None:
    assert pages_found(small_site, "quota") == ["quota/", "heading/", "body/"]


def test_stop_words_match_nothing_and_i_never_matches_id(small_site: Path) -> None:
    assert pages_found(small_site, "I") == []
    assert pages_found(small_site, "how do I") == []
    assert pages_found(small_site, "tax id")[0] == "tax/"
    assert "tax/" not in pages_found(small_site, "I was charged for a quota")


def test_a_typo_finds_what_the_right_spelling_finds_ranked_below_exact_matches(
    small_site: Path,
) -> None:
    assert pages_found(small_site, "downgrade") == ["exact/", "near/"]  # "downgrader": a typo away
    assert pages_found(small_site, "donwgrade")[0] == "exact/"  # two typos
    assert pages_found(small_site, "quotta")[:3] == ["quota/", "heading/", "body/"]


def test_synonyms_find_the_other_names_of_a_thing(small_site: Path) -> None:
    assert pages_found(small_site, "downsize") == ["exact/", "near/"]  # mkdocs.yml synonyms
    assert pages_found(small_site, "saml") == ["sso/"]  # the catalogue's names for the feature


def test_calculators_are_not_indexed(small_site: Path) -> None:
    assert pages_found(small_site, "zebrafield") == []


def test_with_no_match_the_closest_topics_are_offered(small_site: Path) -> None:
    answer = run_search(small_site, ["qqqq xxxx"])[0]
    assert answer["results"] == []
    assert answer["closest"] == [{"page": "section/", "title": "A whole section", "number": "6"}]
    near = run_search(small_site, ["quotas rulez galore"])[0]  # found, so no topics needed
    assert near["results"] and near["closest"] == []


# ---- the built site ------------------------------------------------------------------------------


def test_the_built_site_has_the_index_and_the_library(built_site: Path) -> None:
    data = json.loads((built_site / INDEX_PATH).read_text(encoding="utf-8"))
    assert data["format"] == "kb-search-index/1"
    assert (built_site / "assets/javascripts/minisearch.mjs").is_file()
    assert [topic["number"] for topic in data["topics"]] == [str(n) for n in range(1, 11)]
    groups = data["synonyms"]
    assert ["Anchor date", "billing anchor"] in groups  # from the glossary
    assert any(group[0] == "prorated" and "pro-rata" in group for group in groups)  # mkdocs.yml


def test_every_article_is_indexed_without_calculator_controls(
    built_site: Path, nav_urls: list[str]
) -> None:
    pages = {page.path: page for page in read_site(built_site)}
    assert sorted(pages) == sorted(nav_urls)
    text = " ".join(s.heading + " " + s.text for page in pages.values() for s in page.sections)
    assert "Current period started" not in text  # a calculator's label
    assert "How long will your plan last as you grow?" not in text  # a calculator's heading
    assert "Was this page helpful?" not in text


# ---- the search dialog, as a reader uses it ------------------------------------------------------


@pytest.fixture
def reader(browser: Any, site_url: str) -> Iterator[Any]:
    context = browser.new_context()
    page = context.new_page()
    page.requested = []  # type: ignore[attr-defined]
    page.on("request", lambda request: page.requested.append(request.url))  # type: ignore[attr-defined]
    page.goto(site_url + "billing/")
    page.wait_for_function(
        "document.querySelector('[data-kb-search-open]') && "
        "!document.querySelector('[data-kb-search-open]').hidden"
    )
    yield page
    context.close()


def dialog_is_open(page: Any) -> bool:
    return bool(page.evaluate("document.querySelector('[data-kb-search-dialog]').open"))


@pytest.mark.browser
def test_search_opens_from_the_keyboard_and_loads_its_index_only_then(
    reader: Any, site_url: str
) -> None:
    assert not any("search" in url and url.endswith(".json") for url in reader.requested)
    reader.locator("body").press("/")
    reader.wait_for_function("document.querySelector('[data-kb-search-dialog]').open")
    reader.keyboard.type("proratd", delay=10)
    # The results of the whole query (those of "prorat" may show first, then be replaced).
    first = reader.locator("[data-kb-search-results][data-query=proratd] .kb-search__page").first
    first.wait_for()
    assert first.inner_text() == "8.2 Handling prorated charges"
    assert any(url == site_url + "search/kb-search.json" for url in reader.requested)
    assert not any("search_index.json" in url for url in reader.requested)  # the theme's lunr
    reader.keyboard.press("ArrowDown")
    assert reader.evaluate("document.activeElement.textContent") == "8.2 Handling prorated charges"
    reader.keyboard.press("Enter")
    reader.wait_for_url(site_url + "billing/prorated-charges/")
    assert not dialog_is_open(reader)
    reader.locator("body").press("/")  # on the next page too (the theme's instant navigation)
    reader.wait_for_function("document.querySelector('[data-kb-search-dialog]').open")
    assert reader.locator(".kb-search__input").input_value() == "proratd"


@pytest.mark.browser
def test_escape_closes_search_and_gives_focus_back(reader: Any) -> None:
    opener = reader.locator("[data-kb-search-open]")
    opener.click()
    reader.wait_for_function("document.querySelector('[data-kb-search-dialog]').open")
    reader.keyboard.press("Escape")
    reader.wait_for_function("!document.querySelector('[data-kb-search-dialog]').open")
    assert reader.evaluate("document.activeElement.matches('[data-kb-search-open]')")


@pytest.mark.browser
def test_no_match_offers_topics_and_a_support_request_and_is_reported_once(
    reader: Any, site_url: str
) -> None:
    reader.evaluate(
        "window.kbNoResults = [];"
        "document.addEventListener('kb:search-no-results',"
        " (event) => window.kbNoResults.push(event.detail.query));"
    )
    reader.locator("body").press("/")
    box = reader.locator(".kb-search__input")
    box.fill("qqqq xxxx")
    reader.wait_for_function("window.kbNoResults.length === 1")
    none = reader.locator("[data-kb-search-none]")
    assert none.is_visible()
    assert reader.locator("[data-kb-search-closest] a").count() > 0
    request = reader.locator("[data-kb-search-request]").input_value()
    # As the contract writes it (calculators/contracts/feedback.md), from the page searched on.
    subject = "Help center search: qqqq xxxx"
    body = (
        "Hello,\n\nI searched the help center and no article matched.\n\nSearch: qqqq xxxx\n"
        f"Searched from: {site_url}billing/\n\nMy question:\n"
    )
    assert request == f"Subject: {subject}\n\n{body}"
    ask = reader.locator("[data-kb-search-ask]")
    # encodeURIComponent leaves letters, digits and -_.!~*'() as they are; lines end in CRLF.
    encoded = functools.partial(quote, safe="!*'()")
    assert ask.get_attribute("href") == (
        f"mailto:support@lumen-cloud.example?subject={encoded(subject)}"
        f"&body={encoded(body.replace(chr(10), chr(13) + chr(10)))}"
    )
    box.fill("refund")  # found: no report
    reader.locator(".kb-search__page").first.wait_for()
    box.fill("qqqq xxxx")  # the same query again: reported once
    reader.locator("[data-kb-search-none]").wait_for()
    box.fill("zzzz wwww")
    reader.wait_for_function("window.kbNoResults.length === 2")
    assert reader.evaluate("window.kbNoResults") == ["qqqq xxxx", "zzzz wwww"]
