"""`archive backup` and `archive restore`: consistent copies while the archive loads, incremental, verified."""
from __future__ import annotations

import json
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

from archive.datadir import DataDir
from indexer.load.consistency import check_consistency
from tests.builders import make_pdf
from web.cli import main

ARCHIVE = str(Path(sys.executable).with_name("archive"))


def run(cli_runner, *args: str):
    return cli_runner.invoke(main, list(args), catch_exceptions=False)


def titles(cli_runner, data: Path, query: str) -> str:
    return run(cli_runner, "--data-dir", str(data), "search", query, "--limit", "100").output


def test_a_backup_taken_mid_load_restores_to_an_archive_that_agrees(tmp_path, cli_runner):
    for n in range(40):
        make_pdf(tmp_path / "drop" / f"minutes-{n:02d}.pdf", [f"Board minutes {n}", f"Motion wombat{n} carried"] * 8)
    data = tmp_path / "data"
    load = subprocess.Popen([ARCHIVE, "--data-dir", str(data), "load", str(tmp_path / "drop"), "--jobs", "2",
                             "--commit-every", "3"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not _documents(data) and time.monotonic() < deadline:
        time.sleep(0.05)
    taken = run(cli_runner, "--data-dir", str(data), "backup", str(tmp_path / "backups"))
    assert load.wait(timeout=120) == 0 and taken.exit_code == 0, taken.output
    snapshot = next(p for p in (tmp_path / "backups").iterdir() if p.name != "store")
    in_backup = json.loads((snapshot / "BACKUP.json").read_text())["documents"]
    assert 0 < in_backup < 40  # taken while the load was writing
    restored = run(cli_runner, "--data-dir", str(tmp_path / "restored"), "restore", str(tmp_path / "backups"))
    assert restored.exit_code == 0 and restored.output.rstrip().endswith("Catalog, file store and index agree.")
    assert check_consistency(DataDir(tmp_path / "restored")) == []
    assert f"{in_backup} documents" in titles(cli_runner, tmp_path / "restored", "board")


def test_a_second_backup_copies_only_the_new_originals_and_keep_prunes(loaded, tmp_path, cli_runner):
    from web.app import create_app

    create_app({"DATA_DIR": str(loaded.root)})  # a served archive has its secret key: sessions survive a restore
    dest = tmp_path / "backups"
    first = run(cli_runner, "--data-dir", str(loaded.root), "backup", str(dest))
    assert "4 new originals copied" in first.output and "0 already there" in first.output
    assert stat.S_IMODE(dest.stat().st_mode) == 0o700
    make_pdf(tmp_path / "more" / "2024-budget.pdf", ["Budget for 2024"])
    run(cli_runner, "--data-dir", str(loaded.root), "load", str(tmp_path / "more"))
    second = run(cli_runner, "--data-dir", str(loaded.root), "backup", str(dest), "--keep", "1", "--with-index")
    assert "1 new originals copied" in second.output and "4 already there, with the index" in second.output
    assert "Removed older backups: " in second.output
    assert len([p for p in dest.iterdir() if p.name != "store"]) == 1
    assert len(list((dest / "store").glob("??/*"))) == 5
    assert (loaded.root / "secret_key").read_bytes() == next(dest.glob("2*/secret_key")).read_bytes()


def test_verify_finds_a_damaged_original_and_restore_refuses_it(loaded, tmp_path, cli_runner):
    dest = tmp_path / "backups"
    run(cli_runner, "--data-dir", str(loaded.root), "backup", str(dest))
    assert run(cli_runner, "backup", "--verify", str(dest)).exit_code == 0
    blob = next((dest / "store").glob("??/*"))
    blob.write_bytes(blob.read_bytes()[:-10] + b"bit rot!!!")
    checked = run(cli_runner, "backup", "--verify", str(dest))
    assert checked.exit_code == 1 and f"blob {blob.name} is damaged" in checked.output
    refused = run(cli_runner, "--data-dir", str(tmp_path / "new"), "restore", str(dest))
    assert refused.exit_code == 1 and "is not whole" in refused.output and not (tmp_path / "new" / "catalog.sqlite3").exists()


def test_restore_refuses_a_folder_that_is_not_empty(loaded, tmp_path, cli_runner):
    dest = tmp_path / "backups"
    run(cli_runner, "--data-dir", str(loaded.root), "backup", str(dest))
    before = loaded.catalog_path.read_bytes()
    refused = run(cli_runner, "--data-dir", str(loaded.root), "restore", str(dest))
    assert refused.exit_code == 1
    assert refused.output.strip() == f"Error: {loaded.root} is not empty: restore into a new folder, or add --force to replace it"
    assert loaded.catalog_path.read_bytes() == before
    forced = run(cli_runner, "--data-dir", str(loaded.root), "restore", str(dest), "--force")
    assert forced.exit_code == 0 and "Catalog, file store and index agree." in forced.output


def test_bad_destinations_and_sources_get_one_line_and_change_nothing(loaded, tmp_path, cli_runner):
    inside = run(cli_runner, "--data-dir", str(loaded.root), "backup", str(loaded.root / "backups"))
    assert inside.exit_code == 1 and "is inside the data folder" in inside.output
    assert not (loaded.root / "backups").exists()
    (tmp_path / "a-file").write_text("not a folder")
    unwritable = run(cli_runner, "--data-dir", str(loaded.root), "backup", str(tmp_path / "a-file" / "backups"))
    assert unwritable.exit_code == 1 and unwritable.output.startswith(f"Error: cannot write to {tmp_path / 'a-file'}")
    (tmp_path / "junk").mkdir()
    not_a_backup = run(cli_runner, "--data-dir", str(tmp_path / "new"), "restore", str(tmp_path / "junk"))
    assert not_a_backup.exit_code == 1 and "is not a backup made by `archive backup`" in not_a_backup.output
    for result in (inside, unwritable, not_a_backup):
        assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output


def _documents(data: Path) -> int:
    try:
        with sqlite3.connect(f"{(data / 'catalog.sqlite3').as_uri()}?mode=ro", uri=True) as db:
            return db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    except sqlite3.Error:
        return 0
