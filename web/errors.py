"""Error pages: a clear sentence for people, JSON for the API, never a stack trace."""
from __future__ import annotations

import logging

from flask import Flask, current_app, jsonify, render_template, request
from flask.globals import request_ctx
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from archive.database import CatalogUnavailable, connection_lost_errors
from indexer.search.errors import IndexDamagedError
from web import background

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    app.register_error_handler(IndexDamagedError, _index_damaged)
    for lost in (CatalogUnavailable, *connection_lost_errors()):
        app.register_error_handler(lost, _catalog_unavailable)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _http_error(exc: HTTPException):
    if exc.code == 413:
        exc.description = _too_large()
    if request_ctx.url_adapter is None:  # an unreadable Host header: no page with links can be built
        return exc.description or exc.name, exc.code, {"Content-Type": "text/plain; charset=utf-8"}
    if _wants_json():
        return jsonify(error=exc.name, message=exc.description, status=exc.code), exc.code
    if exc.code == 401:  # a visitor who needs to sign in gets the sign-in form, never the content
        from web.auth import login_page

        return login_page(401, exc.description)
    return render_template("error.html", code=exc.code, name=exc.name, message=exc.description), exc.code


def _csrf_error(exc: CSRFError):
    exc.description = ("This form was not accepted because its security token is missing or expired. "
                       "Go back, reload the page and send it again.")
    return _http_error(exc)


def _too_large() -> str:
    limit = current_app.config["MAX_CONTENT_LENGTH"] / (1024 * 1024)
    return (f"The upload is larger than this archive accepts at once ({limit:g} MB). Upload fewer or smaller "
            "files at a time; staff can load large batches with `archive load` on the server.")


def _catalog_unavailable(exc: Exception):
    """503 while the catalog's database cannot be reached; each request connects anew, so pages come back
    by themselves when it does."""
    log.error("catalog unavailable on %s: %s", request.path, " ".join(str(exc).split())[:300])
    from web import resources

    resources.forget_searcher()
    response = _http_error(ServiceUnavailable("The archive's catalog cannot be reached just now. "
                                              "Please try again in a minute."))
    return response[0], response[1], {"Retry-After": "30"}


def _index_damaged(exc: IndexDamagedError):
    """503 while the index is rebuilt from the catalog (started here, once); other pages keep working."""
    log.error("search index damaged on %s: %s", request.path, exc)
    background.repairer(current_app).repair()
    return _http_error(ServiceUnavailable("Search is being repaired: the index is being rebuilt from the catalog. "
                                          "Please try again in a few minutes."))


def _unexpected(exc: Exception):
    log.exception("unhandled error on %s", request.path)
    return _http_error(InternalServerError("Something went wrong on our side. Please try again."))
