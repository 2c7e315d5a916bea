"""Each person's own account: /account (password, personal feed link) and a forgotten password, with
mail through a real SMTP server and without any."""
from __future__ import annotations

import re
import time

import pytest

from archive import accounts, mail
from archive.accounts import RateLimit
from archive.catalog import Catalog
from web import background
from tests.mailserver import link_in
from tests.web.conftest import PASSWORDS, client_as, csrf_token, login, make_app

ON_BOTH_BACKENDS = True  # each test once on SQLite, once on PostgreSQL (tests/web/conftest.py)

BASE = "https://archive.example.org"


def _wait_for(condition, seconds: float = 15.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_change_your_own_password(restricted_app):
    member = client_as(restricted_app, "member")
    elsewhere = client_as(restricted_app, "member")
    token = csrf_token(member, "/account")
    wrong = member.post("/account/password", data={"current": "not-it", "password": "new-password-1",
                                                   "again": "new-password-1", "csrf_token": token})
    assert wrong.status_code == 400 and "nothing was changed" in wrong.get_data(as_text=True)
    mismatch = member.post("/account/password", data={"current": PASSWORDS["member"], "password": "new-password-1",
                                                      "again": "new-password-2", "csrf_token": token})
    assert mismatch.status_code == 400 and "not the same" in mismatch.get_data(as_text=True)
    done = member.post("/account/password", data={"current": PASSWORDS["member"], "password": "new-password-1",
                                                  "again": "new-password-1", "csrf_token": token})
    assert done.status_code == 302
    assert member.get("/account").status_code == 200  # this browser stays signed in
    assert elsewhere.get("/account").status_code == 401  # every other session ended
    assert login(restricted_app.test_client(), "member", "new-password-1").status_code == 302


def test_make_see_and_revoke_your_personal_feed_link(restricted_app, restricted):
    member = client_as(restricted_app, "member")
    assert "You have no personal feed link" in member.get("/account").get_data(as_text=True)
    member.post("/account/feed", data={"action": "new", "csrf_token": csrf_token(member, "/account")})
    page = member.get("/account").get_data(as_text=True)
    url = re.search(r'id="feed-url" class="link-box" value="([^"]+)"', page).group(1)
    assert url.startswith("http://localhost/search.atom?key=")
    feed = restricted_app.test_client().get(url.removeprefix("http://localhost"))
    assert feed.status_code == 200 and b"Quillbrook" in feed.data
    member.post("/account/feed", data={"action": "revoke", "csrf_token": csrf_token(member, "/account")})
    revoked = restricted_app.test_client().get(url.removeprefix("http://localhost"))
    assert revoked.status_code == 403 and "revoked" in revoked.get_data(as_text=True)
    assert b"Quillbrook" not in revoked.data


def test_account_page_needs_a_signed_in_person(restricted_app):
    assert restricted_app.test_client().get("/account").status_code == 401


def test_without_mail_the_forgotten_password_page_says_to_ask_an_admin(restricted_app):
    client = restricted_app.test_client()
    assert "Forgot your password?" in client.get("/login").get_data(as_text=True)
    page = client.get("/forgot").get_data(as_text=True)
    assert "Ask an admin" in page and "<form action=\"/forgot\"" not in page


@pytest.fixture
def mailing_app(restricted, mail_server):
    with Catalog(restricted.data.catalog) as catalog:
        accounts.set_email(catalog, "member", "member@example.org")
    return make_app(restricted.data, MAIL_SETTINGS=mail_server.settings(BASE), MAIL_RETRY_SECONDS=0.2,
                    BASE_URL=BASE, RESET_RATE_LIMIT=RateLimit(per_account=2, per_address=5, window=600))


def _ask(client, email: str, address: str = "127.0.0.1"):
    return client.post("/forgot", data={"email": email, "csrf_token": csrf_token(client, "/forgot")},
                       environ_base={"REMOTE_ADDR": address})


def test_a_forgotten_password_gets_a_reset_link_by_mail(mailing_app, mail_server):
    client = mailing_app.test_client()
    known, unknown = _ask(client, "Member@Example.org"), _ask(client, "nobody@example.org")
    strip = lambda r: re.sub(r'value="[^"]*"', "", r.get_data(as_text=True))  # noqa: E731 (CSRF tokens differ)
    assert known.status_code == unknown.status_code == 200 and strip(known) == strip(unknown)
    message = _wait_for(lambda: mail_server.messages and mail_server.messages[0])
    assert message["To"].addresses[0].addr_spec == "member@example.org" and len(mail_server.messages) == 1
    link = link_in(message)
    assert link.startswith(BASE + "/password/")
    path = link.removeprefix(BASE)
    person = mailing_app.test_client()
    done = person.post(path, data={"password": "a-brand-new-one", "again": "a-brand-new-one",
                                   "csrf_token": csrf_token(person, path)})
    assert done.status_code == 302
    assert login(mailing_app.test_client(), "member", "a-brand-new-one").status_code == 302
    assert person.get(path).status_code == 410


def test_reset_requests_are_rate_limited_whether_or_not_the_address_exists(mailing_app, mail_server):
    client = mailing_app.test_client()
    for email in ("member@example.org", "nobody@example.org"):
        assert [_ask(client, email, "10.0.0.1").status_code for _ in range(3)] == [200, 200, 429]
    assert _ask(client, "third@example.org", "10.0.0.1").status_code == 200
    assert _ask(client, "fourth@example.org", "10.0.0.1").status_code == 429  # five from one address
    _wait_for(lambda: mail_server.messages)
    time.sleep(0.5)  # a second request while the first message waited asked for nothing new
    assert {m["To"].addresses[0].addr_spec for m in mail_server.messages} == {"member@example.org"}
    assert len(mail_server.messages) <= 2


def test_the_page_answers_at_once_while_the_mail_server_is_down_and_mail_follows(mailing_app, mail_server):
    mail_server.stop()
    started = time.monotonic()
    assert _ask(mailing_app.test_client(), "member@example.org").status_code == 200
    assert time.monotonic() - started < 2
    with Catalog(mailing_app.config["DATA"].catalog) as catalog:
        _wait_for(lambda: "could not be reached" in mail.outbox_counts(catalog).last_error)
        assert mail.outbox_counts(catalog).waiting == 1
    mail_server.start()
    background.mailer(mailing_app).nudge()
    assert "password" in _wait_for(lambda: mail_server.messages and mail_server.messages[0])["Subject"]


def test_pages_that_show_a_secret_are_never_stored(restricted_app, restricted):
    member = client_as(restricted_app, "member")
    assert member.get("/account").headers["Cache-Control"] == "no-store"
    admin = client_as(restricted_app, "admin")
    with Catalog(restricted.data.catalog) as catalog:
        member_id = accounts.get_user(catalog, "member").id
    shown = admin.post(f"/admin/users/{member_id}/reset", data={"csrf_token": csrf_token(admin, "/admin/users")})
    assert shown.headers["Cache-Control"] == "no-store"
    path = re.search(r'value="http://localhost(/password/[^"]+)"', shown.get_data(as_text=True)).group(1)
    assert restricted_app.test_client().get(path).headers["Cache-Control"] == "no-store"


def test_the_link_path_mail_uses_is_the_route_that_opens_it(restricted_app):
    from web.links import PASSWORD_PATH, password_link

    with restricted_app.test_request_context():
        from flask import url_for

        assert url_for("account.choose_password", token="abc") == PASSWORD_PATH + "abc"
    assert password_link("https://a.example.org/", "abc") == "https://a.example.org/password/abc"


def test_an_expired_link_says_when_and_changes_nothing(restricted_app, restricted):
    from archive import account_links
    from archive.account_links import INVITE

    with Catalog(restricted.data.catalog) as catalog:
        invited = accounts.add_user(catalog, "late", "member", None, "late@example.org")
        link = account_links.issue(catalog, invited, INVITE, -60)  # expired a minute ago
    client = restricted_app.test_client()
    page = client.get(f"/password/{link.token}")
    assert page.status_code == 410 and "This invitation expired on" in page.get_data(as_text=True)
    posted = client.post(f"/password/{link.token}", data={"password": "too-late-password", "again": "too-late-password",
                                                          "csrf_token": csrf_token(client)})
    assert posted.status_code == 410
    with Catalog(restricted.data.catalog) as catalog:
        assert accounts.get_user(catalog, "late").status == "invited"
