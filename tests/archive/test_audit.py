"""The audit log on both catalog backends: entries commit or roll back with the change they describe."""
from __future__ import annotations

import pytest

from archive import accounts, audit
from archive.catalog import Catalog
from archive.metadata import DocumentMeta

META = DocumentMeta("Contract 2020", "contract", 2020, None, "Teachers", "members")


@pytest.fixture
def catalog(catalog_target):
    with Catalog(catalog_target) as catalog:
        yield catalog


def test_entries_come_back_newest_first_with_their_changes(catalog):
    doc = catalog.add_document(sha256="c" * 64, filename="c.pdf", source_path="", mime="application/pdf", size=1,
                               pages=["text"], meta=META)
    new = DocumentMeta(**{**META.__dict__, "access": "public", "title": "Contract 2020 – ratified ✓"})
    audit.record(catalog, "rosa", "upload", doc_id=doc, subject=META.title)
    audit.record(catalog, "rosa", "edit", doc_id=doc, subject=new.title, changes=audit.meta_changes(META, new))
    audit.record(catalog, "admin", "user-add", subject="lucy")
    assert audit.count(catalog) == 3
    assert [(e.actor, e.action) for e in audit.entries(catalog)] == [("admin", "user-add"), ("rosa", "edit"),
                                                                     ("rosa", "upload")]
    edit = audit.entries(catalog, doc_id=doc, limit=1)[0]
    assert edit.changes == {"title": {"old": "Contract 2020", "new": "Contract 2020 – ratified ✓"},
                            "access": {"old": "members", "new": "public"}}
    assert [e.action for e in audit.entries(catalog, limit=1, offset=2)] == ["upload"]


def test_an_entry_rolls_back_with_the_change_it_describes(catalog):
    accounts.add_user(catalog, "rosa", "member", "long-enough-password")
    with pytest.raises(RuntimeError), catalog.transaction():
        accounts.set_role(catalog, "rosa", "admin")
        audit.record(catalog, "admin", "user-role", subject="rosa", changes={"role": {"old": "member", "new": "admin"}})
        raise RuntimeError("the request failed after both writes")
    assert audit.count(catalog) == 0 and accounts.get_user(catalog, "rosa").role == "member"
