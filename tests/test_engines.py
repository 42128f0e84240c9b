"""MkDocs and Zensical build the same site from the same mkdocs.yml and the same `make assets`.

Both builds (strict, same build day, same site URL) are compared: every page (its article's text,
its link targets and its support data), every short link and redirect with its target, the
Pyodide runtime folder and the calculators wheel the calculator pages reference, and the search
index (the indexed locations, their titles and text, whatever file each engine writes). In the
browser, every calculator on the Zensical build must reach `ready`.
"""

from __future__ import annotations

import hashlib
import html
import json
import posixpath
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from macros import links
from tests.conftest import (
    ENGINES,
    RENAMED_REDIRECTS,
    ROOT,
    renamed_copy,
    serving,
    set_redirects,
    site_build,
)
from tests.hardened_site import runtime_settings
from tools.search_index import INDEX_PATH, documents, read_site

pytestmark = pytest.mark.build

# Zensical writes only inside the project, so both builds go to the same place for symmetry.
ENGINE_SITES = ROOT / "build" / "engines"
# What each engine calls its search index.
# The article: what the Markdown and the macros produced, without the theme around it.
_ARTICLE = re.compile(r"<article\b[^>]*>(.*?)</article>", re.S)
_REFRESH = re.compile(r'<meta http-equiv="refresh" content="0; ?url=([^"]+)"')
# On the page, the hidden block; in an index, what is left of it once the div is dropped.
_PAGE_INFO = re.compile(r'<div class="kb-page-info" hidden\s+(.*?)></div>', re.S)


@dataclass(frozen=True)
class EngineSites:
    url: str  # where the Zensical build is served, and both builds' site URL
    sites: dict[str, Path]  # engine -> its built site
    outputs: dict[str, str]  # engine -> what its build printed


@pytest.fixture(scope="module")
def engine_sites() -> Iterator[EngineSites]:
    """Both builds, served from 127.0.0.1: the Zensical one's URL is both builds' site URL."""
    sites = {engine: ENGINE_SITES / engine for engine in ENGINES}
    for site in sites.values():
        shutil.rmtree(site, ignore_errors=True)
        site.mkdir(parents=True)
    outputs = {}
    with serving(sites["zensical"]) as url:
        for engine, site in sites.items():
            result = site_build(ROOT, site, engine=engine, env={"KB_SITE_URL": url})
            if result.returncode != 0:
                pytest.fail(f"{engine} build failed:\n{result.stdout}\n{result.stderr}")
            outputs[engine] = result.stdout + result.stderr
        yield EngineSites(url, sites, outputs)


@pytest.fixture(scope="module")
def sites(engine_sites: EngineSites) -> dict[str, Path]:
    return engine_sites.sites


def site_files(site: Path, pattern: str) -> dict[str, Path]:
    return {path.relative_to(site).as_posix(): path for path in sorted(site.rglob(pattern))}


def readable(fragment: str) -> str:
    """Text as a reader gets it: no tags, scripts or styles, entities decoded, spaces collapsed."""
    fragment = re.sub(r"<(script|style)\b.*?</\1\s*>", " ", fragment, flags=re.S)
    fragment = re.sub(r"<[^>]+>", " ", fragment)
    return re.sub(r"\s+", " ", html.unescape(fragment)).strip()


def article_of(page: Path) -> str | None:
    match = _ARTICLE.search(page.read_text(encoding="utf-8"))
    return match.group(1) if match else None


def page_summary(page: Path) -> dict[str, Any]:
    """What must not depend on the engine: the article's text, ids and link targets, the
    support data (permanent link, title, section, renamed anchors) and the runtime settings."""
    text = page.read_text(encoding="utf-8")
    article = article_of(page) or ""
    info = _PAGE_INFO.search(text)
    # Attribute values as the browser reads them: the engines escape characters differently.
    attributes = (
        {
            name: html.unescape(value)
            for name, value in re.findall(
                r'(data-kb-[a-z-]+)=(?:"([^"]*)"|\'[^\']*\')', info.group(1)
            )
        }
        if info
        else {}
    )
    renamed = re.search(r"data-kb-anchor-redirects='([^']*)'", info.group(1)) if info else None
    return {
        "text": readable(article),
        # Ids the theme adds for itself ("__skip", "__code_0"...) are not the page's.
        "ids": sorted(i for i in re.findall(r'\bid="([^"]+)"', article) if not i.startswith("__")),
        # As the browser reads them: the engines escape characters differently ("/" or "&#x2f;").
        "links": sorted(
            html.unescape(href) for href in re.findall(r'<a\b[^>]*\bhref="([^"]+)"', article)
        ),
        "page_info": attributes,
        "renamed_anchors": json.loads(html.unescape(renamed.group(1))) if renamed else None,
        "runtime": runtime_settings(text),
    }


