"""The start-up levers of issue 15, in the built site: the interpreter snapshot and its fallback,
the worker started from the head of calculator pages only (with module preload hints there
only), one worker across instant navigation, the cache lifetimes, and no input delay for
choices (only for typing).

Served as a host serves it (tests/hardened_site.py: the headers of docs/_headers, so the strict
CSP and the cache lifetimes). The figures these levers bought are `make bench`'s, not asserted.
"""

from __future__ import annotations

import gzip
import html
import io
import json
import re
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from calculators.domain.catalogue import Catalogue
from calculators.web import widgets
from tests.conftest import BUILD_DAY, ROOT
from tests.hardened_site import (
    READY_MS,
    calculator_pages,
    header_rules,
    headers_for,
    serve_with_headers,
    site_pages,
    wait_state,
)
from tests.test_currency_browser import follow_link

CALC = '[data-calculator="proration"]'
IMMUTABLE = "public, max-age=31536000, immutable"
# The page's calculator requests: every "evaluate" message a page sends its worker, counted.
COUNT_EVALUATES = """
window.kbEvaluates = 0;
const PagePostMessage = Worker.prototype.postMessage;
Worker.prototype.postMessage = function (message, ...rest) {
  if (message && message.type === "evaluate") window.kbEvaluates += 1;
  return PagePostMessage.call(this, message, ...rest);
};
"""


def runtime_of(site: Path, page: str) -> dict[str, Any]:
    text = (site / page / "index.html").read_text(encoding="utf-8")
    found = re.search(r'data-kb-runtime="([^"]*)"', text)
    assert found, f"{page} has no runtime settings"
    return dict(json.loads(html.unescape(found.group(1))))


def head_of(site: Path, page: str) -> str:
    text = (site / page / "index.html").read_text(encoding="utf-8")
    return text[: text.index("</head>")]


# ---- in the built files ----------------------------------------------------------------------


def test_calculator_pages_start_the_worker_and_preload_its_modules_from_the_head(
    built_site: Path,
) -> None:
    pages = calculator_pages(built_site)
    assert pages
    for page in pages:
        runtime = runtime_of(built_site, page)
        assert runtime["snapshot"], "make assets made no snapshot"
        head = head_of(built_site, page)
        start = re.search(
            r'<script src="[./]*assets/javascripts/calculator-start\.js" async'
            r"([^>]*)>",
            head,
        )
        assert start, f"{page}: the head does not start the worker"
        # The head's runtime is the page's own (both from `make assets`).
        attributes = dict(re.findall(r'data-kb-([a-z]+)="([^"]*)"', start.group(1)))
        assert {name: html.unescape(value) for name, value in attributes.items()} == {
            name: runtime[name] for name in ("pyodide", "stdlib", "wheel", "snapshot")
        }
        for module in ("calculator-engine.js", "calculator-inputs.js"):
            assert re.search(
                rf'<link rel="modulepreload" href="[./]*assets/javascripts/{module}"', head
            ), f"{page}: no modulepreload of {module}"


def test_articles_without_a_calculator_get_no_runtime_hints(built_site: Path) -> None:
    articles = [page for page in site_pages(built_site) if page not in calculator_pages(built_site)]
    assert articles
    for page in articles:
        head = head_of(built_site, page)
        assert 'rel="modulepreload"' not in head, page
        assert "calculator-start.js" not in head, page
        text = (built_site / page / "index.html").read_text(encoding="utf-8")
        assert "calculator-engine.js" not in text, page


def test_versioned_and_hashed_files_are_cached_for_a_year_and_pages_revalidate(
    built_site: Path,
) -> None:
    rules = header_rules(built_site / "_headers")
    runtime = runtime_of(built_site, calculator_pages(built_site)[0])
    hashed = [
        runtime["pyodide"] + "pyodide.asm.wasm",
        runtime["stdlib"],
        runtime["wheel"],
        runtime["snapshot"],
    ]
    hashed += [
        path.relative_to(built_site).as_posix()
        for pattern in ("assets/javascripts/bundle.*.min.js", "assets/stylesheets/main.*.min.css")
        for path in built_site.glob(pattern)
    ]
    assert len(hashed) == 6
    for name in hashed:
        assert headers_for(rules, "/" + name).get("Cache-Control") == IMMUTABLE, name
    unversioned = [
        "",
        "billing/prorated-charges/",
        "assets/javascripts/calculators.js",
        "assets/javascripts/calculator-worker.js",
        "search.json",
        "sitemap.xml",
    ]
    for name in unversioned:
        assert "Cache-Control" not in headers_for(rules, "/" + name), name


