"""The counts export reaching the pages (macros/feedback_counts.py): what a build reads, how its
paths meet the pages' permanent links, and a bad export failing the build with file and reason."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from macros.feedback_counts import CountsFileError, read_helpful_counts, register, site_relative
from tests.conftest import ROOT


def write(tmp_path: Path, document: Any) -> Path:
    path = tmp_path / "counts.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document), "utf-8")
    return path


def export(pages: dict[str, Any]) -> dict[str, Any]:
    return {
        "schema": "kb-feedback-counts/1",
        "generated_at": "2026-03-16T00:00:00Z",
        "pages": pages,
    }


def test_the_helpful_counts_are_read_from_an_export(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        export(
            {
                "/kb/8-2/": {"helpful": 12, "not_helpful": 3},
                "/kb/3-1/": {"helpful": 0, "not_helpful": 2},
            }
        ),
    )
    assert read_helpful_counts(path) == {"/kb/8-2/": 12, "/kb/3-1/": 0}


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (
            "{",
            "feedback counts: not JSON (Expecting property name enclosed in double quotes: "
            "line 1 column 2 (char 1))",
        ),
        (
            {"schema": "kb-feedback/1", "pages": {}},
            "feedback counts: schema must be 'kb-feedback-counts/1'",
        ),
        (
            {"schema": "kb-feedback-counts/1", "pages": []},
            "feedback counts: 'pages' must be an object",
        ),
        (export({"kb/8-2/": {"helpful": 1}}), "feedback counts: 'kb/8-2/' is not a page path"),
        (
            export({"/kb/8-2/": {"helpful": -1}}),
            "feedback counts: pages./kb/8-2/.helpful must be a count",
        ),
        (
            export({"/kb/8-2/": {"helpful": True}}),
            "feedback counts: pages./kb/8-2/.helpful must be a count",
        ),
    ],
)
def test_a_bad_export_fails_the_build_with_the_file_and_the_reason(
    tmp_path: Path, document: Any, reason: str
) -> None:
    path = write(tmp_path, document)
    with pytest.raises(CountsFileError) as raised:
        read_helpful_counts(path)
    assert str(raised.value) == f"{path}: {reason}"


def test_a_missing_export_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(
        CountsFileError,
        match=r"nowhere\.json: feedback counts: cannot read "
        r"\(No such file or directory\)",
    ):
        read_helpful_counts(tmp_path / "nowhere.json")


def test_export_paths_meet_the_permanent_links_relative_to_the_site() -> None:
    counts = {"/kb/8-2/": 3, "/help/kb/8-2/": 5, "/help/kb/": 1}
    assert site_relative(counts, "https://help.lumen-cloud.example/") == {
        "kb/8-2/": 3,
        "help/kb/8-2/": 5,
        "help/kb/": 1,
    }
    assert site_relative(counts, "https://lumen-cloud.example/help") == {"kb/8-2/": 5, "kb/": 1}
    assert site_relative(counts, "") == {"kb/8-2/": 3, "help/kb/8-2/": 5, "help/kb/": 1}


def test_the_counts_reach_the_theme_through_the_config_and_the_rendered_page(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, export({"/kb/8-2/": {"helpful": 4, "not_helpful": 0}}))
    macros: dict[str, Any] = {}

    def config(counts_file: Any) -> dict[str, Any]:
        return {
            "site_url": "https://help.lumen-cloud.example/",
            "extra": {"feedback": {"counts_file": counts_file}},
        }

    # MkDocs: define_env runs before any page; the theme reads the changed configuration.
    mkdocs_env = SimpleNamespace(conf=config(str(path)), macro=lambda f, n: macros.update({n: f}))
    register(mkdocs_env)
    assert mkdocs_env.conf["extra"]["feedback"]["helpful_counts"] == {"kb/8-2/": 4}
    assert macros["helpful_count"]("kb/8-2/") == 4 and macros["helpful_count"]("kb/1/") == 0
    # Zensical: define_env runs for each page, which carries the counts to its theme.
    page = SimpleNamespace(meta={"reviewed": "2026-11-29"})
    zensical_env = SimpleNamespace(conf=config(str(path)), page=page, macro=lambda f, n: None)
    register(zensical_env)
    assert page.meta == {"reviewed": "2026-11-29", "kb_helpful_counts": {"kb/8-2/": 4}}
    # Without an export nothing is shown.
    plain = SimpleNamespace(conf=config(None), macro=lambda f, n: None)
    register(plain)
    assert plain.conf["extra"]["feedback"]["helpful_counts"] is None


def test_mkdocs_yml_keeps_the_collectors_settings_off_by_default() -> None:
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for line in [
        "endpoint: !ENV [KB_FEEDBACK_ENDPOINT, null]",
        "counts_file: !ENV [KB_FEEDBACK_COUNTS, null]",
        "live_counts: false",
        "collect_searches: false",
    ]:
        assert f"    {line}\n" in text, line
