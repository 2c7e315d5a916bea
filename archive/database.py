"""The catalog's database: SQLite (embedded, the default) or PostgreSQL, behind one small interface.

The catalog's SQL is written once, in the common subset of both dialects with SQLite's `?` placeholders.
On SQLite it runs as it is, through the standard library. On PostgreSQL (psycopg 3) `PgConnection` offers the
few methods of `sqlite3.Connection` the catalog uses and rewrites each statement once (cached): placeholders
become `%s`, `COLLATE NOCASE` is dropped (names and addresses are `citext` there), and an INSERT into a table
with a generated key gets `RETURNING` so that `lastrowid` works.
"""
from __future__ import annotations

import functools
import re
import sqlite3
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Sequence
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    import psycopg

URL_ENV = "ARCHIVE_CATALOG_URL"
SCHEMES = ("postgresql", "postgres")
CONNECT_SECONDS = 5
# Every writing transaction takes this transaction-level advisory lock first: one writer at a time, as
# SQLite's BEGIN IMMEDIATE gives, so checks-then-writes (an account name free, sign-in attempts counted
# before the slow hash) mean the same on both backends. It ends with the transaction, whatever happens.
WRITE_LOCK_KEY = 0x61726368  # "arch"
# Tables whose INSERT returns the generated key, and that key's column.
_GENERATED_KEYS = {"documents": "id", "users": "id", "audit_log": "id", "outbox": "id", "login_failures": "rowid"}

# psycopg is imported when a PostgreSQL catalog is opened (`PgConnection`), not with this module: every
# `archive` command imports it, and a load into a SQLite catalog has no use for psycopg's ~0.13 s of start-up.
# Until it is imported no psycopg error can be raised, so the errors to catch are asked for when catching.


def integrity_errors() -> tuple[type[Exception], ...]:
    """A broken constraint (a duplicate key), on either backend."""
    psycopg = sys.modules.get("psycopg")
    return (sqlite3.IntegrityError,) if psycopg is None else (sqlite3.IntegrityError, psycopg.IntegrityError)


def database_errors() -> tuple[type[Exception], ...]:
    """Any error of the catalog's database, on either backend."""
    psycopg = sys.modules.get("psycopg")
    return (sqlite3.Error,) if psycopg is None else (sqlite3.Error, psycopg.Error)


def connection_lost_errors() -> tuple[type[Exception], ...]:
    """A lost or unreachable server: the pages answer 503 and the next request connects again. (Imports
    psycopg: the web app registers its handlers before any catalog is opened.)"""
    import psycopg

    return (psycopg.OperationalError,)


class CatalogUnavailable(RuntimeError):
    """The catalog's database cannot be reached; the message says which and why, without the password."""


def is_url(target: str | Path) -> bool:
    return isinstance(target, str) and urlsplit(target).scheme in SCHEMES


def check_url(url: str) -> str:
    """A PostgreSQL URL as given, or a ValueError saying what a usable one looks like."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES or not (parts.hostname or "host=" in parts.query) or not parts.path.strip("/"):
        raise ValueError(f"{redacted(url)!r} is not a catalog URL like postgresql://USER@HOST:5432/DATABASE")
    return url


def redacted(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{netloc[-1]}"))


@functools.lru_cache(maxsize=512)
def to_postgres(sql: str) -> tuple[str, bool]:
    """One statement of the catalog's SQL in PostgreSQL's dialect, and whether RETURNING the key was added."""
    sql = sql.replace("%", "%%").replace("?", "%s").replace(" COLLATE NOCASE", "")
    match = re.match(r"\s*INSERT INTO (\w+)", sql)
    if match and match.group(1) in _GENERATED_KEYS and "RETURNING" not in sql:
        return f"{sql} RETURNING {_GENERATED_KEYS[match.group(1)]}", True
    return sql, False


class _Result:
    """What `execute` answers: rows to fetch or iterate, and `lastrowid` after an INSERT."""

    def __init__(self, cursor: psycopg.Cursor, returning: bool) -> None:
        self._cursor = cursor
        self.rowcount = cursor.rowcount
        self.lastrowid = cursor.fetchone()[0] if returning else None

    def fetchone(self) -> tuple | None:
        return self._cursor.fetchone()

    def fetchall(self) -> list[tuple]:
        return self._cursor.fetchall()

    def __iter__(self) -> Iterator[tuple]:
        return iter(self._cursor)


class PgConnection:
    """A psycopg 3 connection with the sqlite3.Connection methods the catalog uses (autocommit outside
    the catalog's own BEGIN ... COMMIT, as SQLite's isolation_level=None)."""

    def __init__(self, url: str) -> None:
        import psycopg

        try:
            self.raw = psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_SECONDS,
                                       application_name="archive")
        except psycopg.Error as exc:
            reason = " ".join(str(exc).split())[:300]
            raise CatalogUnavailable(f"cannot reach the catalog database {redacted(url)}: {reason}") from None

    @property
    def in_transaction(self) -> bool:
        from psycopg import pq

        return self.raw.info.transaction_status != pq.TransactionStatus.IDLE

    def execute(self, sql: str, params: Sequence[Any] = ()) -> _Result:
        statement, returning = to_postgres(sql)
        return _Result(self.raw.execute(statement, tuple(params)), returning)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        statement, returning = to_postgres(sql)
        if returning:  # no key is wanted back from many rows
            statement = statement[:statement.rindex(" RETURNING ")]
        with self.raw.cursor() as cursor:
            cursor.executemany(statement, list(rows))

    def begin_writing(self) -> None:
        self.raw.execute("BEGIN")
        self.raw.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK_KEY,))

    def close(self) -> None:
        self.raw.close()


@contextmanager
def writing_transaction(db: sqlite3.Connection | PgConnection) -> Iterator[Any]:
    """BEGIN IMMEDIATE on SQLite, BEGIN plus the one-writer lock on PostgreSQL; COMMIT or ROLLBACK."""
    if isinstance(db, PgConnection):
        db.begin_writing()
    else:
        db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
