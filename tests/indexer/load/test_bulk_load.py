"""Bulk loading through the real worker pool: limits, duplicates, preflight, retries, manifests, re-runs."""
from __future__ import annotations

import csv
import hashlib
import os
from pathlib import Path

import pytest

from archive.catalog import Catalog
from archive.datadir import DataDir
from indexer.load.run import LoadOptions, run_load
from indexer.load.consistency import check_consistency
from archive.metadata import DocumentMeta
from indexer.load.manifest import ManifestError, read_manifest
from indexer.load.pool import PoolLimits
from indexer.search.searcher import ArchiveSearcher
from indexer.search.results import SearchRequest
from tests.builders import make_pdf, make_scanned_pdf, make_slow_pdf


def _pdfs(folder: Path, count: int) -> list[Path]:
    return [make_pdf(folder / f"report-{n}.pdf", [f"Bargaining update number {n}", f"Page two of report {n}"])
            for n in range(count)]


def _by_path(report) -> dict[str, object]:
    return {Path(o.path).name: o for o in report.outcomes}


def test_a_hanging_file_and_a_memory_bomb_fail_with_reasons_and_the_load_goes_on(tmp_path, data):
    hanging, bombing = tmp_path / "hanging", tmp_path / "bombing"
    make_slow_pdf(hanging / "hangs.pdf")  # pypdf needs well over ten seconds for this one page
    (bombing / "bomb.txt").parent.mkdir(parents=True)
    (bombing / "bomb.txt").write_text("union dues " * 6_000_000)  # ~66 MB read at once: more than 160 MB allows
    _pdfs(hanging, 2)
    make_pdf(bombing / "budget.pdf", ["Budget committee report"])
    timed = run_load(data, [hanging], LoadOptions(pool=PoolLimits(base_seconds=3.0, seconds_per_page=0.0), jobs=2))
    assert _by_path(timed)["hangs.pdf"].reason == "timeout", _by_path(timed)["hangs.pdf"]
    squeezed = run_load(data, [bombing], LoadOptions(pool=PoolLimits(memory_mb=160), jobs=2))
    assert _by_path(squeezed)["bomb.txt"].reason == "memory", _by_path(squeezed)["bomb.txt"]
    assert timed.loaded == 2 and squeezed.loaded == 1
    assert check_consistency(data) == []
    with Catalog(data.catalog_path) as catalog:
        assert {r.reason for r in catalog.failed_files()} == {"timeout", "memory"}


def test_the_smallest_memory_limit_still_loads_an_ordinary_file(tmp_path, data):
    """The limit is a file's budget beyond what a started worker holds (its libraries and thread stacks
    take more address space than the command's smallest --memory-mb), so 256 MB loads a small PDF."""
    from indexer.load.pool import WorkerPool
    from tests.vmsize import worker_address_space

    with WorkerPool(worker_address_space, 1, PoolLimits(memory_mb=4096)) as pool:
        started = next(result for _, result in pool.run([None]))
    assert started > 256 * 1024 * 1024  # what made every file fail under a limit of 256 MB
    make_pdf(tmp_path / "in" / "budget.pdf", ["Budget committee report"])
    # A few megabytes of minutes: read at once, they need fresh address space, not a freed bit of heap.
    (tmp_path / "in" / "minutes.txt").write_text("Minutes of the executive council. " * 100_000)
    report = run_load(data, [tmp_path / "in"], LoadOptions(pool=PoolLimits(memory_mb=256), jobs=1))
    assert report.loaded == 2, [(o.reason, o.detail) for o in report.outcomes]


def test_duplicates_within_one_batch_are_stored_once(tmp_path, data):
    original = make_pdf(tmp_path / "drop" / "a" / "audit.pdf", ["Independent Auditor's Report"])
    for name in ("b/audit-copy.pdf", "c/audit-again.pdf"):
        (tmp_path / "drop" / name).parent.mkdir(parents=True)
        (tmp_path / "drop" / name).write_bytes(original.read_bytes())
    report = run_load(data, [tmp_path / "drop"], LoadOptions(jobs=2))
    assert report.loaded == 1 and report.duplicates == 2
    doc_id = report.of("loaded")[0].doc_id
    assert all(o.doc_id == doc_id and "same content as" in o.detail for o in report.of("duplicate"))
    assert check_consistency(data) == []


