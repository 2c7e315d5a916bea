"""One writer at a time: two real `archive load`s on one data folder, `--no-wait`, and a staff edit that
slips in between a load's batches."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import time
from dataclasses import replace
from pathlib import Path

from archive.catalog import Catalog
from archive.datadir import DataDir
from archive.locks import load_lock
from indexer.load import curate
from indexer.load.consistency import check_consistency
from indexer.load.run import load_paths
from indexer.search.index import open_index
from tests.builders import make_pdf, make_slow_pdf
from tests.web.test_cli_load import ARCHIVE, _command, _documents, _drop

FILES = 33  # _drop's thirty, and three slow ones that keep the first load busy while the second starts


def _pending(data: Path) -> int:
    with sqlite3.connect(f"file:{data / 'catalog.sqlite3'}?mode=ro", uri=True, timeout=5) as db:
        return db.execute("SELECT COUNT(*) FROM documents WHERE status != 'indexed'").fetchone()[0]


def _env() -> dict[str, str]:
    # The console script imports this checkout (not an installed copy) only with it on the path.
    root = str(Path(__file__).resolve().parents[2])
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}


def test_two_loads_at_once_both_finish_one_after_the_other_and_agree(tmp_path):
    data, drop = tmp_path / "data", _drop(tmp_path / "drop")
    for n in range(3):
        make_slow_pdf(drop / "slow" / f"slow-{n}.pdf", operators=100_000 + n)
    first = subprocess.Popen(_command(data, drop), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=_env())
    deadline = time.monotonic() + 120
    while _documents(data) < 3 and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    second = subprocess.run(_command(data, drop), capture_output=True, text=True, timeout=300, env=_env())
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0 and "Traceback" not in err, out + err
    assert second.returncode == 0 and "Traceback" not in second.stderr, second.stdout + second.stderr
    assert "waiting for the load started at" in second.stderr and f"pid {first.pid}" in second.stderr
    assert check_consistency(DataDir(data)) == [] and _pending(data) == 0
    with Catalog(data / "catalog.sqlite3") as catalog:
        ledger = list(catalog.all_files())
        assert catalog.count() == FILES
    assert len(ledger) == FILES and {r.outcome for r in ledger} == {"loaded"}  # never a "duplicate" of itself
    assert f"0 loaded (0 pages), {FILES} already present" in second.stdout


def test_no_wait_refuses_at_once_in_one_line_naming_the_load_in_progress(tmp_path):
    data, drop = tmp_path / "data", _drop(tmp_path / "drop")
    with load_lock(data, "load"):
        started = time.monotonic()
        refused = subprocess.run(_command(data, drop, "--no-wait"), capture_output=True, text=True, timeout=120,
                                 env=_env())
    assert refused.returncode != 0 and time.monotonic() - started < 30
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in refused.stderr, refused.stderr
    assert "the load started at" in lines[0] and f"pid {os.getpid()}" in lines[0], lines[0]
    assert _documents(data) == 0  # nothing was planned, stored or left pending


def test_reindex_and_ocr_with_no_wait_refuse_while_a_load_runs(tmp_path, loaded):
    with load_lock(loaded.root, "load"):
        for command in (["reindex", "--no-wait"], ["ocr", "--no-wait"]):
            done = subprocess.run([ARCHIVE, "--data-dir", str(loaded.root), *command], capture_output=True,
                                  text=True, timeout=120, env=_env())
            if "tesseract is not installed" in done.stderr:
                continue
            assert done.returncode != 0 and "Traceback" not in done.stderr, done.stderr
            assert f"pid {os.getpid()}" in done.stderr


def test_a_staff_edit_slips_in_between_a_loads_batches(tmp_path, data, monkeypatch):
    load_paths([make_pdf(tmp_path / "first" / "minutes.pdf", ["Board minutes"])], data, jobs=1)
    drop = tmp_path / "slow"
    for n in range(4):  # about 2.5 s each to read; a batch of four takes ten seconds to gather
        make_slow_pdf(drop / f"slow-{n}.pdf", operators=100_000 + n)
    load = subprocess.Popen([ARCHIVE, "--data-dir", str(data.root), "load", str(drop), "--jobs", "1",
                             "--commit-every", "4", "--progress-every", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
    try:
        deadline = time.monotonic() + 60
        while _documents(data.root) < 2 and time.monotonic() < deadline:  # mid-batch: one catalogued, not indexed
            time.sleep(0.01)
        monkeypatch.setattr(curate, "LOCK_WAIT_SECONDS", 3.0)
        with Catalog(data.catalog_path) as catalog:
            doc = catalog.get(1)
            edited = curate.edit_document(open_index(data.index_dir), catalog, 1, replace(doc.meta, year=2001), "t")
        assert edited.year == 2001 and load.poll() is None  # done while the load still runs
    finally:
        out, err = load.communicate(timeout=120)
    assert load.returncode == 0, out + err
    assert check_consistency(data) == [] and _pending(data.root) == 0
