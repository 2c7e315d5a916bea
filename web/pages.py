"""The HTML pages: search, a document, its download and inline view."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, send_file, \
    stream_with_context, url_for
from werkzeug.http import parse_range_header

from archive.catalog import Document
from archive.names import printable_name
from archive.vocabulary import DIVISIONS, DOC_TYPES
from indexer.extract.pdf_scripts import runs_script
from indexer.search.errors import IndexDamagedError
from indexer.search.results import Editions, Hit, SearchRequest, SearchRequestError, SearchResults
from web import background, resources
from web.access import allowed_access, current_role, viewer_feed_token, visible_document
from web.exports import csv_lines, json_chunks
from web.links import external_url
from web.markup import snippet_html
from web.params import search_request
from web.presenters.common import document_meta_line, value_label
from web.presenters.document import document_actions, neighbours_view, scan_view
from web.presenters.search import search_page
from web.security import FILE_CONTENT_SECURITY_POLICY
from web.zips import TooLargeForOneDownload, ZipLimits, zip_entries, zip_offer, zip_stream

bp = Blueprint("pages", __name__)
PREVIEW_PAGES = 3


@bp.get("/search")
def search() -> str:
    limits = ZipLimits.of(current_app.config)
    results = run_search(requested_search(), ids_up_to=limits.files)
    offer = zip_offer(results.total, results.ids, _visible_documents, limits)
    return render_template("search.html", page=search_page(results, offer, viewer_feed_token()))


def requested_search() -> SearchRequest:
    """The search this request's query string asks for, within what the visitor may see."""
    return search_request(request.args, current_app.config["PER_PAGE"], allowed_access=allowed_access())


def run_search(req: SearchRequest, ids_up_to: int = 0) -> SearchResults:
    """One page of results, or a 400 page naming the parameter no search can honour."""
    try:
        return resources.searcher().search(req, ids_up_to)
    except SearchRequestError as exc:
        abort(400, str(exc))


def _visible_documents(ids: tuple[int, ...]) -> list[Document]:
    """The catalog's rows of these ids that the viewer may see (the catalog runs ahead of the index)."""
    allowed = allowed_access()
    return [doc for doc in resources.catalog().get_many(ids).values() if doc.visibility in allowed]


@bp.get("/export")
def export() -> Response:
    """Every result of a search (not one page) as CSV or JSON, streamed."""
    fmt = request.args.get("format", "csv")
    if fmt not in ("csv", "json", "zip"):
        abort(400, "“format” must be csv, json or zip.")
    req = requested_search()
    if fmt == "zip":
        return _zip_export(req)
    try:
        hits = resources.searcher().export(req)
    except SearchRequestError as exc:
        abort(400, str(exc))
    if fmt == "csv":
        body, mimetype = csv_lines(hits, _document_url), "text/csv; charset=utf-8"
    else:
        body, mimetype = json_chunks(hits, _document_url, _export_header(req)), "application/json"
    response = Response(stream_with_context(body), mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename=archive-search.{fmt}"
    return response


def _zip_export(req: SearchRequest) -> Response:
    """The originals of every result in one zip, streamed; over the limits it is refused before any byte."""
    limits = ZipLimits.of(current_app.config)
    try:
        found = resources.searcher().documents(req, limits.files)
    except SearchRequestError as exc:
        abort(400, str(exc))
    if found.total == 0:
        abort(404, "This search finds no documents, so there is nothing to download.")
    refusal = limits.refusal(found.total, sum(doc.size for doc in found.documents) if found.documents else None)
    if refusal:
        raise TooLargeForOneDownload(refusal)
    response = Response(zip_stream(zip_entries(found.documents, resources.store().path_for)),
                        mimetype="application/zip")
    response.headers["Content-Disposition"] = "attachment; filename=archive-search.zip"
    if any(doc.visibility != "public" for doc in found.documents):  # never in a shared cache
        response.cache_control.private = True
    return response


def _document_url(hit: Hit) -> str:
    return external_url("pages.document", doc_id=hit.document.id)


def _export_header(req: SearchRequest) -> dict:
    return {"query": req.query, "filters": {k: list(v) for k, v in req.filters.items()},
            "from": req.date_from, "to": req.date_to, "sort": req.sort}


@bp.get("/latest/<doc_type>")
def latest(doc_type: str) -> Response:
    """A stable link to the newest edition of a series, e.g. /latest/financial_audit?division=Teachers."""
    division = request.args.get("division") or None
    if doc_type not in DOC_TYPES:
        abort(404, f"There is no document type “{doc_type}”.")
    if division is not None and division not in DIVISIONS:
        abort(404, f"There is no division “{division}”.")
    doc = resources.searcher().latest(doc_type, division, allowed_access())
    if doc is None:
        abort(404, f"There is no {value_label('doc_type', doc_type).lower()} in the archive yet.")
    return redirect(url_for("pages.document", doc_id=doc.id), code=302)


def get_document(doc_id: int) -> Document:
    """The document if the viewer may see it (else 401/404): the only way a route reaches a document."""
    return visible_document(doc_id)


@bp.get("/documents/<int:doc_id>")
def document(doc_id: int) -> str:
    doc = get_document(doc_id)
    query = request.args.get("q", "").strip()
    preview = resources.catalog().page_texts(doc_id, range(1, PREVIEW_PAGES + 1))
    try:
        matches, neighbours = _found_with_search(doc, query)
    except IndexDamagedError:  # the document itself comes from the catalog: show it without search's parts
        background.repairer(current_app).repair()
        matches, neighbours = [], neighbours_view(doc, [], Editions(None, None, ()))
    return render_template(
        "document.html", doc=doc, query=query, meta_line=document_meta_line(doc),
        type_label=value_label("doc_type", doc.doc_type),
        matches=[(m.page, snippet_html(m.snippet)) for m in matches], preview=preview,
        is_pdf=doc.mime == "application/pdf", actions=document_actions(doc, current_role()),
        neighbours=neighbours, scans=scan_view(resources.catalog().page_reads(doc_id)))


def _found_with_search(doc: Document, query: str) -> tuple[list, object]:
    """The document's pages matching the query and its neighbours (related, other editions): from the index."""
    searcher, access = resources.searcher(), allowed_access()
    matches = searcher.page_hits_of(doc.id, query) if query else []
    return matches, neighbours_view(doc, searcher.related(doc, access), searcher.editions(doc, access))


@bp.get("/documents/<int:doc_id>/download")
def download(doc_id: int) -> Response:
    return _send(get_document(doc_id), as_attachment=True)


@bp.get("/documents/<int:doc_id>/view")
def view(doc_id: int) -> Response:
    """The original shown inline (PDF viewers honour #page=N on this URL)."""
    return _send(get_document(doc_id), as_attachment=False)


def _send(doc: Document, as_attachment: bool) -> Response:
    path = resources.store().path_for(doc.sha256)
    if not path.is_file():
        abort(410, "The original file of this document is missing from the store.")
    _ignore_unusable_range()
    as_attachment = as_attachment or _pdf_with_script(doc, path)
    # HTML originals are served as plain text inline so their scripts never run on our origin.
    mimetype = doc.mime if as_attachment or doc.mime == "application/pdf" else "text/plain"
    response = send_file(path, mimetype=mimetype, as_attachment=as_attachment,
                         download_name=printable_name(doc.filename), conditional=True, etag=doc.sha256, max_age=3600)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = FILE_CONTENT_SECURITY_POLICY
    if doc.visibility != "public":  # never in a shared cache
        response.cache_control.public = False
        response.cache_control.private = True
    return response


def _pdf_with_script(doc: Document, path: Path) -> bool:
    """True for a PDF with JavaScript, which is only ever downloaded, never shown inline from our origin."""
    return doc.mime == "application/pdf" and _runs_script(doc.sha256, str(path))


# Decided when viewed, not at load: every document already in an archive is covered without a migration
# or a reload, and a better rule applies at once. Blobs are named by their SHA-256 and never change, so
# the answer is kept per process (a few bytes each) and a PDF is examined once, not on every view.
@lru_cache(maxsize=4096)
def _runs_script(sha256: str, path: str) -> bool:
    return runs_script(Path(path))


def _ignore_unusable_range() -> None:
    """Drop a Range header we will not honour, so the whole file is sent (200) instead of a 416."""
    # RFC 9110 14.2: a server ignores a Range it cannot parse or of an unknown unit, and may ignore several
    # ranges; werkzeug answers 416 to all three. A single byte range beyond the file's end still gets its 416.
    if "HTTP_RANGE" not in request.environ:
        return
    parsed = parse_range_header(request.environ["HTTP_RANGE"])
    if parsed is None or parsed.units != "bytes" or len(parsed.ranges) != 1:
        del request.environ["HTTP_RANGE"]
