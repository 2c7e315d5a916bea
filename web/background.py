"""Work the server does in the background: OCR of scanned uploads, rebuilding a damaged index, and mail.

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
from typing import Callable, Iterator

from flask import Flask

from archive.catalog import Catalog
from archive.datadir import DataDir
from archive.locks import LockBusy
from archive.mail import MailSettings, mail_lock, send_waiting, waiting_count
from indexer.extract.ocr import tesseract_path
from indexer.extract.result import Limits, OcrSettings
from indexer.load.ocr_backlog import run_ocr
from indexer.load.pool import PoolLimits
from indexer.search.follow import apply_changes
from indexer.search.rebuild import rebuild_index
from web.links import password_link

log = logging.getLogger(__name__)
LOCK_FILE = "ocr.lock"
REPAIR_LOCK_FILE = "repair.lock"
FOLLOW_LOCK_FILE = "follow.lock"
_FOLLOW_KEY = "archive_follower"
_KEY = "archive_ocr_reader"
_REPAIR_KEY = "archive_index_repair"
_MAIL_KEY = "archive_mail_sender"
MAIL_RETRY_SECONDS = 60.0
MAIL_RETRY_MAX_SECONDS = 30 * 60.0


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


class BackgroundFollow:
    """Keeps this node's index in step with the catalog: every `every` seconds, the changes after the last one
    applied (`indexer.search.follow`). One process of the node follows at a time (a lock in its data folder);
    a lost database or a failed round is logged and tried again next time."""

    def __init__(self, data: DataDir, every: float) -> None:
        self.data, self.every = data, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._follow, name="archive-follow", daemon=True)

    def start(self) -> "BackgroundFollow":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _follow(self) -> None:
        while not self._stop.wait(self.every):
            try:
                with _only_one(self.data, FOLLOW_LOCK_FILE) as mine:
                    if mine:
                        with Catalog(self.data.catalog) as catalog:
                            apply_changes(self.data.index_dir, catalog)
            except Exception as exc:  # the next round tries again; the server must not go down with it
                log.error("following the catalog failed (%s: %s); trying again in %g s", type(exc).__name__,
                          " ".join(str(exc).split())[:300], self.every)


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
            with _only_one(self.data, REPAIR_LOCK_FILE) as mine, Catalog(self.data.catalog) as catalog:
                if mine:
                    rebuild_index(self.data.index_dir, catalog)
                    log.warning("the damaged search index was rebuilt from the catalog and swapped in")
        except Exception:
            log.exception("rebuilding the damaged search index failed; run `archive reindex`")


class BackgroundMail:
    """Sends the queued invitations and reset links, so no page waits for a mail server.

    One thread at a time, and one process at a time (the data folder's mail lock, which `archive mail
    send` takes too). A run that stops (the server is down or says "later") is tried again after a
    minute, then at longer intervals, for as long as messages wait; a nudge tries at once.
    """

    def __init__(self, data: DataDir, settings: MailSettings | None, link_for: Callable[[str], str],
                 retry_seconds: float = MAIL_RETRY_SECONDS) -> None:
        self.data, self.settings, self.link_for = data, settings, link_for
        self.retry_seconds = retry_seconds
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._again = threading.Event()

    def nudge(self) -> threading.Thread | None:
        """Send what waits soon (now, or once the current run ends); the thread, if mail is configured."""
        if self.settings is None:
            return None
        with self._lock:
            self._again.set()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._send, name="archive-mail", daemon=True)
                self._thread.start()
            return self._thread

    def _send(self) -> None:
        delay = self.retry_seconds
        while self._again.is_set():
            self._again.clear()
            if self._run_once():
                delay = self.retry_seconds
            elif not self._again.wait(delay):  # a nudge meanwhile tries again at once
                self._again.set()
                delay = min(delay * 2, MAIL_RETRY_MAX_SECONDS)

    def _run_once(self) -> bool:
        """One pass over the queue; True if nothing is left waiting."""
        try:
            with mail_lock(self.data.root), Catalog(self.data.catalog) as catalog:
                report = send_waiting(catalog, self.settings, self.link_for)
        except LockBusy:  # another process sends; whatever it leaves is tried again later
            return False
        except Exception:  # a sender that failed must not take the server with it; the mail waits
            log.exception("sending the queued mail failed; `archive mail send` sends what waits")
            return False
        if report.stopped:
            log.warning("mail: %d sent, %d waiting: %s; trying again later", report.sent, report.waiting,
                        report.stopped)
        return report.waiting == 0


def init_app(app: Flask) -> None:
    app.extensions[_KEY] = BackgroundOcr(app.config["DATA"], app.config["OCR_LANGUAGE"])
    app.extensions[_REPAIR_KEY] = BackgroundRepair(app.config["DATA"])
    settings = app.config["MAIL_SETTINGS"]
    sender = BackgroundMail(app.config["DATA"], settings,
                            lambda token: password_link(settings.base_url, token) if settings else "",
                            app.config["MAIL_RETRY_SECONDS"])
    app.extensions[_MAIL_KEY] = sender
    if app.config.get("FOLLOW_SECONDS"):
        app.extensions[_FOLLOW_KEY] = BackgroundFollow(app.config["DATA"], app.config["FOLLOW_SECONDS"]).start()
    if settings is not None:
        with Catalog(app.config["DATA"].catalog) as catalog:
            if waiting_count(catalog):  # left by a server that stopped, or a run that failed
                sender.nudge()


def reader(app: Flask) -> BackgroundOcr:
    return app.extensions[_KEY]


def repairer(app: Flask) -> BackgroundRepair:
    return app.extensions[_REPAIR_KEY]


def mailer(app: Flask) -> BackgroundMail:
    return app.extensions[_MAIL_KEY]


def sends_mail(app: Flask) -> bool:
    """Whether this server has mail settings (else one-time links are shown to admins, never mailed)."""
    return app.config["MAIL_SETTINGS"] is not None


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
