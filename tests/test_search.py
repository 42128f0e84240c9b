"""Search tuned to the domain: synonyms reach the index, stay off the page, and real support
queries find the right articles through the site's own search box (macros/search.py)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from macros.search import HIDDEN_CLASS, add_synonyms

SYNONYMS = {
    "prorated": ["prorate", "proration", "pro-rata"],
    "add-on": ["addon", "addons"],
    "downgrade": ["downsize", "downsizing"],
    "invoice": ["bill", "billing statement"],
    "credit balance": ["account credit"],
}

HIDDEN = re.compile(rf'<div class="{HIDDEN_CLASS}" hidden><p>Also known as: (.*?)\.</p></div>')


def added(markdown: str) -> list[str]:
    """The synonyms add_synonyms added, section by section."""
    return HIDDEN.findall(add_synonyms(markdown, SYNONYMS))


# ---- add_synonyms ------------------------------------------------------------------------------


def test_a_section_about_a_term_gets_its_synonyms_hidden_at_its_end() -> None:
    markdown = (
        "# Handling prorated charges {#title}\n\nIntro.\n\n"
        "## Taxes {#taxes}\n\nTax is added.\n\n"
        "## Downgrading {#downgrading}\n\nA downgrade moves you to a smaller plan.\n"
    )
    result = add_synonyms(markdown, SYNONYMS)
    # "prorate" is not added: "prorated" is one of its forms, and search stems both alike.
    assert HIDDEN.findall(result) == ["proration, pro-rata", "downsize, downsizing"]
    first, taxes, downgrading = re.split(r"(?m)^(?=## )", result)
    assert "Also known as" in first and "Also known as" not in taxes
    assert downgrading.rstrip().endswith("</div>")
    # Only hidden blocks were added: removing them gives back the page.
    assert re.sub(r"\s+", " ", HIDDEN.sub("", result)).strip() == re.sub(
        r"\s+", " ", markdown).strip()  # fmt: skip


def test_a_passing_mention_is_not_enough_but_two_uses_or_the_heading_are() -> None:
    once = "## Plans {#plans}\n\nYou can upgrade, downgrade or scale.\n"
    twice = "## Plans {#plans}\n\nA downgrade is cheap. Each downgrade is prorated.\n"
    heading = "## Before you downgrade {#before}\n\nCheck your usage.\n"
    assert added(once) == []
    assert added(twice) == ["downsize, downsizing"]
    assert added(heading) == ["downsize, downsizing"]


def test_terms_match_whole_words_any_case_and_plain_inflections() -> None:
    assert added("## Downgrading step by step {#steps}\n") == ["downsize, downsizing"]
    assert added("## DOWNGRADES {#x}\n") == ["downsize, downsizing"]
    assert added("## Add-ons {#x}\n") == ["addon, addons"]
    assert added("## Add on features {#x}\n") == ["addon, addons"]
    assert added("## Your invoices {#x}\n") == ["bill, billing statement"]
    assert added("## Your credit\nbalance {#x}\n\nText.\n") == []  # a heading is one line
    assert added("## Credit balance {#x}\n") == ["account credit"]
    assert added("## Downgraders {#x}\n") == []  # not a form of the word
    assert added("## Invoiceless {#x}\n") == []


def test_synonyms_the_section_already_uses_are_not_repeated() -> None:
    markdown = "## Prorated charges {#x}\n\nThis is called pro-rata billing.\n"
    assert added(markdown) == ["proration"]
    assert added("## Invoices {#x}\n\nYour bill, every month.\n") == ["billing statement"]


def test_links_markup_and_code_are_not_the_sections_words() -> None:
    related = (
        "## Related {#related}\n\n"
        "- [Downgrading step by step](../downgrading/executing-the-downgrade.md)\n"
        "- [Add-ons](../add-ons/index.md)\n"
    )
    assert added(related) == []
    markup = (
        '## Calculator {#calc}\n\n<section data-calculator="add-ons" class="add-on add-on">'
        '<script type="application/json">{"downgrade": "downgrade"}</script></section>\n'
        "See [the plans](../downgrade/downgrade.md) and [more][downgrade].\n\n"
        "[downgrade]: ../downgrade.md\n"
        "A paragraph with a class.\n{ .kb-downgrade }\n"
    )
    # One real use, in text: any of the markup above read as text would make it two.
    assert added(markup + "\nOne downgrade.\n") == []
    assert added(markup + "\nOne downgrade, and another downgrade.\n") == ["downsize, downsizing"]


def test_a_hash_line_in_fenced_code_is_not_a_heading() -> None:
    markdown = (
        "## Downgrade {#downgrade}\n\n```sh\n# not a heading\nplan downgrade\n```\n\nText.\n\n"
        "## Taxes {#taxes}\n\nTax.\n"
    )
    result = add_synonyms(markdown, SYNONYMS)
    downgrade, taxes = re.split(r"(?m)^(?=## Taxes)", result)
    assert "Also known as: downsize, downsizing." in downgrade
    assert "# not a heading\nplan downgrade\n```" in downgrade
    assert HIDDEN_CLASS not in taxes


def test_synonyms_are_escaped_and_nothing_changes_without_matches() -> None:
    markdown = "## Downgrade {#x}\n\nText.\n"
    result = add_synonyms(markdown, {"downgrade": ["<b>smaller</b> & cheaper"]})
    assert "&lt;b&gt;smaller&lt;/b&gt; &amp; cheaper" in result and "<b>" not in result
    plain = "# Taxes {#taxes}\n\nNothing about it.\n"
    assert add_synonyms(plain, SYNONYMS) == plain
    assert add_synonyms(markdown, {}) == markdown


# ---- the built site ---------------------------------------------------------------------------


def index_entries(site: Path) -> list[dict[str, Any]]:
    data = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    return list(data["docs"])


def test_the_search_index_holds_the_synonyms(built_site: Path) -> None:
    entries = index_entries(built_site)

    def text_of(location: str) -> str:
        return " ".join(e["text"] for e in entries if e["location"].split("#")[0] == location)

    assert "pro-rata" in text_of("billing/prorated-charges/")
    assert "downsize" in text_of("downgrading/executing-the-downgrade/")
    assert "addon" in text_of("add-ons/adding-or-removing/")
    assert "receipt" in text_of("billing/updating-billing-information/")


def test_the_synonyms_are_in_the_page_but_hidden(built_site: Path) -> None:
    page = (built_site / "billing" / "prorated-charges" / "index.html").read_text(encoding="utf-8")
    blocks = re.findall(rf'<div class="{HIDDEN_CLASS}" hidden>.*?</div>', page, re.S)
    assert blocks and any("pro-rata" in block for block in blocks)


# ---- the search box, as a reader uses it -------------------------------------------------------

# (query a reader types, site-relative path prefixes of which one must be in the top 3 pages)
QUERIES = [
    ("prorate", ["billing/prorated-charges/"]),
    ("pro-rata", ["billing/prorated-charges/"]),
    ("pro rata", ["billing/prorated-charges/"]),
    ("prorated charges", ["billing/prorated-charges/"]),
    ("proration", ["billing/prorated-charges/"]),
    ("addon", ["add-ons/"]),
    ("addons", ["add-ons/"]),
    ("add on", ["add-ons/"]),
    ("downsize", ["downgrading/", "reasons/downgrading-for-cost/"]),
    ("downsizing", ["downgrading/", "reasons/downgrading-for-cost/"]),
    ("upsize", ["upgrading/", "reasons/upgrading-for-resources/"]),
    ("bill", ["billing/"]),
    ("invoice", ["billing/"]),
    ("receipt", ["billing/"]),
    ("refund", ["billing/prorated-charges/", "support/questions-and-concerns/"]),
    ("credit balance", ["billing/prorated-charges/", "support/questions-and-concerns/"]),
    ("payment method", ["billing/updating-billing-information/"]),
    ("card declined", ["billing/updating-billing-information/"]),
    ("minimum charge", ["billing/prorated-charges/"]),
    ("grace period", ["downgrading/executing-the-downgrade/"]),
    ("undo downgrade", ["support/questions-and-concerns/", "downgrading/"]),
    ("notify users", ["communicating/"]),
    ("contact support", ["support/"]),
]

# Material updates the results as the reader types; wait until they stop changing.
SETTLED = """() => new Promise((resolve) => {
  let last = null, same = 0;
  const timer = setInterval(() => {
    const now = document.querySelector('.md-search-result').innerHTML;
    same = now === last ? same + 1 : 0;
    last = now;
    if (same >= 3 && !/Type to start searching|Initializing search/.test(now)) {
      clearInterval(timer);
      resolve(true);
    }
  }, 150);
})"""


@pytest.fixture(scope="module")
def search_page(browser: Any, site_url: str) -> Iterator[Any]:
    context = browser.new_context()
    page = context.new_page()
    page.goto(site_url)
    yield page
    context.close()


def search(page: Any, site_url: str, query: str) -> list[str]:
    """Type the query into the search box; the site-relative pages of the results, best first."""
    box = page.locator(".md-search__input")
    if not box.evaluate("element => element === document.activeElement"):
        page.locator("body").press("/")  # the theme's keyboard shortcut for search
    box.press("Control+a")
    box.press("Backspace")
    page.keyboard.type(query, delay=15)
    page.evaluate(SETTLED)
    pages = []
    for item in page.locator(".md-search-result__item").all():
        href = str(item.locator(".md-search-result__link").first.get_attribute("href"))
        path = href.split("?")[0].split("#")[0].removeprefix(site_url)
        if path not in pages:
            pages.append(path)
    return pages


@pytest.mark.browser
@pytest.mark.parametrize(("query", "expected"), QUERIES, ids=[q for q, _ in QUERIES])
def test_real_support_queries_find_the_right_articles(
    search_page: Any, site_url: str, query: str, expected: list[str]
) -> None:
    top = search(search_page, site_url, query)[:3]
    assert any(path.startswith(prefix) for path in top for prefix in expected), (query, top)


@pytest.mark.browser
def test_the_synonyms_are_invisible_to_readers(browser: Any, site_url: str) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(site_url + "billing/prorated-charges/")
        blocks = page.locator(f".{HIDDEN_CLASS}")
        assert blocks.count() > 0
        for index in range(blocks.count()):
            assert not blocks.nth(index).is_visible()
        assert "Also known as" not in page.locator("article").inner_text()
        # A search result's preview may say why it matched; the page never shows it.
        assert "billing/prorated-charges/" in search(page, site_url, "pro-rata")[:3]
    finally:
        context.close()
