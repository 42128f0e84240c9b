"""One currency for the whole site, in a real browser (issue 17).

The reader chooses a currency with the header's control or a `?currency=` link; every price on
the page follows at once, the choice survives instant navigation and reloads, calculators open
in it, and without JavaScript the default currency shows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from playwright.sync_api import expect

from calculators.domain import money
from calculators.domain.catalogue import Catalogue
from calculators.web import widgets
from tests.conftest import BUILD_DAY

pytestmark = pytest.mark.browser
READY_MS = 90_000
CONTROL = "#kb-currency-choice"
CALC = '[data-calculator="proration"]'
# The pages the issue names: home, a plans page, the add-ons page, the prorated-charges article.
PRICED_PAGES = [
    "",
    "upgrading/reviewing-plans/",
    "add-ons/reviewing-add-ons/",
    "billing/prorated-charges/",
]

# The article's visible text, leaving out figures a page deliberately shows in one named
# currency (the table of every currency's minimum charge, the per-currency plan tabs).
VISIBLE_TEXT = """() => {
  const article = document.querySelector("article");
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
  const parts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest("[data-currency-fixed], script")) continue;
    if (!parent.checkVisibility()) continue;
    parts.push(node.textContent);
  }
  return parts.join(" ");
}"""


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context()
    yield ctx
    ctx.close()


def amount_pattern(catalogue: Catalogue, code: str) -> re.Pattern[str]:
    """An amount as the site shows it in ``code``: "$29.00", "¥4,400"."""
    sample = money.display(money.parse_amount("1", code), code, extra=catalogue.minor_units)
    symbol = sample[: sample.index("1")]
    return re.compile(re.escape(symbol) + r"[0-9]")


def shown_price(catalogue: Catalogue, plan: str, code: str) -> str:
    price = catalogue.plan(plan).price(code, "month")
    return money.display(price, code, extra=catalogue.minor_units) + "/month"


def assert_only_currency(page: Any, catalogue: Catalogue, code: str) -> None:
    text = page.evaluate(VISIBLE_TEXT)
    for other in catalogue.currencies:
        if other != code:
            found = amount_pattern(catalogue, other).findall(text)
            assert not found, f"{other} amounts left on {page.url}: {found[:5]}"
    assert amount_pattern(catalogue, code).search(text), f"no {code} amount on {page.url}"


def article_text(page: Any) -> str:
    return " ".join(page.locator("article").inner_text().split())


def wait_for_currency(page: Any, code: str) -> None:
    """Until the page is marked with ``code`` and every figure on it shows ``code``."""
    page.wait_for_function(
        "code => document.documentElement.dataset.kbCurrency === code && Array.from("
        "document.querySelectorAll('span.kb-money[data-currency]'))"
        ".every((figure) => figure.dataset.currency === code)",
        arg=code,
        timeout=READY_MS,
    )


def choose_by_control(page: Any, code: str) -> None:
    page.locator(CONTROL).wait_for(state="visible")
    page.select_option(CONTROL, code)
    wait_for_currency(page, code)


def wait_for_due_now(page: Any, calc_id: str, want: str) -> None:
    page.wait_for_function(
        "([root, text]) => document.querySelector(root + ' [data-field=due_now]')"
        "?.textContent.trim() === text",
        arg=[f"#{calc_id}", want],
        timeout=READY_MS,
    )


def follow_link(page: Any, site_url: str, path: str) -> None:
    """Follow an in-site link as a reader does: instant navigation, no reload."""
    page.evaluate(
        "href => { const a = document.createElement('a'); a.href = href; a.id = 'kb-test-next';"
        " a.textContent = 'next'; document.querySelector('article').append(a); }",
        site_url + path,
    )
    page.click("#kb-test-next")
    page.wait_for_function("path => location.pathname === path", arg="/" + path, timeout=READY_MS)


def expected_due_now(catalogue: Catalogue, page: Any, code: str) -> str:
    calc_id = str(page.locator(CALC).first.get_attribute("id"))
    params = {
        name: page.locator(f"#{calc_id}-{name}").input_value()
        for name in (
            "from_plan",
            "from_interval",
            "period_start",
            "to_plan",
            "to_interval",
            "change_at",
        )
    }
    result = widgets.evaluate(
        "proration", {**params, "currency": code}, catalogue, today=date.fromisoformat(BUILD_DAY)
    )
    assert not result["errors"], result["errors"]
    return str(result["figures"]["due_now"])


def test_the_control_switches_every_price_on_the_priced_pages(
    context: Any, site_url: str, catalogue: Catalogue
) -> None:
    page = context.new_page()
    page.goto(site_url)
    page.locator(CONTROL).wait_for(state="visible")
    assert page.locator(CONTROL).input_value() == catalogue.default_currency
    choose_by_control(page, "EUR")
    assert shown_price(catalogue, "team", "EUR") in page.evaluate(VISIBLE_TEXT)
    assert_only_currency(page, catalogue, "EUR")
    for path in PRICED_PAGES[1:]:
        page.goto(site_url + path)  # a later visit: the choice was remembered
        wait_for_currency(page, "EUR")
        assert page.locator(CONTROL).input_value() == "EUR"
        assert_only_currency(page, catalogue, "EUR")
    page.emulate_media(media="print")  # what a printed page shows
    assert not page.locator(CONTROL).is_visible()
    assert_only_currency(page, catalogue, "EUR")


def test_a_currency_link_selects_it_and_jpy_has_no_decimals(
    context: Any, site_url: str, catalogue: Catalogue
) -> None:
    page = context.new_page()
    for path in PRICED_PAGES:
        page.goto(f"{site_url}{path}?currency=JPY")
        wait_for_currency(page, "JPY")
        assert page.locator(CONTROL).input_value() == "JPY"
        assert_only_currency(page, catalogue, "JPY")
        text = page.evaluate(VISIBLE_TEXT)
        assert not re.search(r"¥[0-9,]+\.[0-9]", text), "a yen amount shows decimals"
    page.goto(f"{site_url}upgrading/reviewing-plans/?currency=JPY")
    wait_for_currency(page, "JPY")
    assert "Prices are in JPY" in article_text(page)
    assert shown_price(catalogue, "team", "JPY") in page.evaluate(VISIBLE_TEXT)


def test_the_choice_survives_instant_navigation_and_reload(
    context: Any, site_url: str, catalogue: Catalogue
) -> None:
    page = context.new_page()
    page.goto(site_url)
    choose_by_control(page, "GBP")
    follow_link(page, site_url, "add-ons/reviewing-add-ons/")
    wait_for_currency(page, "GBP")
    assert_only_currency(page, catalogue, "GBP")
    page.reload()
    wait_for_currency(page, "GBP")
    assert page.locator(CONTROL).input_value() == "GBP"
    assert_only_currency(page, catalogue, "GBP")


def test_a_calculator_opens_in_the_chosen_currency(
    context: Any, site_url: str, catalogue: Catalogue
) -> None:
    page = context.new_page()
    page.goto(site_url)
    choose_by_control(page, "EUR")
    follow_link(page, site_url, "billing/prorated-charges/")
    calc_id = str(page.locator(CALC).first.get_attribute("id"))
    # The calculator takes the header's currency once its engine module has attached it.
    expect(page.locator(f"#{calc_id}-currency")).to_have_value("EUR", timeout=READY_MS)
    want = expected_due_now(catalogue, page, "EUR")
    wait_for_due_now(page, calc_id, want)
    # Choosing another currency in the header recalculates the calculator in it.
    choose_by_control(page, "GBP")
    expect(page.locator(f"#{calc_id}-currency")).to_have_value("GBP", timeout=READY_MS)
    want = expected_due_now(catalogue, page, "GBP")
    wait_for_due_now(page, calc_id, want)
    assert_only_currency(page, catalogue, "GBP")


def test_without_the_engine_a_calculator_never_shows_another_currencys_result(
    context: Any, site_url: str, catalogue: Catalogue
) -> None:
    context.route(re.compile(r".*/assets/pyodide/.*"), lambda route: route.abort())
    page = context.new_page()
    page.goto(site_url + "billing/prorated-charges/?currency=EUR")
    page.wait_for_function(
        "selector => document.querySelector(selector)?.dataset.state === 'error'",
        arg=CALC,
        timeout=READY_MS,
    )
    result = page.locator(f"{CALC} [data-role=result]").first
    assert result.locator("[data-field=due_now]").count() == 0
    assert not amount_pattern(catalogue, "USD").search(result.text_content() or "")
    assert page.locator(f"{CALC} [data-role=manual]").first.get_attribute("open") is not None


def test_without_javascript_the_default_currency_shows(
    browser: Any, site_url: str, catalogue: Catalogue
) -> None:
    ctx = browser.new_context(java_script_enabled=False)
    try:
        page = ctx.new_page()
        page.goto(site_url + "upgrading/reviewing-plans/?currency=EUR")
        assert not page.locator(CONTROL).is_visible()
        text = article_text(page)
        default = catalogue.default_currency
        assert shown_price(catalogue, "team", default) in text
        assert f"Prices are in {default}" in text
        for path in PRICED_PAGES:
            page.goto(f"{site_url}{path}?currency=EUR")
            assert_only_currency(page, catalogue, default)
    finally:
        ctx.close()
