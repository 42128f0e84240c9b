"""The feedback collector against its real databases: SQLite, and a PostgreSQL server these tests
start themselves (Debian's postgresql; `.ci/run` installs it). Every test that takes
`database_url` runs against both. In CI (CI=true) a missing PostgreSQL fails, never skips.

Also the fixtures the load and browser tests share: the PostgreSQL server, a collector served by
uvicorn on 127.0.0.1, and a small HTTP client.
"""

from __future__ import annotations

import base64
import csv
import glob
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from collector.app import create_app
from collector.database import MIGRATIONS, Store
from collector.ratelimit import RateLimiter
from collector.schema import REASONS, VOTE_FIELDS, anonymous_query
from collector.settings import Settings
from tests.conftest import IN_CI, ROOT

CONTRACT = ROOT / "calculators" / "contracts" / "feedback.md"
SITE_ORIGIN = "http://127.0.0.1:8000"
TOKEN = "support-token-0123456789"
START_TIMEOUT = 60.0


# ---- PostgreSQL, started by the tests ----------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def postgres_bin() -> Path | None:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0,
    )
    return Path(found[-1]).parent if found else None


@dataclass
class PostgresServer:
    url: str
    stop: Callable[[], None]

    def new_database(self) -> str:
        """A fresh, empty database on the server; its URL."""
        import psycopg

        name = "collector_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url.rsplit("/", 1)[0] + "/" + name


