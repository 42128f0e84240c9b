"""Redirect pages that run under the site's strict Content-Security-Policy.

The redirects plugin (mkdocs-redirects under MkDocs, built into Zensical) writes each short
link's and moved page's page with an inline script that carries the reader's ``#anchor`` to the
target. ``script-src 'self'`` blocks inline scripts, so the anchor would be lost and only the
``<meta http-equiv=refresh>`` fallback would run. This module rewrites each such page, after the
build, to load ``assets/javascripts/kb-redirect.js`` instead, with the target in a data
attribute; the page is otherwise what the plugin wrote (canonical link, refresh, visible link).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

REDIRECT_SCRIPT = "assets/javascripts/kb-redirect.js"

_TITLE = "<title>Redirecting...</title>"
_REFRESH = re.compile(r'<meta http-equiv="refresh" content="0; url=([^"]*)">')
# The plugin's one inline script: it goes to the target with the reader's anchor. Zensical writes
# a variant that maps anchors to other targets when a redirect names one; the site's redirects
# name none (renamed anchors are followed on the target page, links.js).
_INLINE = re.compile(r"<script>var anchor=window\.location\.hash\.substr\(1\);[^<]*</script>")


class RedirectPageError(ValueError):
    """A page the redirects plugin wrote that this module does not know how to rewrite."""


def rewrite_redirect_pages(site_dir: Path) -> list[Path]:
    """Rewrite every redirect page under ``site_dir``; return the pages rewritten."""
    rewritten = []
    for page in sorted(site_dir.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        if _TITLE not in text or "<script>" not in text:
            continue  # not a redirect page, or one already rewritten
        page.write_text(_rewritten(text, page.relative_to(site_dir)), encoding="utf-8")
        rewritten.append(page)
    return rewritten


def _rewritten(text: str, where: Path) -> str:
    refresh = _REFRESH.search(text)
    if refresh is None or len(_INLINE.findall(text)) != 1:
        raise RedirectPageError(
            f"redirects: {where} is a redirect page in a form this build does not know; "
            "tools/redirect_pages.py rewrites the plugin's single inline script"
        )
    target = html.unescape(refresh.group(1))
    root = "../" * (len(where.parts) - 1)
    tag = (
        f'<script src="{root}{REDIRECT_SCRIPT}" '
        f'data-target="{html.escape(target, quote=True)}"></script>'
    )
    return _INLINE.sub(lambda _match: tag, text)
