"""Links that never break: short permanent addresses, redirects and the published-links manifest.

- Every numbered section and subsection gets a short address from its number in the nav:
  "8.2 Handling prorated charges" is ``/kb/8-2/``, "8 Billing and payments" is ``/kb/8/``. The
  short address redirects to the page (whose top is its title) and forwards any ``#anchor``.
- ``extra.redirects`` in mkdocs.yml maps what moved to where it is now: a page
  (``old/page.md: new/page.md``) or an anchor (``page.md#old: page.md#new``).
- ``write_generated_config`` (a ``make assets`` step) turns both into what the engines read,
  ``build/generated/links.yml``, which mkdocs.yml INHERITs: short links and moved pages as the
  redirects plugin's ``redirect_maps`` (mkdocs-redirects under MkDocs, built into Zensical), and
  per page its short address and renamed anchors as ``extra.kb_pages`` (read by
  overrides/main.html; overrides/assets/javascripts/links.js follows renamed anchors).
- ``tests/published_links.json`` lists every page, anchor and short address ever published; the
  tests fail when one disappears without a redirect (``make links`` records new ones).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

_NUMBER = re.compile(r"^(\d+(?:\.\d+)*)\s+(.+)$")
_TITLE_ID = re.compile(r"^#\s+.*?\{\s*#([a-z0-9-]+)\s*\}\s*$", re.M)
_FRONT_MATTER = re.compile(r"^---\n.*?\n---\n", re.S)

# Extra short addresses for pages without a number.
NAMED = {"glossary.md": "glossary", "index.md": "home"}


@dataclass(frozen=True)
class ShortLink:
    key: str  # "8-2"
    number: str  # "8.2" ("" for named pages)
    title: str  # "Handling prorated charges" (from the nav)
    source: str  # "billing/prorated-charges.md"
    anchor: str  # the page title's id


def page_url(source: str) -> str:
    """The directory URL mkdocs gives a Markdown file: billing/x.md -> billing/x/."""
    path = PurePosixPath(source)
    if path.name == "index.md":
        parent = path.parent.as_posix()
        return "" if parent == "." else parent + "/"
    return path.with_suffix("").as_posix() + "/"


def title_anchor(docs_dir: Path, source: str) -> str:
    text = (docs_dir / source).read_text(encoding="utf-8")
    match = _TITLE_ID.search(_FRONT_MATTER.sub("", text, count=1))
    if match is None:
        raise ValueError(f"{source}: the title needs an explicit id, e.g. '# Title {{#title-id}}'")
    return match.group(1)


def short_links(nav: Iterable[Any], docs_dir: Path) -> dict[str, ShortLink]:
    """Short addresses for every numbered nav entry and for the named pages."""
    found: dict[str, ShortLink] = {}

    def add(number: str, title: str, source: str) -> None:
        key = number.replace(".", "-") if number else NAMED[source]
        if key in found:
            raise ValueError(
                f"two pages claim the short address /kb/{key}/: {found[key].source} and {source}"
            )
        found[key] = ShortLink(key, number, title, source, title_anchor(docs_dir, source))

    def walk(items: Iterable[Any]) -> None:
        for item in items:
            if isinstance(item, str):
                if item in NAMED:
                    add("", item, item)
                continue
            if not isinstance(item, Mapping):
                continue
            for title, value in item.items():
                match = _NUMBER.match(str(title))
                if isinstance(value, str):
                    if match:
                        add(match.group(1), match.group(2), value)
                    elif value in NAMED:
                        add("", str(title), value)
                elif isinstance(value, list):
                    first = value[0] if value and isinstance(value[0], str) else None
                    if match and first is not None:
                        add(match.group(1), match.group(2), first)
                    walk(value)

    walk(nav)
    return found


def split_target(value: str) -> tuple[str, str]:
    source, _, anchor = value.partition("#")
    return source, anchor


@dataclass(frozen=True)
class Redirects:
    """``extra.redirects``, split into moved pages and renamed anchors (by page URL)."""

    pages: Mapping[str, str]  # old page URL -> new page URL (+ "#anchor" when given)
    anchors: Mapping[str, Mapping[str, str]]  # page URL -> {old anchor: new anchor}
    moved: Mapping[str, str]  # old source -> new source (+ "#anchor"), as redirect_maps wants


def read_redirects(config: Mapping[str, str] | None, docs_dir: Path) -> Redirects:
    pages: dict[str, str] = {}
    anchors: dict[str, dict[str, str]] = {}
    moved: dict[str, str] = {}
    for old, new in (config or {}).items():
        old_source, old_anchor = split_target(str(old))
        new_source, new_anchor = split_target(str(new))
        if not (docs_dir / new_source).is_file():
            raise ValueError(f"extra.redirects: {old} -> {new}: {new_source} does not exist")
        if old_anchor and old_source == new_source:
            anchors.setdefault(page_url(old_source), {})[old_anchor] = new_anchor
        elif old_anchor:
            raise ValueError(
                f"extra.redirects: {old}: an anchor can only be renamed within "
                "its page; redirect the page instead"
            )
        else:
            if (docs_dir / old_source).is_file():
                raise ValueError(
                    f"extra.redirects: {old} still exists; remove the redirect or the page"
                )
            pages[page_url(old_source)] = page_url(new_source) + (
                f"#{new_anchor}" if new_anchor else ""
            )
            moved[old_source] = str(new)
    return Redirects(pages=pages, anchors=anchors, moved=moved)


def redirect_maps(links: Mapping[str, ShortLink], redirects: Redirects) -> dict[str, str]:
    """``kb/8-2.md: billing/prorated-charges.md`` for every short link, then the moved pages.

    A short link leads to the page without an anchor: both engines' redirect pages append the
    reader's own ``#anchor`` to the target, and the top of the page is its title.
    """
    maps = {f"kb/{link.key}.md": link.source for link in links.values()}
    maps.update(redirects.moved)
    return maps


def page_links(links: Mapping[str, ShortLink], redirects: Redirects) -> dict[str, dict[str, Any]]:
    """Per page URL: its short address and number (if any) and its renamed anchors (if any)."""
    pages: dict[str, dict[str, Any]] = {}
    for link in links.values():
        pages[page_url(link.source)] = {"short": link.key, "number": link.number}
    for url, renamed in redirects.anchors.items():
        pages.setdefault(url, {})["renamed_anchors"] = dict(sorted(renamed.items()))
    return dict(sorted(pages.items()))


GENERATED_CONFIG = Path("build") / "generated" / "links.yml"


def sections(links: Mapping[str, ShortLink]) -> list[dict[str, Any]]:
    """The numbered sections with their numbered articles, for pages that list them all (the
    404 page): number, title, short-link key, and the same for each article."""

    def entry(link: ShortLink) -> dict[str, Any]:
        return {"number": link.number, "title": f"{link.number} {link.title}", "key": link.key}

    numbered = [link for link in links.values() if link.number]
    return [
        {
            **entry(section),
            "articles": [
                entry(article)
                for article in numbered
                if article.number.startswith(section.number + ".")
            ],
        }
        for section in numbered
        if "." not in section.number
    ]


def write_generated_config(project_root: Path, extra: Mapping[str, Any] | None = None) -> Path:
    """Write ``build/generated/links.yml`` from mkdocs.yml's nav and ``extra.redirects``, with
    ``extra`` settings that both engines' templates read from the configuration."""
    config = read_site_config(project_root / "mkdocs.yml")
    docs_dir = project_root / str(config.get("docs_dir") or "docs")
    links = short_links(config.get("nav") or [], docs_dir)
    redirects = read_redirects((config.get("extra") or {}).get("redirects"), docs_dir)
    generated = {
        "plugins": {"redirects": {"redirect_maps": redirect_maps(links, redirects)}},
        "extra": {
            "kb_pages": page_links(links, redirects),
            "kb_sections": sections(links),
            **(extra or {}),
        },
    }
    text = (
        "# Written by `make assets` (macros/links.py) from mkdocs.yml's nav and "
        "extra.redirects; do not edit.\n"
        + yaml.safe_dump(generated, sort_keys=False, allow_unicode=True)
    )
    target = project_root / GENERATED_CONFIG
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


