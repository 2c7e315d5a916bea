"""One writer at a time, by design: kernel file locks (flock) in the data folder.

Two locks: the **load lock**, held for a whole bulk load, reindex or OCR run, so only one runs at a time;
and the short **write lock**, held while one batch, edit or upload is written to the catalog and index,
so a staff edit slips in between a load's batches. The kernel frees a lock when its holder dies, so a
`kill -9` never leaves one stuck. Beside each lock a small file names the holder (pid, what, command,
start time) so that whoever waits can say what for.
"""
from __future__ import annotations

import fcntl
import json
import os
import shlex
import socket
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

if TYPE_CHECKING:
    from archive.datadir import DataDir

LOAD_LOCK = "load.lock"
WRITE_LOCK = "write.lock"
HOLDER_SUFFIX = ".holder"
POLL_SECONDS = 0.1


@dataclass(frozen=True)
class Holder:
    """Who holds a lock: their pid, what they do (a load, an edit), their command and when they took it."""

    pid: int
    what: str
    command: str
    started: float
    host: str = ""  # named when the lock is the catalog database's, which processes on other machines share

    def describe(self) -> str:
        """E.g. "the load started at 14:02, pid 1234 (archive load /drop)"; with "on web-2" for another host."""
        when = time.localtime(self.started)
        today = time.localtime().tm_yday == when.tm_yday and time.localtime().tm_year == when.tm_year
        at = time.strftime("%H:%M" if today else "%Y-%m-%d %H:%M", when)
        where = f" on {self.host}" if self.host else ""
        return f"the {self.what} started at {at}, pid {self.pid}{where} ({self.command})"


class LockBusy(RuntimeError):
    """Another process holds the lock and we would not (or no longer) wait; nothing was done."""

    def __init__(self, holder: Holder | None, message: str) -> None:
        self.holder = holder
        super().__init__(message)


def this_command() -> str:
    """This process's command line, as a person would type it."""
    return shlex.join([Path(sys.argv[0]).name, *sys.argv[1:]]) if sys.argv and sys.argv[0] else f"python (pid {os.getpid()})"


