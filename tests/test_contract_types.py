"""The contract types (``calculators.domain.contract_types``) describe the JSON the commands
really read and write: every golden request and response conforms to its type, key for key, and
each command's reader accepts exactly the fields its request type names and requires exactly the
ones it marks required.

``mypy --strict`` checks the code that builds and reads these shapes; this checks the shapes
against what the commands do, so the types cannot drift from the contracts."""

from __future__ import annotations

import json
import re
import types
from collections.abc import Mapping
from pathlib import Path
from typing import (
    NotRequired,
    Required,
    Union,
    get_args,
    get_origin,
    get_type_hints,
    is_typeddict,
)

import pytest

from calculators import api
from calculators.domain.catalogue import Catalogue
from calculators.domain.contract_types.addons import AddonsRequest, AddonsResponse
from calculators.domain.contract_types.change import ChangeRequest, ChangeResponse
from calculators.domain.contract_types.compare import CompareRequest, CompareResponse
from calculators.domain.contract_types.errors import ErrorResponse
from calculators.domain.contract_types.growth import GrowthRequest, GrowthResponse
from calculators.domain.contract_types.prorate import ProrateRequest, ProrateResponse
from calculators.domain.contract_types.records import (
    NoticeRequest,
    NoticeResponse,
    RecordRequest,
    RecordResponse,
)

GOLDEN = Path(__file__).resolve().parent / "golden"
TYPES: dict[str, tuple[object, object]] = {
    "prorate": (ProrateRequest, ProrateResponse),
    "compare": (CompareRequest, CompareResponse),
    "growth": (GrowthRequest, GrowthResponse),
    "addons": (AddonsRequest, AddonsResponse),
    "change": (ChangeRequest, ChangeResponse),
    "record": (RecordRequest, RecordResponse),
    "notice": (NoticeRequest, NoticeResponse),
}
CASES = sorted(GOLDEN.glob("*/*.json"))


