"""The Whoosh index on disk: open or create it, write documents, index what the catalog has pending.

`data/index` is a symbolic link to the folder that holds the current index (`index.<n>`), so that a new
index can be built beside it and swapped in atomically (`indexer.search.rebuild`): a reader opens either
the old index or the new one, never half of one.
"""
from __future__ import annotations

import logging
import math
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import Index, LockError
from whoosh.query import Term
from whoosh.writing import SegmentWriter

# Whoosh imports its query and searching modules (~60 ms) inside a writer's first deletion. Imported with this
# module, they load while a load starts, beside its workers' fork server, not in its last commit, which
# nothing overlaps (tests/indexer/load/test_load.py).
import whoosh.searching  # noqa: F401

from archive.catalog import Catalog, Document
from archive.locks import LockBusy, write_lock
from indexer.search.analyse import Analyse, analyse_here, analysers
from indexer.search.errors import IndexBusyError, IndexDamagedError, StaleIndexError
from indexer.search.schema import PAGE_GAP, SCHEMA_VERSION, build_schema
from indexer.search.segments import Source, merge_segments, write_segment
from indexer.search.tokens import AnalysedText, analyse_text

INDEX_BATCH = 500  # documents per commit when indexing from the catalog
log = logging.getLogger(__name__)

VERSION_FILE = "SCHEMA_VERSION"
MARK_FILE = "FOLLOWED"  # the last number of the catalog's change sequence applied to this index


def followed(index_dir: Path) -> int | None:
    """The last change number applied to this node's index, or None if it does not follow (or has no index)."""
    try:
        return int((Path(index_dir) / MARK_FILE).read_text().strip())
    except (OSError, ValueError):
        return None


def set_followed(folder: Path, number: int) -> None:
    """Remember the last change applied (temp file then rename: never half a number)."""
    temp = Path(folder) / f".{MARK_FILE}.tmp"
    temp.write_text(f"{number}\n")
    temp.replace(Path(folder) / MARK_FILE)


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


def sort_key_newest(doc: Document) -> int:
    """YYYYMMDD as an integer (YYYY0000 when only the year is known, 0 when nothing is)."""
    if doc.date:
        return int(doc.date.replace("-", ""))
    return (doc.year or 0) * 10000


def document_fields(doc: Document, pages: Sequence[str], postings: AnalysedText | None = None) -> dict:
    """The Whoosh fields of one document; `postings` are the pages' content postings if already made."""
    posted = postings if postings is not None else analyse_text(PAGE_GAP.join(pages))
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


class _Writer(SegmentWriter):
    """Whoosh's segment writer for deletions and the table of contents; segments are written and merged by
    `indexer.search.segments`, never through Whoosh's posting pool.

    Whoosh's own merge also lost a segment's spelling words (prefix*, fuzzy~ and "did you mean" read
    them) once the document they were filed under was deleted; ours keeps every word.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.built: list = []  # finished segments to add at commit

    def add_document(self, **fields) -> None:
        raise TypeError("documents are written as whole segments: use write_documents")

    def _merge_segments(self, mergetype, optimize, merge) -> list:
        segments = [s for s in [*self.segments, *self.built] if s.doc_count() > 0]
        for group in merges_due(segments, bool(optimize)):
            merged = merge_in(self.storage, self.schema, group)
            segments = [s for s in segments if s not in group] + ([merged] if merged is not None else [])
        return segments


MERGE_FACTOR = 8  # segments of about the same size merged into one once there are this many


def merges_due(segments: Sequence, optimize: bool = False) -> list[list]:
    """Groups of segments to merge: all of them if `optimize`, else any size tier that has filled up.

    A segment's tier is the power of MERGE_FACTOR its live documents reach, so every document is merged
    about log(n) times and a long load never has more than (MERGE_FACTOR - 1) segments per tier.
    """
    if optimize:
        return [list(segments)] if len(segments) > 1 or any(s.has_deletions() for s in segments) else []
    tiers: dict[int, list] = {}
    for segment in segments:
        tiers.setdefault(int(math.log(max(segment.doc_count(), 1), MERGE_FACTOR)), []).append(segment)
    return [group for group in tiers.values() if len(group) >= MERGE_FACTOR]


def merge_in(storage, schema, group: Sequence):
    """The segments of `group` merged into one new segment of the same storage (None if none is live)."""
    with staging(Path(storage.folder)) as stage:
        merged = merge_segments([Source(storage, s) for s in group], stage, schema)
        if merged is not None:
            move_in(stage, merged, Path(storage.folder))
    return merged


STAGING_PREFIX = ".staging-"
STALE_STAGING_SECONDS = 3600.0  # a staging folder this old was left by a crashed writer


@contextmanager
def staging(index_dir: Path) -> Iterator[FileStorage]:
    """A private folder inside the index folder to write a segment in, removed afterwards.

    Whoosh deletes every file of the index folder that the table of contents doesn't name, so a segment
    is written aside (a name starting with a dot is never touched) and moved in when it is added.
    """
    folder = Path(index_dir) / f"{STAGING_PREFIX}{os.getpid()}-{time.time_ns()}"
    folder.mkdir()
    try:
        yield FileStorage(str(folder))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def move_in(stage: FileStorage, segment, index_dir: Path) -> None:
    """Rename a staged segment's files into the index folder (same file system: each rename is atomic)."""
    for name in segment.list_files(stage):
        os.replace(Path(stage.folder) / name, Path(index_dir) / name)


