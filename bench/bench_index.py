"""Rebuild speed: `archive reindex` of a generated archive against SQLite FTS5 indexing the same page texts.

    .venv/bin/python -m bench.bench_index --docs 600            # the small archive (about a minute in all)
    .venv/bin/python -m bench.bench_index --docs 600 --whoosh   # also Whoosh's own writer, the way before
    .venv/bin/python -m bench.bench_index --docs 10000          # the search benchmark's corpus (cached)

`archive reindex` runs as a child process, measured with wait4: wall time, CPU-seconds of it and every
worker it started, and the largest resident set among them. FTS5 indexes the same catalog's page texts
(one row per document: title and the pages joined, porter tokenizer) in this process.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from whoosh import index as whoosh_index

from bench.bench_search import _children, _cpu_seconds
from bench.corpus import OUT, CorpusSpec, fill_catalog
from archive.catalog import Catalog
from archive.datadir import DataDir
from indexer.search.schema import SCHEMA_VERSION


def catalog_only(spec: CorpusSpec) -> DataDir:
    """The corpus's catalog (generated once and cached), without building its index."""
    data = DataDir(OUT / f"corpus-{spec.key}").ensure()
    marker = data.root / "catalog.done"
    if not marker.exists():
        with Catalog(data.catalog_path) as catalog:
            fill_catalog(catalog, spec)
        marker.write_text(str(spec))
    return data


def reindex(data: DataDir) -> dict:
    """`archive reindex` in a child process: wall time, CPU-seconds of it and every process under it, and
    the largest peak RSS among them (MB).

    Its workers are children of multiprocessing's fork server, which no one waits for, so their CPU time
    is sampled from /proc every 0.5 s while they run (the last half second of each may be missed).
    """
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "web.cli", "--data-dir", str(data.root), "reindex"],
                             stdout=subprocess.DEVNULL)
    seen: dict[int, tuple[float, int]] = {}
    while child.poll() is None:
        for pid in _descendants(child.pid):
            try:
                seen[pid] = (_cpu_seconds(pid), _peak_rss_kb(pid))
            except OSError:
                continue
        time.sleep(0.5)
    wall = time.perf_counter() - started
    if child.returncode:
        raise SystemExit(f"archive reindex failed (status {child.returncode})")
    cpu = sum(c for c, _ in seen.values())
    return {"wall": wall, "cpu": cpu, "rss_mb": max((r for _, r in seen.values()), default=0) / 1024,
            "processes": len(seen), "segments": _segments(data)}


def _descendants(pid: int) -> list[int]:
    found, todo = [pid], [pid]
    while todo:
        kids = _children(todo.pop())
        found += kids
        todo += kids
    return found


def _peak_rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _segments(data: DataDir) -> int:
    with whoosh_index.open_dir(str(data.index_dir)).reader() as reader:
        return len(reader.leaf_readers())


def fts5(data: DataDir) -> dict:
    """SQLite FTS5 indexing the same documents' titles and page texts from the catalog."""
    with tempfile.TemporaryDirectory() as tmp:
        cpu, started = time.process_time(), time.perf_counter()
        db = sqlite3.connect(Path(tmp) / "fts.sqlite3")
        db.executescript(f"""
            ATTACH '{data.catalog_path}' AS cat;
            CREATE VIRTUAL TABLE docs_fts USING fts5(title, content, tokenize='porter');
            INSERT INTO docs_fts(rowid, title, content)
                SELECT d.id, d.title, group_concat(p.text, ' ') FROM cat.documents d
                JOIN cat.pages p ON p.doc_id = d.id GROUP BY d.id;
            """)
        db.commit()
        db.close()
        return {"wall": time.perf_counter() - started, "cpu": time.process_time() - cpu}


def whoosh_way(data: DataDir) -> dict:
    """Whoosh's own writer over the same catalog (plain text through the analyzer, one commit, merged)."""
    from indexer.search.index import PAGE_GAP, document_fields, new_index_folder
    from whoosh.writing import SegmentWriter

    folder = new_index_folder(data.root / "whoosh-way")
    cpu, started = time.process_time(), time.perf_counter()
    ix = whoosh_index.open_dir(str(folder))
    writer = SegmentWriter(ix, compound=False, limitmb=256)
    with Catalog(data.catalog_path) as catalog:
        for doc in catalog.iter_documents():
            text = PAGE_GAP.join(t for _, t in catalog.page_texts(doc.id))
            writer.add_document(**{**document_fields(doc, (), None), "content": text, "content_counts": text})
    writer.commit(optimize=True)
    result = {"wall": time.perf_counter() - started, "cpu": time.process_time() - cpu,
              "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    shutil.rmtree(folder, ignore_errors=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=600)
    parser.add_argument("--whoosh", action="store_true", help="also time Whoosh's own writer (slow)")
    args = parser.parse_args()
    spec = CorpusSpec(documents=args.docs)
    data = catalog_only(spec)
    with Catalog(data.catalog_path) as catalog:
        pages = catalog.db.execute("SELECT count(*), sum(length(text)) FROM pages").fetchone()
    print(f"load average {os.getloadavg()[0]:.2f}; {args.docs} documents, {pages[0]} pages, "
          f"{pages[1] / 1e6:.0f} MB of text; {os.cpu_count()} cores")
    ours = reindex(data)
    # bench_search reuses this index (corpus.build rebuilds only without this marker)
    (data.root / f"index.done.{SCHEMA_VERSION}").write_text(f"{ours['wall']:.0f} s\n")
    print(f"archive reindex: {ours['wall']:.1f} s wall, {ours['cpu']:.1f} CPU-s, peak RSS {ours['rss_mb']:.0f} MB, "
          f"{ours['segments']} segment(s); {ours['processes']} processes")
    fts = fts5(data)
    print(f"SQLite FTS5:     {fts['wall']:.2f} s wall, {fts['cpu']:.2f} CPU-s")
    print(f"ratio reindex / FTS5: {ours['wall'] / fts['wall']:.1f}x wall")
    if args.whoosh:
        old = whoosh_way(data)
        print(f"Whoosh's writer: {old['wall']:.1f} s wall, {old['cpu']:.1f} CPU-s, peak RSS {old['rss_mb']:.0f} MB "
              f"({old['wall'] / ours['wall']:.1f}x the reindex)")
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
