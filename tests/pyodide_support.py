"""Helpers to run the calculators inside the pinned Pyodide under Node (tests and benchmark).

- ``built_wheel(tmp_path_factory)``: the calculators wheel, built by ``macros/assets.py``.
- ``built_stdlib(out_dir, cache_dir)``: the trimmed precompiled standard library, same builder.
- ``run_in_pyodide(cases, catalogue, wheel, stdlib=None)``: one Node process running
  ``tests/pyodide_runner.mjs``; returns one item per case: the result as Python serialised it
  (``json.dumps(..., sort_keys=True, ensure_ascii=False)``) or ``{"exception": traceback}``.
- ``cpython_json(value)``: the same serialisation on this side, to compare strings exactly.

Node and ``node_modules/pyodide`` are required; when missing, the error says to run ``npm ci``.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RUNNER = PROJECT_ROOT / "tests" / "pyodide_runner.mjs"
PYODIDE_DIR = PROJECT_ROOT / "node_modules" / "pyodide"
GOLDEN_DIR = PROJECT_ROOT / "tests" / "golden"
CATALOGUE_FIXTURE = PROJECT_ROOT / "tests" / "fixtures" / "catalogue.json"
NPM_HINT = "run `npm ci` in the project root to install the pinned Pyodide from package-lock.json"

if str(PROJECT_ROOT) not in sys.path:  # so `calculators` imports when run as a script
    sys.path.insert(0, str(PROJECT_ROOT))


class PyodideUnavailable(RuntimeError):
    """Node or the pinned Pyodide is not installed."""


def load_assets() -> ModuleType:
    """``macros/assets.py``, loaded by path: it needs no mkdocs, unlike the ``macros`` package."""
    name = "plan_kb_build_assets"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, PROJECT_ROOT / "macros" / "assets.py")
    if spec is None or spec.loader is None:
        raise ImportError("cannot load macros/assets.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def built_wheel(tmp_path_factory: Any) -> Path:
    """Build the calculators wheel into a fresh temporary directory; return its path."""
    out_dir = Path(tmp_path_factory.mktemp("wheel"))
    name: str = load_assets().build_wheel(PROJECT_ROOT, out_dir)
    return out_dir / name


def built_stdlib(out_dir: Path, cache_dir: Path) -> Path:
    """Build (or take from ``cache_dir``) the trimmed precompiled stdlib zip; return its path."""
    require_node()
    name: str = load_assets().build_stdlib(PROJECT_ROOT, Path(out_dir), Path(cache_dir))
    return Path(out_dir) / name


def require_node() -> str:
    """The ``node`` executable; raises ``PyodideUnavailable`` naming what to install."""
    node = shutil.which("node")
    if node is None:
        raise PyodideUnavailable("Node.js (`node`) is not on PATH; the Pyodide tests need Node 18+")
    if not (PYODIDE_DIR / "pyodide.mjs").is_file():
        raise PyodideUnavailable(f"{PYODIDE_DIR} is missing; {NPM_HINT}")
    return node


def run_in_pyodide(
    cases: Sequence[Mapping[str, Any]],
    catalogue: Mapping[str, Any] | None,
    wheel: Path,
    stdlib: Path | None = None,
    *,
    python: str | None = None,
    repeat: int = 0,
    timings: Path | None = None,
    timeout: float = 600,
) -> list[Any]:
    """Run every case in one Node process; see ``tests/pyodide_runner.mjs`` for the case shapes."""
    node = require_node()
    command = [node, str(RUNNER), "--wheel", str(wheel)]
    if stdlib is not None:
        command += ["--stdlib", str(stdlib)]
    if timings is not None:
        command += ["--timings", str(timings), "--repeat", str(repeat)]
    document = {"catalogue": catalogue, "cases": list(cases), "python": python}
    result = subprocess.run(
        command,
        input=json.dumps(document, ensure_ascii=False),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        cwd=PROJECT_ROOT,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"tests/pyodide_runner.mjs failed (exit {result.returncode}):\n{result.stderr.strip()}"
        )
    answers = json.loads(result.stdout)
    if not isinstance(answers, list) or len(answers) != len(cases):
        raise RuntimeError(f"the runner answered {len(answers)} items for {len(cases)} cases")
    return answers


def cpython_json(value: object) -> str:
    """Serialise exactly as the runner does inside Pyodide."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def golden_files() -> list[Path]:
    """Every ``tests/golden/<command>/<case>.json``, sorted."""
    return sorted(GOLDEN_DIR.glob("*/*.json"))


def load_catalogue_fixture() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(CATALOGUE_FIXTURE.read_text(encoding="utf-8"))
    return data
