"""The JSON API and the command line never crash: every input gives a result or field errors.

Hypothesis feeds every command in ``api.COMMANDS`` arbitrary JSON-like values and mutations of
the golden requests (wrong types, huge and tiny numbers, long strings, deep nesting); the
nastiest inputs found are kept below as explicit regression cases, for the API and for
``python -m calculators``.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calculators import api, web
from calculators.domain.catalogue import Catalogue
from calculators.requests import untrusted
from calculators.web import widgets

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
COMMANDS = sorted(api.COMMANDS)

# A few seconds per command; the CI profile (tests/conftest.py) makes the examples fixed.
FUZZ = settings(deadline=None, max_examples=120, suppress_health_check=[HealthCheck.too_slow])


def golden_requests(command: str) -> list[Any]:
    return [
        json.loads(path.read_text(encoding="utf-8"))["request"]
        for path in sorted((GOLDEN / command).glob("*.json"))
    ]


def deep(levels: int, leaf: object = 1) -> object:
    """A list nested ``levels`` deep, built without recursion."""
    value: object = leaf
    for _ in range(levels):
        value = [value]
    return value


def check_response(response: object) -> None:
    """A result, or a non-empty list of errors each naming a field and the problem."""
    assert isinstance(response, dict)
    json.dumps(response, ensure_ascii=False)
    if "errors" in response:
        errors = response["errors"]
        assert isinstance(errors, list) and errors
        for error in errors:
            assert isinstance(error, dict)
            assert isinstance(error.get("field"), str)
            assert isinstance(error.get("message"), str) and error["message"]
            assert "Traceback" not in error["message"]


def run(command: str, request: object, catalogue: Catalogue) -> dict[str, Any]:
    response = api.run(command, request, catalogue=catalogue)
    check_response(response)
    return response


# Integers beyond 4,300 digits are made when drawn: Hypothesis prints its strategies, and
# CPython refuses to print such a number.
huge_numbers = st.sampled_from(
    [
        10**30,
        -(10**30),
        2**63,
        -(2**63),
        2**1000,
        1e308,
        -1e308,
        5e-324,
        -0.0,
        math.inf,
        -math.inf,
        math.nan,
        0.1,
        1e-30,
    ]
) | st.sampled_from([1, -1]).map(lambda sign: sign * 10**5000)
nasty_strings = st.sampled_from(
    [
        "",
        " ",
        "9" * 5000,
        "-" + "9" * 5000,
        "0." + "0" * 5000 + "1",
        "1e999999",
        "NaN",
        "Infinity",
        "-0",
        "0x10",
        "1_000",
        " 12 ",
        "١٢",
        "1,000.00",
        "\u0000",
        "\ud800",
        "<script>alert(1)</script>",
        "x" * 100_000,
        "2026-02-30",
        "9999-12-31T23:59:59Z",
    ]
)
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | huge_numbers
    | st.floats()
    | st.text(max_size=40)
    | nasty_strings
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=25,
)
# 100,000 levels are a regression case below; here deep enough to pass every bound.
nasty_values = json_values | st.builds(deep, st.sampled_from([33, 40, 1000]))


@st.composite
def mutated_golden(draw: st.DrawFn, command: str) -> object:
    """A golden request with a few of its values replaced, removed or wrapped."""
    request = json.loads(json.dumps(draw(st.sampled_from(golden_requests(command)))))
    for _ in range(draw(st.integers(1, 3))):
        parent, key = draw(_location(request))
        if parent is None:
            return draw(nasty_values)
        action = draw(st.sampled_from(["replace", "replace", "delete", "wrap"]))
        if action == "delete" and isinstance(parent, dict):
            del parent[key]
        elif action == "wrap":
            parent[key] = [parent[key]]
        else:
            parent[key] = draw(nasty_values)
    return request


@st.composite
def _location(draw: st.DrawFn, request: object) -> tuple[Any, Any]:
    """A (container, key) pair somewhere in ``request``, or (None, None) for the whole."""
    spots: list[tuple[Any, Any]] = [(None, None)]
    pending = [(request, 0)]
    while pending:
        current, depth = pending.pop()
        if depth > 6:  # not into a deep value an earlier mutation put there
            continue
        if isinstance(current, dict):
            spots.extend((current, key) for key in current)
            pending.extend((value, depth + 1) for value in current.values())
        elif isinstance(current, list):
            spots.extend((current, index) for index in range(len(current)))
            pending.extend((value, depth + 1) for value in current)
    return draw(st.sampled_from(spots))


@pytest.mark.parametrize("command", COMMANDS)
def test_arbitrary_values_give_a_result_or_errors(command: str, catalogue: Catalogue) -> None:
    @FUZZ
    @given(request=nasty_values)
    def check(request: object) -> None:
        run(command, request, catalogue)

    check()


@pytest.mark.parametrize("command", COMMANDS)
def test_mutated_golden_requests_give_a_result_or_errors(
    command: str, catalogue: Catalogue
) -> None:
    if not golden_requests(command):
        pytest.fail(f"tests/golden/{command}/ has no request to mutate")

    @FUZZ
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        run(command, data.draw(mutated_golden(command)), catalogue)

    check()


@FUZZ
@given(text=st.text(max_size=200) | st.binary(max_size=200).map(lambda b: b.decode("latin-1")))
def test_any_text_is_a_request_or_one_input_error(text: str) -> None:
    try:
        api.read_request(text)
    except untrusted.InputError as error:
        assert "\n" not in str(error)


# --------------------------------------------------------------------------------------------
# The nastiest inputs, kept as regression cases


MONEY_FIELDS = (
    "proration.lines[0].amount",
    "proration.subtotal",
    "proration.total",
    "proration.due_now",
    "proration.credit_to_balance",
    "proration.refund",
    "proration.next_invoice.amount",
)


def put(request: Any, field: str, value: object) -> Any:
    """A copy of ``request`` with ``value`` at ``field`` ("proration.lines[0].amount")."""
    copy = json.loads(json.dumps(request))
    parts: list[Any] = [
        int(p) if p.isdigit() else p for p in field.replace("[", ".").replace("]", "").split(".")
    ]
    target = copy
    for part in parts[:-1]:
        target = target[part]
    target[parts[-1]] = value
    return copy


@pytest.mark.parametrize("command", ["record", "notice"])
@pytest.mark.parametrize("field", MONEY_FIELDS)
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("9" * 5000, "9" * 37 + "... has more than 30 digits; no amount is that large"),
        (
            "9" * 31,
            "9999999999999999999999999999999 has more than 30 digits; no amount is that large",
        ),
        ("0." + "0" * 40 + "1", "1E-41 has more than 30 digits; no amount is that large"),
        (10**5000, "a number with more than 30 digits"),
    ],
    ids=["5000-nines", "31-nines", "41-decimals", "5000-digit-int"],
)
def test_absurd_money_is_a_field_error(
    command: str, field: str, value: object, message: str, catalogue: Catalogue
) -> None:
    response = run(command, put(golden_requests(command)[0], field, value), catalogue)
    assert {"field": field, "message": message} in response["errors"]


@pytest.mark.parametrize(
    ("command", "field"),
    [
        ("growth", "growth.rate_percent"),
        ("growth", "usage.storage"),
        ("growth", "horizon_months"),
        ("compare", "needs.storage"),
        ("addons", "addons.extra_storage"),
        ("record", "from.quantity"),
        ("notice", "to.quantity"),
    ],
)
@pytest.mark.parametrize(
    "value", [10**5000, -(10**5000), 10**30], ids=["5000-digits", "minus-5000-digits", "31-digits"]
)
def test_a_5000_digit_integer_names_its_field(
    command: str, field: str, value: int, catalogue: Catalogue
) -> None:
    request = put(golden_requests(command)[0], field, value)
    response = run(command, request, catalogue)
    assert [e["field"] for e in response["errors"]] == [field]
    assert response["errors"][0]["message"] == "a number with more than 30 digits"


@pytest.mark.parametrize("command", COMMANDS)
def test_100000_deep_nesting_is_one_error(command: str, catalogue: Catalogue) -> None:
    response = run(command, {"currency": deep(100_000)}, catalogue)
    assert response == {
        "errors": [{"field": "currency" + "[0]" * 31, "message": "nests deeper than 32 levels"}]
    }


form_values = (
    st.text(max_size=30)
    | nasty_strings
    | st.integers()
    | st.none()
    | st.lists(st.text(max_size=8), max_size=3)
)


@pytest.mark.parametrize("widget", sorted(widgets.WIDGETS))
def test_the_page_worker_answers_any_form_values(widget: str, catalogue: Catalogue) -> None:
    evaluate = web.session(catalogue.to_json())
    defaults = widgets.default_params(widget, catalogue, date(2026, 3, 16))

    @FUZZ
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        params: dict[str, object] = dict(defaults)
        for name in data.draw(st.lists(st.sampled_from([*defaults, "unknown"]), max_size=4)):
            params[name] = data.draw(form_values)
        response = json.loads(evaluate(widget, json.dumps(params), "2026-03-16"))
        assert isinstance(response["errors"], list)
        for error in response["errors"]:
            assert isinstance(error["field"], str) and isinstance(error["message"], str)
        if not response["errors"]:
            assert isinstance(response["html"], str) and response["html"]

    check()


def test_the_page_worker_entry_reads_hostile_inputs_as_errors(catalogue: Catalogue) -> None:
    evaluate = web.session(catalogue.to_json())
    for params in ("[" * 100_000 + "]" * 100_000, "{", "9" * 5000, '{"plan": "' + "x" * 10**6):
        response = json.loads(evaluate("proration", params, "2026-03-16"))
        assert response["errors"] == [
            {"field": "", "message": "the calculator's inputs could not be read"}
        ]


# --------------------------------------------------------------------------------------------
# The command line: exit 2 with a one-line message, never a traceback


def cli(*args: str, stdin: bytes = b"") -> tuple[int, Any, str]:
    result = subprocess.run(
        [sys.executable, "-m", "calculators", *args],
        input=stdin,
        cwd=ROOT,
        capture_output=True,
        timeout=120,
        check=False,
    )
    stderr = result.stderr.decode("utf-8", "replace")
    return result.returncode, json.loads(result.stdout.decode("utf-8")), stderr


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        (
            b"not json",
            "standard input, line 1: the request is not valid JSON: Expecting value (column 1)",
        ),
        (
            b'{"currency": "USD",\n',
            "standard input, line 2: the request is not valid JSON: "
            "Expecting property name enclosed in double quotes (column 1)",
        ),
        (b"", "standard input, line 1: the request is not valid JSON: Expecting value (column 1)"),
        (
            b"[" * 100_000 + b"]" * 100_000,
            "standard input, line 1: the request nests deeper than 32 levels",
        ),
        (
            b'{"growth": {"rate_percent": ' + b"9" * 5000 + b"}}",
            "standard input, line 1: a number with 5,000 digits; numbers have at most 30",
        ),
        (
            b'{"x": "\xff"}',
            "standard input, line 1: byte 0xff at column 8 is not UTF-8 (save the file as UTF-8)",
        ),
        (
            b"{}\x00",
            "standard input, line 1: control character NUL (a text file has none; is this "
            "a binary file?)",
        ),
        (
            b" " * (untrusted.MAX_DOCUMENT_BYTES + 1),
            "standard input, line 1: the request is larger than 1,048,576 bytes, the most read",
        ),
    ],
)
def test_the_command_line_refuses_what_is_not_a_request(stdin: bytes, message: str) -> None:
    code, output, stderr = cli("growth", stdin=stdin)
    assert (code, output, stderr) == (2, {"errors": [{"field": "", "message": message}]}, "")


def test_the_command_line_reads_a_non_utf8_file_as_an_error(tmp_path: Path) -> None:
    request = tmp_path / "request.json"
    request.write_bytes(b'{"currency": "US\xc3"}')
    code, output, stderr = cli("prorate", "--file", str(request))
    message = f"{request}, line 1: byte 0xc3 at column 17 is not UTF-8 (save the file as UTF-8)"
    assert (code, output, stderr) == (2, {"errors": [{"field": "", "message": message}]}, "")


def test_the_command_line_names_the_field_of_a_huge_money_amount() -> None:
    request = put(golden_requests("record")[0], "proration.total", "9" * 5000)
    code, output, stderr = cli("record", stdin=json.dumps(request).encode())
    assert code == 2 and stderr == ""
    assert "proration.total" in [e["field"] for e in output["errors"]]


def test_a_lone_surrogate_is_printed_not_fatal() -> None:
    request = b'{"currency": "\\ud800", "interval": "month", "needs": {"storage": 80}}'
    code, output, stderr = cli("compare", stdin=request)
    assert code == 2 and stderr == ""
    assert [e["field"] for e in output["errors"]] == ["currency"]
    assert "\\ud800" in output["errors"][0]["message"]


def test_the_command_line_reads_a_non_utf8_catalogue_as_an_error(tmp_path: Path) -> None:
    catalogue = tmp_path / "catalogue.yaml"
    catalogue.write_bytes(b"schema_version: 1\ncompany:\n  name: Caf\xe9\n")
    code, output, stderr = cli("compare", "--catalogue", str(catalogue), stdin=b"{}")
    message = (
        f"{catalogue}, line 3: (top level): byte 0xe9 at column 12 is not UTF-8 (save the "
        "file as UTF-8)"
    )
    assert (code, output, stderr) == (
        2,
        {"errors": [{"field": "catalogue", "message": message}]},
        "",
    )
