"""Redirect pages rewritten for the strict CSP (tools/redirect_pages.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.redirect_pages import REDIRECT_SCRIPT, RedirectPageError, rewrite_redirect_pages

# The page the redirects plugin writes (mkdocs-redirects; Zensical writes the same).
INLINE = (
    '<script>var anchor=window.location.hash.substr(1);location.href="../../billing/'
    'prorated-charges/"+(anchor?"#"+anchor:"")</script>'
)
PLUGIN_PAGE = f"""
<!doctype html>
<html lang="en">
<head>
    <meta charset="utf-8">
    <title>Redirecting...</title>
    <link rel="canonical" href="../../billing/prorated-charges/">
    {INLINE}
    <meta http-equiv="refresh" content="0; url=../../billing/prorated-charges/">
</head>
<body>
You're being redirected to a <a href="../../billing/prorated-charges/">new destination</a>.
</body>
</html>"""


def write(site: Path, path: str, text: str) -> Path:
    page = site / path
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(text, encoding="utf-8")
    return page


def test_the_inline_script_becomes_the_redirect_file_with_its_target(tmp_path: Path) -> None:
    page = write(tmp_path, "kb/8-2/index.html", PLUGIN_PAGE)
    article = write(tmp_path, "billing/index.html", "<title>Billing</title><script src=x></script>")
    assert rewrite_redirect_pages(tmp_path) == [page]
    expected = PLUGIN_PAGE.replace(
        INLINE,
        f'<script src="../../{REDIRECT_SCRIPT}" '
        'data-target="../../billing/prorated-charges/"></script>',
    )
    assert page.read_text(encoding="utf-8") == expected
    assert article.read_text(encoding="utf-8") == "<title>Billing</title><script src=x></script>"
    assert rewrite_redirect_pages(tmp_path) == []  # a rewritten page is left as it is


def test_the_script_path_follows_the_page_depth_and_the_target_is_escaped(tmp_path: Path) -> None:
    text = PLUGIN_PAGE.replace("../../billing/prorated-charges/", "../a&amp;b/")
    page = write(tmp_path, "old/index.html", text)
    rewrite_redirect_pages(tmp_path)
    assert f'<script src="../{REDIRECT_SCRIPT}" data-target="../a&amp;b/"></script>' in (
        page.read_text(encoding="utf-8")
    )


def test_a_redirect_page_in_an_unknown_form_fails_the_build(tmp_path: Path) -> None:
    write(tmp_path, "kb/1/index.html", PLUGIN_PAGE.replace("substr(1);", "slice(1);"))
    with pytest.raises(RedirectPageError, match=r"kb/1/index\.html is a redirect page"):
        rewrite_redirect_pages(tmp_path)
