"""Running the app under waitress, optionally in several processes sharing one listening socket.

waitress serves from threads of one process, so Python code runs on one core at a time; search is
CPU-bound, so on a machine with more cores the archive forks a few waitress processes that accept on
the same socket. Index segments are memory-mapped (written with compound=False), so the processes share
them instead of each holding a copy.

Left to the kernel, whichever process wakes first accepts: with keep-alive connections one process
ended up holding 7 of 8 clients while the other core idled. So a process listens only while it holds
no more connections than any other (counts kept in memory shared by the processes).
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import sys
from typing import Any, Callable

import waitress
from waitress import wasyncore
from waitress.server import create_server

# How often a thread holding the GIL hands it over (Python's default is 5 ms). Searches are CPU-bound, and
# waitress's one I/O thread needs the GIL to read each request and send each response: at 5 ms it queued
# behind the busy request threads. With 8 clients on 2 processes at 50,000 documents, 1 ms cut the p95 from
# ~99 to ~89 ms, at the same CPU a request.
SWITCH_SECONDS = 0.001


def serve(make_app: Callable[[], Any], host: str, port: int, processes: int = 1, **options: Any) -> None:
    """Serve until stopped; with processes > 1, each child builds its own app after the fork."""
    sys.setswitchinterval(SWITCH_SECONDS)  # kept by the forked children
    if processes <= 1:
        waitress.serve(make_app(), host=host, port=port, **options)
        return
    listener = socket.create_server((host, port), reuse_port=False, backlog=1024)
    loads = multiprocessing.RawArray("l", processes)  # open connections per process, shared after fork
    wakeups = [os.pipe() for _ in range(processes)]
    for _, write_end in wakeups:
        os.set_blocking(write_end, False)
    children = [_fork_worker(make_app, listener, options, (loads, wakeups, me)) for me in range(processes)]
    listener.close()

    def stop(signum: int, _frame: object) -> None:
        for pid in children:
            _signal(pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    running = dict(zip(children, range(processes)))
    while running:
        pid, _ = os.wait()
        if pid in running:
            loads[running.pop(pid)] = 0  # a process that ended no longer counts in the balance
            for _, write_end in wakeups:
                _poke(write_end)


def _fork_worker(make_app: Callable[[], Any], listener: socket.socket, options: dict, shares: tuple) -> int:
    pid = os.fork()
    if pid:
        return pid
    code = 0
    try:  # the child: its own app (catalog connections, searchers) opened after the fork
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent turns Ctrl-C into SIGTERM for each child
        signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
        server = create_server(make_app(), sockets=[listener], **options)
        balance(server, *shares)
        server.run()
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def balance(server: Any, loads: Any, wakeups: list[tuple[int, int]], me: int) -> None:
    """Make a waitress server accept only while its connections are fewest among `loads`.

    waitress asks `readable()` before every wait: it is the one place where accepting is switched
    on and off (its own connection_limit works the same way). A process whose count changes wakes
    the others through their pipes, so one that stopped listening looks again at once.
    """
    _Wakeup(wakeups[me][0], map=server._map)
    own_readable = server.readable
    last = [-1]

    def readable() -> bool:
        count = len(server._map)  # the listener, the trigger, the wakeup pipe and one per connection
        if count != last[0]:
            last[0] = loads[me] = count
            for other, (_, write_end) in enumerate(wakeups):
                if other != me:
                    _poke(write_end)
        # 0: a process not started yet, or ended (the parent clears its count); it must not stop the rest.
        return own_readable() and count <= min(n for n in loads if n)

    server.readable = readable


class _Wakeup(wasyncore.file_dispatcher):
    """The read end of a process's wakeup pipe in its waitress loop: bytes in it only wake the loop."""

    def readable(self) -> bool:
        return True

    def writable(self) -> bool:
        return False

    def handle_read(self) -> None:
        try:
            os.read(self._fileno, 4096)
        except BlockingIOError:
            pass


def _poke(write_end: int) -> None:
    try:
        os.write(write_end, b"!")
    except BlockingIOError:  # the pipe is full: that process has wakeups pending already
        pass


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass
