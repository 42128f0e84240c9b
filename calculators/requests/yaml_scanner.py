"""The YAML reader's scanner: positions, lines and columns, and errors that name them."""

from __future__ import annotations

import bisect
import re
from typing import Final

from calculators.requests.untrusted import MAX_DEPTH, InputError

_NULL: Final = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE: Final = frozenset({"true", "True", "TRUE"})
_FALSE: Final = frozenset({"false", "False", "FALSE"})
YAML11_BOOLEAN: Final = re.compile(r"(?i:yes|no|on|off)")
INTEGER: Final = re.compile(r"[-+]?[0-9]+")
FLOAT: Final = re.compile(
    r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[-+]?[0-9]+[eE][-+]?[0-9]+"
)
SPECIAL_FLOAT: Final = {".inf": "inf", "+.inf": "inf", "-.inf": "-inf", ".nan": "nan"}
# Hexadecimal, octal and binary, sexagesimal (1:30 is 90) and digits with underscores.
YAML11_NUMBER: Final = re.compile(
    r"[-+]?(?:0[xXoObB][0-9a-fA-F_]+|[0-9][0-9_]*(?::[0-5]?[0-9])+|[0-9][0-9_]*_[0-9_]*)"
)
ESCAPES: Final = {
    "0": "\0",
    "a": "\a",
    "b": "\b",
    "t": "\t",
    "\t": "\t",
    "n": "\n",
    "v": "\v",
    "f": "\f",
    "r": "\r",
    "e": "\x1b",
    " ": " ",
    '"': '"',
    "/": "/",
    "\\": "\\",
    "N": "\x85",
    "_": "\xa0",
    "L": "\u2028",
    "P": "\u2029",
}
HEX_ESCAPES: Final = {"x": 2, "u": 4, "U": 8}
FLOW_END: Final = ",]}"
RESERVED: Final = {
    "&": "anchors (&name) are not allowed: the catalogue needs none; write the value again",
    "*": "aliases (*name) are not allowed: the catalogue needs none; write the value again",
    "!": "tags (!name) are not allowed: write the plain value",
    "%": "directives (%) are not allowed",
    "@": "a plain value cannot start with @: quote it",
    "`": "a plain value cannot start with `: quote it",
    "?": "complex keys (? key) are not allowed: write key: value",
}


class YamlError(InputError):
    """YAML outside the subset, or malformed; ``path`` is the key path it was found under."""

    def __init__(self, reason: str, line: int, path: str) -> None:
        self.path = path
        super().__init__(reason, line)


def trailing_blanks(lines: list[str]) -> int:
    count = 0
    while count < len(lines) and not lines[len(lines) - 1 - count].strip(" "):
        count += 1
    return count


def _key_path(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class Scanner:
    """Positions in the text: lines, columns, blanks and comments, and the error that names them."""

    def __init__(self, text: str) -> None:
        self.text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
        self.starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        self.lines: dict[str, int] = {}
        self.pos = 0
        self.depth = 0

    def line(self, pos: int) -> int:
        return bisect.bisect_right(self.starts, pos)

    def column(self, pos: int) -> int:
        return pos - self.starts[self.line(pos) - 1]

    def fail(self, reason: str, pos: int, path: str) -> YamlError:
        return YamlError(reason, self.line(min(pos, len(self.text))), path)

    def at(self, pos: int) -> str:
        return self.text[pos] if pos < len(self.text) else ""

    def line_end(self, pos: int) -> int:
        end = self.text.find("\n", pos)
        return len(self.text) if end < 0 else end

    def skip_spaces(self, pos: int) -> int:
        while self.at(pos) == " ":
            pos += 1
        return pos

    def next_content(self, path: str) -> int:
        """The first character of the next line with content after ``self.pos``, or the end.

        What follows ``self.pos`` on its own line may only be spaces and a comment.
        """
        pos = self.pos
        while self.at(pos) in (" ", "\t"):
            pos += 1
        if self.at(pos) not in ("", "\n", "#"):
            raise self.fail(f"unexpected text after the value: {self.snippet(pos)}", pos, path)
        return self.content_from(self.line_end(pos) + 1, path)

    def content_from(self, pos: int, path: str) -> int:
        """The first character of the first line with content from line start ``pos`` on."""
        while pos < len(self.text):
            content = pos
            while self.at(content) in (" ", "\t"):
                content += 1
            if self.at(content) in ("", "\n", "#"):
                pos = self.line_end(content) + 1
                continue
            if "\t" in self.text[pos:content]:
                raise self.fail("a tab in the indentation: indent with spaces", content, path)
            return content
        return len(self.text)

    def snippet(self, pos: int) -> str:
        text = self.text[pos : self.line_end(pos)].strip()
        return repr(text if len(text) <= 40 else text[:37] + "...")

    def enter(self, pos: int, path: str) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(f"nested deeper than {MAX_DEPTH} levels", pos, path)

    def is_document_marker(self, pos: int) -> bool:
        return (
            self.column(pos) == 0
            and self.text.startswith(("---", "..."), pos)
            and self.at(pos + 3) in ("", " ", "\n")
        )

    def is_sequence_entry(self, pos: int) -> bool:
        return self.at(pos) == "-" and self.at(pos + 1) in ("", " ", "\n")

    def new_key(self, key: str, pos: int, path: str, first_line: dict[str, int]) -> str:
        """The key path of ``key`` at ``pos``, its line recorded; a repeated key is refused."""
        where = _key_path(path, key)
        line = self.line(pos)
        if key in first_line:
            raise self.fail(
                f"duplicate key {key!r}: first at line {first_line[key]}, again at line {line}",
                pos,
                where,
            )
        if key == "<<":
            raise self.fail("merge keys (<<) are not allowed: write the keys out", pos, where)
        first_line[key] = line
        self.lines[where] = line
        return where
