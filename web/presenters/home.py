"""The home page as plain data: what the archive holds for this visitor, and the latest of each series."""
from __future__ import annotations

from dataclasses import dataclass

from flask import url_for

from archive.accounts import ANONYMOUS
from archive.catalog import Document
from archive.vocabulary import DOC_TYPES
from indexer.search.results import SearchRequest
from indexer.search.searcher import ArchiveSearcher
from web.presenters.common import Link, document_meta_line, value_label

# "Other" gathers what fits no series, so it has no latest edition to show.
NOT_A_SERIES = frozenset({"other"})


@dataclass(frozen=True)
class Latest:
    series: str  # the type's label, e.g. "Financial audit"
    title: str
    url: str
    meta: str


@dataclass(frozen=True)
class HomePage:
    total: int
    by_type: tuple[Link, ...]  # each type with its count, linking to its search; commonest first
    latest: tuple[Latest, ...]
    search_all_url: str
    help_url: str
    members_see_more: bool  # a visitor not signed in: members see more after signing in


def home_page(searcher: ArchiveSearcher, allowed_access: tuple[str, ...], role: str) -> HomePage:
    """Counted within what this visitor may see, by the same search they would run: nothing else is counted."""
    results = searcher.search(SearchRequest(per_page=1, allowed_access=allowed_access))
    types = tuple(Link(value_label("doc_type", fv.value), url_for("pages.search", type=fv.value), False, fv.count)
                  for fv in results.facets["doc_type"])
    latest = tuple(_latest(doc) for doc in (searcher.latest(t, None, allowed_access) for t in DOC_TYPES
                                            if t not in NOT_A_SERIES) if doc is not None)
    return HomePage(results.total, types, latest, url_for("pages.search"), url_for("guide.help"),
                    role == ANONYMOUS)


def _latest(doc: Document) -> Latest:
    return Latest(value_label("doc_type", doc.doc_type), doc.title, url_for("pages.document", doc_id=doc.id),
                  document_meta_line(doc))
