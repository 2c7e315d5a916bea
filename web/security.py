"""Secrets and the browser's defences: the session key, cookie flags, security headers."""
from __future__ import annotations

from flask import Flask, make_response, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.wrappers import Response

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
