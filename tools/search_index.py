"""The site's search index, built from the built pages, the same way under either engine.

Search runs in the reader's browser on MiniSearch (overrides/assets/javascripts/search-engine.mjs
holds the tokenizer, stop words, stemmer and ranking). This module, run once the site is built,
writes what that engine needs into the site:

- ``search/kb-search.json``: the serialized index of every article section (from one heading to
  the next: the page's title, the heading and the text), the synonym groups and the site's
  sections (the closest topics when nothing matches). Only the article is read: navigation,
  scripts, calculators (their controls and headings), hidden elements, the feedback and share
  tools and "Related" lists are not.
- ``assets/javascripts/minisearch.mjs``: the pinned library, copied from ``node_modules``.

The text comes from the built HTML, so it is the text readers see, after the macros, under
MkDocs or Zensical alike: ``tools/post_build.py`` runs it after every build by either engine.
The index itself is serialized by ``tools/search_index.mjs`` in Node, with the engine the browser
runs.

Synonyms: a synonym group is the names of one thing; a query naming it also finds its other
names. Groups come from mkdocs.yml ``extra.search_synonyms`` (a term the articles use, and the
words readers search with), from the glossary ("Also called ..." and "Also known as ..." in an
entry: the entry's term and those names) and from the catalogue's own names (a resource's label
and id, a feature's label, its bracketed short name and the add-on that sells it, an add-on's
name and id).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from calculators.domain.catalogue import Catalogue

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INDEX_PATH = "search/kb-search.json"
LIBRARY_SOURCE = "node_modules/minisearch/dist/es/index.js"
LIBRARY_PATH = "assets/javascripts/minisearch.mjs"
INDEX_SCRIPT = Path(__file__).with_name("search_index.mjs")
ENGINE_PATH = "assets/javascripts/search-engine.mjs"
EXCERPT_LENGTH = 180

# Elements whose content is not an article's words.
_SKIPPED_TAGS = {
    "script",
    "style",
    "svg",
    "form",
    "button",
    "select",
    "textarea",
    "template",
    "nav",
    "noscript",
}
_SKIPPED_CLASSES = {
    "headerlink",
    "kb-page-info",
    "kb-support-actions",
    "kb-feedback",
    "kb-reviewed",
    "md-source-file",
}
_VOID_TAGS = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}
_HEADINGS = {"h1", "h2", "h3"}
_BLOCKS = {
    "p",
    "li",
    "td",
    "th",
    "dt",
    "dd",
    "div",
    "section",
    "table",
    "tr",
    "pre",
    "blockquote",
    "h4",
    "h5",
    "h6",
    "summary",
    "details",
    "caption",
}
# A glossary entry's other names: "Also called the **billing anchor**", "Also known as: x, y".
_ALSO_NAMED = re.compile(r"\bAlso (?:called|known as)\b:?\s+(?:the |a |an )?([^:.;()]+)", re.I)
_NAME_SEPARATOR = re.compile(r",\s*|\s+or\s+")
_BRACKETED = re.compile(r"\s*\(([^)]*)\)\s*")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([,.;:!?)])")
# Sections that only list other pages' titles.
_LINK_LIST_SECTIONS = {"related"}


class SearchIndexError(RuntimeError):
    """The search index could not be written; the message says why and what to do."""


@dataclass
class Section:
    """One indexed section of a page: ``anchor`` is empty for the page's opening section."""

    anchor: str
    heading: str
    words: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return _SPACE_BEFORE_PUNCTUATION.sub(r"\1", " ".join(" ".join(self.words).split()))


@dataclass
class Page:
    """An article as search sees it: its site-relative address, title, number and sections."""

    path: str
    title: str
    number: str
    sections: list[Section]


