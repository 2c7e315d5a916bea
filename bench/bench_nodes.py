"""Searches per second with one node and with two over one PostgreSQL catalog, and catalog latency on SQLite
against PostgreSQL, in one run.

    .venv/bin/python -m bench.bench_nodes [--seconds 10] [--clients 8]

Starts its own PostgreSQL (as the tests do), loads samples/ into a SQLite data folder, copies that catalog into
PostgreSQL with `archive catalog migrate`, then serves it from two nodes, each with its own index folder.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from archive.catalog import Catalog
from archive.metadata import DocumentMeta
from tests.postgres import PostgresServer, pg_bin

ROOT = Path(__file__).resolve().parent.parent
WORDS = ["arbitration", "pension", "resolution", "contract", "audit", "organizing", "grievance", "dues", "health",
         "salary", "convention", "paraprofessional", "budget", "members", "strike", "wages"]


def archive(*args: str, env: dict | None = None) -> None:
    subprocess.run([sys.executable, "-m", "web.cli", *args], check=True, env=env, cwd=ROOT,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def latency(target, ids: list[int], rounds: int) -> tuple[float, float, float]:
    """(p50, p95) ms of what a page view asks the catalog (connect, a document, its pages), and p50 ms of an edit."""
    reads = []
    for _ in range(rounds):
        started = time.perf_counter()
        with Catalog(target) as catalog:
            doc_id = random.choice(ids)
            catalog.get(doc_id)
            catalog.page_texts(doc_id)
        reads.append((time.perf_counter() - started) * 1000)
    writes = []
    with Catalog(target) as catalog:
        for _ in range(rounds // 3):
            doc = catalog.get(random.choice(ids))
            started = time.perf_counter()
            catalog.update_meta(doc.id, DocumentMeta(**{**doc.meta.__dict__, "title": doc.title + " "}))
            writes.append((time.perf_counter() - started) * 1000)
    reads.sort()
    return statistics.median(reads), reads[int(len(reads) * 0.95)], statistics.median(writes)


def hammer(urls: list[str], seconds: float, clients: int) -> tuple[float, int]:
    """Searches per second over `seconds` by `clients` threads spread over the nodes' URLs, and errors."""
    done, errors = [0] * clients, [0] * clients
    stop = time.monotonic() + seconds

    def client(n: int) -> None:
        base = urls[n % len(urls)]
        while time.monotonic() < stop:
            try:
                urllib.request.urlopen(f"{base}/search?q={random.choice(WORDS)}", timeout=30).read()
                done[n] += 1
            except OSError:
                errors[n] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / seconds, sum(errors)


def serve(root: Path, port: int, env: dict) -> subprocess.Popen:
    node = subprocess.Popen([sys.executable, "-m", "web.cli", "--data-dir", str(root), "serve", "--port", str(port)],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/help", timeout=2).read()
            return node
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"the node on port {port} did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-nodes-"))
    server = PostgresServer(pg_bin(), durable=True).start()  # fsync on, as in production
    nodes: list[subprocess.Popen] = []
    try:
        url = server.new_database()
        single = work / "single"
        folders = [str(p) for p in sorted((ROOT / "samples").iterdir()) if p.is_dir() and p.name != "words"]
        archive("--data-dir", str(single), "load", *folders, "--jobs", "2")
        archive("--data-dir", str(single), "catalog", "migrate", "--to", url)
        with Catalog(single / "catalog.sqlite3") as catalog:
            ids = sorted(catalog.document_ids())
        print(f"{len(ids)} documents; {os.cpu_count()} cores shared by the nodes, the clients and PostgreSQL")
        for name, target in (("SQLite", single / "catalog.sqlite3"), ("PostgreSQL", url)):
            p50, p95, write = latency(target, ids, args.rounds)
            print(f"catalog, {name:<10}: page view (connect, document, pages) p50 {p50:.2f} ms, p95 {p95:.2f} ms;"
                  f" edit p50 {write:.2f} ms")
        env = {**os.environ, "ARCHIVE_CATALOG_URL": url, "ARCHIVE_STORE_DIR": str(single / "store")}
        nodes = [serve(work / "node-a", 18701, env)]
        one, errors_one = hammer(["http://127.0.0.1:18701"], args.seconds, args.clients)
        nodes.append(serve(work / "node-b", 18702, env))
        two, errors_two = hammer(["http://127.0.0.1:18701", "http://127.0.0.1:18702"], args.seconds, args.clients)
        print(f"searches/s, {args.clients} clients: one node {one:.1f} ({errors_one} errors), "
              f"two nodes {two:.1f} ({errors_two} errors)")
    finally:
        for node in nodes:
            node.terminate()
            node.wait()
        server.stop()


if __name__ == "__main__":
    main()
