"""Moving up: an embedded SQLite catalog copied whole into an empty PostgreSQL database, then counted.

Every table is copied with its ids (documents keep their numbers, so links, the store and the audit log still
agree), the change counter is carried over, and each generated key's sequence is set past the highest id.
The copy is read from one SQLite snapshot and written in one PostgreSQL transaction: it lands whole or not at all.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from archive.catalog import Catalog
from archive.database import redacted

# In an order that satisfies the foreign keys; lock_holders is a live thing, never copied.
TABLES = ("documents", "pages", "files", "users", "audit_log", "login_failures", "sessions", "account_links",
          "outbox", "tombstones")
GENERATED = {"documents": "id", "users": "id", "audit_log": "id", "outbox": "id", "login_failures": "rowid"}
BATCH = 1000


class CatalogCopyError(RuntimeError):
    """The copy cannot be made (no catalog, a database that is not empty); nothing was written."""


@dataclass(frozen=True)
class TableCount:
    table: str
    source: int
    copied: int

    @property
    def agrees(self) -> bool:
        return self.source == self.copied


def copy_catalog(source: Path, url: str) -> list[TableCount]:
    """Copy the SQLite catalog at `source` into the empty PostgreSQL database at `url`; the counts per table."""
    if not Path(source).is_file():
        raise CatalogCopyError(f"there is no SQLite catalog at {source} to copy")
    with Catalog(source) as sqlite, Catalog(url) as postgres:  # both at their newest schema
        filled = [table for table in TABLES if _count(postgres, table)]
        if filled:
            raise CatalogCopyError(f"the database {redacted(url)} is not empty ({', '.join(filled)} have rows): "
                                   "copy into a new, empty database; nothing was written")
        sqlite.db.execute("BEGIN")  # one read snapshot: a load writing meanwhile is not half seen
        try:
            with postgres.transaction():
                for table in TABLES:
                    _copy_table(sqlite, postgres, table)
                postgres.db.execute("UPDATE change_counter SET last = ?", (sqlite.last_change(),))
                for table, key in GENERATED.items():
                    postgres.db.execute(f"SELECT setval(pg_get_serial_sequence('{table}', '{key}'),"
                                        f" COALESCE(MAX({key}), 0) + 1, false) FROM {table}")
            return [TableCount(table, _count(sqlite, table), _count(postgres, table)) for table in TABLES]
        finally:
            sqlite.db.execute("COMMIT")


def _copy_table(sqlite: Catalog, postgres: Catalog, table: str) -> None:
    columns = [row[1] for row in sqlite.db.execute(f"PRAGMA table_info({table})")]
    if table == "login_failures":
        columns.insert(0, "rowid")  # SQLite's implicit key is a column of its own on PostgreSQL
    names = ", ".join(columns)
    insert = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"
    rows = sqlite.db.execute(f"SELECT {names} FROM {table}")
    while chunk := rows.fetchmany(BATCH):
        postgres.db.executemany(insert, chunk)


def _count(catalog: Catalog, table: str) -> int:
    return catalog.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
