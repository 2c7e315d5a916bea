"""Every role against every route: the status each must get, and nothing restricted in a refusal."""
from __future__ import annotations

import pytest

from tests.web.conftest import ROLES, SECRET_WORDS, WITHDRAWN_WORDS, csrf_token

# Expected status per role, in the order of ROLES (anonymous, member, staff, admin).
EVERYONE = (200, 200, 200, 200)
MEMBERS = (401, 200, 200, 200)
STAFF_ONLY_DOC = (404, 404, 200, 200)
STAFF = (401, 403, 200, 200)
ADMIN = (401, 403, 403, 200)

# (method, path template, form data, expected); {P} public, {M} members-only, {W} withdrawn document.
ROUTES = [
    ("GET", "/", None, EVERYONE),
    ("GET", "/search?q=report", None, EVERYONE),
    ("GET", "/api/search?q=report", None, EVERYONE),
    ("GET", "/login", None, EVERYONE),
    ("GET", "/documents/{P}", None, EVERYONE),
    ("GET", "/documents/{P}/download", None, EVERYONE),
    ("GET", "/documents/{P}/view", None, EVERYONE),
    ("GET", "/api/documents/{P}", None, EVERYONE),
    ("GET", "/documents/{M}", None, MEMBERS),
    ("GET", "/documents/{M}?q=staffing", None, MEMBERS),
    ("GET", "/documents/{M}/download", None, MEMBERS),
    ("GET", "/documents/{M}/view", None, MEMBERS),
    ("GET", "/api/documents/{M}", None, MEMBERS),
    ("GET", "/api/documents/{M}?q=staffing", None, MEMBERS),
    ("GET", "/documents/{W}", None, STAFF_ONLY_DOC),
    ("GET", "/documents/{W}/download", None, STAFF_ONLY_DOC),
    ("GET", "/documents/{W}/view", None, STAFF_ONLY_DOC),
    ("GET", "/api/documents/{W}", None, STAFF_ONLY_DOC),
    ("GET", "/documents/999999", None, (404, 404, 404, 404)),
    ("GET", "/documents/999999/download", None, (404, 404, 404, 404)),
    ("GET", "/upload", None, STAFF),
    ("GET", "/documents/{P}/edit", None, STAFF),
    ("GET", "/documents/{W}/edit", None, STAFF),
    ("GET", "/documents/{M}/delete", None, STAFF),
    ("GET", "/admin/audit", None, ADMIN),
    ("GET", "/admin/users", None, ADMIN),
    ("GET", "/admin/users?q=staff&page=1", None, ADMIN),
    ("GET", "/admin/users/1", None, ADMIN),
    ("GET", "/admin/users/1/remove", None, ADMIN),
    ("GET", "/admin/users/999999", None, (401, 403, 403, 404)),
    ("GET", "/admin/users/import", None, ADMIN),
    ("GET", "/account", None, MEMBERS),
    ("GET", "/forgot", None, EVERYONE),
    ("GET", "/password/not-a-link", None, (410, 410, 410, 410)),
    ("GET", "/search.atom", None, EVERYONE),
    ("GET", "/search.atom?q=staffing", None, EVERYONE),  # members' words: never in a feed without a key
    ("GET", "/search.atom?key=1-forged", None, (403, 403, 403, 403)),
    # State-changing routes, sent with a valid CSRF token but harmless content: the gate is what is tested.
    ("POST", "/upload", {}, (401, 403, 400, 400)),
    ("POST", "/documents/{P}/edit", {"year": "not a year"}, (401, 403, 400, 400)),
    ("POST", "/documents/{W}/withdraw", {}, (401, 403, 302, 302)),  # already withdrawn: no change
    ("POST", "/documents/{P}/restore", {}, (401, 403, 302, 302)),  # not withdrawn: no change
    ("POST", "/documents/{M}/delete", {}, (401, 403, 400, 400)),  # not confirmed
    ("POST", "/documents/{M}/withdraw", {}, (401, 403, None, None)),  # staff would change it: refusals only
    ("POST", "/admin/users", {"name": "bad name"}, (401, 403, 403, 400)),
    ("POST", "/admin/users/1/role", {"role": "boss"}, (401, 403, 403, 400)),
    ("POST", "/admin/users/1/email", {"email": "not-an-address"}, (401, 403, 403, 400)),
    ("POST", "/admin/users/1/remove", {}, (401, 403, 403, 400)),  # not confirmed
    ("POST", "/admin/users/1/disable", {}, (401, 403, 403, None)),
    ("POST", "/admin/users/1/reset", {}, (401, 403, 403, None)),
    ("POST", "/admin/users/1/invite", {}, (401, 403, 403, 400)),  # has a password: no invitation
    ("POST", "/admin/users/import", {}, (401, 403, 403, 400)),  # no file
    ("POST", "/admin/users/invitations.csv", {"ids": "1"}, (401, 403, 403, 400)),  # not invited
    ("POST", "/account/password", {"current": "wrong"}, (401, 400, 400, 400)),
    ("POST", "/account/feed", {}, (401, None, None, None)),
    ("POST", "/forgot", {"email": "x@example.org"}, (400, 400, 400, 400)),  # no mail on this server
    ("POST", "/password/not-a-link", {"password": "x"}, (410, 410, 410, 410)),
]


def _cases():
    for method, path, form, expected in ROUTES:
        for role, status in zip(ROLES, expected):
            if status is not None:
                yield pytest.param(method, path, form, role, status, id=f"{role}-{method}-{path}")


@pytest.mark.parametrize("method,path,form,role,status", list(_cases()))
def test_role_gets_expected_status(clients, shared, method, path, form, role, status):
    client = clients[role]
    url = path.format(P=shared.public_id, M=shared.members_id, W=shared.withdrawn_id)
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, data={**form, "csrf_token": csrf_token(client)})
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    body = response.get_data()
    if role == "anonymous":
        assert shared.secret_bytes not in body
        assert not any(word.lower().encode() in body.lower() for word in SECRET_WORDS)
    if role in ("anonymous", "member"):
        assert not any(word.encode() in body for word in WITHDRAWN_WORDS)


def test_anonymous_refusals_are_the_sign_in_page_or_json(clients, shared):
    page = clients["anonymous"].get(f"/documents/{shared.members_id}/download")
    assert page.status_code == 401 and 'action="/login"' in page.get_data(as_text=True)
    assert page.mimetype == "text/html"
    api = clients["anonymous"].get(f"/api/documents/{shared.members_id}")
    assert api.status_code == 401 and api.get_json()["status"] == 401