def _case(path: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _answered(path: Path) -> bool:
    response = _case(path)["response"]
    return isinstance(response, dict) and "errors" not in response


# A request that is refused need not be of the request type.
ANSWERED = [path for path in CASES if _answered(path)]


def _keys(typed: type) -> tuple[set[str], set[str]]:
    """(required, optional) keys of a TypedDict.

    Python 3.11 does not see ``Required[...]`` and ``NotRequired[...]`` in string annotations
    when it computes ``__required_keys__`` (it keeps them as ``ForwardRef``s), so the annotation's
    text corrects it."""
    required, optional = set(typed.__required_keys__), set(typed.__optional_keys__)
    for key, annotation in typed.__annotations__.items():
        text = getattr(
            annotation, "__forward_arg__", annotation if isinstance(annotation, str) else ""
        )
        if text.startswith("Required[") or get_origin(annotation) is Required:
            required.add(key)
            optional.discard(key)
        elif text.startswith("NotRequired[") or get_origin(annotation) is NotRequired:
            optional.add(key)
            required.discard(key)
    return required, optional


def problems(value: object, hint: object, where: str) -> list[str]:
    """Every way ``value`` is not of type ``hint``, each with its path."""
    origin = get_origin(hint)
    if origin in (Required, NotRequired):
        return problems(value, get_args(hint)[0], where)
    if isinstance(hint, type) and is_typeddict(hint):
        if not isinstance(value, Mapping):
            return [f"{where}: a {hint.__name__} object expected, got {value!r}"]
        required, optional = _keys(hint)
        found = [f"{where}.{key}: missing" for key in sorted(required - set(value))]
        found += [
            f"{where}.{key}: not in {hint.__name__}"
            for key in value
            if key not in required | optional
        ]
        fields = get_type_hints(hint, include_extras=True)
        for key, item in value.items():
            if key in fields:
                found += problems(item, fields[key], f"{where}.{key}")
        return found
    if origin in (Union, types.UnionType):
        arms = [arm for arm in get_args(hint) if value is None or arm is not type(None)]
        if len(arms) == 1:  # X | None and not null: the value is an X
            return problems(value, arms[0], where)
        if any(not problems(value, arm, where) for arm in arms):
            return []
        return [f"{where}: {value!r} is none of {hint}"]
    if origin is list:
        if not isinstance(value, list):
            return [f"{where}: a list expected, got {value!r}"]
        (item,) = get_args(hint)
        return [
            p
            for index, element in enumerate(value)
            for p in problems(element, item, f"{where}[{index}]")
        ]
    if origin is dict:
        if not isinstance(value, dict):
            return [f"{where}: an object expected, got {value!r}"]
        _, item = get_args(hint)
        return [
            p for key, element in value.items() for p in problems(element, item, f"{where}.{key}")
        ]
    if hint is type(None) or hint is None:
        return [] if value is None else [f"{where}: null expected, got {value!r}"]
    if hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        return [] if ok else [f"{where}: a whole number expected, got {value!r}"]
    if hint in (str, bool):
        assert isinstance(hint, type)
        return (
            [] if isinstance(value, hint) else [f"{where}: {hint.__name__} expected, got {value!r}"]
        )
    raise AssertionError(f"{where}: the test does not know the type {hint!r}")


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_golden_response_is_of_its_contract_type(path: Path) -> None:
    response = _case(path)["response"]
    assert isinstance(response, dict)
    expected = ErrorResponse if "errors" in response else TYPES[path.parent.name][1]
    assert problems(response, expected, "response") == []


@pytest.mark.parametrize("path", ANSWERED, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_golden_request_that_is_answered_is_of_its_contract_type(path: Path) -> None:
    assert problems(_case(path)["request"], TYPES[path.parent.name][0], "request") == []


def test_the_checker_finds_what_does_not_conform() -> None:
    """The check above would notice a missing field, an extra one and a wrong type."""
    good = _case(GOLDEN / "compare" / "small-team-needs-sso.json")["response"]
    assert isinstance(good, dict)
    assert problems(good, CompareResponse, "r") == []
    broken = json.loads(json.dumps(good))
    del broken["recommendation"]["reason"]
    broken["plans"][0]["colour"] = "blue"
    broken["plans"][1]["rank"] = "1"
    broken["plans"][2]["fits"] = 1
    assert problems(broken, CompareResponse, "r") == [
        "r.plans[0].colour: not in ComparePlan",
        "r.plans[1].rank: a whole number expected, got '1'",
        "r.plans[2].fits: bool expected, got 1",
        "r.recommendation.reason: missing",
    ]


# --- the readers accept what the request types say ---------------------------------------------

_ALLOWED = re.compile(r"(?:allowed here|known fields here): (.*)$")


def _answer(command: str, request: object, catalogue: Catalogue) -> list[dict[str, str]]:
    response = api.run(command, request, catalogue=catalogue)
    assert "errors" in response
    return list(response["errors"])


@pytest.mark.parametrize("command", sorted(TYPES))
def test_each_reader_accepts_exactly_the_fields_of_its_request_type(
    command: str, catalogue: Catalogue
) -> None:
    required, optional = _keys(TYPES[command][0])  # type: ignore[arg-type]
    errors = _answer(command, {"zz_not_a_field": 1}, catalogue)
    allowed = next(m.group(1) for e in errors if (m := _ALLOWED.search(e["message"])))
    assert set(allowed.split(", ")) == required | optional
    missing = {e["field"] for e in errors if e["message"] == "missing (required)"}
    if command != "prorate":  # the prorate reader names a missing field in its own words
        assert missing == required


@pytest.mark.parametrize(
    ("command", "path", "typed"),
    [
        ("prorate", ("current",), "ProrateCurrent"),
        ("prorate", ("new",), "ProrateNew"),
        ("prorate", ("policy",), "ProratePolicy"),
        ("change", ("current",), "ChangeCurrent"),
        ("change", ("new",), "ChangeNew"),
        ("addons", ("change",), "AddonsChangeRequest"),
        ("growth", ("growth",), "GrowthForm"),
        ("record", ("from",), "SideRequest"),
        ("record", ("reason",), "ReasonRequest"),
        ("record", ("requested_by",), "RequestedBy"),
    ],
)
def test_each_reader_accepts_exactly_the_fields_of_its_nested_types(
    command: str, path: tuple[str, ...], typed: str, catalogue: Catalogue
) -> None:
    request_type = TYPES[command][0]
    assert isinstance(request_type, type)
    nested = get_type_hints(request_type, include_extras=True)[path[0]]
    while get_origin(nested) in (Required, NotRequired, types.UnionType):
        nested = next(arm for arm in get_args(nested) if arm is not type(None))
    assert nested.__name__ == typed
    answered = (_case(p)["request"] for p in ANSWERED if p.parent.name == command)
    request = next(r for r in answered if isinstance(r, dict) and isinstance(r.get(path[0]), dict))
    request = json.loads(json.dumps(request))
    request[path[0]]["zz_not_a_field"] = 1
    errors = _answer(command, request, catalogue)
    where = f"{path[0]}.zz_not_a_field"
    message = next(e["message"] for e in errors if e["field"] == where)
    match = _ALLOWED.search(message)
    assert match is not None, message
    required, optional = _keys(nested)
    assert set(match.group(1).split(", ")) == required | optional
