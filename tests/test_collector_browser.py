"""End to end in Chromium: a built page whose endpoint is a running collector (SQLite). The
reader clicks Yes, the collector stores the vote; a search that found nothing is collected,
masked; the counts are exported and the site rebuilt, and the page then says "1 person found
this page helpful" in its HTML; with live counts on it shows a newer count from the collector.
"""

from __future__ import annotations

import functools
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, _QuietHandler, _Server, copy_project, mkdocs_build
from tests.test_collector import Collector, start_collector, vote

pytestmark = pytest.mark.browser

ARTICLE = "billing/updating-billing-information/"  # 8.1, permanent link kb/8-1/
COUNT = "[data-kb-helpful-count]"


@pytest.fixture(scope="module")
def static_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A static server on 127.0.0.1 for a site built in this module."""
    directory = tmp_path_factory.mktemp("collector-site")
    server = _Server(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", directory
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def running_collector(static_site: tuple[str, Path], tmp_path: Path) -> Iterator[Collector]:
    origin = static_site[0].rstrip("/")
    collector, stop = start_collector(
        f"sqlite:///{tmp_path / 'feedback.sqlite3'}", allowed_origins=(origin,)
    )
    yield collector
    stop()


def opted_in_project(destination: Path) -> Path:
    """The project with live counts and search collection switched on in mkdocs.yml."""
    project = copy_project(destination)
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    text, live = re.subn(r"(?m)^(\s+live_counts:) false$", r"\1 true", text)
    text, searches = re.subn(r"(?m)^(\s+collect_searches:) false$", r"\1 true", text)
    assert live == searches == 1, "mkdocs.yml extra.feedback lost its opt-in keys"
    config.write_text(text, encoding="utf-8")
    return project


def export_counts(collector: Collector, target: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "collector", "export", "--output", str(target)],
        cwd=ROOT,
        env={"COLLECTOR_DATABASE": collector.store.url, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def build(project: Path, site: Path, url: str, collector: Collector, counts: Path) -> None:
    result = mkdocs_build(
        project,
        site,
        env={
            "KB_SITE_URL": url,
            "KB_FEEDBACK_ENDPOINT": collector.url + "/votes",
            "KB_FEEDBACK_COUNTS": str(counts),
        },
    )
    if result.returncode != 0:
        pytest.fail(f"mkdocs build failed:\n{result.stdout}\n{result.stderr}")


def test_a_yes_click_is_stored_and_the_rebuilt_page_counts_it(
    browser: Any, static_site: tuple[str, Path], running_collector: Collector, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    url, site = static_site
    collector = running_collector
    project = opted_in_project(tmp_path / "project")
    counts = tmp_path / "counts.json"
    export_counts(collector, counts)
    build(project, site, url, collector, counts)
    html = (site / ARTICLE / "index.html").read_text(encoding="utf-8")
    assert f'data-endpoint="{collector.url}/votes"' in html
    assert re.search(r'data-kb-helpful-count="0"[^>]*hidden>', html)

    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(url + ARTICLE)
        page.wait_for_selector("[data-kb-feedback]:not([hidden])")
        with page.expect_response(lambda r: r.url == collector.url + "/votes") as posted:
            page.click("[data-kb-feedback] [data-feedback-vote=yes]")
        assert posted.value.status == 202
        assert collector.counts() == {"/kb/8-1/": {"helpful": 1, "not_helpful": 0}}

        # The search box announces a search that found nothing; only the masked query is kept.
        with page.expect_response(lambda r: r.url == collector.url + "/searches") as searched:
            page.evaluate("""document.dispatchEvent(new CustomEvent("kb:search-no-results",
                {detail: {query: "Refund for bob@example.com"}}))""")
        assert searched.value.status == 202
        assert [query for query, _, _ in collector.store.searches(10)] == ["refund for [email]"]

        # Export and rebuild: the count is in the page itself, before any script runs.
        export_counts(collector, counts)
        build(project, site, url, collector, counts)
        html = (site / ARTICLE / "index.html").read_text(encoding="utf-8")
        assert re.search(
            r'data-kb-helpful-count="1"[^>]*>1 person found this page helpful</p>', html
        )
        page.reload()
        expect(page.locator(COUNT)).to_have_text("1 person found this page helpful")
        expect(page.locator(COUNT)).to_be_visible()

        # Live counts: a vote after the build shows on the page, from the collector.
        other = vote(
            page=url + "kb/8-1/",
            helpful=True,
            title="8.1 Updating billing information",
            section="8.1",
        )
        assert collector.post("/votes", other, {"Origin": url.rstrip("/")}).status == 202
    finally:
        context.close()
    # A reader arriving later (counts are cached for a minute) sees it.
    later = browser.new_context()
    try:
        page = later.new_page()
        page.goto(url + ARTICLE)
        expect(page.locator(COUNT)).to_have_text("2 people found this page helpful")
    finally:
        later.close()
