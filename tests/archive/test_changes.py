"""The change sequence that search nodes follow, on both backends: one increasing counter, tombstones for
deletions, and numbers that become visible only in order."""
from __future__ import annotations

import threading
import time

import pytest

from archive.catalog import Catalog, Change
from archive.metadata import DocumentMeta
from archive.pages import OcrState, PageRead

META = DocumentMeta("2019 Financial Audit", "financial_audit", 2019, None, "Federation-wide", "members")


def add(catalog: Catalog, sha: str) -> int:
    return catalog.add_document(sha256=sha, filename="a.pdf", source_path="/in/a.pdf", mime="application/pdf",
                                size=3, pages=["one", ""], meta=META)


def test_every_kind_of_change_takes_the_next_number_and_a_deletion_leaves_a_tombstone(catalog_target):
    with Catalog(catalog_target) as catalog:
        first, second = add(catalog, "a" * 64), add(catalog, "b" * 64)  # 1, 2
        catalog.update_meta(first, DocumentMeta(**{**META.__dict__, "access": "public"}))  # 3
        catalog.set_withdrawn(second, True)  # 4
        catalog.set_withdrawn(second, False)  # 5
        catalog.set_page_text(first, 2, "read by OCR", PageRead("tesseract", OcrState.DONE, "eng", 90.0))  # 6
        catalog.mark_indexed([first, second])  # not a change of the document: no number
        assert catalog.last_change() == 6
        assert catalog.changes_after(0) == [Change(second, 5, False), Change(first, 6, False)]
        catalog.delete(first)  # 7
        assert catalog.changes_after(5) == [Change(first, 7, True)]
        assert catalog.changes_after(0, limit=1) == [Change(second, 5, False)]
        assert catalog.last_change() == 7
        third = add(catalog, "c" * 64)
        assert catalog.changes_after(7) == [Change(third, 8, False)]


def test_a_rolled_back_change_gives_no_number_away(catalog_target):
    with Catalog(catalog_target) as catalog:
        doc = add(catalog, "a" * 64)
        with pytest.raises(RuntimeError), catalog.transaction():
            catalog.delete(doc)
            raise RuntimeError("crash")
        assert catalog.changes_after(1) == [] and catalog.last_change() == 1
        catalog.delete(doc)
        assert catalog.changes_after(1) == [Change(doc, 2, True)]


def test_a_number_is_never_seen_while_a_smaller_one_may_still_commit(postgres_server):
    """Writer A takes number 2 and keeps its transaction open; writer B, on another connection, wants the next
    number: it waits for A to end, so a follower never sees 3 before 2 has committed."""
    url = postgres_server.new_database()
    with Catalog(url) as a, Catalog(url) as b, Catalog(url) as follower:
        first, second = add(a, "a" * 64), add(a, "b" * 64)
        done = threading.Event()

        def write_b() -> None:
            b.set_withdrawn(second, True)
            done.set()

        with a.transaction():
            a.set_withdrawn(first, True)  # takes 3, not committed yet
            thread = threading.Thread(target=write_b)
            thread.start()
            time.sleep(0.5)
            assert not done.is_set()
            assert follower.changes_after(2) == [] and follower.last_change() == 2
        thread.join(10)
        assert done.is_set()
        assert follower.changes_after(2) == [Change(first, 3, False), Change(second, 4, False)]
