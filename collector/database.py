"""The collector's storage: one SQLite file (the default) or a PostgreSQL database.

Both run the same SQL (written with `?` placeholders), the same versioned migrations (table
`schema_migrations`) and the same transactions, so several collector processes can write at
once and nothing is lost or counted twice:

- SQLite: WAL journal, a busy timeout, and `BEGIN IMMEDIATE` for every write, so writers queue
  instead of failing; the file and its folder are created on first start.
- PostgreSQL: every write is one transaction; a vote is an upsert on its `id`, a search an upsert
  on (query, day); migrations hold an advisory lock so processes starting together migrate once.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from collector.schema import Search, Vote

SQLITE_PREFIX = "sqlite:///"
POSTGRES_PREFIXES = ("postgresql://", "postgres://")
BUSY_TIMEOUT_MS = 30_000
MIGRATION_LOCK = 724_018_001  # any constant; PostgreSQL advisory lock id for migrations

# Each migration runs once, in order, in one transaction; never edit one that has shipped.
MIGRATIONS: tuple[tuple[int, str, tuple[str, ...]], ...] = (
    (
        1,
        "votes and zero-result searches",
        (
            """CREATE TABLE votes (
            id TEXT PRIMARY KEY,
            page TEXT NOT NULL,
            page_path TEXT NOT NULL,
            title TEXT NOT NULL,
            section TEXT NOT NULL,
            reviewed TEXT NOT NULL,
            helpful SMALLINT NOT NULL,
            reason TEXT,
            calculators TEXT NOT NULL,
            sent_at TEXT NOT NULL,
            received_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
            "CREATE INDEX votes_by_page ON votes (page_path)",
            """CREATE TABLE searches (
            query TEXT NOT NULL,
            day TEXT NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (query, day)
        )""",
        ),
    ),
)

