"""Search quality: the customers' query set (tests/search_queries.py) through the built site's
own search engine and index; the top-three hit rate is printed and must be 95% or more, and
every misspelt query must find its page. ``python -m tests.test_search_quality SITE_DIR``
(``make search-report``) prints each query's top results."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.search_queries import QUERIES, Query, hits, judged, run_search, top_pages

REQUIRED_RATE = 0.95
SECTIONS = (
    "understanding/",
    "reasons/",
    "upgrading/",
    "downgrading/",
    "scaling/",
    "add-ons/",
    "communicating/",
    "billing/",
    "records/",
    "support/",
)


def report(site: Path, answers: Sequence[dict[str, Any]]) -> tuple[str, float]:
    """Each query's top three pages, marked hit or miss, and the hit rate over judged queries."""
    lines = []
    judged_hits = judged_count = all_hits = 0
    for query, answer in zip(QUERIES, answers, strict=True):
        top = top_pages(answer)
        hit = hits(query, top)
        counted = judged(query, site)
        all_hits += hit
        if counted:
            judged_count += 1
            judged_hits += hit
        mark = ("hit " if hit else "MISS") if counted else "wait"
        typo = " (misspelt)" if query.misspelt else ""
        lines.append(f"{mark}  {query.text!r}{typo} -> {', '.join(top) or '(nothing)'}")
        if not hit:
            lines.append(f"      expected one of: {', '.join(query.expected)}")
    rate = judged_hits / judged_count if judged_count else 0.0
    waiting = len(QUERIES) - judged_count
    lines.append(
        f"top-three hit rate: {judged_hits}/{judged_count} = {rate:.1%} "
        f"(all {len(QUERIES)} queries, counting the {waiting} waiting for their article: "
        f"{all_hits}/{len(QUERIES)} = {all_hits / len(QUERIES):.1%})"
    )
    return "\n".join(lines), rate


@pytest.fixture(scope="module")
def answers(built_site: Path) -> list[dict[str, Any]]:
    return run_search(built_site, [query.text for query in QUERIES])


def test_the_query_set_is_large_and_covers_every_section() -> None:
    assert len(QUERIES) >= 40
    assert len({query.text for query in QUERIES}) == len(QUERIES)
    for section in SECTIONS:
        assert any(e.startswith(section) for query in QUERIES for e in query.expected), section
    assert sum(query.misspelt for query in QUERIES) >= 4


def test_the_top_three_hit_rate_is_at_least_95_percent(
    built_site: Path, answers: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    text, rate = report(built_site, answers)
    with capsys.disabled():  # the rate is printed on every run, not only on failure
        print(f"\nsearch quality: {text.splitlines()[-1]}")
    assert rate >= REQUIRED_RATE, text


@pytest.mark.parametrize("query", [q for q in QUERIES if q.misspelt], ids=lambda q: q.text)
def test_every_misspelt_query_finds_its_page(
    query: Query, built_site: Path, answers: list[dict[str, Any]]
) -> None:
    answer = answers[QUERIES.index(query)]
    assert hits(query, top_pages(answer)), (query.text, top_pages(answer))


def main(arguments: Sequence[str]) -> int:
    """Print each query's top results for a built site (``make search-report``)."""
    if len(arguments) != 1:
        print("usage: python -m tests.test_search_quality SITE_DIR", file=sys.stderr)
        return 2
    site = Path(arguments[0])
    answers = run_search(site, [query.text for query in QUERIES])
    text, rate = report(site, answers)
    print(text)
    return 0 if rate >= REQUIRED_RATE else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
