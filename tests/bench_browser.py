"""The browser half of `make bench`: the built site against a naive page, in Debian's Chromium.

Builds the site into a scratch folder, serves it on 127.0.0.1 and measures, interleaved with a
naive page (Pyodide on the main thread from the same self-hosted files, computing the same
proration request): time to a live calculator cold and warm, long tasks, a second calculator page
through instant navigation, recalculation latency, bytes per page type against the bare theme,
worker memory and build times. Prints a table with the issue's targets; writes JSON. It measures,
it never asserts: no timing fails anything.
"""

from __future__ import annotations

import contextlib
import gzip
import html
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tests.conftest import BUILD_DAY, CHROMIUM, CHROMIUM_ARGS, ROOT
from tests.hardened_site import serve_with_headers

PROJECT_PAGE = "billing/prorated-charges/"
ARTICLE_PAGE = "billing/updating-billing-information/"
NAIVE_PAGE = "bench-naive/"
LAUNCH_ARGS = [*CHROMIUM_ARGS]  # --no-sandbox, --disable-quic, no background networking...
WAIT_MS = 120_000

# Collected from navigation start on every document: long tasks (buffered), the moments a
# calculator turns ready (with the page's path, so instant navigation is told apart), input
# events and result-region mutations.
INIT_SCRIPT = """
(() => {
  const log = { longTasks: [], ready: [], inputs: [], results: [] };
  window.__bench = log;
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        log.longTasks.push({ start: e.startTime, duration: e.duration });
      }
    }).observe({ type: "longtask", buffered: true });
  } catch (error) { log.longTaskError = String(error); }
  const watchResults = (root) => {
    for (const region of root.querySelectorAll('[data-role="result"]')) {
      if (region.__benchWatched) continue;
      region.__benchWatched = true;
      new MutationObserver(() => log.results.push(performance.now()))
        .observe(region, { childList: true, subtree: true, characterData: true });
    }
  };
  new MutationObserver((records) => {
    for (const record of records) {
      const target = record.target;
      if (record.type === "attributes" && target.dataset && target.dataset.state === "ready" &&
          target.hasAttribute("data-calculator")) {
        log.ready.push({ path: location.pathname, at: performance.now() });
      }
    }
    watchResults(document);
  }).observe(document, { attributes: true, attributeFilter: ["data-state"], subtree: true,
                         childList: true });
  document.addEventListener("input", (event) => log.inputs.push(event.timeStamp), true);
})();
"""
RESOURCES = """shift => performance.getEntriesByType('resource').map(e => ({name: e.name,
  start: e.startTime + shift, end: e.responseEnd + shift, transfer: e.transferSize}))"""
READY_ON = "path => window.__bench.ready.some(entry => entry.path === path)"


# ---- the site, the naive page and the bare theme -----------------------------------------------


def build_env(url: str) -> dict[str, str]:
    return dict(
        os.environ,
        KB_TODAY=BUILD_DAY,
        KB_SITE_URL=url,
        NO_MKDOCS_2_WARNING="1",
        DISABLE_MKDOCS_2_WARNING="true",
        PYTHONPATH=str(ROOT),
    )


def timed_build(project: Path, site: Path, env: dict[str, str], *, assets: bool) -> float:
    """Seconds for `make build` (the assets step, then mkdocs, strict) of ``project``."""
    started = time.perf_counter()
    if assets:
        _run([sys.executable, "-m", "macros"], project, env)
    _run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "--clean",
            "--quiet",
            "-d",
            str(site),
        ],
        project,
        env,
    )
    return time.perf_counter() - started


def _run(command: Sequence[str], cwd: Path, env: dict[str, str]) -> None:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")


