"""Golden request/response pairs for the planning calculators.

Each file in ``tests/golden/{compare,growth,addons,record,notice,change}/`` is
``{"name": ..., "request": ..., "response": ...}``, computed with the frozen catalogue
``tests/fixtures/catalogue.json``. The same files are replayed inside Pyodide, so a response must
be byte-for-byte the same in both runtimes.

After an intended change of output, rewrite the stored responses (the requests stay) with::

    PYTHONPATH=. python tests/test_golden_planning.py --update
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from calculators import api
from calculators.requests.catalogue import read_catalogue_file

ROOT = Path(__file__).parent
GOLDEN = ROOT / "golden"
CATALOGUE = read_catalogue_file(ROOT / "fixtures" / "catalogue.json")
# Golden folder -> calculator name in ``calculators.api.COMMANDS``.
CALCULATORS = {"compare": "compare", "growth": "growth", "addons": "addons",
               "record": "record", "notice": "notice", "change": "change"}
FILES = sorted(path for folder in CALCULATORS for path in (GOLDEN / folder).glob("*.json"))


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def dump(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("folder", sorted(CALCULATORS))
def test_every_calculator_has_golden_cases(folder: str) -> None:
    assert len(list((GOLDEN / folder).glob("*.json"))) >= 4


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.stem}" for p in FILES])
def test_golden(path: Path) -> None:
    case = load(path)
    assert set(case) == {"name", "request", "response"}
    response = api.run(CALCULATORS[path.parent.name], case["request"], catalogue=CATALOGUE)
    assert response == case["response"]
    # Byte-identical JSON, as the browser compares it.
    assert json.dumps(response, ensure_ascii=False) == json.dumps(case["response"],
                                                                  ensure_ascii=False)
    assert path.read_text(encoding="utf-8") == dump(case)


def update() -> None:
    for path in FILES:
        case = load(path)
        case["response"] = api.run(CALCULATORS[path.parent.name], case["request"],
                                   catalogue=CATALOGUE)
        path.write_text(dump(case), encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        raise SystemExit(__doc__)
    update()