def start_postgres() -> PostgresServer:
    bindir = postgres_bin()
    if bindir is None:
        message = "PostgreSQL is not installed (apt-get install -y postgresql)"
        if IN_CI:
            pytest.fail(message + ": .ci/run installs it")
        pytest.skip(message + "; CI runs these")
    base = Path(tempfile.mkdtemp(prefix="collector-pg-", dir="/tmp"))
    data, sockets, log = base / "data", base / "sockets", base / "server.log"
    sockets.mkdir()
    as_user: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        shutil.chown(base, "postgres")
        shutil.chown(sockets, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [
            *as_user,
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    port = free_port()
    options = (
        f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    )
    subprocess.run(
        [
            *as_user,
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(log),
            "-w",
            "-t",
            "60",
            "-o",
            options,
            "start",
        ],
        check=True,
        capture_output=True,
        timeout=90,
    )

    def stop() -> None:
        subprocess.run(
            [*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
            check=False,
        )
        shutil.rmtree(base, ignore_errors=True)

    return PostgresServer(f"postgresql://postgres@127.0.0.1:{port}/postgres", stop)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    server = start_postgres()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'feedback' / 'votes.sqlite3'}"
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.new_database()


# ---- a collector on 127.0.0.1 --------------------------------------------------------------------


class Clock:
    """The time the collector sees; tests move it to spread votes over weeks."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def call(
    url: str, method: str = "GET", body: bytes | None = None, headers: dict[str, str] | None = None
) -> Answer:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Answer(
                response.status,
                {k.lower(): v for k, v in response.headers.items()},
                response.read(),
            )
    except urllib.error.HTTPError as error:
        return Answer(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())


@dataclass
class Collector:
    url: str
    store: Store
    clock: Clock
    settings: Settings
    origin: str = SITE_ORIGIN
    sent: list[str] = field(default_factory=list)

    def post(self, path: str, record: Any, headers: dict[str, str] | None = None) -> Answer:
        body = record if isinstance(record, bytes) else json.dumps(record).encode("utf-8")
        return call(
            self.url + path, "POST", body, {"Content-Type": "application/json", **(headers or {})}
        )

    def get(self, path: str, headers: dict[str, str] | None = None) -> Answer:
        return call(self.url + path, headers=headers)

    def counts(self) -> dict[str, dict[str, int]]:
        return dict(self.get("/counts").json()["pages"])


def serve(app: Any) -> tuple[str, Callable[[], None]]:
    """Serve an ASGI app with uvicorn in a thread; its base URL and how to stop it."""
    import uvicorn

    settled = threading.Event()  # set once the server listens, or once it gave up

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            settled.set()

    def run() -> None:
        try:
            server.run()
        finally:
            settled.set()

    port = free_port()
    server = Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", lifespan="on")
    )
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    if not settled.wait(timeout=START_TIMEOUT) or not server.started:
        raise RuntimeError("the collector did not start")

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=30)

    return f"http://127.0.0.1:{port}", stop


def start_collector(database_url: str, **overrides: Any) -> tuple[Collector, Callable[[], None]]:
    options: dict[str, Any] = {"allowed_origins": (SITE_ORIGIN,), "report_token": TOKEN}
    settings = Settings(database=database_url, **(options | overrides))
    store = Store(database_url)
    clock = Clock()
    url, stop_server = serve(create_app(settings, store=store, clock=clock))

    def stop() -> None:
        stop_server()
        store.close()

    return Collector(url, store, clock, settings), stop


@pytest.fixture
def collector(database_url: str) -> Iterator[Collector]:
    running, stop = start_collector(database_url)
    yield running
    stop()


def vote(**changes: Any) -> dict[str, Any]:
    """The contract's example vote, changed where a test says."""
    record = {
        "schema": "kb-feedback/1",
        "id": uuid.uuid4().hex,
        "helpful": False,
        "reason": None,
        "page": "https://help.lumen-cloud.example/kb/8-2/",
        "title": "8.2 Handling prorated charges",
        "section": "8.2",
        "reviewed": "2026-11-29",
        "calculators": ["estimate"],
        "sent_at": "2026-03-16T09:41:07.512Z",
    }
    record.update(changes)
    return record


def search(query: str) -> dict[str, Any]:
    return {"schema": "kb-search/1", "query": query, "sent_at": "2026-03-16T09:41:07.512Z"}


def bearer(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def basic(password: str = TOKEN) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"support:{password}".encode()).decode()}


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


# ---- the contract -------------------------------------------------------------------------------


def contract_schema() -> dict[str, Any]:
    text = CONTRACT.read_text(encoding="utf-8")
    block = re.search(r"### JSON Schema\s+```json\n(.*?)```", text, re.S)
    assert block, "the contract's JSON Schema block is missing"
    return dict(json.loads(block.group(1)))


def test_the_collector_accepts_exactly_the_contracts_vote_schema() -> None:
    from collector import schema

    contract = contract_schema()
    properties = contract["properties"]
    assert contract["additionalProperties"] is False
    assert tuple(contract["required"]) == VOTE_FIELDS == tuple(properties)
    assert properties["schema"] == {"const": schema.VOTE_SCHEMA}
    assert properties["reason"]["enum"] == [None, *REASONS]
    assert properties["id"]["pattern"] == schema.VOTE_ID.pattern
    assert properties["page"]["pattern"] == schema.PAGE_URL.pattern
    assert properties["section"]["pattern"] == schema.SECTION.pattern
    assert properties["reviewed"]["pattern"] == schema.REVIEWED.pattern
    # The reasons the page offers are the ones the collector takes.
    partial = (ROOT / "overrides" / "partials" / "kb-feedback.html").read_text(encoding="utf-8")
    assert tuple(re.findall(r'name="reason" value="([a-z-]+)"', partial)) == REASONS


def test_the_contracts_example_vote_is_stored_and_counted(collector: Collector) -> None:
    text = CONTRACT.read_text(encoding="utf-8")
    example = json.loads(
        re.search(r"## The vote \(POST body\)\s+```json\n(.*?)```", text, re.S).group(1)
    )  # type: ignore[union-attr]
    answer = collector.post("/votes", example, {"Origin": SITE_ORIGIN})
    assert answer.status == 202, answer.text
    assert answer.json() == {"status": "stored"}
    assert answer.headers["access-control-allow-origin"] == SITE_ORIGIN
    assert collector.counts() == {"/kb/8-2/": {"helpful": 0, "not_helpful": 1}}
    assert collector.store.vote_total() == 1


# ---- votes: one per id ------------------------------------------------------------------------


def test_a_reason_with_the_same_id_replaces_the_first_vote(collector: Collector) -> None:
    first = vote(helpful=False, reason=None, sent_at="2026-03-16T09:41:07.512Z")
    assert collector.post("/votes", first).status == 202
    with_reason = dict(first, reason="numbers-mismatch", sent_at="2026-03-16T09:41:30.000Z")
    assert collector.post("/votes", with_reason).status == 202
    assert collector.counts() == {"/kb/8-2/": {"helpful": 0, "not_helpful": 1}}
    changed_mind = dict(first, helpful=True, reason=None, sent_at="2026-03-16T09:42:00Z")
    assert collector.post("/votes", changed_mind).status == 202
    assert collector.counts() == {"/kb/8-2/": {"helpful": 1, "not_helpful": 0}}
    assert collector.store.vote_total() == 1


def test_an_earlier_answer_arriving_late_does_not_replace_a_later_one(collector: Collector) -> None:
    later = vote(reason="out-of-date", sent_at="2026-03-16T10:00:00+01:00")  # 09:00 UTC
    earlier = dict(later, reason=None, sent_at="2026-03-16T08:59:59Z")
    assert collector.post("/votes", later).json() == {"status": "stored"}
    answer = collector.post("/votes", earlier)
    assert answer.status == 202
    assert answer.json() == {"status": "kept: a later answer for this id is already stored"}
    assert collector.store.reasons() == [("/kb/8-2/", "out-of-date", 1)]


def test_a_vote_id_cannot_move_to_another_page(collector: Collector) -> None:
    first = vote()
    assert collector.post("/votes", first).status == 202
    moved = dict(
        first, page="https://help.lumen-cloud.example/kb/3-1/", sent_at="2026-03-17T00:00:00Z"
    )
    answer = collector.post("/votes", moved)
    assert answer.status == 409
    assert answer.json() == {
        "error": "this vote id was already used on another page",
        "field": "id",
    }
    assert collector.counts() == {"/kb/8-2/": {"helpful": 0, "not_helpful": 1}}


# ---- bad input: a 4xx that says why, never a 500 -------------------------------------------------

BAD_VOTES = [
    (b"not json", 400, "", "the body is not JSON (Expecting value at character 0)"),
    (b"[1, 2]", 400, "", "the body must be a JSON object"),
    (b'{"helpful": NaN}', 400, "", "NaN is not JSON"),
    (b"\xff\xfe", 400, "", "the body is not UTF-8"),
    (b"[" * 20_000, 413, "", "the body is larger than 16384 bytes"),
    (vote(id=None), 400, "id", "must be a string"),
    (vote(id="3F1C0A9E5B7D42E8A1C6F0B2D4E6A8C0"), 400, "id", "must be 32 lowercase hex digits"),
    (vote(helpful="yes"), 400, "helpful", "must be true or false"),
    (vote(helpful=1), 400, "helpful", "must be true or false"),
    (
        vote(reason="angry"),
        400,
        "reason",
        "must be null or one of not-here, hard-to-follow, numbers-mismatch, out-of-date, other",
    ),
    (vote(helpful=True, reason="other"), 400, "reason", "must be null when helpful is true"),
    (vote(page="ftp://help.example/kb/8-2/"), 400, "page", "must be an http(s) URL"),
    (vote(section="eight"), 400, "section", "must be a section number like 8.2, or empty"),
    (vote(reviewed="29/11/2026"), 400, "reviewed", "must be a YYYY-MM-DD date, or empty"),
    (vote(calculators="estimate"), 400, "calculators", "must be a list of calculator ids"),
    (vote(calculators=["x"] * 21), 400, "calculators", "at most 20 calculators"),
    (vote(title="x" * 301), 400, "title", "at most 300 characters"),
    (vote(sent_at="2026-03-16 09:41"), 400, "sent_at", "must give its time zone (…Z for UTC)"),
    (vote(sent_at="yesterday"), 400, "sent_at", "must be an ISO 8601 date and time"),
    (vote(schema="kb-feedback/2"), 400, "schema", "must be 'kb-feedback/1'"),
    (vote(comment="my card is 4111"), 400, "comment", "is not a field of this record"),
    ({k: v for k, v in vote().items() if k != "sent_at"}, 400, "sent_at", "is required"),
]


@pytest.mark.parametrize(("body", "status", "field", "reason"), BAD_VOTES)
def test_a_bad_vote_is_refused_with_the_field_and_the_reason(
    collector: Collector, body: Any, status: int, field: str, reason: str
) -> None:
    answer = collector.post("/votes", body)
    assert answer.status == status, answer.text
    assert answer.json() == {"error": reason} | ({"field": field} if field else {})
    assert collector.store.vote_total() == 0


def test_only_json_is_taken_and_unknown_routes_and_methods_say_so(collector: Collector) -> None:
    as_text = call(
        collector.url + "/votes",
        "POST",
        json.dumps(vote()).encode(),
        {"Content-Type": "text/plain"},
    )
    assert (as_text.status, as_text.json()) == (
        415,
        {"error": "send the record as Content-Type: application/json"},
    )
    assert collector.get("/nowhere").status == 404
    assert collector.post("/counts", {}).status == 405
    lying_length = call(
        collector.url + "/votes",
        "POST",
        b"{}",
        {"Content-Type": "application/json", "Content-Length": "999999"},
    )
    # Refused on the declared length, before a byte of the body is read; never stored.
    assert (lying_length.status, lying_length.json()) == (
        413,
        {"error": f"the body is larger than {collector.settings.max_body_bytes} bytes"},
    )
    assert collector.store.vote_total() == 0


# ---- origins and rate limits --------------------------------------------------------------------


def test_only_the_sites_origin_may_vote_or_read_counts_cross_origin(collector: Collector) -> None:
    other = "https://elsewhere.example"
    answer = collector.post("/votes", vote(), {"Origin": other})
    assert answer.status == 403
    assert answer.json() == {"error": f"origin {other!r} may not send feedback here"}
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    allowed = call(collector.url + "/votes", "OPTIONS", None, {"Origin": SITE_ORIGIN, **preflight})
    assert allowed.status == 200
    assert allowed.headers["access-control-allow-origin"] == SITE_ORIGIN
    refused = call(collector.url + "/votes", "OPTIONS", None, {"Origin": other, **preflight})
    assert "access-control-allow-origin" not in refused.headers
    counts = collector.get("/counts", {"Origin": other})
    assert "access-control-allow-origin" not in counts.headers  # the browser keeps it from them
    assert collector.store.vote_total() == 0


def test_a_client_over_its_rate_gets_429_with_retry_after(database_url: str) -> None:
    limited, stop = start_collector(database_url, rate_per_minute=3)
    try:
        answers = [limited.post("/votes", vote()).status for _ in range(4)]
        assert answers == [202, 202, 202, 429]
        refused = limited.post("/votes", vote())
        assert refused.json() == {"error": "too many requests: wait and try again"}
        # One vote comes back every 60 / 3 = 20 s; the wait is what is left of that, in whole
        # seconds (the votes above took part of it).
        assert 1 <= int(refused.headers["retry-after"]) <= 20
        assert limited.store.vote_total() == 3
    finally:
        stop()


def test_rate_limits_keep_keyed_hashes_that_rotate_never_addresses() -> None:
    now = [0.0]
    limiter = RateLimiter(2, rotate_seconds=3600, clock=lambda: now[0])
    address = "203.0.113.7"
    assert [limiter.retry_after(address) for _ in range(3)][:2] == [0.0, 0.0]
    assert limiter.retry_after(address) == pytest.approx(30.0)  # 2 a minute: one every 30 s
    assert limiter.retry_after("198.51.100.1") == 0.0  # another client has its own bucket
    held = limiter.known_clients()
    assert len(held) == 2 and all(len(key) == 16 for key in held)
    assert not any(address.encode() in key or key.hex() in address for key in held)
    before = limiter.client_key(address)
    now[0] = 3600.0  # the key rotates: old hashes mean nothing, every bucket starts full
    assert limiter.retry_after(address) == 0.0
    assert limiter.client_key(address) != before
    assert limiter.known_clients() == [limiter.client_key(address)]


# ---- searches -----------------------------------------------------------------------------------


def test_searches_are_stored_masked_and_counted_per_query(collector: Collector) -> None:
    for query in ["Refund  PRORATED", "refund prorated", "card 4111 1111 1111 1111", "sso"]:
        assert collector.post("/searches", search(query)).status == 202
    bad = collector.post("/searches", search("   "))
    assert (bad.status, bad.json()) == (400, {"error": "must not be empty", "field": "query"})
    extra = collector.post("/searches", dict(search("x"), page="https://a.example/"))
    assert (extra.status, extra.json()["field"]) == (400, "page")
    assert collector.store.searches(10) == [
        ("refund prorated", 2, "2026-03-16"),
        ("card [number]", 1, "2026-03-16"),
        ("sso", 1, "2026-03-16"),
    ]


def test_a_query_keeps_no_email_or_long_number() -> None:
    assert anonymous_query("Reset  Password for Bob@Example.com") == "reset password for [email]"
    assert anonymous_query("invoice 2026-000123 phone +44 20 7946 0958") == (
        "invoice [number] phone +[number]"
    )
    assert anonymous_query("upgrade to 3 seats") == "upgrade to 3 seats"
    assert len(anonymous_query("word " * 100)) <= 100


# ---- the report ---------------------------------------------------------------------------------


def fill_for_report(collector: Collector) -> None:
    """8.2: 1 of 4 helpful over two weeks; 3.1: 2 of 2; plus three searches."""
    prorated = "https://help.lumen-cloud.example/kb/8-2/"
    upgrade = "https://help.lumen-cloud.example/kb/3-1/"
    collector.clock.now = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)  # week 2026-W11
    collector.post("/votes", vote(page=prorated, helpful=True))
    collector.post("/votes", vote(page=prorated, reason="numbers-mismatch"))
    collector.clock.now = datetime(2026, 3, 16, 12, 0, tzinfo=UTC)  # week 2026-W12
    collector.post("/votes", vote(page=prorated, reason="numbers-mismatch"))
    collector.post("/votes", vote(page=prorated, reason=None))
    collector.post(
        "/votes", vote(page=upgrade, title="=3.1 Reviewing plans", section="3.1", helpful=True)
    )
    collector.post(
        "/votes", vote(page=upgrade, title="=3.1 Reviewing plans", section="3.1", helpful=True)
    )
    for query in ["refund", "refund", "sso", "refund"]:
        collector.post("/searches", search(query))


