"""The YAML reader's flow collections."""

from __future__ import annotations

from calculators.requests.yaml_scalars import ScalarParser
from calculators.requests.yaml_scanner import FLOW_END, RESERVED


class FlowParser(ScalarParser):
    """Flow collections: ``[a, b]`` and ``{k: v}``."""

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
        if char in RESERVED:
            raise self.fail(RESERVED[char], pos, path)
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
                or char in FLOW_END
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
                if self.at(index) in RESERVED:
                    raise self.fail(RESERVED[self.at(index)], index, path)
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
