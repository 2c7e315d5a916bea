import random, tempfile, time
from pathlib import Path
from whoosh import index as wi
from whoosh.index import TOC
from whoosh.writing import SegmentWriter
from indexer.search.schema import build_schema
from indexer.search.tokens import analyse_text
from indexer.search.segments import write_segment, merge_segments, Source

rng = random.Random(5)
pieces = ["union", "contract", "the", "arbitration", "jane.doe@state.edu", "3.5", "2019", "negotiated", "negotiations",
          "self-help", "grievance", "x", "teachers", "nurses", "http://www.riverbend.org/a_b"] + [f"w{i}" for i in range(300)]
def doc(i):
    text = " ".join(rng.choice(pieces) for _ in range(rng.randint(0, 3000)))
    return dict(id=str(i), content=text, content_counts=text, title=f"Report {i} of the union {rng.choice(pieces)}",
                doc_type=rng.choice(["audit", "report"]), year=str(rng.randint(1990, 2020)), division="teachers",
                access=rng.choice(["public", "members"]), newest=rng.randint(19900000, 20201231), title_sort=f"report {i}")
docs = [doc(i) for i in range(300)]
root = Path(tempfile.mkdtemp())
old = wi.create_in(str(root / "old"), build_schema()) if (root / "old").mkdir() is None else None
t = time.process_time()
w = SegmentWriter(old, compound=False)
for d in docs: w.add_document(**d)
w.commit()
print("old", time.process_time() - t)
(root / "new").mkdir()
new = wi.create_in(str(root / "new"), build_schema())
t = time.process_time()
def fields(d):
    a = analyse_text(d["content"]); return {**d, "content": a, "content_counts": a}
segs = [write_segment(new.storage, new.schema, [fields(d) for d in docs[k:k + 100]]) for k in range(0, 300, 100)]
print("new", time.process_time() - t)
merged = merge_segments([Source(new.storage, s) for s in segs], new.storage, new.schema)
print("merged", time.process_time() - t)
TOC(new.schema, [merged], 1).write(new.storage, "MAIN")
new = wi.open_dir(str(root / "new"))
ro, rn = old.reader(), new.reader()
def postings(r):
    out = {}
    for (f, t) in r.all_terms():
        m = r.postings(f, t)
        out[(f, t)] = [(m.id(), m.weight(), m.value()) for _ in iter(lambda: m.is_active() and not m.next() or m.is_active(), False)] if False else None
        ps = []
        while m.is_active():
            ps.append((m.id(), m.weight(), m.value() if not f.startswith("spell") else None)); m.next()
        out[(f, t)] = ps if not f.startswith("spell") else None
    return out
po, pn = postings(ro), postings(rn)
print(len(po), len(pn), set(po) ^ set(pn))
bad = [k for k in po if po[k] != pn.get(k)]
print("differ", len(bad), bad[:3])
for f in ("content", "content_counts", "title"):
    print(f, ro.field_length(f), rn.field_length(f), [ro.doc_field_length(i, f) for i in range(5)], [rn.doc_field_length(i, f) for i in range(5)])
print(list(ro.all_stored_fields())[:3] == list(rn.all_stored_fields())[:3])
for col in ("id", "doc_type", "year", "newest", "title_sort", "access"):
    a = list(ro.column_reader(col)); b = list(rn.column_reader(col)); print(col, a == b)
