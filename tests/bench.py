"""`make bench`: speed figures in Chromium against a naive page (tests/bench_browser.py), and,
with --node, CPython per request and Pyodide cold start under Node (stock vs trimmed stdlib).

    python -m tests.bench [--runs 5] [--samples 10] [--no-synthetic] [--json build/bench.json]
    python -m tests.bench --node [--repeat 50] [--cold-runs 5]   (the Node figures as well)

Prints tables of medians, spreads and ratios and writes them as JSON; asserts nothing (timings
depend on the machine). Not a test module: pytest does not collect it. The Node requests are
the golden cases under tests/golden/, with the frozen catalogue tests/fixtures/catalogue.json;
Pyodide runs under Node from node_modules (`npm ci`), with the wheel and the trimmed precompiled
stdlib that the site ships.
"""

from __future__ import annotations

import argparse
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
            cases.append(
                (path.parent.name, {"command": path.parent.name, "request": data["request"]})
            )
    return cases


def cpython_medians(cases: Sequence[tuple[str, dict[str, Any]]], repeat: int) -> list[float]:
    """Median milliseconds per case of api.run plus the JSON serialisation the runner also does."""
    from calculators import api
    from calculators.requests.catalogue import parse_catalogue

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
    support.run_in_pyodide(
        cases, support.load_catalogue_fixture(), wheel, stdlib, repeat=repeat, timings=timings
    )
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
    parser.add_argument(
        "--runs",
        type=int,
        default=5,
        help="browser runs per page and visit, cold and warm (0 skips the browser)",
    )
    parser.add_argument(
        "--samples", type=int, default=10, help="recalculations per kind (select, typing) per run"
    )
    parser.add_argument(
        "--no-synthetic", action="store_true", help="skip the build of the site ten times larger"
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=support.PROJECT_ROOT / "build" / "bench.json",
        help="where the figures are written",
    )
    parser.add_argument(
        "--node",
        action="store_true",
        help="also CPython vs Pyodide under Node (per request, cold start)",
    )
    parser.add_argument("--repeat", type=int, default=50, help="--node: runs per request (median)")
    parser.add_argument(
        "--cold-runs", type=int, default=5, help="--node: Node processes per stdlib"
    )
    args = parser.parse_args(argv)

    figures: dict[str, Any] = {}
    if args.runs:
        from tests import bench_browser

        browser = bench_browser.measure(args.runs, args.samples, not args.no_synthetic)
        bench_browser.report(browser, table)
        figures["browser"] = browser
    if args.node:
        figures["node"] = node_figures(args.repeat, args.cold_runs)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    print(f"\nfigures written to {args.json}")
    return 0


def node_figures(repeat: int, cold_runs: int) -> dict[str, Any]:
    """CPython vs Pyodide under Node: per request, and cold start, stock vs trimmed stdlib."""
    cases = golden_cases()
    commands = [command for command, _ in cases]
    print(
        f"\n{len(cases)} golden requests; medians of {repeat} runs per request, "
        f"{cold_runs} cold starts per standard library"
    )

    cpython = cpython_medians(cases, repeat) if cases else []
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
        for _ in range(cold_runs):  # interleaved, so drift hits both alike
            cold["stock"].append(pyodide_run(runner_cases[:1], wheel, None, scratch, 0))
            cold["trimmed"].append(pyodide_run(runner_cases[:1], wheel, stdlib, scratch, 0))
        warm = pyodide_run(runner_cases, wheel, stdlib, scratch, repeat) if cases else {}
        stock_bytes = (support.PYODIDE_DIR / "python_stdlib.zip").stat().st_size
        trimmed_bytes = stdlib.stat().st_size

    rows: list[tuple[object, ...]] = []
    if cases:
        pyodide = warm["cases_median_ms"]
        for command, indexes in by_command.items():
            cp = statistics.median(cpython[index] for index in indexes)
            py = statistics.median(pyodide[index] for index in indexes)
            rows.append(
                (command, len(indexes), cp, max(cpython[i] for i in indexes), py, _ratio(py, cp))
            )
        table(
            "Per request, ms (median over the calculator's golden requests)",
            ("calculator", "requests", "CPython", "CPython max", "Pyodide", "Pyodide/CPython"),
            rows,
        )

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
    cold_rows.append(
        (
            "stdlib zip, KiB",
            stock_bytes / 1024,
            trimmed_bytes / 1024,
            _ratio(stock_bytes, trimmed_bytes),
        )
    )
    table(
        "Pyodide cold start under Node, ms (median)",
        ("phase", "stock stdlib", "trimmed precompiled", "stock/trimmed"),
        cold_rows,
    )
    return {"per_request": rows, "cold_start": cold_rows}


if __name__ == "__main__":
    sys.exit(main())
