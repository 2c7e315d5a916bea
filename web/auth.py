"""Signing in and out."""
from __future__ import annotations

from urllib.parse import unquote, urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from archive import accounts
from archive.accounts import AccountDisabled, LoginThrottled
from web import resources
from web.access import current_user, sign_in, sign_out

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str:
    """A local path to go back to after signing in; anything else (another site) goes to the search."""
    return target if target and is_local_path(target) else url_for("pages.search")


def is_local_path(target: str) -> bool:
    """True for a same-site path: one leading slash, no backslash, no scheme or host, nothing invisible."""
    # Browsers drop tabs and newlines from a URL (so "/<tab>/evil.example" is "//evil.example") and may
    # decode it again, so the raw and the decoded text must both pass.
    for text in (target, unquote(target)):
        parts = urlsplit(text)
        if parts.scheme or parts.netloc or not text.startswith("/") or text.startswith("//") or "\\" in text:
            return False
        # A query may hold a searched phrase's spaces; the path part may not, nor any control character.
        if any(c.isspace() for c in parts.path) or not text.isprintable():
            return False
    return True


def login_page(status: int = 200, message: str | None = None, next_url: str | None = None, name: str = ""):
    """The sign-in form, also shown (with status 401) where a visitor needs to sign in."""
    next_url = next_url if next_url is not None else request.full_path.rstrip("?")
    return render_template("login.html", message=message, next_url=safe_next(next_url), name=name), status


@bp.get("/login")
def login() -> tuple[str, int]:
    return login_page(next_url=request.args.get("next"), name=request.args.get("name", "")[:accounts.MAX_EMAIL_LENGTH])


@bp.post("/login")
def login_submit():
    name, password = request.form.get("name", ""), request.form.get("password", "")
    next_url = request.form.get("next")
    try:
        user = accounts.authenticate(resources.catalog(), name, password, request.remote_addr or "unknown",
                                     current_app.config["LOGIN_RATE_LIMIT"])
    except LoginThrottled as exc:
        body, status = login_page(429, f"Too many failed sign-ins. Try again in {minutes(exc.retry_after)}.",
                                  next_url, name)
        return body, status, {"Retry-After": str(exc.retry_after)}
    except AccountDisabled:
        return login_page(403, "This account is disabled. Ask an admin of the archive if you need it again.",
                          next_url, name)
    if user is None:
        return login_page(401, "That name and password do not match an account.", next_url, name)
    sign_in(user)
    return redirect(safe_next(next_url))


@bp.post("/logout")
def logout() -> Response:
    sign_out()
    return redirect(url_for("pages.search"))


def minutes(seconds: int) -> str:
    """A wait in whole minutes, rounded up: "1 minute", "15 minutes"."""
    minutes = max(1, -(-seconds // 60))
    return f"{minutes} minute{'' if minutes == 1 else 's'}"


def viewer_context() -> dict:
    """Template data about the viewer, for the header."""
    user = current_user()
    here = request.full_path.rstrip("?")
    login_url = url_for("auth.login", next=here) if request.endpoint != "auth.login" else url_for("auth.login")
    return {"viewer": user, "viewer_is_staff": bool(user and user.at_least("staff")),
            "viewer_is_admin": bool(user and user.at_least("admin")), "login_url": login_url}
