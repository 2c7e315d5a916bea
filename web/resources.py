"""Per-request resources the Flask way (opened lazily into `g`, closed at teardown), and the one kept
across requests because search speed depends on it."""
from __future__ import annotations

import threading

from flask import Flask, current_app, g

from archive.catalog import Catalog
from archive.datadir import DataDir
from archive.store import BlobStore
from indexer.search.searcher import ArchiveSearcher

_SEARCHERS = "archive_searchers"


def init_app(app: Flask) -> None:
    app.extensions[_SEARCHERS] = threading.local()
    app.teardown_appcontext(_close_request_resources)


def data_dir() -> DataDir:
    return current_app.config["DATA"]


def catalog() -> Catalog:
    """This request's catalog connection, opened on first use and closed when the request ends."""
    if "catalog" not in g:
        g.catalog = Catalog(data_dir().catalog)
    return g.catalog


def searcher() -> ArchiveSearcher:
    """This thread's searcher, kept across requests: the one process-wide cache here, on purpose.

    Opening a Whoosh searcher reads the table of contents and opens every segment file; the searcher
    also reaches the generation's column arrays and postings cache (shared by the process's threads,
    see `indexer.search.searcher`). It has its own catalog connection for page texts, and reloads
    itself when a writer commits. SQLite connections and Whoosh searchers belong to one thread, and the
    WSGI server reuses its threads, so each thread keeps one. Pages that don't search never open it.
    """
    local = current_app.extensions[_SEARCHERS]
    if getattr(local, "searcher", None) is None:
        data = data_dir()
        local.searcher = ArchiveSearcher.open(data.index_dir, Catalog(data.catalog))
    return local.searcher


def forget_searcher() -> None:
    """Close this thread's searcher (its catalog connection was lost): the next search opens a new one."""
    local = current_app.extensions[_SEARCHERS]
    found = getattr(local, "searcher", None)
    local.searcher = None
    if found is not None:
        try:
            found.close()
            found.catalog.close()
        except Exception:  # closing what is already broken: nothing more to do
            pass


def store() -> BlobStore:
    return BlobStore(data_dir().store_dir)


def _close_request_resources(exc: BaseException | None) -> None:
    found = g.pop("catalog", None)
    if found is not None:
        found.close()