class _ArticleReader(HTMLParser):
    """Reads the sections of the article in one built page (``<article>``), skipping what is
    not the article's text. The page's number comes from ``.kb-page-info`` (overrides/main.html)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: list[Section] = []
        self.number = ""
        self._in_article = 0
        self._stack: list[tuple[str, bool]] = []  # open elements: (tag, skipped)
        self._skipping = 0
        self._heading: tuple[str, str, list[str]] | None = None  # tag, id, words

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = set((attributes.get("class") or "").split())
        if "kb-page-info" in classes:
            self.number = attributes.get("data-kb-section") or ""
        if tag == "article" and not self._in_article:
            self._in_article = 1
            return
        if not self._in_article or tag in _VOID_TAGS:
            return
        skipped = (
            tag in _SKIPPED_TAGS
            or bool(classes & _SKIPPED_CLASSES)
            or "hidden" in attributes
            or "data-calculator" in attributes
            or "data-search-exclude" in attributes
        )
        self._stack.append((tag, skipped))
        if skipped:
            self._skipping += 1
        elif not self._skipping and tag in _HEADINGS:
            self._heading = (tag, attributes.get("id") or "", [])
        elif tag in _BLOCKS:
            self._add(" ")

    def handle_endtag(self, tag: str) -> None:
        if not self._in_article or tag in _VOID_TAGS:
            return
        if tag == "article" and not any(open_tag == "article" for open_tag, _ in self._stack):
            self._in_article = 0
            return
        if not any(open_tag == tag for open_tag, _ in self._stack):
            return  # a stray end tag
        while self._stack:
            open_tag, skipped = self._stack.pop()
            if skipped:
                self._skipping -= 1
            if open_tag == tag:
                break
        if self._heading and tag == self._heading[0]:
            _, anchor, words = self._heading
            self._heading = None
            heading = " ".join(" ".join(words).split())
            self.sections.append(Section(anchor if self.sections else "", heading))
        elif tag in _BLOCKS:
            self._add(" ")

    def handle_data(self, data: str) -> None:
        if self._in_article and not self._skipping:
            self._add(data)

    def _add(self, text: str) -> None:
        if self._heading:
            self._heading[2].append(text)
        elif self.sections:
            self.sections[-1].words.append(text)


def read_page(html: str, path: str) -> Page | None:
    """The article of one built page, or None for a page with no article (a redirect)."""
    reader = _ArticleReader()
    reader.feed(html)
    reader.close()
    if not reader.sections:
        return None
    sections = [s for s in reader.sections if s.anchor not in _LINK_LIST_SECTIONS]
    return Page(path, reader.sections[0].heading, reader.number, sections)


def read_site(site_dir: Path) -> list[Page]:
    """Every article of the built site, in address order (404 and short-link pages have none)."""
    pages = []
    for html_file in sorted(site_dir.rglob("index.html")):
        relative = html_file.parent.relative_to(site_dir).as_posix()
        path = "" if relative == "." else f"{relative}/"
        page = read_page(html_file.read_text(encoding="utf-8"), path)
        if page is not None:
            pages.append(page)
    return pages


def documents(pages: Iterable[Page]) -> list[dict[str, Any]]:
    """One search document per section, with the fields the engine indexes and shows."""
    result = []
    for page in pages:
        for section in page.sections:
            text = section.text
            excerpt = text
            if len(text) > EXCERPT_LENGTH:
                excerpt = text[:EXCERPT_LENGTH].rsplit(" ", 1)[0] + " …"
            result.append(
                {
                    "id": len(result),
                    "page": page.path,
                    "location": page.path + (f"#{section.anchor}" if section.anchor else ""),
                    "title": page.title,
                    "heading": section.heading if section.anchor else "",
                    "text": text,
                    "number": page.number,
                    "excerpt": excerpt,
                }
            )
    return result


def topics(pages: Iterable[Page]) -> list[dict[str, str]]:
    """The site's sections (numbered pages without a dot: "8"), in their order, to offer when
    nothing matches."""
    sections = [page for page in pages if page.number.isdigit()]
    return [
        {"page": page.path, "title": page.title, "number": page.number}
        for page in sorted(sections, key=lambda page: int(page.number))
    ]


# ---- synonyms -----------------------------------------------------------------------------------


def configured_groups(search_synonyms: Mapping[str, Sequence[str]] | None) -> list[list[str]]:
    """mkdocs.yml ``extra.search_synonyms``: each term with the words readers use for it."""
    return [[term, *words] for term, words in (search_synonyms or {}).items()]


def glossary_groups(glossary: Page | None) -> list[list[str]]:
    """Each glossary entry's term with the names its text gives it ("Also called ...")."""
    groups = []
    for section in (glossary.sections if glossary else [])[1:]:
        names = [
            name.strip()
            for match in _ALSO_NAMED.finditer(section.text)
            for name in _NAME_SEPARATOR.split(match.group(1))
        ]
        if names:
            groups.append([section.heading, *names])
    return groups


