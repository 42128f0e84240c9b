"""The support team's report: per article the votes, the helpful share, the reasons and the weekly
trend, least helpful first; the most frequent searches that found nothing. As HTML and as CSV.

Reads only through Store; renders text only (every value is escaped; no script, no inline style).
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from collector.database import Store
from collector.schema import REASONS

TREND_WEEKS = 8
TOP_SEARCHES = 50
NO_REASON = "none"  # a No whose reader did not (yet) choose a reason

REASON_LABELS = {
    "not-here": "The answer was not here",
    "hard-to-follow": "It was hard to follow",
    "numbers-mismatch": "The numbers did not match my invoice",
    "out-of-date": "Something is out of date",
    "other": "Other",
    NO_REASON: "No reason given",
}


@dataclass
class Article:
    page: str
    title: str
    helpful: int
    not_helpful: int
    reasons: dict[str, int] = field(default_factory=dict)
    weeks: dict[date, tuple[int, int]] = field(default_factory=dict)  # Monday -> (yes, no)

    @property
    def votes(self) -> int:
        return self.helpful + self.not_helpful

    @property
    def helpful_share(self) -> float:
        return self.helpful / self.votes if self.votes else 0.0


@dataclass
class Report:
    articles: list[Article]
    searches: list[tuple[str, int, str]]
    weeks: list[date]  # the trend's weeks, oldest first


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def build_report(store: Store, today: date) -> Report:
    articles = {path: Article(path, title, yes, no) for path, title, yes, no in store.articles()}
    for path, reason, votes in store.reasons():
        article = articles[path]
        key = reason or NO_REASON
        article.reasons[key] = article.reasons.get(key, 0) + votes
    for path, day, helpful, votes in store.days():
        monday = week_of(date.fromisoformat(day))
        yes, no = articles[path].weeks.get(monday, (0, 0))
        articles[path].weeks[monday] = (yes + votes, no) if helpful else (yes, no + votes)
    this_week = week_of(today)
    weeks = [this_week - timedelta(weeks=n) for n in range(TREND_WEEKS - 1, -1, -1)]
    ordered = sorted(articles.values(), key=lambda a: (a.helpful_share, -a.votes, a.page))
    return Report(ordered, store.searches(TOP_SEARCHES), weeks)


def percent(share: float) -> str:
    return f"{round(share * 100)}%"


def week_label(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


# ---- CSV ----------------------------------------------------------------------------------------

REASON_COLUMNS = (*REASONS, NO_REASON)


def articles_csv(report: Report) -> str:
    header = ["page", "title", "votes", "helpful", "not_helpful", "helpful_share"]
    header += [f"reason_{code}" for code in REASON_COLUMNS]
    return _csv(
        header,
        (
            [
                _cell(a.page),
                _cell(a.title),
                a.votes,
                a.helpful,
                a.not_helpful,
                f"{a.helpful_share:.3f}",
                *(a.reasons.get(code, 0) for code in REASON_COLUMNS),
            ]
            for a in report.articles
        ),
    )


def weeks_csv(report: Report) -> str:
    return _csv(
        ["page", "week", "week_start", "helpful", "not_helpful"],
        (
            [_cell(a.page), week_label(monday), monday.isoformat(), *a.weeks[monday]]
            for a in report.articles
            for monday in sorted(a.weeks)
        ),
    )


def searches_csv(report: Report) -> str:
    return _csv(
        ["query", "times", "last_day"],
        ([_cell(query), times, last_day] for query, times, last_day in report.searches),
    )


def _csv(header: list[str], rows: Iterable[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _cell(text: str) -> str:
    # A cell a spreadsheet would run as a formula is kept as text.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


# ---- HTML ---------------------------------------------------------------------------------------

STYLESHEET = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem; color: #1b1b1f; }
table { border-collapse: collapse; margin: 1rem 0 2rem; }
th, td { border-bottom: 1px solid #ddd; padding: .35rem .6rem; text-align: left; }
td { vertical-align: top; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
.trend { font-family: ui-monospace, monospace; font-size: 13px; white-space: nowrap; }
.low { color: #a1001b; font-weight: 600; }
"""


def report_html(report: Report) -> str:
    e = html.escape
    rows = []
    for a in report.articles:
        reasons = "<br>".join(
            f"{e(REASON_LABELS[code])}: {a.reasons[code]}"
            for code in REASON_COLUMNS
            if a.reasons.get(code)
        )
        trend = " ".join(_trend_cell(a.weeks.get(monday)) for monday in report.weeks)
        share_class = ' class="number low"' if a.helpful_share < 0.5 else ' class="number"'
        rows.append(
            f"<tr><td>{e(a.title)}<br><small>{e(a.page)}</small></td>"
            f'<td class="number">{a.votes}</td><td class="number">{a.helpful}</td>'
            f'<td class="number">{a.not_helpful}</td>'
            f"<td{share_class}>{percent(a.helpful_share)}</td>"
            f'<td>{reasons}</td><td class="trend">{e(trend)}</td></tr>'
        )
    searches = [
        f'<tr><td>{e(query)}</td><td class="number">{times}</td><td>{e(last_day)}</td></tr>'
        for query, times, last_day in report.searches
    ]
    weeks = f"{week_label(report.weeks[0])} to {week_label(report.weeks[-1])}"
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Help center feedback report</title>
<link rel="stylesheet" href="report.css">
</head>
<body>
<h1>Help center feedback report</h1>
<p>Download as CSV: <a href="report.csv">articles</a> · <a href="report/weeks.csv">weekly
trend</a> · <a href="report/searches.csv">searches that found nothing</a></p>
<h2>Articles, least helpful first</h2>
<table>
<thead><tr><th>Article</th><th>Votes</th><th>Helpful</th><th>Not helpful</th><th>Helpful share</th>
<th>Reasons for No</th><th>Helpful share per week ({e(weeks)})</th></tr></thead>
<tbody>
{"".join(rows) or '<tr><td colspan="7">No votes yet.</td></tr>'}
</tbody>
</table>
<h2>Searches that found nothing</h2>
<table>
<thead><tr><th>Query</th><th>Times</th><th>Last searched</th></tr></thead>
<tbody>
{"".join(searches) or '<tr><td colspan="3">None recorded.</td></tr>'}
</tbody>
</table>
</body>
</html>
"""


def _trend_cell(week: tuple[int, int] | None) -> str:
    if not week or not sum(week):
        return "   ·"
    yes, no = week
    return f"{percent(yes / (yes + no)):>4}"
