"""The knowledge base's Markdown: structure every article shares, and no hand-typed facts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.conftest import nav_pages

DOCS = Path(__file__).resolve().parent.parent / "docs"
PAGES = sorted(p for p in DOCS.rglob("*.md") if "includes" not in p.parts)
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#~.*?~#\}", re.S)

# Figures that belong to the catalogue: money with a currency, limits with their units.
HAND_TYPED = [
    re.compile(r"[$€£¥]\s?\d"),
    re.compile(r"\b\d[\d,.]*\s?(USD|EUR|GBP|JPY)\b"),
    re.compile(r"\b(USD|EUR|GBP|JPY)\s?\d"),
    re.compile(r"\b\d[\d,.]*\s?(GB|vCPU)\b"),
    re.compile(r"\b\d[\d,]*\s+(seats?|projects?)\b", re.I),
]
# Numbers the policy decides (durations, counts, percentages) typed next to words of the policy:
# a grace period, a refund window or a retention time must come from the catalogue through a
# macro, and the number of reason codes from the code. Advice ("a review every six months") and
# counting examples ("a 31-day month") carry no policy word and pass.
_NUMBER = (
    r"(?:\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"fourteen|fifteen|twenty|thirty|sixty|ninety|hundred)"
)
POLICY_DURATION = re.compile(
    rf"\b{_NUMBER}[\s-]+(?:calendar[\s-]+|working[\s-]+|business[\s-]+)?"
    r"(?:days?|weeks?|months?|years?|hours?)\b",
    re.I,
)
POLICY_WORDS = re.compile(
    r"grace|refund|retr(?:y|ie)|revert|\bkept\b|delet|expir|trial|suspend|\bclos(?:e|ed|es|ing)\b"
    r"|minimum|retention|retain|first response|within|restrict|read-only|credit|discount"
    r"|\bsav(?:e|es|ing)\b|cancel|reopen|\bterm\b|notice",
    re.I,
)
POLICY_COUNT = re.compile(rf"\b{_NUMBER}\s+(?:reason codes|retries|payment attempts)\b", re.I)
POLICY_PERCENT = re.compile(r"\b\d+(?:\.\d+)?\s?%")
PERCENT_WORDS = re.compile(r"discount|\bsav(?:e|es|ing)\b|cheaper|uptime|\btax\b|\boff\b", re.I)


def sentences(body: str) -> list[str]:
    """Each sentence of the prose's paragraphs and lists, and each table row whole."""
    units = []
    for block in re.split(r"\n\s*\n", body):
        lines = block.splitlines()
        if lines and all(line.lstrip().startswith("|") for line in lines):
            # Rows whole; a header row names columns and states nothing.
            header = len(lines) > 1 and re.fullmatch(r"[\s|:-]+", lines[1]) is not None
            units.extend(lines[2:] if header else lines)
        else:
            units.extend(re.split(r"(?<=[.!?:;])\s+|\n\s*(?=[-*]\s|\d+\.\s)", block))
    return [" ".join(unit.split()) for unit in units if unit.strip()]


def policy_sentences(body: str) -> list[str]:
    """Sentences (and table rows) of the prose that type a policy number by hand."""
    return [
        sentence
        for sentence in sentences(body)
        if (POLICY_DURATION.search(sentence) and POLICY_WORDS.search(sentence))
        or POLICY_COUNT.search(sentence)
        or (POLICY_PERCENT.search(sentence) and PERCENT_WORDS.search(sentence))
    ]


# Sentences of the outline's instructions, and placeholders, never belong in an article.
OUTLINE = re.compile(
    r"^\s*(Explain|Instruct users|Describe|Discuss|Outline|Provide|Highlight|Emphasi[sz]e)\b"
    r"|This (section|article) (covers|will cover|explains)|\b(TODO|TBD|lorem ipsum|placeholder)\b",
    re.I | re.M,
)


def page_id(path: Path) -> str:
    return path.relative_to(DOCS).as_posix()


def front_matter(text: str) -> dict[str, object]:
    match = re.match(r"---\n(.*?)\n---\n", text, re.S)
    assert match, "front matter is missing"
    data = yaml.safe_load(match.group(1))
    assert isinstance(data, dict)
    return data


def prose(text: str) -> str:
    """The Markdown without front matter, macro calls and code."""
    text = re.sub(r"^---\n.*?\n---\n", "", text, flags=re.S)
    text = JINJA.sub(" ", text)
    return re.sub(r"`[^`]*`", " ", text)


def test_the_ten_sections_are_all_there() -> None:
    sections = {p.parent.name for p in PAGES if p.name == "index.md" and p.parent != DOCS}
    assert sections == {
        "understanding",
        "reasons",
        "upgrading",
        "downgrading",
        "scaling",
        "add-ons",
        "communicating",
        "billing",
        "records",
        "support",
    }
    # Every page is in the nav and the nav lists no page that is missing.
    assert sorted(page.relative_to(DOCS).as_posix() for page in PAGES) == sorted(nav_pages())


