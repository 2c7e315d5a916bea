"""Accounts in the web, for admins: find, add, import in bulk, change the role or address, reset the
password, disable, enable and remove. Every change is audited; every form carries the CSRF token.

Mail is never sent here: an invitation or a reset link is queued and the server's mail thread sends it
(web.background.BackgroundMail). Without mail settings the link is shown once, for the admin to pass on.
"""
from __future__ import annotations

import io
from typing import Callable

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for

from archive import account_links, accounts, audit, mail, roster
from archive.account_links import INVITE, RESET, RESET_HOURS
from archive.accounts import ROLES, User
from archive.catalog import Catalog, CatalogError
from archive.roster import RosterError
from web import background, resources
from web.access import actor_name, current_user, require_role
from web.forms import sentence
from web.exports import write_invitations
from web.links import base_url, password_link
from web.params import page_number
from web.presenters.accounts import accounts_page
from web.security import never_stored

bp = Blueprint("accounts_admin", __name__, url_prefix="/admin/users")
PER_PAGE = 50
IMPORT_ROLES = ("member", "staff")  # a file never makes admins: give that role one account at a time


@bp.get("")
@require_role("admin")
def users() -> str:
    return _list_page()


def _list_page(error: str | None = None, form: dict | None = None, status: int = 200):
    text, page = request.args.get("q", "").strip(), page_number(request.args)
    catalog = resources.catalog()
    found, total = accounts.find_users(catalog, text, PER_PAGE, (page - 1) * PER_PAGE)
    view = accounts_page(found, total, text, page, PER_PAGE)
    return render_template("users.html", page=view, roles=ROLES, error=error, form=form or {},
                           outbox=mail.outbox_counts(catalog), mail_on=background.sends_mail(current_app)), status


@bp.post("")
@require_role("admin")
def add():
    name, email, role = (request.form.get(k, "").strip() for k in ("name", "email", "role"))
    catalog = resources.catalog()
    try:
        with catalog.transaction():
            user = accounts.add_user(catalog, name, role, None, email or None)
            audit.record(catalog, actor_name(), "user-add", subject=user.name,
                         changes={"role": {"old": None, "new": role}, "email": {"old": None, "new": user.email}})
    except CatalogError as exc:
        return _list_page(sentence(str(exc)), request.form, 400)
    return _send_link(user, INVITE, f"Created {user.name} ({user.role}).")


@bp.get("/<int:user_id>")
@require_role("admin")
def detail(user_id: int) -> str:
    return _detail_page(_account(user_id))


def _detail_page(user: User, error: str | None = None, status: int = 200):
    return render_template("user.html", user=user, roles=ROLES, error=error,
                           mail_on=background.sends_mail(current_app), is_self=_is_self(user)), status


@bp.post("/<int:user_id>/role")
@require_role("admin")
def change_role(user_id: int):
    role = request.form.get("role", "")
    return _change(user_id, "user-role", lambda c, u: accounts.set_role(c, u.name, role), f"is now {role}.")


@bp.post("/<int:user_id>/email")
@require_role("admin")
def change_email(user_id: int):
    email = request.form.get("email", "").strip() or None
    return _change(user_id, "user-email", lambda c, u: accounts.set_email(c, u.name, email),
                   "has a new e-mail address.", own_ok=True)


@bp.post("/<int:user_id>/disable")
@require_role("admin")
def disable(user_id: int):
    return _change(user_id, "user-disable", lambda c, u: accounts.set_disabled(c, u.name, True),
                   "is disabled: signed out everywhere, its links and feed link no longer work.")


@bp.post("/<int:user_id>/enable")
@require_role("admin")
def enable(user_id: int):
    return _change(user_id, "user-enable", lambda c, u: accounts.set_disabled(c, u.name, False), "can sign in again.")


@bp.post("/<int:user_id>/reset")
@require_role("admin")
def reset(user_id: int):
    old = _account(user_id)
    if _is_self(old):
        return _detail_page(old, "Change your own password on your account page.", 400)
    catalog = resources.catalog()
    with catalog.transaction():
        user = accounts.reset_account(catalog, old.name)
        audit.record(catalog, actor_name(), "user-reset", subject=user.name, changes=audit.account_changes(old, user))
    return _send_link(user, RESET, f"The password of {user.name} no longer works; it is signed out everywhere "
                                   "and its feed link is revoked.")


@bp.post("/<int:user_id>/invite")
@require_role("admin")
def invite(user_id: int):
    user = _account(user_id)
    if user.status != "invited":
        return _detail_page(user, "This account has a password already, or is disabled: no invitation is needed.", 400)
    return _send_link(user, INVITE, "")


@bp.get("/<int:user_id>/remove")
@require_role("admin")
def remove(user_id: int) -> str:
    return render_template("user_remove.html", user=_account(user_id))


@bp.post("/<int:user_id>/remove")
@require_role("admin")
def remove_submit(user_id: int):
    user = _account(user_id)
    if request.form.get("confirm") != "yes":
        return render_template("user_remove.html", user=user, error="Tick the box to confirm the removal."), 400
    if _is_self(user):
        return _detail_page(user, "You cannot remove your own account.", 400)
    catalog = resources.catalog()
    with catalog.transaction():
        accounts.remove_user(catalog, user.name)
        audit.record(catalog, actor_name(), "user-remove", subject=user.name,
                     changes={"role": {"old": user.role, "new": None}, "email": {"old": user.email, "new": None}})
    flash(f"Removed {user.name}.")
    return redirect(url_for("accounts_admin.users"))


