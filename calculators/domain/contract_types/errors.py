"""The error response every contract shares (each contract's "Errors" section)."""

from __future__ import annotations

from typing import TypedDict, final


class FieldError(TypedDict):
    """One problem of a request: the field's path (``""`` for the whole request) and why."""

    field: str
    message: str


@final
class ErrorResponse(TypedDict):
    """The answer to a request that could not be computed: exactly one field, ``errors``."""

    errors: list[FieldError]
