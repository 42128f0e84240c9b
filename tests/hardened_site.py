"""The built site served as a host should serve it, for the browser tests of issue 12.

A small HTTP server that sends, with every file, the response headers of the site's `_headers`
file (Content-Security-Policy and the others: docs/_headers), and the site's 404 page for what
does not exist. Helpers shared by test_csp, test_a11y, test_faults, test_persistence and
test_phone: the list of pages, a browser visit that records CSP violations, console errors and
uncaught exceptions, and waiting for a calculator's state.
"""

from __future__ import annotations

import functools
import html
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.conftest import _QuietHandler, _Server

READY_MS = 90_000
ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def header_rules(headers_file: Path) -> list[tuple[str, dict[str, str]]]:
    """The `_headers` file's rules in order: (path pattern, {header name: value})."""
    rules: list[tuple[str, dict[str, str]]] = []
    for line in headers_file.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            rules.append((line.strip(), {}))
        elif rules:
            name, _, value = line.strip().partition(":")
            rules[-1][1][name.strip()] = value.strip()
    return rules


def headers_for(rules: list[tuple[str, dict[str, str]]], path: str) -> dict[str, str]:
    """The headers a host that reads `_headers` sends for ``path``: those of every rule whose
    pattern matches it (``*`` matches anything, including ``/``)."""
    found: dict[str, str] = {}
    for pattern, headers in rules:
        if re.fullmatch(".*".join(map(re.escape, pattern.split("*"))), path):
            found.update(headers)
    return found


def read_headers(headers_file: Path) -> dict[str, str]:
    """The headers the `_headers` file gives for every path (`/*`), by name."""
    return dict(
        next((headers for pattern, headers in header_rules(headers_file) if pattern == "/*"), {})
    )


def policy_directives(policy: str) -> dict[str, str]:
    """A Content-Security-Policy as {directive: sources}."""
    directives = {}
    for part in policy.split(";"):
        name, _, sources = part.strip().partition(" ")
        if name:
            directives[name] = " ".join(sources.split())
    return directives


class _HeadersHandler(_QuietHandler):
    def do_GET(self) -> None:
        # Instant navigation follows only the links sitemap.xml lists: list this server's.
        sitemap = Path(self.directory) / "sitemap.xml"
        if self.path.split("?")[0] == "/sitemap.xml" and sitemap.is_file():
            text = sitemap.read_text(encoding="utf-8")
            built_for = min(re.findall(r"<loc>([^<]*)</loc>", text), key=len)  # the home page
            here = f"http://{self.headers.get('Host', '')}/"
            body = text.replace(built_for, here).encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def end_headers(self) -> None:
        # Read at each response: the bench serves the folder before the site is built into it.
        headers_file = Path(self.directory) / "_headers"
        if headers_file.is_file():
            path = self.path.split("?")[0].split("#")[0]
            for name, value in headers_for(header_rules(headers_file), path).items():
                self.send_header(name, value)
        super().end_headers()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        not_found = Path(self.directory) / "404.html"
        if code != 404 or not not_found.is_file():
            super().send_error(code, message, explain)
            return
        body = not_found.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class _QuietServer(_Server):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a browser that stops reading mid-file (a closed page) is no test failure


@contextmanager
def serve_with_headers(site: Path) -> Iterator[str]:
    """Serve ``site`` on 127.0.0.1 with its `_headers` (each path the headers of every rule that
    matches it, as static hosts apply them); yields the base URL. The site's links
    are relative and its sitemap is rewritten to this server's address, so instant navigation
    works here too, whatever address the site was built for."""
    handler = functools.partial(_HeadersHandler, directory=str(site))
    server = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def site_pages(site: Path) -> list[str]:
    """Site-relative URLs of every article page ("" is the home page); no redirect pages."""
    found = []
    for page in sorted(site.rglob("index.html")):
        if 'http-equiv="refresh"' in page.read_text(encoding="utf-8"):
            continue
        relative = page.parent.relative_to(site).as_posix()
        found.append("" if relative == "." else relative + "/")
    return found


_RUNTIME = re.compile(r'<div class="kb-runtime" hidden data-kb-runtime="([^"]*)"></div>')


def runtime_settings(page_html: str) -> dict[str, Any] | None:
    """The calculators' runtime settings a page carries (macros/widgets.py ``runtime_html``: JSON
    in an attribute), as calculators.js reads them; None on a page without a calculator."""
    found = _RUNTIME.search(page_html)
    return json.loads(html.unescape(found.group(1))) if found else None


def pages_containing(site: Path, marker: str) -> list[str]:
    """The pages whose HTML contains ``marker``."""
    return [
        path
        for path in site_pages(site)
        if marker in (site / path / "index.html").read_text(encoding="utf-8")
    ]


def calculator_pages(site: Path, kind: str = "") -> list[str]:
    """The pages that hold a calculator (of ``kind``, when given)."""
    return pages_containing(site, f'data-calculator="{kind}"' if kind else "data-calculator=")


# Recorded in the page before any of its scripts run: CSP violations reach Python through a
# binding, which survives navigations and redirects.
_WATCH = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.kbReportViolation(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}` +
    ` at ${event.sourceFile || document.location.href}:${event.lineNumber}`);
});
"""


class Watched:
    """A page whose CSP violations, console errors and uncaught exceptions are recorded."""

    def __init__(self, context: Any) -> None:
        self.violations: list[str] = []
        self.errors: list[str] = []
        self.page = context.new_page()
        self.page.expose_binding(
            "kbReportViolation", lambda source, text: self.violations.append(text)
        )
        self.page.add_init_script(_WATCH)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text}")

    def open(self, url: str) -> Any:
        self.page.goto(url)
        return self.page


def wait_state(page: Any, selector: str, states: tuple[str, ...] = ("ready",)) -> str:
    """Wait until the calculator ``selector`` is in one of ``states``; return its state."""
    page.wait_for_function(
        "([selector, states]) => states.includes(document.querySelector(selector)?.dataset.state)",
        arg=[selector, list(states)],
        timeout=READY_MS,
    )
    return str(page.locator(selector).first.get_attribute("data-state"))


def wait_all_ready(page: Any) -> None:
    """Wait until every calculator on the page is live."""
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('[data-calculator]'))"
        ".every((c) => c.dataset.state === 'ready')",
        timeout=READY_MS,
    )
