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
