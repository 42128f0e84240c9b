"""Bounds on untrusted input: bytes to text, JSON to values, and the shape of a request.

Everything a person or a page hands the calculators (a request file, standard input, a catalogue
file, a form's parameters) passes here first, so that no size, nesting or number length can make
the interpreter fail before a calculator can name the field and the problem:

- a document is at most ``MAX_DOCUMENT_BYTES``, UTF-8, and free of NUL and other control
  characters (tab, line feed and carriage return excepted), each refusal with its line;
- JSON nests at most ``MAX_DEPTH`` deep and its numbers have at most ``MAX_NUMBER_DIGITS``
  digits (CPython refuses to convert integers beyond 4,300 digits, and deep nesting exhausts
  the stack, in CPython and even sooner in the browser's Pyodide);
- a request already made of Python values obeys the same two bounds (``oversized``).
"""

from __future__ import annotations

import json
import os
import re
from typing import BinaryIO, Final

from calculators.domain.money import MAX_NUMBER_DIGITS

MAX_DOCUMENT_BYTES: Final = 1024 * 1024
# Real requests and catalogues nest five or six levels deep.
MAX_DEPTH: Final = 32
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# One pass over JSON text: strings are skipped whole, so brackets and digits inside them do not
# count; what is left is nesting and the digit runs of numbers.
_JSON_SCAN: Final = re.compile(
    r'"(?:[^"\\]|\\.)*"|[\[{]|[\]}]|[0-9]{' + str(MAX_NUMBER_DIGITS + 1) + ",}"
)
_LARGEST: Final = 10**MAX_NUMBER_DIGITS


class InputError(ValueError):
    """Input that cannot be read; ``line`` is where (when known), ``reason`` says why."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        self.reason = reason
        self.line = line
        super().__init__(f"line {line}: {reason}" if line is not None else reason)


def read_file(path: str | os.PathLike[str]) -> bytes:
    """The bytes of ``path``, read only one byte past the size limit (``decode`` refuses it)."""
    with open(path, "rb") as handle:
        return handle.read(MAX_DOCUMENT_BYTES + 1)


def read_stream(stream: BinaryIO) -> bytes:
    """The bytes of ``stream`` (standard input), likewise bounded."""
    return stream.read(MAX_DOCUMENT_BYTES + 1)


def decode(data: bytes, *, what: str = "the file") -> str:
    """UTF-8 text of ``data`` (a leading byte-order mark dropped), or ``InputError``."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise InputError(f"{what} is larger than {MAX_DOCUMENT_BYTES:,} bytes, the most read", 1)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise InputError(
            f"byte 0x{data[error.start]:02x} at column {column} is not UTF-8 "
            "(save the file as UTF-8)",
            line,
        ) from None
    text = text.removeprefix("\ufeff")
    control = _CONTROL.search(text)
    if control is not None:
        line = text.count("\n", 0, control.start()) + 1
        name = "NUL" if control.group() == "\x00" else f"U+{ord(control.group()):04X}"
        raise InputError(
            f"control character {name} (a text file has none; is this a binary file?)", line
        )
    return text


def parse_json(text: str, *, what: str = "the request") -> object:
    """The value of JSON ``text`` within the bounds above, or ``InputError`` with the line."""
    if len(text) > MAX_DOCUMENT_BYTES:
        raise InputError(f"{what} is {len(text):,} characters; at most {MAX_DOCUMENT_BYTES:,}")
    depth = 0
    for token in _JSON_SCAN.finditer(text):
        first = token.group()[0]
        if first in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise InputError(
                    f"{what} nests deeper than {MAX_DEPTH} levels", _line(text, token.start())
                )
        elif first in "]}":
            depth -= 1
        elif first != '"':
            raise InputError(
                f"a number with {len(token.group()):,} digits; numbers have at "
                f"most {MAX_NUMBER_DIGITS}",
                _line(text, token.start()),
            )
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            f"{what} is not valid JSON: {error.msg} (column {error.colno})", error.lineno
        ) from None


def oversized(value: object) -> tuple[tuple[object, ...], str] | None:
    """The keys to the first part of ``value`` nested too deep or with too long a number, and why.

    Iterative, so that no nesting reaches the interpreter's recursion limit.
    """
    pending: list[tuple[object, tuple[object, ...]]] = [(value, ())]
    while pending:
        current, keys = pending.pop()
        if isinstance(current, (dict, list)):
            if len(keys) >= MAX_DEPTH:
                return keys, f"nests deeper than {MAX_DEPTH} levels"
            items = current.items() if isinstance(current, dict) else enumerate(current)
            pending.extend((item, (*keys, key)) for key, item in items)
        elif isinstance(current, int) and not -_LARGEST < current < _LARGEST:
            return keys, f"a number with more than {MAX_NUMBER_DIGITS} digits"
    return None


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1
