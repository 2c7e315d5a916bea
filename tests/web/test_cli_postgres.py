"""The command line with the catalog on PostgreSQL: a clear refusal when it can't be reached, and the same
commands working against a real server."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from web.cli import main


def test_an_unreachable_catalog_database_is_one_clear_line_and_a_nonzero_exit(data):
    """A real process, so the exit code and stderr are what an operator sees (no traceback, no password)."""
    url = "postgresql://archive:s3cret-pass@127.0.0.1:1/archive"
    for args, env in ((["--catalog-url", url], {}), ([], {"ARCHIVE_CATALOG_URL": url})):
        done = subprocess.run([sys.executable, "-m", "web.cli", "--data-dir", str(data.root), *args, "status"],
                              capture_output=True, text=True, env={**os.environ, **env}, timeout=60)
        assert done.returncode == 1, done.stderr
        assert done.stderr.startswith("Error: cannot reach the catalog database postgresql://archive:***@127.0.0.1:1/"
                                      "archive: connection failed"), done.stderr
        assert "Traceback" not in done.stderr and "s3cret" not in done.stderr


def test_a_catalog_url_of_another_kind_is_a_usage_error(cli_runner, data):
    result = cli_runner.invoke(main, ["--data-dir", str(data.root), "--catalog-url", "mysql://db/archive", "status"])
    assert result.exit_code == 2
    assert "'mysql://db/archive' is not a catalog URL like postgresql://USER@HOST:5432/DATABASE" in result.output


def test_load_search_and_status_with_the_catalog_on_postgresql(cli_runner, postgres_server, corpus, tmp_path):
    url = postgres_server.new_database()
    store = tmp_path / "shared-store"
    base = ["--data-dir", str(tmp_path / "node"), "--catalog-url", url, "--store-dir", str(store)]
    loaded = cli_runner.invoke(main, [*base, "load", str(corpus["audit"].parent.parent), "--jobs", "1"])
    assert loaded.exit_code == 0, loaded.output
    assert "4 loaded (7 pages)" in loaded.output
    assert len(list(store.glob("??/*"))) == 4 and not (tmp_path / "node" / "catalog.sqlite3").exists()
    body = json.loads(cli_runner.invoke(main, [*base, "search", "stipend", "--json"]).output)
    assert [hit["title"] for hit in body["hits"]] == ["Member Organizer Institute Fact Sheet"]
    status = cli_runner.invoke(main, [*base, "status"])
    assert status.exit_code == 0 and "Failed files: 0" in status.output


def test_catalog_migrate_copies_everything_with_its_ids_and_checks_the_counts(cli_runner, postgres_server, loaded):
    from archive import accounts, audit
    from archive.catalog import Catalog
    from archive.metadata import DocumentMeta

    with Catalog(loaded.catalog_path) as catalog:
        accounts.add_user(catalog, "Rosa", "staff", "solidarity-forever-1912", "rosa@example.org")
        first = next(catalog.iter_documents())
        catalog.delete(first.id)  # a tombstone, and ids with a gap
        audit.record(catalog, "Rosa", "delete", doc_id=first.id, subject=first.title)
        before = {doc.id: doc for doc in catalog.iter_documents()}
        last = catalog.last_change()
    url = postgres_server.new_database()
    result = cli_runner.invoke(main, ["--data-dir", str(loaded.root), "catalog", "migrate", "--to", url])
    assert result.exit_code == 0, result.output
    assert "  documents                3 copied         3" in result.output
    assert "  tombstones               1 copied         1" in result.output
    assert "every count agrees" in result.output and "DIFFERENT" not in result.output
    with Catalog(url) as catalog:
        assert {doc.id: doc for doc in catalog.iter_documents()} == before
        assert catalog.last_change() == last
        assert accounts.authenticate(catalog, "rosa@EXAMPLE.org", "solidarity-forever-1912", "10.0.0.1").name == "Rosa"
        added = catalog.add_document(sha256="f" * 64, filename="n.pdf", source_path="", mime="application/pdf", size=1,
                                     pages=["new"], meta=DocumentMeta("New", "other", 2020, None, "Teachers", "public"))
        assert added == max(before) + 1 and catalog.last_change() == last + 1
    again = cli_runner.invoke(main, ["--data-dir", str(loaded.root), "catalog", "migrate", "--to", url])
    assert again.exit_code == 1
    assert "is not empty (documents, pages, files, users, audit_log, tombstones have rows)" in again.output


def test_backup_on_postgresql_copies_the_store_and_says_to_use_pg_dump(cli_runner, postgres_server, corpus, tmp_path):
    url = postgres_server.new_database()
    base = ["--data-dir", str(tmp_path / "node"), "--catalog-url", url, "--store-dir", str(tmp_path / "store")]
    assert cli_runner.invoke(main, [*base, "load", str(corpus["audit"].parent.parent), "--jobs", "1"]).exit_code == 0
    result = cli_runner.invoke(main, [*base, "backup", str(tmp_path / "backup")])
    assert result.exit_code == 0, result.output
    assert "Copied the originals of 4 documents" in result.output and "4 new" in result.output
    assert "back it up with pg_dump" in result.output and "pg_dump --format=custom" in result.output
    assert len(list((tmp_path / "backup" / "store").glob("??/*"))) == 4
    refused = cli_runner.invoke(main, [*base, "backup", str(tmp_path / "backup"), "--keep", "3"])
    assert refused.exit_code == 2 and "--with-index and --keep are for the embedded catalog" in refused.output


def test_restore_with_the_catalog_on_postgresql_says_to_use_pg_restore_and_changes_nothing(cli_runner, tmp_path):
    backup_dir = tmp_path / "backup"
    backup_dir.mkdir()
    url = "postgresql://archive@127.0.0.1:1/archive"  # never reached: refused before any connection
    result = cli_runner.invoke(main, ["--data-dir", str(tmp_path / "node"), "--catalog-url", url, "restore",
                                      str(backup_dir)])
    assert result.exit_code == 1
    assert "the catalog is on PostgreSQL: restore it with pg_restore into an empty database" in result.output
    assert not (tmp_path / "node" / "catalog.sqlite3").exists()


def test_a_preflight_against_an_empty_database_writes_no_document(cli_runner, postgres_server, corpus, tmp_path):
    from archive.catalog import Catalog

    url = postgres_server.new_database()
    result = cli_runner.invoke(main, ["--data-dir", str(tmp_path / "node"), "--catalog-url", url, "load",
                                      str(corpus["note"]), "--dry-run", "--report", str(tmp_path / "pre.csv")])
    assert result.exit_code == 0, result.output
    assert "would load" in result.output
    with Catalog(url) as catalog:
        assert catalog.count() == 0 and list(catalog.all_files()) == []


HOLD_LOAD_LOCK = """
import sys, time
from archive.locks import LOAD_LOCK, database_lock
with database_lock(sys.argv[1], LOAD_LOCK, "load"):
    print("held", flush=True)
    time.sleep(60)
"""


def test_a_load_on_another_node_waits_for_the_databases_load_lock_or_refuses_naming_it(
        cli_runner, postgres_server, corpus, tmp_path):
    """The lock is the catalog database's: a load on node B sees node A's, though their folders differ."""
    import socket

    from archive.catalog import Catalog

    url = postgres_server.new_database()
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOAD_LOCK, url], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        result = cli_runner.invoke(main, ["--data-dir", str(tmp_path / "node-b"), "--catalog-url", url, "load",
                                          str(corpus["note"]), "--no-wait"])
        assert result.exit_code == 1
        assert ("busy: the load started at " in result.output
                and f"pid {holder.pid} on {socket.gethostname()}" in result.output
                and "this load did not start, nothing was changed" in result.output), result.output
        with Catalog(url) as catalog:
            assert catalog.count() == 0
    finally:
        holder.kill()
        holder.wait()