def test_the_snapshot_is_made_by_the_pyodide_the_site_ships(built_site: Path) -> None:
    runtime = runtime_of(built_site, calculator_pages(built_site)[0])
    memory = gzip.decompress((built_site / runtime["snapshot"]).read_bytes())
    loader = (built_site / runtime["pyodide"] / "pyodide.mjs").read_text(encoding="utf-8")
    (build_id,) = set(re.findall(r'"([0-9a-f]{64})"', loader))
    # Pyodide writes its build id after the magic number and two lengths, as 8 little-endian
    # 32-bit words; it refuses a snapshot whose id is not its own.
    words = bytes.fromhex(build_id)
    assert memory[16:48] == b"".join(words[i : i + 4][::-1] for i in range(0, 32, 4))


# ---- in the browser ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site_url(built_site: Path) -> Iterator[str]:
    with serve_with_headers(built_site) as url:
        yield url


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context()
    ctx.add_init_script(COUNT_EVALUATES)
    yield ctx
    ctx.close()


def due_now(page: Any) -> str:
    return str(page.locator(f'{CALC} [data-field="due_now"]').first.text_content()).strip()


def expected_due_now(catalogue: Catalogue, page: Any, **changed: str) -> str:
    form = page.locator(f"{CALC} form").first
    params = form.evaluate(
        "form => Object.fromEntries(Array.from(form.elements).filter(c => c.name)"
        ".map(c => [c.name, c.value]))"
    )
    result = widgets.evaluate(
        "proration", {**params, **changed}, catalogue, today=date.fromisoformat(BUILD_DAY)
    )
    assert not result["errors"], result["errors"]
    return str(result["figures"]["due_now"])


def rebuilt_snapshot(memory: bytes, offset: int) -> bytes:
    """The snapshot with one byte of its header changed, gzipped again."""
    changed = bytearray(memory)
    changed[offset] ^= 0xFF
    return gzip.compress(bytes(changed), compresslevel=1)


