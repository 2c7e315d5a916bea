"""Hostile input at the command line: manifests that point outside their folder, filters that aren't
values, and file names or texts that would drive the terminal."""
from __future__ import annotations

from pathlib import Path

import pytest

from indexer.load.manifest import ManifestError, read_manifest
from tests.builders import make_pdf
from web.cli import main

RLO, BELL, ESC = "\u202e", "\a", "\x1b"


def _manifest(folder: Path, *paths: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    manifest = folder / "manifest.csv"
    manifest.write_text("path,type\n" + "".join(f"{p},press_statement\n" for p in paths), encoding="utf-8")
    return manifest


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    secret = tmp_path / "secret" / "passwd"
    secret.parent.mkdir()
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    return secret


def test_manifest_paths_outside_its_folder_are_refused_with_their_line_numbers(tmp_path, outside):
    folder = tmp_path / "drop" / "batch"
    make_pdf(folder / "inside.pdf", ["A statement"])
    shadow = outside.with_name("shadow")
    shadow.write_text("root:*:19000:0:99999:7:::\n")
    (folder / "link.txt").symlink_to(shadow)
    manifest = _manifest(folder, "inside.pdf", "../../secret/passwd", str(outside.with_name("group")), "link.txt")
    outside.with_name("group").write_text("root:x:0:\n")
    with pytest.raises(ManifestError) as refused:
        read_manifest(manifest)
    assert [p.split(":")[0] for p in refused.value.problems] == ["line 3", "line 4", "line 5"]
    assert all("outside the manifest's folder" in p and "--allow-outside-paths" in p for p in refused.value.problems)


def test_allow_outside_paths_loads_them_on_purpose(tmp_path, outside):
    manifest = _manifest(tmp_path / "drop", "../secret/passwd")
    assert list(read_manifest(manifest, allow_outside_paths=True)) == [str(outside)]


def test_archive_load_refuses_an_outside_manifest_path_and_loads_nothing(tmp_path, outside, cli_runner):
    manifest = _manifest(tmp_path / "drop", "../secret/passwd")
    result = cli_runner.invoke(main, ["--data-dir", str(tmp_path / "data"), "load", "--manifest", str(manifest)])
    assert result.exit_code == 1 and "line 2: ../secret/passwd: outside the manifest's folder" in result.output
    assert not (tmp_path / "data" / "catalog.sqlite3").exists()
    allowed = cli_runner.invoke(main, ["--data-dir", str(tmp_path / "data"), "load", "--manifest", str(manifest),
                                       "--allow-outside-paths"])
    assert allowed.exit_code == 0 and "1 loaded" in allowed.output, allowed.output


@pytest.mark.parametrize("option, value", [("--type", "xyz"), ("--year", "abc"), ("--division", "pilots")])
def test_search_filters_that_are_not_values_are_errors(cli_runner, loaded, option, value):
    result = cli_runner.invoke(main, ["--data-dir", str(loaded.root), "search", "pension", option, value])
    assert result.exit_code == 2 and "documents" not in result.output, result.output


def _hostile_files(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / f"minutes{RLO}fdp.txt").write_text(f"Minutes with a bell{BELL} and {ESC}[2J escape\n", encoding="utf-8")
    (folder / f"empty{ESC}[31m.txt").write_bytes(b"")  # fails: its name reaches the failure line
    return folder


def _assert_safe(output: str) -> None:
    assert RLO not in output and BELL not in output and ESC not in output, repr(output)


def test_file_names_and_texts_never_reach_the_terminal_raw(cli_runner, data, tmp_path):
    folder = _hostile_files(tmp_path / "drop")
    loaded = cli_runner.invoke(main, ["--data-dir", str(data.root), "load", str(folder), "-v", "--jobs", "1"])
    _assert_safe(loaded.output)
    assert "\\u202e" in loaded.output and "\\x1b[31m" in loaded.output  # shown, as escapes
    failed = cli_runner.invoke(main, ["--data-dir", str(data.root), "status", "--failed"])
    _assert_safe(failed.output)
    assert "\\x1b[31m" in failed.output
    found = cli_runner.invoke(main, ["--data-dir", str(data.root), "search", "bell"])
    assert "1 documents" in found.output
    _assert_safe(found.output)
