import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from archive import accounts
from archive.database import integrity_errors
from archive.catalog import MIGRATIONS, Catalog, CatalogError
from archive.metadata import DocumentMeta, MetadataError

META = DocumentMeta("2019 Financial Audit", "financial_audit", 2019, None, "Federation-wide", "members")


def add(catalog: Catalog, sha: str = "a" * 64, pages=("page one", "page two"), meta=META) -> int:
    return catalog.add_document(sha256=sha, filename="audit.pdf", source_path="/in/audit.pdf",
                                mime="application/pdf", size=123, pages=list(pages), meta=meta)


def test_a_document_and_its_pages_round_trip(catalog_target):
    with Catalog(catalog_target) as catalog:
        doc_id = add(catalog, pages=("first page", "", "third page"))
        doc = catalog.get(doc_id)
        assert (doc.title, doc.doc_type, doc.year, doc.pages, doc.text_pages) == (
            "2019 Financial Audit", "financial_audit", 2019, 3, 2)
        assert doc.status == "pending"
        assert catalog.page_texts(doc_id) == [(1, "first page"), (2, ""), (3, "third page")]
        assert catalog.page_texts(doc_id, [3]) == [(3, "third page")]


def test_the_same_sha256_cannot_be_catalogued_twice(catalog_target):
    with Catalog(catalog_target) as catalog:
        add(catalog)
        with pytest.raises(integrity_errors()):
            add(catalog)
        assert catalog.count() == 1
        assert catalog.db.execute("SELECT COUNT(*) FROM pages").fetchone()[0] == 2


@pytest.mark.parametrize("field,value,message", [
    ("doc_type", "memo", "unknown document type"),
    ("division", "Pilots", "unknown division"),
    ("access", "secret", "unknown access level"),
    ("year", 20019, "not a year between 1900 and 2100"),
    ("date", "03/04/2020", "YYYY-MM-DD"),
    ("title", "  ", "title is empty"),
])
def test_bad_metadata_is_refused_with_the_reason(catalog_target, field, value, message):
    bad = DocumentMeta(**{**META.__dict__, field: value})
    with Catalog(catalog_target) as catalog:
        with pytest.raises(MetadataError, match=message):
            add(catalog, meta=bad)
        assert catalog.count() == 0


def test_a_failed_transaction_leaves_nothing(catalog_target):
    with Catalog(catalog_target) as catalog:
        with pytest.raises(RuntimeError):
            with catalog.transaction():
                add(catalog)
                raise RuntimeError("crash mid-load")
        assert catalog.count() == 0


def test_reopening_keeps_the_schema_version(tmp_path: Path):
    Catalog(tmp_path / "c.sqlite3").close()
    with Catalog(tmp_path / "c.sqlite3") as catalog:
        assert catalog.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_status_mark_indexed_and_counts(catalog_target):
    with Catalog(catalog_target) as catalog:
        first = add(catalog, "a" * 64)
        add(catalog, "b" * 64, meta=DocumentMeta("Statement", "press_statement", 2021, "2021-03-03", "PSRP", "public"))
        catalog.mark_indexed([first])
        assert [d.id for d in catalog.iter_documents(status="pending")] == [first + 1]
        assert dict(catalog.counts_by("doc_type")) == {"financial_audit": 1, "press_statement": 1}
        with pytest.raises(CatalogError):
            catalog.counts_by("sha256; DROP TABLE documents")


def test_the_file_ledger_keeps_the_latest_outcome(catalog_target):
    with Catalog(catalog_target) as catalog:
        catalog.record_file("/in/x.pdf", "failed", reason="corrupt", detail="truncated")
        assert [r.path for r in catalog.failed_files()] == ["/in/x.pdf"]
        catalog.record_file("/in/x.pdf", "loaded", doc_id=1)
        assert catalog.failed_files() == []
        assert catalog.outcome_counts() == {"loaded": 1}


def test_delete_removes_document_and_pages(catalog_target):
    with Catalog(catalog_target) as catalog:
        doc_id = add(catalog)
        catalog.delete(doc_id)
        assert catalog.get(doc_id) is None and catalog.page_texts(doc_id) == []


def test_a_catalog_from_before_email_addresses_upgrades_in_place(tmp_path: Path):
    """A data folder of the previous schema (accounts, a signed-in session) opens as the new one: nothing lost."""
    path = tmp_path / "catalog.sqlite3"
    old = sqlite3.connect(path)
    for number, script in enumerate(MIGRATIONS[:5], start=1):
        old.executescript(script)
        old.execute(f"PRAGMA user_version = {number}")
    old.execute("INSERT INTO users (name, role, password_hash, created_at, password_changed_at)"
                " VALUES ('rosa', 'admin', 'x', '2024-01-01', '2024-01-01')")
    old.execute("INSERT INTO sessions (token_hash, user_id, seen_at) VALUES (?, 1, ?)",
                (accounts.token_hash("cookie"), time.time()))
    old.commit()
    old.close()
    with Catalog(path) as catalog:
        assert catalog.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        rosa = accounts.session_user(catalog, "cookie", 3600)
        assert (rosa.name, rosa.role, rosa.email, rosa.status, rosa.feed_key) == ("rosa", "admin", None, "active", None)
        assert accounts.set_email(catalog, "rosa", "rosa@example.org").email == "rosa@example.org"
        assert catalog.db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 0
    with Catalog(path) as catalog:  # opened again: nothing to do
        assert accounts.get_user(catalog, "rosa").email == "rosa@example.org"


def test_the_oldest_kept_catalog_upgrades_through_every_version(tmp_path: Path):
    source = Path(__file__).resolve().parents[1] / "data" / "archive-schema4" / "catalog.sqlite3"
    shutil.copy(source, tmp_path / "catalog.sqlite3")
    with Catalog(tmp_path / "catalog.sqlite3") as catalog:
        assert catalog.count() > 0
        added = accounts.add_user(catalog, "new", "member", None, "new@example.org")
        assert added.status == "invited"


def test_a_postgresql_catalog_is_migrated_once_and_opens_again_as_it_is(postgres_server):
    from archive.catalog import PG_MIGRATIONS

    url = postgres_server.new_database()
    with Catalog(url) as catalog:
        add(catalog)
    with Catalog(url) as catalog:
        assert catalog.on_postgres
        assert catalog.db.execute("SELECT version FROM archive_schema").fetchall() == [(len(PG_MIGRATIONS),)]
        assert catalog.count() == 1
