"""Search synonyms: readers' words for the words the articles use.

Material's built-in search (lunr, the ``search`` plugin) indexes each page section by section
(a section runs from one heading to the next) and only finds words that are in a section's
title or text. Readers search with their own words: "prorate", "pro-rata", "addon", "downsize",
"bill". mkdocs.yml ``extra.search_synonyms`` maps a term the articles use to the words readers
search with; ``add_synonyms`` runs on each page's Markdown after the macros and, at the end of
every section about a term, adds the synonyms that section does not already use, hidden::

    <div class="kb-search-terms" hidden><p>Also known as: downsize, downsizing.</p></div>

The search plugin indexes the text of every element except scripts, styles and elements marked
``data-search-exclude``, so the section is found by the synonyms (and a search result's preview
reads "Also known as: ...", which says why it matched); ``hidden`` keeps the words off the page,
away from screen readers, find-in-page and print.

A section is about a term when its heading uses it or its text uses it at least ``MIN_USES``
times: a passing mention ("upgrade, downgrade or scale" on the home page) does not make the home
page the first result for "downsize", above the downgrading articles. A term is matched
case-insensitively as a whole word, with its plain inflections ("downgrade" also matches
"downgrades", "downgraded", "downgrading"; "add-on" matches "add-ons" and "add on"). Tags and
their attributes, scripts, link targets, attribute lists and list items that are only a link (a
"Related" list names other pages' subjects) are not read.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from functools import cache

HIDDEN_CLASS = "kb-search-terms"
# A section is about a term when its heading uses it, or its text uses it this many times.
MIN_USES = 2

_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_HEADING = re.compile(r"^#{1,6}\s")
_NOT_TEXT = [
    re.compile(r"<(script|style)\b.*?</\1\s*>", re.S | re.I),  # runtime JSON, styles
    re.compile(r"<!--.*?-->", re.S),  # comments
    re.compile(r"<[^>]*>"),  # tags and their attributes
    re.compile(r"^\s*(?:[-*+]|\d+\.)\s+\[[^\]]*\]\([^)]*\)\s*$", re.M),  # link-only items
    re.compile(r"\]\([^)]*\)"),  # link targets: [text](../add-ons/)
    re.compile(r"\]\[[^\]]*\]"),  # reference labels: [text][add-ons]
    re.compile(r"^\s*\[[^\]]+\]:\s*\S+.*$", re.M),  # reference link definitions
    re.compile(r"\{\s*[:#.][^}\n]*\}"),  # attribute lists: {#id}, { .class }
]


def add_synonyms(markdown: str, synonyms: Mapping[str, Sequence[str]]) -> str:
    """Append, to each section about a term, the term's synonyms the section does not use.

    ``markdown`` is a page after the macros ran; the result differs only by hidden elements
    added at the end of sections. ``synonyms`` maps a term to the words readers search with.
    """
    patterns = [(_word_pattern(term), list(words)) for term, words in synonyms.items() if term]
    if not patterns:
        return markdown
    sections = _split_sections(markdown)
    return "".join(_with_synonyms(section, patterns) for section in sections)


def _with_synonyms(section: str, patterns: list[tuple[re.Pattern[str], list[str]]]) -> str:
    text = _readable_text(section)
    heading = _readable_text(section.split("\n", 1)[0]) if _HEADING.match(section) else ""
    missing: list[str] = []
    for pattern, words in patterns:
        if not pattern.search(heading) and len(pattern.findall(text)) < MIN_USES:
            continue  # a passing mention: this section is not about the term
        for word in words:
            if word and word not in missing and not _word_pattern(word).search(text):
                missing.append(word)
    if not missing:
        return section
    terms = html.escape(", ".join(missing), quote=False)
    body = section.rstrip("\n")
    return f'{body}\n\n<div class="{HIDDEN_CLASS}" hidden><p>Also known as: {terms}.</p></div>\n\n'


def _split_sections(markdown: str) -> list[str]:
    """The Markdown cut before every ATX heading outside fenced code; joined, it is unchanged."""
    sections: list[str] = []
    current: list[str] = []
    fence = ""
    for line in markdown.splitlines(keepends=True):
        opened = _FENCE.match(line)
        if fence:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = ""
        elif opened:
            fence = opened.group(1)
        elif _HEADING.match(line) and current:
            sections.append("".join(current))
            current = []
        current.append(line)
    if current:
        sections.append("".join(current))
    return sections


def _readable_text(markdown: str) -> str:
    for pattern in _NOT_TEXT:
        markdown = pattern.sub(" ", markdown)
    return html.unescape(markdown)


@cache
def _word_pattern(term: str) -> re.Pattern[str]:
    """A whole-word, case-insensitive pattern for a term and its plain inflections."""
    words = [re.escape(word) for word in re.split(r"[\s\u00a0-]+", term.strip().lower()) if word]
    if not words:
        return re.compile(r"(?!x)x")  # matches nothing
    last = words[-1]
    if last.endswith("e"):
        last = last[:-1] + r"(?:e|es|ed|ing)"
    elif last[-1].isalpha():
        last = last + rf"(?:s|es|ed|ing|{last[-1]}(?:ed|ing))?"
    joined = r"[\s\u00a0-]*".join([*words[:-1], last])
    return re.compile(rf"(?<!\w){joined}(?!\w)", re.I)
