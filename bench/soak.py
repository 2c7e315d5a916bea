"""Soak test: 16 clients search, open documents and download for a minute while a bulk load runs, is killed
with SIGKILL mid-way and is run again. Prints requests, errors (goal 0), p95 and the consistency check.

    .venv/bin/python -m bench.soak                  # 500 files, 16 clients, 60 s
    .venv/bin/python -m bench.soak --files 100 --seconds 20

Outside `make test`: it takes minutes and measures a shared machine. The served archive starts from the
sample documents; the load adds the generated PDFs of `bench.bench_load` to it.
"""
from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from archive.datadir import DataDir
from bench.bench_load import corpus
from bench.bench_search import _wait_for
from indexer.load.consistency import check_consistency

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
ARCHIVE = str(Path(sys.executable).with_name("archive"))
QUERIES = ("union", "pension", "grievance arbitration", '"collective bargaining"', "negot*", "staffing ratios",
           "budget", "wages OR salary", "convention", "teachers", "nurses", "nosuchwordanywhere")


class Tally:
    """Requests, errors and latencies, shared by the client threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors: list[str] = []

    def add(self, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies.append(seconds)
            if error:
                self.errors.append(error)


def client(port: int, tally: Tally, stop: threading.Event, seed: int) -> None:
    """One visitor: a search, then a document of its results and its download, over and over."""
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    while not stop.is_set():
        body = _get(conn, f"/search?q={rng.choice(QUERIES).replace(' ', '+')}", tally)
        ids = re.findall(r'href="/documents/(\d+)\?', body or "")
        if ids:
            doc = rng.choice(ids)
            _get(conn, f"/documents/{doc}", tally)
            _get(conn, f"/documents/{doc}/download", tally)


def _get(conn: http.client.HTTPConnection, url: str, tally: Tally) -> str | None:
    started = time.perf_counter()
    try:
        conn.request("GET", url)
        response = conn.getresponse()
        body = response.read()
        error = None if response.status in (200, 206, 401, 404) else f"{response.status} {url}"
        tally.add(time.perf_counter() - started, error)
        return body.decode("utf-8", "replace")
    except (OSError, http.client.HTTPException) as exc:
        tally.add(time.perf_counter() - started, f"{type(exc).__name__} {url}")
        conn.close()
        return None


def load(data: DataDir, folder: Path, kill_after: float | None) -> str:
    """`archive load` of the folder; with `kill_after`, SIGKILL it after that many seconds."""
    proc = subprocess.Popen([ARCHIVE, "--data-dir", str(data.root), "load", str(folder), "--jobs", "2",
                             "--progress-every", "5"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if kill_after is not None:
        time.sleep(kill_after)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return f"killed with SIGKILL after {kill_after:.0f} s"
    output, _ = proc.communicate()
    summary = [line for line in output.splitlines() if " loaded (" in line]
    return summary[-1] if summary else f"exit {proc.returncode}: {output.strip()[-300:]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    folder, pages = corpus(args.files)
    data = DataDir(OUT / "soak").ensure()
    shutil.rmtree(data.root)
    subprocess.run([ARCHIVE, "--data-dir", str(data.root), "load", "--manifest", str(ROOT / "samples" / "manifest.csv")],
                   check=True, capture_output=True)
    port = _free_port()
    server = subprocess.Popen([ARCHIVE, "--data-dir", str(data.root), "serve", "--port", str(port), "--processes", "2"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_for(port)
    tally, stop = Tally(), threading.Event()
    threads = [threading.Thread(target=client, args=(port, tally, stop, n), daemon=True) for n in range(args.clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    print(f"load 1: {load(data, folder, kill_after=args.seconds / 3)}")
    print(f"load 2: {load(data, folder, kill_after=None)}")
    time.sleep(max(0.0, args.seconds - (time.perf_counter() - started)))
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    elapsed = time.perf_counter() - started
    server.terminate()
    server.wait(timeout=30)
    _report(tally, elapsed, args, pages, data)


def _report(tally: Tally, elapsed: float, args, pages: int, data: DataDir) -> None:
    latencies = sorted(tally.latencies)
    p95 = latencies[int(0.95 * (len(latencies) - 1))] * 1000 if latencies else 0.0
    print(f"{args.clients} clients for {elapsed:.0f} s during a load of {args.files} files ({pages} pages), "
          f"killed and run again; machine load average {os.getloadavg()[0]:.2f}")
    print(f"requests {len(latencies)}, errors {len(tally.errors)}, p95 {p95:.0f} ms")
    for error in tally.errors[:10]:
        print(f"  error: {error}")
    problems = check_consistency(data)
    print("consistency check: " + ("catalog, file store and index agree" if not problems else "; ".join(problems[:5])))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


if __name__ == "__main__":
    main()
