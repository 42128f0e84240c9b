"""Reading the YAML catalogue with the line of every key, so build errors can point at it."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from calculators.catalogue import CatalogueError

_INDEX = re.compile(r"\[(\d+)\]")


def read_yaml_catalogue(path: Path) -> tuple[Any, Callable[[str], int | None]]:
    """The parsed YAML, and a function from a key path ("plans[1].prices.year") to its line."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise CatalogueError(source, [("", f"cannot read the file: {error.strerror}")]) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise CatalogueError(source, [("", f"not valid YAML: {error}")]) from None

    def locate(key_path: str) -> int | None:
        current = node
        line = None if current is None else current.start_mark.line + 1
        for part in _split(key_path):
            found = None
            if isinstance(current, yaml.MappingNode) and isinstance(part, str):
                for key_node, value_node in current.value:
                    if key_node.value == part:
                        found = value_node
                        line = key_node.start_mark.line + 1
                        break
            elif (isinstance(current, yaml.SequenceNode) and isinstance(part, int)
                  and part < len(current.value)):
                found = current.value[part]
                line = found.start_mark.line + 1
            if found is None:
                return line
            current = found
        return line

    return data, locate


def _split(key_path: str) -> list[str | int]:
    parts: list[str | int] = []
    for chunk in key_path.split("."):
        if not chunk:
            continue
        name = _INDEX.split(chunk)
        head, indexes = name[0], name[1::2]
        if head:
            parts.append(head)
        parts.extend(int(i) for i in indexes)
    return parts
