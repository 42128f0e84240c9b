"""What the collector accepts: the kb-feedback/1 vote and the kb-search/1 zero-result search.

The vote is exactly the JSON Schema of calculators/contracts/feedback.md (tests compare the two);
on top of it the collector bounds every string and list, so one request stays small. A problem is
raised as InvalidInput naming the field and the reason; nothing here touches the database.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

VOTE_SCHEMA = "kb-feedback/1"
SEARCH_SCHEMA = "kb-search/1"
COUNTS_SCHEMA = "kb-feedback-counts/1"

REASONS = ("not-here", "hard-to-follow", "numbers-mismatch", "out-of-date", "other")
VOTE_FIELDS = (
    "schema",
    "id",
    "helpful",
    "reason",
    "page",
    "title",
    "section",
    "reviewed",
    "calculators",
    "sent_at",
)
SEARCH_FIELDS = ("schema", "query", "sent_at")

VOTE_ID = re.compile(r"^[0-9a-f]{32}$")
PAGE_URL = re.compile(r"^https?://")
SECTION = re.compile(r"^([0-9]+(\.[0-9]+)*)?$")
REVIEWED = re.compile(r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$")

# Bounds beyond the contract's schema: generous for real pages, small enough for one request.
MAX_URL = 2000
MAX_TITLE = 300
MAX_CALCULATORS = 20
MAX_CALCULATOR_ID = 64
MAX_QUERY = 100

# A search query is kept only after anything that could identify a reader is masked.
EMAIL = re.compile(r"\S+@\S+")
LONG_NUMBER = re.compile(r"\d[\d\s-]{4,}\d")


class InvalidInput(ValueError):
    """A request the collector refuses: `field` (may be empty) and a reason a person can act on."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}" if field else reason)
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class Vote:
    id: str
    helpful: bool
    reason: str | None
    page: str
    page_path: str
    title: str
    section: str
    reviewed: str
    calculators: tuple[str, ...]
    sent_at: str  # normalised UTC, so later answers sort after earlier ones as text


@dataclass(frozen=True)
class Search:
    query: str
    sent_at: str


def parse_json(body: bytes) -> Any:
    """The request body as JSON, refusing what JSON itself forbids (NaN, Infinity, bad UTF-8)."""

    def refuse_constant(name: str) -> Any:
        raise InvalidInput("", f"{name} is not JSON")

    try:
        return json.loads(body.decode("utf-8"), parse_constant=refuse_constant)
    except UnicodeDecodeError:
        raise InvalidInput("", "the body is not UTF-8") from None
    except json.JSONDecodeError as error:
        reason = f"the body is not JSON ({error.msg} at character {error.pos})"
        raise InvalidInput("", reason) from None
    except RecursionError:
        raise InvalidInput("", "the body is nested too deeply") from None


def page_path(url: str) -> str:
    """The key counts are kept under: the page's path, so staging and production hosts agree."""
    return urlsplit(url).path or "/"


def parse_vote(data: Any) -> Vote:
    fields = _exact_object(data, VOTE_FIELDS)
    if fields["schema"] != VOTE_SCHEMA:
        raise InvalidInput("schema", f"must be {VOTE_SCHEMA!r}")
    vote_id = _string(fields, "id", 32)
    if not VOTE_ID.match(vote_id):
        raise InvalidInput("id", "must be 32 lowercase hex digits")
    helpful = fields["helpful"]
    if not isinstance(helpful, bool):
        raise InvalidInput("helpful", "must be true or false")
    reason = fields["reason"]
    if reason is not None and reason not in REASONS:
        raise InvalidInput("reason", "must be null or one of " + ", ".join(REASONS))
    if helpful and reason is not None:
        raise InvalidInput("reason", "must be null when helpful is true")
    page = _string(fields, "page", MAX_URL)
    if not PAGE_URL.match(page):
        raise InvalidInput("page", "must be an http(s) URL")
    section = _string(fields, "section", 40)
    if not SECTION.match(section):
        raise InvalidInput("section", "must be a section number like 8.2, or empty")
    reviewed = _string(fields, "reviewed", 10)
    if not REVIEWED.match(reviewed):
        raise InvalidInput("reviewed", "must be a YYYY-MM-DD date, or empty")
    calculators = fields["calculators"]
    if not isinstance(calculators, list) or not all(isinstance(c, str) for c in calculators):
        raise InvalidInput("calculators", "must be a list of calculator ids")
    if len(calculators) > MAX_CALCULATORS:
        raise InvalidInput("calculators", f"at most {MAX_CALCULATORS} calculators")
    if any(not 0 < len(c) <= MAX_CALCULATOR_ID for c in calculators):
        raise InvalidInput("calculators", f"each id has 1 to {MAX_CALCULATOR_ID} characters")
    return Vote(
        id=vote_id,
        helpful=helpful,
        reason=reason,
        page=page,
        page_path=page_path(page),
        title=_string(fields, "title", MAX_TITLE),
        section=section,
        reviewed=reviewed,
        calculators=tuple(calculators),
        sent_at=_timestamp(fields, "sent_at"),
    )


def parse_search(data: Any) -> Search:
    fields = _exact_object(data, SEARCH_FIELDS)
    if fields["schema"] != SEARCH_SCHEMA:
        raise InvalidInput("schema", f"must be {SEARCH_SCHEMA!r}")
    query = anonymous_query(_string(fields, "query", 1000))
    if not query:
        raise InvalidInput("query", "must not be empty")
    return Search(query=query, sent_at=_timestamp(fields, "sent_at"))


def anonymous_query(query: str) -> str:
    """The query as the report groups it: trimmed, lower case, e-mail addresses and long numbers
    (card, phone, account numbers) masked, at most MAX_QUERY characters."""
    text = " ".join(query.split()).lower()
    text = EMAIL.sub("[email]", text)
    text = LONG_NUMBER.sub("[number]", text)
    return text[:MAX_QUERY].strip()


def _exact_object(data: Any, names: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise InvalidInput("", "the body must be a JSON object")
    missing = [name for name in names if name not in data]
    if missing:
        raise InvalidInput(missing[0], "is required")
    unknown = sorted(set(data) - set(names))
    if unknown:
        raise InvalidInput(unknown[0], "is not a field of this record")
    return data


def _string(fields: dict[str, Any], name: str, limit: int) -> str:
    value = fields[name]
    if not isinstance(value, str):
        raise InvalidInput(name, "must be a string")
    if len(value) > limit:
        raise InvalidInput(name, f"at most {limit} characters")
    return value


def _timestamp(fields: dict[str, Any], name: str) -> str:
    value = _string(fields, name, 40)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(name, "must be an ISO 8601 date and time") from None
    if moment.tzinfo is None:
        raise InvalidInput(name, "must give its time zone (…Z for UTC)")
    return utc_text(moment)


def utc_text(moment: datetime) -> str:
    """One fixed-width UTC form, so timestamps compare correctly as text in either database."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
