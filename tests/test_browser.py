"""The calculators in a real browser: Debian's Chromium, the built site served on 127.0.0.1.

Every behaviour of the page contract (../shared/design/page-contract.md) is checked here:
prerendered results, the live worker, links that reproduce a calculation, keyboard use, field
errors, the fallback when Pyodide cannot load, worker reuse across pages, and no request to any
other origin.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from playwright.sync_api import expect

from calculators.domain.catalogue import Catalogue
from calculators.web import widgets
from tests.conftest import BUILD_DAY

pytestmark = pytest.mark.browser
READY_MS = 90_000
LINK_COPIED = "Link copied: it opens this calculator with the inputs and result shown."
CALC = '[data-calculator="proration"]'


def calculator_pages(site: Path, kind: str) -> list[str]:
    """Site-relative URLs of the pages that hold a calculator of this kind."""
    found = []
    for page in sorted(site.rglob("index.html")):
        if f'data-calculator="{kind}"' in page.read_text(encoding="utf-8"):
            relative = page.parent.relative_to(site).as_posix()
            found.append("" if relative == "." else relative + "/")
    return found


@pytest.fixture(scope="module")
def proration_pages(built_site: Path) -> list[str]:
    pages = calculator_pages(built_site, "proration")
    assert pages, "no page embeds a proration calculator"
    return pages


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context()
    yield ctx
    ctx.close()


class Visit:
    """A page plus a log of every request it made."""

    def __init__(self, context: Any) -> None:
        self.page = context.new_page()
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on(
            "dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss())
        )

    def open(self, url: str) -> Any:
        self.page.goto(url)
        return self.page

    def wait_state(self, selector: str, states: tuple[str, ...] = ("ready",)) -> str:
        self.page.wait_for_function(
            "([selector, states]) => states.includes(document.querySelector(selector)"
            "?.dataset.state)",
            arg=[selector, list(states)],
            timeout=READY_MS,
        )
        return str(self.page.locator(selector).first.get_attribute("data-state"))


class HeldRequests:
    """Requests matching a pattern wait until released: the page's state before they answer."""

    def __init__(self, context: Any, pattern: re.Pattern[str]) -> None:
        self.held: list[Any] = []
        self.released = False
        context.route(pattern, self._hold)

    def _hold(self, route: Any) -> None:
        if self.released:
            route.continue_()
        else:
            self.held.append(route)

    def release(self) -> None:
        self.released = True
        for route in self.held:
            route.continue_()
        self.held.clear()


def figures(page: Any, root: str) -> dict[str, str]:
    result = {}
    for name in ("due_now", "credit_to_balance", "next_invoice"):
        result[name] = page.locator(f'{root} [data-field="{name}"]').first.text_content().strip()
    return result


def expected(catalogue: Catalogue, **params: str) -> dict[str, str]:
    result = widgets.evaluate("proration", params, catalogue, today=date.fromisoformat(BUILD_DAY))
    assert not result["errors"], result["errors"]
    return dict(result["figures"])


def field_errors(catalogue: Catalogue, **params: str) -> dict[str, str]:
    """What the calculators say is wrong with these inputs, field by field."""
    result = widgets.evaluate("proration", params, catalogue, today=date.fromisoformat(BUILD_DAY))
    return {error["field"]: error["message"] for error in result["errors"]}


PRORATION_FIELDS = (
    "from_plan",
    "from_interval",
    "period_start",
    "to_plan",
    "to_interval",
    "change_at",
    "currency",
)


def form_inputs(page: Any, calc_id: str) -> dict[str, str]:
    """What the proration calculator's form holds now, field by field."""
    return {name: page.locator(f"#{calc_id}-{name}").input_value() for name in PRORATION_FIELDS}


def wait_figures(page: Any, calc_id: str, want: dict[str, str]) -> None:
    """Wait until the calculator shows exactly these figures (the engine answered these inputs)."""
    page.wait_for_function(
        "([id, want]) => Object.entries(want).every(([name, text]) => document.querySelector("
        "'#' + id + ' [data-field=\"' + name + '\"]')?.textContent.trim() === text)",
        arg=[calc_id, want],
        timeout=READY_MS,
    )
    assert figures(page, f"#{calc_id}") == want


