"""Content postings of catalog documents made in worker processes, so a rebuild uses every core.

The index writer is single: it files postings while the workers analyse the next documents' text
(analysis is about a third of indexing). Each worker reads page texts from the catalog itself, so
only document ids go out and postings come back.
"""
from __future__ import annotations

import multiprocessing
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Sequence

from archive.catalog import Catalog
from indexer.processes import without_main_module
from indexer.search.schema import PAGE_GAP
from indexer.search.tokens import AnalysedText, analyse_text

PARALLEL_FROM = 200  # fewer pending documents than this are analysed in-process (starting workers costs ~1 s)

Analyse = Callable[[Catalog, Sequence[int]], Iterator[AnalysedText]]
_worker_catalog: Catalog | None = None


def postings_of(catalog: Catalog, doc_id: int) -> AnalysedText:
    """The content postings of one catalogued document, from its page texts."""
    return analyse_text(PAGE_GAP.join(text for _, text in catalog.page_texts(doc_id)))


def analyse_here(catalog: Catalog, ids: Sequence[int]) -> Iterator[AnalysedText]:
    return (postings_of(catalog, doc_id) for doc_id in ids)


@contextmanager
def analysers(catalog_path: Path | str, pending: int, jobs: int | None = None) -> Iterator[Analyse]:
    """A function giving the postings of documents in order: worker processes for a large backlog."""
    jobs = jobs or os.cpu_count() or 1
    if jobs < 2 or pending < PARALLEL_FROM:
        yield analyse_here
        return
    ctx = multiprocessing.get_context("forkserver")
    with without_main_module():
        pool = ctx.Pool(jobs, initializer=_open_catalog, initargs=(str(catalog_path),))
    with pool:
        yield lambda _catalog, ids: pool.imap(_worker_postings, ids, chunksize=4)


def _open_catalog(path: str) -> None:
    global _worker_catalog
    _worker_catalog = Catalog(path)  # not immutable: pages still in the WAL must be seen


def _worker_postings(doc_id: int) -> AnalysedText:
    assert _worker_catalog is not None
    return postings_of(_worker_catalog, doc_id)