def test_the_report_needs_the_token(collector: Collector) -> None:
    for path in ["/report", "/report.csv", "/report/weeks.csv", "/report/searches.csv"]:
        missing = collector.get(path)
        assert missing.status == 401, path
        assert missing.headers["www-authenticate"] == 'Basic realm="feedback report"'
        assert collector.get(path, bearer("support-token-0123456780")).status == 401
        assert collector.get(path, basic("wrong")).status == 401
        assert collector.get(path, {"Authorization": "Basic !!!"}).status == 401
        assert collector.get(path, bearer()).status == 200
        assert collector.get(path, basic()).status == 200


def test_without_a_token_configured_the_report_is_off(database_url: str) -> None:
    running, stop = start_collector(database_url, report_token="")
    try:
        answer = running.get("/report", bearer(""))
        assert (answer.status, answer.json()) == (
            403,
            {"error": "the report is switched off: set COLLECTOR_REPORT_TOKEN"},
        )
    finally:
        stop()


def test_the_report_lists_the_least_helpful_articles_first_with_reasons_and_trend(
    collector: Collector,
) -> None:
    fill_for_report(collector)
    rows = csv_rows(collector.get("/report.csv", bearer()).text)
    assert rows == [
        [
            "page",
            "title",
            "votes",
            "helpful",
            "not_helpful",
            "helpful_share",
            "reason_not-here",
            "reason_hard-to-follow",
            "reason_numbers-mismatch",
            "reason_out-of-date",
            "reason_other",
            "reason_none",
        ],
        [
            "/kb/8-2/",
            "8.2 Handling prorated charges",
            "4",
            "1",
            "3",
            "0.250",
            "0",
            "0",
            "2",
            "0",
            "0",
            "1",
        ],
        ["/kb/3-1/", "'=3.1 Reviewing plans", "2", "2", "0", "1.000", "0", "0", "0", "0", "0", "0"],
    ]
    weeks = csv_rows(collector.get("/report/weeks.csv", bearer()).text)
    assert weeks == [
        ["page", "week", "week_start", "helpful", "not_helpful"],
        ["/kb/8-2/", "2026-W11", "2026-03-09", "1", "1"],
        ["/kb/8-2/", "2026-W12", "2026-03-16", "0", "2"],
        ["/kb/3-1/", "2026-W12", "2026-03-16", "2", "0"],
    ]
    searches = csv_rows(collector.get("/report/searches.csv", bearer()).text)
    assert searches == [
        ["query", "times", "last_day"],
        ["refund", "3", "2026-03-16"],
        ["sso", "1", "2026-03-16"],
    ]

    page = collector.get("/report", basic())
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["cache-control"] == "no-store"
    assert "default-src 'none'" in page.headers["content-security-policy"]
    html = page.text
    assert html.index("8.2 Handling prorated charges") < html.index("=3.1 Reviewing plans")
    assert '<td class="number low">25%</td>' in html
    assert "The numbers did not match my invoice: 2<br>No reason given: 1" in html
    assert "2026-W05 to 2026-W12" in html
    assert ">   ·    ·    ·    ·    ·    ·  50%   0%</td>" in html  # 8.2, eight weeks
    assert '<td>refund</td><td class="number">3</td>' in html
    assert "<script" not in html and "style=" not in html
    css = collector.get("/report.css")
    assert css.status == 200 and css.headers["content-type"].startswith("text/css")