def content_pages(site: Path) -> dict[str, Path]:
    return {
        url: path
        for url, path in site_files(site, "*.html").items()
        if 'http-equiv="refresh"' not in path.read_text(encoding="utf-8")
    }


def redirects_in(site: Path) -> dict[str, str]:
    """Every redirect page (its directory URL) and the page URL it sends the reader to."""
    found = {}
    for url, path in site_files(site, "index.html").items():
        match = _REFRESH.search(path.read_text(encoding="utf-8"))
        if match:
            where = posixpath.dirname(url)
            target = posixpath.normpath(posixpath.join(where, html.unescape(match.group(1))))
            found[where + "/"] = "" if target == "." else target + "/"
    return found


def search_index(site: Path) -> dict[str, Any]:
    """The site's search index (tools/search_index.py writes it after either engine)."""
    index = site / INDEX_PATH
    assert index.is_file(), f"{site}: no search index at {INDEX_PATH}"
    data: dict[str, Any] = json.loads(index.read_text(encoding="utf-8"))
    return data


def tree_digest(directory: Path) -> dict[str, str]:
    return {
        name: hashlib.sha256(path.read_bytes()).hexdigest()
        for name, path in site_files(directory, "*").items()
        if path.is_file()
    }


# ---- the comparison ------------------------------------------------------------------------


def test_both_engines_build_the_same_pages(sites: dict[str, Path]) -> None:
    mkdocs, zensical = (content_pages(sites[engine]) for engine in ENGINES)
    assert sorted(zensical) == sorted(mkdocs)
    articles = 0
    for url, page in mkdocs.items():
        expected = page_summary(page)
        assert page_summary(zensical[url]) == expected, url
        articles += bool(expected["text"])
    assert articles >= 35


def test_every_page_carries_its_permanent_link_on_both_engines(sites: dict[str, Path]) -> None:
    for engine in ENGINES:
        page = sites[engine] / "billing" / "prorated-charges" / "index.html"
        info = page_summary(page)["page_info"]
        assert info["data-kb-permalink"].endswith("/kb/8-2/"), engine
        assert info["data-kb-title"] == "8.2 Handling prorated charges", engine
        assert info["data-kb-section"] == "8.2", engine


def test_every_short_link_and_redirect_has_the_same_target(sites: dict[str, Path]) -> None:
    generated = links.read_site_config(ROOT / links.GENERATED_CONFIG)
    maps = generated["plugins"]["redirects"]["redirect_maps"]
    expected = {
        links.page_url(old): links.page_url(new.partition("#")[0]) for old, new in maps.items()
    }
    assert len(expected) >= 35  # every numbered section and subsection, home and glossary
    for engine in ENGINES:
        assert redirects_in(sites[engine]) == expected, engine
        pages = content_pages(sites[engine])
        for target in expected.values():
            assert f"{target}index.html" in pages, (engine, target)


def test_both_sites_ship_the_same_runtime_and_wheel(sites: dict[str, Path]) -> None:
    runtimes = []
    for engine in ENGINES:
        site = sites[engine]
        referenced = {
            json.dumps(summary["runtime"], sort_keys=True)
            for summary in map(page_summary, content_pages(site).values())
            if summary["runtime"]
        }
        assert len(referenced) == 1, (engine, "every calculator page names the same runtime")
        runtime = json.loads(referenced.pop())
        for key in ("wheel", "stdlib"):
            assert (site / runtime[key]).is_file(), (engine, runtime[key])
        assert (site / runtime["pyodide"] / "pyodide.mjs").is_file(), engine
        assert re.fullmatch(
            r"assets/calculators/calculators-0\.1\.0\+g[0-9a-f]{12}"
            r"-py3-none-any\.whl",
            runtime["wheel"],
        )
        runtimes.append(
            (
                runtime,
                tree_digest(site / "assets" / "pyodide"),
                tree_digest(site / "assets" / "calculators"),
            )
        )
    assert runtimes[0] == runtimes[1]