def read_site_config(path: Path) -> dict[str, Any]:
    """mkdocs.yml as plain data: ``!ENV`` tags read the environment, INHERIT is not followed."""

    class Loader(yaml.SafeLoader):
        pass

    def env_tag(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
        names = (
            [loader.construct_scalar(node)]
            if isinstance(node, yaml.ScalarNode)
            else [loader.construct_object(child) for child in node.value]
        )
        default = names.pop() if len(names) > 1 else None
        return next((os.environ[str(name)] for name in names if str(name) in os.environ), default)

    Loader.add_constructor("!ENV", env_tag)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=Loader)
    except (OSError, yaml.YAMLError) as error:
        raise ValueError(f"cannot read {path}: {error}") from None
    return data if isinstance(data, dict) else {}


# --------------------------------------------------------------------------------------------
# The manifest of published links


def published_in_site(site_dir: Path) -> dict[str, list[str]]:
    """Every page of the built site and the explicit ids readers can link to on it."""
    pages: dict[str, list[str]] = {}
    for file in sorted(site_dir.rglob("index.html")):
        relative_dir = file.parent.relative_to(site_dir).as_posix()
        url = "" if relative_dir == "." else relative_dir + "/"
        if url.startswith(("kb/", "assets/", "search/")):
            continue
        text = file.read_text(encoding="utf-8")
        if 'http-equiv="refresh"' in text:
            continue  # a redirect, not a page
        article = text.split("<article", 1)[-1].split("</article>", 1)[0]
        ids = re.findall(r"<h[1-6][^>]*\bid=\"([a-z0-9-]+)\"", article)
        ids += re.findall(r"<section[^>]*\bid=\"([a-z0-9-]+)\"[^>]*data-calculator", article)
        pages[url] = sorted(set(ids))
    return pages


