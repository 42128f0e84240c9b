"""The YAML reader's scalars: plain, quoted and block scalars."""

from __future__ import annotations

import itertools
import re

from calculators.domain.money import MAX_NUMBER_DIGITS
from calculators.requests.yaml_scanner import (
    _FALSE,
    _NULL,
    _TRUE,
    ESCAPES,
    FLOAT,
    HEX_ESCAPES,
    INTEGER,
    SPECIAL_FLOAT,
    YAML11_BOOLEAN,
    YAML11_NUMBER,
    Scanner,
    trailing_blanks,
)


class ScalarParser(Scanner):
    """Scalars: plain, quoted and block scalars, escapes, and what a plain scalar resolves to."""

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
        if YAML11_BOOLEAN.fullmatch(text):
            raise self.fail(
                f"{text!r} means true or false to some YAML readers and text to "
                "others: write true or false, or quote it",
                pos,
                path,
            )
        if YAML11_NUMBER.fullmatch(text):
            raise self.fail(
                f"{text!r} is a number to some YAML readers and text to others: "
                "write a plain decimal number, or quote it",
                pos,
                path,
            )
        if INTEGER.fullmatch(text) or FLOAT.fullmatch(text):
            digits = sum(c.isdigit() for c in text)
            if digits > MAX_NUMBER_DIGITS:
                raise self.fail(
                    f"a number with {digits:,} digits; numbers have at most {MAX_NUMBER_DIGITS}",
                    pos,
                    path,
                )
            if INTEGER.fullmatch(text):
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
        if text in SPECIAL_FLOAT:
            return float(SPECIAL_FLOAT[text])
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
        content = lines[: len(lines) - trailing_blanks(lines)]
        body = "\n".join(content) if style == "|" else self.fold(content)
        if not content or chomping == "-":
            return body
        if chomping == "+":
            return body + "\n" * (1 + trailing_blanks(lines))
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
        if code in ESCAPES:
            pieces.append(ESCAPES[code])
            return index + 2
        if code in HEX_ESCAPES:
            width = HEX_ESCAPES[code]
            digits = self.text[index + 2 : index + 2 + width]
            if len(digits) == width and all(c in "0123456789abcdefABCDEF" for c in digits):
                value = int(digits, 16)
                if value <= 0x10FFFF and not 0xD800 <= value <= 0xDFFF:
                    pieces.append(chr(value))
                    return index + 2 + width
        raise self.fail(f"unknown escape \\{code} in a double-quoted value", index, path)
