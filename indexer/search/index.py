"""The Whoosh index on disk: open or create it, write documents, index what the catalog has pending.

`data/index` is a symbolic link to the folder that holds the current index (`index.<n>`), so that a new
index can be built beside it and swapped in atomically (`indexer.search.rebuild`): a reader opens either
the old index or the new one, never half of one.
"""
from __future__ import annotations

import logging
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence

from whoosh import index as whoosh_index
from whoosh.fields import SpellField
from whoosh.index import Index, LockError
from whoosh.system import pack_uint
from whoosh.writing import SegmentWriter

from archive.catalog import Catalog, Document
from archive.locks import LockBusy, write_lock
from indexer.search.analyse import Analyse, analyse_here, analysers
from indexer.search.schema import PAGE_GAP, SCHEMA_VERSION, AnalysedText, build_schema, analyse_content

INDEX_BATCH = 500  # documents per commit when indexing from the catalog
log = logging.getLogger(__name__)

VERSION_FILE = "SCHEMA_VERSION"


def index_exists(index_dir: Path) -> bool:
    """True if the folder holds a Whoosh index of any schema.

    Looks for a table of contents without opening it: opening unpickles the schema, and an index written
    before the modules moved names field classes that no longer exist under that path.
    """
    return any(Path(index_dir).glob("_MAIN_*.toc"))


def index_is_current(index_dir: Path) -> bool:
    """True if an index exists and was written with this schema version."""
    marker = Path(index_dir) / VERSION_FILE
    return index_exists(index_dir) and marker.exists() and marker.read_text().strip() == str(SCHEMA_VERSION)


def create_index(index_dir: Path) -> Index:
    """An empty index with the current schema, swapped in for whatever was there."""
    swap_in(index_dir, new_index_folder(index_dir))
    return whoosh_index.open_dir(str(index_dir))


def new_index_folder(index_dir: Path) -> Path:
    """A new, empty index of the current schema beside `index_dir`, not yet in use."""
    index_dir = Path(index_dir)
    folder = index_dir.with_name(f"{index_dir.name}.{time.time_ns()}")
    folder.mkdir(parents=True)
    whoosh_index.create_in(str(folder), build_schema())
    (folder / VERSION_FILE).write_text(f"{SCHEMA_VERSION}\n")
    return folder


def swap_in(index_dir: Path, folder: Path) -> None:
    """Point `index_dir` at `folder` in one atomic rename; the index before it is kept until the next swap.

    Readers that opened the previous index keep reading it (its files stay) and move to the new one on their
    next search. An index folder of the layout before links (a plain folder) is moved aside first.
    """
    index_dir = Path(index_dir)
    previous = index_dir.resolve().name if index_dir.is_dir() else None
    if index_dir.is_dir() and not index_dir.is_symlink() and not any(index_dir.iterdir()):
        index_dir.rmdir()  # the empty folder a new data folder starts with (DataDir.ensure)
        previous = None
    elif index_dir.is_dir() and not index_dir.is_symlink():
        previous = f"{index_dir.name}.{time.time_ns()}"
        index_dir.rename(index_dir.with_name(previous))
    link = index_dir.with_name(f".{index_dir.name}.link")
    link.unlink(missing_ok=True)
    link.symlink_to(folder.name)
    os.replace(link, index_dir)
    _remove_old_folders(index_dir, keep={folder.name, previous})


def _remove_old_folders(index_dir: Path, keep: set[str]) -> None:
    for folder in index_dir.parent.glob(f"{index_dir.name}.*"):
        if folder.is_dir() and not folder.is_symlink() and folder.name not in keep:
            shutil.rmtree(folder, ignore_errors=True)


def open_index(index_dir: Path) -> Index:
    """The index in `index_dir`; an empty one if none exists yet. Raises StaleIndexError if outdated."""
    if not index_exists(index_dir):
        return create_index(index_dir)
    if not index_is_current(index_dir):
        raise StaleIndexError(f"the index in {index_dir} has an old schema: run `archive reindex`")
    try:
        return whoosh_index.open_dir(str(index_dir))
    except Exception as exc:  # a truncated table of contents: whatever unpickling it raised
        raise IndexDamagedError(f"the search index could not be opened ({type(exc).__name__}: "
                                f"{' '.join(str(exc).split())[:160]})") from exc


class StaleIndexError(RuntimeError):
    """The index on disk was written with another schema version."""


class IndexDamagedError(RuntimeError):
    """The index on disk cannot be read (a truncated segment or table of contents): rebuild it."""


def sort_key_newest(doc: Document) -> int:
    """YYYYMMDD as an integer (YYYY0000 when only the year is known, 0 when nothing is)."""
    if doc.date:
        return int(doc.date.replace("-", ""))
    return (doc.year or 0) * 10000


def document_fields(doc: Document, pages: Sequence[str], postings: AnalysedText | None = None) -> dict:
    """The Whoosh fields of one document; `postings` are the pages' content postings if already made."""
    posted = postings if postings is not None else analyse_content(PAGE_GAP.join(pages))
    return {
        "id": str(doc.id),
        "content": posted,  # analysed once, filed twice: with positions, and as counts
        "content_counts": posted,
        "title": doc.title,
        "doc_type": doc.doc_type,
        "year": str(doc.year) if doc.year else "unknown",
        "division": doc.division,
        "access": doc.visibility,  # a withdrawn document is filed under "withdrawn": staff only
        "newest": sort_key_newest(doc),
        "title_sort": doc.title.casefold()[:100],
    }


