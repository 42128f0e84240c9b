"""Golden request/response pairs for ``prorate``: exact equality, one file per case.

The same files are replayed inside Pyodide by ``tests/test_pyodide_parity.py``. A changed figure
fails here with a diff of the two responses; review the figures by hand before updating a file.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

import pytest

from calculators.commands.prorate import prorate

GOLDEN = Path(__file__).resolve().parent / "golden" / "prorate"
FILES = sorted(GOLDEN.glob("*.json"))


def read(path: Path) -> dict[str, Any]:
    case = json.loads(path.read_text(encoding="utf-8"))
    assert set(case) == {"name", "request", "response"}, f"{path.name}: unexpected keys"
    assert isinstance(case["name"], str) and case["name"]
    return case  # type: ignore[no-any-return]


def test_there_are_enough_varied_golden_cases() -> None:
    assert len(FILES) >= 15
    cases = [read(path) for path in FILES]
    assert any("errors" in case["response"] for case in cases)
    requests = [case["request"] for case in cases]
    currencies = {request.get("currency") for request in requests}
    assert {"USD", "JPY", "KWD"} <= currencies
    applies = {(request.get("policy") or {}).get("apply", "immediately") for request in requests}
    assert applies >= {"immediately", "next_invoice", "period_end", "without_proration"}


@pytest.mark.parametrize("path", FILES, ids=[path.stem for path in FILES])
def test_golden_response(path: Path) -> None:
    case = read(path)
    response = prorate(case["request"])
    assert json.loads(json.dumps(response)) == response  # survives a JSON round trip unchanged
    if response != case["response"]:
        expected = json.dumps(case["response"], indent=2, ensure_ascii=False).splitlines()
        actual = json.dumps(response, indent=2, ensure_ascii=False).splitlines()
        diff = "\n".join(difflib.unified_diff(expected, actual, "golden", "now", lineterm=""))
        pytest.fail(f"{path.name} ({case['name']}) no longer matches:\n{diff}")
