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


# The route of one-time links (invitations and resets). Mail is sent outside any request, where url_for
# cannot run, so the path is spelled here once; the route in web.account is built from it.
PASSWORD_PATH = "/password/"


def password_link(base: str, token: str) -> str:
    """The absolute address of a one-time link: `base` is the archive's address without a trailing slash."""
    return f"{base.rstrip('/')}{PASSWORD_PATH}{token}"
