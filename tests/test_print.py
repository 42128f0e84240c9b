"""Printing one article for a billing dispute (overrides/assets/stylesheets/print.css and the
beforeprint handler in feedback.js): no site furniture or controls, calculators as their current
inputs and result, and a stamp with the permanent link, the last-reviewed date and the print date.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.test_browser import READY_MS, calculator_pages

pytestmark = pytest.mark.browser

FURNITURE = [
    ".md-header",
    ".md-sidebar--primary",
    ".md-sidebar--secondary",
    ".md-search",
    ".md-footer",
    ".md-top",
    ".kb-feedback",
    "[data-copy-link]",
    "[data-action]",
    ".kb-calc__manual",
    ".headerlink",
]

BEFORE_PRINT = "window.dispatchEvent(new Event('beforeprint'))"
AFTER_PRINT = "window.dispatchEvent(new Event('afterprint'))"


@pytest.fixture(scope="module")
def proration_page(built_site: Path) -> str:
    pages = calculator_pages(built_site, "proration")
    assert pages, "no page embeds a proration calculator"
    return pages[0]


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(color_scheme="dark")  # the palette readers with dark mode get
    try:
        yield context.new_page()
    finally:
        context.close()


def open_ready(page: Any, url: str) -> str:
    """Open a calculator page, wait for live recalculation; the first calculator's id."""
    page.goto(url)
    calc_id = str(page.locator("[data-calculator]").first.get_attribute("id"))
    page.wait_for_function(
        "id => document.getElementById(id).dataset.state === 'ready'",
        arg=calc_id,
        timeout=READY_MS,
    )
    return calc_id


def shown(page: Any, selector: str) -> list[Any]:
    """Elements matching selector that would be on paper."""
    locator = page.locator(selector)
    return [locator.nth(i) for i in range(locator.count()) if locator.nth(i).is_visible()]


def test_only_the_article_prints(page: Any, site_url: str, proration_page: str) -> None:
    open_ready(page, site_url + proration_page)
    page.wait_for_selector("[data-copy-link]", state="attached")  # added by links.js
    page.click("[data-kb-feedback] [data-feedback-vote=no]")  # even an open feedback form
    on_screen = [selector for selector in FURNITURE if shown(page, selector)]
    assert {".md-header", ".kb-feedback", "[data-action]"} <= set(on_screen)
    page.emulate_media(media="print")
    page.evaluate(BEFORE_PRINT)
    for selector in FURNITURE:
        assert shown(page, selector) == [], f"{selector} would be printed"
    assert page.locator("article h1").is_visible()
    # Ink on paper, also for a reader using the dark palette.
    colour = page.evaluate("getComputedStyle(document.querySelector('article p')).color")
    channels = [float(part) for part in colour[colour.index("(") + 1 : -1].split(",")[:3]]
    assert max(channels) < 80, colour


def test_the_stamp_carries_the_permanent_link_and_both_dates(
    page: Any, site_url: str, proration_page: str
) -> None:
    page.goto(site_url + proration_page)
    info = page.evaluate("({...document.querySelector('.kb-page-info').dataset})")
    stamp = page.locator(".kb-reviewed")
    page.emulate_media(media="print")
    assert info["kbPermalink"] not in stamp.inner_text()  # filled only when printing
    page.evaluate(BEFORE_PRINT)
    text = stamp.inner_text()
    assert stamp.is_visible()
    assert f"Permanent link {info['kbPermalink']}" in text
    assert f"Last reviewed {info['kbReviewed']}" in text
    today = date.today()
    assert any(f"Printed {day.isoformat()}" in text for day in (today, today - timedelta(1)))
    # Every printed page carries the link in its bottom margin (a constructed style sheet).
    margin = page.evaluate(
        "document.adoptedStyleSheets.map(s => Array.from(s.cssRules, r => r.cssText).join(''))"
        ".join('')"
    )
    assert info["kbPermalink"] in margin and "counter(page)" in margin
    page.evaluate(AFTER_PRINT)
    assert info["kbPermalink"] not in stamp.inner_text()
    assert page.evaluate("document.adoptedStyleSheets.length") == 0


def test_a_page_without_a_review_date_gets_its_own_stamp(page: Any, site_url: str) -> None:
    page.goto(site_url)
    page.evaluate("document.querySelectorAll('.kb-reviewed').forEach(e => e.remove())")
    page.emulate_media(media="print")
    page.evaluate(BEFORE_PRINT)
    stamp = page.locator(".kb-print-stamp--own")
    assert stamp.is_visible() and "Permanent link http" in stamp.inner_text()
    page.evaluate(AFTER_PRINT)
    assert stamp.count() == 0


def test_a_calculator_prints_its_current_inputs_and_result(
    page: Any, site_url: str, proration_page: str
) -> None:
    calc_id = open_ready(page, site_url + proration_page)
    root = f"#{calc_id}"
    page.select_option(f"{root}-to_plan", "scale")
    page.select_option(f"{root}-currency", "EUR")
    page.wait_for_function(
        "id => document.querySelector('#' + id + ' [data-field=due_now]').textContent"
        ".includes('€')",
        arg=calc_id,
        timeout=READY_MS,
    )
    due = page.locator(f"{root} [data-field=due_now]").inner_text()
    page.emulate_media(media="print")

    # Without the beforeprint handler's summary, the form itself prints with its values.
    assert page.locator(f"{root} form").is_visible()
    assert page.locator(f"{root}-to_plan").is_visible()

    page.evaluate(BEFORE_PRINT)
    summary = page.locator(f"{root} .kb-print-inputs")
    assert summary.is_visible()
    assert not page.locator(f"{root} form").is_visible()  # the summary replaces it
    rows = dict(
        zip(
            summary.locator("dt").all_inner_texts(),
            summary.locator("dd").all_inner_texts(),
            strict=True,
        )
    )
    labels = page.locator(f"{root} form label").all_inner_texts()
    assert set(rows) == set(labels)
    assert rows["New plan"] == "Scale"  # a select prints its chosen option's text
    assert rows["Currency"].startswith("EUR")
    assert rows["Change on"] == page.input_value(f"{root}-change_at")
    # The current result, and how it was worked out.
    assert page.locator(f"{root} [data-field=due_now]").inner_text() == due
    assert page.locator(f"{root} .kb-calc__explanation ol").is_visible()
    assert not page.locator(f"{root} [data-role=manual]").is_visible()
    assert not page.locator(f"{root} [data-role=status]").is_visible()

    page.evaluate(AFTER_PRINT)
    assert page.locator("[data-kb-print]").count() == 0
    assert page.locator(f"{root} .kb-calc__explanation").get_attribute("open") is None
    page.emulate_media(media="screen")
    assert page.locator(f"{root} form").is_visible()


def test_a_pdf_is_produced(page: Any, site_url: str, proration_page: str) -> None:
    page.goto(site_url + proration_page)
    page.evaluate(BEFORE_PRINT)
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF-") and len(pdf) > 10_000
