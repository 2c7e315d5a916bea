"""An index written in bulk (our segments, built in workers and merged) answers exactly as one written by
Whoosh's own writer: the same postings, results, scores, stored fields, facet counts and suggestions."""
from __future__ import annotations

import hashlib
import os
import random

import numpy as np
import pytest
from whoosh import scoring

from archive.catalog import Catalog
from archive.datadir import DataDir
from archive.metadata import DocumentMeta
from archive.vocabulary import DIVISIONS
from indexer.search import rebuild, segments
from indexer.search.index import create_index, document_fields, index_writer, merges_due, write_documents
from indexer.search.query import parse_query
from indexer.search.rebuild import rebuild_index
from indexer.search.results import SearchRequest
from tests.conftest import index_with_whoosh, open_searcher

WORDS = ("union contract grievance arbitration negotiated negotiations bargaining collective wages pension dues "
         "steward teachers nurses paraprofessionals audit budget treasurer resolution delegates convention "
         "seniority overtime layoff healthcare retirement").split()
ODD = ["jane.doe@statecollege.edu", "http://www.riverbend.org/photos/2019", "3.5", "self-help", "snake_case_name",
       "2019", "négociation", "the", "of", "a", "I", "x"]
QUERIES = ["union", "arbitration grievance", '"collective bargaining"', "negot*", "arbitrtion~", "barg?ining",
           "statecollege", "riverbend.org", "union OR pension", "union NOT pension", "title:report", "", "zzzqqq",
           "grievence", "négociation", "dues type:financial_audit", "teachers year:2019"]
FILTERED = [SearchRequest("union", {"doc_type": ("financial_audit",)}), SearchRequest("union", {"access": ("public",)}),
            SearchRequest("wages", date_from="2000", date_to="2010"), SearchRequest("", sort="newest"),
            SearchRequest("contract", sort="title"), SearchRequest("pension", page=2, per_page=5)]
DOCS = 240


def _fill(catalog: Catalog, seed: int = 11) -> None:
    """The same documents every time: Zipf-ish words, addresses, numbers, stop words, some empty pages."""
    rng = random.Random(seed)
    for i in range(DOCS):
        pages = []
        for _ in range(rng.randint(1, 4)):
            n = rng.choice([0, 5, 60, 300])
            pages.append(" ".join(rng.choice(ODD) if rng.random() < 0.05 else WORDS[min(int(rng.expovariate(0.15)),
                                                                                      len(WORDS) - 1)]
                                  for _ in range(n)))
        doc_type = rng.choice(["financial_audit", "convention_report", "resolution", "contract"])
        meta = DocumentMeta(f"{doc_type.replace('_', ' ').title()} {i} on {rng.choice(WORDS)}", doc_type, rng.randint(1995, 2024), None,
                            rng.choice(DIVISIONS[:3]), rng.choice(["public", "members"]))
        catalog.add_document(sha256=hashlib.sha256(f"{seed}-{i}".encode()).hexdigest(), filename=f"d{i}.pdf",
                             source_path="", mime="application/pdf", size=1, pages=pages, meta=meta)


@pytest.fixture(scope="module")
def archives(tmp_path_factory):
    """Three data folders over the same catalog: Whoosh's writer, a rebuild in workers, batches plus edits.

    Blocks are cut small so that common words span several, some stored as arrays and some (a list's
    short last block) as tuples, as in a large archive; when the runs are joined, common words' blocks
    are copied and rarer words' cut again."""
    made = {}
    mp = pytest.MonkeyPatch()
    mp.setattr(segments, "BLOCK", 48)
    mp.setattr(segments, "ARRAY_FROM", 16)
    mp.setattr(segments, "RECUT_BELOW", 20)
    for name in ("whoosh", "rebuilt", "batches"):
        data = DataDir(tmp_path_factory.mktemp(name) / "data").ensure()
        with Catalog(data.catalog_path) as catalog:
            _fill(catalog)
            if name == "whoosh":
                index_with_whoosh(data, catalog)
            elif name == "rebuilt":
                old = rebuild.SEGMENT_DOCS
                rebuild.SEGMENT_DOCS = 45  # six segments from two workers, then merged
                try:
                    rebuild_index(data.index_dir, catalog, jobs=2)
                finally:
                    rebuild.SEGMENT_DOCS = old
            else:
                _in_batches(data, catalog)
        made[name] = data
    mp.undo()
    return made


