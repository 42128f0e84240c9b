"""Shared fixtures: the sample catalogue, the built site, a local server and the browser."""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import re
import shutil
import socketserver
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from calculators.domain.catalogue import Catalogue
from calculators.requests.catalogue import read_catalogue_file

ROOT = Path(__file__).resolve().parent.parent
# Builds are reproducible: calculators' default dates come from this day, not the clock.
BUILD_DAY = "2026-03-16"
CHROMIUM = os.environ.get("KB_CHROMIUM", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# In CI, property tests draw the same examples on every run, so a red build is reproducible;
# locally they explore new examples each run.
settings.register_profile("ci", derandomize=True, database=None)
if IN_CI:
    settings.load_profile("ci")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        help="rewrite the response of every golden file (tests/golden/) that no longer matches; "
        "the requests stay. Review the diff before committing it.",
    )


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    """Whether this run rewrites golden files that differ (``--update-goldens``)."""
    return bool(request.config.getoption("--update-goldens"))


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    """The company's catalogue (what the site is built from)."""
    return read_catalogue_file(ROOT / "catalogue" / "catalogue.yaml")


def nav_pages() -> list[str]:
    """Every page mkdocs.yml's nav lists, as paths under docs/, in nav order."""
    from macros.links import read_site_config

    found: list[str] = []

    def walk(items: list[Any]) -> None:
        for item in items:
            entries = item.values() if isinstance(item, dict) else [item]
            for entry in entries:
                if isinstance(entry, list):
                    walk(entry)
                elif str(entry).endswith(".md"):
                    found.append(str(entry))

    walk(read_site_config(ROOT / "mkdocs.yml")["nav"])
    return found


def page_url(markdown: str) -> str:
    """A page's site-relative URL with directory URLs: a/b.md is a/b/, a/index.md is a/."""
    stem = markdown.removesuffix(".md")
    if stem == "index":
        return ""
    return stem.removesuffix("index") if stem.endswith("/index") else stem + "/"


@pytest.fixture(scope="session")
def nav_sources() -> dict[str, Path]:
    """Every page in mkdocs.yml's nav: its site-relative URL and its Markdown file, in nav order."""
    return {page_url(page): ROOT / "docs" / page for page in nav_pages()}


@pytest.fixture(scope="session")
def nav_urls(nav_sources: dict[str, Path]) -> list[str]:
    """The site-relative URL of every page in mkdocs.yml's nav, in nav order."""
    return list(nav_sources)


ENGINES = ("mkdocs", "zensical")


def site_build(
    project: Path, site_dir: Path, *, engine: str = "mkdocs", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`make build ENGINE=...` for ``project``: the assets step, then the engine, strict.

    Zensical writes only inside the project (mkdocs.yml reads KB_SITE_DIR for it).
    """
    environment = dict(
        os.environ,
        KB_TODAY=BUILD_DAY,
        NO_MKDOCS_2_WARNING="1",
        DISABLE_MKDOCS_2_WARNING="true",
        PYTHONPATH=str(project),
    )
    environment.update(env or {})
    run = functools.partial(
        subprocess.run,
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assets = run([sys.executable, "-m", "macros"])
    if assets.returncode != 0:
        return assets
    if engine == "mkdocs":
        command = ["-m", "mkdocs", "build", "--strict", "--clean", "-d", str(site_dir)]
    elif engine == "zensical":
        environment["KB_SITE_DIR"] = str(site_dir)
        command = ["-m", "zensical", "build", "--strict", "--clean"]
    else:
        raise ValueError(f"unknown engine {engine!r}; known: {', '.join(ENGINES)}")
    built = run([sys.executable, *command])
    if engine == "zensical" and built.returncode == 0:
        # Zensical loads no MkDocs hooks: the post-build steps run after it (as `make build`).
        return run([sys.executable, "-m", "tools.post_build", str(site_dir)])
    return built


def mkdocs_build(
    project: Path, site_dir: Path, *, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return site_build(project, site_dir, engine="mkdocs", env=env)


@contextlib.contextmanager
def serving(directory: Path) -> Iterator[str]:
    """A static server on 127.0.0.1 (a free port) for ``directory``; yields its URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="session")
