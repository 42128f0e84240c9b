"""Golden request/response pairs for the planning calculators.

Each file in ``tests/golden/{compare,growth,addons,record,notice,change}/`` is
``{"name": ..., "request": ..., "response": ...}``, computed with the frozen catalogue
``tests/fixtures/catalogue.json``. The same files are replayed inside Pyodide, so a response must
be byte-for-byte the same in both runtimes. After an intended change of output, rewrite the
stored responses (the requests stay) with ``--update-goldens`` (``tests/golden_cases.py``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import golden_cases

FAMILIES = ("compare", "growth", "addons", "record", "notice", "change")
FILES = golden_cases.files(*FAMILIES)


def test_every_family_is_checked_here_or_with_prorate() -> None:
    assert sorted({path.parent.name for path in golden_cases.files()}) == sorted(
        {*FAMILIES, "prorate"}
    )


@pytest.mark.parametrize("folder", FAMILIES)
def test_every_calculator_has_golden_cases(folder: str) -> None:
    assert len(golden_cases.files(folder)) >= 4


@pytest.mark.parametrize("path", FILES, ids=[golden_cases.case_id(p) for p in FILES])
def test_golden(path: Path, update_goldens: bool) -> None:
    golden_cases.check(path, update=update_goldens)


@pytest.mark.parametrize("family", [*FAMILIES, "prorate"])
def test_an_update_rewrites_only_a_changed_response(family: str, tmp_path: Path) -> None:
    original = golden_cases.files(family)[0]
    stale = tmp_path / family / original.name
    stale.parent.mkdir()
    case = golden_cases.read(original)
    stale.write_text(golden_cases.dump({**case, "response": {"stale": True}}), encoding="utf-8")
    with pytest.raises(pytest.fail.Exception, match="no longer matches"):
        golden_cases.check(stale, update=False)
    golden_cases.check(stale, update=True)
    assert stale.read_text(encoding="utf-8") == original.read_text(encoding="utf-8")
