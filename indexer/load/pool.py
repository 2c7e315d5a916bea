"""A pool of extraction worker processes that a bad file cannot stall, crash or exhaust.

Workers die with the parent: they are children of multiprocessing's fork server, not of the load, so a
parent-death signal would watch the fork server; instead each worker watches a pipe whose only write end
the load holds, and exits the moment the kernel closes it (the load ended, however it died). The fork
server itself exits when the load does (multiprocessing's own "alive" pipe).

Each worker runs one task at a time under an address-space limit (RLIMIT_AS). The parent watches a
deadline per task that grows with the file's page count once the worker announces it, so a genuine
600-page report gets its time while a single pathological page does not hold a worker forever. A
worker that overruns, dies or runs out of memory is killed and replaced; its task comes back as a
`PoolFailure` and the rest go on.
"""
from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.forkserver
import os
import resource
import signal
import threading
import time
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Callable, Generic, Iterable, Iterator, TypeVar

from indexer.extract import result as extraction
from indexer.extract.errors import Reason
from indexer.extract.result import OCR_PAGE_SECONDS, OCR_RENDER_SECONDS
from indexer.processes import without_main_module

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

# Modules every worker needs, imported once in the fork server so new workers start in milliseconds. The
# extractors are named on their own: indexer.load.prepare leaves them to its workers.
PRELOAD = ["indexer.load.prepare", "indexer.extract.dispatch"]
POLL_SECONDS = 0.5


@dataclass(frozen=True)
class PoolLimits:
    """Per-task limits: wall time is `base_seconds`, plus `seconds_per_page` for each page announced, plus
    `ocr_seconds_per_page` for each page announced for OCR (a scan takes seconds of tesseract per page)."""

    base_seconds: float = 30.0
    seconds_per_page: float = 2.0
    ocr_seconds_per_page: float = OCR_PAGE_SECONDS + OCR_RENDER_SECONDS  # tesseract's own limit plus rendering
    memory_mb: int = 2048
    tasks_per_worker: int = 500  # recycle workers now and then, so slow leaks in libraries stay bounded

    def budget(self, pages: int, ocr_pages: int) -> float:
        """Seconds a file of `pages` pages, `ocr_pages` of them read by OCR, may take."""
        return self.base_seconds + self.seconds_per_page * pages + self.ocr_seconds_per_page * ocr_pages


@dataclass(frozen=True)
class PoolFailure:
    """A task the pool gave up on; `reason` is timeout, memory or crashed."""

    reason: Reason
    detail: str


class _Worker:
    """One child process and the tasks sent to it, oldest (the one running) first."""

    def __init__(self, ctx, target: Callable, limits: PoolLimits, alive: Connection) -> None:
        self.conn, child_conn = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(child_conn, target, limits.memory_mb, alive),
                                   daemon=True)
        self.process.start()
        child_conn.close()
        self.tasks: deque = deque()
        self.started = time.monotonic()
        self.pages = self.ocr_pages = 0
        self.done = 0

    def send(self, task) -> None:
        if not self.tasks:
            self.started, self.pages, self.ocr_pages = time.monotonic(), 0, 0
        self.tasks.append(task)
        self.conn.send(task)

    def deadline(self, limits: PoolLimits) -> float:
        return self.started + limits.budget(self.pages, self.ocr_pages)

    def finish_one(self):
        """The running task is over: the next queued one starts now."""
        task = self.tasks.popleft()
        self.started, self.pages, self.ocr_pages, self.done = time.monotonic(), 0, 0, self.done + 1
        return task

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()