# -- members in bulk ---------------------------------------------------------
@bp.get("/import")
@require_role("admin")
def import_form() -> str:
    return _import_page()


def _import_page(error: list[str] | None = None, status: int = 200, result=None, invited: int = 0):
    return render_template("user_import.html", problems=error or [], roles=IMPORT_ROLES,
                           mail_on=background.sends_mail(current_app), result=result, invited=invited,
                           form=request.form, days=current_app.config["INVITE_DAYS"]), status


@bp.post("/import")
@require_role("admin")
def import_submit():
    upload = request.files.get("file")
    role = request.form.get("role", "member")
    if upload is None or not upload.filename:
        return _import_page(["Choose the CSV file to import."], 400)
    if role not in IMPORT_ROLES:
        return _import_page([f"Imported accounts are {' or '.join(IMPORT_ROLES)}."], 400)
    catalog = resources.catalog()
    try:
        result = roster.import_roster(catalog, upload.read(), role, request.form.get("update") == "yes",
                                      actor_name(), update_hint="tick “Update existing accounts”")
    except RosterError as exc:
        return _import_page(str(exc).split("\n"), 400)
    audit.record(catalog, actor_name(), "user-import", subject=upload.filename[:200],
                 changes={"accounts": {"old": None,
                                       "new": f"{len(result.created)} new, {len(result.updated)} updated"}})
    invited = 0
    if background.sends_mail(current_app) and request.form.get("delivery") == "mail":
        invited = mail.queue(catalog, result.to_invite, INVITE, _invite_seconds(), actor_name())
        background.mailer(current_app).nudge()
    return _import_page(result=result, invited=invited)


@bp.post("/invitations.csv")
@require_role("admin")
def invitation_links() -> Response:
    """Fresh invitation links for the given accounts still waiting for theirs: name,email,link for a mail merge."""
    catalog = resources.catalog()
    wanted = [int(i) for i in request.form.get("ids", "").split(",") if i.isascii() and i.isdigit() and len(i) < 19]
    users = [u for u in (accounts.user_by_id(catalog, i) for i in wanted) if u and u.status == "invited"]
    if not users:
        abort(400, "None of these accounts is waiting for an invitation any more.")
    buffer = io.StringIO()
    write_invitations(buffer, catalog, users, _invite_seconds(), actor_name(), base_url())
    response = Response(buffer.getvalue(), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = "attachment; filename=invitations.csv"
    response.headers["Cache-Control"] = "no-store"
    return response


# -- helpers -----------------------------------------------------------------
def _account(user_id: int) -> User:
    user = accounts.user_by_id(resources.catalog(), user_id)
    if user is None:
        abort(404, "There is no such account (it may have been removed).")
    return user


def _is_self(user: User) -> bool:
    viewer = current_user()
    return viewer is not None and viewer.id == user.id


def _change(user_id: int, action: str, change: Callable[[Catalog, User], User], done: str, own_ok: bool = False):
    """Apply one change to an account with its audit entry, in one transaction; a refused value changes nothing."""
    user = _account(user_id)
    if _is_self(user) and not own_ok:
        return _detail_page(user, "You cannot change the role of, disable or remove your own account here: "
                                  "ask another admin.", 400)
    catalog = resources.catalog()
    try:
        with catalog.transaction():
            changed = change(catalog, user)
            audit.record(catalog, actor_name(), action, subject=user.name, changes=audit.account_changes(user, changed))
    except CatalogError as exc:
        return _detail_page(user, sentence(str(exc)), 400)
    flash(f"{user.name} {done}")
    return redirect(url_for("accounts_admin.detail", user_id=user.id))


def _send_link(user: User, purpose: str, done: str):
    """Queue the invitation or reset mail, or (no mail settings, no address) show the link to pass on."""
    catalog = resources.catalog()
    seconds = _invite_seconds() if purpose == INVITE else RESET_HOURS * 3600
    what = "An invitation" if purpose == INVITE else "A link to choose a new password"
    by_mail = background.sends_mail(current_app) and bool(user.email)
    audit.record(catalog, actor_name(), "user-invite" if purpose == INVITE else "user-reset-link", subject=user.name,
                 changes={"link": {"old": None, "new": f"mailed to {user.email}" if by_mail else "shown to the admin"}})
    if by_mail:
        mail.queue(catalog, [user], purpose, seconds, actor_name())
        background.mailer(current_app).nudge()
        flash(f"{done} {what} is being sent to {user.email}.".strip())
        return redirect(url_for("accounts_admin.detail", user_id=user.id))
    link = account_links.issue(catalog, user, purpose, seconds)
    return never_stored(render_template("user_link.html", user=user, done=done, what=what, link=link,
                                        url=password_link(base_url(), link.token)))


def _invite_seconds() -> float:
    return current_app.config["INVITE_DAYS"] * 86400

