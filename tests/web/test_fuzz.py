"""Every route and parameter fed hostile values, as a visitor and as staff: never a 500, never a stack trace."""
from __future__ import annotations

import re
from urllib.parse import quote, urlencode

import pytest

from archive.accounts import RateLimit
from tests.web.conftest import PASSWORDS, client_as, csrf_token, make_app

HOSTILE = (
    "", " ", "\t", "²", "²⁰¹⁵", "٣", "９", "0", "-1", "1e3", "NaN", str(2**31), str(2**63 - 1), str(2**63),
    str(2**64), "9" * 400, "\r\nX-Injected: 1", "\x00", "%00", "%0d%0a", "\u202egpj.exe", "\u200f\u2066x",
    "../../etc/passwd", "..%2f..%2fetc", "//evil.example", "/\t/evil.example", "https://evil.example/",
    "<script>alert(1)</script>", "' OR 1=1 --", '"quoted', "(", "AND OR NOT", "*", "title:*", "A" * 10_000,
)
# Every query-string parameter any route reads.
PARAMS = ("q", "page", "per_page", "sort", "type", "year", "division", "access", "from", "to", "format", "next")
SEARCHING = ("/search", "/export", "/api/search")
TRACE = re.compile(r"Traceback \(most recent call last\)|File \"/|\b\w+Error:|jinja2\.|werkzeug\.")


def _assert_clean(response, what: str) -> None:
    body = response.get_data().decode("utf-8", "replace")  # downloads are binary
    assert response.status_code < 500, f"{what}: {response.status_code}"
    assert not TRACE.search(body), f"{what}: a stack trace or exception name in the answer"


def _get_paths(app, valid_id: int) -> list[str]:
    """Every GET route with its variables filled in: by a real id, then by each hostile value."""
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        for value in (str(valid_id), *HOSTILE):
            path = rule.rule
            for name in rule.arguments:
                path = re.sub(rf"<[^>]*\b{name}>", quote(value, safe="") or "x", path)
            paths.append(path)
    return sorted(set(paths))


@pytest.mark.parametrize("role", ["anonymous", "staff"])
def test_no_route_fails_on_hostile_path_values(shared_app, shared, role):
    client = client_as(shared_app, role)
    for path in _get_paths(shared_app, shared.public_id):
        _assert_clean(client.get(path), f"{role} GET {path!r}")


@pytest.mark.parametrize("role", ["anonymous", "staff"])
def test_no_parameter_fails_on_hostile_values(shared_app, shared, role):
    client = client_as(shared_app, role)
    routes = (*SEARCHING, f"/documents/{shared.public_id}", "/admin/audit", "/login", "/latest/contract")
    for value in HOSTILE:
        for route in routes:  # every parameter at once, then (where it matters most) one at a time
            url = f"{route}?{urlencode({p: value for p in PARAMS})}"
            _assert_clean(client.get(url), f"{role} {route} all={value[:40]!r}")
        for route in SEARCHING:
            for param in PARAMS:
                url = f"{route}?{urlencode({param: value})}"
                _assert_clean(client.get(url), f"{role} GET {url[:120]!r}")


@pytest.mark.parametrize("header", ["Range", "If-None-Match", "If-Modified-Since", "If-Range", "Host"])
def test_no_header_value_breaks_a_download(shared_app, shared, header):
    client = shared_app.test_client()
    for value in HOSTILE:
        if "\r" in value or "\n" in value or "\x00" in value:
            continue  # not a header a client can send: the HTTP server refuses it before the app
        _assert_clean(client.get(f"/documents/{shared.public_id}/download", headers={header: value}),
                      f"{header}: {value[:40]!r}")


def test_no_login_field_fails_on_hostile_values(restricted):
    app = make_app(restricted.data, LOGIN_RATE_LIMIT=RateLimit(per_account=10**6, per_address=10**6))
    client = app.test_client()  # no limit, so every value reaches the code behind it, not a 429
    for value in HOSTILE:
        for field in ("name", "password", "next"):
            data = {"name": "nobody", "password": "wrong-password", "next": "/", field: value,
                    "csrf_token": csrf_token(client)}
            _assert_clean(client.post("/login", data=data), f"POST /login {field}={value[:40]!r}")


def test_no_edit_field_fails_on_hostile_values(restricted_app, restricted):
    staff = client_as(restricted_app, "staff")
    edit = f"/documents/{restricted.public_id}/edit"
    fields = ("title", "doc_type", "year", "date", "division", "access")
    for value in HOSTILE:
        for field in fields:
            data = {"title": "Audit", "doc_type": "financial_audit", "year": "2019", "division": "Teachers",
                    "access": "public", field: value, "csrf_token": csrf_token(staff, edit)}
            _assert_clean(staff.post(edit, data=data), f"POST edit {field}={value[:40]!r}")


def test_a_successful_login_with_a_hostile_next_stays_on_the_site(restricted_app):
    client = restricted_app.test_client()
    for value in HOSTILE:
        data = {"name": "member", "password": PASSWORDS["member"], "next": value, "csrf_token": csrf_token(client)}
        response = client.post("/login", data=data)
        _assert_clean(response, f"POST /login next={value[:40]!r}")
        assert response.headers["Location"].startswith("/") and not response.headers["Location"].startswith("//")
