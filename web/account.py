"""Pages for each person's own account: /account (password, personal feed link), the one-time links that
set a password (invitation or reset), and asking for a reset link when the password is forgotten."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from archive import account_links, accounts, audit, mail
from archive.account_links import RESET, RESET_HOURS, LinkError
from archive.accounts import LoginThrottled, User
from archive.catalog import CatalogError
from web import background, resources
from web.access import current_user, require_role, sign_in
from web.auth import minutes
from web.forms import sentence
from web.links import PASSWORD_PATH, external_url
from web.security import never_stored

bp = Blueprint("account", __name__)


@bp.get("/account")
@require_role("member")
def home() -> str:
    return _home_page()


def _home_page(error: str | None = None, status: int = 200):
    user = current_user()
    token = accounts.feed_token(user, current_app.secret_key)
    feed_url = external_url("feeds.search", key=token) if token else None
    return never_stored(render_template("account.html", user=user, feed_url=feed_url, error=error,
                                        min_length=accounts.MIN_PASSWORD_LENGTH), status)


@bp.post("/account/password")
@require_role("member")
def change_password():
    user = current_user()
    current, new, again = (request.form.get(k, "") for k in ("current", "password", "again"))
    catalog = resources.catalog()
    try:
        if accounts.authenticate(catalog, user.name, current, request.remote_addr or "unknown",
                                 current_app.config["LOGIN_RATE_LIMIT"]) is None:
            return _home_page("Your current password was not right: nothing was changed.", 400)
    except LoginThrottled as exc:
        return _home_page(f"Too many wrong passwords. Try again in {minutes(exc.retry_after)}.", 429)
    try:
        changed = _set_password(user, new, again)
    except CatalogError as exc:
        return _home_page(f"{sentence(str(exc))} Nothing was changed.", 400)
    sign_in(changed)  # every session ended with the change: this browser gets a new one
    flash("Your password is changed. You were signed out everywhere else.")
    return redirect(url_for("account.home"))


def _set_password(user: User, new: str, again: str) -> User:
    if new != again:
        raise CatalogError("the two new passwords are not the same")
    catalog = resources.catalog()
    with catalog.transaction():
        changed = accounts.set_password(catalog, user.name, new)
        audit.record(catalog, user.name, "user-passwd", subject=user.name)
    return changed


@bp.post("/account/feed")
@require_role("member")
def feed():
    user, action = current_user(), request.form.get("action")
    catalog = resources.catalog()
    with catalog.transaction():
        if action == "revoke":
            accounts.revoke_feed_key(catalog, user)
        else:
            accounts.new_feed_key(catalog, user)
        audit.record(catalog, user.name, "feed-revoke" if action == "revoke" else "feed-new", subject=user.name)
    flash("Your personal feed link is revoked: feed readers using it get an error now." if action == "revoke"
          else "Your personal feed link is ready. Any earlier one no longer works.")
    return redirect(url_for("account.home"))


# -- one-time links ------------------------------------------------------------
@bp.get(PASSWORD_PATH + "<token>")
def choose_password(token: str):
    try:
        user, purpose = account_links.check(resources.catalog(), token)
    except LinkError as exc:
        return _link_error(exc)
    return _password_page(user, purpose, token)


def _password_page(user: User, purpose: str, token: str, error: str | None = None, status: int = 200):
    return never_stored(render_template("password.html", user=user, purpose=purpose, token=token, error=error,
                                        min_length=accounts.MIN_PASSWORD_LENGTH), status)


@bp.post(PASSWORD_PATH + "<token>")
def choose_password_submit(token: str):
    catalog = resources.catalog()
    new, again = request.form.get("password", ""), request.form.get("again", "")
    try:
        user, purpose = account_links.check(catalog, token)
    except LinkError as exc:
        return _link_error(exc)
    if new != again:
        return _password_page(user, purpose, token, "The two passwords are not the same.", 400)
    try:
        with catalog.transaction():
            user = account_links.use(catalog, token, new)
            audit.record(catalog, user.name, "user-passwd", subject=user.name,
                         changes={"by": {"old": None, "new": "invitation" if purpose != RESET else "reset link"}})
    except LinkError as exc:
        return _link_error(exc)
    except CatalogError as exc:
        return _password_page(user, purpose, token, sentence(str(exc)), 400)
    flash("Your password is set. Sign in with it now.")
    return redirect(url_for("auth.login", name=user.name))


def _link_error(exc: LinkError):
    return render_template("error.html", code=410, name="This link no longer works", message=str(exc)), 410


# -- forgotten passwords -------------------------------------------------------
@bp.get("/forgot")
def forgot() -> str:
    return render_template("forgot.html", mail_on=background.sends_mail(current_app))


@bp.post("/forgot")
def forgot_submit():
    if not background.sends_mail(current_app):
        return render_template("forgot.html", mail_on=False), 400
    email = request.form.get("email", "").strip()[:accounts.MAX_EMAIL_LENGTH]
    catalog = resources.catalog()
    try:
        accounts.reserve_attempt(catalog, (f"reset-account:{email.casefold()}", f"reset-address:{request.remote_addr}"),
                                 current_app.config["RESET_RATE_LIMIT"])
    except LoginThrottled as exc:
        body = render_template("forgot.html", mail_on=True, email=email,
                               error=f"Too many requests for a link. Try again in {minutes(exc.retry_after)}.")
        return body, 429, {"Retry-After": str(exc.retry_after)}
    user = accounts.user_by_email(catalog, email) if email else None
    # The same page whether or not the address is known: it must not tell who has an account.
    if user is not None and not user.disabled:
        mail.queue(catalog, [user], RESET, RESET_HOURS * 3600, f"reset asked from {request.remote_addr}")
        background.mailer(current_app).nudge()
    return render_template("forgot.html", mail_on=True, sent=True, hours=RESET_HOURS)

