"""The site under a strict Content-Security-Policy, served with the headers of docs/_headers.

Every page (articles, short-link redirects, the 404 page) loads with no CSP violation, no
console error and no uncaught exception; every calculator goes live; instant navigation runs no
inline script. The policy shipped is at least as strict as issue 12's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.hardened_site import (
    ROOT,
    Watched,
    calculator_pages,
    policy_directives,
    read_headers,
    serve_with_headers,
    site_pages,
    wait_all_ready,
)

pytestmark = pytest.mark.browser

# The policy issue 12 asks for; the shipped one may only add directives (e.g. a collector's
# connect-src), never loosen these.
REQUIRED_POLICY = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)


@pytest.fixture(scope="module")
def hardened_url(built_site: Path) -> Iterator[str]:
    with serve_with_headers(built_site) as url:
        yield url


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context()
    yield ctx
    ctx.close()


def test_the_headers_file_carries_the_strict_policy_and_the_other_headers() -> None:
    headers = read_headers(ROOT / "docs" / "_headers")
    shipped = policy_directives(headers["Content-Security-Policy"])
    for directive, sources in policy_directives(REQUIRED_POLICY).items():
        assert shipped[directive] == sources, directive
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["Permissions-Policy"].startswith("camera=()")
    assert headers["X-Frame-Options"] == "DENY"


def test_the_build_copies_the_headers_file_as_is(built_site: Path) -> None:
    built = (built_site / "_headers").read_text(encoding="utf-8")
    assert built == (ROOT / "docs" / "_headers").read_text(encoding="utf-8")


def test_the_readme_shows_the_same_headers_for_other_servers() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, value in read_headers(ROOT / "docs" / "_headers").items():
        assert f'add_header {name} "{value}" always;' in readme, name  # nginx
        assert f'Header always set {name} "{value}"' in readme, name  # Apache


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")


def test_no_page_has_an_inline_script_style_or_handler(built_site: Path) -> None:
    for page in sorted(built_site.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        where = page.relative_to(built_site)
        assert not INLINE_SCRIPT.search(text), where
        assert not re.search(r"<[a-z][^>]*\sstyle=", text), where
        assert not re.search(r"<[a-z][^>]*\son[a-z]+=", text), where
        assert "<style" not in text, where


def test_scripts_in_the_content_are_files(built_site: Path) -> None:
    # Instant navigation re-runs the content's scripts; an inline one would be blocked, even a
    # JSON one (it is re-run without its type).
    for page in site_pages(built_site):
        text = (built_site / page / "index.html").read_text(encoding="utf-8")
        content = text[text.index('data-md-component="container"') : text.index("</main>")]
        for tag in re.findall(r"<script[^>]*>", content):
            assert "src=" in tag, (page, tag)


def assert_clean(visit: Watched, where: str) -> None:
    assert visit.violations == [], where
    assert visit.errors == [], where


def test_every_page_loads_with_no_violation(
    context: Any, hardened_url: str, built_site: Path
) -> None:
    visit = Watched(context)
    for path in site_pages(built_site):
        page = visit.open(hardened_url + path)
        page.wait_for_function("() => typeof window.__md_get === 'function'")
        # The theme's bundle and the site's modules ran: the palette toggle and search are live.
        page.wait_for_selector("form[data-md-component=palette]", state="attached")
        page.wait_for_function("() => document.querySelector('[data-kb-search]').kbSearch")
        assert_clean(visit, path)


def test_short_links_and_the_404_page_load_with_no_violation(
    context: Any, hardened_url: str, built_site: Path
) -> None:
    visit = Watched(context)
    for short in sorted((built_site / "kb").iterdir()):
        page = visit.open(f"{hardened_url}kb/{short.name}/#kept")
        page.wait_for_url(re.compile(r".*/#kept$"))
        assert "/kb/" not in page.url
    assert_clean(visit, "short links")
    response = visit.page.goto(hardened_url + "kb/8-9/")
    assert response.status == 404
    visit.page.wait_for_function("() => typeof window.__md_get === 'function'")
    assert visit.violations == []
    # The browser logs the page's own 404 status; nothing else.
    assert visit.errors == [
        "console: Failed to load resource: the server responded with a status of 404 (Not Found)"
    ]


def test_every_calculator_goes_live_with_no_violation(
    context: Any, hardened_url: str, built_site: Path
) -> None:
    pages = calculator_pages(built_site)
    assert len(pages) >= 3
    visit = Watched(context)
    for path in pages:
        page = visit.open(hardened_url + path)
        wait_all_ready(page)
        assert page.evaluate("window.kbCalculatorEngine.python").startswith("3.")
        assert_clean(visit, path)


def test_instant_navigation_and_the_palette_switch_run_with_no_violation(
    context: Any, hardened_url: str, built_site: Path
) -> None:
    pages = calculator_pages(built_site)
    visit = Watched(context)
    page = visit.open(hardened_url + pages[0])
    wait_all_ready(page)
    page.evaluate("() => { window.kbSamePage = true; }")
    page.click(f'a.md-nav__link[href$="{Path(pages[1]).name}/"]')
    page.wait_for_function("path => location.pathname === path", arg="/" + pages[1])
    wait_all_ready(page)
    assert page.evaluate("window.kbSamePage") is True  # no page load: instant navigation
    scheme = page.evaluate("document.body.dataset.mdColorScheme")
    page.locator("form[data-md-component=palette] label:visible").first.click()
    page.wait_for_function("s => document.body.dataset.mdColorScheme !== s", arg=scheme)
    page.reload()
    assert page.evaluate("document.body.dataset.mdColorScheme") != scheme  # remembered
    assert_clean(visit, "instant navigation")
