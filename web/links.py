"""Absolute links (in exports): built from the configured base URL, never from the request's Host header."""
from __future__ import annotations

from flask import current_app, request, url_for


def external_url(endpoint: str, **values: object) -> str:
    """The absolute URL of a route: BASE_URL (`archive serve --base-url`) or the server's own name and port."""
    return base_url() + url_for(endpoint, **values)


def base_url() -> str:
    """Scheme, host and port the archive is reached at, without a trailing slash."""
    configured = current_app.config.get("BASE_URL")
    if configured:
        return configured.rstrip("/")
    # SERVER_NAME and SERVER_PORT are set by the WSGI server from its own address; the Host header is
    # whatever the client typed and would let anyone put their site's links into our exports.
    host, port = request.environ["SERVER_NAME"], str(request.environ["SERVER_PORT"])
    default = {"http": "80", "https": "443"}.get(request.scheme)
    return f"{request.scheme}://{host}" + ("" if port == default else f":{port}")
