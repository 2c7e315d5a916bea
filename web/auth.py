"""Signing in and out."""
from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from archive import accounts
from archive.accounts import LoginThrottled
from web import resources
from web.access import current_user

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str:
    """A local path to go back to after signing in; anything else (another site) goes to the search."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return url_for("pages.search")


def login_page(status: int = 200, message: str | None = None, next_url: str | None = None, name: str = ""):
    """The sign-in form, also shown (with status 401) where a visitor needs to sign in."""
    next_url = next_url if next_url is not None else request.full_path.rstrip("?")
    return render_template("login.html", message=message, next_url=safe_next(next_url), name=name), status


@bp.get("/login")
def login() -> tuple[str, int]:
    return login_page(next_url=request.args.get("next"))


@bp.post("/login")
def login_submit():
    name, password = request.form.get("name", ""), request.form.get("password", "")
    next_url = request.form.get("next")
    try:
        user = accounts.authenticate(resources.catalog(), name, password, request.remote_addr or "unknown",
                                     current_app.config["LOGIN_RATE_LIMIT"])
    except LoginThrottled as exc:
        body, status = login_page(429, f"Too many failed sign-ins. Try again in {_minutes(exc.retry_after)}.",
                                  next_url, name)
        return body, status, {"Retry-After": str(exc.retry_after)}
    if user is None:
        return login_page(401, "That name and password do not match an account.", next_url, name)
    session.clear()
    session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME
    session["uid"], session["stamp"] = user.id, user.password_changed_at
    return redirect(safe_next(next_url))


@bp.post("/logout")
def logout() -> Response:
    session.clear()
    return redirect(url_for("pages.search"))


def _minutes(seconds: int) -> str:
    minutes = max(1, -(-seconds // 60))
    return f"{minutes} minute{'' if minutes == 1 else 's'}"


def viewer_context() -> dict:
    """Template data about the viewer, for the header."""
    user = current_user()
    here = request.full_path.rstrip("?")
    login_url = url_for("auth.login", next=here) if request.endpoint != "auth.login" else url_for("auth.login")
    return {"viewer": user, "viewer_is_staff": bool(user and user.at_least("staff")),
            "viewer_is_admin": bool(user and user.at_least("admin")), "login_url": login_url}
