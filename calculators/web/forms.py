"""A widget's form: its fields, and reading form or URL input into typed values."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Final, Generic, TypeVar

from calculators.domain.catalogue import Catalogue
from calculators.domain.contract_types.errors import ErrorResponse
from calculators.requests.errors import Errors, add_error
from calculators.web.html import Rendered

MAX_TEXT: Final = 500
_Response = TypeVar("_Response")
_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_INTEGER: Final = re.compile(r"[0-9]{1,9}")
_DECIMAL: Final = re.compile(r"-?[0-9]{1,6}(\.[0-9]{1,4})?")


@dataclass(frozen=True)
class Field:
    """One form control; ``name`` is also its URL parameter."""

    name: str
    label: str
    kind: str  # select, date, integer, decimal, text, textarea, multi
    options: tuple[tuple[str, str], ...] = ()
    required: bool = True
    minimum: int | None = None
    maximum: int | None = None
    hint: str = ""
    group: str = ""


@dataclass
class Reading:
    """Form input read so far: typed values and every problem, keyed by field name."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: Errors = field(default_factory=list)

    def fail(self, name: str, message: str) -> None:
        if not any(e["field"] == name for e in self.errors):
            add_error(self.errors, name, message)


@dataclass(frozen=True)
class Widget(Generic[_Response]):
    """A page calculator: its form, the command(s) it runs and how it shows their answer."""

    name: str
    title: str
    fields: Callable[[Catalogue], tuple[Field, ...]]
    # Runs the calculator(s) on the form's values; a response with "errors" on bad input.
    compute: Callable[[Reading, Catalogue], _Response | ErrorResponse]
    render_result: Callable[[_Response, Reading, Catalogue], Rendered]
    # Contract field paths of the calculator's errors -> the form field that caused them.
    error_fields: Mapping[str, str]
    defaults: Callable[[Catalogue, date], dict[str, str]]


def short(value: str) -> str:
    return value if len(value) <= 40 else value[:37] + "..."


def read_params(
    fields_: Sequence[Field], params: Mapping[str, object], defaults: Mapping[str, str]
) -> tuple[Reading, dict[str, str]]:
    """Validate every field; return typed values, errors and the canonical parameters."""
    reading = Reading()
    canonical: dict[str, str] = {}
    for spec in fields_:
        raw_value = params.get(spec.name, defaults.get(spec.name, ""))
        if isinstance(raw_value, list):
            raw_value = ",".join(str(v) for v in raw_value)
        if not isinstance(raw_value, str):
            raw_value = str(raw_value)
        raw = raw_value.strip()
        canonical[spec.name] = raw[:MAX_TEXT]
        if len(raw) > MAX_TEXT:
            reading.fail(spec.name, f"{spec.label} is too long (at most {MAX_TEXT} characters)")
            continue
        if raw == "":
            if spec.required:
                reading.fail(spec.name, f"{spec.label} is required")
            else:
                reading.values[spec.name] = None
            continue
        _read_one(spec, raw, reading)
    return reading, canonical


def _read_one(spec: Field, raw: str, reading: Reading) -> None:
    label = spec.label
    if spec.kind == "select":
        allowed = {value for value, _ in spec.options}
        if raw not in allowed:
            reading.fail(spec.name, f"{label}: {short(raw)!r} is not one of the choices")
            return
        reading.values[spec.name] = raw
    elif spec.kind == "multi":
        allowed = {value for value, _ in spec.options}
        chosen = [part.strip() for part in raw.split(",") if part.strip()]
        unknown = [c for c in chosen if c not in allowed]
        if unknown:
            reading.fail(spec.name, f"{label}: {short(unknown[0])!r} is not one of the choices")
            return
        reading.values[spec.name] = [v for v, _ in spec.options if v in chosen]
    elif spec.kind == "date":
        if not raw.isascii() or not _DATE.fullmatch(raw):
            reading.fail(spec.name, f"{label}: enter a date as YYYY-MM-DD, got {short(raw)!r}")
            return
        try:
            reading.values[spec.name] = date.fromisoformat(raw)
        except ValueError:
            reading.fail(spec.name, f"{label}: {raw} is not a date in the calendar")
    elif spec.kind == "integer":
        if not raw.isascii() or not _INTEGER.fullmatch(raw):
            reading.fail(spec.name, f"{label}: enter a whole number such as 12, got {short(raw)!r}")
            return
        number = int(raw)
        if spec.minimum is not None and number < spec.minimum:
            reading.fail(spec.name, f"{label}: must be at least {spec.minimum}")
        elif spec.maximum is not None and number > spec.maximum:
            reading.fail(spec.name, f"{label}: must be at most {spec.maximum:,}")
        else:
            reading.values[spec.name] = number
    elif spec.kind == "decimal":
        if not raw.isascii() or not _DECIMAL.fullmatch(raw):
            reading.fail(spec.name, f"{label}: enter a number such as 7.5, got {short(raw)!r}")
            return
        try:
            number_d = Decimal(raw)
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
            reading.fail(spec.name, f"{label}: {short(raw)!r} is not a number")
            return
        if spec.minimum is not None and number_d < spec.minimum:
            reading.fail(spec.name, f"{label}: must be at least {spec.minimum}")
        elif spec.maximum is not None and number_d > spec.maximum:
            reading.fail(spec.name, f"{label}: must be at most {spec.maximum}")
        else:
            reading.values[spec.name] = raw
    else:  # text, textarea
        reading.values[spec.name] = raw
