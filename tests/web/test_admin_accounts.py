"""Accounts in the web for admins: find and page, add with an invitation link, change the role or address,
reset, disable, enable, remove, import in bulk; every change audited, every form CSRF-protected."""
from __future__ import annotations

import csv
import io
import re
import time

import pytest

from archive import accounts, audit
from archive.catalog import Catalog
from tests.web.conftest import PASSWORDS, client_as, csrf_token, login, make_app

ON_BOTH_BACKENDS = True  # each test once on SQLite, once on PostgreSQL (tests/web/conftest.py)


@pytest.fixture
def admin(restricted_app):
    return client_as(restricted_app, "admin")


def _post(client, path: str, data: dict | None = None, **kwargs):
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client, "/admin/users")}, **kwargs)


def _user(restricted, name: str):
    with Catalog(restricted.data.catalog) as catalog:
        return accounts.get_user(catalog, name)


def _actions(restricted) -> list[tuple[str, str, str]]:
    with Catalog(restricted.data.catalog) as catalog:
        return [(e.actor, e.action, e.subject) for e in audit.entries(catalog)]


def _link_on(page: str) -> str:
    return re.search(r'value="(http[^"]+/password/[^"]+)"', page).group(1)


def test_find_accounts_and_page_through_them(admin, restricted):
    with Catalog(restricted.data.catalog) as catalog:
        for n in range(60):
            accounts.add_user(catalog, f"teacher{n:02}", "member", None, f"t{n:02}@school.example.org")
    first = admin.get("/admin/users").get_data(as_text=True)
    assert "Accounts 1–50 of 63" in first and 'rel="next"' in first
    second = admin.get("/admin/users?page=2").get_data(as_text=True)
    assert "Accounts 51–63 of 63" in second and "teacher59" in second and 'rel="prev"' in second
    found = admin.get("/admin/users?q=school.example").get_data(as_text=True)
    assert "of 60" in found and "teacher00" in found and ">staff</a>" not in found
    assert "No accounts matching “nobody”" in admin.get("/admin/users?q=nobody").get_data(as_text=True)
    assert admin.get("/admin/users?page=0").status_code == 400


