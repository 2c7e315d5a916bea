"""The search benchmark's HTTP run measures a server in steady state, as its in-process run does."""
from __future__ import annotations

from bench.bench_search import make_queries, over_http
from bench.corpus import CorpusSpec, build

SPEC = CorpusSpec(documents=30, pages_per_doc=2, words_per_page=50)


def test_the_http_run_reads_the_index_and_catalog_into_the_page_cache_before_it_is_timed(tmp_path, capsys):
    corpus = build(SPEC, out=tmp_path)
    stats, errors, _ = over_http(corpus, make_queries(corpus, SPEC, n=14), clients=2)
    out = capsys.readouterr().out
    assert errors == 0 and set(stats) >= {"p50", "p95"}
    assert out.index("page cache warmed") < out.index("server CPU per request")