class WorkerPool(Generic[T, R]):
    """Run `target(task)` over tasks in `jobs` processes; results come back as they finish."""

    def __init__(self, target: Callable[[T], R], jobs: int, limits: PoolLimits = PoolLimits(),
                 depth: int = 2, recycle_if: Callable[[R], bool] = lambda result: False) -> None:
        self.ctx = _forkserver_context()
        self.target, self.jobs, self.limits, self.depth = target, max(1, jobs), limits, depth
        self.recycle_if = recycle_if  # e.g. a result that reports running out of memory: start afresh
        self.workers: list[_Worker] = []
        self.alive: tuple[Connection, Connection] | None = None  # (workers' read end, our write end)

    @property
    def capacity(self) -> int:
        """The most tasks the workers hold at once (each runs one and has the rest queued)."""
        return self.jobs * self.depth

    def __enter__(self) -> "WorkerPool[T, R]":
        return self  # workers start with the first task: a re-run with nothing new starts none

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop every worker at once; unfinished tasks are dropped (a re-run redoes them)."""
        for worker in self.workers:
            worker.kill()
        self.workers = []
        if self.alive:
            for end in self.alive:
                end.close()
            self.alive = None

    def _spawn(self) -> _Worker:
        if self.alive is None:
            self.alive = self.ctx.Pipe(duplex=False)  # nothing is ever written: only its closing matters
        with without_main_module():  # the target lives in a module: the command's script need not run again
            return _Worker(self.ctx, self.target, self.limits, self.alive[0])

    def run(self, tasks: Iterable[T], should_stop: Callable[[], bool] = lambda: False
            ) -> Iterator[tuple[T, R | PoolFailure]]:
        """Yield (task, result or PoolFailure) for every task, in the order they finish.

        Tasks are drawn from `tasks` only as workers free up, so a long list is never held in memory.
        When `should_stop()` turns true, tasks still running are abandoned (close() kills them).
        """
        pending: deque = deque()  # tasks taken back from a killed worker, to run again first
        source = self._start_when_needed(iter(tasks))
        exhausted = False
        while not should_stop():
            if not self.workers:
                first = next(source, _END)
                if first is _END:
                    return
                pending.append(first)
            exhausted = self._fill(source, pending, exhausted)
            if not any(w.tasks for w in self.workers):
                return
            yield from self._collect(pending)

    def _fill(self, source: Iterator[T], pending: deque, exhausted: bool) -> bool:
        """Give idle and short-queued workers work; True once the source has run dry."""
        for depth in range(1, self.depth + 1):
            for worker in self.workers:
                if len(worker.tasks) >= depth:
                    continue
                if pending:
                    worker.send(pending.popleft())
                    continue
                if exhausted:
                    return True
                task = next(source, _END)
                if task is _END:
                    return True
                worker.send(task)
        return exhausted

    def _start_when_needed(self, source: Iterator[T]) -> Iterator[T]:
        """`source`, starting the workers just before its first task is handed out."""
        for task in source:
            if not self.workers:
                self.workers = [self._spawn() for _ in range(self.jobs)]
            yield task

    def _collect(self, pending: deque) -> Iterator[tuple[T, R | PoolFailure]]:
        """Wait for the next message or deadline, then handle whatever is ready."""
        now = time.monotonic()
        busy = [w for w in self.workers if w.tasks]
        # Wake at least every POLL_SECONDS so a stop request is seen while workers are busy.
        timeout = min(POLL_SECONDS, max(0.0, min(w.deadline(self.limits) for w in busy) - now))
        by_handle = {}
        for worker in busy:
            by_handle[worker.conn] = worker
            by_handle[worker.process.sentinel] = worker
        ready = wait(list(by_handle), timeout=timeout)
        for handle in ready:
            worker = by_handle[handle]
            if worker in self.workers and handle is worker.conn:
                yield from self._receive(worker, pending)
        for worker in list(self.workers):
            # A message waiting (a result, or the end of a dead worker's pipe) is read next round.
            if worker.tasks and not worker.conn.poll() and time.monotonic() > worker.deadline(self.limits):
                yield self._replace(worker, pending, self._timeout_failure(worker))

    def _receive(self, worker: _Worker, pending: deque) -> Iterator[tuple[T, R | PoolFailure]]:
        """Drain one worker's messages: page counts extend its deadline, results are yielded."""
        while worker.tasks and worker.conn.poll():
            try:
                kind, value = worker.conn.recv()
            except (EOFError, OSError):  # it died mid-task
                worker.process.join(timeout=5)
                yield self._replace(worker, pending, _death_failure(worker.process.exitcode))
                return
            if kind in ("pages", "ocr"):
                setattr(worker, "pages" if kind == "pages" else "ocr_pages", int(value))
                continue
            task = worker.finish_one()
            if kind == "memory":
                yield task, PoolFailure(Reason.MEMORY, value)
                self._replace(worker, pending, None)
                return
            yield task, value
            if worker.done >= self.limits.tasks_per_worker or self.recycle_if(value):
                self._replace(worker, pending, None)
                return

    def _timeout_failure(self, worker: _Worker) -> PoolFailure:
        budget = self.limits.budget(worker.pages, worker.ocr_pages)
        pages = f" for {worker.pages} pages" if worker.pages else ""
        pages += f" ({worker.ocr_pages} of them scans read by OCR)" if worker.ocr_pages else ""
        return PoolFailure(Reason.TIMEOUT, f"extraction took longer than {budget:.0f} s{pages}; the worker was stopped")

    def _replace(self, worker: _Worker, pending: deque, failure: PoolFailure | None):
        """Kill a worker, start a fresh one; its running task gets `failure`, queued ones run again."""
        worker.kill()
        tasks = list(worker.tasks)
        self.workers[self.workers.index(worker)] = self._spawn()
        if failure is None:
            pending.extendleft(reversed(tasks))
            return None
        pending.extendleft(reversed(tasks[1:]))
        log.warning("worker stopped (%s): %s", failure.reason, failure.detail)
        return tasks[0], failure


