"""The data folder's locks: one holder at a time, a record of who holds it, freed by the kernel on death."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from archive.locks import LockBusy, load_lock, read_holder, waiting_message, write_lock

HOLD_IN_CHILD = """
import sys, time
from pathlib import Path
from archive.locks import load_lock
with load_lock(Path(sys.argv[1]), "load"):
    print("held", flush=True)
    time.sleep(60)
"""


def _child_holding_the_load_lock(root: Path) -> subprocess.Popen:
    child = subprocess.Popen([sys.executable, "-c", HOLD_IN_CHILD, str(root)], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "held"
    return child


def test_a_busy_lock_names_its_holder_and_refuses_at_once_without_waiting(tmp_path):
    child = _child_holding_the_load_lock(tmp_path)
    try:
        holder = read_holder(tmp_path / "load.lock")
        assert holder.pid == child.pid and holder.what == "load"
        started = time.monotonic()
        with pytest.raises(LockBusy, match=rf"the load started at \d\d:\d\d, pid {child.pid}"):
            with load_lock(tmp_path, "reindex", wait=0):
                pass
        assert time.monotonic() - started < 1
    finally:
        child.kill()
        child.wait()


def test_the_kernel_frees_the_lock_of_a_holder_killed_with_sigkill(tmp_path):
    child = _child_holding_the_load_lock(tmp_path)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    with load_lock(tmp_path, "load", wait=2) as me:
        assert read_holder(tmp_path / "load.lock") == me  # the dead holder's record was replaced
    assert read_holder(tmp_path / "load.lock") is None  # and ours is gone with us


def test_a_waiter_says_what_it_waits_for_then_gets_the_lock_when_it_is_free(tmp_path):
    free = threading.Event()

    def hold() -> None:
        with write_lock(tmp_path, "edit"):
            held.set()
            free.wait(10)

    held = threading.Event()
    thread = threading.Thread(target=hold)
    thread.start()
    held.wait(5)
    heard = []
    threading.Timer(0.5, free.set).start()
    with write_lock(tmp_path, "load (writing a batch)", wait=10, on_wait=heard.append):
        pass
    thread.join()
    assert len(heard) == 1
    assert waiting_message(heard[0]).startswith("waiting for the edit started at ") and f"pid {os.getpid()}" in \
        waiting_message(heard[0])


def test_a_wait_with_a_limit_ends_in_lock_busy(tmp_path):
    release = threading.Event()
    held = threading.Event()

    def hold() -> None:
        with write_lock(tmp_path, "load (writing a batch)"):
            held.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait(5)
    started = time.monotonic()
    try:
        with pytest.raises(LockBusy, match="nothing was changed"):
            with write_lock(tmp_path, "edit", wait=0.5):
                pass
    finally:
        release.set()
        thread.join()
    assert 0.4 < time.monotonic() - started < 3


def test_the_same_thread_may_take_a_lock_it_holds_again(tmp_path):
    with write_lock(tmp_path, "edit"):
        with write_lock(tmp_path, "edit", wait=0):
            pass
        assert read_holder(tmp_path / "write.lock") is not None  # still held by the outer block


HOLD_DATABASE_LOCK_IN_CHILD = """
import sys, time
from archive.locks import LOAD_LOCK, database_lock
with database_lock(sys.argv[1], LOAD_LOCK, "load"):
    print("held", flush=True)
    time.sleep(60)
"""


def test_on_postgresql_the_load_lock_is_the_databases_and_names_host_pid_and_command(postgres_server):
    """Another machine's process would see the same: the lock and its holder live in the catalog database."""
    import socket

    from archive.catalog import Catalog
    from archive.locks import LOAD_LOCK, database_lock

    url = postgres_server.new_database()
    Catalog(url).close()  # the schema, with its lock_holders table
    child = subprocess.Popen([sys.executable, "-c", HOLD_DATABASE_LOCK_IN_CHILD, url], stdout=subprocess.PIPE,
                             text=True)
    try:
        assert child.stdout.readline().strip() == "held"
        host = socket.gethostname()
        with pytest.raises(LockBusy, match=rf"the load started at \d\d:\d\d, pid {child.pid} on {host} \(-c "):
            with database_lock(url, LOAD_LOCK, "reindex", wait=0):
                pass
        os.kill(child.pid, signal.SIGKILL)  # the server ends its session, and the lock with it
        child.wait()
        with database_lock(url, LOAD_LOCK, "reindex", wait=5) as me:
            assert (me.pid, me.what, me.host) == (os.getpid(), "reindex", host)
            with Catalog(url) as catalog:
                assert catalog.db.execute("SELECT pid, what FROM lock_holders").fetchall() == [(os.getpid(), "reindex")]
        with Catalog(url) as catalog:
            assert catalog.db.execute("SELECT COUNT(*) FROM lock_holders").fetchone()[0] == 0
    finally:
        child.kill()
        child.wait()
