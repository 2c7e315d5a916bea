"""Work the server does in the background: OCR of scanned uploads, and rebuilding a damaged index.

Scanned pages of web uploads are read by OCR in the background so the upload answers at once.

One page at a time, in a separate worker process (the load's pool with one worker, under its time and
memory limits), so the serving threads stay free for searches. A file lock on the data folder keeps the
serving processes from reading the same backlog twice; whoever holds it reads until nothing is left.
"""
from __future__ import annotations

import fcntl
import logging
import threading
from contextlib import contextmanager
from typing import Iterator

from flask import Flask

from archive.catalog import Catalog
from archive.datadir import DataDir
from indexer.extract.ocr import tesseract_path
from indexer.extract.result import Limits, OcrSettings
from indexer.load.ocr_backlog import run_ocr
from indexer.load.pool import PoolLimits
from indexer.search.rebuild import rebuild_index

log = logging.getLogger(__name__)
LOCK_FILE = "ocr.lock"
REPAIR_LOCK_FILE = "repair.lock"
_KEY = "archive_ocr_reader"
_REPAIR_KEY = "archive_index_repair"


class BackgroundOcr:
    """Starts a reader thread when asked and none is running; the thread reads the whole backlog."""

    def __init__(self, data: DataDir, language: str) -> None:
        self.data, self.language = data, language
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._again = threading.Event()

    def nudge(self) -> threading.Thread | None:
        """Read the backlog soon (now, or again once the current run ends); the thread, if one runs."""
        if tesseract_path() is None:
            return None  # the pages stay "needs OCR": `archive ocr` reads them once tesseract is installed
        with self._lock:
            self._again.set()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._read, name="archive-ocr", daemon=True)
                self._thread.start()
            return self._thread

    def _read(self) -> None:
        while self._again.is_set():
            self._again.clear()
            try:
                with _only_one(self.data) as mine:
                    if mine:
                        run_ocr(self.data, Limits(ocr=OcrSettings(language=self.language)), PoolLimits(), jobs=1)
            except Exception:  # a reader that failed must not take the server with it; the pages wait
                log.exception("background OCR failed; the pages stay waiting for `archive ocr`")
                return


class BackgroundRepair:
    """Rebuilds a damaged index from the catalog beside the live one, then swaps it in (one at a time)."""

    def __init__(self, data: DataDir) -> None:
        self.data = data
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def repair(self) -> threading.Thread:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._rebuild, name="archive-repair", daemon=True)
                self._thread.start()
            return self._thread

    def _rebuild(self) -> None:
        try:
            with _only_one(self.data, REPAIR_LOCK_FILE) as mine, Catalog(self.data.catalog_path) as catalog:
                if mine:
                    rebuild_index(self.data.index_dir, catalog)
                    log.warning("the damaged search index was rebuilt from the catalog and swapped in")
        except Exception:
            log.exception("rebuilding the damaged search index failed; run `archive reindex`")


def init_app(app: Flask) -> None:
    app.extensions[_KEY] = BackgroundOcr(app.config["DATA"], app.config["OCR_LANGUAGE"])
    app.extensions[_REPAIR_KEY] = BackgroundRepair(app.config["DATA"])


def reader(app: Flask) -> BackgroundOcr:
    return app.extensions[_KEY]


def repairer(app: Flask) -> BackgroundRepair:
    return app.extensions[_REPAIR_KEY]


@contextmanager
def _only_one(data: DataDir, name: str = LOCK_FILE) -> Iterator[bool]:
    """True while this process holds the data folder's lock `name`; False if another process holds it."""
    with (data.root / name).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