def write_naive_page(site: Path) -> None:
    """The baseline: the proration calculator's markup, and Pyodide on the main thread.

    It loads Pyodide the way its documentation shows (``loadPyodide({indexURL})``, so the stock
    standard library beside it), unpacks the same wheel, passes the same catalogue and computes
    every change synchronously, with no input delay. Ready is its calculator's data-state.
    """
    page = (site / PROJECT_PAGE / "index.html").read_text(encoding="utf-8")
    found = re.search(r'data-kb-runtime="([^"]*)"', page)
    assert found, f"{PROJECT_PAGE} carries no data-kb-runtime"
    runtime = json.loads(html.unescape(found.group(1)))
    start = page.index('<section class="kb-calc"')
    section = page[start : page.index("</section>", start) + len("</section>")]
    config = json.dumps({"catalogue": runtime["catalogue"], "wheel": "../" + runtime["wheel"]})
    script = f"""
import {{ loadPyodide }} from "../{runtime["pyodide"]}pyodide.mjs";
const config = {config};
const element = document.querySelector("[data-calculator]");
const form = element.querySelector("form");
const result = element.querySelector('[data-role="result"]');
element.dataset.state = "loading";
const indexURL = new URL("../{runtime["pyodide"]}", location.href).href;
const pyodide = await loadPyodide({{ indexURL }});
const wheel = await fetch(config.wheel);
pyodide.unpackArchive(await wheel.arrayBuffer(), "wheel");
const evaluate = pyodide.runPython("from calculators.web import session; session")(
  JSON.stringify(config.catalogue));
function readForm() {{
  const params = {{}};
  for (const control of form.elements) if (control.name) params[control.name] = control.value;
  return params;
}}
function recalculate() {{
  const answer = JSON.parse(evaluate(element.dataset.calculator, JSON.stringify(readForm()),
                                     element.dataset.today));
  if (answer.html) result.innerHTML = answer.html;
}}
recalculate();
form.addEventListener("input", recalculate);
form.addEventListener("submit", (event) => {{ event.preventDefault(); recalculate(); }});
element.dataset.state = "ready";
"""
    (site / NAIVE_PAGE).mkdir(exist_ok=True)
    # A file, not an inline script: the bench server sends the site's strict CSP with every page.
    (site / NAIVE_PAGE / "naive.mjs").write_text(script, encoding="utf-8")
    (site / NAIVE_PAGE / "index.html").write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Naive baseline</title>'
        f'</head><body><main>{section}</main><script type="module" src="naive.mjs"></script>'
        "</body></html>",
        encoding="utf-8",
    )


