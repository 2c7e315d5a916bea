"""An index written before the modules moved (schema 4, field classes under indexer.schema) still serves."""
from __future__ import annotations

import shutil
from pathlib import Path

from archive.catalog import Catalog
from archive.datadir import DataDir
from indexer.search.index import index_exists, index_is_current
from indexer.search.rebuild import ensure_current_index
from indexer.search.results import SearchRequest
from tests.conftest import open_searcher

OLD_ARCHIVE = Path(__file__).resolve().parents[2] / "data" / "archive-schema4"


def old_archive(tmp_path: Path) -> DataDir:
    shutil.copytree(OLD_ARCHIVE, tmp_path / "data")
    return DataDir(tmp_path / "data")


def test_an_index_made_before_the_move_is_rebuilt_and_found(tmp_path):
    data = old_archive(tmp_path)
    assert index_exists(data.index_dir) and not index_is_current(data.index_dir)
    with Catalog(data.catalog_path) as catalog:
        assert ensure_current_index(data.index_dir, catalog) is True
    with open_searcher(data) as searcher:
        assert [h.document.title for h in searcher.search(SearchRequest("steward")).hits] == \
            ["Grievance procedure for paraprofessionals"]
        assert searcher.search(SearchRequest("ratified")).total == 1


def test_the_cli_says_what_to_run_on_an_index_made_before_the_move(tmp_path, cli_runner):
    from web.cli import main

    data = old_archive(tmp_path)
    result = cli_runner.invoke(main, ["--data-dir", str(data.root), "search", "steward"])
    assert result.exit_code != 0
    assert "archive reindex" in result.output and "Traceback" not in result.output
    assert cli_runner.invoke(main, ["--data-dir", str(data.root), "reindex"]).exit_code == 0
    found = cli_runner.invoke(main, ["--data-dir", str(data.root), "search", "steward"])
    assert found.exit_code == 0 and "Grievance procedure" in found.output
