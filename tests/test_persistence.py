"""Nothing the reader typed is lost: the inputs live in the URL as they change, so a reload, Back
and Forward, and instant navigation back to the page show them with their own, recomputed
result; the copy actions copy exactly what is on screen, and say so when it is invalid."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from calculators.domain.catalogue import Catalogue
from calculators.web import widgets
from tests.conftest import BUILD_DAY
from tests.hardened_site import READY_MS, calculator_pages, serve_with_headers, wait_state

pytestmark = pytest.mark.browser
CALC = '[data-calculator="proration"]'
FIELDS = (
    "from_plan",
    "from_interval",
    "period_start",
    "to_plan",
    "to_interval",
    "change_at",
    "currency",
)


@pytest.fixture(scope="module")
def pages(built_site: Path) -> tuple[str, str]:
    """A proration calculator page and another calculator page."""
    all_pages = calculator_pages(built_site)
    proration = calculator_pages(built_site, "proration")
    other = [path for path in all_pages if path != proration[0]]
    return proration[0], other[0]


@pytest.fixture(scope="module")
def hardened_url(built_site: Path) -> Iterator[str]:
    """The site under its own headers (docs/_headers): persistence works under the strict CSP."""
    with serve_with_headers(built_site) as url:
        yield url


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    yield context.new_page()
    context.close()


def calc_id(page: Any) -> str:
    return str(page.locator(CALC).first.get_attribute("id"))


def inputs(page: Any) -> dict[str, str]:
    root = calc_id(page)
    return {name: page.locator(f"#{root}-{name}").input_value() for name in FIELDS}


def expected(catalogue: Catalogue, params: dict[str, str]) -> str:
    result = widgets.evaluate("proration", params, catalogue, today=date.fromisoformat(BUILD_DAY))
    assert not result["errors"], result["errors"]
    return str(result["figures"]["due_now"])


def wait_result(page: Any, text: str) -> None:
    page.wait_for_function(
        "([root, text]) => { const r = document.querySelector(root + ' [data-role=result]');"
        " return r && r.dataset.stale !== 'true' &&"
        " r.querySelector('[data-field=due_now]')?.textContent.trim() === text; }",
        arg=[f"#{calc_id(page)}", text],
        timeout=READY_MS,
    )


def change_inputs(page: Any) -> dict[str, str]:
    root = calc_id(page)
    page.select_option(f"#{root}-to_plan", "scale")
    page.select_option(f"#{root}-currency", "EUR")
    page.wait_for_function("() => new URL(location.href).searchParams.get('currency') === 'EUR'")
    return inputs(page)


def assert_restored(page: Any, typed: dict[str, str], catalogue: Catalogue) -> None:
    """The calculator shows the typed inputs again, with their own result."""
    wait_state(page, CALC)
    assert inputs(page) == typed
    wait_result(page, expected(catalogue, typed))


def test_the_url_follows_the_inputs_as_they_change(
    page: Any, hardened_url: str, pages: tuple[str, str]
) -> None:
    page.goto(hardened_url + pages[0])
    wait_state(page, CALC)
    typed = change_inputs(page)
    query = {name: values[0] for name, values in parse_qs(urlsplit(page.url).query).items()}
    assert query == {"calculator": calc_id(page), **typed}
    assert urlsplit(page.url).fragment == calc_id(page)


def test_a_reload_brings_back_the_inputs_and_their_result(
    page: Any, hardened_url: str, pages: tuple[str, str], catalogue: Catalogue
) -> None:
    page.goto(hardened_url + pages[0])
    wait_state(page, CALC)
    typed = change_inputs(page)
    page.reload()
    assert_restored(page, typed, catalogue)


def test_back_and_forward_bring_back_the_inputs_with_a_matching_result(
    page: Any, hardened_url: str, pages: tuple[str, str], catalogue: Catalogue
) -> None:
    page.goto(hardened_url + pages[0])
    wait_state(page, CALC)
    typed = change_inputs(page)
    page.goto(hardened_url + pages[1])  # a full page load, leaving the page
    page.go_back()
    assert_restored(page, typed, catalogue)
    page.go_forward()
    page.go_back()
    assert_restored(page, typed, catalogue)


def test_instant_navigation_back_brings_back_the_inputs(
    page: Any, hardened_url: str, pages: tuple[str, str], catalogue: Catalogue
) -> None:
    page.goto(hardened_url + pages[0])
    wait_state(page, CALC)
    typed = change_inputs(page)
    page.evaluate("() => { window.kbSamePage = true; }")
    page.click(f'a.md-nav__link[href$="{Path(pages[1]).name}/"]')
    page.wait_for_function("path => location.pathname === path", arg="/" + pages[1])
    page.go_back()
    page.wait_for_function("path => location.pathname === path", arg="/" + pages[0])
    wait_state(page, CALC)
    assert page.evaluate("window.kbSamePage") is True  # the theme swapped the page in place
    assert_restored(page, typed, catalogue)


def test_copies_carry_exactly_the_inputs_and_result_on_screen(
    page: Any, hardened_url: str, pages: tuple[str, str], catalogue: Catalogue
) -> None:
    page.goto(hardened_url + pages[0])
    wait_state(page, CALC)
    typed = change_inputs(page)
    want = expected(catalogue, typed)
    wait_result(page, want)
    root = calc_id(page)
    page.click(f"#{root} [data-action=copy-link]")
    page.wait_for_function(
        "id => document.querySelector('#' + id + ' [data-role=status]').textContent"
        ".startsWith('Link copied: it opens this calculator with the inputs and result shown')",
        arg=root,
    )
    link = page.evaluate("navigator.clipboard.readText()")
    query = {name: values[0] for name, values in parse_qs(urlsplit(link).query).items()}
    assert query == {"calculator": root, **typed}
    page.click(f"#{root} [data-action=copy-reply][data-format=text]")
    page.wait_for_function(
        "id => document.querySelector('#' + id + ' [data-role=status]').textContent"
        ".startsWith('Ticket reply copied: the inputs and result shown')",
        arg=root,
    )
    reply = page.evaluate("navigator.clipboard.readText()")
    currency = page.locator(f"#{root}-currency option:checked").text_content().strip()
    assert "New plan: Scale" in reply
    assert f"Currency: {currency}" in reply
    assert want in reply
    assert reply.endswith(f"Open this calculation: {link}")


def test_copies_say_so_when_the_inputs_on_screen_are_invalid(
    page: Any, hardened_url: str, pages: tuple[str, str]
) -> None:
    page.goto(hardened_url + pages[0])
    wait_state(page, CALC)
    root = calc_id(page)
    published = page.locator(f"#{root} [data-field=due_now]").text_content().strip()
    page.fill(f"#{root}-change_at", "2031-01-01")
    page.locator(f"#{root}-change_at-error").wait_for(state="visible", timeout=READY_MS)
    problem = page.locator(f"#{root}-change_at-error").text_content().strip()
    page.click(f"#{root} [data-action=copy-reply][data-format=text]")
    page.wait_for_function(
        "id => document.querySelector('#' + id + ' [data-role=status]').textContent"
        ".startsWith('Ticket reply copied, but the inputs shown are not valid')",
        arg=root,
    )
    reply = page.evaluate("navigator.clipboard.readText()")
    assert "Change on: 2031-01-01" in reply
    assert "none: the inputs shown are not valid" in reply
    assert problem in reply
    assert published not in reply  # the result on screen is for other inputs
    page.click(f"#{root} [data-action=copy-link]")
    page.wait_for_function(
        "id => document.querySelector('#' + id + ' [data-role=status]').textContent"
        ".startsWith('Link copied, but the inputs shown are not valid')",
        arg=root,
    )
    assert "change_at=2031-01-01" in page.evaluate("navigator.clipboard.readText()")
