"""The JSON API: the same searches and documents as the pages."""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from werkzeug.wrappers import Response

from web import resources
from web.pages import get_document, requested_search, run_search
from web.serialize import document_to_json, page_to_json, results_to_json

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/search")
def search() -> Response:
    return jsonify(results_to_json(run_search(requested_search())))


@bp.get("/documents/<int:doc_id>")
def document(doc_id: int) -> Response:
    doc = get_document(doc_id)
    body = document_to_json(doc)
    query = request.args.get("q", "").strip()
    if query:
        body["matching_pages"] = [page_to_json(p) for p in resources.searcher().page_hits_of(doc_id, query)]
    return jsonify(body)