def link_inputs(link: str, page_address: str, calc_id: str) -> dict[str, str]:
    """The inputs a calculator link carries, once it is checked to open this calculator."""
    parts = urlsplit(link)
    assert (f"{parts.scheme}://{parts.netloc}{parts.path}", parts.fragment) == (
        page_address,
        calc_id,
    )
    query = dict(parse_qsl(parts.query, strict_parsing=True))
    assert query.pop("calculator") == calc_id
    return query


def first_calculator_id(page: Any) -> str:
    return str(page.locator(CALC).first.get_attribute("id"))


def test_the_result_is_there_before_any_script_runs(
    browser: Any, site_url: str, proration_pages: list[str], catalogue: Catalogue
) -> None:
    ctx = browser.new_context(java_script_enabled=False)
    try:
        page = ctx.new_page()
        page.goto(site_url + proration_pages[0])
        calculator = page.locator(CALC).first
        assert calculator.get_attribute("data-state") == "static"
        calc_id = first_calculator_id(page)
        assert figures(page, f"#{calc_id}") == expected(catalogue, **form_inputs(page, calc_id))
    finally:
        ctx.close()


def test_live_recalculation_matches_cpython(
    context: Any, site_url: str, proration_pages: list[str], catalogue: Catalogue
) -> None:
    visit = Visit(context)
    page = visit.open(site_url + proration_pages[0])
    assert visit.wait_state(CALC) == "ready"
    calc_id = first_calculator_id(page)
    defaults = form_inputs(page, calc_id)
    page.select_option(f"#{calc_id}-to_plan", "scale")
    page.select_option(f"#{calc_id}-currency", "EUR")
    want = expected(catalogue, **{**defaults, "to_plan": "scale", "currency": "EUR"})
    wait_figures(page, calc_id, want)
    assert all(url.startswith(site_url) for url in visit.requests)


def test_a_copied_link_reproduces_the_result_in_a_fresh_browser(
    browser: Any, site_url: str, proration_pages: list[str], catalogue: Catalogue
) -> None:
    first = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    try:
        visit = Visit(first)
        page = visit.open(site_url + proration_pages[0])
        visit.wait_state(CALC)
        calc_id = first_calculator_id(page)
        page.select_option(f"#{calc_id}-from_plan", "starter")
        page.select_option(f"#{calc_id}-to_plan", "business")
        page.select_option(f"#{calc_id}-to_interval", "year")
        # The result for all three changes, not for the first of them the engine answered.
        shown = expected(catalogue, **form_inputs(page, calc_id))
        wait_figures(page, calc_id, shown)
        page.click(f"#{calc_id} [data-action=copy-link]")
        expect(page.locator(f"#{calc_id} [data-role=status]")).to_have_text(LINK_COPIED)
        link = page.evaluate("navigator.clipboard.readText()")
        inputs = form_inputs(page, calc_id)
    finally:
        first.close()
    assert link_inputs(link, site_url + proration_pages[0], calc_id) == inputs
    assert (inputs["from_plan"], inputs["to_plan"], inputs["to_interval"]) == (
        "starter",
        "business",
        "year",
    )

    fresh = browser.new_context()
    try:
        # The engine is held back until the page has been read: until it answers, the page shows
        # no result for inputs other than the link's, only that it is calculating theirs.
        engine = HeldRequests(fresh, re.compile(r".*/calculator-worker\.js$"))
        visit = Visit(fresh)
        page = visit.open(link)
        assert visit.wait_state(f"#{calc_id}", ("loading",)) == "loading"
        result = page.locator(f"#{calc_id} [data-role=result]")
        assert result.text_content() == "Calculating the result for these inputs…"
        engine.release()
        visit.wait_state(f"#{calc_id}")
        page.wait_for_selector(f"#{calc_id} [data-field=due_now]", timeout=READY_MS)
        assert figures(page, f"#{calc_id}") == shown
        assert page.locator(f"#{calc_id}-to_interval").input_value() == "year"
    finally:
        fresh.close()


