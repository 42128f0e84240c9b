"""The growth chart: usage against each plan's limit as an accessible SVG."""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Final

from calculators.domain.contract_types.errors import ErrorResponse
from calculators.domain.contract_types.growth import GrowthResponse
from calculators.web.html import esc

_WIDTH: Final = 640
_HEIGHT: Final = 360
_LEFT: Final = 64
_RIGHT: Final = 16
_TOP: Final = 24
_BOTTOM: Final = 56
# The theme's link colour is its primary colour made lighter in the dark scheme, so the usage
# line keeps its contrast on a dark background; outside the theme, the primary colour.
_USAGE_COLOUR: Final = "var(--md-typeset-a-color, var(--md-primary-fg-color, #4051b5))"
_LIMIT_COLOUR: Final = "var(--md-default-fg-color--light, currentColor)"


def _coord(value: Fraction) -> str:
    """A coordinate to one decimal, rounded half up, from exact arithmetic."""
    tenths = math.floor(value * 10 + Fraction(1, 2))
    sign = "-" if tenths < 0 else ""
    return f"{sign}{abs(tenths) // 10}.{abs(tenths) % 10}"


def _nice_step(span: int) -> int:
    """A round tick step (1, 2 or 5 times a power of ten) giving about four ticks."""
    raw = max(1, span) / 4
    power = 1
    while power * 10 <= raw:
        power *= 10
    for factor in (1, 2, 5, 10):
        if power * factor >= raw:
            return power * factor
    return power * 10


def _unavailable(reason: str) -> str:
    # No ids: a page may hold several charts; <title> and <desc> name and describe the image.
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} 40" role="img" '
        f'aria-label="Chart unavailable" class="growth-chart">'
        f"<title>Chart unavailable</title>"
        f"<desc>{esc(reason)}</desc>"
        f'<text x="8" y="24" fill="currentColor">{esc(reason)}</text></svg>'
    )


# A plan's limit drawn on the chart: the limit, the plan's name, the month it is exceeded.
_Limit = tuple[int, str, int | None]