def read_holder(lock_path: Path) -> Holder | None:
    """The holder recorded beside a lock, or None if none is (or it can't be read)."""
    try:
        fields = json.loads(Path(str(lock_path) + HOLDER_SUFFIX).read_text(encoding="utf-8"))
        return Holder(int(fields["pid"]), str(fields["what"]), str(fields["command"]), float(fields["started"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_holder(lock_path: Path, holder: Holder) -> None:
    # Temp file then rename: a reader never sees half a record.
    final = Path(str(lock_path) + HOLDER_SUFFIX)
    temp = final.with_name(f".{final.name}.{os.getpid()}.{threading.get_ident()}")
    temp.write_text(json.dumps(holder.__dict__), encoding="utf-8")
    os.replace(temp, final)


class _Held(threading.local):
    """The locks this thread holds, with their depth: a nested take by the same thread is free."""

    def __init__(self) -> None:
        self.depth: dict[str, int] = {}


_held = _Held()


def _try_flock(handle) -> bool:
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


@contextmanager
def hold(lock_path: Path, what: str, wait: float | None = None,
         on_wait: Callable[[Holder | None], None] | None = None, command: str | None = None) -> Iterator[Holder]:
    """Hold the lock at `lock_path` for the block, waiting up to `wait` seconds (None: for as long as it
    takes; 0: not at all); `on_wait(holder)` is called once if we have to wait. Raises LockBusy."""
    key = str(lock_path)
    if _held.depth.get(key):
        _held.depth[key] += 1
        try:
            yield read_holder(lock_path)
        finally:
            _held.depth[key] -= 1
        return
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a") as handle:
        _acquire(handle, lock_path, what, wait, on_wait)
        me = Holder(os.getpid(), what, command or this_command(), time.time())
        _write_holder(lock_path, me)
        _held.depth[key] = 1
        try:
            yield me
        finally:
            _held.depth.pop(key, None)
            # Removed while still held, so we never delete the next holder's record.
            Path(key + HOLDER_SUFFIX).unlink(missing_ok=True)
            fcntl.flock(handle, fcntl.LOCK_UN)


def _acquire(handle, lock_path: Path, what: str, wait: float | None,
             on_wait: Callable[[Holder | None], None] | None) -> None:
    """Take the flock, polling so that a wait can have a limit; LockBusy when the limit passes."""
    poll(lambda: _try_flock(handle), lambda: read_holder(lock_path), what, wait, on_wait)


def poll(take: Callable[[], bool], holder: Callable[[], Holder | None], what: str, wait: float | None,
         on_wait: Callable[[Holder | None], None] | None) -> None:
    """Try `take` until it succeeds, telling `on_wait` once who holds the lock; LockBusy naming the holder
    once `wait` seconds have passed (None: wait as long as it takes)."""
    deadline = None if wait is None else time.monotonic() + wait
    told = False
    while not take():
        current = holder()
        if deadline is not None and time.monotonic() >= deadline:
            raise LockBusy(current, busy_message(current, what, wait))
        if on_wait and not told:
            on_wait(current)
            told = True
        time.sleep(POLL_SECONDS)


def busy_message(holder: Holder | None, what: str, waited: float | None) -> str:
    """One line: who holds the lock, and that we did nothing."""
    who = holder.describe() if holder else "another process"
    after = f" after waiting {waited:.0f} s" if waited else ""
    return f"busy: {who} is writing to the archive; this {what} did not start{after}, nothing was changed"


def waiting_message(holder: Holder | None) -> str:
    """What a waiting process says: "waiting for the load started at 14:02, pid 1234 (...)"."""
    return f"waiting for {holder.describe() if holder else 'another process that writes to the archive'}"


def load_lock(root: Path, what: str, wait: float | None = None,
              on_wait: Callable[[Holder | None], None] | None = None):
    """The data folder's load lock: one bulk load, reindex or OCR run at a time."""
    return hold(Path(root) / LOAD_LOCK, what, wait, on_wait)


def write_lock(root: Path, what: str, wait: float | None = None,
               on_wait: Callable[[Holder | None], None] | None = None):
    """The data folder's write lock: one batch, edit or upload written at a time."""
    return hold(Path(root) / WRITE_LOCK, what, wait, on_wait)


# -- beyond one machine: the catalog database's advisory locks -------------------------------------------
# With the catalog on PostgreSQL, processes on several machines write to one archive, so the load lock is a
# session-level advisory lock of the database: the server frees it when the holder's connection ends, which
# a process that dies (even by `kill -9`) ends. The holder is named in the table `lock_holders`.
# (A single catalog write is serialised by a transaction-level advisory lock: `archive.database`. The write
# lock above stays a node's own: it guards that node's index, which no other node writes.)
DATABASE_LOCK_KEYS = {LOAD_LOCK: 0x61726369}


def archive_load_lock(data: "DataDir", what: str, wait: float | None = None,
                      on_wait: Callable[[Holder | None], None] | None = None):
    """The archive's load lock: the catalog database's when it is on PostgreSQL, else the data folder's."""
    if data.on_postgres:
        return database_lock(data.catalog_url, LOAD_LOCK, what, wait, on_wait)
    return load_lock(data.root, what, wait, on_wait)


@contextmanager
def database_lock(url: str, name: str, what: str, wait: float | None = None,
                  on_wait: Callable[[Holder | None], None] | None = None) -> Iterator[Holder]:
    """Hold the database's advisory lock `name` for the block (waits as `hold` does); raises LockBusy."""
    from archive.catalog import Catalog
    from archive.database import PgConnection

    Catalog(url).close()  # the schema, with its table of holders, exists before the first lock is taken
    db = PgConnection(url)
    try:
        poll(lambda: db.execute("SELECT pg_try_advisory_lock(?)", (DATABASE_LOCK_KEYS[name],)).fetchone()[0],
             lambda: database_holder(db, name), what, wait, on_wait)
        me = Holder(os.getpid(), what, this_command(), time.time(), socket.gethostname())
        db.execute("INSERT INTO lock_holders (name, host, pid, what, command, started) VALUES (?,?,?,?,?,?)"
                   " ON CONFLICT (name) DO UPDATE SET host = excluded.host, pid = excluded.pid,"
                   " what = excluded.what, command = excluded.command, started = excluded.started",
                   (name, me.host, me.pid, me.what, me.command, me.started))
        try:
            yield me
        finally:
            db.execute("DELETE FROM lock_holders WHERE name = ?", (name,))  # while still held: never the next one's
            db.execute("SELECT pg_advisory_unlock(?)", (DATABASE_LOCK_KEYS[name],))
    finally:
        db.close()


def database_holder(db, name: str) -> Holder | None:
    """Who holds the database lock `name`, as its holder recorded it (None if nobody said)."""
    row = db.execute("SELECT pid, what, command, started, host FROM lock_holders WHERE name = ?", (name,)).fetchone()
    return Holder(*row) if row else None