def site_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A static server on 127.0.0.1 for the site directory, started before the site is built:
    the theme's instant navigation needs the site's URL, port included, at build time."""
    prebuilt = os.environ.get("KB_TEST_SITE")  # iterate on tests against a site built by hand
    directory = Path(prebuilt) if prebuilt else tmp_path_factory.mktemp("site")
    with serving(directory) as url:
        yield url, directory


@pytest.fixture(scope="session")
def built_site(site_server: tuple[str, Path]) -> Path:
    """The whole site, built once per test session exactly as `make build` does."""
    url, site = site_server
    if os.environ.get("KB_TEST_SITE"):
        return site
    result = mkdocs_build(ROOT, site, env={"KB_SITE_URL": url})
    if result.returncode != 0:
        pytest.fail(f"mkdocs build failed:\n{result.stdout}\n{result.stderr}")
    return site


def copy_project(destination: Path) -> Path:
    """A throwaway copy of the project's sources, to build deliberately broken variants.

    Its build runs its own assets step (generated files are not copied); the precompiled
    standard library comes from the project's cache.
    """
    generated = shutil.ignore_patterns("__pycache__", "pyodide", "calculators-*.whl")
    for name in ("docs", "macros", "overrides", "catalogue", "calculators", "tools"):
        shutil.copytree(ROOT / name, destination / name, ignore=generated)
    shutil.copy(ROOT / "mkdocs.yml", destination / "mkdocs.yml")
    shutil.copy(ROOT / "pyproject.toml", destination / "pyproject.toml")
    (destination / "node_modules").symlink_to(ROOT / "node_modules")
    (destination / "build").mkdir()
    (destination / "build" / "cache").symlink_to(_ensure(ROOT / "build" / "cache"))
    return destination


# 8.2 moved to billing/proration.md, its anchor #how-proration-works renamed #how-it-works.
RENAMED_REDIRECTS = {
    "billing/prorated-charges.md": "billing/proration.md",
    "billing/proration.md#how-proration-works": "billing/proration.md#how-it-works",
}


def renamed_copy(destination: Path) -> Path:
    """A copy of the project with 8.2 moved and one of its anchors renamed, without redirects."""
    project = copy_project(destination)
    docs = project / "docs"
    shutil.move(docs / "billing" / "prorated-charges.md", docs / "billing" / "proration.md")
    for path in [project / "mkdocs.yml", *docs.rglob("*.md")]:
        text = path.read_text(encoding="utf-8")
        text = text.replace("prorated-charges.md", "proration.md")
        text = text.replace("#how-proration-works", "#how-it-works")
        text = text.replace("{#how-proration-works}", "{#how-it-works}")
        path.write_text(text, encoding="utf-8")
    return project


def set_redirects(project: Path, redirects: dict[str, str]) -> None:
    """Set ``extra.redirects`` (not the redirects plugin's entry, which comes earlier)."""
    config = project / "mkdocs.yml"
    before, extra = config.read_text(encoding="utf-8").split("\nextra:\n", 1)
    extra = re.sub(r"^  redirects: .*$", "  redirects: " + json.dumps(redirects), extra, flags=re.M)
    config.write_text(before + "\nextra:\n" + extra, encoding="utf-8")


def _ensure(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {  # noqa: RUF012 - the base class declares it as a class attribute
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".wasm": "application/wasm",
        ".whl": "application/zip",
        ".zip": "application/zip",
    }

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


@pytest.fixture(scope="session")
def site_url(site_server: tuple[str, Path], built_site: Path) -> str:
    """The built site's address on the local server."""
    return site_server[0]


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright. In CI a missing browser fails, never skips."""
    if not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install -y chromium); CI runs these")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()
