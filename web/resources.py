"""Per-thread catalog connections and index searchers, opened lazily and reused across requests."""
from __future__ import annotations

import threading

from flask import Flask, current_app

from archive.catalog import Catalog
from archive.datadir import DataDir
from archive.store import BlobStore
from indexer.search import ArchiveSearcher

# SQLite connections and Whoosh searchers belong to one thread; the WSGI server reuses its threads,
# so each keeps its own pair instead of opening segment files on every request.
_KEY = "archive_locals"


def init_app(app: Flask) -> None:
    app.extensions[_KEY] = threading.local()


def data_dir() -> DataDir:
    return current_app.config["DATA"]


def searcher() -> ArchiveSearcher:
    """This thread's searcher (with its own catalog connection)."""
    local = current_app.extensions[_KEY]
    if getattr(local, "searcher", None) is None:
        data = data_dir()
        local.searcher = ArchiveSearcher.open(data.index_dir, Catalog(data.catalog_path))
    return local.searcher


def catalog() -> Catalog:
    return searcher().catalog


def store() -> BlobStore:
    return BlobStore(data_dir().store_dir)
