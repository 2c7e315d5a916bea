"""Do the catalog, the file store and the index tell the same story? Used after crashes and by tests."""
from __future__ import annotations

from collections import Counter

from archive.catalog import Catalog
from archive.datadir import DataDir
from archive.store import BlobStore
from indexer.load.outcomes import Outcome
from indexer.search.index import open_index

# Fields whose postings the check decodes; the spelling word lists hold no documents worth checking.
_SKIP_PREFIX = "spell_"


def check_consistency(data: DataDir) -> list[str]:
    """Every disagreement between catalog, store, index and file ledger; an empty list when they agree."""
    with Catalog(data.catalog) as catalog:
        docs = {doc.id: doc for doc in catalog.iter_documents()}
        problems = _store_problems(data, docs) + _index_problems(data, docs)
        problems += [f"document {doc.id} is still {doc.status}" for doc in docs.values() if doc.status != "indexed"]
        problems += [f"the ledger points {r.path} at missing document {r.doc_id}"
                     for r in catalog.all_files()
                     # doc_id None: staff deleted the document on purpose, and the ledger forgot it
                     if Outcome(r.outcome).in_archive and r.doc_id is not None and r.doc_id not in docs]
    return problems


def _store_problems(data: DataDir, docs: dict) -> list[str]:
    store = BlobStore(data.store_dir)
    problems = [f"document {doc.id} has no blob {doc.sha256}" for doc in docs.values() if not store.has(doc.sha256)]
    blobs = {path.name for path in data.store_dir.glob("??/*")}
    problems += [f"blob {name} belongs to no document" for name in sorted(blobs - {d.sha256 for d in docs.values()})]
    problems += [f"half-written blob {path.name}" for path in data.store_dir.glob(".incoming*")]
    return problems


def _index_problems(data: DataDir, docs: dict) -> list[str]:
    try:
        ids = Counter(verified_ids(data.index_dir))
    except Exception as exc:  # a truncated segment or table of contents: whatever Whoosh raised
        return [f"the search index is damaged ({type(exc).__name__}: {' '.join(str(exc).split())[:160]}): "
                "run `archive reindex` to rebuild it from the catalog"]
    problems = [f"document {i} is in the index {n} times" for i, n in ids.items() if n > 1]
    problems += [f"document {i} is in the index but not the catalog" for i in sorted(set(ids) - set(docs))]
    problems += [f"document {i} is in the catalog but not the index" for i in sorted(set(docs) - set(ids))]
    return problems


def verified_ids(index_dir) -> list[int]:
    """The catalog id of every live document, after reading every segment whole: each term's postings
    (positions too), every stored field and every column. Raises whatever a damaged file makes Whoosh raise."""
    with open_index(index_dir).searcher() as searcher:
        for leaf, _ in searcher.reader().leaf_readers():
            _read_segment(leaf)
        return [int(fields["id"]) for fields in searcher.all_stored_fields()]


def _read_segment(leaf) -> None:
    for fieldname, btext in leaf.all_terms():
        if fieldname.startswith(_SKIP_PREFIX):
            continue
        matcher = leaf.postings(fieldname, btext)
        while matcher.is_active():
            matcher.value()
            matcher.next()
    for fieldname in leaf.schema.names():
        if leaf.has_column(fieldname):
            list(leaf.column_reader(fieldname))
    for docnum in range(leaf.doc_count_all()):
        leaf.stored_fields(docnum)