def test_both_search_indexes_hold_the_same_sections(sites: dict[str, Path]) -> None:
    """The same article sections (location, title, heading, text) are read from either build,
    and the serialized indexes are the same."""
    mkdocs, zensical = (documents(read_site(sites[engine])) for engine in ENGINES)
    assert mkdocs, "the MkDocs build indexes nothing"
    assert zensical == mkdocs
    assert search_index(sites["zensical"]) == search_index(sites["mkdocs"])


def test_search_synonyms_reach_both_indexes(sites: dict[str, Path]) -> None:
    """Synonyms come from mkdocs.yml, the glossary and the catalogue, read after either engine."""
    expected = search_index(sites["mkdocs"])["synonyms"]
    prorated = next(group for group in expected if "proration" in group)
    assert {"prorate", "pro-rata", "proration"} <= set(prorated)
    assert search_index(sites["zensical"])["synonyms"] == expected


def test_both_builds_are_quiet(engine_sites: EngineSites) -> None:
    """No end-of-life banner, no macros start-up listing, no warning: a clean build says little
    (warnings that matter still fail it: test_build.py)."""
    for engine in ENGINES:
        output = engine_sites.outputs[engine]
        assert "end of life" not in output.lower(), engine
        assert "[macros]" not in output, engine
        assert "WARNING" not in output and "Traceback" not in output, engine
        assert len(output.splitlines()) <= 5, (engine, output)


# ---- in the browser ------------------------------------------------------------------------


@pytest.mark.browser
def test_every_calculator_on_the_zensical_build_gets_ready(
    browser: Any, engine_sites: EngineSites
) -> None:
    url, sites = engine_sites.url, engine_sites.sites
    calculator_pages = {
        page: re.findall(r'<section class="kb-calc" id="([^"]+)"', path.read_text(encoding="utf-8"))
        for page, path in content_pages(sites["zensical"]).items()
    }
    calculator_pages = {page: ids for page, ids in calculator_pages.items() if ids}
    assert len(calculator_pages) >= 5
    context = browser.new_context()
    try:
        page = context.new_page()
        for address, ids in sorted(calculator_pages.items()):
            page.goto(url + address.removesuffix("index.html"))
            for calc_id in ids:
                page.wait_for_function(
                    f"document.getElementById({json.dumps(calc_id)}).dataset.state === 'ready'",
                    timeout=90_000,
                )
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("engine", ENGINES)
def test_short_links_keep_the_anchor_and_renamed_anchors_are_followed(
    browser: Any, engine: str, tmp_path: Path
) -> None:
    """/kb/8-2/#anchor keeps the anchor; after 8.2 moved and an anchor was renamed, the old page
    and the old anchor lead to the new ones (extra.redirects), on either engine's build."""
    project = renamed_copy(tmp_path / "project")
    set_redirects(project, RENAMED_REDIRECTS)
    site = project / "site"
    site.mkdir()
    with serving(site) as url:
        result = site_build(project, site, engine=engine, env={"KB_SITE_URL": url})
        assert result.returncode == 0, result.stdout + result.stderr
        context = browser.new_context()
        try:
            page = context.new_page()
            page.goto(f"{url}kb/8-2/#billing-rules")
            page.wait_for_url(f"{url}billing/proration/#billing-rules")
            page.goto(f"{url}billing/prorated-charges/#how-proration-works")
            page.wait_for_url(f"{url}billing/proration/#how-it-works")
            page.goto(f"{url}kb/8-2/#how-proration-works")
            page.wait_for_url(f"{url}billing/proration/#how-it-works")
        finally:
            context.close()
