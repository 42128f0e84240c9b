"""A corpus of malformed catalogues: each fails fast with its exact file, line, key path, reason.

The catalogue is edited by people who are not programmers, so every way a YAML file can go wrong
is named where it happened. The cases are tiny files: the YAML reader
(``calculators/requests/yaml_subset.py``) and the file checks
(``calculators/requests/untrusted.py``) refuse them before the catalogue is validated; the last
cases are the real catalogue with one mistake.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from calculators.domain.catalogue_errors import CatalogueError
from calculators.requests import yaml_subset
from calculators.requests.catalogue import read_catalogue_file
from calculators.requests.untrusted import MAX_DOCUMENT_BYTES

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "catalogue" / "catalogue.yaml"

# Nine times nine times nine "lol"s from 200 bytes; a few more levels reach gigabytes.
BILLION_LAUGHS = (
    'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
)


class Case(NamedTuple):
    name: str
    content: str | bytes
    line: int
    key_path: str
    reason: str


CORPUS = [
    Case(
        "empty",
        "",
        1,
        "",
        "the file is empty: a catalogue is a mapping of keys",
    ),
    Case(
        "blank-lines",
        "\n   \n\n",
        1,
        "",
        "the file is empty: a catalogue is a mapping of keys",
    ),
    Case(
        "comments-only",
        "# The catalogue\n# (nothing yet)\n",
        1,
        "",
        "the file has only comments: a catalogue is a mapping of keys",
    ),
    Case(
        "nul-byte",
        b"schema_version: 1\ncompany:\x00\n",
        2,
        "",
        "control character NUL (a text file has none; is this a binary file?)",
    ),
    Case(
        "latin-1-byte",
        b"schema_version: 1\ncompany:\n  name: Caf\xe9\n",
        3,
        "",
        "byte 0xe9 at column 12 is not UTF-8 (save the file as UTF-8)",
    ),
    Case(
        "bell-character",
        b"schema_version: 1\n\ncompany: \x07\n",
        3,
        "",
        "control character U+0007 (a text file has none; is this a binary file?)",
    ),
    Case(
        "over-one-mebibyte",
        b"#" * (MAX_DOCUMENT_BYTES + 1),
        1,
        "",
        "the file is larger than 1,048,576 bytes, the most read",
    ),
    Case(
        "billion-laughs",
        BILLION_LAUGHS,
        1,
        "a",
        "anchors (&name) are not allowed: the catalogue needs none; write the value again",
    ),
    Case(
        "alias",
        "schema_version: 1\ndefault_currency: *usd\n",
        2,
        "default_currency",
        "aliases (*name) are not allowed: the catalogue needs none; write the value again",
    ),
    Case(
        "anchor-on-mapping",
        "schema_version: 1\ncompany: &who\n  name: Lumen\n",
        2,
        "company",
        "anchors (&name) are not allowed: the catalogue needs none; write the value again",
    ),
    Case(
        "tag",
        "schema_version: !!int 1\n",
        1,
        "schema_version",
        "tags (!name) are not allowed: write the plain value",
    ),
    Case(
        "merge-key",
        "plans:\n  - id: team\n    <<: {name: Team}\n",
        3,
        "plans[0].<<",
        "merge keys (<<) are not allowed: write the keys out",
    ),
    Case(
        "duplicate-top-level-key",
        "schema_version: 1\nplans: []\nschema_version: 2\n",
        3,
        "schema_version",
        "duplicate key 'schema_version': first at line 1, again at line 3",
    ),
    Case(
        "duplicate-nested-key",
        "plans:\n  - id: team\n    name: Team\n    summary: Small teams\n    name: Team plus\n",
        5,
        "plans[0].name",
        "duplicate key 'name': first at line 3, again at line 5",
    ),
    Case(
        "duplicate-flow-key",
        "currencies:\n  USD: {name: US dollar, minor_unit: 2, name: Dollar}\n",
        2,
        "currencies.USD.name",
        "duplicate key 'name': first at line 2, again at line 2",
    ),
    Case(
        "duplicate-quoted-key",
        '"company": {}\ncompany: {}\n',
        2,
        "company",
        "duplicate key 'company': first at line 1, again at line 2",
    ),
    Case(
        "tab-indentation",
        "company:\n\tname: Lumen\n",
        2,
        "company",
        "a tab in the indentation: indent with spaces",
    ),
    Case(
        "unclosed-double-quote",
        'company:\n  name: "Lumen\n',
        2,
        "company.name",
        'the " quote opened here is never closed',
    ),
    Case(
        "unclosed-single-quote",
        "company:\n  name: 'Lumen\n  product: x\n",
        2,
        "company.name",
        "the ' quote opened here is never closed",
    ),
    Case(
        "unclosed-flow-list",
        "intervals: [month, year\ndefault_currency: USD\n",
        2,
        "intervals[1]",
        "a key: value pair inside the [ ] list opened at line 1: clos"
        "e the list with ] or write {key: value}",
    ),
    Case(
        "unclosed-flow-mapping",
        "currencies:\n  USD: {name: US dollar, minor_unit: 2\n",
        3,
        "currencies.USD.minor_unit",
        "the file ends before the closing }",
    ),
    Case(
        "unknown-escape",
        'company:\n  name: "Lumen\\q"\n',
        2,
        "company.name",
        "unknown escape \\q in a double-quoted value",
    ),
    Case(
        "second-document",
        "schema_version: 1\n---\nschema_version: 2\n",
        2,
        "",
        "a second document (after --- or ...): a catalogue file holds one",
    ),
    Case(
        "yes-for-true",
        "plans:\n  - id: team\n    self_serve: yes\n",
        3,
        "plans[0].self_serve",
        "'yes' means true or false to some YAML readers and text to o"
        "thers: write true or false, or quote it",
    ),
    Case(
        "leading-zero",
        "currencies:\n  USD: {name: US dollar, minor_unit: 02}\n",
        2,
        "currencies.USD.minor_unit",
        "'02' has a leading zero, which some YAML readers take for oc"
        "tal: write it without, or quote it",
    ),
    Case(
        "digit-separators",
        "addons:\n  - id: extra_seat\n    max_quantity: 1_000\n",
        3,
        "addons[0].max_quantity",
        "'1_000' is a number to some YAML readers and text to others:"
        " write a plain decimal number, or quote it",
    ),
    Case(
        "hexadecimal",
        "schema_version: 0x1\n",
        1,
        "schema_version",
        "'0x1' is a number to some YAML readers and text to others: w"
        "rite a plain decimal number, or quote it",
    ),
    Case(
        "sexagesimal",
        "policy:\n  over_limit:\n    grace_period_days: 1:30\n",
        3,
        "policy.over_limit.grace_period_days",
        "'1:30' is a number to some YAML readers and text to others: "
        "write a plain decimal number, or quote it",
    ),
    Case(
        "31-digit-number",
        "policy:\n  records:\n    retention_years: 1234567890123456789012345678901\n",
        3,
        "policy.records.retention_years",
        "a number with 31 digits; numbers have at most 30",
    ),
    Case(
        "deeper-indentation",
        "company:\n  name: Lumen\n    product: Lumen hosting\n",
        3,
        "company.name",
        "unexpected indentation before 'product: Lumen hosting'",
    ),
    Case(
        "shallower-indentation",
        "company:\n  name: Lumen\n product: Lumen hosting\n",
        3,
        "company",
        "unexpected indentation before 'product: Lumen hosting'",
    ),
    Case(
        "colon-in-plain-value",
        "company:\n  name: Lumen: Cloud\n",
        2,
        "company.name",
        "a value cannot contain ': ' unquoted: quote it",
    ),
    Case(
        "list-on-key-line",
        "intervals: - month\n",
        1,
        "intervals",
        "a '- ' list cannot start on its key's line: start it on the next line",
    ),
    Case(
        "item-where-key-expected",
        "company:\n  name: Lumen\n  - product\n",
        3,
        "company",
        "a '- ' item where a key was expected (check the indentation)",
    ),
    Case(
        "complex-key",
        "? company\n: Lumen\n",
        1,
        "",
        "complex keys (? key) are not allowed: write key: value",
    ),
    Case(
        "nested-too-deep",
        "x: " + "[" * 40 + "]" * 40 + "\n",
        1,
        "x[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]",
        "nested deeper than 32 levels",
    ),
    Case(
        "text-after-flow",
        "intervals: [month] year\n",
        1,
        "intervals",
        "unexpected text after the value: 'year'",
    ),
    Case(
        "empty-flow-entry",
        "intervals: [month,, year]\n",
        1,
        "intervals[1]",
        "an empty entry (two commas) in a [ ] list",
    ),
    Case(
        "bad-block-scalar-header",
        "company:\n  name: |x\n    Lumen\n",
        2,
        "company.name",
        "a block scalar header is | or > with an optional - or +, not '|x'",
    ),
    Case(
        "top-level-list",
        "- plans\n- addons\n",
        1,
        "",
        "must be a mapping, got a list",
    ),
    Case(
        "key-missing",
        "company:\n  : Lumen\n",
        2,
        "company",
        "a ':' with no key before it",
    ),
    Case(
        "content-after-document-end",
        "schema_version: 1\n...\nplans: []\n",
        3,
        "",
        "a second document (after --- or ...): a catalogue file holds one",
    ),
]


@pytest.mark.parametrize("case", CORPUS, ids=[case.name for case in CORPUS])
def test_each_malformed_catalogue_names_file_line_key_path_and_reason(
    case: Case, tmp_path: Path
) -> None:
    path = tmp_path / "catalogue.yaml"
    content = case.content.encode("utf-8") if isinstance(case.content, str) else case.content
    path.write_bytes(content)
    with pytest.raises(CatalogueError) as caught:
        read_catalogue_file(path)
    where = case.key_path or "(top level)"
    assert caught.value.messages == (f"{path}, line {case.line}: {where}: {case.reason}",)


def test_the_corpus_is_large_and_its_cases_distinct() -> None:
    assert len(CORPUS) >= 30
    assert (
        len({case.name for case in CORPUS}) == len({case.content for case in CORPUS}) == len(CORPUS)
    )


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_a_mistake_in_the_real_catalogue_names_its_line(tmp_path: Path) -> None:
    original = SAMPLE.read_text(encoding="utf-8")
    broken = replace_once(original, "    name: Business\n", "    name: Business\n    name: Biz\n")
    path = tmp_path / "catalogue.yaml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(CatalogueError) as caught:
        read_catalogue_file(path)
    first, again = line_of(broken, "name: Business"), line_of(broken, "name: Biz")
    assert caught.value.messages == (
        f"{path}, line {again}: plans[2].name: duplicate key 'name': first at line {first}, "
        f"again at line {again}",
    )


def test_a_validation_problem_names_the_line_of_its_key(tmp_path: Path) -> None:
    original = SAMPLE.read_text(encoding="utf-8")
    prices = 'year: {USD: "290.00", EUR: "270.00", GBP: "240.00"'
    broken = replace_once(original, prices + ', JPY: "44000"}', prices + "}")
    path = tmp_path / "catalogue.yaml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(CatalogueError) as caught:
        read_catalogue_file(path)
    line = line_of(broken, 'year: {USD: "290.00"')
    assert [m.split(": missing price")[0] for m in caught.value.messages] == [
        f"{path}, line {line}: plans[1].prices.year.JPY"
    ]


def test_the_command_line_reports_catalogue_lines_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.yaml"
    path.write_text(BILLION_LAUGHS, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "calculators", "compare", "--catalogue", str(path)],
        input=b"{}",
        cwd=ROOT,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stderr) == (2, b"")
    message = (
        f"{path}, line 1: a: anchors (&name) are not allowed: the catalogue needs none; "
        "write the value again"
    )
    assert json.loads(result.stdout) == {"errors": [{"field": "catalogue", "message": message}]}


# --------------------------------------------------------------------------------------------
# What the subset reads, it reads as YAML does


def test_the_real_catalogue_reads_as_pyyaml_reads_it() -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    assert yaml_subset.parse(text).data == yaml.safe_load(text)


@pytest.mark.parametrize(
    "text",
    [
        "a: |\n  x\n  y\n\nb: >-\n  p\n  q\n\n  r\nc: |+\n  k\n\n",
        "- a\n- b: 1\n  c: [1, 2,\n     3]\n- - x\n  - z\n",
        "k: 'it''s'\nq: \"a\\u00e9\\n\"\nm: plain\n  continued\n",
        "a:\n- 1\n- 2\nb: {x: , w}\n",
        "---\na: 1\n",
        'x: "multi\n  line"\n',
        "a: >\n  one\n   indented\n  two\n",
        's: "a\\\n  b"\n',
        "a: [\n  x,\n  w\n]\n",
        "a:\n  # c\n  b: 1 # t\n",
        "a: 'x\n\n  y'\n",
        "k: -1\nf: 1.5\nn: null\nt: ~\ne:\nb: true\nu: https://x.example/a#b\n",
        "a: b:c\n",
        "e: {}\nl: []\n",
        "'q k': 1\n\"d\": 2\n",
        "x: >\n\n  a\n\n\n  b\n",
        "\ufeffa: 1\r\nb: 2\r\n",
        "a: 1\n...\n",
        "null\n...\n",
    ],
)
def test_the_subset_reads_yaml_as_pyyaml_does(text: str) -> None:
    assert yaml_subset.parse(text).data == yaml.safe_load(text)


def test_every_key_and_item_has_its_line() -> None:
    document = yaml_subset.parse("a:\n  b: [1,\n    2]\n  c:\n    - d: x\n      e: y\n")
    assert document.lines == {
        "": 1,
        "a": 1,
        "a.b": 2,
        "a.b[0]": 2,
        "a.b[1]": 3,
        "a.c": 4,
        "a.c[0]": 5,
        "a.c[0].d": 5,
        "a.c[0].e": 6,
    }
    assert document.line_of("a.c[0].missing") == 5
    assert document.line_of("nowhere") == 1


# --------------------------------------------------------------------------------------------
# Generated documents: read as PyYAML reads them, or refused with a line; never a crash

SYNTAX = st.sampled_from(
    [
        *"ab :-#'\"[]{},|>&*!?\n\t\\0123.~%@`<",
        "- ",
        ": ",
        "\n  ",
        "\n    ",
        "---",
        "...",
        "|-",
        ">+",
        "\\u00e9",
        "\\x4",
        "yes",
        "012",
    ]
)
GENERATED = settings(deadline=None, max_examples=300)


@GENERATED
@given(text=st.lists(SYNTAX, max_size=40).map("".join))
def test_any_text_is_a_document_or_one_located_error(text: str) -> None:
    try:
        yaml_subset.parse(text)
    except yaml_subset.YamlError as error:
        assert error.line is not None and 1 <= error.line <= text.count("\n") + 1
        assert "\n" not in error.reason


words = st.text(
    alphabet=st.sampled_from(list("ab Z:-#'\"[]{},|>&*!?\\0123.~%@`<é_\t\n")), max_size=12
)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | words
    | st.floats(allow_nan=False, allow_infinity=False, width=32)
)
values = st.recursive(
    scalars,
    lambda c: st.lists(c, max_size=3) | st.dictionaries(words, c, max_size=3),
    max_leaves=12,
)


@GENERATED
@given(value=values, flow=st.sampled_from([None, False, True]), width=st.sampled_from([20, 1000]))
def test_what_pyyaml_writes_reads_back_the_same_or_is_refused(
    value: object, flow: bool | None, width: int
) -> None:
    text = yaml.safe_dump(value, default_flow_style=flow, width=width, allow_unicode=True)
    try:
        document = yaml_subset.parse(text)
    except yaml_subset.YamlError:
        return  # outside the subset (complex keys for long ones, a quoted "<<"), with a line
    assert document.data == yaml.safe_load(text)