def _in_batches(data: DataDir, catalog: Catalog) -> None:
    """Three batches as a load writes them, then every tenth document written again (an edit replaces it)."""
    from whoosh import index as whoosh_index

    ix = create_index(data.index_dir)
    docs = list(catalog.iter_documents())
    for start in range(0, len(docs), 80):
        write_documents(ix, catalog, [document_fields(d, [t for _, t in catalog.page_texts(d.id)])
                                      for d in docs[start:start + 80]])
    write_documents(ix, catalog, [document_fields(d, [t for _, t in catalog.page_texts(d.id)]) for d in docs[::10]])
    assert len(whoosh_index.open_dir(str(data.index_dir)).reader().leaf_readers()) == 4
    with index_writer(ix, optimize=True):  # merged, the replaced documents dropped
        pass
    assert len(whoosh_index.open_dir(str(data.index_dir)).reader().leaf_readers()) == 1


def _postings(data: DataDir) -> dict:
    from whoosh import index as whoosh_index

    ix = whoosh_index.open_dir(str(data.index_dir))
    with ix.reader() as reader:
        ids = {docnum: stored["id"] for docnum, stored in reader.iter_docs()}
        out = {}
        for field, term in reader.all_terms():
            if field.startswith("spell_"):
                out[(field, term)] = None  # a word list: its words are what is read
                continue
            m = reader.postings(field, term)
            found = []
            while m.is_active():
                if m.id() in ids:
                    found.append((ids[m.id()], m.weight(), m.value()))
                m.next()
            if found:
                out[(field, term)] = sorted(found)
        lengths = {f: reader.field_length(f) for f in ("content", "content_counts", "title")}
    return {"postings": out, "lengths": lengths}


def _answers(data: DataDir) -> list:
    """Every query's full results: totals, hits in order, page hits, facets, timeline, suggestion, notice."""
    answers = []
    with open_searcher(data) as searcher:
        for request in [SearchRequest(q, per_page=50) for q in QUERIES] + FILTERED:
            r = searcher.search(request)
            answers.append((request, r.total, [(h.document.id, h.page_numbers, h.more_pages) for h in r.hits],
                            r.facets, r.timeline, r.suggestion, r.notice))
    return answers


def _whoosh_scores(data: DataDir) -> list:
    """The same queries through Whoosh's own searcher and BM25F: every matching id with its score."""
    from whoosh import index as whoosh_index

    ix = whoosh_index.open_dir(str(data.index_dir))
    with ix.searcher(weighting=scoring.BM25F()) as s:
        return [sorted((s.stored_fields(hit.docnum)["id"], round(hit.score, 9))
                       for hit in s.search(parse_query(q).query, limit=None)) for q in QUERIES if q]


def test_a_rebuild_in_workers_files_exactly_what_whoosh_files(archives):
    assert _postings(archives["rebuilt"]) == _postings(archives["whoosh"])


def test_a_rebuild_in_workers_answers_exactly_as_whoosh(archives):
    expected = _answers(archives["whoosh"])
    assert [a[1] for a in expected].count(0) < 4  # the query set finds things
    assert _answers(archives["rebuilt"]) == expected
    assert _whoosh_scores(archives["rebuilt"]) == _whoosh_scores(archives["whoosh"])


def test_batches_and_replaced_documents_answer_as_whoosh(archives):
    """Segments added batch by batch, and documents replaced (deleted from older segments, written anew)."""
    assert _postings(archives["batches"]) == _postings(archives["whoosh"])
    assert _answers(archives["batches"]) == _answers(archives["whoosh"])
    assert _whoosh_scores(archives["batches"]) == _whoosh_scores(archives["whoosh"])


def test_stored_fields_and_columns_are_the_same(archives):
    from whoosh import index as whoosh_index

    def everything(data):
        ix = whoosh_index.open_dir(str(data.index_dir))
        with ix.reader() as reader:
            by_id = {stored["id"]: docnum for docnum, stored in reader.iter_docs()}
            columns = {name: reader.column_reader(name) for name in ("doc_type", "year", "division", "access",
                                                                     "newest", "title_sort")}
            return {doc_id: {name: col[docnum] for name, col in columns.items()}
                    for doc_id, docnum in by_id.items()}

    assert everything(archives["rebuilt"]) == everything(archives["whoosh"])
    assert everything(archives["batches"]) == everything(archives["whoosh"])


class _Seg:
    def __init__(self, docs: int, deleted: int = 0) -> None:
        self.docs, self.deleted = docs, deleted

    def doc_count(self) -> int:
        return self.docs - self.deleted

    def has_deletions(self) -> bool:
        return self.deleted > 0


def test_a_long_load_keeps_a_bounded_number_of_segments():
    """Simulated: 2,000 commits of 500 documents, merging whatever the policy says is due after each."""
    segments: list[_Seg] = []
    most = 0
    for _ in range(2000):
        segments.append(_Seg(500))
        for group in merges_due(segments):
            segments = [s for s in segments if s not in group] + [_Seg(sum(s.doc_count() for s in group))]
        most = max(most, len(segments))
    assert sum(s.doc_count() for s in segments) == 1_000_000
    assert most <= 8 * 4  # at most 7 waiting per tier, and 1,000,000 documents span four tiers above 500
    assert merges_due([_Seg(10), _Seg(20, deleted=5)], optimize=True) != []
    assert merges_due([_Seg(10)], optimize=True) == []


def test_columns_read_in_bulk_equal_whoosh_reading_document_by_document(tmp_path):
    """The column arrays a new generation opens with, read a segment at a time, over several segments with
    replaced (deleted) documents, equal Whoosh's own reading, one document at a time."""
    import numpy as np
    from whoosh import index as whoosh_index

    from indexer.search.columns import load_columns

    data = DataDir(tmp_path / "data").ensure()
    with Catalog(data.catalog_path) as catalog:
        _fill(catalog, seed=3)
        ix = create_index(data.index_dir)
        docs = list(catalog.iter_documents())
        for start in range(0, 120, 40):
            write_documents(ix, catalog, [document_fields(d, [t for _, t in catalog.page_texts(d.id)])
                                          for d in docs[start:start + 40]])
        write_documents(ix, catalog, [document_fields(d, [t for _, t in catalog.page_texts(d.id)]) for d in docs[:120:7]])
    with whoosh_index.open_dir(str(data.index_dir)).reader() as reader:
        assert len(reader.leaf_readers()) == 4 and reader.has_deletions()
        size = reader.doc_count_all()
        columns = load_columns(reader)
        for name in ("doc_type", "year", "division", "access"):
            col = reader.column_reader(name)
            values = columns.facets[name].values
            assert [values[c] if c >= 0 else "" for c in columns.facets[name].codes] == [col[i] for i in range(size)]
        ids = reader.column_reader("id")
        assert columns.doc_id.tolist() == [int(ids[i]) for i in range(size)]
        newest = reader.column_reader("newest")
        assert columns.newest.tolist() == [newest[i] for i in range(size)]
        titles = reader.column_reader("title_sort")
        by_rank = sorted(range(size), key=lambda i: columns.title_rank[i])
        assert [titles[i] for i in by_rank] == sorted(titles[i] for i in range(size))
        for field in ("content", "title"):
            expected = [reader.doc_field_length(i, field, 0) or 0 for i in range(size)]
            assert np.array_equal(columns.lengths[field], np.array(expected, dtype=np.float32))
        assert columns.live.tolist() == [not reader.is_deleted(i) for i in range(size)]


def test_columns_of_a_segment_ending_with_a_document_without_words(tmp_path):
    """Whoosh writes a length column only up to the last document that has words: a scan loaded last
    must read as length 0, not shorten the column."""
    from whoosh import index as whoosh_index

    from indexer.search.columns import load_columns

    data = DataDir(tmp_path / "data").ensure()
    with Catalog(data.catalog_path) as catalog:
        for i, pages in enumerate([["union dues and wages"], [""]]):
            catalog.add_document(sha256=f"{i:064d}", filename=f"d{i}.pdf", source_path="", mime="application/pdf",
                                 size=1, pages=pages, meta=DocumentMeta(f"Doc {i}", "other", 2020, None,
                                                                         DIVISIONS[0], "public"))
        ix = create_index(data.index_dir)
        write_documents(ix, catalog, [document_fields(d, [t for _, t in catalog.page_texts(d.id)])
                                      for d in catalog.iter_documents()])
    with whoosh_index.open_dir(str(data.index_dir)).reader() as reader:
        columns = load_columns(reader)
    assert columns.lengths["content"].tolist() == [3.0, 0.0]
    assert columns.live.tolist() == [True, True]