_END = object()


def start_fork_server() -> None:
    """Start the fork server that workers are made from, and return without waiting for it. Its imports
    (PRELOAD: pypdf, pypdfium2, PIL, ~0.3 s of CPU) then run on another core beside the caller's own start-up,
    instead of after it when the first task comes. Starts no worker; the next WorkerPool uses this server."""
    _forkserver_context()
    multiprocessing.forkserver.ensure_running()  # spawns the server; only a worker's start waits for it


def _forkserver_context():
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    return ctx


def _death_failure(exitcode: int | None) -> PoolFailure:
    if exitcode is not None and exitcode < 0:
        name = signal.Signals(-exitcode).name
        note = " (likely the system's out-of-memory killer)" if -exitcode == signal.SIGKILL else ""
        return PoolFailure(Reason.CRASHED, f"the worker process was killed by {name}{note}")
    return PoolFailure(Reason.CRASHED, f"the worker process exited unexpectedly (code {exitcode})")


def _exit_when_parent_dies(alive: Connection) -> None:
    """Wait in a thread for the parent's end of `alive` to close, then end this process at once, even in
    the middle of a task (the main thread may be deep in a PDF library for minutes)."""
    def watch() -> None:
        try:
            alive.poll(None)  # readable only at EOF: the parent never writes
        except OSError:
            pass
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _address_space() -> int:
    """This process's address space in bytes (0 where /proc does not tell)."""
    try:
        with open("/proc/self/status") as status:
            return next((int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:")), 0)
    except OSError:
        return 0


def _worker_main(conn: Connection, target: Callable, memory_mb: int, alive: Connection) -> None:
    """The worker's loop: take a task, run it, send the result; exit when the parent hangs up."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _exit_when_parent_dies(alive)
    # The limit is a file's budget on top of what the worker holds once started: its libraries and the
    # threads' reserved stacks already take ~275 MB of address space, little of it real memory, and a
    # limit under that failed every file for "memory" (a tiny PDF too, once no freed heap was left over).
    limit = _address_space() + memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    extraction.listen_for_page_count(lambda kind, count: conn.send((kind, count)))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            os._exit(0)
        try:
            conn.send(("done", target(task)))
        except MemoryError:
            conn.send(("memory", f"used more than the memory limit of {memory_mb} MB"))