# ---- storage: migrations, export, settings ------------------------------------------------------


def test_the_database_is_created_and_migrated_once(database_url: str) -> None:
    first = Store(database_url)
    assert first.migrate(now="2026-03-16T00:00:00.000000Z") == [v for v, _, _ in MIGRATIONS]
    assert first.migrate(now="2026-03-17T00:00:00.000000Z") == []
    assert first.schema_version() == MIGRATIONS[-1][0]
    first.close()
    # Several processes starting at once against a new database: exactly one migrates.
    fresh = database_url.replace("votes.sqlite3", "again.sqlite3")
    if fresh == database_url:
        fresh = database_url + "_again"
        import psycopg

        with psycopg.connect(database_url, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{fresh.rsplit("/", 1)[1]}"')
    script = (
        "import sys; from collector.database import Store; "
        "print(Store(sys.argv[1]).migrate(now='2026-03-16T00:00:00.000000Z'))"
    )
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, fresh], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    outputs = sorted(process.communicate(timeout=120)[0].strip() for process in processes)
    assert outputs == ["[1]", "[]", "[]", "[]"]


def test_the_export_is_what_counts_answers(collector: Collector, tmp_path: Path) -> None:
    fill_for_report(collector)
    target = tmp_path / "out" / "counts.json"
    result = subprocess.run(
        [sys.executable, "-m", "collector", "export", "--output", str(target)],
        cwd=ROOT,
        env=dict(os.environ, COLLECTOR_DATABASE=collector.store.url),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    exported = json.loads(target.read_text(encoding="utf-8"))
    assert exported["schema"] == "kb-feedback-counts/1"
    assert (
        exported["pages"]
        == collector.counts()
        == {
            "/kb/3-1/": {"helpful": 2, "not_helpful": 0},
            "/kb/8-2/": {"helpful": 1, "not_helpful": 3},
        }
    )
    assert datetime.fromisoformat(exported["generated_at"]) > datetime.now(UTC) - timedelta(hours=1)


def test_bad_settings_name_the_variable() -> None:
    with pytest.raises(
        ValueError,
        match=r"COLLECTOR_DATABASE must be sqlite:///path or "
        r"postgresql://…, not 'mysql://me@db/x'",
    ):
        Store("mysql://me:secret@db/x")
    with pytest.raises(ValueError, match="COLLECTOR_REPORT_TOKEN: at least 16 characters"):
        Settings.from_env({"COLLECTOR_REPORT_TOKEN": "short"})
    with pytest.raises(ValueError, match="COLLECTOR_PORT: 'eighty' is not a whole number"):
        Settings.from_env({"COLLECTOR_PORT": "eighty"})
    settings = Settings.from_env(
        {"COLLECTOR_ALLOWED_ORIGINS": "https://help.example/, ", "COLLECTOR_PORT": "9000"}
    )
    assert (settings.allowed_origins, settings.port) == (("https://help.example",), 9000)
    result = subprocess.run(
        [sys.executable, "-m", "collector", "export"],
        cwd=ROOT,
        env=dict(os.environ, COLLECTOR_DATABASE="sqlite:///"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr == "collector: COLLECTOR_DATABASE: sqlite:/// needs a file path\n"


def test_an_unreachable_database_is_a_503_not_a_500(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'votes.sqlite3'}")
    settings = Settings(database=store.url, allowed_origins=(SITE_ORIGIN,))
    url, stop = serve(create_app(settings, store=store))
    try:
        store.close()
        (tmp_path / "votes.sqlite3").unlink()
        (tmp_path / "votes.sqlite3").mkdir()  # a folder where the file was: cannot be opened
        answer = call(
            url + "/votes",
            "POST",
            json.dumps(vote()).encode(),
            {"Content-Type": "application/json"},
        )
        assert answer.status == 503
        assert answer.json() == {"error": "the feedback database is busy or unreachable: try again"}
        assert answer.headers["retry-after"] == "5"
    finally:
        stop()