def write_bare_theme(project: Path) -> None:
    """A one-page mkdocs-material site with the project's theme settings and nothing else."""
    import yaml  # mkdocs' own dependency

    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    theme_block = re.search(r"^theme:\n(?:(?:  .*)?\n)+", text, re.M).group(0)  # type: ignore[union-attr]
    theme = yaml.safe_load(theme_block)["theme"]
    theme.pop("custom_dir", None)
    config = {"site_name": "Bare theme", "theme": theme, "plugins": ["search"]}
    (project / "docs").mkdir(parents=True)
    (project / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    (project / "docs" / "index.md").write_text(
        "# A page\n\nOne paragraph of text, no extra CSS or JavaScript.\n", encoding="utf-8"
    )


def synthetic_project(scratch: Path, copies: int = 10) -> Path:
    """The project with docs/ ``copies`` times: the original plus renamed copies, nav generated."""
    import yaml

    project = scratch / "synthetic"
    ignore = shutil.ignore_patterns(".venv", "node_modules", "site", ".git", "build", "*.pyc")
    shutil.copytree(ROOT, project, ignore=ignore)
    shutil.copytree(ROOT / "build" / "generated", project / "build" / "generated")
    (project / "node_modules").symlink_to(ROOT / "node_modules")  # the search engine's module
    text = (project / "mkdocs.yml").read_text(encoding="utf-8")
    nav_start = text.index("\nnav:\n")
    nav_end = text.index("\nexclude_docs:")
    nav = yaml.safe_load(text[nav_start:nav_end])["nav"]

    def prefixed(entries: Any, folder: str) -> Any:
        if isinstance(entries, str):
            return f"{folder}/{entries}"
        if isinstance(entries, list):
            return [prefixed(entry, folder) for entry in entries]
        return {title: prefixed(value, folder) for title, value in entries.items()}

    docs = project / "docs"
    sections = [item for item in os.listdir(docs) if item not in ("assets", "includes")]
    full_nav: list[Any] = list(nav)
    for number in range(1, copies):
        folder = f"copy-{number}"
        for item in sections:
            source = docs / item
            target = docs / folder / item
            if source.is_dir():
                shutil.copytree(source, target)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
        full_nav.append({f"Copy {number}": prefixed(nav, folder)})
    nav_text = yaml.safe_dump({"nav": full_nav}, allow_unicode=True, sort_keys=False)
    (project / "mkdocs.yml").write_text(
        text[: nav_start + 1] + nav_text + text[nav_end:], encoding="utf-8"
    )
    return project


# ---- measuring in the browser -------------------------------------------------------------------


def _new_page(context: Any) -> Any:
    page = context.new_page()
    page.add_init_script(INIT_SCRIPT)
    return page


def load_to_ready(page: Any, url: str, path: str) -> dict[str, Any]:
    """Open ``url`` and wait for its calculator to be live; the figures of that load."""
    page.goto(url + path)
    page.wait_for_function(READY_ON, arg="/" + path, timeout=WAIT_MS)
    log = page.evaluate("window.__bench")
    ready = next(entry["at"] for entry in log["ready"] if entry["path"] == "/" + path)
    tasks = [task for task in log["longTasks"] if task["start"] <= ready]
    resources = page.evaluate(RESOURCES, 0)
    page_origin = page.evaluate("performance.timeOrigin")
    for worker in page.workers:  # its fetches are in its own timeline: shift them to the page's
        with contextlib.suppress(Exception):
            shift = worker.evaluate("performance.timeOrigin") - page_origin
            resources += worker.evaluate(RESOURCES, shift)
    return {
        "ready_ms": ready,
        "longest_task_ms": max((task["duration"] for task in tasks), default=0.0),
        "tbt_ms": sum(max(0.0, task["duration"] - 50) for task in tasks),
        "long_tasks": len(tasks),
        "phases": phases(resources, ready, page),
    }


def phases(resources: list[dict[str, Any]], ready: float, page: Any) -> dict[str, float]:
    """Where the time to ready went, as far as the outside can tell (the page sets no marks)."""
    out: dict[str, float] = {}
    for key, pattern in (
        ("worker_js", "calculator-worker.js"),
        ("pyodide_mjs", "/pyodide.mjs"),
        ("wasm", "pyodide.asm.wasm"),
        ("stdlib", "python_stdlib"),
        ("snapshot", "snapshot"),
        ("wheel", ".whl"),
    ):
        found = [entry for entry in resources if pattern in entry["name"]]
        if found:
            out[f"{key}_requested_ms"] = found[0]["start"]
            out[f"{key}_loaded_ms"] = found[0]["end"]
    if "wheel_loaded_ms" in out:  # after the wheel: unpack, import calculators, parse catalogue
        out["after_wheel_to_ready_ms"] = ready - out["wheel_loaded_ms"]
    engine = page.evaluate("window.kbCalculatorEngine || null")
    if engine:
        out["worker_reported_start_ms"] = float(engine["startedInMs"])
        # 1 when the worker started from the interpreter snapshot, 0 when the normal way.
        out["from_snapshot"] = float(engine.get("start") == "snapshot")
    return out


def second_page(page: Any, url: str, path: str) -> float:
    """Click an in-site link to another calculator page (instant navigation) → its calculator
    live."""
    clicked = page.evaluate(
        """href => { const a = document.createElement('a'); a.href = href; a.textContent = 'next';
        a.id = 'bench-next'; document.querySelector('article').append(a);
        const t = performance.now(); a.click(); return t; }""",
        url + path,
    )
    page.wait_for_function(READY_ON, arg="/" + path, timeout=WAIT_MS)
    ready = page.evaluate(
        "p => window.__bench.ready.filter(e => e.path === p).pop().at", "/" + path
    )
    return float(ready - clicked)


def recalculation(page: Any, samples: int) -> dict[str, list[float]]:
    """Input event → result region mutated, for a select change and for one typed digit."""
    select = page.locator('[data-calculator] select[name="to_plan"]').first
    field = page.locator('[data-calculator] input[name="extra_storage_new"]').first
    out: dict[str, list[float]] = {"select": [], "typing": []}
    for index in range(samples):
        for kind in ("select", "typing"):
            before = page.evaluate("window.__bench.inputs.length")
            if kind == "select":
                select.select_option(("scale", "business")[index % 2])
            else:
                field.select_text()
                page.keyboard.press(str(1 + index % 9))
            page.wait_for_function(
                "n => { const b = window.__bench; if (b.inputs.length <= n) return false;"
                " const t = b.inputs[b.inputs.length - 1]; return b.results.some(r => r > t); }",
                arg=before,
                timeout=WAIT_MS,
            )
            out[kind].append(
                page.evaluate(
                    "() => { const b = window.__bench; const t = b.inputs[b.inputs.length - 1];"
                    " return b.results.find(r => r > t) - t; }"
                )
            )
    return out


def page_bytes(browser: Any, url: str, path: str, *, calculator: bool) -> dict[str, Any]:
    """Every response of a first visit: transferred bytes and a gzip estimate of each body."""
    context = browser.new_context()
    page = _new_page(context)
    responses: list[Any] = []
    context.on("response", lambda response: responses.append(response))
    page.goto(url + path)
    if calculator:
        page.wait_for_function(READY_ON, arg="/" + path, timeout=WAIT_MS)
    page.wait_for_load_state("networkidle")
    rows = []
    for response in responses:
        with contextlib.suppress(Exception):
            body = response.body()
            sizes = response.request.sizes()
            rows.append(
                {
                    "url": response.url.removeprefix(url),
                    "transfer": sizes["responseBodySize"] + sizes["responseHeadersSize"],
                    "body": len(body),
                    "gzip": len(gzip.compress(body, 6)),
                }
            )
    context.close()
    runtime = [row for row in rows if "/pyodide/" in row["url"] or row["url"].endswith(".whl")]
    return {
        "requests": len(rows),
        "transfer": sum(row["transfer"] for row in rows),
        "body": sum(row["body"] for row in rows),
        "gzip": sum(row["gzip"] for row in rows),
        "runtime_gzip": sum(row["gzip"] for row in runtime),
        "responses": rows,
    }


def worker_memory(page: Any, context: Any) -> dict[str, Any]:
    """Worker heap after 10 and after 1,000 calculations (CDP Runtime.getHeapUsage on the worker).

    performance.measureUserAgentSpecificMemory() needs cross-origin isolation, which the site
    does not ask for; so a CDP session on the page auto-attaches to the worker and asks it.
    """
    cdp = context.new_cdp_session(page)
    replies: dict[int, Any] = {}
    sessions: list[str] = []
    cdp.on(
        "Target.attachedToTarget",
        lambda event: (
            sessions.append(event["sessionId"]) if event["targetInfo"]["type"] == "worker" else None
        ),
    )
    cdp.on(
        "Target.receivedMessageFromTarget",
        lambda event: replies.update(
            {json.loads(event["message"]).get("id", 0): json.loads(event["message"])}
        ),
    )
    cdp.send(
        "Target.setAutoAttach",
        {"autoAttach": True, "waitForDebuggerOnStart": False, "flatten": False},
    )
    deadline = time.monotonic() + 10
    while not sessions and time.monotonic() < deadline:
        page.wait_for_timeout(50)  # CDP events arrive while Playwright's loop runs
    if not sessions:
        return {"method": "CDP Runtime.getHeapUsage on the worker", "error": "no worker target"}

    def heap(request_id: int) -> dict[str, Any]:
        cdp.send(
            "Target.sendMessageToTarget",
            {
                "sessionId": sessions[0],
                "message": json.dumps({"id": request_id, "method": "Runtime.getHeapUsage"}),
            },
        )
        until = time.monotonic() + 10
        while request_id not in replies and time.monotonic() < until:
            page.wait_for_timeout(20)
        return dict(replies.get(request_id, {}).get("result", {}))

    def calculate(count: int) -> None:
        page.evaluate(
            """async count => { const element = document.querySelector('[data-calculator]');
            const form = element.querySelector('form');
            const field = form.querySelector('input[name="extra_storage_new"]');
            const before = window.__bench.results.length;
            for (let i = 0; i < count; i++) { field.value = String(i % 20); form.requestSubmit(); }
            while (window.__bench.results.length === before || element.dataset.state !== 'ready')
              await new Promise(r => setTimeout(r, 20));
            await new Promise(r => setTimeout(r, 200)); }""",
            count,
        )

    calculate(10)
    after_10 = heap(1)
    calculate(990)
    after_1000 = heap(2)
    return {
        "method": "CDP Runtime.getHeapUsage on the worker target (usedSize/totalSize: V8 heap; "
        "backingStorageSize: ArrayBuffer backing stores as V8 counts them)",
        "after_10": after_10,
        "after_1000": after_1000,
    }


# ---- the run -----------------------------------------------------------------------------------


def spread(values: Sequence[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "median": statistics.median(ordered),
        "min": ordered[0],
        "max": ordered[-1],
        "n": len(ordered),
    }


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(runs: int, samples: int, synthetic: bool) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    results: dict[str, Any] = {
        "runs": runs,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cores": os.cpu_count(),
        "chromium": CHROMIUM,
    }
    with tempfile.TemporaryDirectory(prefix="kb-bench-") as scratch_name:
        scratch = Path(scratch_name)
        site, bare_site = scratch / "site", scratch / "bare-site"
        # Served as a host would, with the headers of the site's _headers (cache lifetimes
        # included, which the warm runs measure); the bare theme has none.
        with serve_with_headers(site) as url, serve_with_headers(bare_site) as bare_url:
            env = build_env(url)
            print("building the site ...", flush=True)
            results["build_s"] = timed_build(ROOT, site, env, assets=True)
            write_naive_page(site)
            write_bare_theme(scratch / "bare")
            timed_build(scratch / "bare", bare_site, env, assets=False)
            pages = sorted(
                p.parent.relative_to(site).as_posix() + "/"
                for p in site.rglob("index.html")
                if 'data-calculator="' in p.read_text(encoding="utf-8")
                and NAIVE_PAGE not in p.as_posix()
            )
            results["calculator_pages"] = pages
            following = next(p for p in pages if p != PROJECT_PAGE)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS
                )
                results["chromium_version"] = browser.version
                loads: dict[str, dict[str, list[dict[str, Any]]]] = {
                    "project": {"cold": [], "warm": []},
                    "naive": {"cold": [], "warm": []},
                }
                seconds: list[float] = []
                recalc: dict[str, dict[str, list[float]]] = {
                    name: {"select": [], "typing": []} for name in ("project", "naive")
                }
                for run in range(runs):  # interleaved: drift on the shared machine hits both
                    print(f"run {run + 1}/{runs} ...", flush=True)
                    for name, path in (("project", PROJECT_PAGE), ("naive", NAIVE_PAGE)):
                        context = browser.new_context()  # a fresh profile: empty HTTP cache
                        page = _new_page(context)
                        loads[name]["cold"].append(load_to_ready(page, url, path))
                        if name == "project":
                            seconds.append(second_page(page, url, following))
                        page.close()
                        page = _new_page(context)  # the same profile: its HTTP cache
                        loads[name]["warm"].append(load_to_ready(page, url, path))
                        for kind, values in recalculation(page, samples).items():
                            recalc[name][kind].extend(values)
                        context.close()
                results["loads"] = loads
                results["second_page_ms"] = seconds
                results["recalculation_ms"] = recalc
                print("bytes and memory ...", flush=True)
                results["bytes"] = {
                    "bare_theme": page_bytes(browser, bare_url, "", calculator=False),
                    "article": page_bytes(browser, url, ARTICLE_PAGE, calculator=False),
                    "calculator": page_bytes(browser, url, PROJECT_PAGE, calculator=True),
                }
                context = browser.new_context()
                page = _new_page(context)
                load_to_ready(page, url, PROJECT_PAGE)
                try:
                    results["worker_memory"] = worker_memory(page, context)
                except Exception as error:  # reported, not fatal: the rest still stands
                    results["worker_memory"] = {"error": f"{type(error).__name__}: {error}"}
                context.close()
                browser.close()
        if synthetic:
            print("building the synthetic site ten times larger ...", flush=True)
            project = synthetic_project(scratch)
            try:
                results["build_10x_s"] = timed_build(
                    project, scratch / "site-10x", env, assets=False
                )
                results["build_10x_pages"] = sum(
                    1 for _ in (scratch / "site-10x").rglob("index.html")
                )
            except RuntimeError as error:
                results["build_10x_error"] = str(error)[-1500:]
        results["build_pages"] = sum(1 for _ in site.rglob("index.html")) - 1  # the naive page
    return results


# ---- the report --------------------------------------------------------------------------------


def report(results: dict[str, Any], table: Any) -> dict[str, Any]:
    """Print the figures beside the issue's targets; return the targets (met or not)."""
    loads = results["loads"]
    rows: list[tuple[object, ...]] = []
    summary: dict[str, Any] = {}
    for visit in ("cold", "warm"):
        for key, label in (
            ("ready_ms", "time to ready"),
            ("longest_task_ms", "longest task"),
            ("tbt_ms", "total blocking time"),
        ):
            mine = spread([load[key] for load in loads["project"][visit]])
            naive = spread([load[key] for load in loads["naive"][visit]])
            summary[f"{visit}_{key}"] = {"project": mine, "naive": naive}
            rows.append(
                (
                    f"{label}, {visit}",
                    _span(mine),
                    _span(naive),
                    _ratio(mine["median"], naive["median"]),
                )
            )
    second = spread(results["second_page_ms"])
    summary["second_page_ms"] = second
    rows.append(("second calculator page (instant nav)", _span(second), "-", "-"))
    for kind in ("select", "typing"):
        for name in ("project", "naive"):
            values = results["recalculation_ms"][name][kind]
            summary[f"recalc_{kind}_{name}"] = {
                "p50": percentile(values, 0.5),
                "p95": percentile(values, 0.95),
                "n": len(values),
            }
        mine, naive = summary[f"recalc_{kind}_project"], summary[f"recalc_{kind}_naive"]
        rows.append(
            (
                f"recalculation, {kind}: p50 / p95 (n={mine['n']})",
                f"{mine['p50']:.0f} / {mine['p95']:.0f}",
                f"{naive['p50']:.0f} / {naive['p95']:.0f}",
                _ratio(mine["p95"], naive["p95"]),
            )
        )
    table(
        f"Chromium, ms: project vs naive page (median [min-max] of {results['runs']} runs, "
        "interleaved; cold = fresh profile, warm = same profile, second load)",
        ("measure", "project", "naive", "project/naive"),
        rows,
    )

    phase_rows = []
    for visit in ("cold", "warm"):
        visits = loads["project"][visit]
        keys = sorted(
            {key for load in visits for key in load["phases"]},
            key=lambda key: statistics.median(load["phases"].get(key, 0) for load in visits),
        )
        for key in keys:
            values = [
                load["phases"][key] for load in loads["project"][visit] if key in load["phases"]
            ]
            phase_rows.append((visit, key, statistics.median(values)))
    table(
        "Project time to ready, from outside (the page sets no performance marks): medians, ms "
        "since navigation start (resource timings; worker_reported_start = the worker's own "
        "loadPyodide → ready)",
        ("visit", "moment", "ms"),
        phase_rows,
    )

    sizes = results["bytes"]
    byte_rows = [
        (
            name,
            sizes[name]["requests"],
            sizes[name]["transfer"] / 1024,
            sizes[name]["gzip"] / 1024,
            (sizes[name]["gzip"] - sizes["bare_theme"]["gzip"]) / 1024,
        )
        for name in ("bare_theme", "article", "calculator")
    ]
    table(
        "Bytes of a first visit, KiB (every response; gzip = each body gzip -6 in Python; the "
        "bench server sends them uncompressed)",
        ("page", "requests", "transferred", "gzip", "gzip over bare theme"),
        byte_rows,
    )
    print(
        f"  calculator page: the runtime (Pyodide, stdlib, wheel) is "
        f"{sizes['calculator']['runtime_gzip'] / 1024:,.0f} KiB of it gzipped"
    )

    memory = results["worker_memory"]
    if "after_10" in memory:
        mem_rows = [
            (
                label,
                *(
                    memory[key].get(field, 0) / 2**20
                    for field in ("usedSize", "totalSize", "backingStorageSize")
                ),
            )
            for label, key in (("after 10", "after_10"), ("after 1,000", "after_1000"))
        ]
        table(
            f"Worker memory, MiB ({memory['method']})",
            ("calculations", "V8 used", "V8 total", "ArrayBuffers"),
            mem_rows,
        )
    else:
        print(f"\nWorker memory: not measured ({memory.get('error')})")

    build_rows: list[tuple[object, ...]] = [
        (f"site ({results['build_pages']} pages, with assets)", results["build_s"])
    ]
    if "build_10x_s" in results:
        build_rows.append(
            (
                f"ten times larger ({results['build_10x_pages']} pages, mkdocs only)",
                results["build_10x_s"],
            )
        )
    table("Build time, s", ("site", "seconds"), build_rows)
    if "build_10x_error" in results:
        print(f"  the ten-times site did not build: {results['build_10x_error'][-400:]}")

    project_tasks = [
        load["longest_task_ms"] for visit in ("cold", "warm") for load in loads["project"][visit]
    ]
    targets = {
        "ready cold <= 0.33x naive": _target(summary["cold_ready_ms"], 0.33),
        "ready warm <= 0.33x naive": _target(summary["warm_ready_ms"], 0.33),
        "second page <= 100 ms": {"value": second["median"], "met": second["median"] <= 100},
        "recalculation p95 (select) <= 30 ms": {
            "value": summary["recalc_select_project"]["p95"],
            "met": summary["recalc_select_project"]["p95"] <= 30,
        },
        "no main-thread task > 50 ms (project, any run)": {
            "value": max(project_tasks),
            "met": max(project_tasks) <= 50,
        },
        "article <= 15 KiB gzipped over bare theme": {
            "value": byte_rows[1][4],
            "met": byte_rows[1][4] <= 15,
        },
    }
    table(
        "Targets (issue #15); measured, never asserted",
        ("target", "measured", "met"),
        [
            (name, f"{entry['value']:.2f}", "yes" if entry["met"] else "NO")
            for name, entry in targets.items()
        ],
    )
    print("  the machine's cores are shared: figures are noisy; compare ratios, not absolutes")
    results["summary"] = summary
    results["targets"] = targets
    return targets


def _target(figure: dict[str, Any], ceiling: float) -> dict[str, Any]:
    ratio = figure["project"]["median"] / figure["naive"]["median"]
    return {"value": ratio, "met": ratio <= ceiling}


def _span(figure: dict[str, float]) -> str:
    return f"{figure['median']:,.0f} [{figure['min']:,.0f}-{figure['max']:,.0f}]"


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "n/a"
