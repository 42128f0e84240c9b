"""A strict reader for the subset of YAML a catalogue is written in, with the line of every key."""

from __future__ import annotations

from dataclasses import dataclass

from calculators.requests.yaml_flow import FlowParser
from calculators.requests.yaml_scanner import RESERVED, YamlError


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


class _Parser(FlowParser):
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

    def block_node(self, pos: int, parent_indent: int, path: str) -> object:
        """The node starting at ``pos`` (its first character); its column is its indent."""
        if self.is_sequence_entry(pos):
            return self.block_sequence(pos, path)
        if self.mapping_key_end(pos, path) is not None:
            return self.block_mapping(pos, path)
        return self.inline_value(pos, parent_indent, path)

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

    def mapping_key(self, pos: int, path: str) -> tuple[str, int]:
        after = self.mapping_key_end(pos, path)
        if after is None:
            if self.at(pos) == "?" and self.at(pos + 1) in ("", " ", "\n"):
                raise self.fail(RESERVED["?"], pos, path)
            raise self.fail(f"expected 'key: value', found {self.snippet(pos)}", pos, path)
        if self.at(pos) in ('"', "'"):
            key, _ = self.quoted(pos, path)
            return key, after
        key = self.text[pos : after - 1].rstrip()
        if not key:
            raise self.fail("a ':' with no key before it", pos, path)
        if key[0] in RESERVED:
            raise self.fail(RESERVED[key[0]], pos, path)
        return key, after

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
        if char in RESERVED:
            raise self.fail(RESERVED[char], pos, path)
        return self.plain_block(pos, parent_indent, path)
