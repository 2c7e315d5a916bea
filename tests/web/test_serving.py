"""`archive serve --processes 2`: two waitress processes answer on one port and stop together."""
from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from tests.e2e.test_browser import _free_port, _wait_for


def _children(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid):
            found.append(int(status.parent.name))
    return found


def _forked(pid: int, count: int) -> list[int]:
    """The server's children once it has forked `count` (the port listens before the forks end)."""
    for _ in range(100):
        found = _children(pid)
        if len(found) >= count:
            return found
        time.sleep(0.1)
    return _children(pid)


@contextmanager
def _two_processes(loaded, *extra: str) -> Iterator[tuple[subprocess.Popen, int, list[int]]]:
    """`archive serve --processes 2` on a free port: (the parent, the port, its two children); stopped after."""
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "web.cli", "--data-dir", str(loaded.root), "serve",
                               "--port", str(port), "--processes", "2", *extra],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        _wait_for(port, server)
        yield server, port, _forked(server.pid, 2)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)


def _client(port: int, timeout: float = 30) -> http.client.HTTPConnection:
    """A keep-alive connection that has had one search answered."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    conn.request("GET", "/search?q=pension")
    response = conn.getresponse()
    assert response.status == 200 and b"Financial Audit for Fiscal Year 2019" in response.read()
    return conn


def test_two_processes_share_the_port_and_stop_on_sigterm(loaded):
    with _two_processes(loaded) as (server, port, children):
        assert len(children) == 2
        for _ in range(6):
            _client(port).close()
    assert server.returncode == 0
    assert not [pid for pid in children if Path(f"/proc/{pid}").exists()]


def _established(pid: int, port: int) -> int:
    """How many established connections to `port` the process holds (from /proc, no extra tools)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":
                inodes.add(fields[9])
    held = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = fd.readlink().as_posix()
        except OSError:
            continue
        held += target.startswith("socket:[") and target[8:-1] in inodes
    return held


def test_keep_alive_clients_are_shared_evenly_between_the_processes(loaded):
    with _two_processes(loaded, "--threads", "8") as (_, port, children):
        connections = [_client(port) for _ in range(8)]  # eight clients that stay connected, as the benchmark's
        held = sorted(_established(pid, port) for pid in children)
        for conn in connections:
            conn.close()
    assert held == [4, 4]


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_idle_processes_wait_without_using_the_cpu(loaded):
    with _two_processes(loaded) as (_, port, children):
        conn = _client(port)  # one idle keep-alive client too
        before = sum(map(_cpu_seconds, children))
        time.sleep(2)
        used = sum(map(_cpu_seconds, children)) - before
        conn.close()
    assert used < 0.5  # a loop that polls without waiting burns 4 CPU-seconds here


def test_the_other_process_takes_every_client_when_one_has_died(loaded):
    with _two_processes(loaded) as (_, port, (first, second)):
        os.kill(first, signal.SIGKILL)
        connections = [_client(port, timeout=10) for _ in range(4)]
        held = _established(second, port)
        for conn in connections:
            conn.close()
    assert held == 4


def _interval_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [repr(sys.getswitchinterval()).encode()]


def _serve_interval_app(port: int, processes: int) -> None:
    from web import serving

    try:
        serving.serve(lambda: _interval_app, "127.0.0.1", port, processes=processes, threads=2)
    finally:
        os._exit(0)


def test_serving_processes_hand_the_gil_over_often():
    """waitress's I/O thread needs the GIL to read each request and send each response, behind CPU-bound
    search threads: every serving process (forked children too) switches threads every SWITCH_SECONDS, not
    at Python's default 5 ms."""
    import multiprocessing

    from web.serving import SWITCH_SECONDS

    assert SWITCH_SECONDS < sys.getswitchinterval()  # the test process keeps Python's default
    for processes in (1, 2):
        port = _free_port()
        server = multiprocessing.get_context("fork").Process(target=_serve_interval_app, args=(port, processes))
        server.start()
        try:
            for _ in range(100):
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                    conn.request("GET", "/")
                    break
                except OSError:
                    time.sleep(0.1)
            assert float(conn.getresponse().read()) == SWITCH_SECONDS
        finally:
            os.kill(server.pid, signal.SIGTERM)
            server.join(timeout=20)