class IndexBusyError(RuntimeError):
    """Another writer held the archive for longer than we wait; nothing was changed."""


class _Writer(SegmentWriter):
    """Whoosh's segment writer, except that a merge keeps every segment's spelling words.

    Whoosh files the spelling words (spell_content, spell_title) under one document of their segment
    (document 0 when written), and a merge copied postings of live documents only: once that document
    was deleted (replaced or removed), the next merge lost the words of the whole segment. prefix*,
    wildcard and fuzzy~ queries are expanded over those words, and "did you mean" draws on them.
    """

    def add_postings_to_pool(self, reader, startdoc, docmap) -> None:
        if not docmap:  # nothing deleted (None) or nothing left ({}): Whoosh's own copy is right
            super().add_postings_to_pool(reader, startdoc, docmap)
            return
        words = {name for name, field in reader.schema.items() if isinstance(field, SpellField)}
        postings = (post for post in reader.iter_postings() if post[0] not in words)
        for post in self._process_posts(postings, startdoc, docmap):
            self.pool.add(post)
        first = min(docmap.values())  # the new number of the segment's first live document
        for name in words:
            for btext in reader.lexicon(name):  # every word, whatever document it was filed under
                self.pool.add((name, btext, first, 1.0, pack_uint(1)))


WHOOSH_LOCK_SECONDS = 5.0  # our write lock is held first, so Whoosh's own lock is free but for a moment


def data_root(ix: Index) -> Path:
    """The data folder an index lives in (DATA/index, or DATA/index.<n> while a rebuild builds it): its write
    lock lives there, not in the index folder, which a rebuild replaces."""
    return Path(ix.storage.folder).parent


@contextmanager
def writing(ix: Index, what: str, wait_seconds: float | None = None) -> Iterator[None]:
    """Hold the data folder's write lock for the block (waiting up to `wait_seconds`, None: as long as it
    takes); IndexBusyError, naming the holder, if it stays taken. Take it before any catalog transaction,
    so that a writer holding it never waits for one that waits for it."""
    try:
        with write_lock(data_root(ix), what, wait_seconds):
            yield
    except LockBusy as exc:
        raise IndexBusyError(f"{exc}; try again in a minute") from None


def open_writer(ix: Index, limitmb: int = 128):
    """The index's Whoosh writer; call it while holding the write lock (`writing`)."""
    try:
        # compound=False keeps segments memory-mapped and shared between web workers.
        return _Writer(ix, limitmb=limitmb, compound=False, timeout=WHOOSH_LOCK_SECONDS, delay=0.25)
    except LockError:
        raise IndexBusyError("the search index is locked by a writer that does not take the archive's write "
                             "lock; nothing was changed, try again in a minute") from None


@contextmanager
def index_writer(ix: Index, wait_seconds: float | None = None, optimize: bool = False, limitmb: int = 256,
                 what: str = "index update") -> Iterator:
    """A writer under the write lock that commits when the block ends (merging every segment into one if
    `optimize`) and cancels if it raises."""
    with writing(ix, what, wait_seconds):
        writer = open_writer(ix, limitmb)
        try:
            yield writer
        except BaseException:
            writer.cancel()
            raise
        writer.commit(optimize=optimize)


def index_documents(ix: Index, catalog: Catalog, docs: Sequence[Document], analyse: Analyse = analyse_here,
                    wait_seconds: float | None = None, mark: bool = True) -> list[int]:
    """Add or replace documents in the index from their catalog rows; marks them indexed if `mark`."""
    # Analysed before the write lock is taken, so the lock is held only for the writing itself.
    fields = [document_fields(doc, (), postings) for doc, postings in
              zip(docs, analyse(catalog, [doc.id for doc in docs]))]
    write_documents(ix, catalog, fields, wait_seconds, mark=mark)
    return [int(f["id"]) for f in fields]


def write_documents(ix: Index, catalog: Catalog, fields: Sequence[dict], wait_seconds: float | None = None,
                    what: str = "index update", mark: bool = True) -> None:
    """Write documents' index fields and then (if `mark`) mark them indexed, both under the write lock."""
    with writing(ix, what, wait_seconds):
        with index_writer(ix) as writer:
            for one in fields:
                writer.update_document(**one)
        if mark:
            catalog.mark_indexed([int(one["id"]) for one in fields])


def remove_document(ix: Index, doc_id: int) -> None:
    with index_writer(ix) as writer:
        writer.delete_by_term("id", str(doc_id))


def index_pending(ix: Index, catalog: Catalog, batch: int | None = None, jobs: int | None = None,
                  wait_seconds: float | None = None) -> int:
    """Index catalog rows left pending (a crashed load, an edit, a rebuild); returns how many.

    A large backlog is analysed by `jobs` worker processes (default: one per core).
    """
    total = 0
    with analysers(catalog.path, catalog.count(status="pending"), jobs) as analyse:
        while pending := take(catalog.iter_documents(status="pending"), batch or INDEX_BATCH):
            total += len(index_documents(ix, catalog, pending, analyse, wait_seconds))
    return total


def take(items: Iterator[Document], n: int) -> list[Document]:
    taken = []
    for item in items:
        taken.append(item)
        if len(taken) == n:
            break
    return taken
