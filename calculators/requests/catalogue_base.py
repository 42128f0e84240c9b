"""The catalogue reader's base: its problem list and typed reads that name the key path."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from calculators.domain import money
from calculators.domain.catalogue import describe

_ID: Final = re.compile(r"[a-z][a-z0-9_]*")
CURRENCY_CODE: Final = re.compile(r"[A-Z]{3}")


class Invalid(Exception):
    """Internal: a value that cannot be read further; already recorded as a problem."""


class ReaderBase:
    """The reader's primitives: one problem list, typed reads that name the key path."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[tuple[str, str]] = []

    def fail(self, path: str, reason: str) -> Invalid:
        self.problems.append((path, reason))
        return Invalid(path)

    def mapping(
        self,
        value: object,
        path: str,
        *,
        required: Sequence[str] = (),
        optional: Sequence[str] = (),
        free_keys: bool = False,
    ) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(path, f"must be a mapping, got {describe(value)}")
        for key in value:
            if not isinstance(key, str):
                self.fail(key_path(path, str(key)), "keys must be text")
            elif not free_keys and key not in required and key not in optional:
                allowed = ", ".join([*required, *optional])
                self.fail(key_path(path, key), f"unknown key {key!r} (allowed here: {allowed})")
        for key in required:
            if key not in value:
                self.fail(key_path(path, key), "missing (required)")
        return value

    def text(self, value: object, path: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(path, f"must be non-empty text, got {describe(value)}")
        return value

    def ident(self, value: object, path: str) -> str:
        if not isinstance(value, str) or not _ID.fullmatch(value):
            raise self.fail(
                path, f"must be an id of lowercase letters, digits and _, got {describe(value)}"
            )
        return value

    def integer(self, value: object, path: str, *, minimum: int = 0) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(path, f"must be a whole number, got {describe(value)}")
        if value < minimum:
            raise self.fail(path, f"must be at least {minimum}, got {value}")
        return value

    def positive(self, value: object, path: str) -> int:
        return self.integer(value, path, minimum=1)

    def boolean(self, value: object, path: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(path, f"must be true or false, got {describe(value)}")
        return value

    def choice(self, value: object, path: str, allowed: Sequence[str]) -> str:
        if not isinstance(value, str) or value not in allowed:
            raise self.fail(path, f"must be one of {', '.join(allowed)}, got {describe(value)}")
        return value

    def sequence(self, value: object, path: str) -> Sequence[Any]:
        if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
            raise self.fail(path, f"must be a list, got {describe(value)}")
        return value

    def amount(self, value: object, path: str, currency: str, units: Mapping[str, int]) -> Decimal:
        if isinstance(value, float):
            raise self.fail(
                path,
                f'write money as a quoted string such as "{value:.2f}", '
                "not a bare number (it would be read as a float)",
            )
        try:
            return money.parse_amount(value, currency, extra=units)
        except money.MoneyError as error:
            raise self.fail(path, str(error)) from None

    def attempt(self, path: str, read: Any, *args: Any, **kwargs: Any) -> Any:
        """Run one reader; on failure the problem is already recorded and None is returned."""
        try:
            return read(*args, **kwargs)
        except Invalid:
            return None
        except (KeyError, TypeError, ValueError) as error:  # defensive: never crash the build
            self.fail(path, f"cannot be read: {error}")
            return None

    def unique(self, ids: Sequence[tuple[str, str]], kind: str) -> None:
        seen: dict[str, str] = {}
        for path, item_id in ids:
            if item_id in seen:
                self.fail(path, f"duplicate {kind} id {item_id!r} (first at {seen[item_id]})")
            else:
                seen[item_id] = path

    def id_list(self, value: object, path: str, known: Sequence[str], kind: str) -> list[str]:
        items = self.sequence(value, path)
        result: list[str] = []
        for index, item in enumerate(items):
            where = f"{path}[{index}]"
            if not isinstance(item, str) or item not in known:
                self.fail(where, f"unknown {kind} {item!r} (known: {', '.join(known)})")
            elif item in result:
                self.fail(where, f"{kind} {item!r} is listed twice")
            else:
                result.append(item)
        return result

    def fields(self, value: object, path: str, readers: Mapping[str, Any]) -> dict[str, Any]:
        """A mapping with exactly these keys, each read by its reader(value, path)."""
        raw = self.mapping(value, path, required=tuple(readers))
        result: dict[str, Any] = {}
        complete = True
        for key, reader in readers.items():
            if key not in raw:  # already reported as missing
                complete = False
                continue
            try:
                result[key] = reader(raw[key], key_path(path, key))
            except Invalid:
                complete = False
        if not complete:
            raise Invalid(path)
        return result

    def keyed(
        self, value: object, path: str, ids: Sequence[str], kind: str, item: Any
    ) -> dict[str, Any]:
        """One entry per known id (policy keyed by catalogue ids), each read by item()."""
        raw = self.mapping(value, path, free_keys=True)
        result: dict[str, Any] = {}
        for key in raw:
            if key not in ids:
                self.fail(
                    key_path(path, str(key)), f"unknown {kind} {key!r} (known: {', '.join(ids)})"
                )
        for key in ids:
            where = key_path(path, key)
            if key not in raw:
                self.fail(where, f"missing (every {kind} needs an entry here)")
                continue
            read = self.attempt(where, item, raw[key], where)
            if read is not None:
                result[key] = read
        if len(result) != len(ids) or len(raw) != len(ids):
            raise Invalid(path)
        return result

    def choices(self, allowed: Sequence[str]) -> Any:
        return lambda value, where: self.choice(value, where, allowed)

    def optional(self, reader: Any) -> Any:
        """``reader`` for a value that may also be null."""
        return lambda value, where: None if value is None else reader(value, where)


@dataclass
class ReaderContext:
    currencies: tuple[str, ...]
    units: Mapping[str, int]
    intervals: tuple[str, ...]
    resources: tuple[str, ...]
    support_levels: tuple[str, ...]
    features: tuple[str, ...]
    plans: tuple[str, ...] = ()


def key_path(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
