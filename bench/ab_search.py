"""The same queries over the same index with two checkouts of the code, back to back: a fair before/after.

    git worktree add /tmp/before <commit>
    .venv/bin/python bench/ab_search.py /tmp/before .           # the 10,000-document corpus, 2 rounds each

Each checkout runs in its own process (its modules first on the path) over the corpus that bench_search
builds, with bench_search's query mix; filters are limited to type and division, which every version spells
the same way. Prints p50 / p95 and each kind's median per round: the first round meets cold caches (each
term's postings decoded for the first time), the later ones a warm server's.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROUND = r'''
import json, statistics, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from archive.catalog import Catalog
from indexer.search.results import SearchRequest
from indexer.search.searcher import ArchiveSearcher
data, queries = Path(sys.argv[2]), json.load(open(sys.argv[3]))
names = {"type": "doc_type", "division": "division"}
requests = [(k, SearchRequest(q, filters={names[a]: (b,) for a, b in f.items() if a in names})) for k, q, f in queries]
with Catalog(data / "catalog.sqlite3") as catalog:
    searcher = ArchiveSearcher.open(data / "index", catalog)
    for _, r in requests[:20]:
        searcher.search(r)
    for _ in range(int(sys.argv[4])):  # the first round meets cold caches; the next ones a warm server's
        by_kind = {}
        for kind, r in requests:
            started = time.perf_counter()
            searcher.search(r)
            by_kind.setdefault(kind, []).append(time.perf_counter() - started)
        every = sorted(t for times in by_kind.values() for t in times)
        print(json.dumps({"p50": 1000 * every[len(every) // 2], "p95": 1000 * every[int(len(every) * 0.95)],
                          "kinds": {k: 1000 * statistics.median(v) for k, v in by_kind.items()}}))
'''


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    from bench.bench_search import make_queries
    from bench.corpus import CorpusSpec, build

    spec = CorpusSpec(documents=args.docs)
    data = build(spec)
    with tempfile.TemporaryDirectory() as tmp:
        queries = Path(tmp) / "queries.json"
        queries.write_text(json.dumps(make_queries(data, spec)))
        for label, code in (("before", args.before), ("after", args.after)):
            out = subprocess.run([sys.executable, "-c", ROUND, str(Path(code).resolve()), str(data.root),
                                  str(queries), str(args.rounds)], capture_output=True, text=True, check=True).stdout
            for n, line in enumerate(out.strip().splitlines(), 1):
                found = json.loads(line)
                kinds = ", ".join(f"{k} {v:.1f}" for k, v in found["kinds"].items())
                print(f"{label:<7} round {n}: p50 {found['p50']:6.1f} ms  p95 {found['p95']:6.1f} ms   medians: {kinds}")


if __name__ == "__main__":
    main()
