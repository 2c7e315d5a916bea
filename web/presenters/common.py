"""What several screens show: links to documents, value labels, a document's one-line description."""
from __future__ import annotations

from dataclasses import dataclass

from flask import url_for

from archive.catalog import Document
from archive.vocabulary import type_label



@dataclass(frozen=True)
class Link:
    label: str
    url: str
    selected: bool = False
    count: int | None = None

def value_label(name: str, value: str) -> str:
    if name == "doc_type":
        return type_label(value)
    if name == "year" and value == "unknown":
        return "Year unknown"
    return value.capitalize() if name == "access" else value

def document_meta_line(doc: Document) -> str:
    return " · ".join(str(x) for x in (type_label(doc.doc_type), doc.year or "Year unknown", doc.division))

class DocumentUrls:
    """Links to documents by id, each route resolved once per results page (url_for is the slow part)."""

    _ID = 987654321  # stands in for the id while the route is resolved

    def __init__(self) -> None:
        self._routes: dict[str, str] = {}

    def __call__(self, endpoint: str, doc_id: int) -> str:
        route = self._routes.get(endpoint)
        if route is None:
            route = self._routes[endpoint] = url_for(endpoint, doc_id=self._ID)
        return route.replace(str(self._ID), str(int(doc_id)))

def doc_link(doc: Document, current: Document | None = None) -> Link:
    label = f"{doc.title} ({doc.year or 'year unknown'})"
    return Link(label, url_for("pages.document", doc_id=doc.id), current is not None and doc.id == current.id)
