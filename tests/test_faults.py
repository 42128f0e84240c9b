"""Faults in the calculators' engine, in a real browser: every worker message is answered, a dead
or hung worker is restarted once and the calculator says so, a blocked runtime download is
reported within seconds with its cause, a damaged package gives words, never a traceback."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from calculators.domain.catalogue import Catalogue
from calculators.web import widgets
from tests.conftest import BUILD_DAY
from tests.hardened_site import READY_MS, calculator_pages, wait_state

pytestmark = pytest.mark.browser
CALC = '[data-calculator="proration"]'
# Within a few seconds, not after the 30-second start timeout.
PROMPTLY_MS = 10_000

# Keeps every calculators' worker the page starts (not the theme's search worker), so a test can
# terminate one or break its messages.
CAPTURE_WORKERS = """
window.kbWorkers = [];
const PageWorker = window.Worker;
window.Worker = class extends PageWorker {
  constructor(url, options) {
    super(url, options);
    if (options && options.name === "calculators") window.kbWorkers.push(this);
  }
  postMessage(message, ...rest) {
    if (window.kbBreakNextEvaluate && message && message.type === "evaluate") {
      window.kbBreakNextEvaluate = false;
      message = { ...message, params: { from_plan: 1n } };  // JSON cannot carry a BigInt
    }
    return super.postMessage(message, ...rest);
  }
};
"""

COULD_NOT_COMPUTE = "the calculator could not compute this result"
LIVE_AGAIN = (
    "Live again: the calculator engine stopped and was restarted; the result updates as you "
    "change the inputs."
)
KEPT = "The result shown is for the inputs it was published with."


@pytest.fixture(scope="module")
def proration_page(built_site: Path) -> str:
    pages = calculator_pages(built_site, "proration")
    assert pages
    return pages[0]


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    context.add_init_script(CAPTURE_WORKERS)
    yield context.new_page()
    context.close()


def status(page: Any) -> str:
    return str(page.locator(f"{CALC} [data-role=status]").first.text_content())


def due_now(page: Any) -> str:
    return str(page.locator(f"{CALC} [data-field=due_now]").first.text_content()).strip()


def expected_due_now(catalogue: Catalogue, page: Any, **changed: str) -> str:
    calc_id = page.locator(CALC).first.get_attribute("id")
    params = {
        name: page.locator(f"#{calc_id}-{name}").input_value()
        for name in (
            "from_plan",
            "from_interval",
            "period_start",
            "to_plan",
            "to_interval",
            "change_at",
            "currency",
        )
    }
    result = widgets.evaluate(
        "proration", {**params, **changed}, catalogue, today=date.fromisoformat(BUILD_DAY)
    )
    assert not result["errors"]
    return str(result["figures"]["due_now"])


def wait_due_now(page: Any, text: str, timeout: int = READY_MS) -> None:
    page.wait_for_function(
        "([root, text]) => document.querySelector(root + ' [data-field=due_now]')"
        "?.textContent.trim() === text",
        arg=[CALC, text],
        timeout=timeout,
    )


# ---- every message is answered ----------------------------------------------------------------

ANSWER = """
([request]) => new Promise((resolve, reject) => {
  setTimeout(() => reject(new Error(`no answer to request ${request.id}`)), 20000);
  const worker = window.kbWorkers[0];
  const listener = (event) => {
    if (event.data.id !== request.id) return;
    worker.removeEventListener("message", listener);
    resolve(event.data);
  };
  worker.addEventListener("message", listener);
  if (request.bigint) request.params = { from_plan: 1n };
  worker.postMessage(request);
})
"""


@pytest.mark.parametrize(
    ("request_message", "reason"),
    [
        (
            {
                "type": "evaluate",
                "id": 9001,
                "widget": "proration",
                "bigint": True,
                "today": BUILD_DAY,
            },
            COULD_NOT_COMPUTE,
        ),
        (
            {
                "type": "evaluate",
                "id": 9002,
                "widget": ["not", "a", "name"],
                "params": {},
                "today": BUILD_DAY,
            },
            COULD_NOT_COMPUTE,
        ),
        (
            {"type": "no-such-request", "id": 9003},
            "the calculator engine received an unknown request",
        ),
    ],
    ids=["unserialisable-params", "python-raises", "unknown-type"],
)
def test_every_worker_message_is_answered_with_an_error_reply(
    page: Any, site_url: str, proration_page: str, request_message: dict[str, Any], reason: str
) -> None:
    page.goto(site_url + proration_page)
    wait_state(page, CALC)
    reply = page.evaluate(ANSWER, [request_message])
    assert (reply["type"], reply["id"], reply["reason"]) == ("error", request_message["id"], reason)
    # The engine keeps working after the failed request.
    ok = page.evaluate(
        ANSWER,
        [{"type": "evaluate", "id": 9100, "widget": "proration", "params": {}, "today": BUILD_DAY}],
    )
    assert ok["type"] == "result" and ok["result"]["errors"] == []


def test_a_request_python_cannot_answer_is_reported_in_the_calculator(
    page: Any, site_url: str, proration_page: str
) -> None:
    page.goto(site_url + proration_page)
    wait_state(page, CALC)
    before = due_now(page)
    calc_id = page.locator(CALC).first.get_attribute("id")
    page.evaluate("window.kbBreakNextEvaluate = true")
    page.select_option(f"#{calc_id}-to_plan", "scale")
    page.wait_for_function(
        "root => document.querySelector(root + ' [data-role=status]').textContent"
        ".startsWith('This result could not be calculated')",
        arg=CALC,
        timeout=READY_MS,
    )
    assert status(page) == (
        f"This result could not be calculated: {COULD_NOT_COMPUTE}. Change an input to try "
        "again, or use “Work it out by hand” below."
    )
    assert page.locator(f"{CALC} [data-role=result]").first.get_attribute("data-stale") == "true"
    assert due_now(page) == before


# ---- a worker that dies or hangs ---------------------------------------------------------------


def test_a_terminated_worker_is_restarted_once_and_the_result_is_recomputed(
    page: Any, site_url: str, proration_page: str, catalogue: Catalogue
) -> None:
    page.goto(site_url + proration_page)
    wait_state(page, CALC)
    calc_id = page.locator(CALC).first.get_attribute("id")
    want = expected_due_now(catalogue, page, to_plan="scale")
    page.evaluate("window.kbWorkers[0].terminate()")
    page.select_option(f"#{calc_id}-to_plan", "scale")
    # No answer: the result showing is marked out of date, never passed off as current.
    page.wait_for_selector(f"{CALC} [data-role=result][data-stale=true]", timeout=READY_MS)
    wait_due_now(page, want)
    assert page.locator(f"{CALC} [data-role=result]").first.get_attribute("data-stale") is None
    assert status(page) == LIVE_AGAIN
    assert page.evaluate("window.kbWorkers.length") == 2
    assert page.evaluate("window.kbCalculatorEngine.restarts") == 1


def test_a_worker_that_dies_twice_leaves_the_published_result_and_says_so(
    page: Any, site_url: str, proration_page: str
) -> None:
    page.goto(site_url + proration_page)
    wait_state(page, CALC)
    published = due_now(page)
    page.evaluate("window.kbWorkers[0].dispatchEvent(new Event('error'))")
    page.wait_for_function("() => window.kbWorkers.length === 2")
    wait_state(page, CALC)
    assert page.evaluate("window.kbCalculatorEngine.restarts") == 1
    assert status(page) == LIVE_AGAIN
    page.evaluate("window.kbWorkers[1].dispatchEvent(new Event('error'))")
    assert wait_state(page, CALC, ("error",)) == "error"
    assert status(page) == (
        "Live recalculation is unavailable: the calculator engine stopped unexpectedly, and "
        f"again after a restart. {KEPT}"
    )
    assert due_now(page) == published
    assert page.locator(f"{CALC} [data-role=manual]").first.get_attribute("open") is not None
    assert page.evaluate("window.kbWorkers.length") == 2  # restarted once only


# ---- a blocked or damaged runtime --------------------------------------------------------------


@pytest.mark.parametrize(
    "pattern",
    [
        r".*/pyodide\.asm\.wasm$",
        r".*/python_stdlib-[0-9a-f]+\.zip$",
        r".*/calculators-.*\.whl$",
    ],
    ids=["wasm", "stdlib", "wheel"],
)
def test_a_blocked_download_is_reported_within_seconds_with_its_cause(
    page: Any, site_url: str, proration_page: str, catalogue: Catalogue, pattern: str
) -> None:
    blocked: list[str] = []

    def block(route: Any) -> None:
        blocked.append(route.request.url)
        route.abort("blockedbyclient")

    page.context.route(re.compile(pattern), block)
    page.goto(site_url + proration_page)
    page.wait_for_function(
        "root => document.querySelector(root)?.dataset.state === 'error'",
        arg=CALC,
        timeout=PROMPTLY_MS,
    )
    [url] = blocked
    assert status(page) == (
        f"Live recalculation is unavailable: {url.rsplit('/', 1)[1]} could not be downloaded "
        f"(the connection failed or was blocked). {KEPT}"
    )
    assert due_now(page) == expected_due_now(catalogue, page)  # the published result stays


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        (
            r".*/calculators-.*\.whl$",
            "the calculators package is damaged and could not be installed",
        ),
        (
            r".*/python_stdlib-[0-9a-f]+\.zip$",
            "the Python runtime could not start (its standard library may be damaged)",
        ),
    ],
    ids=["wheel", "stdlib"],
)
def test_a_damaged_download_gives_a_plain_message(
    page: Any, site_url: str, proration_page: str, catalogue: Catalogue, pattern: str, reason: str
) -> None:
    damaged = b"PK\x03\x04 this is not the file the site shipped " * 64
    page.context.route(
        re.compile(pattern),
        lambda route: route.fulfill(status=200, body=damaged, content_type="application/zip"),
    )
    page.goto(site_url + proration_page)
    assert wait_state(page, CALC, ("error", "ready")) == "error"
    assert status(page) == f"Live recalculation is unavailable: {reason}. {KEPT}"
    assert due_now(page) == expected_due_now(catalogue, page)