def test_keyboard_alone_can_change_the_inputs_and_copy_the_link(
    browser: Any, site_url: str, proration_pages: list[str], catalogue: Catalogue
) -> None:
    ctx = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    try:
        visit = Visit(ctx)
        page = visit.open(site_url + proration_pages[0])
        visit.wait_state(CALC)
        calc_id = first_calculator_id(page)
        options = page.locator(f"#{calc_id}-to_plan option")
        plans = options.evaluate_all("options => options.map(option => option.value)")
        before = form_inputs(page, calc_id)
        page.focus(f"#{calc_id}-from_plan")
        for _ in range(12):  # through Current billing and the date's day/month/year parts
            if page.evaluate("document.activeElement.id") == f"{calc_id}-to_plan":
                break
            page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == f"{calc_id}-to_plan"
        page.keyboard.press("ArrowDown")  # the next, larger plan
        after = form_inputs(page, calc_id)
        assert after == {**before, "to_plan": plans[plans.index(before["to_plan"]) + 1]}
        wait_figures(page, calc_id, expected(catalogue, **after))
        page.focus(f"#{calc_id} [data-action=copy-link]")
        page.keyboard.press("Enter")
        expect(page.locator(f"#{calc_id} [data-role=status]")).to_have_text(LINK_COPIED)
        link = page.evaluate("navigator.clipboard.readText()")
        assert link_inputs(link, site_url + proration_pages[0], calc_id) == after
    finally:
        ctx.close()


def test_an_invalid_input_shows_a_field_error_and_keeps_the_last_result(
    context: Any, site_url: str, proration_pages: list[str], catalogue: Catalogue
) -> None:
    visit = Visit(context)
    page = visit.open(site_url + proration_pages[0])
    visit.wait_state(CALC)
    calc_id = first_calculator_id(page)
    before = figures(page, f"#{calc_id}")
    page.fill(f"#{calc_id}-change_at", "2031-01-01")  # far outside the current period
    error = page.locator(f"#{calc_id}-change_at-error")
    error.wait_for(state="visible", timeout=READY_MS)
    wrong = field_errors(catalogue, **form_inputs(page, calc_id))
    assert list(wrong) == ["change_at"]
    assert error.text_content() == wrong["change_at"]
    assert page.locator(f"#{calc_id}-change_at").get_attribute("aria-invalid") == "true"
    assert page.locator(f"#{calc_id} [data-role=result]").get_attribute("data-stale") == "true"
    assert figures(page, f"#{calc_id}") == before
    assert visit.dialogs == []


def test_without_pyodide_the_calculator_explains_and_keeps_its_result(
    context: Any, site_url: str, proration_pages: list[str], catalogue: Catalogue
) -> None:
    context.route(re.compile(r".*/assets/pyodide/.*"), lambda route: route.abort())
    visit = Visit(context)
    page = visit.open(site_url + proration_pages[0])
    assert visit.wait_state(CALC, ("error",)) == "error"
    status = page.locator(f"{CALC} [data-role=status]").first.text_content()
    # The first file the engine needs is the runtime's module: its import fails.
    assert status == (
        "Live recalculation is unavailable: the Python runtime could not be loaded. "
        "The result shown is for the inputs it was published with."
    )
    calc_id = first_calculator_id(page)
    assert figures(page, f"#{calc_id}") == expected(catalogue, **form_inputs(page, calc_id))
    assert page.locator(f"{CALC} [data-role=manual]").first.get_attribute("open") is not None


