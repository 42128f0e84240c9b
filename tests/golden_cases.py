"""The golden files: how each family is answered and compared, and rewritten after a change.

``tests/golden/<command>/<case>.json`` is ``{"name", "request", "response"}``, one folder (family)
per calculator command. Every response is ``api.run(command, request)`` with the frozen catalogue
``tests/fixtures/catalogue.json``: the call ``tests/test_pyodide_parity.py`` replays in Pyodide.
Files are written as ``dump`` writes them, so a rewrite changes only the figures that changed.

``pytest tests/test_golden_prorate.py tests/test_golden_planning.py --update-goldens`` (the option
is declared in ``tests/conftest.py``) rewrites the response of every file that no longer matches;
the name and request stay. Review the diff by hand before committing it.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

import pytest

from calculators import api
from calculators.requests.catalogue import read_catalogue_file

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
CATALOGUE = read_catalogue_file(GOLDEN_DIR.parent / "fixtures" / "catalogue.json")
KEYS = {"name", "request", "response"}


def files(*families: str) -> list[Path]:
    """The golden files of these families (folder names), or of every family, sorted."""
    folders = families or tuple(sorted(path.name for path in GOLDEN_DIR.iterdir() if path.is_dir()))
    return sorted(path for folder in folders for path in (GOLDEN_DIR / folder).glob("*.json"))


def case_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def read(path: Path) -> dict[str, Any]:
    case: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    assert set(case) == KEYS, f"{case_id(path)}: the keys are {sorted(KEYS)}, not {sorted(case)}"
    assert isinstance(case["name"], str) and case["name"], f"{case_id(path)}: a case has a name"
    return case


def dump(case: dict[str, Any]) -> str:
    return json.dumps(case, indent=2, ensure_ascii=False) + "\n"


def answer(path: Path, request: object) -> Any:
    """What the calculator of this file's family answers to ``request`` today."""
    return api.run(path.parent.name, request, catalogue=CATALOGUE)


def check(path: Path, *, update: bool) -> Any:
    """Compare the file with today's answer to its request, byte for byte; return the answer.

    A file that differs fails with a diff of the two, or, with ``update``, is rewritten.
    """
    case = read(path)
    response = answer(path, case["request"])
    stored = path.read_text(encoding="utf-8")
    fresh = dump({**case, "response": response})
    if stored == fresh:
        return response
    if update:
        path.write_text(fresh, encoding="utf-8")
        return response
    diff = "\n".join(
        difflib.unified_diff(stored.splitlines(), fresh.splitlines(), "golden", "now", lineterm="")
    )
    pytest.fail(
        f"{case_id(path)} ({case['name']}) no longer matches; after an intended change, rewrite "
        f"it with --update-goldens and review the figures:\n{diff}"
    )