def rezipped(wheel: bytes) -> bytes:
    """The same wheel (same files) as other bytes: stored instead of deflated."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(wheel)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info), compress_type=zipfile.ZIP_STORED)
    return out.getvalue()


@pytest.mark.browser
@pytest.mark.parametrize(
    "fault", ["none", "missing", "damaged", "another-pyodide", "another-wheel"]
)
def test_the_snapshot_and_the_normal_start_give_the_same_results(
    context: Any, site_url: str, built_site: Path, catalogue: Catalogue, fault: str
) -> None:
    page_path = calculator_pages(built_site, "proration")[0]
    runtime = runtime_of(built_site, page_path)
    snapshot = (built_site / runtime["snapshot"]).read_bytes()
    wheel = (built_site / runtime["wheel"]).read_bytes()
    pattern = re.compile(r".*\.snapshot\.gz$")
    if fault == "missing":
        context.route(pattern, lambda route: route.fulfill(status=404, body=b""))
    elif fault == "damaged":
        context.route(pattern, lambda route: route.fulfill(status=200, body=snapshot[:4096]))
    elif fault == "another-pyodide":  # the build id in the header (bytes 16 to 48) differs
        other = rebuilt_snapshot(gzip.decompress(snapshot), 20)
        context.route(pattern, lambda route: route.fulfill(status=200, body=other))
    elif fault == "another-wheel":  # the same code in other wheel bytes than the snapshot's
        other_wheel = rezipped(wheel)
        context.route(
            re.compile(r".*/calculators-.*\.whl$"),
            lambda route: route.fulfill(status=200, body=other_wheel),
        )
    page = context.new_page()
    page.goto(site_url + page_path)
    assert wait_state(page, CALC) == "ready"
    start = page.evaluate("window.kbCalculatorEngine.start")
    if fault == "none":
        assert start == "snapshot"
    else:
        assert start.startswith("normal (snapshot not used: "), start
    page.select_option(f"{CALC} select[name=to_plan]", "scale")
    want = expected_due_now(catalogue, page)
    page.wait_for_function(
        "([root, text]) => document.querySelector(root + ' [data-field=due_now]')"
        ".textContent.trim() === text",
        arg=[CALC, want],
        timeout=READY_MS,
    )
    assert due_now(page) == want


@pytest.mark.browser
def test_the_head_starts_one_worker_that_instant_navigation_keeps(
    context: Any, site_url: str, built_site: Path
) -> None:
    pages = calculator_pages(built_site)
    assert len(pages) >= 2
    page = context.new_page()
    workers: list[str] = []
    page.on("worker", lambda worker: workers.append(worker.url))
    page.goto(site_url + pages[0])
    wait_state(page, "[data-calculator]")
    follow_link(page, site_url, pages[1])
    wait_state(page, "[data-calculator]")
    assert page.evaluate("window.kbEarlyEngine") is None  # adopted by calculators.js
    calculator_workers = [url for url in workers if url.endswith("calculator-worker.js")]
    assert len(calculator_workers) == 1


@pytest.mark.browser
def test_an_article_first_then_a_calculator_page_starts_the_worker_once(
    context: Any, site_url: str, built_site: Path
) -> None:
    article = next(
        page for page in site_pages(built_site) if page and page not in calculator_pages(built_site)
    )
    target = calculator_pages(built_site)[0]
    page = context.new_page()
    workers: list[str] = []
    page.on("worker", lambda worker: workers.append(worker.url))
    page.goto(site_url + article)
    page.wait_for_load_state("load")
    assert page.evaluate("window.kbEarlyEngine === undefined")
    follow_link(page, site_url, target)
    assert wait_state(page, "[data-calculator]") == "ready"
    assert len([url for url in workers if url.endswith("calculator-worker.js")]) == 1


@pytest.mark.browser
def test_a_choice_is_computed_at_once_and_typing_after_a_pause(
    context: Any, site_url: str, built_site: Path, catalogue: Catalogue
) -> None:
    page = context.new_page()
    page.clock.install()  # the page's timers run only when the test moves its clock
    page.goto(site_url + calculator_pages(built_site, "proration")[0])
    page.clock.run_for(1000)
    assert wait_state(page, CALC) == "ready"
    page.clock.pause_at(page.evaluate("Date.now()") + 1000)
    asked = page.evaluate("window.kbEvaluates")

    # A select: asked and answered with the clock stopped, so no timer stood in between.
    page.select_option(f"{CALC} select[name=to_plan]", "scale")
    assert page.evaluate("window.kbEvaluates") == asked + 1
    expect(page.locator(f'{CALC} [data-field="due_now"]').first).to_have_text(
        expected_due_now(catalogue, page), timeout=READY_MS
    )

    # Typing: nothing is asked until the clock moves past the typing pause.
    field = page.locator(f'{CALC} input[name="extra_storage_new"]').first
    field.fill("7")
    assert page.evaluate("window.kbEvaluates") == asked + 1
    page.clock.run_for(500)
    assert page.evaluate("window.kbEvaluates") == asked + 2
    expect(page.locator(f'{CALC} [data-field="due_now"]').first).to_have_text(
        expected_due_now(catalogue, page), timeout=READY_MS
    )


def test_the_readme_gives_the_same_cache_lifetimes_for_other_servers() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    yearly = [
        pattern
        for pattern, headers in header_rules(ROOT / "docs" / "_headers")
        if headers.get("Cache-Control") == IMMUTABLE
    ]
    assert yearly
    nginx = re.search(r"location ~ (\S+) \{\n[^}]*Cache-Control \"" + IMMUTABLE, readme)
    apache = re.search(
        r'<If "%\{REQUEST_URI\} =~ m#(\S+)#">\n\s+Header set Cache-Control "' + IMMUTABLE, readme
    )
    assert nginx and apache
    for rule in (nginx.group(1), apache.group(1)):
        for pattern in yearly:
            example = pattern.replace("*", "x.min.js")
            assert re.search(rule, example), f"{rule} does not cover {pattern}"
        for unversioned in (
            "/billing/prorated-charges/",
            "/assets/javascripts/calculators.js",
            "/search.json",
        ):
            assert not re.search(rule, unversioned), f"{rule} covers {unversioned}"
