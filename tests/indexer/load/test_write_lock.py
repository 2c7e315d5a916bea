"""Writers refused by the write lock say who holds it and change nothing, leave nothing pending."""
from __future__ import annotations

import io
import os
import threading
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Iterator

import pytest

from archive.catalog import Catalog
from archive.metadata import DocumentMeta
from archive.locks import write_lock
from indexer.extract.result import Limits
from indexer.load import curate, upload
from indexer.load.consistency import check_consistency
from indexer.search.errors import IndexBusyError
from indexer.search.index import open_index
from tests.builders import make_pdf


@contextmanager
def held_by_another_thread(root: Path, what: str) -> Iterator[None]:
    """The write lock, held by another thread (a separate open file, so flock excludes us) for the block."""
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with write_lock(root, what):
            held.set()
            release.wait(30)

    thread = threading.Thread(target=hold)
    thread.start()
    assert held.wait(5)
    try:
        yield
    finally:
        release.set()
        thread.join()


def test_an_edit_refused_by_a_load_batch_names_the_load_and_changes_nothing(loaded, monkeypatch):
    monkeypatch.setattr(curate, "LOCK_WAIT_SECONDS", 0.3)
    with Catalog(loaded.catalog_path) as catalog:
        doc = next(catalog.iter_documents())
        with held_by_another_thread(loaded.root, "load (writing a batch)"):
            with pytest.raises(IndexBusyError, match=rf"load \(writing a batch\) started at .*pid {os.getpid()}"):
                curate.edit_document(open_index(loaded.index_dir), catalog, doc.id, replace(doc.meta, year=2001), "t")
        assert catalog.get(doc.id) == doc


def test_an_upload_refused_by_the_write_lock_leaves_nothing_pending(loaded, tmp_path, monkeypatch):
    monkeypatch.setattr(upload, "WRITER_WAIT_SECONDS", 0.3)
    pdf = make_pdf(tmp_path / "new.pdf", ["A resolution nobody has seen yet"]).read_bytes()
    with Catalog(loaded.catalog_path) as catalog:
        before = catalog.count()
        with held_by_another_thread(loaded.root, "load (writing a batch)"):
            with pytest.raises(IndexBusyError, match="nothing was changed"):
                upload.load_uploads(loaded, catalog, [upload.Upload("new.pdf", io.BytesIO(pdf))],
                                    DocumentMeta(), Limits(), "t")
        assert catalog.count() == before and catalog.count(status="pending") == 0
    assert check_consistency(loaded) == []