@pytest.mark.parametrize("path", PAGES, ids=page_id)
def test_every_page_has_a_review_date_summary_and_stable_ids(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    meta = front_matter(text)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(meta.get("reviewed"))), "reviewed: YYYY-MM-DD"
    body = re.sub(r"^---\n.*?\n---\n", "", text, flags=re.S)
    body = re.sub(r"^```.*?^```", "", body, flags=re.S | re.M)
    headings = re.findall(r"^(#{1,4}) (.+)$", body, re.M)
    assert headings and headings[0][0] == "#", "starts with a title"
    for _level, heading in headings:
        # An id may be built by a macro ({#from-{{ a.id }}-to-{{ b.id }}}) in a loop.
        assert re.search(r"\{ ?#[a-z0-9-]*(\{\{.*?\}\}[a-z0-9-]*)* ?\}\s*$", heading), (
            f"no explicit id: {heading}"
        )
    ids = re.findall(r"\{ ?#([a-z0-9-]+) ?\}", body)
    assert len(ids) == len(set(ids)), "ids repeat on the page"
    assert "{ .kb-summary }" in text, "a one-paragraph summary marked { .kb-summary }"


@pytest.mark.parametrize("path", [p for p in PAGES if p != DOCS / "index.md"], ids=page_id)
def test_every_article_ends_with_related_links(path: Path) -> None:
    body = prose(path.read_text(encoding="utf-8"))
    related = body.split("{#related}")
    assert len(related) == 2, "one ## Related {#related} block"
    assert len(re.findall(r"\]\([^)]+\.md(#[a-z0-9-]+)?\)", related[1])) >= 2


@pytest.mark.parametrize("path", PAGES, ids=page_id)
def test_no_price_or_limit_is_typed_by_hand(path: Path) -> None:
    body = prose(path.read_text(encoding="utf-8"))
    for pattern in HAND_TYPED:
        found = pattern.search(body)
        assert found is None, f"hand-typed figure {found.group(0)!r}: use a catalogue macro"


@pytest.mark.parametrize("path", PAGES, ids=page_id)
def test_no_policy_number_or_duration_is_typed_by_hand(path: Path) -> None:
    found = policy_sentences(prose(path.read_text(encoding="utf-8")))
    assert not found, f"hand-typed policy figure in {found[0]!r}: use a policy macro"


@pytest.mark.parametrize("path", PAGES, ids=page_id)
def test_no_outline_instruction_or_placeholder_survives(path: Path) -> None:
    found = OUTLINE.search(prose(path.read_text(encoding="utf-8")))
    assert found is None, f"outline or placeholder text: {found.group(0)!r}"


def test_the_checks_catch_what_they_are_for() -> None:
    assert any(p.search("Team costs $29 a month") for p in HAND_TYPED)
    assert any(p.search("you get 100 GB of storage") for p in HAND_TYPED)
    assert any(p.search("up to 5 seats") for p in HAND_TYPED)
    assert not any(p.search(prose("Team costs {{ plan('team').price() }}")) for p in HAND_TYPED)
    assert policy_sentences("Everything keeps working for 14 days, then it is read-only.")
    assert policy_sentences("You can ask for a refund within thirty days.")
    assert policy_sentences("Seven reason codes cover almost every change.")
    assert policy_sentences("Annual billing saves 16.7% on Team.")
    assert policy_sentences("| 14 days after the failure | The upgrade is reverted. |")
    assert policy_sentences("Removed data is kept\nfor 30 days.")
    grace = "{{ policy.over_limit_grace_period_days | days }}"
    assert not policy_sentences(prose(f"Everything keeps working for {grace}."))
    assert not policy_sentences("A monthly period from March 1 to April 1 has 31 days.")
    assert not policy_sentences("A review every six months keeps you from paying too much.")
    assert OUTLINE.search("Explain the process for upgrading.")
    assert OUTLINE.search("This section covers downgrades.")


def test_the_reason_codes_page_explains_exactly_the_codes_the_records_accept() -> None:
    from calculators.domain.records import REASON_CODES

    text = (DOCS / "records" / "noting-reasons.md").read_text(encoding="utf-8")
    guidance = re.search(r"\{% set guidance = \{(.*?)\} -%\}", text, re.S)
    assert guidance, "noting-reasons.md keeps its guidance in one {% set guidance = {...} %}"
    explained = re.findall(r'^\s*"([a-z_]+)": \(', guidance.group(1), re.M)
    assert explained == list(REASON_CODES)
    assert "{% for code, label in reason_codes() -%}" in text
