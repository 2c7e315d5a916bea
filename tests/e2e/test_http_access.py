"""Access control over real HTTP through waitress: refusals carry no bytes, sessions and CSRF work."""
from __future__ import annotations

import http.cookiejar
import re
import shutil
import threading
import urllib.error
import urllib.parse
import urllib.request

from dataclasses import replace

import pytest
import waitress

from archive.datadir import DataDir

from tests.web.conftest import PASSWORDS, Restricted, make_app, restricted_template  # noqa: F401 (fixture)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture(scope="module")
def restricted(restricted_template, tmp_path_factory) -> Restricted:
    root = tmp_path_factory.mktemp("http-access") / "data"
    shutil.copytree(restricted_template.data.root, root)
    return replace(restricted_template, data=DataDir(root))


@pytest.fixture(scope="module")
def server(restricted):
    """The app on waitress in a daemon thread, left running like the suite's live_server."""
    srv = waitress.create_server(make_app(restricted.data), host="127.0.0.1", port=0, threads=2)
    threading.Thread(target=srv.run, daemon=True).start()
    return f"http://127.0.0.1:{srv.effective_port}"


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
