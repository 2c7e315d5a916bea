"""A deterministic archive for the search benchmark: documents of Zipf-distributed words, cached on disk.

The page texts go straight into the real catalog and the real indexing code (no PDFs are drawn);
the built data folder is kept under bench/out/ and reused while the corpus parameters and the
index schema version stay the same.
"""
from __future__ import annotations

import hashlib
import json
import pickle
import shutil
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from archive.catalog import Catalog
from archive.metadata import DocumentMeta
from archive.datadir import DataDir
from archive.vocabulary import DIVISIONS, DOC_TYPES
from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage

from indexer.search.index import add_segments, index_is_current, new_index_folder, staging, swap_in
from indexer.search.rebuild import SEGMENT_DOCS, segment_builders
from indexer.search.segments import Source, merge_runs
from indexer.search.schema import SCHEMA_VERSION

OUT = Path(__file__).resolve().parent / "out"

# English text is about half stop words ("the", "of", ...), which the analyzer drops; they lead the
# Zipf ranking, followed by the frequent words of a union archive, so common queries are realistic.
STOP_WORDS = """the of and to a in is that for it as was with be by on not he this are or his from at which
but have an they you were her she there been one all we their has would when if so no will can more
other its who what into them than then up out these also may some our about only any""".split()
DOMAIN_WORDS = """union members contract federation local teachers delegates convention report audit
financial statement dues per capita revenue expenses pension health benefits bargaining negotiations
negotiated grievance arbitration salary wages overtime schedule district school board education
paraprofessionals nurses hospital staffing safety workers public employees higher university faculty
resolution resolved committee executive council president secretary treasurer officers organizing
organizer campaign legislative legislature budget funding state governor session vote election
strike solidarity affiliate affiliates training institute catalog course professional development
scholarship award retirement insurance leave seniority layoff transfer evaluation classroom students
support staff healthcare medical clinic bus drivers custodians cafeteria technology rights safety""".split()
SYLLABLES = [c + v for c in "bcdfghklmnprstvwz" for v in ("a", "e", "i", "o", "u", "ai", "ou", "ea")]


