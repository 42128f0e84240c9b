"""Speed figures: CPython per request, Pyodide cold start (stock vs trimmed stdlib) and per request.

    python -m tests.bench [--repeat 50] [--cold-runs 5]     (or: python tests/bench.py)

Prints tables of medians and ratios; asserts nothing (timings depend on the machine). Not a
test module: pytest does not collect it. Requests are the golden cases under tests/golden/, with
the frozen catalogue tests/fixtures/catalogue.json. Pyodide runs under Node from node_modules
(`npm ci`), with the wheel and the trimmed precompiled stdlib that the site ships.
"""

from __future__ import annotations

import argparse
import http.server
import json
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

try:  # python -m tests.bench
    from tests import pyodide_support as support
except ImportError:  # python tests/bench.py
    import pyodide_support as support  # type: ignore[no-redef]

STDLIB_CACHE = support.PROJECT_ROOT / "build" / "stdlib-cache"


def golden_cases() -> list[tuple[str, dict[str, Any]]]:
    """(command, case) for every golden file whose directory names a calculator."""
    from calculators import api

    cases = []
    for path in support.golden_files():
        data = json.loads(path.read_text(encoding="utf-8"))
        if path.parent.name in api.COMMANDS:
            cases.append((path.parent.name, {"command": path.parent.name,
                                             "request": data["request"]}))  # fmt: skip
    return cases


def cpython_medians(cases: Sequence[tuple[str, dict[str, Any]]], repeat: int) -> list[float]:
    """Median milliseconds per case of api.run plus the JSON serialisation the runner also does."""
    from calculators import api
    from calculators.catalogue import parse_catalogue

    catalogue = parse_catalogue(support.load_catalogue_fixture(), source="catalogue.json")
    medians = []
    for _, case in cases:
        api.run(case["command"], case["request"], catalogue=catalogue)  # warm: imports
        spent = []
        for _ in range(repeat):
            start = time.perf_counter()
            support.cpython_json(api.run(case["command"], case["request"], catalogue=catalogue))
            spent.append(time.perf_counter() - start)
        medians.append(statistics.median(spent) * 1000)
    return medians


def pyodide_run(
    cases: Sequence[dict[str, Any]], wheel: Path, stdlib: Path | None, scratch: Path, repeat: int
) -> dict[str, Any]:
    timings = scratch / "timings.json"
    support.run_in_pyodide(cases, support.load_catalogue_fixture(), wheel, stdlib,
                           repeat=repeat, timings=timings)  # fmt: skip
    result: dict[str, Any] = json.loads(timings.read_text(encoding="utf-8"))
    return result


def table(title: str, header: Sequence[str], rows: Sequence[tuple[object, ...]]) -> None:
    cells = [[str(cell) for cell in header], *[[_cell(cell) for cell in row] for row in rows]]
    widths = [max(len(row[index]) for row in cells) for index in range(len(header))]
    print(f"\n{title}")
    for number, row in enumerate(cells):
        aligned = [
            cell.rjust(width) if index else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        print("  " + "  ".join(aligned))
        if number == 0:
            print("  " + "  ".join("-" * width for width in widths))


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if value < 10 else f"{value:,.0f}"
    return str(value)


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.1f}x" if b else "n/a"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--repeat", type=int, default=50, help="runs per request (median)")
    parser.add_argument("--cold-runs", type=int, default=5, help="Node processes per stdlib")
    parser.add_argument("--browser-runs", type=int, default=5,
                        help="Chromium visits (0 skips the browser figures)")
    args = parser.parse_args(argv)

    cases = golden_cases()
    commands = [command for command, _ in cases]
    print(f"{len(cases)} golden requests; medians of {args.repeat} runs per request, "
          f"{args.cold_runs} cold starts per standard library")  # fmt: skip

    cpython = cpython_medians(cases, args.repeat) if cases else []
    by_command: dict[str, list[int]] = defaultdict(list)
    for index, command in enumerate(commands):
        by_command[command].append(index)

    with tempfile.TemporaryDirectory(prefix="kb-bench-") as scratch_name:
        scratch = Path(scratch_name)
        wheel = scratch / support.load_assets().build_wheel(support.PROJECT_ROOT, scratch)
        stdlib = support.built_stdlib(scratch, STDLIB_CACHE)
        # Without goldens, a request that answers with errors still measures start-up.
        runner_cases = [case for _, case in cases] or [{"command": "prorate", "request": {}}]

        cold: dict[str, list[dict[str, Any]]] = {"stock": [], "trimmed": []}
        for _ in range(args.cold_runs):  # interleaved, so drift hits both alike
            cold["stock"].append(pyodide_run(runner_cases[:1], wheel, None, scratch, 0))
            cold["trimmed"].append(pyodide_run(runner_cases[:1], wheel, stdlib, scratch, 0))
        warm = pyodide_run(runner_cases, wheel, stdlib, scratch, args.repeat) if cases else {}
        stock_bytes = (support.PYODIDE_DIR / "python_stdlib.zip").stat().st_size
        trimmed_bytes = stdlib.stat().st_size

    if cases:
        pyodide = warm["cases_median_ms"]
        rows: list[tuple[object, ...]] = []
        for command, indexes in by_command.items():
            cp = statistics.median(cpython[index] for index in indexes)
            py = statistics.median(pyodide[index] for index in indexes)
            rows.append((command, len(indexes), cp, max(cpython[i] for i in indexes), py,
                         _ratio(py, cp)))  # fmt: skip
        table("Per request, ms (median over the calculator's golden requests)",
              ("calculator", "requests", "CPython", "CPython max", "Pyodide", "Pyodide/CPython"),
              rows)  # fmt: skip

    def median_of(kind: str, key: str) -> float:
        return float(statistics.median(run[key] for run in cold[kind]))

    keys = [
        ("loadPyodide()", "load_pyodide_ms"),
        ("install wheel", "install_wheel_ms"),
        ("first result, from loadPyodide", "first_result_since_load_ms"),
        ("first result, from process start", "first_result_since_process_start_ms"),
    ]
    cold_rows: list[tuple[object, ...]] = []
    for label, key in keys:
        stock, trimmed = median_of("stock", key), median_of("trimmed", key)
        cold_rows.append((label, stock, trimmed, _ratio(stock, trimmed)))
    cold_rows.append(("stdlib zip, KiB", stock_bytes / 1024, trimmed_bytes / 1024,
                 _ratio(stock_bytes, trimmed_bytes)))  # fmt: skip
    table("Pyodide cold start under Node, ms (median)",
          ("phase", "stock stdlib", "trimmed precompiled", "stock/trimmed"), cold_rows)  # fmt: skip
    if args.browser_runs:
        browser_figures(args.browser_runs)
    return 0


