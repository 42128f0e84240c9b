"""Reads a ``compare`` request."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from calculators.domain.catalogue import Catalogue, Plan
from calculators.domain.plans import Needs
from calculators.requests.errors import Errors, join
from calculators.requests.fields import (
    read_currency,
    read_features,
    read_interval,
    read_object,
    read_plan,
    read_support,
    read_usage,
)

_REQUEST_KEYS: Final = ("currency", "interval", "needs", "current_plan", "current_usage")


@dataclass(frozen=True)
class ParsedCompare:
    """A ``compare`` request as read and checked (its JSON shape: ``contract_types.compare``)."""

    currency: str
    interval: str
    needs: Needs
    current: Plan | None
    current_usage: Mapping[str, int] | None


def read_compare_request(
    request: object, catalogue: Catalogue, errors: Errors
) -> ParsedCompare | None:
    body = read_object(request, "", errors, required=("needs",), optional=_REQUEST_KEYS)
    if body is None:
        return None
    currency = read_currency(body.get("currency"), "currency", catalogue, errors)
    interval = read_interval(body.get("interval"), "interval", catalogue, errors)
    needs = None
    if "needs" in body:
        needs = read_needs(body["needs"], "needs", catalogue, errors)
    current = None
    if body.get("current_plan") is not None:
        current = read_plan(body["current_plan"], "current_plan", catalogue, errors)
    current_usage = None
    if body.get("current_usage") is not None:
        current_usage = read_usage(body["current_usage"], "current_usage", catalogue, errors)
    if currency is None or interval is None or needs is None or errors:
        return None
    return ParsedCompare(currency, interval, needs, current, current_usage)


def read_needs(value: object, field: str, catalogue: Catalogue, errors: Errors) -> Needs | None:
    """Resource amounts plus optional ``features`` (list) and ``support`` (level id)."""
    usage = read_usage(value, field, catalogue, errors, extra=("features", "support"))
    if usage is None or not isinstance(value, Mapping):
        return None
    features = read_features(value.get("features"), join(field, "features"), catalogue, errors)
    support = read_support(value.get("support"), join(field, "support"), catalogue, errors)
    if features is None or (value.get("support") is not None and support is None):
        return None
    return Needs(usage, features, support)
