"""The one error collector of every request reader: ``{field, message}`` problems and the
paths that name fields."""

from __future__ import annotations

from typing import Any

Errors = list[dict[str, str]]


def add_error(errors: Errors, field: str, message: str) -> None:
    errors.append({"field": field, "message": message})


def error_response(errors: Errors) -> dict[str, Any]:
    return {"errors": list(errors)}


def join(path: str, key: object) -> str:
    text = str(key)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{path}.{text}" if path else text