def test_a_second_calculator_page_reuses_the_worker(
    context: Any, site_url: str, built_site: Path
) -> None:
    pages = sorted(
        {
            *calculator_pages(built_site, "proration"),
            *calculator_pages(built_site, "plan-comparison"),
            *calculator_pages(built_site, "add-ons"),
        }
    )
    assert len(pages) >= 2, "two calculator pages are needed"
    visit = Visit(context)
    page = visit.open(site_url + pages[0])
    visit.wait_state("[data-calculator]")
    engine = page.evaluate("window.kbCalculatorEngine")
    # The Python of the pinned Pyodide, as its lock file states it.
    lock_file = Path(__file__).resolve().parent.parent / "node_modules/pyodide/pyodide-lock.json"
    lock = json.loads(lock_file.read_text(encoding="utf-8"))
    assert engine["python"] == lock["info"]["python"]
    # Follow an in-site link the way a reader does; instant navigation keeps the worker.
    page.evaluate(
        "href => { const a = document.createElement('a'); a.href = href; a.id = 'kb-test-next';"
        " a.textContent = 'next'; document.querySelector('article').append(a); }",
        site_url + pages[1],
    )
    page.click("#kb-test-next")
    # Instant navigation changes the URL without a load event.
    page.wait_for_function(
        "path => location.pathname === path", arg="/" + pages[1], timeout=READY_MS
    )
    visit.wait_state("[data-calculator]")
    assert page.evaluate("window.kbCalculatorEngine") == engine  # same page context, same worker
    wasm = [url for url in visit.requests if url.endswith("pyodide.asm.wasm")]
    assert len(wasm) == 1


def test_a_whole_visit_requests_nothing_from_another_origin(
    context: Any, site_url: str, built_site: Path
) -> None:
    visit = Visit(context)
    for path in ["", *calculator_pages(built_site, "proration")[:2]]:
        visit.open(site_url + path)
        if path:
            visit.wait_state("[data-calculator]", ("ready", "error"))
    assert visit.requests
    outside = [
        url
        for url in visit.requests
        if not url.startswith(site_url) and not url.startswith("data:")
    ]
    assert outside == []


# Everything in the article except the calculator: its text and its elements, in order.
OUTSIDE_CALCULATOR = (
    "id => { const a = document.querySelector('article').cloneNode(true);"
    " a.querySelector('#' + id).remove();"
    " return [a.textContent, Array.from(a.querySelectorAll('*'), e => e.tagName).join(',')]; }"
)

HOSTILE_PARAMS = [
    ("to_plan", "<script>window.__pwned=1</script>"),
    ("from_plan", '"><img src=x onerror="window.__pwned=1">'),
    ("to_plan", "gold"),
    ("change_at", "2026-02-30"),
    ("change_at", "\uff11\uff12\uff13"),  # full-width digits
    ("period_start", "1e308"),
    ("period_start", "-99999999999999999999"),
    ("change_at", "NaN"),
    ("currency", "'; window.__pwned=1; '"),
]


@pytest.mark.parametrize(("field", "value"), HOSTILE_PARAMS)
def test_hostile_url_parameters_become_field_errors(
    context: Any,
    site_url: str,
    proration_pages: list[str],
    catalogue: Catalogue,
    field: str,
    value: str,
) -> None:
    visit = Visit(context)
    page = visit.open(site_url + proration_pages[0])
    calc_id = first_calculator_id(page)
    visit.wait_state(f"#{calc_id}")
    outside_before = page.evaluate(OUTSIDE_CALCULATOR, calc_id)
    url = f"{site_url}{proration_pages[0]}?{urlencode({field: value})}#{calc_id}"
    page.goto(url)
    visit.wait_state(f"#{calc_id}")
    error = page.locator(f"#{calc_id}-{field}-error")
    error.wait_for(state="visible", timeout=READY_MS)
    # The message the calculators give for what the form holds (a select keeps no unknown value).
    assert error.text_content() == field_errors(catalogue, **form_inputs(page, calc_id))[field]
    assert page.evaluate("window.__pwned") is None
    assert visit.dialogs == []
    outside_after = page.evaluate(OUTSIDE_CALCULATOR, calc_id)
    # The theme copies the query string into same-page links; text and elements must not change.
    assert outside_after == outside_before
    assert error.locator("*").count() == 0  # the message is text, never markup
    result = page.locator(f"#{calc_id} [data-role=result]")
    assert result.locator("script, img").count() == 0
