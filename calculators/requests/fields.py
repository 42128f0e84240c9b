"""Readers for fields many requests share: objects, counts, currency, interval, plan, usage."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Final, TypeVar

from calculators.domain.catalogue import Catalogue, Plan, describe
from calculators.requests.errors import Errors, add_error, join

_T = TypeVar("_T")
# Usage amounts above this are refused: no account is that large, and integers beyond 2**53 do not
# survive a round trip through JavaScript numbers in the browser.
MAX_UNITS: Final = 10**12
_DIGITS: Final = re.compile(r"[0-9]{1,13}")


def read_object(
    value: object,
    field: str,
    errors: Errors,
    *,
    required: Sequence[str] = (),
    optional: Sequence[str] = (),
) -> Mapping[str, object] | None:
    """A JSON object with known keys; unknown keys are errors (they are usually typos)."""
    if not isinstance(value, Mapping):
        what = field or "the request"
        add_error(errors, field, f"{what} must be a JSON object, got {describe(value)}")
        return None
    allowed = tuple(dict.fromkeys((*required, *optional)))
    for key in value:
        if key not in allowed:
            add_error(
                errors,
                join(field, key),
                f"unknown field {describe(key)}; allowed here: {', '.join(allowed)}",
            )
    for key in required:
        if key not in value:
            add_error(errors, join(field, key), "missing (required)")
    return value


def read_count(
    value: object, field: str, errors: Errors, *, minimum: int = 0, maximum: int = MAX_UNITS
) -> int | None:
    """A whole number of units: a JSON integer, or a string of digits as forms send it."""
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        number = int(value.strip())
    if number is None:
        add_error(errors, field, f"must be a whole number, got {describe(value)}")
        return None
    if number < minimum:
        add_error(errors, field, f"must be at least {minimum}, got {number}")
        return None
    if number > maximum:
        add_error(errors, field, f"must be at most {maximum:,}, got {describe(number)}")
        return None
    return number


def read_currency(value: object, field: str, catalogue: Catalogue, errors: Errors) -> str | None:
    """A currency the catalogue sells in; missing means the catalogue's default currency."""
    if value is None:
        return catalogue.default_currency
    if not isinstance(value, str) or value not in catalogue.currencies:
        add_error(
            errors,
            field,
            f"unknown currency {describe(value)}; the catalogue sells in: "
            f"{', '.join(catalogue.currencies)}",
        )
        return None
    return value


def read_interval(
    value: object,
    field: str,
    catalogue: Catalogue,
    errors: Errors,
    *,
    allowed: Sequence[str] | None = None,
) -> str | None:
    """A billing interval the catalogue offers; missing means monthly when offered."""
    offered = [i for i in catalogue.intervals if allowed is None or i in allowed]
    if value is None and offered:
        return "month" if "month" in offered else offered[0]
    if not isinstance(value, str) or value not in offered:
        add_error(
            errors,
            field,
            f"unknown billing interval {describe(value)}; offered: {', '.join(offered) or 'none'}",
        )
        return None
    return value


def read_plan(
    value: object,
    field: str,
    catalogue: Catalogue,
    errors: Errors,
    *,
    self_serve: bool = False,
) -> Plan | None:
    """A plan id from the catalogue; ``self_serve`` refuses plans sold by the sales team."""
    known = [p.id for p in catalogue.plans]
    if not isinstance(value, str) or value not in known:
        add_error(
            errors, field, f"unknown plan {describe(value)}; the catalogue has: {', '.join(known)}"
        )
        return None
    plan = catalogue.plan(value)
    if self_serve and not plan.self_serve:
        add_error(
            errors,
            field,
            f"{plan.name} is sold by the sales team and has no list price; "
            f"choose one of: {', '.join(p.id for p in catalogue.self_serve_plans)}",
        )
        return None
    return plan


def read_usage(
    value: object, field: str, catalogue: Catalogue, errors: Errors, *, extra: Sequence[str] = ()
) -> dict[str, int] | None:
    """Usage per resource in the resource's unit; resources left out count as 0.

    ``extra`` names further keys the caller reads itself (``features``, ``support``).
    """
    return read_per_resource(
        value,
        field,
        catalogue,
        errors,
        read_item=read_count,
        default=0,
        expected="an object of resource amounts",
        extra=extra,
    )


def read_per_resource(
    value: object,
    field: str,
    catalogue: Catalogue,
    errors: Errors,
    *,
    read_item: Callable[[object, str, Errors], _T | None],
    default: _T,
    expected: str,
    extra: Sequence[str] = (),
) -> dict[str, _T] | None:
    """One value per catalogue resource, each read by ``read_item``; left out is ``default``.

    Every unknown resource and every bad value is reported, at its own key path.
    """
    if not isinstance(value, Mapping):
        add_error(errors, field, f"must be {expected}, got {describe(value)}")
        return None
    ids = [r.id for r in catalogue.resources]
    found: dict[str, _T] = {}
    ok = True
    for key, item in value.items():
        if key in extra:
            continue
        where = join(field, key)
        if key not in ids:
            add_error(
                errors,
                where,
                f"unknown resource {describe(key)}; the catalogue measures: {', '.join(ids)}",
            )
            ok = False
            continue
        parsed = read_item(item, where, errors)
        if parsed is None:
            ok = False
        else:
            found[key] = parsed
    if not ok:
        return None
    return {rid: found.get(rid, default) for rid in ids}


def read_features(
    value: object, field: str, catalogue: Catalogue, errors: Errors
) -> tuple[str, ...] | None:
    """Required feature ids, returned in catalogue order without repeats."""
    if value is None:
        return ()
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        add_error(errors, field, f"must be a list of feature ids, got {describe(value)}")
        return None
    ok = True
    for index, item in enumerate(value):
        if not isinstance(item, str) or item not in catalogue.features:
            add_error(
                errors,
                f"{field}[{index}]",
                f"unknown feature {describe(item)}; the "
                f"catalogue has: {', '.join(catalogue.features)}",
            )
            ok = False
    if not ok:
        return None
    return tuple(f for f in catalogue.features if f in value)


def read_support(value: object, field: str, catalogue: Catalogue, errors: Errors) -> str | None:
    """A support level id, or None when the customer has no requirement."""
    if value is None:
        return None
    known = [s.id for s in catalogue.support_levels]
    if not isinstance(value, str) or value not in known:
        add_error(
            errors,
            field,
            f"unknown support level {describe(value)}; the catalogue has: {', '.join(known)}",
        )
        return None
    return value
