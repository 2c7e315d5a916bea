"""Who is asking and what they may see: the one place every route checks access."""
from __future__ import annotations

from functools import wraps
from typing import Callable, TypeVar

from flask import abort, current_app, g, session

from archive import accounts
from archive.accounts import ANONYMOUS, RANK, User
from archive.catalog import Document
from web import resources

F = TypeVar("F", bound=Callable)
NOT_FOUND = "There is no document {} in the archive."
SESSION_TOKEN = "sid"


def current_user() -> User | None:
    """The signed-in account, or None; a session ended at logout, by a password change or removal is dropped."""
    if "viewer" not in g:
        g.viewer = _session_user()
    return g.viewer


def _session_user() -> User | None:
    # The cookie only carries a token; whether it still signs anyone in is the catalog's say (revocable).
    token = session.get(SESSION_TOKEN)
    if token is None:
        return None
    user = accounts.session_user(resources.catalog(), token, _lifetime())
    if user is None:
        session.clear()
    return user


def sign_in(user: User) -> None:
    """Start a new server-side session for the user in a fresh cookie (never reusing the visitor's)."""
    session.clear()
    session.permanent = True  # the cookie expires after PERMANENT_SESSION_LIFETIME, and so does the row
    session[SESSION_TOKEN] = accounts.start_session(resources.catalog(), user, _lifetime())


def sign_out() -> None:
    """End the session in the catalog too, so a copy of the cookie opens nothing afterwards."""
    accounts.end_session(resources.catalog(), session.get(SESSION_TOKEN))
    session.clear()


def _lifetime() -> float:
    return current_app.permanent_session_lifetime.total_seconds()


def current_role() -> str:
    user = current_user()
    return user.role if user else ANONYMOUS


def allowed_access() -> tuple[str, ...]:
    """The visibility levels the current viewer may see; every search is filtered by them."""
    return accounts.visible_levels(current_role())


def visible_document(doc_id: int) -> Document:
    """The document if the viewer may see it; 401 (sign in) for a members' one, 404 if absent or hidden."""
    doc = resources.catalog().get(doc_id)
    if doc is None or (doc.visibility not in allowed_access() and doc.withdrawn):
        abort(404, NOT_FOUND.format(doc_id))
    if doc.visibility not in allowed_access():
        if current_role() == ANONYMOUS:
            abort(401, "This document is for members of the federation. Sign in to see it.")
        abort(404, NOT_FOUND.format(doc_id))
    return doc


def require_role(role: str) -> Callable[[F], F]:
    """Route decorator: 401 (sign in) for visitors, 403 for accounts below `role`."""
    def decorate(view: F) -> F:
        @wraps(view)
        def checked(*args, **kwargs):
            if current_role() == ANONYMOUS:
                abort(401, "Sign in to continue.")
            if RANK[current_role()] < RANK[role]:
                abort(403, f"This needs a {role} account.")
            return view(*args, **kwargs)
        return checked  # type: ignore[return-value]
    return decorate


def viewer_feed_token() -> str | None:
    """The key of the viewer's personal feed link, for the feed links on their pages; None if they have none."""
    user = current_user()
    return accounts.feed_token(user, current_app.secret_key) if user else None


def actor_name() -> str:
    """How the audit log names the current viewer."""
    user = current_user()
    return user.name if user else ANONYMOUS