def catalogue_groups(catalogue: Catalogue) -> list[list[str]]:
    """The catalogue's names for each resource, feature and add-on."""
    groups: list[list[str]] = []
    for resource in catalogue.resources:
        groups.append([resource.label, _spoken(resource.id)])
    for feature_id, feature in catalogue.features.items():
        selling = [addon.name for addon in catalogue.addons if addon.feature == feature_id]
        groups.append([*_with_bracketed(feature.label), _spoken(feature_id), *selling])
    for addon in catalogue.addons:
        groups.append([addon.name, _spoken(addon.id)])
    return groups


def _spoken(identifier: str) -> str:
    return identifier.replace("_", " ")


def _with_bracketed(label: str) -> list[str]:
    """ "Single sign-on (SAML)" is also "Single sign-on" and "SAML"."""
    bracketed = _BRACKETED.search(label)
    if not bracketed:
        return [label]
    return [label, _BRACKETED.sub(" ", label).strip(), bracketed.group(1).strip()]


def synonym_groups(*sources: Iterable[Sequence[str]]) -> list[list[str]]:
    """The groups of every source, each a list of distinct names (case-insensitive), in order;
    a group with a single name says nothing and is left out."""
    groups = []
    for source in sources:
        for group in source:
            names: list[str] = []
            for name in group:
                cleaned = " ".join(str(name).split())
                if cleaned and cleaned.lower() not in (n.lower() for n in names):
                    names.append(cleaned)
            if len(names) > 1:
                groups.append(names)
    return groups


# ---- writing the index --------------------------------------------------------------------------


def build_search(
    site_dir: Path,
    *,
    catalogue: Catalogue,
    search_synonyms: Mapping[str, Sequence[str]] | None,
    project_root: Path = PROJECT_ROOT,
) -> Path:
    """Write the search index and the search library into a built site; return the index."""
    library = project_root / LIBRARY_SOURCE
    if not library.is_file():
        raise SearchIndexError(f"search: {library} is missing; run `npm ci` (or `make setup`)")
    (site_dir / LIBRARY_PATH).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(library, site_dir / LIBRARY_PATH)
    engine = site_dir / ENGINE_PATH
    if not engine.is_file():
        raise SearchIndexError(f"search: {engine} is missing: the theme's assets were not copied")
    pages = read_site(site_dir)
    glossary = next((page for page in pages if page.path == "glossary/"), None)
    source = {
        "documents": documents(pages),
        "synonyms": synonym_groups(
            configured_groups(search_synonyms),
            glossary_groups(glossary),
            catalogue_groups(catalogue),
        ),
        "topics": topics(pages),
    }
    target = site_dir / INDEX_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    _serialize(source, engine, target)
    return target


def _serialize(source: Mapping[str, Any], engine: Path, target: Path) -> None:
    node = shutil.which("node")
    if node is None:
        raise SearchIndexError("search: Node.js (`node`) is not on PATH; it builds the index")
    result = subprocess.run(
        [node, str(INDEX_SCRIPT), str(engine), str(target)],
        input=json.dumps(source),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise SearchIndexError(f"search: building the index failed:\n{result.stderr.strip()}")
