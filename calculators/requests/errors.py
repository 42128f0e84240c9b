"""The one error collector of every request reader: ``{field, message}`` problems and the
paths that name fields."""

from __future__ import annotations

from calculators.domain.contract_types.errors import ErrorResponse, FieldError

Errors = list[FieldError]


def add_error(errors: Errors, field: str, message: str) -> None:
    """Note one problem; a request reader notes every problem it finds, in order."""
    errors.append({"field": field, "message": message})


def error_response(errors: Errors) -> ErrorResponse:
    return {"errors": list(errors)}


def single_error(field: str, message: str) -> ErrorResponse:
    """The response to a request refused for one reason."""
    errors: Errors = []
    add_error(errors, field, message)
    return error_response(errors)


def join(path: str, key: object) -> str:
    text = str(key)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{path}.{text}" if path else text
