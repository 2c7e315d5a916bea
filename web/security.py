"""Secrets and the browser's defences: the session key, cookie flags, security headers."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask, make_response, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.wrappers import Response

SECRET_KEY_FILE = "secret_key"
# No inline scripts or styles anywhere; pages may not be framed by other sites.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
# Originals are never run on our origin (HTML is sent as text or as an attachment, with nosniff); their
# policy only forbids framing, because a stricter one (object-src 'none') can stop browsers' built-in PDF viewers.
FILE_CONTENT_SECURITY_POLICY = "frame-ancestors 'none'"
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def secret_key(data_root: Path) -> bytes:
    """The key that signs sessions: made on first run, kept in the data folder readable by its owner only."""
    path = Path(data_root) / SECRET_KEY_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    with os.fdopen(fd, "w") as out:  # O_EXCL: when two workers start at once, one writes, both read it
        out.write(secrets.token_hex(32))
    return path.read_bytes().strip()


class ArchiveSessionInterface(SecureCookieSessionInterface):
    """Signed-cookie sessions whose cookie is `Secure` whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(super().get_cookie_secure(app) or request.is_secure)


def never_stored(body: str, status: int = 200) -> Response:
    """A page that shows a secret (a one-time link, a feed key): kept by no cache, not even the browser's."""
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    return response


def add_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> None:
    app.session_interface = ArchiveSessionInterface()
    app.after_request(add_security_headers)
