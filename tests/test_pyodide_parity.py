"""The calculators give the same answer, string for string, in Pyodide and in CPython.

Every golden request under ``tests/golden/<command>/*.json`` is replayed in the pinned Pyodide
under Node, on the trimmed precompiled standard library the site ships, with the wheel the site
ships, all in one Node process (start-up is the cost). Each Pyodide answer is compared with
CPython's ``api.run`` on the same request, both serialised with ``json.dumps(sort_keys=True,
ensure_ascii=False)``. The same process also imports every calculators module and every standard
library module they import, so a new import that the trimmed stdlib lacks fails here by name.

Also here: the wheel is reproducible and its name follows its sources; the trimmed stdlib holds
bytecode only and is smaller than the stock one; the runtime copy holds only what the browser loads.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import json
import shutil
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from pyodide_support import (
    PROJECT_ROOT,
    PYODIDE_DIR,
    built_stdlib,
    built_wheel,
    cpython_json,
    golden_files,
    load_assets,
    load_catalogue_fixture,
    run_in_pyodide,
)

from calculators import api
from calculators.requests.catalogue import parse_catalogue

pytestmark = pytest.mark.pyodide

GOLDEN = golden_files()
IMPORT_CHECK = "__import_check__"

# Run inside Pyodide as module __runner__: import what the calculators import.
IMPORT_ALL = """
import importlib, pkgutil, traceback

def import_all(stdlib_modules):
    import calculators
    names = [info.name for info in pkgutil.walk_packages(calculators.__path__, "calculators.")]
    failed = {}
    for name in ["calculators", *names, *stdlib_modules]:
        try:
            importlib.import_module(name)
        except Exception:
            failed[name] = traceback.format_exc(limit=-3)
    return {"imported": sorted(["calculators", *names]), "failed": failed}
