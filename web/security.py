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


SECRET_KEY_ENV = "ARCHIVE_SECRET_KEY_FILE"


class SecretKeyError(RuntimeError):
    """The shared key file named by $ARCHIVE_SECRET_KEY_FILE cannot be used; the message says why."""


def shared_secret_key(path: Path) -> bytes:
    """The key every node of one archive signs with (sessions, form tokens, feed links), from a file the
    operator made (e.g. `openssl rand -hex 32`); never made here, so that no node starts with a key of its own."""
    try:
        key = Path(path).read_bytes().strip()
    except OSError as exc:
        raise SecretKeyError(f"the secret key file {path} ({SECRET_KEY_ENV}) cannot be read: "
                             f"{exc.strerror or exc}") from None
    if len(key) < 32:
        raise SecretKeyError(f"the secret key file {path} ({SECRET_KEY_ENV}) holds {len(key)} bytes; it needs at "
                             "least 32 random ones, e.g. made by `openssl rand -hex 32`")
    return key


def secret_key(data_root: Path, shared: str | None = None) -> bytes:
    """The key that signs sessions: the shared file if one is named, else made on first run and kept in the
    data folder readable by its owner only."""
    if shared:
        return shared_secret_key(Path(shared))
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
