"""'N people found this page helpful', built into the pages from the collector's counts export.

The export (kb-feedback-counts/1, written by `make collector-export` or `python -m collector
export`; format in calculators/contracts/feedback.md) is named by `extra.feedback.counts_file`
in mkdocs.yml (`KB_FEEDBACK_COUNTS=path` when building). Its helpful counts, keyed by page path,
are put into the configuration as `extra.feedback.helpful_counts`, keyed by the permanent link
relative to site_url (`kb/8-2/`), which the feedback partial (overrides/partials/kb-feedback.html)
reads for every article: no page hook, no post-build step. Markdown can ask for the same number
with `{{ helpful_count("kb/8-2/") }}`.

Without a counts file nothing is shown. A file that is missing or is not such an export stops
the build with the file and the reason.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

from macros.environment import MacroEnvironment, RenderedPage

PROJECT_ROOT = Path(__file__).resolve().parent.parent
COUNTS_SCHEMA = "kb-feedback-counts/1"  # collector/schema.py writes it


class CountsFileError(ValueError):
    """The counts export cannot be used; the message names the file and the reason."""


def read_helpful_counts(path: Path) -> dict[str, int]:
    """Page path -> how many readers answered Yes, from a counts export."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CountsFileError(f"{path}: feedback counts: cannot read ({error.strerror})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CountsFileError(f"{path}: feedback counts: not JSON ({error})") from None
    if not isinstance(document, dict) or document.get("schema") != COUNTS_SCHEMA:
        raise CountsFileError(f"{path}: feedback counts: schema must be {COUNTS_SCHEMA!r}")
    pages = document.get("pages")
    if not isinstance(pages, dict):
        raise CountsFileError(f"{path}: feedback counts: 'pages' must be an object")
    counts: dict[str, int] = {}
    for page, entry in pages.items():
        helpful = entry.get("helpful") if isinstance(entry, dict) else None
        if not isinstance(page, str) or not page.startswith("/"):
            raise CountsFileError(f"{path}: feedback counts: {page!r} is not a page path")
        if type(helpful) is not int or helpful < 0:
            raise CountsFileError(f"{path}: feedback counts: pages.{page}.helpful must be a count")
        counts[page] = helpful
    return counts


def site_relative(counts: dict[str, int], site_url: str) -> dict[str, int]:
    """The export's paths (/kb/8-2/, /help/kb/8-2/ under a sub-path) relative to the site's
    address (kb/8-2/), as the partial finds them by removing site_url from the permanent link."""
    root = urlsplit(site_url or "/").path or "/"
    root = root if root.endswith("/") else root + "/"
    return {path[len(root) :]: n for path, n in counts.items() if path.startswith(root)}


def register(env: MacroEnvironment) -> None:
    extra = env.conf.get("extra") or {}
    feedback = extra.get("feedback")
    if not isinstance(feedback, dict):
        return
    counts_file = feedback.get("counts_file")
    counts = None
    if counts_file:
        exported = read_helpful_counts(PROJECT_ROOT / counts_file)
        counts = site_relative(exported, env.conf.get("site_url") or "")
    feedback["helpful_counts"] = counts
    rendering = _page_being_rendered(env)
    if rendering is not None:
        rendering.meta["kb_helpful_counts"] = counts

    def helpful_count(page: str) -> int:
        """Readers who found `page` (its permanent link relative to the site: kb/8-2/) helpful;
        0 without a counts file."""
        return (counts or {}).get(page, 0)

    env.macro(helpful_count, "helpful_count")


def _page_being_rendered(env: MacroEnvironment) -> RenderedPage | None:
    """The page Zensical is rendering, or None under MkDocs.

    MkDocs renders the theme with the configuration changed above. Zensical renders its theme
    from the configuration it read at start, but calls define_env again for each page, with that
    page as `env.page`, and renders the theme with that page's metadata: the counts travel there.
    (Under MkDocs, define_env runs before any page and `env.page` raises AttributeError.)
    """
    page = getattr(env, "page", None)
    return page if isinstance(getattr(page, "meta", None), dict) else None
