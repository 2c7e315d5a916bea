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
from typing import Any, Callable

import waitress
from waitress.server import create_server


def serve(make_app: Callable[[], Any], host: str, port: int, processes: int = 1, **options: Any) -> None:
    """Serve until stopped; with processes > 1, each child builds its own app after the fork."""
    if processes <= 1:
        waitress.serve(make_app(), host=host, port=port, **options)
        return
    listener = socket.create_server((host, port), reuse_port=False, backlog=1024)
    loads = multiprocessing.RawArray("l", processes)  # open connections per process, shared after fork
    # A process that stopped listening looks again at least this often (it also wakes on its own traffic).
    options.setdefault("asyncore_loop_timeout", 0.05)
    children = [_fork_worker(make_app, listener, options, loads, me) for me in range(processes)]
    listener.close()

    def stop(signum: int, _frame: object) -> None:
        for pid in children:
            _signal(pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for pid in children:
        os.waitpid(pid, 0)


def _fork_worker(make_app: Callable[[], Any], listener: socket.socket, options: dict, loads: Any, me: int) -> int:
    pid = os.fork()
    if pid:
        return pid
    code = 0
    try:  # the child: its own app (catalog connections, searchers) opened after the fork
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent turns Ctrl-C into SIGTERM for each child
        signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
        server = create_server(make_app(), sockets=[listener], **options)
        balance(server, loads, me)
        server.run()
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def balance(server: Any, loads: Any, me: int) -> None:
    """Make a waitress server accept only while its connections are fewest among `loads`.

    waitress asks `readable()` before every wait: it is the one place where accepting is switched
    on and off (its own connection_limit works the same way).
    """
    own_readable = server.readable

    def readable() -> bool:
        loads[me] = len(server._map)  # the listener, the trigger and one entry per connection
        return own_readable() and loads[me] <= min(loads)

    server.readable = readable


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass
