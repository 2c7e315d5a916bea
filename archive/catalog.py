"""The catalog: one SQLite row per document, its page texts, and the ledger of every file loaded."""
from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from archive.database import PgConnection, is_url, writing_transaction
from archive.metadata import DocumentMeta
from archive.pages import OcrState, PageRead
from archive.vocabulary import WITHDRAWN

# Each entry upgrades the schema by one version; never edit a shipped entry, append one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE documents (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        sha256 TEXT NOT NULL UNIQUE,
        filename TEXT NOT NULL,
        source_path TEXT NOT NULL DEFAULT '',
        mime TEXT NOT NULL,
        size INTEGER NOT NULL,
        pages INTEGER NOT NULL,
        text_pages INTEGER NOT NULL,
        title TEXT NOT NULL,
        doc_type TEXT NOT NULL,
        year INTEGER,
        date TEXT,
        division TEXT NOT NULL,
        access TEXT NOT NULL,
        added_at TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending'
    );
    CREATE TABLE pages (
        doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        page_no INTEGER NOT NULL,
        text TEXT NOT NULL,
        PRIMARY KEY (doc_id, page_no)
    );
    CREATE TABLE files (
        path TEXT PRIMARY KEY,
        size INTEGER,
        mtime_ns INTEGER,
        sha256 TEXT,
        outcome TEXT NOT NULL,
        reason TEXT NOT NULL DEFAULT '',
        detail TEXT NOT NULL DEFAULT '',
        doc_id INTEGER,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX documents_status ON documents(status);
    CREATE INDEX files_outcome ON files(outcome);
    """,
    """
    ALTER TABLE documents ADD COLUMN withdrawn_at TEXT;
    CREATE TABLE users (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        role TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        password_changed_at TEXT NOT NULL
    );
    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        doc_id INTEGER,
        subject TEXT NOT NULL DEFAULT '',
        changes TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX audit_log_doc ON audit_log(doc_id);
    CREATE TABLE login_failures (
        key TEXT NOT NULL,
        at REAL NOT NULL
    );
    CREATE INDEX login_failures_key ON login_failures(key, at);
    """,
    """
    ALTER TABLE pages ADD COLUMN engine TEXT NOT NULL DEFAULT '';
    ALTER TABLE pages ADD COLUMN ocr TEXT NOT NULL DEFAULT '';
    ALTER TABLE pages ADD COLUMN language TEXT NOT NULL DEFAULT '';
    ALTER TABLE pages ADD COLUMN confidence REAL;
    ALTER TABLE pages ADD COLUMN note TEXT NOT NULL DEFAULT '';
    CREATE INDEX pages_ocr ON pages(ocr, doc_id);
    """,
    """
    ALTER TABLE documents ADD COLUMN changed INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX documents_changed ON documents(changed);
    """,
    """
    CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        seen_at REAL NOT NULL
    );
    CREATE INDEX sessions_user ON sessions(user_id);
    """,
    # Accounts by the thousand: an e-mail address, disabling, a personal feed key, one-time links
    # (invitations and password resets, kept as hashes) and the mail waiting to be sent.
    """
    ALTER TABLE users ADD COLUMN email TEXT COLLATE NOCASE;
    ALTER TABLE users ADD COLUMN disabled_at TEXT;
    ALTER TABLE users ADD COLUMN feed_key TEXT;
    CREATE UNIQUE INDEX users_email ON users(email);
    CREATE TABLE account_links (
        token_hash TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        purpose TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at REAL NOT NULL,
        used_at TEXT
    );
    CREATE INDEX account_links_user ON account_links(user_id, purpose);
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        purpose TEXT NOT NULL,
        valid_seconds INTEGER NOT NULL,
        queued_at TEXT NOT NULL,
        queued_by TEXT NOT NULL,
        sent_at TEXT,
        failed_at TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX outbox_waiting ON outbox(sent_at, failed_at, id);
    """,
    # Search nodes follow the change sequence: one counter (its next value is taken inside the writing
    # transaction), and a tombstone for each deleted document so that a follower drops it too.
    """
    CREATE TABLE change_counter (last INTEGER NOT NULL);
    INSERT INTO change_counter (last) SELECT COALESCE(MAX(changed), 0) FROM documents;
    CREATE TABLE tombstones (
        doc_id INTEGER PRIMARY KEY,
        changed INTEGER NOT NULL
    );
    CREATE INDEX tombstones_changed ON tombstones(changed);
    """,
)

# The same schema on PostgreSQL, from its first version: SQLite's shape after its migrations, in
# PostgreSQL's types (citext where SQLite compares without case). Append here too when appending above.
PG_MIGRATIONS: tuple[str, ...] = (
    """
    CREATE EXTENSION IF NOT EXISTS citext;
    CREATE TABLE documents (
        id BIGSERIAL PRIMARY KEY,
        sha256 TEXT NOT NULL UNIQUE,
        filename TEXT NOT NULL,
        source_path TEXT NOT NULL DEFAULT '',
        mime TEXT NOT NULL,
        size BIGINT NOT NULL,
        pages INTEGER NOT NULL,
        text_pages INTEGER NOT NULL,
        title TEXT NOT NULL,
        doc_type TEXT NOT NULL,
        year INTEGER,
        date TEXT,
        division TEXT NOT NULL,
        access TEXT NOT NULL,
        added_at TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending',
        withdrawn_at TEXT,
        changed BIGINT NOT NULL DEFAULT 0
    );
    CREATE INDEX documents_status ON documents(status);
    CREATE INDEX documents_changed ON documents(changed);
    CREATE TABLE pages (
        doc_id BIGINT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        page_no INTEGER NOT NULL,
        text TEXT NOT NULL,
        engine TEXT NOT NULL DEFAULT '',
        ocr TEXT NOT NULL DEFAULT '',
        language TEXT NOT NULL DEFAULT '',
        confidence DOUBLE PRECISION,
        note TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (doc_id, page_no)
    );
    CREATE INDEX pages_ocr ON pages(ocr, doc_id);
    CREATE TABLE files (
        path TEXT PRIMARY KEY,
        size BIGINT,
        mtime_ns BIGINT,
        sha256 TEXT,
        outcome TEXT NOT NULL,
        reason TEXT NOT NULL DEFAULT '',
        detail TEXT NOT NULL DEFAULT '',
        doc_id BIGINT,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX files_outcome ON files(outcome);
    CREATE TABLE users (
        id BIGSERIAL PRIMARY KEY,
        name CITEXT NOT NULL UNIQUE,
        role TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        password_changed_at TEXT NOT NULL,
        email CITEXT UNIQUE,
        disabled_at TEXT,
        feed_key TEXT
    );
    CREATE TABLE audit_log (
        id BIGSERIAL PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        doc_id BIGINT,
        subject TEXT NOT NULL DEFAULT '',
        changes TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX audit_log_doc ON audit_log(doc_id);
    CREATE TABLE login_failures (
        rowid BIGSERIAL PRIMARY KEY,
        key TEXT NOT NULL,
        at DOUBLE PRECISION NOT NULL
    );
    CREATE INDEX login_failures_key ON login_failures(key, at);
    CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        seen_at DOUBLE PRECISION NOT NULL
    );
    CREATE INDEX sessions_user ON sessions(user_id);
    CREATE TABLE account_links (
        token_hash TEXT PRIMARY KEY,
        user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        purpose TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at DOUBLE PRECISION NOT NULL,
        used_at TEXT
    );
    CREATE INDEX account_links_user ON account_links(user_id, purpose);
    CREATE TABLE outbox (
        id BIGSERIAL PRIMARY KEY,
        user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        purpose TEXT NOT NULL,
        valid_seconds INTEGER NOT NULL,
        queued_at TEXT NOT NULL,
        queued_by TEXT NOT NULL,
        sent_at TEXT,
        failed_at TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX outbox_waiting ON outbox(sent_at, failed_at, id);
    CREATE TABLE change_counter (last BIGINT NOT NULL);
    INSERT INTO change_counter (last) VALUES (0);
    CREATE TABLE tombstones (
        doc_id BIGINT PRIMARY KEY,
        changed BIGINT NOT NULL
    );
    CREATE INDEX tombstones_changed ON tombstones(changed);
    CREATE TABLE lock_holders (
        name TEXT PRIMARY KEY,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        what TEXT NOT NULL,
        command TEXT NOT NULL,
        started DOUBLE PRECISION NOT NULL
    );
    """,
)


_CURRENT_DATABASES: set[str] = set()  # PostgreSQL URLs this process found at the newest schema


class CatalogError(ValueError):
    """A value the catalog refuses (unknown type, impossible year, ...)."""


@dataclass(frozen=True)
class Document:
    id: int
    sha256: str
    filename: str
    source_path: str
    mime: str
    size: int
    pages: int
    text_pages: int
    title: str
    doc_type: str
    year: int | None
    date: str | None
    division: str
    access: str
    added_at: str
    status: str
    withdrawn_at: str | None = None

    @property
    def meta(self) -> DocumentMeta:
        return DocumentMeta(self.title, self.doc_type, self.year, self.date, self.division, self.access)

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def visibility(self) -> str:
        """The level that decides who sees it: its access level, or `withdrawn` (staff only)."""
        return WITHDRAWN if self.withdrawn else self.access


@dataclass(frozen=True)
class FileRecord:
    """What happened to one source file the last time it was loaded."""

    path: str
    size: int | None
    mtime_ns: int | None
    sha256: str | None
    outcome: str  # loaded | duplicate | failed
    reason: str
    detail: str
    doc_id: int | None
    updated_at: str


_DOC_COLUMNS = ", ".join(f.name for f in fields(Document))
_FILE_COLUMNS = ", ".join(f.name for f in fields(FileRecord))


_READ_COLUMNS = "engine, ocr, language, confidence, note"


def _read_values(read: PageRead) -> tuple:
    return (read.engine, str(read.ocr), read.language, read.confidence, read.note)


def _read(row: Sequence) -> PageRead:
    engine, ocr, language, confidence, note = row
    return PageRead(engine, OcrState(ocr), language, confidence, note)


def _next_change(db) -> int:
    """The next number of the change sequence, taken inside the caller's writing transaction.

    The counter's one row stays locked until that transaction ends (on PostgreSQL by the row lock, on SQLite
    by BEGIN IMMEDIATE), so a number is never given out while a smaller one may still commit: numbers
    become visible in order, and a follower that has seen n has seen every change up to n.
    """
    return db.execute("UPDATE change_counter SET last = last + 1 RETURNING last").fetchone()[0]


def _mark_changed(db, doc_id: int) -> None:
    """Give the document the next number of the change sequence (inside the caller's transaction)."""
    db.execute("UPDATE documents SET changed = ? WHERE id = ?", (_next_change(db), doc_id))


@dataclass(frozen=True)
class Change:
    """One entry of the change sequence after a given number: a document to (re)index, or a tombstone."""

    doc_id: int
    number: int
    deleted: bool


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Catalog:
    """A connection to the catalog; use one per thread, close it when done.

    `target` is the SQLite file (the embedded default) or a `postgresql://` URL (`archive.database`).
    """

    def __init__(self, target: Path | str, readonly: bool = False) -> None:
        if is_url(target):
            self.path: Path | str = str(target)
            self.db = PgConnection(self.path)
            self._migrate_postgres()  # even for a preflight: an empty database gets its (empty) tables first
            if readonly:
                self.db.execute("SET default_transaction_read_only = on")
            return
        self.path = Path(target)
        if readonly:
            # A preflight must not change a byte of the data folder; even a read-only WAL reader creates
            # -shm/-wal files, so the file is opened as immutable (a load running meanwhile is not seen).
            uri = f"{self.path.resolve().as_uri()}?mode=ro&immutable=1"
            self.db = sqlite3.connect(uri, uri=True, isolation_level=None)
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self._migrate()

    @property
    def on_postgres(self) -> bool:
        return isinstance(self.db, PgConnection)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Catalog":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        if self.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS):
            return  # the common case takes no write lock
        with self.transaction():
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in filter(str.strip, script.split(";")):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {number}")

    def _migrate_postgres(self) -> None:
        """PG_MIGRATIONS not yet applied, under the one-writer lock; the version is kept in a table.

        The web opens a connection per request: a database this process has seen up to date is not asked again.
        """
        if self.path in _CURRENT_DATABASES:
            return
        if self._pg_version() == len(PG_MIGRATIONS):
            _CURRENT_DATABASES.add(self.path)
            return
        with self.transaction():
            self.db.execute("CREATE TABLE IF NOT EXISTS archive_schema (version INTEGER NOT NULL)")
            version = self._pg_version()
            if self.db.execute("SELECT COUNT(*) FROM archive_schema").fetchone()[0] == 0:
                self.db.execute("INSERT INTO archive_schema (version) VALUES (0)")
            for number, script in enumerate(PG_MIGRATIONS[version:], start=version + 1):
                for statement in filter(str.strip, script.split(";")):
                    self.db.execute(statement)
                self.db.execute("UPDATE archive_schema SET version = ?", (number,))

    def _pg_version(self) -> int:
        if self.db.execute("SELECT to_regclass('archive_schema') IS NULL").fetchone()[0]:
            return 0
        row = self.db.execute("SELECT version FROM archive_schema").fetchone()
        return row[0] if row else 0

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One unit of work: commits if the block finishes, rolls back if it raises."""
        if self.db.in_transaction:
            yield self.db
            return
        with writing_transaction(self.db) as db:
            yield db

    # -- documents -------------------------------------------------------
    def add_document(self, *, sha256: str, filename: str, source_path: str, mime: str, size: int,
                     pages: Sequence[str], meta: DocumentMeta, reads: Sequence[PageRead] = ()) -> int:
        """Insert a document, its page texts and how each was read, in one transaction; returns its id
        (status pending)."""
        meta.validated()
        text_pages = sum(1 for page in pages if page.strip())
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT INTO documents (sha256, filename, source_path, mime, size, pages, text_pages,"
                " title, doc_type, year, date, division, access, added_at)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (sha256, filename, source_path, mime, size, len(pages), text_pages, meta.title,
                 meta.doc_type, meta.year, meta.date, meta.division, meta.access, utc_now()),
            )
            doc_id = int(cursor.lastrowid)
            _mark_changed(db, doc_id)
            reads = reads or [PageRead()] * len(pages)
            db.executemany(f"INSERT INTO pages (doc_id, page_no, text, {_READ_COLUMNS}) VALUES (?,?,?,?,?,?,?,?)",
                           ((doc_id, number, text, *_read_values(read))
                            for number, (text, read) in enumerate(zip(pages, reads), start=1)))
        return doc_id

    def get(self, doc_id: int) -> Document | None:
        row = self.db.execute(f"SELECT {_DOC_COLUMNS} FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return Document(*row) if row else None

    def get_many(self, ids: Iterable[int]) -> dict[int, Document]:
        """Documents by id for a page of hits, in one query."""
        wanted = list(ids)
        if not wanted:
            return {}
        marks = ",".join("?" * len(wanted))
        rows = self.db.execute(f"SELECT {_DOC_COLUMNS} FROM documents WHERE id IN ({marks})", wanted)
        return {row[0]: Document(*row) for row in rows}

    def find_by_sha(self, sha256: str) -> Document | None:
        row = self.db.execute(f"SELECT {_DOC_COLUMNS} FROM documents WHERE sha256 = ?", (sha256,)).fetchone()
        return Document(*row) if row else None

    def iter_documents(self, status: str | None = None) -> Iterator[Document]:
        """Every document (optionally of one status), oldest id first."""
        sql = f"SELECT {_DOC_COLUMNS} FROM documents"
        args: tuple = ()
        if status:
            sql, args = sql + " WHERE status = ?", (status,)
        for row in self.db.execute(sql + " ORDER BY id", args).fetchall():
            yield Document(*row)

    def count(self, status: str | None = None) -> int:
        if status:
            return self.db.execute("SELECT COUNT(*) FROM documents WHERE status = ?", (status,)).fetchone()[0]
        return self.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]

    def mark_indexed(self, ids: Iterable[int]) -> None:
        with self.transaction() as db:
            db.executemany("UPDATE documents SET status = 'indexed' WHERE id = ?", ((i,) for i in ids))

    def last_change(self) -> int:
        """The newest committed number of the change sequence: every insert, change or deletion of a
        document takes the next one."""
        return self.db.execute("SELECT last FROM change_counter").fetchone()[0]

    def changes_after(self, change: int, limit: int = 1000) -> list[Change]:
        """The next `limit` entries of the change sequence after `change`, in order: documents inserted or
        changed (at their latest number) and tombstones of deleted ones. One statement, so one snapshot:
        numbers commit in order (`_next_change`), so nothing below the last one returned is still to come."""
        rows = self.db.execute(
            "SELECT id, changed, 0 FROM documents WHERE changed > ?"
            " UNION ALL SELECT doc_id, changed, 1 FROM tombstones WHERE changed > ?"
            " ORDER BY 2 LIMIT ?", (change, change, limit))
        return [Change(doc_id, number, bool(deleted)) for doc_id, number, deleted in rows]

    def changed_after(self, change: int) -> list[Document]:
        """Documents inserted or changed after `change` (a rebuild catches up with these before its swap)."""
        rows = self.db.execute(f"SELECT {_DOC_COLUMNS} FROM documents WHERE changed > ? ORDER BY id", (change,))
        return [Document(*row) for row in rows]

    def document_ids(self) -> set[int]:
        return {doc_id for (doc_id,) in self.db.execute("SELECT id FROM documents")}

    def mark_all_pending(self) -> None:
        """Flag every document for indexing again (a rebuild in progress)."""
        with self.transaction() as db:
            db.execute("UPDATE documents SET status = 'pending'")

    def update_meta(self, doc_id: int, meta: DocumentMeta) -> None:
        meta.validated()
        with self.transaction() as db:
            db.execute(
                "UPDATE documents SET title=?, doc_type=?, year=?, date=?, division=?, access=?,"
                " status='pending' WHERE id=?",
                (meta.title, meta.doc_type, meta.year, meta.date, meta.division, meta.access, doc_id))
            _mark_changed(db, doc_id)

    def set_withdrawn(self, doc_id: int, withdrawn: bool) -> None:
        """Withdraw a document (hidden from all but staff, kept in the store) or restore it; index pending."""
        with self.transaction() as db:
            db.execute("UPDATE documents SET withdrawn_at=?, status='pending' WHERE id=?",
                       (utc_now() if withdrawn else None, doc_id))
            _mark_changed(db, doc_id)

    def set_source(self, doc_id: int, source_path: str) -> None:
        """Say where a document came from when it was not a file on disk (a web upload)."""
        with self.transaction() as db:
            db.execute("UPDATE documents SET source_path=? WHERE id=?", (source_path, doc_id))

    def forget_file(self, path: str) -> None:
        """Drop one path from the file ledger (an uploaded temporary file that will never be re-run)."""
        with self.transaction() as db:
            db.execute("DELETE FROM files WHERE path = ?", (path,))

    def delete(self, doc_id: int) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM pages WHERE doc_id = ?", (doc_id,))
            db.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
            db.execute("UPDATE files SET doc_id = NULL WHERE doc_id = ?", (doc_id,))
            # The tombstone tells every search node following the change sequence to drop it too.
            db.execute("DELETE FROM tombstones WHERE doc_id = ?", (doc_id,))
            db.execute("INSERT INTO tombstones (doc_id, changed) VALUES (?, ?)", (doc_id, _next_change(db)))

    # -- pages -----------------------------------------------------------
    def page_texts(self, doc_id: int, page_nos: Iterable[int] | None = None) -> list[tuple[int, str]]:
        """(page number, text) pairs of a document, in page order."""
        if page_nos is None:
            rows = self.db.execute(
                "SELECT page_no, text FROM pages WHERE doc_id = ? ORDER BY page_no", (doc_id,))
            return rows.fetchall()
        wanted = sorted(set(page_nos))
        marks = ",".join("?" * len(wanted))
        rows = self.db.execute(
            f"SELECT page_no, text FROM pages WHERE doc_id = ? AND page_no IN ({marks}) ORDER BY page_no",
            (doc_id, *wanted))
        return rows.fetchall()

    def pages_of_many(self, ids: Iterable[int]) -> dict[int, list[tuple[int, str]]]:
        """Page texts of several documents in one query, for the hits on one results page."""
        wanted = list(ids)
        found: dict[int, list[tuple[int, str]]] = {doc_id: [] for doc_id in wanted}
        if not wanted:
            return found
        marks = ",".join("?" * len(wanted))
        rows = self.db.execute(
            f"SELECT doc_id, page_no, text FROM pages WHERE doc_id IN ({marks}) ORDER BY doc_id, page_no",
            wanted)
        for doc_id, page_no, text in rows:
            found[doc_id].append((page_no, text))
        return found

    def page_reads(self, doc_id: int) -> list[tuple[int, PageRead]]:
        """(page number, how its text was read) for every page of a document."""
        rows = self.db.execute(f"SELECT page_no, {_READ_COLUMNS} FROM pages WHERE doc_id = ? ORDER BY page_no",
                               (doc_id,))
        return [(number, _read(row)) for number, *row in rows]

    def set_page_text(self, doc_id: int, page_no: int, text: str, read: PageRead) -> None:
        """Replace one page's text (read by OCR) and how it was read; the document is indexed again."""
        with self.transaction() as db:
            db.execute(f"UPDATE pages SET text = ?, ({_READ_COLUMNS}) = (?,?,?,?,?) WHERE doc_id = ? AND page_no = ?",
                       (text, *_read_values(read), doc_id, page_no))
            db.execute("UPDATE documents SET status = 'pending', text_pages ="
                       " (SELECT COUNT(*) FROM pages WHERE doc_id = ? AND trim(text) <> '') WHERE id = ?",
                       (doc_id, doc_id))
            _mark_changed(db, doc_id)

    def documents_to_ocr(self, mime: str, states: Sequence[OcrState]) -> list[int]:
        """Documents of this type with a page in one of these OCR states (pages without text when UNKNOWN)."""
        marks = ",".join("?" * len(states))
        rows = self.db.execute(
            "SELECT DISTINCT p.doc_id FROM pages p JOIN documents d ON d.id = p.doc_id"
            f" WHERE d.mime = ? AND p.ocr IN ({marks}) AND (p.ocr <> '' OR trim(p.text) = '') ORDER BY p.doc_id",
            (mime, *states))
        return [doc_id for (doc_id,) in rows]

    def page_state_counts(self) -> dict[str, int]:
        """Pages by how their text stands: text layer, read by OCR, waiting for OCR, OCR failed, no text."""
        rows = self.db.execute(
            "SELECT CASE WHEN ocr = 'done' THEN 'read by OCR' WHEN ocr = 'pending' THEN 'waiting for OCR'"
            " WHEN ocr = 'failed' THEN 'OCR failed' WHEN trim(text) <> '' THEN 'text layer'"
            " ELSE 'no text' END, COUNT(*) FROM pages GROUP BY 1")
        return dict(rows.fetchall())

    # -- the file ledger -------------------------------------------------
    def record_file(self, path: str, outcome: str, *, size: int | None = None, mtime_ns: int | None = None,
                    sha256: str | None = None, reason: str = "", detail: str = "",
                    doc_id: int | None = None) -> None:
        """Remember the outcome of loading one source file (the latest outcome wins)."""
        with self.transaction() as db:
            db.execute(
                f"INSERT INTO files ({_FILE_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT (path) DO UPDATE SET "
                + ", ".join(f"{name} = excluded.{name}" for name in _FILE_COLUMNS.split(", ")[1:]),
                (path, size, mtime_ns, sha256, outcome, reason, detail, doc_id, utc_now()))

    def update_file_stat(self, path: str, size: int, mtime_ns: int) -> None:
        """A file was touched but its content is the same: remember its new size and time."""
        with self.transaction() as db:
            db.execute("UPDATE files SET size = ?, mtime_ns = ?, updated_at = ? WHERE path = ?",
                       (size, mtime_ns, utc_now(), path))

    def all_files(self) -> Iterator[FileRecord]:
        """Every file in the ledger, by path."""
        for row in self.db.execute(f"SELECT {_FILE_COLUMNS} FROM files ORDER BY path"):
            yield FileRecord(*row)

    def file_record(self, path: str) -> FileRecord | None:
        row = self.db.execute(f"SELECT {_FILE_COLUMNS} FROM files WHERE path = ?", (path,)).fetchone()
        return FileRecord(*row) if row else None

    def failed_files(self) -> list[FileRecord]:
        rows = self.db.execute(f"SELECT {_FILE_COLUMNS} FROM files WHERE outcome = 'failed' ORDER BY path")
        return [FileRecord(*row) for row in rows]

    # -- summaries -------------------------------------------------------
    def counts_by(self, column: str) -> list[tuple[object, int]]:
        """Document counts grouped by one metadata column, most common first."""
        if column not in {"doc_type", "year", "division", "access", "status", "mime"}:
            raise CatalogError(f"cannot group by {column!r}")
        rows = self.db.execute(
            f"SELECT {column}, COUNT(*) FROM documents GROUP BY {column} ORDER BY COUNT(*) DESC, {column}")
        return rows.fetchall()

    def outcome_counts(self) -> dict[str, int]:
        rows = self.db.execute("SELECT outcome, COUNT(*) FROM files GROUP BY outcome")
        return dict(rows.fetchall())
