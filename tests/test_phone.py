"""Phones: at 360 px no page scrolls sideways (tables scroll inside their own box), touch
targets are at least 44 px, calculator forms are one column and the growth chart's labels stay
legible."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.hardened_site import (
    calculator_pages,
    pages_containing,
    serve_with_headers,
    site_pages,
    wait_all_ready,
)

pytestmark = pytest.mark.browser
WIDTH = 360
TARGET_PX = 44
LEGIBLE_PX = 10  # the smallest label size a chart may render at

# Every visible control a finger aims at: buttons, form fields, disclosure summaries, the
# header's icons; a check box is aimed at through its label. Links in running text are exempt
# (WCAG 2.5.8's inline exception); navigation links are checked by axe's 24 px rule.
SMALL_TARGETS = """
(min) => {
  const visible = (el) => { const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== "hidden"; };
  const targets = [
    ...document.querySelectorAll("article button, article .md-button, article select, " +
      "article textarea, article summary, article input:not([type=checkbox]):not([type=radio])" +
      ":not([type=hidden]), .md-header__button, .kb-calc__checks label")];
  return targets.filter(visible).map((el) => [el, el.getBoundingClientRect()])
    .filter(([, r]) => r.width < min || r.height < min)
    .map(([el, r]) => `${el.tagName.toLowerCase()}.${el.className} ` +
      `"${(el.textContent || el.getAttribute("aria-label") || "").trim().slice(0, 30)}" ` +
      `${Math.round(r.width)}x${Math.round(r.height)}`);
}
"""


@pytest.fixture(scope="module")
def hardened_url(built_site: Path) -> Iterator[str]:
    """Served as a host serves it: with docs/_headers and the site's 404 page."""
    with serve_with_headers(built_site) as url:
        yield url


@pytest.fixture(scope="module")
def phone(browser: Any) -> Iterator[Any]:
    viewport = {"width": WIDTH, "height": 740}
    context = browser.new_context(
        viewport=viewport, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    yield page
    context.close()


def test_no_page_scrolls_sideways_and_every_target_is_large_enough(
    phone: Any, hardened_url: str, built_site: Path
) -> None:
    wide, small = {}, {}
    for path in [*site_pages(built_site), "kb/8-9/"]:
        phone.goto(hardened_url + path)
        wait_all_ready(phone)
        width = phone.evaluate("document.documentElement.scrollWidth")
        if width > WIDTH:
            wide[path] = width
        if found := phone.evaluate(SMALL_TARGETS, TARGET_PX):
            small[path] = found
    assert wide == {}
    assert small == {}


def test_calculator_forms_are_one_column(phone: Any, hardened_url: str, built_site: Path) -> None:
    for path in calculator_pages(built_site):
        phone.goto(hardened_url + path)
        columns = phone.evaluate(
            "() => Array.from(document.querySelectorAll('.kb-calc__form'), (form) => new Set("
            "Array.from(form.children, (field) => Math.round(field.getBoundingClientRect().left))"
            ").size)"
        )
        assert columns and set(columns) == {1}, path


def test_the_growth_chart_labels_stay_legible(
    phone: Any, hardened_url: str, built_site: Path
) -> None:
    pages = pages_containing(built_site, 'class="growth-chart"')
    assert pages
    phone.goto(hardened_url + pages[0])
    # The charts a reader sees (a chart in a closed example or an inactive tab has no size).
    sizes = phone.evaluate(
        "() => Array.from(document.querySelectorAll('svg.growth-chart'))"
        "  .filter((chart) => chart.checkVisibility())"
        "  .flatMap((chart) => Array.from(chart.querySelectorAll('text'),"
        "    (text) => text.getBoundingClientRect().height))"
    )
    assert sizes and min(sizes) >= LEGIBLE_PX
    assert phone.evaluate("document.documentElement.scrollWidth") <= WIDTH