def check_manifest(manifest: Mapping[str, Any], site_dir: Path, redirects: Redirects) -> list[str]:
    """Problems: published links that no longer lead anywhere, and links not yet recorded."""
    problems: list[str] = []
    current = published_in_site(site_dir)
    for url, anchors in manifest.get("pages", {}).items():
        page = url
        renamed = redirects.anchors.get(url, {})
        if url not in current:
            moved = redirects.pages.get(url)
            if moved is None:
                problems.append(
                    f"/{url} was published and is gone: add a redirect in "
                    "mkdocs.yml extra.redirects"
                )
                continue
            page = moved.partition("#")[0]
            renamed = redirects.anchors.get(page, {})
            if page not in current:
                problems.append(f"/{url} redirects to /{page}, which does not exist")
                continue
        for anchor in anchors:
            target = renamed.get(anchor, anchor)
            if target not in current[page]:
                problems.append(
                    f"/{url}#{anchor} was published and is gone: add "
                    f"'{_source_hint(page)}#{anchor}: ...#new-id' to "
                    "extra.redirects"
                )
    for key in manifest.get("short_links", {}):
        redirect = site_dir / "kb" / key / "index.html"
        if not redirect.is_file():
            problems.append(f"the short link /kb/{key}/ was published and is gone")
    recorded = manifest.get("pages", {})
    for url, anchors in current.items():
        new = [a for a in anchors if a not in recorded.get(url, [])]
        if url not in recorded or new:
            problems.append(
                f"/{url} has links not in the manifest ({', '.join(new) or 'page'}): "
                "run `make links` to record them"
            )
    return problems


def _source_hint(url: str) -> str:
    return (url.rstrip("/") or "index") + ".md"


def updated_manifest(
    manifest: Mapping[str, Any], site_dir: Path, links: Mapping[str, ShortLink]
) -> dict[str, Any]:
    """The manifest plus everything published now; nothing is ever dropped from it."""
    pages = {url: list(anchors) for url, anchors in manifest.get("pages", {}).items()}
    for url, anchors in published_in_site(site_dir).items():
        pages[url] = sorted(set(pages.get(url, [])) | set(anchors))
    short = dict(manifest.get("short_links", {}))
    for link in links.values():
        short.setdefault(link.key, f"{page_url(link.source)}#{link.anchor}")
    return {
        "about": "Every page, anchor and short link ever published. Entries are never removed: "
        "a moved one needs a redirect in mkdocs.yml extra.redirects. Update with "
        "`make links`.",
        "pages": dict(sorted(pages.items())),
        "short_links": dict(sorted(short.items(), key=lambda kv: _natural(kv[0]))),
    }


def _natural(key: str) -> tuple[Any, ...]:
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in key.split("-"))


def main(argv: list[str] | None = None) -> int:
    """``python -m macros.links SITE_DIR``: record what SITE_DIR publishes in the manifest."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m macros.links", description=main.__doc__)
    parser.add_argument("site_dir", type=Path, help="a site built with `mkdocs build`")
    parser.add_argument("--manifest", type=Path, default=MANIFEST)
    args = parser.parse_args(argv)
    config = read_site_config(ROOT / "mkdocs.yml")
    docs_dir = ROOT / str(config.get("docs_dir") or "docs")
    links = short_links(config.get("nav") or [], docs_dir)
    redirects = read_redirects((config.get("extra") or {}).get("redirects"), docs_dir)
    old = json.loads(args.manifest.read_text(encoding="utf-8")) if args.manifest.is_file() else {}
    new = updated_manifest(old, args.site_dir, links)
    problems = check_manifest(new, args.site_dir, redirects)
    args.manifest.write_text(json.dumps(new, indent=2) + "\n", encoding="utf-8")
    added = sum(len(v) + 1 for v in new["pages"].values()) - sum(
        len(v) + 1 for v in old.get("pages", {}).values()
    )
    print(
        f"{args.manifest}: {len(new['pages'])} pages, {len(new['short_links'])} short links "
        f"({added} new entries)"
    )
    for problem in problems:
        print(f"  {problem}")
    return 1 if problems else 0


ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "tests" / "published_links.json"

if __name__ == "__main__":
    raise SystemExit(main())
