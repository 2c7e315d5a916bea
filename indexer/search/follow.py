"""A search node's own index, kept in step with the catalog by following its change sequence.

Every insert, edit, access change, withdrawal, restore and deletion of a document takes the next number of
the catalog's one counter, and the numbers commit in order (`archive.catalog._next_change`). A node remembers
in its index folder the last number it applied (`FOLLOWED`); every few seconds it reads the changes after it,
(re)indexes the documents and drops the deleted ones (tombstones), then moves the mark. Applying a change
twice does no harm, so a crash between the index commit and the mark only repeats work.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from archive.catalog import Catalog
from indexer.search.index import (
    followed,
    index_documents,
    index_exists,
    index_is_current,
    index_writer,
    open_index,
    set_followed,
)
from indexer.search.rebuild import rebuild_index

BATCH = 500  # changes applied per index commit
log = logging.getLogger(__name__)


def ensure_following_index(index_dir: Path, catalog: Catalog) -> bool:
    """Build this node's index from the catalog if it is missing, of another schema, or was never
    followed; True if it was built."""
    if index_exists(index_dir) and index_is_current(index_dir) and followed(index_dir) is not None:
        return False
    log.warning("building this node's index from the catalog")
    rebuild_index(index_dir, catalog)
    return True


def apply_changes(index_dir: Path, catalog: Catalog, batch: int = BATCH) -> int:
    """Apply every change after this node's mark to its index; returns how many were applied."""
    index_dir = Path(index_dir)
    seen = followed(index_dir) or 0
    ix = open_index(index_dir)
    applied = 0
    while changes := catalog.changes_after(seen, batch):
        found = catalog.get_many(c.doc_id for c in changes if not c.deleted)
        # A document deleted since the changes were read is missing here: its tombstone comes next round.
        gone = [c.doc_id for c in changes if c.deleted or c.doc_id not in found]
        index_documents(ix, catalog, list(found.values()), mark=False)
        if gone:
            with index_writer(ix, what="follow") as writer:
                for doc_id in gone:
                    writer.delete_by_term("id", str(doc_id))
        seen = changes[-1].number
        set_followed(index_dir.resolve(), seen)
        applied += len(changes)
    return applied


@dataclass(frozen=True)
class Lag:
    """How far this node's index is behind the catalog."""

    followed: int | None  # None: the index does not follow the change sequence
    last: int

    @property
    def behind(self) -> int:
        return 0 if self.followed is None else max(0, self.last - self.followed)

    def describe(self) -> str:
        if self.followed is None:
            return "this node's index does not follow the change sequence (`archive serve --follow` does)"
        if not self.behind:
            return f"this node's index is up to date (change {self.last})"
        return (f"this node's index is behind: {self.behind} changes (it has applied up to change "
                f"{self.followed} of {self.last}); a following `archive serve` applies them within seconds")


def lag(index_dir: Path, catalog: Catalog) -> Lag:
    return Lag(followed(index_dir), catalog.last_change())
