"""The HTML pages: search, a document, its download and inline view."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, send_file
from werkzeug.wrappers import Response

from archive.catalog import Document
from indexer.search import SearchRequestError
from web import resources
from web.access import allowed_access, current_role, visible_document
from web.markup import snippet_html
from web.params import search_request
from web.presenters import document_actions, document_meta_line, search_page, value_label
from web.security import FILE_CONTENT_SECURITY_POLICY

bp = Blueprint("pages", __name__)
PREVIEW_PAGES = 3


@bp.get("/")
@bp.get("/search")
def search() -> str:
    req = search_request(request.args, current_app.config["PER_PAGE"], allowed_access=allowed_access())
    try:
        results = resources.searcher().search(req)
    except SearchRequestError as exc:
        abort(400, str(exc))
    return render_template("search.html", page=search_page(results))


def get_document(doc_id: int) -> Document:
    """The document if the viewer may see it (else 401/404): the only way a route reaches a document."""
    return visible_document(doc_id)


@bp.get("/documents/<int:doc_id>")
def document(doc_id: int) -> str:
    doc = get_document(doc_id)
    query = request.args.get("q", "").strip()
    matches = resources.searcher().matching_pages(doc_id, query) if query else []
    preview = resources.catalog().page_texts(doc_id, range(1, PREVIEW_PAGES + 1))
    return render_template(
        "document.html", doc=doc, query=query, meta_line=document_meta_line(doc),
        type_label=value_label("doc_type", doc.doc_type),
        matches=[(m.page, snippet_html(m.snippet)) for m in matches], preview=preview,
        is_pdf=doc.mime == "application/pdf", actions=document_actions(doc, current_role()))


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
    # HTML originals are served as plain text inline so their scripts never run on our origin.
    mimetype = doc.mime if as_attachment or doc.mime == "application/pdf" else "text/plain"
    response = send_file(path, mimetype=mimetype, as_attachment=as_attachment, download_name=doc.filename,
                         conditional=True, etag=doc.sha256, max_age=3600)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = FILE_CONTENT_SECURITY_POLICY
    if doc.visibility != "public":  # never in a shared cache
        response.cache_control.public = False
        response.cache_control.private = True
    return response