def _snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() + str(p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_dry_run_writes_nothing_and_says_what_would_happen(tmp_path, data):
    known = make_pdf(tmp_path / "old" / "2019-audit.pdf", ["Independent Auditor's Report 2019"])
    run_load(data, [known], LoadOptions(jobs=1))
    before = _snapshot(data.root)
    drop = tmp_path / "drop"
    (drop / "again.pdf").parent.mkdir(parents=True)
    (drop / "again.pdf").write_bytes(known.read_bytes())
    make_scanned_pdf(drop / "scan.pdf")
    make_pdf(drop / "conventions" / "2021-report.pdf", ["Convention proceedings", "Resolutions"])
    (drop / "empty.pdf").write_bytes(b"")
    report = run_load(data, [drop], LoadOptions(jobs=2, dry_run=True))
    assert _snapshot(data.root) == before
    outcomes = _by_path(report)
    assert outcomes["again.pdf"].outcome == "duplicate" and outcomes["again.pdf"].doc_id
    assert outcomes["scan.pdf"].outcome == "would-load" and outcomes["scan.pdf"].text_pages == 0
    assert outcomes["scan.pdf"].detail == "no text found, and no scanned page to read by OCR"
    report_pdf = outcomes["2021-report.pdf"]
    assert (report_pdf.doc_type, report_pdf.year, report_pdf.pages, report_pdf.mime) == (
        "convention_report", 2021, 2, "application/pdf")
    assert outcomes["empty.pdf"].reason == "empty"


def test_a_dry_run_on_a_new_data_folder_creates_nothing(tmp_path):
    data = DataDir(tmp_path / "nothing-yet")
    report = run_load(data, _pdfs(tmp_path / "drop", 2), LoadOptions(jobs=1, dry_run=True))
    assert report.counts["would-load"] == 2
    assert not data.root.exists()


def test_retry_failed_runs_only_the_files_that_failed(tmp_path, data):
    drop = tmp_path / "drop"
    _pdfs(drop, 2)
    broken = drop / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 this is not really a pdf")
    first = run_load(data, [drop], LoadOptions(jobs=1))
    assert first.failed == 1 and first.loaded == 2
    again = run_load(data, [drop], LoadOptions(jobs=1))
    assert again.counts == {"unchanged": 2, "skipped": 1}  # an unchanged failure is not retried by default
    make_pdf(broken, ["Repaired report"])
    make_pdf(drop / "new-since.pdf", ["A file added after the first load"])
    retried = run_load(data, [drop], LoadOptions(jobs=1, retry_failed=True))
    assert [(Path(o.path).name, o.outcome) for o in retried.outcomes] == [("broken.pdf", "loaded")]
    with Catalog(data.catalog_path) as catalog:
        assert catalog.failed_files() == []


def test_unchanged_files_are_skipped_on_a_stat_and_touched_ones_on_their_hash(tmp_path, data):
    files = _pdfs(tmp_path / "drop", 3)
    run_load(data, [tmp_path / "drop"], LoadOptions(jobs=1))
    os.utime(files[0], ns=(1_000_000_000, 1_000_000_000))
    rerun = run_load(data, [tmp_path / "drop"], LoadOptions(jobs=1))
    assert rerun.counts == {"unchanged": 3}
    assert _by_path(rerun)[files[0].name].detail == "same content"
    with Catalog(data.catalog_path) as catalog:
        assert catalog.file_record(str(files[0])).mtime_ns == 1_000_000_000


def _write_manifest(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_manifest_problems_are_reported_with_their_line_numbers(tmp_path):
    make_pdf(tmp_path / "a.pdf", ["A"])
    manifest = _write_manifest(tmp_path / "m.csv", [
        ["path", "type", "year", "colour"],
        ["a.pdf", "financial_audit", "2019", "red"],
        ["missing.pdf", "financial_audit", "2019", ""],
        ["a.pdf", "memo", "20019", ""],
    ])
    with pytest.raises(ManifestError) as caught:
        read_manifest(manifest)
    assert caught.value.problems == ["line 1: unknown column 'colour' (allowed: path, title, type, year, date, "
                                     "division, access, language)"]
    _write_manifest(manifest, [["path", "type", "year"], ["a.pdf", "financial_audit", "2019"],
                               ["missing.pdf", "", ""], ["a.pdf", "memo", "20019"]])
    with pytest.raises(ManifestError) as caught:
        read_manifest(manifest)
    problems = caught.value.problems
    assert problems[0] == "line 3: missing.pdf: no such file"
    assert problems[1].startswith("line 4: type: unknown document type 'memo'")
    assert problems[2] == "line 4: year: '20019' is not a year between 1900 and 2100"
    assert problems[3] == f"line 4: {tmp_path / 'a.pdf'} is already listed on line 2"


def test_manifest_values_beat_the_command_line_which_beats_inference(tmp_path, data):
    drop = tmp_path / "drop"
    audit = make_pdf(drop / "2019-financial-audit.pdf", ["Independent Auditor's Report", "Notes"])
    other = make_pdf(drop / "2020-convention.pdf", ["Convention report"])
    manifest = _write_manifest(tmp_path / "m.csv", [
        ["path", "title", "year", "access"], [str(audit), "Audit of the Federation", "2018", "members"]])
    options = LoadOptions(jobs=1, manifest=read_manifest(manifest),
                          given=DocumentMeta(year=2005, division="PSRP"))
    report = run_load(data, [drop], options)
    with Catalog(data.catalog_path) as catalog:
        first, second = (catalog.get(_by_path(report)[p.name].doc_id) for p in (audit, other))
    assert (first.title, first.year, first.access, first.division, first.doc_type) == (
        "Audit of the Federation", 2018, "members", "PSRP", "financial_audit")
    assert (second.year, second.division, second.doc_type, second.access) == (
        2005, "PSRP", "convention_report", "public")


def test_documents_indexed_from_worker_postings_are_found_by_stem_and_phrase(tmp_path, data):
    make_pdf(tmp_path / "drop" / "contract.pdf", ["Cover", "The negotiations concluded with a pension agreement"])
    run_load(data, [tmp_path / "drop"], LoadOptions(jobs=2))
    with Catalog(data.catalog_path) as catalog:
        searcher = ArchiveSearcher.open(data.index_dir, catalog)
        try:
            for query in ("negotiated", '"pension agreement"'):
                results = searcher.search(SearchRequest(query=query))
                assert results.total == 1 and [p.page for p in results.hits[0].page_hits] == [2], query
        finally:
            searcher.close()


def test_a_load_into_an_index_of_an_older_schema_rebuilds_it_from_the_catalog(tmp_path, data):
    first = _pdfs(tmp_path / "first", 1)
    run_load(data, first, LoadOptions(jobs=1))
    (data.index_dir / "SCHEMA_VERSION").write_text("1\n")  # as left by the previous release
    run_load(data, [make_pdf(tmp_path / "second.pdf", ["Arbitration award"])], LoadOptions(jobs=1))
    assert check_consistency(data) == []
    with Catalog(data.catalog_path) as catalog:
        searcher = ArchiveSearcher.open(data.index_dir, catalog)
        try:
            assert searcher.search(SearchRequest(query="bargaining")).total == 1
            assert searcher.search(SearchRequest(query="arbitration")).total == 1
        finally:
            searcher.close()


def test_files_accepted_before_the_last_is_handed_out_are_indexed_while_the_workers_finish(tmp_path, data):
    _pdfs(tmp_path / "in", 4)
    make_slow_pdf(tmp_path / "in" / "zz-last.pdf", operators=20_000)  # read last, for a good fraction of a second
    indexed_at_each_outcome = []

    def note(outcome) -> None:
        with Catalog(data.catalog_path) as catalog:
            indexed_at_each_outcome.append(catalog.count("indexed"))

    report = run_load(data, [tmp_path / "in"], LoadOptions(jobs=1), on_outcome=note)
    assert report.loaded == 5
    # The source ran dry while the worker read the last file: the four before it were indexed meanwhile.
    assert indexed_at_each_outcome[-1] == 4, indexed_at_each_outcome
    with Catalog(data.catalog_path) as catalog:
        assert catalog.count("indexed") == 5
    assert check_consistency(data) == []


def test_a_load_no_larger_than_what_its_workers_hold_at_once_stays_one_index_segment(tmp_path, data):
    _pdfs(tmp_path / "in", 4)  # two workers hold two files each: nothing to gain from indexing early
    assert run_load(data, [tmp_path / "in"], LoadOptions(jobs=2)).loaded == 4
    assert len(list(data.index_dir.glob("*.pst"))) == 1
