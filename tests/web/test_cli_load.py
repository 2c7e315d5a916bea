"""`archive load` as staff run it: a real process, killed or interrupted mid-way, then run again."""
from __future__ import annotations

import csv
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from archive.datadir import DataDir
from indexer.load.consistency import check_consistency
from tests.builders import make_pdf
from web.cli import main

ARCHIVE = str(Path(sys.executable).with_name("archive"))
FILES = 30


def _drop(folder: Path) -> Path:
    for n in range(FILES):
        make_pdf(folder / f"box-{n % 3}" / f"minutes-{n:02d}.pdf",
                 [f"Executive board minutes {n}", f"Motion {n} carried", f"Adjourned meeting {n}"])
    return folder


def _command(data: Path, drop: Path, *extra: str) -> list[str]:
    return [ARCHIVE, "--data-dir", str(data), "load", str(drop), "--jobs", "2", "--commit-every", "4",
            "--progress-every", "0", *extra]


def _documents(data: Path) -> int:
    try:
        with sqlite3.connect(f"file:{data / 'catalog.sqlite3'}?mode=ro", uri=True, timeout=1) as db:
            return db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    except sqlite3.Error:
        return 0


def _start_and_wait_for(command: list[str], data: Path, documents: int) -> subprocess.Popen:
    """Start a load and return once it has catalogued some documents (mid-load)."""
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while _documents(data) < documents and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    return proc


def _finish(command: list[str]) -> subprocess.CompletedProcess:
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_a_load_killed_with_sigkill_finishes_on_the_rerun_with_nothing_lost_or_doubled(tmp_path):
    data, drop = tmp_path / "data", _drop(tmp_path / "drop")
    proc = _start_and_wait_for(_command(data, drop), data, documents=6)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL  # killed mid-load, not finished already
    catalogued = _documents(data)
    assert catalogued < FILES
    rerun = _finish(_command(data, drop, "--report", str(tmp_path / "report.csv")))
    assert check_consistency(DataDir(data)) == []
    assert _documents(data) == FILES
    with (tmp_path / "report.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == FILES and {r["outcome"] for r in rows} <= {"loaded", "unchanged"}
    assert sum(r["outcome"] == "loaded" for r in rows) == FILES - catalogued  # the rest were not redone
    assert f"progress: {FILES}/{FILES} files (100%)" in rerun.stderr  # plain lines, not a bar, off a terminal


def test_ctrl_c_stops_cleanly_with_a_summary_and_the_rerun_finishes(tmp_path):
    data, drop = tmp_path / "data", _drop(tmp_path / "drop")
    proc = _start_and_wait_for(_command(data, drop), data, documents=3)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    if _documents(data) < FILES:  # it was stopped before the end
        assert "Interrupted: run the same command again" in out, out + err
    assert "Traceback" not in err
    assert check_consistency(DataDir(data)) == []  # what was done is committed, indexed and agrees
    _finish(_command(data, drop))
    assert _documents(data) == FILES and check_consistency(DataDir(data)) == []


def test_a_manifest_with_problems_stops_before_any_work(tmp_path, cli_runner):
    make_pdf(tmp_path / "a.pdf", ["A"])
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("path,type,year\na.pdf,financial_audit,2019\nb.pdf,press_statement,20019\n")
    result = cli_runner.invoke(main, ["--data-dir", str(tmp_path / "data"), "load", "--manifest", str(manifest)])
    assert result.exit_code == 1
    assert "line 3: b.pdf: no such file" in result.output
    assert "line 3: year: '20019' is not a year" in result.output
    assert not (tmp_path / "data").exists()
