import json
from pathlib import Path

from web.cli import main


def run(runner, data, *args, **kwargs):
    return runner.invoke(main, ["--data-dir", str(data.root), *args], catch_exceptions=False, **kwargs)


def test_load_reports_each_file_and_a_summary(cli_runner, data, corpus):
    result = run(cli_runner, data, "load", str(corpus["audit"].parent.parent), "--jobs", "2", "--verbose")
    assert result.exit_code == 0, result.output
    assert result.output.count("loaded     ") == 4
    assert "4 loaded (7 pages), 0 already present (0 duplicates by content, 0 unchanged" in result.output
    again = run(cli_runner, data, "load", str(corpus["audit"]))
    assert "0 loaded (0 pages), 1 already present (0 duplicates by content, 1 unchanged" in again.output


def test_load_with_explicit_metadata(cli_runner, data, corpus):
    result = run(cli_runner, data, "load", str(corpus["note"]), "--type", "resolution", "--year", "2011",
                 "--division", "psrp", "--access", "members")
    assert result.exit_code == 0, result.output
    body = json.loads(run(cli_runner, data, "search", "stipend", "--json").output)
    hit = body["hits"][0]
    assert (hit["type"], hit["year"], hit["division"], hit["access"]) == ("resolution", 2011, "PSRP", "members")


def test_load_refuses_bad_option_values_before_work(cli_runner, data, corpus):
    for args, message in ((["--year", "20019"], "not a year"), (["--division", "pilots"], "choose from"),
                          (["--type", "memo"], "Invalid value")):
        result = cli_runner.invoke(main, ["--data-dir", str(data.root), "load", str(corpus["note"]), *args])
        assert result.exit_code == 2 and message in result.output
    assert not Path(data.catalog_path).exists() or "0 documents" in run(cli_runner, data, "status").output


def test_a_load_where_everything_fails_exits_nonzero(cli_runner, data, tmp_path):
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    result = cli_runner.invoke(main, ["--data-dir", str(data.root), "load", str(empty)])
    assert result.exit_code == 1
    assert "empty.pdf: empty" in result.output


def test_search_json_has_the_documented_shape(cli_runner, loaded):
    body = json.loads(run(cli_runner, loaded, "search", "pension", "--json").output)
    assert body["total"] == 1
    hit = body["hits"][0]
    assert set(hit) >= {"id", "title", "type", "year", "division", "filename", "pages"}
    assert hit["pages"][0]["page"] == 3 and "pension" in hit["pages"][0]["snippet"]
    assert set(body["facets"]) == {"doc_type", "year", "division", "access"}


def test_search_json_matches_the_api(cli_runner, loaded, client):
    cli = json.loads(run(cli_runner, loaded, "search", "negotiations", "--type", "convention_report", "--json").output)
    api = client.get("/api/search?q=negotiations&type=convention_report").get_json()
    assert cli == api


def test_search_text_output_and_limit(cli_runner, loaded):
    result = run(cli_runner, loaded, "search", "", "--limit", "2")
    assert result.exit_code == 0 and "4 documents" in result.output
    assert result.output.count("\n[") == 2


def test_status_counts_and_failures(cli_runner, loaded, tmp_path):
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4\n1 0 obj garbage")
    run(cli_runner, loaded, "load", str(bad))
    out = run(cli_runner, loaded, "status").output
    assert "Archive: 4 documents" in out and "financial_audit" in out and "indexed" in out
    assert "broken.pdf: corrupt" in out
    failed = run(cli_runner, loaded, "status", "--failed").output
    assert "Failed files: 1" in failed and "By type" not in failed


def test_status_on_a_new_data_dir_says_so(cli_runner, tmp_path):
    result = cli_runner.invoke(main, ["--data-dir", str(tmp_path / "none"), "status"])
    assert result.exit_code == 1 and "no archive" in result.output


def test_reindex_rebuilds_from_the_catalog(cli_runner, loaded):
    before = json.loads(run(cli_runner, loaded, "search", "negotiations", "--json").output)["total"]
    import shutil
    for path in loaded.root.glob("index*"):  # the link and the folders it points at, as `rm -rf data/index*`
        path.unlink() if path.is_symlink() else shutil.rmtree(path)
    assert "Rebuilt the index: 4 documents." in run(cli_runner, loaded, "reindex").output
    assert json.loads(run(cli_runner, loaded, "search", "negotiations", "--json").output)["total"] == before


def test_data_dir_from_the_environment(cli_runner, loaded, monkeypatch):
    monkeypatch.setenv("ARCHIVE_DATA_DIR", str(loaded.root))
    result = cli_runner.invoke(main, ["status"], catch_exceptions=False)
    assert "Archive: 4 documents" in result.output
