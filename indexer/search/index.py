"""The Whoosh index on disk: open or create it, write documents, rebuild it from the catalog."""
from __future__ import annotations

import logging
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence

from whoosh import index as whoosh_index
from whoosh.index import Index, LockError

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
    """An empty index with the current schema, replacing whatever was there."""
    index_dir = Path(index_dir)
    if index_dir.exists():
        shutil.rmtree(index_dir)
    index_dir.mkdir(parents=True)
    ix = whoosh_index.create_in(str(index_dir), build_schema())
    (index_dir / VERSION_FILE).write_text(f"{SCHEMA_VERSION}\n")
    return ix


def open_index(index_dir: Path) -> Index:
    """The index in `index_dir`; an empty one if none exists yet. Raises StaleIndexError if outdated."""
    if not index_exists(index_dir):
        return create_index(index_dir)
    if not index_is_current(index_dir):
        raise StaleIndexError(f"the index in {index_dir} has an old schema: run `archive reindex`")
    return whoosh_index.open_dir(str(index_dir))


def ensure_current_index(index_dir: Path, catalog: Catalog) -> bool:
    """Rebuild the index from the catalog if it was written with another schema; True if it was rebuilt."""
    if not index_exists(index_dir) or index_is_current(index_dir):
        return False
    log.warning("the index has an older schema: rebuilding it from the catalog")
    rebuild_index(index_dir, catalog)
    return True


class StaleIndexError(RuntimeError):
    """The index on disk was written with another schema version."""


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


WHOOSH_LOCK_SECONDS = 5.0  # our write lock is held first, so Whoosh's own lock is free but for a moment


def data_root(ix: Index) -> Path:
    """The data folder an index lives in (archive/datadir.py: DATA/index); its write lock lives there,
    not in the index folder, which a rebuild replaces."""
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
        return ix.writer(limitmb=limitmb, compound=False, timeout=WHOOSH_LOCK_SECONDS, delay=0.25)
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
                    wait_seconds: float | None = None) -> list[int]:
    """Add or replace documents in the index from their catalog rows; marks them indexed."""
    # Analysed before the write lock is taken, so the lock is held only for the writing itself.
    fields = [document_fields(doc, (), postings) for doc, postings in
              zip(docs, analyse(catalog, [doc.id for doc in docs]))]
    done = [int(f["id"]) for f in fields]
    write_documents(ix, catalog, fields, wait_seconds)
    return done


def write_documents(ix: Index, catalog: Catalog, fields: Sequence[dict], wait_seconds: float | None = None,
                    what: str = "index update") -> None:
    """Write documents' index fields and then mark them indexed, both under the write lock."""
    with writing(ix, what, wait_seconds):
        with index_writer(ix) as writer:
            for one in fields:
                writer.update_document(**one)
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
        while pending := _take(catalog.iter_documents(status="pending"), batch or INDEX_BATCH):
            total += len(index_documents(ix, catalog, pending, analyse, wait_seconds))
    return total


def rebuild_index(index_dir: Path, catalog: Catalog, jobs: int | None = None) -> int:
    """Recreate the index from the catalog alone (text analysed by `jobs` processes); returns how many."""
    ix = create_index(index_dir)
    catalog.mark_all_pending()
    count = index_pending(ix, catalog, jobs=jobs)
    # One segment instead of several: every term is then looked up once, not once per segment, which
    # made a search ~35% faster on the benchmark (it costs about 40% more rebuild time).
    with index_writer(ix, optimize=True):
        pass
    log.info("rebuilt the index from the catalog: %d documents", count)
    return count


def _take(items: Iterator[Document], n: int) -> list[Document]:
    taken = []
    for item in items:
        taken.append(item)
        if len(taken) == n:
            break
    return taken