def remove_stale_staging(index_dir: Path) -> None:
    """Staging folders of writers that crashed (over an hour old); a writer's current one is never that old."""
    for folder in Path(index_dir).glob(f"{STAGING_PREFIX}*"):
        try:
            if time.time() - folder.stat().st_mtime > STALE_STAGING_SECONDS:
                shutil.rmtree(folder, ignore_errors=True)
        except FileNotFoundError:
            pass


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


def open_writer(ix: Index) -> _Writer:
    """The index's Whoosh writer (deletions, merges, the table of contents); hold the write lock (`writing`)."""
    try:
        return _Writer(ix, compound=False, timeout=WHOOSH_LOCK_SECONDS, delay=0.25)
    except LockError:
        raise IndexBusyError("the search index is locked by a writer that does not take the archive's write "
                             "lock; nothing was changed, try again in a minute") from None


@contextmanager
def index_writer(ix: Index, wait_seconds: float | None = None, optimize: bool = False,
                 what: str = "index update") -> Iterator[_Writer]:
    """A writer under the write lock that commits when the block ends (merging every segment into one if
    `optimize`) and cancels if it raises."""
    with writing(ix, what, wait_seconds):
        writer = open_writer(ix)
        try:
            yield writer
        except BaseException:
            writer.cancel()
            raise
        writer.commit(optimize=optimize)


def index_documents(ix: Index, catalog: Catalog, docs: Sequence[Document], analyse: Analyse = analyse_here,
                    wait_seconds: float | None = None, mark: bool = True) -> list[int]:
    """Add or replace documents in the index from their catalog rows; marks them indexed if `mark`."""
    fields = [document_fields(doc, (), postings) for doc, postings in
              zip(docs, analyse(catalog, [doc.id for doc in docs]))]
    write_documents(ix, catalog, fields, wait_seconds, mark=mark)
    return [int(f["id"]) for f in fields]


def write_documents(ix: Index, catalog: Catalog, fields: Sequence[dict], wait_seconds: float | None = None,
                    what: str = "index update", mark: bool = True) -> None:
    """Add or replace documents (their index fields) and then, if `mark`, mark them indexed.

    The segment is built before the write lock is taken, so the lock is held only to add it: replaced
    documents are deleted from the older segments, the table of contents names the new one.
    """
    if not fields:
        return
    index_dir = Path(ix.storage.folder)
    with staging(index_dir) as stage:
        segment = write_segment(stage, ix.schema, fields)
        with writing(ix, what, wait_seconds):
            add_segments(ix, [(stage, segment)], [str(one["id"]) for one in fields])
            if mark:
                catalog.mark_indexed([int(one["id"]) for one in fields])


def add_segments(ix: Index, staged: Sequence[tuple[FileStorage, object]], replaces: Sequence[str] = (),
                 optimize: bool = False) -> None:
    """Add staged segments to the index, deleting the documents they replace (by id); hold the write lock."""
    writer = open_writer(ix)
    try:
        for doc_id in replaces:
            writer.delete_by_query(Term("id", doc_id))  # delete_by_term, without its import
        for stage, segment in staged:
            move_in(stage, segment, Path(ix.storage.folder))
            writer.built.append(segment)
        writer.commit(optimize=optimize)
    except BaseException:
        writer.cancel()
        raise
    remove_stale_staging(Path(ix.storage.folder))


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
