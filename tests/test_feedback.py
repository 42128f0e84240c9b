"""'Was this helpful?' in a real browser: nothing is sent until the reader acts, the flow works
by keyboard, the prepared support request carries what support needs, and a configured endpoint
receives votes in the documented schema (calculators/contracts/feedback.md)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from playwright.sync_api import expect

from tests.conftest import ROOT
from tests.test_browser import READY_MS, calculator_pages, form_inputs, link_inputs

pytestmark = pytest.mark.browser

FEEDBACK = "[data-kb-feedback]"
CONTRACT = ROOT / "calculators" / "contracts" / "feedback.md"
PLAIN_ARTICLE = "billing/updating-billing-information/"  # an article without a calculator
# Each reason's code and the label the reader sees (and the request quotes), from the partial.
REASON_LABELS = dict(
    re.findall(
        r'name="reason" value="([a-z-]+)"> ([^<]+)</label>',
        (ROOT / "overrides" / "partials" / "kb-feedback.html").read_text(encoding="utf-8"),
    )
)


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    yield ctx
    ctx.close()


@pytest.fixture(scope="module")
def proration_page(built_site: Path) -> str:
    pages = calculator_pages(built_site, "proration")
    assert pages, "no page embeds a proration calculator"
    return pages[0]


def open_article(context: Any, url: str) -> tuple[Any, list[Any]]:
    """The page, loaded and idle, and the list every later request is appended to."""
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector(f"{FEEDBACK}:not([hidden])")
    page.wait_for_load_state("networkidle")
    requests: list[Any] = []

    def record(request: Any) -> None:
        # The browser asks for the site's icon on its own, at a time of its choosing: that is not
        # a request the page makes.
        if not request.url.endswith("/assets/images/favicon.png"):
            requests.append(request)

    page.on("request", record)
    return page, requests


def page_info(page: Any) -> dict[str, str]:
    return dict(page.evaluate("({...document.querySelector('.kb-page-info').dataset})"))


def status(page: Any) -> str:
    return str(page.locator(f"{FEEDBACK} [data-feedback-role=status]").text_content())


def wait_ready(page: Any, selector: str) -> None:
    page.wait_for_function(
        "s => document.querySelector(s)?.dataset.state === 'ready'",
        arg=selector,
        timeout=READY_MS,
    )


def support_request(
    info: dict[str, str], reason: str, comment: str, calculator_links: list[str]
) -> str:
    """The prepared request, line for line as the contract (feedback.md) writes it."""
    lines = [
        "Hello,",
        "",
        "The help center article below did not answer my question.",
        "",
        f"Article: {info['kbTitle']}",
        f"Permanent link: {info['kbPermalink']}",
    ]
    if info.get("kbSection"):
        lines.append(f"Section: {info['kbSection']}")
    if info.get("kbReviewed"):
        lines.append(f"Last reviewed: {info['kbReviewed']}")
    lines.append(f"Reason: {REASON_LABELS[reason]}")
    lines += [f"Calculator with my inputs: {link}" for link in calculator_links]
    lines += ["", "My comment:", comment or "(none)"]
    subject = f"Help center: {info['kbTitle']} ({REASON_LABELS[reason]})"
    return f"Subject: {subject}\n\n" + "\n".join(lines)


def choose_no_and_prepare(page: Any, reason: str, comment: str) -> str:
    page.click(f"{FEEDBACK} [data-feedback-vote=no]")
    page.check(f"{FEEDBACK} input[name=reason][value={reason}]")
    page.fill("#kb-feedback-comment", comment)
    page.click(f"{FEEDBACK} button[type=submit]")
    page.wait_for_selector(f"{FEEDBACK} [data-feedback-role=prepared]:not([hidden])")
    return str(page.input_value("#kb-feedback-request"))


# ---- the markup --------------------------------------------------------------------------------


def test_every_article_ends_with_the_feedback_and_its_settings(
    built_site: Path, nav_urls: list[str]
) -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    destination = re.search(r"^\s+destination:\s*(\S+)", config, re.M)
    assert destination
    pages = sorted(p for p in built_site.rglob("index.html") if "<article" in p.read_text("utf-8"))
    assert pages == sorted(built_site / url / "index.html" for url in nav_urls)
    for path in pages:
        html = path.read_text(encoding="utf-8")
        assert html.count("data-kb-feedback") == 1, path
        assert f'data-destination="{destination.group(1)}"' in html, path
        assert 'data-endpoint=""' in html, path  # mkdocs.yml: endpoint: null
        # Settings are data attributes, never inline script.
        feedback = html[html.index("data-kb-feedback") :]
        assert "<script" not in feedback[: feedback.index("</aside>")]


# ---- nothing is sent without the reader ---------------------------------------------------------


def test_nothing_is_requested_and_the_flow_works_by_keyboard(context: Any, site_url: str) -> None:
    page, requests = open_article(context, site_url + PLAIN_ARTICLE)
    yes = page.locator(f"{FEEDBACK} [data-feedback-vote=yes]")
    no = page.locator(f"{FEEDBACK} [data-feedback-vote=no]")
    assert yes.evaluate("e => e.tagName") == "BUTTON" and no.evaluate("e => e.tagName") == "BUTTON"

    yes.focus()
    page.keyboard.press("Enter")
    assert yes.get_attribute("aria-pressed") == "true"
    assert status(page) == "Thank you: glad this page helped."
    assert (
        page.locator(f"{FEEDBACK} [data-feedback-role=status]").get_attribute("aria-live")
        == "polite"
    )

    page.keyboard.press("Tab")  # to No
    assert page.evaluate("document.activeElement.dataset.feedbackVote") == "no"
    page.keyboard.press("Space")
    assert no.get_attribute("aria-pressed") == "true"
    assert no.get_attribute("aria-expanded") == "true"
    assert yes.get_attribute("aria-pressed") == "false"
    assert status(page) == (
        "Sorry this page did not help. Tell us what was wrong, and a support request will be "
        "prepared for you to send."
    )
    # Focus moved to the first reason; the arrow keys choose among them.
    assert page.evaluate("document.activeElement.name") == "reason"
    page.keyboard.press("Tab")  # no reason yet: Tab leaves the group, to the comment
    page.keyboard.press("Tab")  # to "Prepare a support request"
    page.keyboard.press("Enter")
    assert status(page) == "Choose what was wrong first."
    assert page.evaluate("document.activeElement.name") == "reason"  # sent back to the reasons
    page.keyboard.press("Space")  # the focused (first) reason
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # the third: the numbers did not match my invoice
    assert page.evaluate("document.activeElement.value") == "numbers-mismatch"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "kb-feedback-comment"
    page.keyboard.type("Charged twice on the 3rd.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    request = page.locator("#kb-feedback-request")
    request.wait_for(state="visible")
    assert page.evaluate("document.activeElement.id") == "kb-feedback-request"
    assert request.input_value() == support_request(
        page_info(page), "numbers-mismatch", "Charged twice on the 3rd.", []
    )
    assert status(page) == "Your support request is ready below. Send it by email, or copy it."

    page.keyboard.press("Tab")  # to "Send it by email": a link, opened only by the reader
    assert page.evaluate("document.activeElement.textContent") == "Send it by email"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # Copy
    expect(page.locator(f"{FEEDBACK} [data-feedback-role=status]")).to_have_text(
        "Copied: paste it into a message to support."
    )
    assert page.evaluate("navigator.clipboard.readText()") == request.input_value()
    assert requests == []  # no endpoint configured: not one request, from load to the end


def test_the_prepared_request_carries_what_support_needs(
    context: Any, site_url: str, proration_page: str
) -> None:
    page, requests = open_article(context, site_url + proration_page)
    calculator = page.locator('[data-calculator="proration"]').first
    calc_id = str(calculator.get_attribute("id"))
    wait_ready(page, f"#{calc_id}")
    page.select_option(f"#{calc_id}-to_plan", "scale")
    page.select_option(f"#{calc_id}-currency", "EUR")
    page.wait_for_function(
        "id => document.querySelector('#' + id + ' .kb-calc__scenario').textContent"
        ".includes('Scale')",
        arg=calc_id,
        timeout=READY_MS,
    )
    comment = 'Invoice INV-7 says €31.20 <b>not</b> "€25.80" & more'
    text = choose_no_and_prepare(page, "numbers-mismatch", comment)
    info = page_info(page)

    assert info["kbPermalink"].startswith(site_url) and info["kbSection"] and info["kbReviewed"]
    link = re.search(r"^Calculator with my inputs: (\S+)$", text, re.M)
    assert link, text
    # The reader's comment is quoted verbatim: reader text is never markup.
    assert text == support_request(info, "numbers-mismatch", comment, [link.group(1)])
    assert page.locator(f"{FEEDBACK} b").count() == 0
    # The link is the calculator's own "Copy link": this page, the form's inputs, its id.
    inputs = form_inputs(page, calc_id)
    assert (inputs["to_plan"], inputs["currency"]) == ("scale", "EUR")
    assert link_inputs(link.group(1), site_url + proration_page, calc_id) == inputs

    # The email carries the same subject and body; it is opened only by the reader's click.
    send = page.locator(f"{FEEDBACK} [data-feedback-role=send]")
    href = str(send.get_attribute("href"))
    mailto = urlsplit(href)
    assert mailto.scheme == "mailto" and mailto.path == "support@lumen-cloud.example"
    fields = dict(part.split("=", 1) for part in mailto.query.split("&"))
    subject, body = unquote(fields["subject"]), unquote(fields["body"])
    assert text == f"Subject: {subject}\n\n{body.replace(chr(13) + chr(10), chr(10))}"
    assert "\r\n" in body

    # Using the calculator loads nothing but the site's own files; feedback sent nothing.
    assert all(r.url.startswith(site_url) and r.method == "GET" for r in requests)
    assert not [r for r in requests if "feedback" in r.url or "mailto" in r.url]


def test_a_calculator_the_reader_did_not_touch_is_not_mentioned(
    context: Any, site_url: str, proration_page: str
) -> None:
    page, _ = open_article(context, site_url + proration_page)
    text = choose_no_and_prepare(page, "not-here", "")
    assert text == support_request(page_info(page), "not-here", "", [])


def test_a_support_form_destination_gets_the_fields_as_parameters(
    context: Any, site_url: str, proration_page: str
) -> None:
    page, requests = open_article(context, site_url + proration_page)
    calc_id = str(page.locator("[data-calculator]").first.get_attribute("id"))
    page.evaluate(
        "() => document.querySelector('[data-kb-feedback]').dataset.destination ="
        " 'https://support.example/new?source=kb'"
    )
    page.locator(f"#{calc_id}-currency").select_option("GBP")  # changed before the engine is up
    choose_no_and_prepare(page, "out-of-date", "The VAT rate changed.")
    send = page.locator(f"{FEEDBACK} [data-feedback-role=send]")
    assert send.text_content() == "Open the support form"
    assert send.get_attribute("target") == "_blank" and send.get_attribute("rel") == "noopener"
    url = urlsplit(str(send.get_attribute("href")))
    assert (url.scheme, url.netloc, url.path) == ("https", "support.example", "/new")
    params = parse_qs(url.query)
    info = page_info(page)
    assert params["source"] == ["kb"]
    assert params["article"] == [info["kbPermalink"]]
    assert params["title"] == [info["kbTitle"]] and params["section"] == [info["kbSection"]]
    assert params["reviewed"] == [info["kbReviewed"]]
    assert params["reason"] == ["out-of-date"] and params["comment"] == ["The VAT rate changed."]
    [link] = params["calculator"]
    inputs = form_inputs(page, calc_id)
    assert inputs["currency"] == "GBP"
    assert link_inputs(link, site_url + proration_page, calc_id) == inputs
    assert not [r for r in requests if "support.example" in r.url]


def test_an_unsafe_destination_is_refused(context: Any, site_url: str) -> None:
    page, _ = open_article(context, site_url + PLAIN_ARTICLE)
    page.evaluate(
        "() => document.querySelector('[data-kb-feedback]').dataset.destination ="
        " 'javascript:window.__pwned=1'"
    )
    text = choose_no_and_prepare(page, "other", "")
    assert text == support_request(page_info(page), "other", "", [])
    assert page.locator(f"{FEEDBACK} [data-feedback-role=send]").is_hidden()
    assert status(page) == "Your support request is ready below: copy it into a message to support."
    assert page.evaluate("window.__pwned") is None


# ---- the vote endpoint ---------------------------------------------------------------------------


def documented_schema() -> dict[str, Any]:
    text = CONTRACT.read_text(encoding="utf-8")
    block = re.search(r"### JSON Schema\s+```json\n(.*?)\n```", text, re.S)
    assert block, "feedback.md lost its JSON Schema"
    return dict(json.loads(block.group(1)))


def check(value: Any, schema: dict[str, Any], where: str = "vote") -> None:
    """The subset of JSON Schema the contract uses."""
    kinds = {"string": str, "boolean": bool, "array": list, "object": dict}
    if "const" in schema:
        assert value == schema["const"], where
    if "enum" in schema:
        assert value in schema["enum"], (where, value)
    if "type" in schema:
        assert isinstance(value, kinds[schema["type"]]), (where, value)
    if "pattern" in schema:
        assert re.search(schema["pattern"], value), (where, value)
    if schema.get("format") == "date-time":
        assert datetime.fromisoformat(value.replace("Z", "+00:00")).tzinfo, (where, value)
    if schema.get("type") == "object":
        assert set(schema["required"]) <= set(value), (where, set(schema["required"]) - set(value))
        if schema.get("additionalProperties") is False:
            assert set(value) <= set(schema["properties"]), (where, set(value))
        for name, sub in schema["properties"].items():
            if name in value:
                check(value[name], sub, f"{where}.{name}")
    if schema.get("type") == "array":
        for index, item in enumerate(value):
            check(item, schema["items"], f"{where}[{index}]")


def test_the_schema_checker_catches_a_wrong_vote() -> None:
    schema = documented_schema()
    good = {
        "schema": "kb-feedback/1",
        "id": "0" * 32,
        "helpful": True,
        "reason": None,
        "page": "https://x/kb/1/",
        "title": "1 X",
        "section": "1",
        "reviewed": "",
        "calculators": [],
        "sent_at": "2026-03-16T09:41:07.512Z",
    }
    check(good, schema)
    for change in (
        {"reason": "bored"},
        {"helpful": "yes"},
        {"comment": "hi"},
        {"id": "xyz"},
        {"sent_at": "yesterday"},
        {"calculators": [1]},
    ):
        with pytest.raises((AssertionError, ValueError)):
            check({**good, **change}, schema)


def test_votes_reach_a_configured_endpoint_only_on_click_in_the_documented_schema(
    context: Any, site_url: str, proration_page: str
) -> None:
    endpoint = site_url + "kb-feedback-endpoint"
    posted: list[Any] = []

    def receive(route: Any) -> None:
        posted.append(route.request)
        route.fulfill(status=204)

    context.route(endpoint, receive)
    page, requests = open_article(context, site_url + proration_page)
    page.evaluate(
        "url => document.querySelector('[data-kb-feedback]').dataset.endpoint = url", endpoint
    )
    calc_id = str(page.locator("[data-calculator]").first.get_attribute("id"))
    wait_ready(page, f"#{calc_id}")
    page.select_option(f"#{calc_id}-to_plan", "scale")
    page.wait_for_function(
        "id => document.querySelector('#' + id + ' .kb-calc__scenario').textContent"
        ".includes('Scale')",
        arg=calc_id,
        timeout=READY_MS,
    )
    assert posted == []  # configured, and the page has reacted, but the reader has not clicked

    def answered(reason: str | None) -> Callable[[Any], bool]:
        """The endpoint's answer to the vote with this reason (the route has recorded it)."""
        return lambda response: (
            response.url == endpoint and json.loads(response.request.post_data)["reason"] == reason
        )

    with page.expect_response(answered(None)):
        page.click(f"{FEEDBACK} [data-feedback-vote=yes]")
    assert len(posted) == 1
    counted = page.locator(f"{FEEDBACK} [data-feedback-role=counted]")
    expect(counted).to_be_visible()
    expect(counted).to_have_text(
        "Your answer is counted anonymously: yes or no and the reason you choose, never your "
        "comment."
    )
    comment = "My secret comment 12345"
    with page.expect_response(answered("numbers-mismatch")):  # No, then No with its reason
        choose_no_and_prepare(page, "numbers-mismatch", comment)
    votes = [json.loads(request.post_data) for request in posted]
    [yes, _, _] = votes

    schema = documented_schema()
    for request, vote in zip(posted, votes, strict=True):
        assert request.method == "POST"
        assert request.headers["content-type"] == "application/json"
        check(vote, schema)
        assert comment not in json.dumps(vote)  # the comment is never posted
        assert "scale" not in json.dumps(vote)  # nor a calculator's inputs
    info = page_info(page)
    assert yes["helpful"] is True and yes["reason"] is None
    assert votes[1]["helpful"] is False and votes[1]["reason"] is None
    assert votes[2]["helpful"] is False and votes[2]["reason"] == "numbers-mismatch"
    assert len({vote["id"] for vote in votes}) == 1  # one vote, changed and completed
    for vote in votes:
        assert vote["page"] == info["kbPermalink"] and vote["title"] == info["kbTitle"]
        assert vote["section"] == info["kbSection"] and vote["reviewed"] == info["kbReviewed"]
        assert vote["calculators"] == [calc_id]
    assert not [r for r in requests if not r.url.startswith(site_url)]


