"""Accessibility: axe-core (pinned in package.json, injected from node_modules) finds no
violation on any page in either palette, nor on a calculator in its static, ready, stale and
field-error states; field errors are visible and announced."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.hardened_site import (
    AXE,
    READY_MS,
    calculator_pages,
    site_pages,
    wait_all_ready,
    wait_state,
)

pytestmark = pytest.mark.browser
CALC = '[data-calculator="proration"]'
PALETTES = {"light": "default", "dark": "slate"}

# The WCAG 2.0, 2.1 and 2.2 level A and AA rules (axe's best-practice rules are not
# conformance requirements).
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
RUN_AXE = """
async (tags) => {
  const results = await axe.run(document, {
    resultTypes: ["violations"], runOnly: { type: "tag", values: tags },
  });
  return results.violations.map((v) =>
    `${v.id}: ${v.nodes.length} × ${v.nodes[0].target.join(" ")}` +
    ` (${v.nodes[0].failureSummary.replace(/\\s+/g, " ")})`);
}
"""


def audit(page: Any) -> list[str]:
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    return list(page.evaluate(RUN_AXE, WCAG))


@pytest.fixture(scope="module")
def proration_page(built_site: Path) -> str:
    return calculator_pages(built_site, "proration")[0]


@pytest.fixture(params=list(PALETTES))
def palette(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def context(browser: Any, palette: str) -> Iterator[Any]:
    ctx = browser.new_context(color_scheme=palette)
    yield ctx
    ctx.close()


def open_page(context: Any, url: str, palette: str) -> Any:
    page = context.new_page()
    page.goto(url)
    page.wait_for_function(
        "scheme => document.body.dataset.mdColorScheme === scheme", arg=PALETTES[palette]
    )
    return page


def test_every_page_has_no_violation(
    context: Any, palette: str, site_url: str, built_site: Path
) -> None:
    found = {}
    page = context.new_page()
    for path in site_pages(built_site):
        page.goto(site_url + path)
        page.wait_for_function(
            "scheme => document.body.dataset.mdColorScheme === scheme", arg=PALETTES[palette]
        )
        wait_all_ready(page)  # calculators live (no-op on pages without one)
        violations = audit(page)
        if violations:
            found[path or "home"] = violations
    page.goto(site_url + "kb/8-9/")
    if violations := audit(page):
        found["404"] = violations
    assert found == {}


def test_a_static_calculator_has_no_violation(
    context: Any, palette: str, site_url: str, proration_page: str
) -> None:
    context.route(re.compile(r".*/calculators\.js$"), lambda route: route.abort())
    page = open_page(context, site_url + proration_page, palette)
    assert page.locator(CALC).first.get_attribute("data-state") == "static"
    assert audit(page) == []


def test_a_stale_result_has_no_violation(
    context: Any, palette: str, site_url: str, proration_page: str
) -> None:
    context.route(re.compile(r".*/calculators-.*\.whl$"), lambda route: route.abort())
    page = open_page(context, site_url + proration_page, palette)
    wait_state(page, CALC, ("error",))
    calc_id = page.locator(CALC).first.get_attribute("id")
    page.select_option(f"#{calc_id}-to_plan", "scale")
    page.wait_for_selector(f"#{calc_id} [data-role=result][data-stale=true]")
    assert audit(page) == []


def test_a_field_error_is_visible_announced_and_has_no_violation(
    context: Any, palette: str, site_url: str, proration_page: str
) -> None:
    page = open_page(context, site_url + proration_page, palette)
    wait_state(page, CALC)
    calc_id = page.locator(CALC).first.get_attribute("id")
    page.fill(f"#{calc_id}-change_at", "2031-01-01")
    error = page.locator(f"#{calc_id}-change_at-error")
    error.wait_for(state="visible", timeout=READY_MS)
    message = error.text_content()
    # Announced: the status is a live region and names the problem; the field points at it.
    status = page.locator(f"#{calc_id} [data-role=status]")
    assert status.get_attribute("role") == "status"
    assert message in status.text_content()
    described = page.locator(f"#{calc_id}-change_at").get_attribute("aria-describedby")
    assert f"{calc_id}-change_at-error" in described.split()
    assert audit(page) == []  # includes colour contrast of the error text
