"""A strict reader for the subset of YAML a catalogue is written in, with the line of every key.

Standard library only, so the command line, the build and the tests read a catalogue the same
way. What a catalogue needs is read as YAML reads it: block mappings and sequences, flow
``{...}`` and ``[...]`` collections (over several lines too), plain, single- and double-quoted
scalars (folded over lines), ``|`` and ``>`` block scalars, comments, one optional ``---``.

What could make one file mean two things, or cost far more to read than its size, is refused
with the line and the key path: anchors and aliases (a few hundred bytes of nested aliases
expand to gigabytes), tags, merge keys, complex keys, duplicate keys (both lines named), tabs in
indentation, several documents, and plain scalars that YAML 1.1 tools read differently from
YAML 1.2 ones (``yes``/``no``/``on``/``off``, ``012``, ``1_000``, ``0x1F``, ``1:30``).

Plain scalars resolve as YAML's core schema does: ``null``/``~``/nothing to None, ``true`` and
``false``, decimal integers and floats; everything else (dates included) stays a string.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass
from typing import Final

from calculators.untrusted import MAX_DEPTH, MAX_NUMBER_DIGITS, InputError

_NULL: Final = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE: Final = frozenset({"true", "True", "TRUE"})
_FALSE: Final = frozenset({"false", "False", "FALSE"})
_YAML11_BOOLEAN: Final = re.compile(r"(?i:yes|no|on|off)")
_INTEGER: Final = re.compile(r"[-+]?[0-9]+")
_FLOAT: Final = re.compile(
    r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[-+]?[0-9]+[eE][-+]?[0-9]+"
)
_SPECIAL_FLOAT: Final = {".inf": "inf", "+.inf": "inf", "-.inf": "-inf", ".nan": "nan"}
# Hexadecimal, octal and binary, sexagesimal (1:30 is 90) and digits with underscores.
_YAML11_NUMBER: Final = re.compile(
    r"[-+]?(?:0[xXoObB][0-9a-fA-F_]+|[0-9][0-9_]*(?::[0-5]?[0-9])+|[0-9][0-9_]*_[0-9_]*)"
)
_ESCAPES: Final = {
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
_HEX_ESCAPES: Final = {"x": 2, "u": 4, "U": 8}
_FLOW_END: Final = ",]}"
_RESERVED: Final = {
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


@dataclass(frozen=True)
class Document:
    """The values read, and the line of every key path ("plans[1].prices.year")."""

    data: object
    lines: dict[str, int]

    def line_of(self, path: str) -> int | None:
        """The line of ``path``, or of its nearest ancestor in the file (a missing key's map)."""
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            path = _parent(path)


def parse(text: str) -> Document:
    """Read one YAML document of the catalogue subset; raise ``YamlError`` naming line and path."""
    return _Parser(text).document()


def _parent(path: str) -> str:
    cut = max(path.rfind("."), path.rfind("["))
    return path[:cut] if cut > 0 else ""


def _trailing_blanks(lines: list[str]) -> int:
    count = 0
    while count < len(lines) and not lines[len(lines) - 1 - count].strip(" "):
        count += 1
    return count


def _key_path(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
        self.starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        self.lines: dict[str, int] = {}
        self.pos = 0
        self.depth = 0

    # ---- positions ---------------------------------------------------------------------

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

    # ---- document ------------------------------------------------------------------------

    def document(self) -> Document:
        start = self.content_from(0, "")
        if (
            start < len(self.text)
            and self.text.startswith("---", start)
            and self.is_document_marker(start)
        ):
            self.pos = start + 3
            start = self.next_content("")
        if start >= len(self.text):
            has_comment = any(line.strip().startswith("#") for line in self.text.split("\n"))
            what = "has only comments" if has_comment else "is empty"
            raise YamlError(f"the file {what}: a catalogue is a mapping of keys", 1, "")
        self.lines[""] = self.line(start)
        data = self.block_node(start, -1, "")
        end = self.next_content("")
        ended = self.text.startswith("...", end) and self.is_document_marker(end)
        if ended:
            self.pos = end + 3  # the document's end marker; nothing may follow it
            end = self.next_content("")
        if end < len(self.text):
            if ended or self.is_document_marker(end):
                raise self.fail(
                    "a second document (after --- or ...): a catalogue file holds one", end, ""
                )
            raise self.fail(f"unexpected text {self.snippet(end)} (check its indentation)", end, "")
        return Document(data, self.lines)

    # ---- block structure -----------------------------------------------------------------

    def block_node(self, pos: int, parent_indent: int, path: str) -> object:
        """The node starting at ``pos`` (its first character); its column is its indent."""
        if self.is_sequence_entry(pos):
            return self.block_sequence(pos, path)
        if self.mapping_key_end(pos, path) is not None:
            return self.block_mapping(pos, path)
        return self.inline_value(pos, parent_indent, path)

    def is_document_marker(self, pos: int) -> bool:
        return (
            self.column(pos) == 0
            and self.text.startswith(("---", "..."), pos)
            and self.at(pos + 3) in ("", " ", "\n")
        )

    def is_sequence_entry(self, pos: int) -> bool:
        return self.at(pos) == "-" and self.at(pos + 1) in ("", " ", "\n")

    def block_sequence(self, pos: int, path: str) -> list[object]:
        indent = self.column(pos)
        self.enter(pos, path)
        items: list[object] = []
        while True:
            where = f"{path}[{len(items)}]"
            self.lines[where] = self.line(pos)
            content = self.skip_spaces(pos + 1)
            if self.at(content) in ("", "\n", "#"):
                self.pos = content
                items.append(self.nested_value(indent, where, allow_same_indent_sequence=False))
            else:
                items.append(self.block_node(content, indent, where))
            pos = self.next_content(where)
            if pos >= len(self.text) or self.column(pos) < indent or self.is_document_marker(pos):
                break
            if self.column(pos) > indent:
                raise self.fail(f"unexpected indentation before {self.snippet(pos)}", pos, where)
            if not self.is_sequence_entry(pos):
                if self.mapping_key_end(pos, path) is not None or self.at(pos) == "?":
                    break  # the key of the mapping this sequence is the value of
                raise self.fail(f"expected another '- ' item, found {self.snippet(pos)}", pos, path)
        self.depth -= 1
        return items

    def block_mapping(self, pos: int, path: str) -> dict[str, object]:
        indent = self.column(pos)
        self.enter(pos, path)
        result: dict[str, object] = {}
        first_line: dict[str, int] = {}
        while True:
            key, after = self.mapping_key(pos, path)
            where = self.new_key(key, pos, path, first_line)
            content = self.skip_spaces(after)
            if self.at(content) in ("", "\n", "#"):
                self.pos = content
                result[key] = self.nested_value(indent, where, allow_same_indent_sequence=True)
            else:
                if self.is_sequence_entry(content):
                    raise self.fail(
                        "a '- ' list cannot start on its key's line: start it on the next line",
                        content,
                        where,
                    )
                result[key] = self.inline_value(content, indent, where)
            pos = self.next_content(where)
            if pos >= len(self.text) or self.column(pos) < indent or self.is_document_marker(pos):
                break
            if self.column(pos) > indent:
                raise self.fail(f"unexpected indentation before {self.snippet(pos)}", pos, where)
            if self.is_sequence_entry(pos):
                raise self.fail(
                    "a '- ' item where a key was expected (check the indentation)", pos, path
                )
        self.depth -= 1
        return result

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

    def nested_value(self, indent: int, path: str, *, allow_same_indent_sequence: bool) -> object:
        """The value on the lines after a key or dash that has nothing after it: null if none."""
        pos = self.next_content(path)
        if pos < len(self.text):
            column = self.column(pos)
            if column > indent or (
                column == indent and allow_same_indent_sequence and self.is_sequence_entry(pos)
            ):
                return self.block_node(pos, indent, path)
        return None

    def mapping_key_end(self, pos: int, path: str) -> int | None:
        """Where the ``:`` after a block mapping key starting at ``pos`` ends, if it is one."""
        char = self.at(pos)
        if char in ('"', "'"):
            _, end = self.quoted(pos, path)
            after = self.skip_spaces(end)
            if self.at(after) == ":" and self.at(after + 1) in ("", " ", "\n"):
                return after + 1
            return None
        if char in ("", "\n", "#", "[", "{", "|", ">") or self.is_sequence_entry(pos):
            return None
        end = self.line_end(pos)
        index = pos
        while index < end:
            if self.text[index] == ":" and (index + 1 == end or self.text[index + 1] == " "):
                return index + 1
            if self.text[index] == "#" and self.text[index - 1] == " ":
                return None
            index += 1
        return None

    def mapping_key(self, pos: int, path: str) -> tuple[str, int]:
        after = self.mapping_key_end(pos, path)
        if after is None:
            if self.at(pos) == "?" and self.at(pos + 1) in ("", " ", "\n"):
                raise self.fail(_RESERVED["?"], pos, path)
            raise self.fail(f"expected 'key: value', found {self.snippet(pos)}", pos, path)
        if self.at(pos) in ('"', "'"):
            key, _ = self.quoted(pos, path)
            return key, after
        key = self.text[pos : after - 1].rstrip()
        if not key:
            raise self.fail("a ':' with no key before it", pos, path)
        if key[0] in _RESERVED:
            raise self.fail(_RESERVED[key[0]], pos, path)
        return key, after

    # ---- values ------------------------------------------------------------------------

    def inline_value(self, pos: int, parent_indent: int, path: str) -> object:
        """A value that starts on the current line; ``self.pos`` is left after it."""
        char = self.at(pos)
        if char in ("[", "{"):
            value, self.pos = self.flow_value(pos, path)
            return value
        if char in ('"', "'"):
            text, self.pos = self.quoted(pos, path)
            return text
        if char in ("|", ">"):
            return self.block_scalar(pos, parent_indent, path)
        if char in _RESERVED:
            raise self.fail(_RESERVED[char], pos, path)
        return self.plain_block(pos, parent_indent, path)

    def plain_block(self, pos: int, parent_indent: int, path: str) -> object:
        """A plain scalar in block context, folded over more-indented continuation lines."""
        words = [self.plain_line(pos, path)]
        while True:
            following = self.line_end(self.pos) + 1
            blank_lines = 0
            candidate = following
            while candidate < len(self.text):
                content = self.skip_spaces(candidate)
                if self.at(content) != "\n":
                    break
                blank_lines += 1
                candidate = content + 1
            content = self.skip_spaces(candidate)
            if (
                candidate >= len(self.text)
                or self.at(content) in ("", "#")
                or self.column(content) <= parent_indent
                or self.at(self.pos) == "#"
                or self.at(self.skip_spaces(self.pos)) == "#"
            ):
                break
            if self.is_document_marker(content):
                break
            if self.is_sequence_entry(content) or self.mapping_key_end(content, path) is not None:
                raise self.fail(
                    f"unexpected indentation before {self.snippet(content)}", content, path
                )
            words.append("\n" * blank_lines if blank_lines else " ")
            words.append(self.plain_line(content, path))
        return self.resolve("".join(words), pos, path)

    def plain_line(self, pos: int, path: str) -> str:
        """The plain text from ``pos`` to a comment or the line's end; ``self.pos`` after it."""
        end = self.line_end(pos)
        index = pos
        while index < end:
            char = self.text[index]
            if char == "#" and self.text[index - 1] in (" ", "\t"):
                break
            if char == ":" and (index + 1 == end or self.text[index + 1] == " "):
                raise self.fail("a value cannot contain ': ' unquoted: quote it", index, path)
            index += 1
        self.pos = index
        return self.text[pos:index].strip(" \t")

    def resolve(self, text: str, pos: int, path: str) -> object:
        """What a plain scalar means: null, a boolean, a number, or the text itself."""
        if text in _NULL:
            return None
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        if _YAML11_BOOLEAN.fullmatch(text):
            raise self.fail(
                f"{text!r} means true or false to some YAML readers and text to "
                "others: write true or false, or quote it",
                pos,
                path,
            )
        if _YAML11_NUMBER.fullmatch(text):
            raise self.fail(
                f"{text!r} is a number to some YAML readers and text to others: "
                "write a plain decimal number, or quote it",
                pos,
                path,
            )
        if _INTEGER.fullmatch(text) or _FLOAT.fullmatch(text):
            digits = sum(c.isdigit() for c in text)
            if digits > MAX_NUMBER_DIGITS:
                raise self.fail(
                    f"a number with {digits:,} digits; numbers have at most {MAX_NUMBER_DIGITS}",
                    pos,
                    path,
                )
            if _INTEGER.fullmatch(text):
                unsigned = text.lstrip("+-")
                if len(unsigned) > 1 and unsigned.startswith("0"):
                    raise self.fail(
                        f"{text!r} has a leading zero, which some YAML readers take "
                        "for octal: write it without, or quote it",
                        pos,
                        path,
                    )
                return int(text)
            return float(text)
        if text in _SPECIAL_FLOAT:
            return float(_SPECIAL_FLOAT[text])
        return text

    def block_scalar(self, pos: int, parent_indent: int, path: str) -> str:
        """``|`` keeps line breaks, ``>`` folds them; ``-`` drops the final one, ``+`` keeps all."""
        header_end = self.line_end(pos)
        header = self.text[pos:header_end].split(" #")[0].strip()
        match = re.fullmatch(r"([|>])([-+]?)([1-9]?)|([|>])([1-9])([-+])", header)
        if match is None:
            raise self.fail(
                f"a block scalar header is | or > with an optional - or +, not {header!r}",
                pos,
                path,
            )
        style = match[1] or match[4]
        chomping = match[2] if match[1] else match[6]
        explicit = match[3] if match[1] else match[5]
        lines: list[str] = []
        indent = parent_indent + int(explicit) if explicit else None
        cursor = last_end = header_end
        while cursor < len(self.text):
            start = cursor + 1
            if start >= len(self.text):
                break
            end = self.line_end(start)
            raw = self.text[start:end]
            if not raw.strip(" "):
                lines.append("")
                cursor = end
                continue
            leading = len(raw) - len(raw.lstrip(" "))
            if indent is None:
                indent = leading
            if leading < indent or leading <= parent_indent:
                break
            lines.append(raw[indent:])
            cursor = last_end = end
        self.pos = last_end
        content = lines[: len(lines) - _trailing_blanks(lines)]
        body = "\n".join(content) if style == "|" else self.fold(content)
        if not content or chomping == "-":
            return body
        if chomping == "+":
            return body + "\n" * (1 + _trailing_blanks(lines))
        return body + "\n"

    @staticmethod
    def fold(lines: list[str]) -> str:
        """Folding: a single line break is a space, each blank line a line break."""
        if not lines:
            return ""
        parts = [lines[0] or "\n"]
        for previous, line in itertools.pairwise(lines):
            if not line:
                parts.append("\n")
            elif not previous:
                parts.append(line)
            elif line.startswith(" ") or previous.startswith(" "):
                parts.append("\n" + line)
            else:
                parts.append(" " + line)
        return "".join(parts)

    # ---- quoted scalars --------------------------------------------------------------------

    def quoted(self, pos: int, path: str) -> tuple[str, int]:
        """The text of the quoted scalar at ``pos`` and the position after its closing quote."""
        quote = self.text[pos]
        index = pos + 1
        pieces: list[str] = []
        while True:
            if index >= len(self.text):
                raise self.fail(f"the {quote} quote opened here is never closed", pos, path)
            char = self.text[index]
            if char == quote:
                if quote == "'" and self.at(index + 1) == "'":
                    pieces.append("'")
                    index += 2
                    continue
                return "".join(pieces), index + 1
            if char == "\n":
                while pieces and pieces[-1] in (" ", "\t"):
                    pieces.pop()
                index += 1
                breaks = 0
                while True:
                    index = self.skip_spaces(index)
                    while self.at(index) == "\t":
                        index += 1
                    if self.at(index) == "\n":
                        breaks += 1
                        index += 1
                        continue
                    break
                pieces.append("\n" * breaks if breaks else " ")
                continue
            if char == "\\" and quote == '"':
                index = self.escape(index, pieces, path)
                continue
            pieces.append(char)
            index += 1

    def escape(self, index: int, pieces: list[str], path: str) -> int:
        code = self.at(index + 1)
        if code == "\n":  # an escaped line break joins the lines without a space
            index = self.skip_spaces(index + 2)
            return index
        if code in _ESCAPES:
            pieces.append(_ESCAPES[code])
            return index + 2
        if code in _HEX_ESCAPES:
            width = _HEX_ESCAPES[code]
            digits = self.text[index + 2 : index + 2 + width]
            if len(digits) == width and all(c in "0123456789abcdefABCDEF" for c in digits):
                value = int(digits, 16)
                if value <= 0x10FFFF and not 0xD800 <= value <= 0xDFFF:
                    pieces.append(chr(value))
                    return index + 2 + width
        raise self.fail(f"unknown escape \\{code} in a double-quoted value", index, path)

    # ---- flow collections ------------------------------------------------------------------

    def flow_space(self, pos: int) -> int:
        """Past spaces, line breaks and comments inside a flow collection."""
        while True:
            char = self.at(pos)
            if char in (" ", "\t", "\n"):
                pos += 1
            elif char == "#" and (pos == 0 or self.text[pos - 1] in " \t\n"):
                pos = self.line_end(pos)
            else:
                return pos

    def flow_value(self, pos: int, path: str) -> tuple[object, int]:
        char = self.at(pos)
        if char == "[":
            return self.flow_sequence(pos, path)
        if char == "{":
            return self.flow_mapping(pos, path)
        if char in ('"', "'"):
            return self.quoted(pos, path)
        if char in _RESERVED:
            raise self.fail(_RESERVED[char], pos, path)
        if char == "":
            raise self.fail("the file ends inside a [ ] or { } collection", pos, path)
        text, end = self.flow_plain(pos, path)
        return self.resolve(text, pos, path), end

    def flow_plain(self, pos: int, path: str) -> tuple[str, int]:
        index = pos
        words: list[str] = []
        start = pos
        while True:
            char = self.at(index)
            if (
                char == ""
                or char in _FLOW_END
                or char in "[{"
                or (char == ":" and self.at(index + 1) in ("", " ", "\n", ",", "]", "}"))
                or (char == "#" and self.text[index - 1] in " \t\n")
            ):
                words.append(self.text[start:index].strip(" \t"))
                return " ".join(word for word in words if word), index
            if char == "\n":
                words.append(self.text[start:index].strip(" \t"))
                index = self.flow_space(index)
                start = index
                continue
            index += 1

    def flow_sequence(self, pos: int, path: str) -> tuple[list[object], int]:
        self.enter(pos, path)
        items: list[object] = []
        index = self.flow_space(pos + 1)
        while self.at(index) != "]":
            where = f"{path}[{len(items)}]"
            self.lines[where] = self.line(index)
            if self.at(index) == ",":
                raise self.fail("an empty entry (two commas) in a [ ] list", index, where)
            value, index = self.flow_value(index, where)
            index = self.flow_space(index)
            if self.at(index) == ":":
                raise self.fail(
                    f"a key: value pair inside the [ ] list opened at line "
                    f"{self.line(pos)}: close the list with ] or write {{key: value}}",
                    index,
                    where,
                )
            items.append(value)
            index = self.flow_separator(index, "]", where)
        self.depth -= 1
        return items, index + 1

    def flow_mapping(self, pos: int, path: str) -> tuple[dict[str, object], int]:
        self.enter(pos, path)
        result: dict[str, object] = {}
        first_line: dict[str, int] = {}
        index = self.flow_space(pos + 1)
        while self.at(index) != "}":
            if self.at(index) in ("[", "{"):
                raise self.fail("a [ ] or { } collection as a key is not allowed", index, path)
            if self.at(index) == ",":
                raise self.fail("an empty entry (two commas) in a { } mapping", index, path)
            start = index
            if self.at(index) in ('"', "'"):
                key, index = self.quoted(index, path)
            else:
                if self.at(index) in _RESERVED:
                    raise self.fail(_RESERVED[self.at(index)], index, path)
                key, index = self.flow_plain(index, path)
            where = self.new_key(key, start, path, first_line)
            index = self.flow_space(index)
            value: object = None
            if self.at(index) == ":":
                index = self.flow_space(index + 1)
                if self.at(index) not in (",", "}"):
                    value, index = self.flow_value(index, where)
            result[key] = value
            index = self.flow_separator(self.flow_space(index), "}", where)
        self.depth -= 1
        return result, index + 1

    def flow_separator(self, index: int, closing: str, path: str) -> int:
        """After an entry: past a comma (and what follows it) or at the closing bracket."""
        index = self.flow_space(index)
        if self.at(index) == ",":
            return self.flow_space(index + 1)
        if self.at(index) == closing:
            return index
        if self.at(index) == "":
            raise self.fail(f"the file ends before the closing {closing}", index, path)
        raise self.fail(f"expected ',' or '{closing}', found {self.snippet(index)}", index, path)