# ---- instant navigation --------------------------------------------------------------------------


def test_the_feedback_works_after_instant_navigation(context: Any, site_url: str) -> None:
    page, requests = open_article(context, site_url + PLAIN_ARTICLE)
    page.click(f"{FEEDBACK} [data-feedback-vote=yes]")
    target = "billing/prorated-charges/"
    page.evaluate(
        "href => { const a = document.createElement('a'); a.href = href; a.id = 'kb-test-next';"
        " a.textContent = 'next'; document.querySelector('article').append(a); }",
        site_url + target,
    )
    page.click("#kb-test-next")
    page.wait_for_function("path => location.pathname === path", arg="/" + target)
    page.wait_for_selector(f"{FEEDBACK}:not([hidden])")
    assert page.locator(FEEDBACK).count() == 1
    # A fresh question for the new article, and the new article's details in the request.
    assert (
        page.locator(f"{FEEDBACK} [data-feedback-vote=yes]").get_attribute("aria-pressed")
        == "false"
    )
    text = choose_no_and_prepare(page, "hard-to-follow", "")
    info = page_info(page)
    assert info["kbPermalink"].startswith(site_url) and info["kbTitle"].endswith(
        "Handling prorated charges"
    )
    assert text == support_request(info, "hard-to-follow", "", [])
    assert not [r for r in requests if r.method != "GET"]
