import shutil
import subprocess
import sys
from pathlib import Path

from archive.catalog import Catalog
from archive.store import BlobStore, sha256_of
from indexer.search.index import open_index
from archive.metadata import DocumentMeta
from indexer.load.run import load_paths
from tests.builders import make_encrypted_pdf, make_pdf


def indexed_ids(data) -> set[str]:
    with open_index(data.index_dir).searcher() as searcher:
        return {fields["id"] for fields in searcher.all_stored_fields()}


def test_a_folder_loads_into_store_catalog_and_index(loaded, corpus):
    with Catalog(loaded.catalog_path) as catalog:
        docs = list(catalog.iter_documents())
        assert {d.status for d in docs} == {"indexed"}
        assert indexed_ids(loaded) == {str(d.id) for d in docs}
        audit = next(d for d in docs if d.filename == "2019-financial-audit.pdf")
        assert (audit.doc_type, audit.year, audit.pages) == ("financial_audit", 2019, 3)
        assert "pension liability" in catalog.page_texts(audit.id, [3])[0][1]
    assert BlobStore(loaded.store_dir).has(sha256_of(corpus["audit"]))


def test_loading_the_same_file_twice_stores_and_indexes_it_once(loaded, corpus, tmp_path):
    copy = tmp_path / "renamed-copy.pdf"
    shutil.copy(corpus["audit"], copy)
    report = load_paths([corpus["audit"], copy], loaded, jobs=1)
    # The same path, unchanged since it was loaded, is skipped on its stat; the copy is a duplicate by content.
    assert report.loaded == 0 and report.counts == {"unchanged": 1, "duplicate": 1}
    assert "already in the archive as document" in report.outcomes[1].detail
    with Catalog(loaded.catalog_path) as catalog:
        assert catalog.count() == 4
    assert len(indexed_ids(loaded)) == 4


def test_bad_files_are_reported_by_name_and_the_rest_loads(data, tmp_path):
    src = tmp_path / "drop"
    good = make_pdf(src / "good.pdf", ["Grievance procedure and arbitration"])
    make_encrypted_pdf(src / "locked.pdf", good, "s3cret", "AES-256")
    make_encrypted_pdf(src / "open-rc4.pdf", make_pdf(tmp_path / "rc4-src.pdf", ["Scholarship winners list"]), "", "RC4-128")
    make_encrypted_pdf(src / "open-aes.pdf", make_pdf(tmp_path / "aes-src.pdf", ["Delegates credentials"]), "", "AES-256")
    (src / "empty.pdf").write_bytes(b"")
    (src / "broken.pdf").write_bytes(good.read_bytes()[:300])
    shutil.copy("/bin/true", src / "program.pdf")
    report = load_paths([src], data, jobs=2)
    failed = {Path(o.path).name: o.reason for o in report.of("failed")}
    assert failed == {"locked.pdf": "encrypted", "empty.pdf": "empty", "broken.pdf": "corrupt",
                      "program.pdf": "disguised"}
    assert sorted(Path(o.path).name for o in report.of("loaded")) == ["good.pdf", "open-aes.pdf", "open-rc4.pdf"]
    with Catalog(data.catalog_path) as catalog:
        assert catalog.count() == 3
        assert {Path(r.path).name for r in catalog.failed_files()} == set(failed)
    stored = [p for p in data.store_dir.rglob("*") if p.is_file()]
    assert len(stored) == 3 and len(indexed_ids(data)) == 3


def test_explicit_values_win_over_inference(data, corpus):
    overrides = DocumentMeta(doc_type="contract", year=2005, division="PSRP", access="members")
    report = load_paths([corpus["audit"]], data, overrides, jobs=1)
    with Catalog(data.catalog_path) as catalog:
        doc = catalog.get(report.outcomes[0].doc_id)
    assert (doc.doc_type, doc.year, doc.division, doc.access) == ("contract", 2005, "PSRP", "members")
    assert doc.title == "Financial Audit for Fiscal Year 2019"  # not given, so inferred from metadata


def test_a_crash_before_the_index_commit_is_finished_by_the_next_load(data, corpus):
    # Simulate the crash window: the catalog row exists, the index never received it.
    report = load_paths([corpus["note"]], data, jobs=1)
    doc_id = report.outcomes[0].doc_id
    with Catalog(data.catalog_path) as catalog:
        catalog.mark_all_pending()
    ix = open_index(data.index_dir)
    with ix.writer() as writer:
        writer.delete_by_term("id", str(doc_id))
    assert indexed_ids(data) == set()
    load_paths([corpus["audit"]], data, jobs=1)
    assert str(doc_id) in indexed_ids(data)
    with Catalog(data.catalog_path) as catalog:
        assert {d.status for d in catalog.iter_documents()} == {"indexed"}


def test_an_index_with_an_older_schema_is_rebuilt_from_the_catalog(loaded):
    from indexer.search.index import VERSION_FILE, index_is_current
    from indexer.search.rebuild import ensure_current_index

    (loaded.index_dir / VERSION_FILE).write_text("0\n")
    assert not index_is_current(loaded.index_dir)
    with Catalog(loaded.catalog_path) as catalog:
        assert ensure_current_index(loaded.index_dir, catalog) is True
        assert index_is_current(loaded.index_dir)
        assert indexed_ids(loaded) == {str(d.id) for d in catalog.iter_documents()}
        assert ensure_current_index(loaded.index_dir, catalog) is False


COMMIT_A_BATCH = """
import sys
from pathlib import Path
from archive.catalog import Catalog
from archive.datadir import DataDir
from archive.metadata import DocumentMeta
from indexer.load.prepare import prepare
from indexer.load.writer import Loader
data = DataDir(Path(sys.argv[1])).ensure()
with Catalog(data.catalog) as catalog:
    loader = Loader(data, catalog)
    loader.accept(prepare(sys.argv[2]), DocumentMeta())
    before = set(sys.modules)
    loader.commit()
    print(sorted(set(sys.modules) - before))
"""


def test_a_loads_last_commit_imports_nothing(tmp_path):
    # Nothing overlaps the end of a load: what the commit needs is imported as the load starts.
    pdf = make_pdf(tmp_path / "minutes.pdf", ["Minutes of the executive council"])
    out = subprocess.run([sys.executable, "-c", COMMIT_A_BATCH, str(tmp_path / "data"), str(pdf)],
                         cwd=Path(__file__).resolve().parents[3], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stderr