@dataclass(frozen=True)
class CorpusSpec:
    documents: int = 10_000
    pages_per_doc: int = 20
    words_per_page: int = 400
    vocabulary: int = 60_000
    zipf_s: float = 1.07
    seed: int = 5
    layout: int = 2  # 2: each document drawn from its own random stream, so a build can resume

    @property
    def key(self) -> str:
        return hashlib.sha1(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()[:10]


def vocabulary(spec: CorpusSpec) -> list[str]:
    """Domain words first, then pronounceable made-up words, all distinct."""
    rng = np.random.default_rng(spec.seed)
    words = list(dict.fromkeys(STOP_WORDS + DOMAIN_WORDS))
    seen = set(words)
    while len(words) < spec.vocabulary:
        n = int(rng.integers(2, 5))
        word = "".join(SYLLABLES[i] for i in rng.integers(0, len(SYLLABLES), n))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def zipf_weights(spec: CorpusSpec) -> np.ndarray:
    ranks = np.arange(1, spec.vocabulary + 1, dtype=np.float64)
    weights = 1.0 / ranks ** spec.zipf_s
    return weights / weights.sum()


def document_meta(i: int, rng: np.random.Generator) -> DocumentMeta:
    doc_type = list(DOC_TYPES)[int(rng.integers(0, len(DOC_TYPES)))]
    year = int(rng.integers(1990, 2025))
    division = DIVISIONS[int(rng.integers(0, len(DIVISIONS)))]
    access = "members" if rng.random() < 0.3 else "public"
    title = f"{DOC_TYPES[doc_type]} {year}, {division}, no. {i}"
    return DocumentMeta(title, doc_type, year, None, division, access)


def page_texts(words: np.ndarray, cumulative: np.ndarray, spec: CorpusSpec, rng: np.random.Generator) -> list[str]:
    picks = np.searchsorted(cumulative, rng.random(spec.pages_per_doc * spec.words_per_page))
    chosen = words[np.minimum(picks, len(words) - 1)]
    pages = []
    for p in range(spec.pages_per_doc):
        page = chosen[p * spec.words_per_page:(p + 1) * spec.words_per_page]
        lines = (" ".join(page[k:k + 12]) for k in range(0, len(page), 12))
        pages.append("\n".join(lines))
    return pages


def fill_catalog(catalog: Catalog, spec: CorpusSpec) -> None:
    """Write the generated documents into the catalog, from the first one it does not hold yet.

    Each document comes from its own random stream (seeded by its number), and each is committed on its
    own, so an interrupted build (50,000 documents take about 15 minutes) resumes where it stopped.
    """
    words = np.array(vocabulary(spec), dtype=object)
    cumulative = np.cumsum(zipf_weights(spec))
    started = time.monotonic()
    first = catalog.count()
    if first:
        print(f"  catalog: resuming after {first} documents", file=sys.stderr)
    for i in range(first, spec.documents):
        rng = np.random.default_rng((spec.seed + 1, i))
        pages = page_texts(words, cumulative, spec, rng)
        sha = hashlib.sha256(f"{spec.key}-{i}".encode()).hexdigest()
        catalog.add_document(sha256=sha, filename=f"doc-{i:05d}.pdf", source_path="", mime="application/pdf",
                             size=sum(map(len, pages)), pages=pages, meta=document_meta(i, rng))
        if i % 1000 == 999:
            print(f"  catalog: {i + 1} documents ({time.monotonic() - started:.0f} s)", file=sys.stderr)


def index_resumably(data: DataDir, catalog: Catalog) -> None:
    """`rebuild_index` in steps that survive a stop: each worker run is kept under `runs.<schema>/` with a
    marker once written, and a restarted build writes only the runs it lacks before joining them all.

    (`archive reindex` itself starts afresh: an archive's catalog changes between two attempts, this
    generated one does not.)"""
    runs = data.root / f"runs.{SCHEMA_VERSION}"
    runs.mkdir(exist_ok=True)
    docs = list(catalog.iter_documents())
    firsts = list(range(0, len(docs), SEGMENT_DOCS))
    todo = [n for n in range(len(firsts)) if not (runs / f"run-{n}.done").exists()]
    if len(todo) < len(firsts):
        print(f"  index: resuming, {len(firsts) - len(todo)} of {len(firsts)} runs already written", file=sys.stderr)
    for n in todo:
        shutil.rmtree(runs / f"run-{n}", ignore_errors=True)  # half written when the build stopped
    work = ((str(runs / f"run-{n}"), docs[firsts[n]:firsts[n] + SEGMENT_DOCS], firsts[n]) for n in todo)
    with segment_builders(catalog, len(docs)) as build_runs:
        for n, segment in zip(todo, build_runs(work)):
            (runs / f"run-{n}.done").write_bytes(pickle.dumps(segment))
            print(f"  index: run {n + 1} of {len(firsts)} written", file=sys.stderr)
    segments = [pickle.loads((runs / f"run-{n}.done").read_bytes()) for n in range(len(firsts))]
    folder = new_index_folder(data.index_dir)
    ix = whoosh_index.open_dir(str(folder))
    with staging(folder) as stage:
        merged = merge_runs([Source(FileStorage(str(runs / f"run-{n}")), seg) for n, seg in enumerate(segments)],
                            stage, ix.schema)
        add_segments(ix, [(stage, merged)])
    swap_in(data.index_dir, folder)
    catalog.mark_indexed([doc.id for doc in docs])
    shutil.rmtree(runs)


def build(spec: CorpusSpec = CorpusSpec(), out: Path = OUT) -> DataDir:
    """The benchmark's data folder, generated (catalog) and indexed as needed; cached between runs."""
    data = DataDir(out / f"corpus-{spec.key}").ensure()
    done_marker = data.root / "catalog.done"
    if not done_marker.exists():
        with Catalog(data.catalog_path) as catalog:
            fill_catalog(catalog, spec)
        done_marker.write_text(json.dumps(asdict(spec)))
    if not index_is_current(data.index_dir) or not (data.root / f"index.done.{SCHEMA_VERSION}").exists():
        started = time.monotonic()
        print(f"indexing {spec.documents} documents (schema {SCHEMA_VERSION})...", file=sys.stderr)
        with Catalog(data.catalog_path) as catalog:
            index_resumably(data, catalog)
        (data.root / f"index.done.{SCHEMA_VERSION}").write_text(f"{time.monotonic() - started:.1f} s\n")
    return data


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Build (or resume building) a benchmark corpus and its index.")
    parser.add_argument("--docs", type=int, default=CorpusSpec().documents)
    parser.add_argument("--catalog-only", action="store_true", help="stop after the catalog (no index)")
    args = parser.parse_args()
    spec = CorpusSpec(documents=args.docs)
    if args.catalog_only:
        folder = DataDir(OUT / f"corpus-{spec.key}").ensure()
        with Catalog(folder.catalog_path) as filling:
            fill_catalog(filling, spec)
        print(folder.root)
    else:
        print(build(spec).root)
