"""Error pages: a clear sentence for people, JSON for the API, never a stack trace."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _http_error(exc: HTTPException):
    if _wants_json():
        return jsonify(error=exc.name, message=exc.description, status=exc.code), exc.code
    return render_template("error.html", code=exc.code, name=exc.name, message=exc.description), exc.code


def _unexpected(exc: Exception):
    log.exception("unhandled error on %s", request.path)
    return _http_error(InternalServerError("Something went wrong on our side. Please try again."))