def render_chart_svg(response: GrowthResponse | ErrorResponse, *, resource: str) -> str:
    """An SVG line chart of one resource's usage against the plans' limits.

    Theme-neutral: lines and text use ``currentColor`` and the theme's custom properties, and
    there is no background, so it reads in light and dark themes. ``<title>`` and ``<desc>``
    carry a text alternative with the numbers.
    """
    info = None
    if "errors" not in response:
        info = next((r for r in response["resources"] if r["resource"] == resource), None)
    if info is None or "errors" in response or not response["months"]:
        return _unavailable(f"No projection of {resource} to chart.")
    label, unit = info["label"], info["unit"]
    months = [(m["month"], m["usage"][resource]) for m in response["months"]]
    limits = [
        (p["name"], p["limits"][resource], p["runs_out"][resource]) for p in response["plans"]
    ]
    horizon = max(1, months[-1][0])
    top_usage = max(u for _, u in months)
    numbered: list[_Limit] = sorted(
        ((limit, name, out) for name, limit, out in limits if limit is not None),
        key=lambda item: item[0],
    )
    # The limits that matter: from the highest one today's usage is already above (the plan
    # being outgrown) to the first one above the highest usage (the plan that still holds it).
    start = months[0][1]
    below = [item for item in numbered if item[0] <= start]
    shown = below[-1:] + [item for item in numbered if start < item[0] <= top_usage]
    above = [item for item in numbered if item[0] > top_usage]
    if above:
        shown.append(above[0])
    ceiling = max([top_usage, 1, *(item[0] for item in shown)])
    step = _nice_step(ceiling)
    ceiling = -(-ceiling // step) * step
    plot_w, plot_h = _WIDTH - _LEFT - _RIGHT, _HEIGHT - _TOP - _BOTTOM
    # Lines closer than a label's height would overprint: the higher one is kept.
    kept: list[_Limit] = []
    for item in sorted(shown, key=lambda i: -i[0]):
        if all(Fraction(plot_h * (k[0] - item[0]), ceiling) >= 16 or k[0] == item[0] for k in kept):
            kept.append(item)
    shown = sorted(kept, key=lambda i: i[0])

    def x(month: int) -> str:
        return _coord(_LEFT + Fraction(plot_w * month, horizon))

    def y(value: int) -> str:
        return _coord(_TOP + plot_h - Fraction(plot_h * value, ceiling))

    title = f"{label} ({unit}) over {horizon} months against plan limits"
    desc = _chart_desc(label, unit, months, shown, numbered)
    sales = response["contact_sales"]
    if sales is not None:
        desc += (
            f" From month {sales['from_month']} no self-serve plan holds the usage, even "
            "with add-ons."
        )
    e = esc
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {_HEIGHT}" role="img" '
        f'aria-label="{e(title)}" class="growth-chart" font-family="inherit">',
        f"<title>{e(title)}</title>",
        f"<desc>{e(desc)}</desc>",
        '<g fill="currentColor" font-size="12">',
    ]
    # Axes and ticks.
    base = y(0)
    parts.append(
        f'<line x1="{_LEFT}" y1="{base}" x2="{_WIDTH - _RIGHT}" y2="{base}" '
        'stroke="currentColor" stroke-opacity="0.5"/>'
    )
    parts.append(
        f'<line x1="{_LEFT}" y1="{_TOP}" x2="{_LEFT}" y2="{base}" '
        'stroke="currentColor" stroke-opacity="0.5"/>'
    )
    for value in range(0, ceiling + 1, step):
        parts.append(
            f'<line x1="{_LEFT}" y1="{y(value)}" x2="{_WIDTH - _RIGHT}" '
            f'y2="{y(value)}" stroke="currentColor" stroke-opacity="0.1"/>'
        )
        parts.append(
            f'<text x="{_LEFT - 6}" y="{y(value)}" text-anchor="end" '
            f'dominant-baseline="middle">{value:,}</text>'
        )
    every = next(k for k in (1, 2, 3, 6, 12) if horizon / k <= 12)
    for month in range(0, horizon + 1, every):
        parts.append(
            f'<text x="{x(month)}" y="{_coord(Fraction(_HEIGHT - _BOTTOM + 18))}" '
            f'text-anchor="middle">{month}</text>'
        )
    parts.append(
        f'<text x="{_coord(_LEFT + Fraction(plot_w, 2))}" y="{_HEIGHT - 8}" '
        f'text-anchor="middle">Month (0 is today)</text>'
    )
    parts.append(
        f'<text x="14" y="{_coord(_TOP + Fraction(plot_h, 2))}" text-anchor="middle" '
        f'transform="rotate(-90 14 {_coord(_TOP + Fraction(plot_h, 2))})">'
        f"{e(label)} ({e(unit)})</text>"
    )
    # Plan limits: dashed lines, each labelled with the plan(s) and the limit.
    for value in sorted({item[0] for item in shown}):
        names = ", ".join(name for limit, name, _ in shown if limit == value)
        parts.append(
            f'<line x1="{_LEFT}" y1="{y(value)}" x2="{_WIDTH - _RIGHT}" '
            f'y2="{y(value)}" stroke="{_LIMIT_COLOUR}" stroke-width="1.5" '
            'stroke-dasharray="6 4"/>'
        )
        parts.append(
            f'<text x="{_WIDTH - _RIGHT - 4}" y="{_coord(Fraction(y(value)) - 5)}" '
            f'text-anchor="end">{e(names)}: {value:,} {e(unit)}</text>'
        )
    parts.append("</g>")
    # Usage: a line with a dot per month.
    points = " ".join(f"{x(m)},{y(u)}" for m, u in months)
    parts.append(
        f'<polyline points="{points}" fill="none" stroke="{_USAGE_COLOUR}" '
        'stroke-width="2.5" stroke-linejoin="round"/>'
    )
    parts.append(f'<g fill="{_USAGE_COLOUR}">')
    for m, u in months:
        parts.append(
            f'<circle cx="{x(m)}" cy="{y(u)}" r="3"><title>Month {m}: {u:,} '
            f"{e(unit)}</title></circle>"
        )
    parts.append("</g></svg>")
    return "".join(parts)


def _chart_desc(
    label: str,
    unit: str,
    months: Sequence[tuple[int, int]],
    shown: Sequence[_Limit],
    every_limit: Sequence[_Limit],
) -> str:
    first, last = months[0], months[-1]
    text = f"{label} grows from {first[1]:,} {unit} today to {last[1]:,} {unit} in month {last[0]}."
    for limit, name, out in shown:
        if out is not None:
            when = "already today" if out == 0 else f"in month {out}"
            text += f" {name}'s limit of {limit:,} {unit} is exceeded {when}."
        else:
            text += f" {name}'s limit of {limit:,} {unit} is not reached."
    hidden = [item for item in every_limit if item not in shown]
    if hidden:
        text += (
            " Limits not drawn: "
            + ", ".join(f"{name} {limit:,} {unit}" for limit, name, _ in hidden)
            + "."
        )
    return text
