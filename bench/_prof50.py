import cProfile, pstats
from archive.catalog import Catalog
from bench.corpus import CorpusSpec, OUT
from archive.datadir import DataDir
from bench.bench_search import make_queries, to_request
from indexer.search.searcher import ArchiveSearcher
spec = CorpusSpec(documents=50000)
data = DataDir(OUT / f"corpus-{spec.key}")
queries = [q for q in make_queries(data, spec) if q[0] in ("phrase", "prefix")]
with Catalog(data.catalog_path) as catalog:
    s = ArchiveSearcher.open(data.index_dir, catalog)
    pr = cProfile.Profile(); pr.enable()
    for _, q, f in queries: s.search(to_request(q, f))
    pr.disable()
    pstats.Stats(pr).sort_stats("tottime").print_stats(18)
