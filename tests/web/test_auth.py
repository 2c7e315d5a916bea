"""Signing in and out, sessions, rate limits, the secret key, cookies and security headers."""
from __future__ import annotations

import stat
import time
from datetime import timedelta

from archive import accounts
from archive.accounts import RateLimit
from archive.catalog import Catalog
from web.secret_key import SECRET_KEY_FILE
from tests.web.conftest import PASSWORDS, client_as, csrf_token, login, make_app

ON_BOTH_BACKENDS = True  # each test once on SQLite, once on PostgreSQL (tests/web/conftest.py)


def _signed_in_as(client) -> str | None:
    page = client.get("/login").get_data(as_text=True)
    for role in ("member", "staff", "admin"):
        if f"{role} ({role})" in page:
            return role
    return None


def test_login_then_logout(restricted_app):
    client = restricted_app.test_client()
    response = login(client, "staff", PASSWORDS["staff"])
    assert response.status_code == 302 and response.headers["Location"] == "/search"
    assert _signed_in_as(client) == "staff"
    out = client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert out.status_code == 302
    assert _signed_in_as(client) is None


def test_wrong_password_and_unknown_name_get_the_same_answer(restricted_app):
    client = restricted_app.test_client()
    wrong = login(client, "staff", "not-the-password")
    unknown = login(client, "nobody", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert "do not match an account" in wrong.get_data(as_text=True)
    assert _signed_in_as(client) is None


def test_login_returns_to_the_page_asked_for_but_never_to_another_site(restricted_app, restricted):
    client = restricted_app.test_client()
    target = f"/documents/{restricted.members_id}"
    response = client.post("/login", data={"name": "member", "password": PASSWORDS["member"], "next": target,
                                           "csrf_token": csrf_token(client)})
    assert response.headers["Location"] == target
    for evil in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = client.post("/login", data={"name": "member", "password": PASSWORDS["member"], "next": evil,
                                               "csrf_token": csrf_token(client)})
        assert response.headers["Location"] == "/search"


def test_failed_logins_are_rate_limited_per_account(restricted):
    limited_app = make_app(restricted.data, LOGIN_RATE_LIMIT=RateLimit(per_account=3, per_address=100, window=600))
    client = limited_app.test_client()
    for _ in range(3):
        assert login(client, "admin", "guessing-wrong").status_code == 401
    throttled = login(client, "admin", PASSWORDS["admin"])  # even the right password waits now
    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) > 0
    assert "Too many failed sign-ins" in throttled.get_data(as_text=True)
    assert login(client, "staff", PASSWORDS["staff"]).status_code == 302  # other accounts are unaffected


def test_failed_logins_are_rate_limited_per_address(restricted):
    limited_app = make_app(restricted.data, LOGIN_RATE_LIMIT=RateLimit(per_account=100, per_address=4, window=600))
    client = limited_app.test_client()
    for name in ("a1", "a2", "a3", "a4"):
        assert login(client, name, "guessing-wrong", address="203.0.113.9").status_code == 401
    assert login(client, "staff", PASSWORDS["staff"], address="203.0.113.9").status_code == 429
    assert login(client, "staff", PASSWORDS["staff"], address="198.51.100.1").status_code == 302


def test_session_expires(restricted):
    limited_app = make_app(restricted.data, PERMANENT_SESSION_LIFETIME=timedelta(seconds=1))
    client = client_as(limited_app, "staff")
    assert client.get("/upload").status_code == 200
    time.sleep(2.2)
    assert client.get("/upload").status_code == 401


def test_password_change_and_removal_end_existing_sessions(restricted_app, restricted):
    staff, admin = client_as(restricted_app, "staff"), client_as(restricted_app, "admin")
    with Catalog(restricted.data.catalog) as catalog:
        accounts.set_password(catalog, "staff", "a-brand-new-password")
        accounts.remove_user(catalog, "admin")
    assert staff.get("/upload").status_code == 401
    assert admin.get("/admin/audit").status_code == 401


def test_secret_key_is_made_once_and_readable_by_its_owner_only(restricted):
    key_file = restricted.data.root / SECRET_KEY_FILE
    assert not key_file.exists()
    first = make_app(restricted.data)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    second = make_app(restricted.data)
    assert first.secret_key == second.secret_key and len(first.secret_key) >= 64
    client = client_as(first, "member")  # a session signed by one app instance is valid in the other
    second_client = second.test_client()
    second_client.set_cookie("archive_session", client.get_cookie("archive_session").value)
    assert second_client.get(f"/documents/{restricted.members_id}").status_code == 200


def test_session_cookie_flags(restricted_app):
    client = restricted_app.test_client()
    login(client, "member", PASSWORDS["member"])
    cookie = client.get_cookie("archive_session")
    assert cookie.http_only and cookie.same_site == "Lax" and not cookie.secure
    https = restricted_app.test_client()
    token = csrf_token(https, "https://archive.example/login")
    response = https.post("/login", base_url="https://archive.example",
                          data={"name": "member", "password": PASSWORDS["member"], "csrf_token": token},
                          headers={"Referer": "https://archive.example/login"})
    assert response.status_code == 302
    assert "Secure" in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]


def test_security_headers_on_pages_api_errors_and_downloads(restricted_app, restricted):
    client = restricted_app.test_client()
    for url in ("/", "/api/search", "/documents/999999", "/login", f"/documents/{restricted.members_id}"):
        response = client.get(url)
        csp = response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    for suffix in ("download", "view"):  # originals: no framing, no sniffing
        response = client.get(f"/documents/{restricted.public_id}/{suffix}")
        assert response.headers["Content-Security-Policy"] == "frame-ancestors 'none'"
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_pages_hold_no_inline_script_or_style(restricted_app, restricted):
    client = client_as(restricted_app, "admin")
    for url in ("/", f"/documents/{restricted.public_id}", "/upload", "/admin/audit", "/login",
                f"/documents/{restricted.public_id}/edit"):
        page = client.get(url).get_data(as_text=True)
        assert "<script" not in page and "style=" not in page and " on" + "click=" not in page


def test_signing_in_never_opens_the_search_index(restricted):
    # An index that cannot be opened at all: signing in and out must not notice, search must.
    for toc in restricted.data.index_dir.glob("_MAIN_*.toc"):
        toc.write_bytes(b"not a table of contents")
    app = make_app(restricted.data)
    client = app.test_client()
    assert client.get("/login").status_code == 200
    assert login(client, "staff", PASSWORDS["staff"]).status_code == 302
    assert _signed_in_as(client) == "staff"
    assert client.post("/logout", data={"csrf_token": csrf_token(client, "/login")}).status_code == 302
    assert getattr(app.extensions["archive_searchers"], "searcher", None) is None


def test_each_request_closes_its_catalog_connection(restricted_app, monkeypatch):
    client = client_as(restricted_app, "member")  # each page then looks the member up in the catalog
    closed = []
    original = Catalog.close
    monkeypatch.setattr(Catalog, "close", lambda self: (closed.append(self), original(self))[1])
    client.get("/login")
    client.get("/login")
    assert len(closed) == 2 and closed[0] is not closed[1]