CREATE_MIGRATIONS_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL
)
"""

UPSERT_VOTE = """
INSERT INTO votes (id, page, page_path, title, section, reviewed, helpful, reason, calculators,
                   sent_at, received_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET
    helpful = excluded.helpful, reason = excluded.reason, title = excluded.title,
    section = excluded.section, reviewed = excluded.reviewed,
    calculators = excluded.calculators, sent_at = excluded.sent_at,
    updated_at = excluded.received_at
WHERE excluded.page = votes.page AND excluded.sent_at >= votes.sent_at
"""

UPSERT_SEARCH = """
INSERT INTO searches (query, day, count) VALUES (?, ?, 1)
ON CONFLICT (query, day) DO UPDATE SET count = searches.count + 1
"""

COUNTS = """
SELECT page_path,
       SUM(CASE WHEN helpful = 1 THEN 1 ELSE 0 END),
       SUM(CASE WHEN helpful = 1 THEN 0 ELSE 1 END)
FROM votes GROUP BY page_path ORDER BY page_path
"""


class VoteConflict(ValueError):
    """A vote id already used on another page: ids are one per vote on one page view."""


class DatabaseUnavailable(RuntimeError):
    """The database could not be reached or stayed locked: the request may be retried."""


@dataclass(frozen=True)
class PageCount:
    helpful: int
    not_helpful: int


class _Dialect(Protocol):
    errors: tuple[type[BaseException], ...]

    def connect(self) -> Any: ...

    @contextmanager
    def write(self, connection: Any) -> Iterator[Any]: ...

    def sql(self, text: str) -> str: ...

    def lock_migrations(self, cursor: Any) -> None: ...


class _Sqlite:
    errors: tuple[type[BaseException], ...] = (sqlite3.Error,)

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._open() as first:
            first.execute("PRAGMA journal_mode=WAL")  # persistent: once for the file

    def _open(self) -> sqlite3.Connection:
        connection = sqlite3.connect(
            self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
        connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        connection.execute("PRAGMA synchronous=NORMAL")
        return connection

    def connect(self) -> sqlite3.Connection:
        return self._open()

    @contextmanager
    def write(self, connection: sqlite3.Connection) -> Iterator[sqlite3.Cursor]:
        cursor = connection.cursor()
        cursor.execute("BEGIN IMMEDIATE")  # take the write lock now: no deadlock on upgrade
        try:
            yield cursor
        except BaseException:
            connection.rollback()
            raise
        connection.commit()

    def sql(self, text: str) -> str:
        return text

    def lock_migrations(self, cursor: Any) -> None:
        pass  # BEGIN IMMEDIATE already serialises writers


class _Postgres:
    def __init__(self, url: str) -> None:
        import psycopg

        self.psycopg = psycopg
        self.url = url
        self.errors: tuple[type[BaseException], ...] = (psycopg.Error,)

    def connect(self) -> Any:
        return self.psycopg.connect(self.url, autocommit=True, connect_timeout=10)

    @contextmanager
    def write(self, connection: Any) -> Iterator[Any]:
        with connection.transaction(), connection.cursor() as cursor:
            yield cursor

    def sql(self, text: str) -> str:
        return text.replace("?", "%s")

    def lock_migrations(self, cursor: Any) -> None:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))


def describe_url(url: str) -> str:
    """The database URL without its password, for logs and errors."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        user = credentials.split(":", 1)[0]
        return f"{scheme}://{user}@{host}" if user else f"{scheme}://{host}"
    return url


class Store:
    """Votes, searches and what is read back from them. Safe to share between threads."""

    def __init__(self, url: str) -> None:
        self.url = url
        if url.startswith(SQLITE_PREFIX):
            path = url[len(SQLITE_PREFIX) :]
            if not path:
                raise ValueError("COLLECTOR_DATABASE: sqlite:/// needs a file path")
            self.dialect: _Dialect = _Sqlite(Path(path))
        elif url.startswith(POSTGRES_PREFIXES):
            self.dialect = _Postgres(url)
        else:
            raise ValueError(
                "COLLECTOR_DATABASE must be sqlite:///path or postgresql://…, "
                f"not {describe_url(url)!r}"
            )
        self._local = threading.local()
        self._connections: list[Any] = []
        self._lock = threading.Lock()

    # ---- connections and transactions ---------------------------------------------------------

    def _connection(self) -> Any:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            try:
                connection = self.dialect.connect()
            except self.dialect.errors as error:
                raise DatabaseUnavailable(f"{describe_url(self.url)}: {error}") from None
            self._local.connection = connection
            with self._lock:
                self._connections.append(connection)
        return connection

    def _forget_connection(self) -> None:
        connection = getattr(self._local, "connection", None)
        self._local.connection = None
        if connection is not None:
            with self._lock:
                if connection in self._connections:
                    self._connections.remove(connection)
            with suppress(*self.dialect.errors):
                connection.close()

    @contextmanager
    def _write(self) -> Iterator[Any]:
        try:
            with self.dialect.write(self._connection()) as cursor:
                yield cursor
        except self.dialect.errors as error:
            self._forget_connection()  # a broken connection is not reused
            raise DatabaseUnavailable(str(error)) from None

    def _read(self, text: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            cursor = self._connection().cursor()  # one statement: one consistent snapshot
            try:
                cursor.execute(self.dialect.sql(text), tuple(parameters))
                return [tuple(row) for row in cursor.fetchall()]
            finally:
                cursor.close()
        except self.dialect.errors as error:
            self._forget_connection()
            raise DatabaseUnavailable(str(error)) from None

    def close(self) -> None:
        with self._lock:
            connections, self._connections = self._connections, []
        for connection in connections:
            with suppress(*self.dialect.errors):
                connection.close()
        self._local = threading.local()

    # ---- migrations ---------------------------------------------------------------------------

    def migrate(self, *, now: str) -> list[int]:
        """Apply the migrations this database lacks; return the versions applied now."""
        applied_now: list[int] = []
        with self._write() as cursor:
            self.dialect.lock_migrations(cursor)
            cursor.execute(CREATE_MIGRATIONS_TABLE)
            cursor.execute("SELECT version FROM schema_migrations")
            applied = {row[0] for row in cursor.fetchall()}
            for version, name, statements in MIGRATIONS:
                if version in applied:
                    continue
                for statement in statements:
                    cursor.execute(statement)
                cursor.execute(
                    self.dialect.sql(
                        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"
                    ),
                    (version, name, now),
                )
                applied_now.append(version)
        return applied_now

    def schema_version(self) -> int:
        rows = self._read("SELECT MAX(version) FROM schema_migrations")
        return int(rows[0][0] or 0)

    # ---- writes -------------------------------------------------------------------------------

    def record_vote(self, vote: Vote, *, received_at: str) -> bool:
        """Store the vote, or replace the earlier answer with the same id. False when a later
        answer for this id is already stored (requests can arrive out of order)."""
        sql = self.dialect.sql
        with self._write() as cursor:
            cursor.execute(
                sql(UPSERT_VOTE),
                (
                    vote.id,
                    vote.page,
                    vote.page_path,
                    vote.title,
                    vote.section,
                    vote.reviewed,
                    int(vote.helpful),
                    vote.reason,
                    json.dumps(list(vote.calculators)),
                    vote.sent_at,
                    received_at,
                    received_at,
                ),
            )
            if cursor.rowcount == 1:
                return True
            cursor.execute(sql("SELECT page FROM votes WHERE id = ?"), (vote.id,))
            row = cursor.fetchone()
        if row is not None and row[0] != vote.page:
            raise VoteConflict("this vote id was already used on another page")
        return False

    def record_search(self, search: Search, *, day: str) -> None:
        with self._write() as cursor:
            cursor.execute(self.dialect.sql(UPSERT_SEARCH), (search.query, day))

    # ---- reads --------------------------------------------------------------------------------

    def counts(self) -> dict[str, PageCount]:
        return {str(path): PageCount(int(yes), int(no)) for path, yes, no in self._read(COUNTS)}

    def vote_total(self) -> int:
        return int(self._read("SELECT COUNT(*) FROM votes")[0][0])

    def articles(self) -> list[tuple[str, str, int, int]]:
        """(page path, latest title, helpful, not helpful) per page."""
        rows = self._read(
            "SELECT page_path, title, helpful FROM votes ORDER BY page_path, updated_at"
        )
        totals: dict[str, list[Any]] = {}
        for path, title, helpful in rows:
            entry = totals.setdefault(path, [title, 0, 0])
            entry[0] = title
            entry[1 if helpful else 2] += 1
        return [(path, title, yes, no) for path, (title, yes, no) in totals.items()]

    def reasons(self) -> list[tuple[str, str | None, int]]:
        """(page path, reason or None, votes) for every No."""
        return [
            (str(p), r, int(n))
            for p, r, n in self._read(
                "SELECT page_path, reason, COUNT(*) FROM votes WHERE helpful = 0 "
                "GROUP BY page_path, reason"
            )
        ]

    def days(self) -> list[tuple[str, str, bool, int]]:
        """(page path, day received, helpful, votes)."""
        return [
            (str(p), str(d), bool(h), int(n))
            for p, d, h, n in self._read(
                "SELECT page_path, substr(received_at, 1, 10), helpful, COUNT(*) FROM votes "
                "GROUP BY page_path, substr(received_at, 1, 10), helpful"
            )
        ]

    def searches(self, limit: int) -> list[tuple[str, int, str]]:
        """(query, times, last day) for the most frequent zero-result searches."""
        return [
            (str(q), int(n), str(d))
            for q, n, d in self._read(
                "SELECT query, SUM(count), MAX(day) FROM searches GROUP BY query "
                "ORDER BY SUM(count) DESC, query LIMIT ?",
                (limit,),
            )
        ]
