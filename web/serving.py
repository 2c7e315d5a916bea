"""Running the app under waitress, optionally in several processes sharing one listening socket.

waitress serves from threads of one process, so Python code runs on one core at a time; search is
CPU-bound, so on a machine with more cores the archive forks a few waitress processes that accept on
the same socket. Index segments are memory-mapped (written with compound=False), so the processes share
them instead of each holding a copy.
"""
from __future__ import annotations

import os
import signal
import socket
from typing import Any, Callable

import waitress


def serve(make_app: Callable[[], Any], host: str, port: int, processes: int = 1, **options: Any) -> None:
    """Serve until stopped; with processes > 1, each child builds its own app after the fork."""
    if processes <= 1:
        waitress.serve(make_app(), host=host, port=port, **options)
        return
    listener = socket.create_server((host, port), reuse_port=False, backlog=1024)
    children = [_fork_worker(make_app, listener, options) for _ in range(processes)]
    listener.close()

    def stop(signum: int, _frame: object) -> None:
        for pid in children:
            _signal(pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for pid in children:
        os.waitpid(pid, 0)


def _fork_worker(make_app: Callable[[], Any], listener: socket.socket, options: dict) -> int:
    pid = os.fork()
    if pid:
        return pid
    code = 0
    try:  # the child: its own app (catalog connections, searchers) opened after the fork
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent turns Ctrl-C into SIGTERM for each child
        signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
        waitress.serve(make_app(), sockets=[listener], **options)
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass
