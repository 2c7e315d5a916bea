"""The JSON API: the same searches and documents as the pages."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, request
from werkzeug.wrappers import Response

from indexer.search import SearchRequestError
from web import resources
from web.access import allowed_access
from web.pages import get_document
from web.params import search_request
from web.serialize import document_to_json, page_to_json, results_to_json

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/search")
def search() -> Response:
    req = search_request(request.args, current_app.config["PER_PAGE"], allowed_access=allowed_access())
    try:
        results = resources.searcher().search(req)
    except SearchRequestError as exc:
        abort(400, str(exc))
    return jsonify(results_to_json(results))


@bp.get("/documents/<int:doc_id>")
def document(doc_id: int) -> Response:
    doc = get_document(doc_id)
    body = document_to_json(doc)
    query = request.args.get("q", "").strip()
    if query:
        body["matching_pages"] = [page_to_json(p) for p in resources.searcher().matching_pages(doc_id, query)]
    return jsonify(body)
