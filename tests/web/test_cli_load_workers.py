"""Workers die with the load: after `kill -9` of `archive load`, neither its fork server nor a worker
lives on (they would otherwise finish their file, or hang on a pathological one, for minutes)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.builders import make_slow_pdf
from tests.web.test_cli_load import ARCHIVE
from tests.web.test_cli_one_writer import _env


def _children(pid: int) -> list[int]:
    """Live processes whose parent is `pid` (read from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its exit status waits for a parent


def _descendants(pid: int) -> list[int]:
    found, queue = [], [pid]
    while queue:
        kids = _children(queue.pop())
        found += kids
        queue += kids
    return found


def _kill_and_list_survivors(proc: subprocess.Popen, at_least: int) -> list[int]:
    """Once `proc` has `at_least` descendants busy, kill -9 it; the descendants alive 3 s later."""
    deadline = time.monotonic() + 60
    family: list[int] = []
    while len(family) < at_least and time.monotonic() < deadline:
        time.sleep(0.1)
        family = _descendants(proc.pid)
    time.sleep(1.0)  # let the workers start on their tasks
    family = _descendants(proc.pid)
    assert len(family) >= at_least, family
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    killed = time.monotonic()
    while any(_alive(pid) for pid in family) and time.monotonic() - killed < 3:
        time.sleep(0.05)
    survivors = [pid for pid in family if _alive(pid)]
    for pid in survivors:  # don't leave them to slow the rest of the suite
        os.kill(pid, signal.SIGKILL)
    return survivors


def test_kill_9_of_a_load_ends_its_fork_server_and_busy_workers_within_seconds(tmp_path):
    drop = tmp_path / "drop"
    for n in range(4):  # the workers are mid-file when the load dies
        make_slow_pdf(drop / f"slow-{n}.pdf", operators=2_000_000 + n)
    load = subprocess.Popen([ARCHIVE, "--data-dir", str(tmp_path / "data"), "load", str(drop), "--jobs", "2",
                             "--timeout", "600", "--progress-every", "0"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env())
    assert _kill_and_list_survivors(load, at_least=3) == []  # the fork server and two workers


START_THE_SERVER_ONLY = """
import os, sys
from indexer.load.pool import start_fork_server
start_fork_server()
print(os.getpid(), flush=True)
sys.stdin.readline()
"""


def test_starting_the_fork_server_early_starts_no_worker():
    owner = subprocess.Popen([sys.executable, "-c", START_THE_SERVER_ONLY], env=_env(), text=True,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        pid = int(owner.stdout.readline())
        servers = [kid for kid in _children(pid) if b"forkserver" in Path(f"/proc/{kid}/cmdline").read_bytes()]
        assert len(servers) == 1  # started, without a task in sight
        assert _children(servers[0]) == []  # and no worker forked from it
    finally:
        owner.communicate("\n", timeout=30)
    assert owner.returncode == 0


POOL_OF_SLEEPERS = """
import time
from indexer.load.pool import PoolLimits, WorkerPool
with WorkerPool(time.sleep, 2, PoolLimits(base_seconds=600)) as pool:
    for _ in pool.run([300, 300]):
        pass
"""


def test_workers_stuck_in_a_task_die_with_the_process_that_owns_the_pool():
    # A task that never reports back (a page deep in a PDF library): only the pipe watch can end it.
    owner = subprocess.Popen([sys.executable, "-c", POOL_OF_SLEEPERS], env=_env())
    assert _kill_and_list_survivors(owner, at_least=3) == []