def test_block_ids_past_65535_are_read_back_by_whoosh_and_by_the_array_reader(tmp_path):
    """A run numbered from 70,000 (as in a rebuild of a large archive) stores 4-byte ids; short lists stay
    tuples. Whoosh's own matcher and the array reader both read them back."""
    from whoosh.filedb.filestore import FileStorage
    from whoosh.reading import SegmentReader

    from indexer.search.postings import _block_arrays
    from indexer.search.schema import build_schema

    schema = build_schema()
    storage = FileStorage(str(tmp_path)).create()
    docs = [{"content": "union dues" if n % 2 else "union", "content_counts": "union"} for n in range(40)]
    segment = segments.write_segment(storage, schema, docs, first=70_000)
    reader = SegmentReader(storage, schema, segment)
    fd = os.open(tmp_path / segment.make_filename(".pst"), os.O_RDONLY)
    try:
        for word, expected in ((b"union", list(range(70_000, 70_040))), (b"due", list(range(70_001, 70_040, 2)))):
            matcher = reader.postings("content", word)
            assert list(matcher.all_ids()) == expected
            ids, weights = _block_arrays(fd, *reader._terms.term_info("content", word).extent())
            assert ids.tolist() == expected and weights.tolist() == [1.0] * len(expected)
    finally:
        os.close(fd)


def test_joined_runs_cut_a_rarer_word_into_full_blocks(archives):
    """A word with few documents in each of several runs is cut into full blocks when the runs are
    joined, not left with a block per run (reading a block costs the same whatever its size)."""
    from whoosh import index as whoosh_index

    ix = whoosh_index.open_dir(str(archives["rebuilt"].index_dir))
    with ix.reader() as reader:
        leaf = reader.leaf_readers()[0][0] if hasattr(reader, "leaf_readers") else reader
        postings = open(leaf.storage().folder + "/" + leaf.segment().make_filename(".pst"), "rb").read()
        recut = 0
        for field, term in leaf.all_terms():
            ids = list(leaf.postings(field, term).all_ids()) if field == "content_counts" else []
            runs = len({i // 45 for i in ids})  # the fixture's runs of 45 documents
            if runs > 1 and len(ids) < 20 * runs:  # under RECUT_BELOW a run on average, as the fixture sets it
                blocks = list(segments.blocks_of(postings, leaf._terms.term_info(field, term).extent()[0]))
                assert len(blocks) == -(-len(ids) // 48), term  # full blocks of the fixture's 48
                recut += 1
        assert recut > 5


@pytest.mark.parametrize("filters", [
    {}, {"doc_type": ("financial_audit",)}, {"doc_type": ("contract", "resolution"), "access": ("public",)},
    {"division": (DIVISIONS[0],), "year": ("2001", "2010", "2020")},
])
def test_each_facet_counts_the_matches_under_the_other_facets_filters(archives, filters):
    """A facet's counts ignore its own selection (so other values stay offered) and honour every other one;
    counted here document by document from the catalog."""
    data = archives["rebuilt"]
    with Catalog(data.catalog_path) as catalog:
        docs = [d for d in catalog.iter_documents()
                if "union" in " ".join([d.title.lower()] + [t for _, t in catalog.page_texts(d.id)]).split()]
    value = {"doc_type": lambda d: d.doc_type, "year": lambda d: str(d.year), "division": lambda d: d.division,
             "access": lambda d: d.visibility}
    with open_searcher(data) as searcher:
        results = searcher.search(SearchRequest("union", filters))
    for name in value:
        under = [d for d in docs if all(value[other](d) in chosen for other, chosen in filters.items() if other != name)]
        expected = {}
        for d in under:
            expected[value[name](d)] = expected.get(value[name](d), 0) + 1
        assert {fv.value: fv.count for fv in results.facets[name] if fv.count} == expected, name


@pytest.mark.parametrize("long_gap", [False, True])
def test_positions_packed_in_bulk_are_each_postings_own_encoding(long_gap: bool):
    # Many postings at once, as the writer packs a batch: narrow ones (2-byte deltas) only, or mixed with wide
    # ones (a gap over 65,535 words, as in a long report), each value as PackedPositions encodes it alone.
    from indexer.search.schema import PackedPositions

    rng = random.Random(7)
    postings = []
    for _ in range(300):
        at, positions = rng.randrange(50), []
        for _ in range(rng.randrange(1, 40)):
            positions.append(at)
            at += rng.choice([1, 2, 9, 300] + ([70_000] if long_gap else []))
        postings.append(positions)
    counts = np.array([len(p) for p in postings], dtype=np.int64)
    packed = segments.packed_positions(np.array([x for p in postings for x in p], dtype=np.uint32), counts)
    assert packed == [PackedPositions().encode(p) for p in postings]
    assert any(value[4] == 4 for value in packed) == long_gap  # the width byte