def test_add_an_account_and_pass_on_its_invitation_link(admin, restricted_app, restricted):
    response = _post(admin, "/admin/users", {"name": "clara", "email": "clara@example.org", "role": "staff"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Give this link to clara" in page
    link = _link_on(page)
    assert link.startswith("http://localhost/password/")
    assert _user(restricted, "clara").status == "invited"
    assert ("admin", "user-add", "clara") in _actions(restricted)
    # The person opens the link, sets a password and signs in.
    person = restricted_app.test_client()
    path = link.removeprefix("http://localhost")
    assert "Welcome, clara" in person.get(path).get_data(as_text=True)
    token = csrf_token(person, path)
    done = person.post(path, data={"password": "my-own-password", "again": "my-own-password", "csrf_token": token})
    assert done.status_code == 302 and done.headers["Location"].startswith("/login?name=clara")
    assert login(person, "clara", "my-own-password").status_code == 302
    other = restricted_app.test_client()  # the same link again, opened anywhere: it worked once
    assert other.get(path).status_code == 410
    again = other.post(path, data={"password": "another-password", "again": "another-password",
                                   "csrf_token": csrf_token(other)})
    assert again.status_code == 410 and "already used" in again.get_data(as_text=True)
    assert login(restricted_app.test_client(), "clara", "another-password").status_code == 401


def test_bad_input_gets_a_sentence_and_changes_nothing(admin, restricted):
    before = _actions(restricted)
    for data, message in [({"name": "bad name", "email": "", "role": "member"}, "Account names are"),
                          ({"name": "ok", "email": "not-an-address", "role": "member"}, "is not an e-mail address"),
                          ({"name": "ok", "email": "", "role": "boss"}, "Unknown role"),
                          ({"name": "Member", "email": "", "role": "member"}, "already an account")]:
        response = _post(admin, "/admin/users", data)
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    member = _user(restricted, "member")
    response = _post(admin, f"/admin/users/{member.id}/role", {"role": "boss"})
    assert response.status_code == 400 and "Unknown role" in response.get_data(as_text=True)
    assert _actions(restricted) == before and _user(restricted, "ok") is None
    assert _user(restricted, "member").role == "member"


def test_change_role_and_address_are_audited(admin, restricted):
    member = _user(restricted, "member")
    assert _post(admin, f"/admin/users/{member.id}/role", {"role": "staff"}).status_code == 302
    assert _post(admin, f"/admin/users/{member.id}/email", {"email": "m@example.org"}).status_code == 302
    assert (_user(restricted, "member").role, _user(restricted, "member").email) == ("staff", "m@example.org")
    with Catalog(restricted.data.catalog) as catalog:
        email, role = audit.entries(catalog, limit=2)
    assert role.changes == {"role": {"old": "member", "new": "staff"}}
    assert email.changes == {"email": {"old": None, "new": "m@example.org"}} and email.actor == "admin"


def test_disable_reset_and_remove_end_sessions_and_feed_links(admin, restricted_app, restricted):
    member_id = _user(restricted, "member").id
    for action, then in (("disable", "disabled"), ("reset", "invited"), ("remove", None)):
        with Catalog(restricted.data.catalog) as catalog:
            if accounts.get_user(catalog, "member").disabled:
                accounts.set_disabled(catalog, "member", False)
            if not accounts.get_user(catalog, "member").password_set:
                accounts.set_password(catalog, "member", PASSWORDS["member"])
            accounts.new_feed_key(catalog, accounts.get_user(catalog, "member"))
        member = client_as(restricted_app, "member")
        assert member.get("/account").status_code == 200
        data = {"confirm": "yes"} if action == "remove" else {}
        response = _post(admin, f"/admin/users/{member_id}/{action}", data)
        assert response.status_code in (200, 302), response.get_data(as_text=True)
        assert member.get("/account").status_code == 401  # signed out at once
        user = _user(restricted, "member")
        assert (user.status if user else None) == then
        assert user is None or user.feed_key is None
    assert [a for _, a, s in _actions(restricted) if s == "member"][:3] == ["user-remove", "user-reset-link",
                                                                           "user-reset"]


def test_a_reset_shows_a_link_without_mail_and_stops_the_old_password(admin, restricted_app, restricted):
    staff_id = _user(restricted, "staff").id
    page = _post(admin, f"/admin/users/{staff_id}/reset").get_data(as_text=True)
    assert "A link to choose a new password for staff" in page
    assert login(restricted_app.test_client(), "staff", PASSWORDS["staff"]).status_code == 401
    link = _link_on(page).removeprefix("http://localhost")
    person = restricted_app.test_client()
    assert "Choose a new password" in person.get(link).get_data(as_text=True)


def test_a_disabled_account_is_told_so_only_with_the_right_password(admin, restricted_app, restricted):
    _post(admin, f"/admin/users/{_user(restricted, 'member').id}/disable")
    right = login(restricted_app.test_client(), "member", PASSWORDS["member"])
    assert right.status_code == 403 and "disabled" in right.get_data(as_text=True)
    wrong = login(restricted_app.test_client(), "member", "not-the-password")
    assert wrong.status_code == 401 and "disabled" not in wrong.get_data(as_text=True)
    _post(admin, f"/admin/users/{_user(restricted, 'member').id}/enable")
    assert login(restricted_app.test_client(), "member", PASSWORDS["member"]).status_code == 302


def test_an_admin_cannot_lock_themselves_out(admin, restricted):
    me = _user(restricted, "admin").id
    for action in ("role", "disable", "reset", "remove"):
        response = _post(admin, f"/admin/users/{me}/{action}", {"role": "member", "confirm": "yes"})
        assert response.status_code == 400, action
    assert _user(restricted, "admin").status == "active" and _user(restricted, "admin").role == "admin"


def test_every_change_needs_the_csrf_token(admin, restricted):
    member = _user(restricted, "member")
    for path, data in [("/admin/users", {"name": "x1", "role": "member"}),
                       (f"/admin/users/{member.id}/role", {"role": "admin"}),
                       (f"/admin/users/{member.id}/disable", {}), (f"/admin/users/{member.id}/reset", {}),
                       (f"/admin/users/{member.id}/remove", {"confirm": "yes"}), ("/admin/users/import", {}),
                       ("/admin/users/invitations.csv", {"ids": str(member.id)})]:
        response = admin.post(path, data=data)
        assert response.status_code == 400 and "security token" in response.get_data(as_text=True), path
    assert _user(restricted, "member") == member and _user(restricted, "x1") is None


def test_import_a_member_list_and_download_the_links_for_a_mail_merge(admin, restricted_app, restricted):
    members = "name,email\n" + "".join(f"m{n},m{n}@example.org\n" for n in range(30))
    response = _post(admin, "/admin/users/import", {"file": (io.BytesIO(members.encode()), "members.csv"),
                                                    "role": "member"}, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Imported: 30 new accounts" in page
    ids = re.search(r'name="ids" value="([0-9,]+)"', page).group(1)
    download = _post(admin, "/admin/users/invitations.csv", {"ids": ids})
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert download.headers["Content-Disposition"] == "attachment; filename=invitations.csv"
    rows = list(csv.DictReader(io.StringIO(download.get_data(as_text=True))))
    assert len(rows) == 30 and rows[0]["name"] == "m0" and rows[0]["email"] == "m0@example.org"
    path = rows[7]["link"].removeprefix("http://localhost")
    person = restricted_app.test_client()
    assert "Welcome, m7" in person.get(path).get_data(as_text=True)
    assert ("admin", "user-import", "members.csv") in _actions(restricted)


def test_a_member_list_with_bad_lines_changes_nothing_and_names_them(admin, restricted):
    members = "name,email\ngood,good@example.org\nbad name,x@example.org\nmember,other@example.org\n"
    response = _post(admin, "/admin/users/import", {"file": (io.BytesIO(members.encode()), "members.csv")},
                     content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "nothing was changed" in page
    assert "line 3: account names are" in page
    assert "line 4: there is already an account named &#39;member&#39;" in page and "Update existing accounts" in page
    assert _user(restricted, "good") is None
    updated = _post(admin, "/admin/users/import", {"file": (io.BytesIO(b"name,email\nmember,new@example.org\n"), "m.csv"),
                                                   "update": "yes"}, content_type="multipart/form-data")
    assert "1 updated" in updated.get_data(as_text=True) and _user(restricted, "member").email == "new@example.org"


def test_an_import_queues_the_invitations_and_the_server_mails_them(restricted, mail_server):
    app = make_app(restricted.data, MAIL_SETTINGS=mail_server.settings("https://archive.example.org"),
                   MAIL_RETRY_SECONDS=0.2)
    admin = client_as(app, "admin")
    members = "name,email\n" + "".join(f"m{n},m{n}@example.org\n" for n in range(5))
    page = _post(admin, "/admin/users/import", {"file": (io.BytesIO(members.encode()), "members.csv"),
                                                "delivery": "mail"}, content_type="multipart/form-data")
    assert "5 invitations are being sent by e-mail" in page.get_data(as_text=True)
    deadline = time.monotonic() + 20
    while len(mail_server.messages) < 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sorted(m["To"].addresses[0].addr_spec for m in mail_server.messages) == \
        [f"m{n}@example.org" for n in range(5)]
    listing = admin.get("/admin/users").get_data(as_text=True)
    assert "waiting to be sent" not in listing


def test_the_import_form_keeps_what_was_chosen_and_nothing_else(admin):
    plain = _post(admin, "/admin/users/import", {"file": (io.BytesIO(b"name\n"), "m.csv"), "role": "staff"},
                  content_type="multipart/form-data").get_data(as_text=True)
    assert 'name="update" value="yes">' in plain and "<option selected>staff</option>" in plain
    ticked = _post(admin, "/admin/users/import", {"file": (io.BytesIO(b"name\n"), "m.csv"), "update": "yes"},
                   content_type="multipart/form-data").get_data(as_text=True)
    assert 'name="update" value="yes" checked>' in ticked