"""


def _golden_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def _read_golden(path: Path) -> tuple[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or "request" not in data:
        pytest.fail(f"{path}: a golden file is {{'name', 'request', 'response'}}")
    return path.parent.name, data["request"]


def _stdlib_imports_of_calculators() -> list[str]:
    """Standard library modules named in ``import`` statements or ``import_module("...")``."""
    found: set[str] = set()
    for path in sorted((PROJECT_ROOT / "calculators").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module)
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "import_module"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value)
    return sorted(name for name in found if name.split(".")[0] in sys.stdlib_module_names)


@pytest.fixture(scope="session")
def pyodide_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_wheel(tmp_path_factory)


@pytest.fixture(scope="session")
def trimmed_stdlib(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    # Cached across sessions in .pytest_cache (keyed by Pyodide version and script hash).
    cache_dir = Path(request.config.cache.mkdir("pyodide-stdlib"))
    return built_stdlib(tmp_path_factory.mktemp("stdlib"), cache_dir)


@pytest.fixture(scope="session")
def pyodide_answers(pyodide_wheel: Path, trimmed_stdlib: Path) -> dict[str, Any]:
    """Every golden case plus the import check, answered by one Node process."""
    cases: list[dict[str, Any]] = []
    keys: list[str] = []
    for path in GOLDEN:
        command, request = _read_golden(path)
        if command in api.COMMANDS:
            cases.append({"command": command, "request": request})
            keys.append(_golden_id(path))
    for key, widget, params in WIDGET_CASES:
        cases.append(
            {
                "call": "calculators.web:evaluate_text",
                "catalogue_kwarg": "catalogue",
                "args": [widget, json.dumps(params), WIDGET_DAY],
            }
        )
        keys.append(key)
    cases.append({"call": "__runner__:import_all", "args": [_stdlib_imports_of_calculators()]})
    keys.append(IMPORT_CHECK)
    answers = run_in_pyodide(
        cases, load_catalogue_fixture(), pyodide_wheel, trimmed_stdlib, python=IMPORT_ALL
    )
    return dict(zip(keys, answers, strict=True))


# Page widgets: the HTML fragment the browser swaps in must be byte-identical to the one the
# build prerendered, so the same form inputs go through both runtimes.
WIDGET_DAY = "2026-03-16"
WIDGET_CASES: list[tuple[str, str, dict[str, str]]] = [
    ("widget/proration-defaults", "proration", {}),
    (
        "widget/proration-downgrade-yen",
        "proration",
        {"from_plan": "scale", "to_plan": "starter", "currency": "JPY"},
    ),
    ("widget/proration-to-annual", "proration", {"to_plan": "team", "to_interval": "year"}),
    (
        "widget/proration-hostile",
        "proration",
        {"to_plan": "<script>alert(1)</script>", "change_at": "2026-02-30"},
    ),
    (
        "widget/comparison",
        "plan-comparison",
        {"storage": "120", "seats": "6", "features": "sso", "current_plan": "business"},
    ),
    (
        "widget/growth",
        "growth",
        {"storage": "60", "bandwidth": "500", "plan": "team", "rate": "10", "chart": "storage"},
    ),
    ("widget/add-ons", "add-ons", {"plan": "team", "extra_storage": "2", "sso": "1"}),
    ("widget/add-ons-included", "add-ons", {"plan": "business", "sso": "1"}),
    ("widget/change-record", "change-record", {"from_plan": "business", "to_plan": "team"}),
]


@pytest.mark.parametrize(
    ("key", "widget", "params"), WIDGET_CASES, ids=[case[0] for case in WIDGET_CASES]
)
def test_widget_fragments_are_byte_identical_in_pyodide(
    key: str, widget: str, params: dict[str, str], pyodide_answers: dict[str, Any]
) -> None:
    from calculators import web

    catalogue = parse_catalogue(load_catalogue_fixture(), source="catalogue.json")
    expected = cpython_json(web.evaluate_text(widget, json.dumps(params), WIDGET_DAY, catalogue))
    answer = pyodide_answers[key]
    if isinstance(answer, dict):
        pytest.fail(f"{key} raised in Pyodide:\n{answer['exception']}")
    assert answer == expected
    assert json.loads(answer)["html"] or json.loads(answer)["errors"]


def test_there_are_golden_files() -> None:
    assert GOLDEN, "no golden files under tests/golden/*/*.json: nothing to compare"


@pytest.mark.parametrize("golden", GOLDEN, ids=[_golden_id(path) for path in GOLDEN])
def test_pyodide_answers_like_cpython(golden: Path, pyodide_answers: dict[str, Any]) -> None:
    command, request = _read_golden(golden)
    if command not in api.COMMANDS:
        pytest.fail(
            f"tests/golden/{command}/ is not a calculator command ({', '.join(api.COMMANDS)}); "
            "teach tests/test_pyodide_parity.py how to replay it"
        )
    catalogue = parse_catalogue(load_catalogue_fixture(), source="catalogue.json")
    expected = cpython_json(api.run(command, request, catalogue=catalogue))
    answer = pyodide_answers[_golden_id(golden)]
    if isinstance(answer, dict):
        pytest.fail(f"{_golden_id(golden)} raised in Pyodide:\n{answer['exception']}")
    assert answer == expected


def test_calculators_import_in_pyodide_with_the_trimmed_stdlib(
    pyodide_answers: dict[str, Any],
) -> None:
    answer = pyodide_answers[IMPORT_CHECK]
    if isinstance(answer, dict):
        pytest.fail(f"the import check raised in Pyodide:\n{answer['exception']}")
    result = json.loads(answer)
    assert "calculators.api" in result["imported"]
    failures = "\n".join(f"{name}:\n{trace}" for name, trace in result["failed"].items())
    assert not result["failed"], (
        f"cannot import in Pyodide with the trimmed stdlib:\n{failures}\nA standard-library module "
        "that macros/precompile_stdlib.mjs drops must be added to its CALCULATOR_STDLIB."
    )


# --- the wheel ---------------------------------------------------------------------------------


def _copy_sources(destination: Path) -> Path:
    shutil.copytree(
        PROJECT_ROOT / "calculators",
        destination / "calculators",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    shutil.copy(PROJECT_ROOT / "pyproject.toml", destination / "pyproject.toml")
    (destination / "tools").mkdir()  # the wheel's version: pyproject.toml [tool.hatch.version]
    shutil.copy(PROJECT_ROOT / "tools" / "wheel_version.py", destination / "tools")
    return destination


def test_wheel_is_reproducible_and_named_by_its_sources(tmp_path: Path) -> None:
    assets = load_assets()
    project = _copy_sources(tmp_path / "project")
    first = assets.build_wheel(project, tmp_path / "one")
    second = assets.build_wheel(project, tmp_path / "two")
    assert first == second
    assert (tmp_path / "one" / first).read_bytes() == (tmp_path / "two" / second).read_bytes()
    assert first.startswith("calculators-0.1.0+g") and first.endswith("-py3-none-any.whl")

    api_source = project / "calculators" / "api.py"
    api_source.write_text(api_source.read_text(encoding="utf-8") + "\n# changed\n", "utf-8")
    changed = assets.build_wheel(project, tmp_path / "three")
    assert changed != first


def test_wheel_holds_the_package_and_a_valid_record(pyodide_wheel: Path) -> None:
    sources = sorted(
        path.relative_to(PROJECT_ROOT).as_posix()
        for path in (PROJECT_ROOT / "calculators").rglob("*.py")
        if "__pycache__" not in path.parts
    )
    with zipfile.ZipFile(pyodide_wheel) as wheel:
        names = wheel.namelist()
        version = pyodide_wheel.name.split("-")[1]
        dist_info = f"calculators-{version}.dist-info"
        # Every source, nothing else (the backend lists a folder's files before its folders).
        assert sorted(name for name in names if not name.startswith(dist_info)) == sources
        metadata = wheel.read(f"{dist_info}/METADATA").decode()
        assert f"Version: {version}\n" in metadata
        assert "Tag: py3-none-any" in wheel.read(f"{dist_info}/WHEEL").decode()
        for line in wheel.read(f"{dist_info}/RECORD").decode().splitlines():
            name, digest, size = line.rsplit(",", 2)
            if name.endswith("/RECORD"):
                continue
            data = wheel.read(name)
            expected = hashlib.sha256(data).digest()
            assert digest == "sha256=" + base64.urlsafe_b64encode(expected).rstrip(b"=").decode()
            assert int(size) == len(data)
        assert {info.date_time for info in wheel.infolist()} == {(1980, 1, 1, 0, 0, 0)}


# --- the standard library and the runtime copy -------------------------------------------------


def test_trimmed_stdlib_is_bytecode_only_and_smaller(trimmed_stdlib: Path) -> None:
    with zipfile.ZipFile(trimmed_stdlib) as archive:
        names = archive.namelist()
        sources = [name for name in names if name.endswith(".py")]
        assert not sources, f"source shipped next to bytecode: {sources[:10]}"
        compiled = [name for name in names if name.endswith(".pyc")]
        assert "json/__init__.pyc" in compiled and "decimal.pyc" in compiled
        headers = {archive.read(name)[:8] for name in compiled}
    magics = {header[:4] for header in headers}
    assert len(magics) == 1, "bytecode from more than one interpreter"
    # Flags 0b01: hash-based and unchecked, so no timestamp and no source lookup.
    assert {int.from_bytes(header[4:8], "little") for header in headers} == {1}
    stock = (PYODIDE_DIR / "python_stdlib.zip").stat().st_size
    assert trimmed_stdlib.stat().st_size < stock


def test_trimmed_stdlib_is_cached(trimmed_stdlib: Path, tmp_path: Path) -> None:
    cache_dir = Path(tmp_path / "cache")
    cache_dir.mkdir()
    # Seed the cache with the zip from the session: a hit must not run Node again.
    assets = load_assets()
    version = assets.pyodide_version(PROJECT_ROOT)
    script_hash = hashlib.sha256((PROJECT_ROOT / assets.PRECOMPILE_SCRIPT).read_bytes())
    seeded = cache_dir / f"python_stdlib-{version}-{script_hash.hexdigest()[:16]}.zip"
    shutil.copyfile(trimmed_stdlib, seeded)
    name = assets.build_stdlib(PROJECT_ROOT, tmp_path / "out", cache_dir)
    assert (tmp_path / "out" / name).read_bytes() == trimmed_stdlib.read_bytes()
    assert sorted(path.name for path in cache_dir.iterdir()) == [seeded.name]


def test_runtime_copy_holds_only_what_the_browser_loads(tmp_path: Path) -> None:
    assets = load_assets()
    version = assets.copy_pyodide(PROJECT_ROOT, tmp_path)
    assert version == json.loads((PYODIDE_DIR / "package.json").read_text())["version"]
    copied = sorted(path.name for path in (tmp_path / version).iterdir())
    assert copied == sorted(assets.PYODIDE_RUNTIME_FILES)
    for name in copied:
        assert (tmp_path / version / name).read_bytes() == (PYODIDE_DIR / name).read_bytes()


def test_missing_node_modules_says_to_run_npm_ci(tmp_path: Path) -> None:
    assets = load_assets()
    with pytest.raises(assets.AssetError, match="npm ci"):
        assets.copy_pyodide(tmp_path, tmp_path / "out")
    with pytest.raises(assets.AssetError, match="npm ci"):
        assets.build_stdlib(tmp_path, tmp_path / "out", tmp_path / "cache")
