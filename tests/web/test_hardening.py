"""Hostile input on the web (issue 11): redirects, sessions, sign-in races, exports, numbers, names, Range, PDFs."""
from __future__ import annotations

import io
import json
import threading
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from archive import accounts
from archive.accounts import RateLimit
from archive.catalog import Catalog
from archive.metadata import DocumentMeta
from archive.names import fit_name, printable_name
from indexer.load.run import load_paths
from tests.builders import make_pdf
from tests.web.conftest import PASSWORDS, client_as, csrf_token, make_app

COOKIE = "archive_session"


# -- 1. redirects after signing in ----------------------------------------------------------------------

@pytest.mark.parametrize("evil", ["/\t/evil.example", "/%09/evil.example", "/\r\n/evil.example", "/%0d%0a/x",
                                  "/\\evil.example", "/%5cevil.example", "//evil.example", "/%2fevil.example",
                                  "https://evil.example/", "/ /evil.example", "/\u202e/evil", "/\x00x"])
def test_login_never_redirects_off_site_or_fails_on_control_characters(restricted_app, evil):
    client = restricted_app.test_client()
    response = client.post("/login", data={"name": "member", "password": PASSWORDS["member"], "next": evil,
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 302
    assert response.headers["Location"] == "/search"


def test_login_from_a_query_string_next_with_a_tab_goes_home(restricted_app):
    client = restricted_app.test_client()
    form = client.get("/login?next=/%09/evil.example").get_data(as_text=True)
    assert "evil.example" not in form
    assert client.get("/login?next=/%0d%0a/x").status_code == 200


def test_login_still_returns_to_a_local_search_with_spaces(restricted_app):
    client = restricted_app.test_client()
    target = "/search?q=two%20words&type=contract"
    response = client.post("/login", data={"name": "member", "password": PASSWORDS["member"], "next": target,
                                           "csrf_token": csrf_token(client)})
    assert response.headers["Location"] == target


# -- 2. sessions the server can revoke --------------------------------------------------------------------

def _saved_cookie(client) -> str:
    return client.get_cookie(COOKIE).value


def _replayed(app, cookie: str):
    thief = app.test_client()
    thief.set_cookie(COOKIE, cookie)
    return thief


def test_a_saved_session_cookie_opens_nothing_after_logout(restricted_app):
    staff = client_as(restricted_app, "staff")
    saved = _saved_cookie(staff)
    assert _replayed(restricted_app, saved).get("/upload").status_code == 200
    assert staff.post("/logout", data={"csrf_token": csrf_token(staff, "/")}).status_code == 302
    assert _replayed(restricted_app, saved).get("/upload").status_code == 401


def test_a_password_change_or_removal_ends_every_session(restricted_app, restricted):
    staff, admin = client_as(restricted_app, "staff"), client_as(restricted_app, "admin")
    with Catalog(restricted.data.catalog_path) as catalog:
        accounts.set_password(catalog, "staff", "a-brand-new-password")
        accounts.remove_user(catalog, "admin")
        assert catalog.db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 0
    assert staff.get("/upload").status_code == 401
    assert admin.get("/admin/users").status_code == 401


def test_another_browsers_session_survives_one_logout(restricted_app):
    first, second = client_as(restricted_app, "staff"), client_as(restricted_app, "staff")
    first.post("/logout", data={"csrf_token": csrf_token(first, "/")})
    assert second.get("/upload").status_code == 200


# -- 3. the sign-in limit under simultaneous guesses ------------------------------------------------------

def test_simultaneous_wrong_passwords_are_counted_against_the_limit(restricted):
    app = make_app(restricted.data, LOGIN_RATE_LIMIT=RateLimit(per_account=5, per_address=1000, window=600))
    guesses = 24
    start, statuses = threading.Barrier(guesses), []

    def guess() -> None:
        client = app.test_client()
        token = csrf_token(client)
        start.wait()
        statuses.append(client.post("/login", data={"name": "admin", "password": "wrong-guess!",
                                                    "csrf_token": token}).status_code)

    threads = [threading.Thread(target=guess) for _ in range(guesses)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(set(statuses)) == [401, 429]
    assert statuses.count(401) == 5


# -- 4. exports check everything before the first byte ----------------------------------------------------

@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_with_a_backwards_year_range_is_a_clear_400(restricted_app, fmt):
    response = restricted_app.test_client().get(f"/export?format={fmt}&from=2019&to=2015")
    assert response.status_code == 400
    assert "the range starts (2019) after it ends (2015)" in response.get_data(as_text=True)


def test_json_export_is_whole_valid_json(restricted_app):
    response = restricted_app.test_client().get("/export?format=json&from=2015&to=2020")
    assert response.status_code == 200
    assert isinstance(json.loads(response.get_data(as_text=True))["results"], list)


# -- 5. numbers ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("url, status", [
    ("/search?page=²", 400), ("/search?from=²⁰¹⁵", 400), ("/search?to=２０１５", 400),
    ("/export?from=²⁰¹⁵", 400),
    ("/admin/audit?page=²", 401), (f"/documents/{2**63}", 404), (f"/documents/{2**64}/download", 404),
    (f"/api/documents/{2**63}", 404), ("/documents/١", 404), (f"/documents/{2**63 - 1}", 404)])
def test_numbers_that_are_not_plain_numbers_are_400_or_404(restricted_app, url, status):
    assert restricted_app.test_client().get(url).status_code == status


def test_staff_routes_refuse_huge_ids_cleanly(restricted_app):
    staff = client_as(restricted_app, "staff")
    assert staff.get(f"/documents/{2**70}/edit").status_code == 404
    assert staff.get("/admin/audit?page=²").status_code in (400, 403)


# -- 6. file names ------------------------------------------------------------------------------------

def test_an_upload_with_a_very_long_name_loads(restricted_app, tmp_path):
    staff = client_as(restricted_app, "staff")
    pdf = make_pdf(tmp_path / "x.pdf", ["Longname minutes\nThe persimmon motion carried"])
    name = "minutes-" + "é" * 300 + "a" * 300 + ".pdf"
    response = staff.post("/upload", data={"files": [(io.BytesIO(pdf.read_bytes()), name)],
                                           "csrf_token": csrf_token(staff, "/upload")},
                          content_type="multipart/form-data")
    assert response.status_code == 200
    assert 'class="outcome-loaded"' in response.get_data(as_text=True)


def test_a_file_with_a_newline_in_its_name_can_be_downloaded(restricted_app, restricted, tmp_path):
    source = make_pdf(tmp_path / "in" / "bad\nname\u202e.pdf", ["Newline name\nThe tangerine clause"])
    report = load_paths([source], restricted.data, DocumentMeta(doc_type="other"), jobs=1)
    doc_id = report.outcomes[0].doc_id
    response = restricted_app.test_client().get(f"/documents/{doc_id}/download")
    assert response.status_code == 200
    assert response.data == source.read_bytes()
    disposition = response.headers["Content-Disposition"]
    assert "\n" not in disposition and "\u202e" not in disposition and "bad_name_.pdf" in disposition


def test_names_are_made_printable_and_short_keeping_the_suffix():
    assert printable_name("a\r\nb\x00c\u202e.pdf") == "a__b_c_.pdf"
    assert printable_name("  ") == "document"
    long = fit_name("é" * 300 + ".pdf")
    assert len(long.encode()) <= 200 and long.endswith(".pdf")


# -- 7. absolute URLs never come from the Host header ----------------------------------------------------

def test_export_links_ignore_the_host_header(restricted_app, restricted):
    page = restricted_app.test_client().get("/export?format=csv", headers={"Host": "evil.example"})
    text = page.get_data(as_text=True)
    assert "/documents/" in text and "evil.example" not in text


def test_export_links_use_the_configured_base_url(restricted):
    app = make_app(restricted.data, BASE_URL="https://archive.example.org/")
    text = app.test_client().get("/export?format=json", headers={"Host": "evil.example"}).get_data(as_text=True)
    urls = [r["url"] for r in json.loads(text)["results"]]
    assert urls and all(u.startswith("https://archive.example.org/documents/") for u in urls)


def test_serve_refuses_a_base_url_that_is_not_an_address(restricted):
    from click.testing import CliRunner

    from web.cli import main

    result = CliRunner().invoke(main, ["--data-dir", str(restricted.data.root), "serve", "--base-url", "evil"])
    assert result.exit_code != 0 and "--base-url" in result.output


# -- 8. Range headers ---------------------------------------------------------------------------------

@pytest.mark.parametrize("header", ["", "bytes=0-1,4-5", "bytes=abc", "pages=1-2", "bytes=5-1"])
def test_a_range_we_do_not_honour_gets_the_whole_file(restricted_app, restricted, header):
    response = restricted_app.test_client().get(f"/documents/{restricted.public_id}/download",
                                                headers={"Range": header})
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF")


def test_a_single_range_still_gets_206(restricted_app, restricted):
    response = restricted_app.test_client().get(f"/documents/{restricted.public_id}/download",
                                                headers={"Range": "bytes=0-3"})
    assert response.status_code == 206 and response.data == b"%PDF"


# -- 9. PDFs with JavaScript are downloaded, never shown inline ---------------------------------------------

def _with_script(path: Path, where: str) -> Path:
    writer = PdfWriter(clone_from=PdfReader(path))
    action = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                               NameObject("/JS"): TextStringObject("app.alert('hello');")})
    if where == "open":
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    else:
        writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): action})
    writer.write(path)
    return path


@pytest.mark.parametrize("where", ["open", "page"])
def test_a_pdf_with_javascript_is_viewed_as_a_download(restricted_app, restricted, tmp_path, where):
    pdf = _with_script(make_pdf(tmp_path / f"scripted-{where}.pdf", [f"Scripted {where}\nA guava note"]), where)
    doc_id = load_paths([pdf], restricted.data, DocumentMeta(doc_type="other"), jobs=1).outcomes[0].doc_id
    response = restricted_app.test_client().get(f"/documents/{doc_id}/view")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")


def test_a_plain_pdf_is_still_viewed_inline(restricted_app, restricted):
    response = restricted_app.test_client().get(f"/documents/{restricted.public_id}/view")
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("inline")
