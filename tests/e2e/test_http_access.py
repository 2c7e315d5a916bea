"""Access control over real HTTP through waitress: refusals carry no bytes, sessions and CSRF work."""
from __future__ import annotations

import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
import waitress

from tests.web.conftest import PASSWORDS, make_app, restricted, restricted_template  # noqa: F401 (fixtures)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def server(restricted):
    app = make_app(restricted.data)
    srv = waitress.create_server(app, host="127.0.0.1", port=0, threads=2)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.effective_port}"
    srv.close()
    thread.join(timeout=5)


def _browser():
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())


def _fetch(opener, url, data=None):
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with opener.open(url, data=body, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def _token(opener, url) -> str:
    return re.search(rb'name="csrf_token" value="([^"]+)"', _fetch(opener, url)[2]).group(1).decode()


def test_members_document_over_http(server, restricted):
    browser = _browser()
    url = f"{server}/documents/{restricted.members_id}/download"
    status, headers, body = _fetch(browser, url)
    assert status == 401 and restricted.secret_bytes[:200] not in body and b'action="/login"' in body
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    forged = _fetch(browser, f"{server}/login", {"name": "member", "password": PASSWORDS["member"]})
    assert forged[0] == 400
    status, headers, _ = _fetch(browser, f"{server}/login", {"name": "member", "password": PASSWORDS["member"],
                                                            "csrf_token": _token(browser, f"{server}/login")})
    assert status == 302 and "HttpOnly" in headers["Set-Cookie"] and "SameSite=Lax" in headers["Set-Cookie"]
    status, headers, body = _fetch(browser, url)
    assert status == 200 and body == restricted.secret_bytes
    assert "private" in headers["Cache-Control"]