# Time from navigation start to the calculator's data-state="ready", and how long the main
# thread was blocked (long tasks over 50 ms) meanwhile.
_OBSERVE_LONG_TASKS = """
window.__kbBlockedMs = 0;
new PerformanceObserver(list => { for (const e of list.getEntries()) window.__kbBlockedMs +=
  e.duration; }).observe({type: "longtask", buffered: true});
"""
_READY = "document.querySelector('[data-calculator]')?.dataset.state === 'ready'"


def browser_figures(runs: int) -> None:
    """Cold and warm time to a live calculator in Debian's Chromium, on the built site."""
    import functools
    import http.server
    import threading

    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        print("\nChromium: /usr/bin/chromium is not installed; browser figures skipped")
        return
    from playwright.sync_api import sync_playwright

    from tests.conftest import CHROMIUM_ARGS, mkdocs_build

    with tempfile.TemporaryDirectory(prefix="kb-bench-site-") as site_name:
        site = Path(site_name)
        handler = functools.partial(_Quiet, directory=str(site))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        threading.Thread(target=server.serve_forever, daemon=True).start()
        built = mkdocs_build(support.PROJECT_ROOT, site, env={"KB_SITE_URL": url})
        if built.returncode != 0:
            print(f"\nChromium: the site did not build:\n{built.stderr[-2000:]}")
            return
        pages = sorted(p.parent.relative_to(site).as_posix() + "/" for p in site.rglob("index.html")
                       if 'data-calculator="' in p.read_text(encoding="utf-8"))  # fmt: skip
        cold, blocked, warm = [], [], []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(chromium),
                                                 args=CHROMIUM_ARGS)  # fmt: skip
            for _ in range(runs):
                context = browser.new_context()  # empty cache: a first visit
                page = context.new_page()
                page.add_init_script(_OBSERVE_LONG_TASKS)
                page.goto(url + pages[0])
                page.wait_for_function(_READY, timeout=120_000)
                cold.append(page.evaluate("performance.now()"))
                blocked.append(page.evaluate("window.__kbBlockedMs"))
                page.evaluate(
                    "href => { const a = document.createElement('a'); a.href = href; a.id = 'n';"
                    " a.textContent = 'next'; document.querySelector('article').append(a); }",
                    url + pages[1],
                )  # fmt: skip
                started = page.evaluate("performance.now()")
                page.click("#n")
                page.wait_for_function(f"location.pathname === '/{pages[1]}' && {_READY}",
                                       timeout=120_000)  # fmt: skip
                warm.append(page.evaluate("performance.now()") - started)
                context.close()
            browser.close()
        server.shutdown()
        server.server_close()
    table(f"Chromium, ms (median of {runs} visits, site served on 127.0.0.1)",
          ("measure", "median", "min", "max"),
          [("first calculator page: navigation to live", statistics.median(cold), min(cold),
            max(cold)),
           ("main thread blocked meanwhile (long tasks)", statistics.median(blocked),
            min(blocked), max(blocked)),
           ("second calculator page (same worker): click to live", statistics.median(warm),
            min(warm), max(warm))])  # fmt: skip
    print(f"  second page / first page: {_ratio(statistics.median(warm), statistics.median(cold))}")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


if __name__ == "__main__":
    sys.exit(main())
