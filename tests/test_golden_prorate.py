"""Golden request/response pairs for ``prorate``: exact equality, one file per case.

The same files are replayed inside Pyodide by ``tests/test_pyodide_parity.py``. A changed figure
fails here with a diff of the two responses; review the figures by hand before rewriting the
files with ``--update-goldens`` (``tests/golden_cases.py``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import golden_cases

FILES = golden_cases.files("prorate")


def test_there_are_enough_varied_golden_cases() -> None:
    assert len(FILES) >= 15
    cases = [golden_cases.read(path) for path in FILES]
    assert any("errors" in case["response"] for case in cases)
    requests = [case["request"] for case in cases]
    currencies = {request.get("currency") for request in requests}
    assert {"USD", "JPY", "KWD"} <= currencies
    applies = {(request.get("policy") or {}).get("apply", "immediately") for request in requests}
    assert applies >= {"immediately", "next_invoice", "period_end", "without_proration"}


@pytest.mark.parametrize("path", FILES, ids=[path.stem for path in FILES])
def test_golden_response(path: Path, update_goldens: bool) -> None:
    response = golden_cases.check(path, update=update_goldens)
    assert json.loads(json.dumps(response)) == response  # survives a JSON round trip unchanged
