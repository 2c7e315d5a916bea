"""Staff work in the web: upload, edit, withdraw, restore, delete; CSRF on every change; the audit log."""
from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from archive import audit
from archive.catalog import Catalog
from archive.store import BlobStore
from tests.builders import make_indented_contract, make_markdown_post, make_page_with_leading_script, make_pdf
from tests.web.conftest import client_as, csrf_token, make_app


def _hits(client, query: str) -> list[int]:
    return [hit["id"] for hit in client.get(f"/api/search?q={query}").get_json()["hits"]]


def _upload(client, files: list[tuple[bytes, str]], **fields):
    data = {"files": [(io.BytesIO(content), name) for content, name in files], **fields,
            "csrf_token": csrf_token(client, "/upload")}
    return client.post("/upload", data=data, content_type="multipart/form-data")


def _audit(restricted) -> list[audit.AuditEntry]:
    with Catalog(restricted.data.catalog_path) as catalog:
        return audit.entries(catalog)


def test_upload_many_files_with_metadata_reports_each(restricted_app, restricted, tmp_path):
    staff, visitor = client_as(restricted_app, "staff"), restricted_app.test_client()
    one = make_pdf(tmp_path / "minutes.pdf", ["Executive board minutes\nThe marmalade fund was approved"])
    two = make_pdf(tmp_path / "budget.pdf", ["Budget 2024\nMarmalade fund line items", "Second page"])
    response = _upload(staff, [(one.read_bytes(), "minutes.pdf"), (two.read_bytes(), "budget.pdf")],
                       doc_type="other", year="2024", division="Teachers", access="members")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count('class="outcome-loaded"') == 2 and "(2 pages)" in page
    ids = _hits(staff, "marmalade")
    assert len(ids) == 2
    assert _hits(visitor, "marmalade") == []  # uploaded as members-only
    with Catalog(restricted.data.catalog_path) as catalog:
        docs = [catalog.get(i) for i in ids]
        assert {d.year for d in docs} == {2024} and {d.access for d in docs} == {"members"}
        assert {d.filename for d in docs} == {"minutes.pdf", "budget.pdf"}
        assert all(d.source_path.startswith("web upload by staff") for d in docs)
        assert not catalog.db.execute("SELECT COUNT(*) FROM files WHERE path LIKE '%uploads-in-progress%'").fetchone()[0]
    assert [e.action for e in _audit(restricted)[:2]] == ["upload", "upload"]
    assert not list(restricted.data.root.glob("uploads-in-progress*"))


def test_upload_with_blank_fields_infers_like_the_command_line(restricted_app, tmp_path):
    staff = client_as(restricted_app, "staff")
    pdf = make_pdf(tmp_path / "x.pdf", ["Independent Auditor's Report\nFor the year ended June 30, 2011\nkumquat"],
                   title="Audit 2011")
    assert _upload(staff, [(pdf.read_bytes(), "2011-audit.pdf")]).status_code == 200
    hit = staff.get("/api/search?q=kumquat").get_json()["hits"][0]
    assert (hit["type"], hit["year"], hit["title"], hit["access"]) == ("financial_audit", 2011, "Audit 2011", "public")


def test_text_documents_libmagic_misnames_upload_and_are_served_as_text(restricted_app, tmp_path):
    staff = client_as(restricted_app, "staff")
    files = [make_markdown_post(tmp_path / "nurses-ratify.md"), make_indented_contract(tmp_path / "local-153.txt"),
             make_page_with_leading_script(tmp_path / "strike.html", "Strike ends at Mercy", "Quinceberry picket.")]
    page = _upload(staff, [(path.read_bytes(), path.name) for path in files]).get_data(as_text=True)
    assert page.count('class="outcome-loaded"') == 3
    found = {word: [staff.get(f"/api/documents/{doc_id}").get_json() for doc_id in _hits(staff, word)]
             for word in ("riverside", "quinceberry", "recognizes")}
    assert {word: [(d["title"], d["year"], d["mime"]) for d in docs] for word, docs in found.items()} == {
        "riverside": [("Nurses ratify a new contract", 2016, "text/markdown")],
        "quinceberry": [("Strike ends at Mercy", None, "text/html")],
        "recognizes": [("OFFICE AND PROFESSIONAL EMPLOYEES", None, "text/plain")],
    }
    assert _hits(staff, "layout") == []  # a front-matter key, not the post's text
    doc_id = found["riverside"][0]["id"]
    assert "text/markdown" in staff.get(f"/documents/{doc_id}").get_data(as_text=True)
    assert staff.get(f"/documents/{doc_id}/view").mimetype == "text/plain"
    download = staff.get(f"/documents/{doc_id}/download")
    assert (download.mimetype, download.data) == ("text/markdown", files[0].read_bytes())


def test_disguised_executable_is_refused_and_nothing_is_kept(restricted_app, restricted):
    staff = client_as(restricted_app, "staff")
    before = sorted(p.name for p in restricted.data.store_dir.rglob("*") if p.is_file())
    response = _upload(staff, [(Path(shutil.which("true")).read_bytes(), "report.pdf")])
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'class="outcome-failed"' in page
    assert "report.pdf" in page and "executable" in page
    assert sorted(p.name for p in restricted.data.store_dir.rglob("*") if p.is_file()) == before
    assert _audit(restricted)[0].action == "upload-refused"


def test_upload_of_a_file_already_in_the_archive_says_which_document(restricted_app, restricted):
    staff = client_as(restricted_app, "staff")
    response = _upload(staff, [(restricted.secret_bytes, "copy.pdf")])
    page = response.get_data(as_text=True)
    assert 'class="outcome-duplicate"' in page and f"document {restricted.members_id}" in page


def test_upload_larger_than_the_limit_gets_a_clear_413(restricted):
    limited_app = make_app(restricted.data, MAX_CONTENT_LENGTH=64 * 1024)
    staff = client_as(limited_app, "staff")
    response = _upload(staff, [(b"%PDF-1.4\n" + b"0" * 100 * 1024, "big.pdf")])
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "larger than this archive accepts at once (0.0625 MB)" in page and "Traceback" not in page


def test_upload_form_errors_are_plain_sentences(restricted_app, tmp_path):
    staff = client_as(restricted_app, "staff")
    pdf = make_pdf(tmp_path / "a.pdf", ["text"]).read_bytes()
    assert "at least one file" in _upload(staff, []).get_data(as_text=True)
    bad_year = _upload(staff, [(pdf, "a.pdf")], year="20019")
    assert bad_year.status_code == 400 and "not a year" in bad_year.get_data(as_text=True)
    two_titled = _upload(staff, [(pdf, "a.pdf"), (pdf, "b.pdf")], title="One title")
    assert two_titled.status_code == 400 and "single file" in two_titled.get_data(as_text=True)


def test_edit_is_in_search_at_once_and_audited(restricted_app, restricted):
    staff, visitor = client_as(restricted_app, "staff"), restricted_app.test_client()
    doc_id = restricted.public_id
    form = {"title": "Audited Accounts of the Pelican Federation", "doc_type": "financial_audit", "year": "2018",
            "date": "2018-09-30", "division": "Teachers", "access": "members",
            "csrf_token": csrf_token(staff, f"/documents/{doc_id}/edit")}
    response = staff.post(f"/documents/{doc_id}/edit", data=form)
    assert response.status_code == 302
    assert staff.get("/api/search?q=title:pelican").get_json()["hits"][0]["id"] == doc_id
    hit = staff.get(f"/api/documents/{doc_id}").get_json()
    assert (hit["year"], hit["division"], hit["date"], hit["access"]) == (2018, "Teachers", "2018-09-30", "members")
    assert _hits(visitor, "pension") == []  # now members-only
    assert visitor.get(f"/documents/{doc_id}/download").status_code == 401
    entry = _audit(restricted)[0]
    assert (entry.actor, entry.action, entry.doc_id) == ("staff", "edit", doc_id)
    assert entry.changes["year"] == {"old": 2019, "new": 2018}
    assert entry.changes["access"] == {"old": "public", "new": "members"}
    assert "doc_type" not in entry.changes  # unchanged fields are not listed


def test_edit_with_bad_values_changes_nothing(restricted_app, restricted):
    staff = client_as(restricted_app, "staff")
    doc_id = restricted.public_id
    response = staff.post(f"/documents/{doc_id}/edit", data={
        "title": "", "doc_type": "financial_audit", "year": "2019", "division": "Federation-wide",
        "access": "public", "csrf_token": csrf_token(staff, f"/documents/{doc_id}/edit")})
    assert response.status_code == 400 and "Title is empty" in response.get_data(as_text=True)
    assert _audit(restricted)[0].action != "edit"


def test_withdraw_and_restore_are_in_search_at_once(restricted_app, restricted):
    staff, member = client_as(restricted_app, "staff"), client_as(restricted_app, "member")
    doc_id = restricted.members_id
    token = csrf_token(staff, f"/documents/{doc_id}")
    assert staff.post(f"/documents/{doc_id}/withdraw", data={"csrf_token": token}).status_code == 302
    assert _hits(member, "zephyrine") == []
    assert member.get(f"/documents/{doc_id}/download").status_code == 404
    assert _hits(staff, "zephyrine") == [doc_id]
    assert BlobStore(restricted.data.store_dir).has(staff.get(f"/api/documents/{doc_id}").get_json()["sha256"])
    assert staff.post(f"/documents/{doc_id}/restore", data={"csrf_token": token}).status_code == 302
    assert _hits(member, "zephyrine") == [doc_id]
    assert restricted_app.test_client().get(f"/documents/{doc_id}").status_code == 401  # back to members-only
    assert [e.action for e in _audit(restricted)[:2]] == ["restore", "withdraw"]


def test_delete_needs_confirmation_then_removes_store_catalog_and_index(restricted_app, restricted):
    staff = client_as(restricted_app, "staff")
    doc_id = restricted.members_id
    sha = staff.get(f"/api/documents/{doc_id}").get_json()["sha256"]
    token = csrf_token(staff, f"/documents/{doc_id}/delete")
    unconfirmed = staff.post(f"/documents/{doc_id}/delete", data={"csrf_token": token})
    assert unconfirmed.status_code == 400 and _hits(staff, "zephyrine") == [doc_id]
    confirmed = staff.post(f"/documents/{doc_id}/delete", data={"csrf_token": token, "confirm": "yes"})
    assert confirmed.status_code == 302
    assert _hits(staff, "zephyrine") == []
    assert staff.get(f"/documents/{doc_id}").status_code == 404
    assert not BlobStore(restricted.data.store_dir).has(sha)
    with Catalog(restricted.data.catalog_path) as catalog:
        assert catalog.get(doc_id) is None and catalog.page_texts(doc_id) == []
    entry = _audit(restricted)[0]
    assert entry.action == "delete" and entry.changes["sha256"]["old"] == sha
    assert entry.subject == "Quillbrook Bargaining Strategy"


@pytest.mark.parametrize("path,form", [
    ("/documents/{id}/withdraw", {}),
    ("/documents/{id}/delete", {"confirm": "yes"}),
    ("/documents/{id}/edit", {"title": "Hijacked", "doc_type": "other", "year": "", "division": "Teachers",
                              "access": "public"}),
    ("/upload", {}),
    ("/logout", {}),
])
def test_changes_without_a_valid_csrf_token_are_refused(restricted_app, restricted, path, form):
    assert restricted_app.config["WTF_CSRF_ENABLED"] is not False
    staff = client_as(restricted_app, "staff")
    url = path.format(id=restricted.members_id)
    for token in (None, "forged-token"):
        data = dict(form) if token is None else {**form, "csrf_token": token}
        response = staff.post(url, data=data)
        assert response.status_code == 400
        assert "security token" in response.get_data(as_text=True)
    assert _hits(staff, "zephyrine") == [restricted.members_id]  # not withdrawn, not deleted, not edited
    assert staff.get("/upload").status_code == 200  # still signed in
    assert [e.actor for e in _audit(restricted)] == ["fixture"]  # only the fixture's own withdrawal


def test_login_form_needs_its_csrf_token_too(restricted_app):
    client = restricted_app.test_client()
    response = client.post("/login", data={"name": "staff", "password": "staff-password-22"})
    assert response.status_code == 400


def test_audit_log_page_shows_who_what_and_old_new_values(restricted_app, restricted):
    staff, admin = client_as(restricted_app, "staff"), client_as(restricted_app, "admin")
    doc_id = restricted.public_id
    staff.post(f"/documents/{doc_id}/edit", data={
        "title": "Renamed <b>Audit</b>", "doc_type": "financial_audit", "year": "2019", "division": "Federation-wide",
        "access": "public", "csrf_token": csrf_token(staff, f"/documents/{doc_id}/edit")})
    page = admin.get("/admin/audit").get_data(as_text=True)
    assert "staff" in page and "edit" in page
    assert "Financial Audit for Fiscal Year 2019 → Renamed &lt;b&gt;Audit&lt;/b&gt;" in page
    assert "fixture" in page and "withdraw" in page  # the fixture's own withdrawal


def test_a_pathological_upload_is_stopped_by_its_time_limit_and_the_rest_load(restricted, tmp_path):
    from tests.builders import make_slow_pdf

    app = make_app(restricted.data, UPLOAD_TIMEOUT=2.0)
    staff = client_as(app, "staff")
    slow = make_slow_pdf(tmp_path / "slow.pdf")  # one page that pypdf needs well over ten seconds for
    good = make_pdf(tmp_path / "good.pdf", ["Staffing ratios agreement\nquinceword"])
    response = _upload(staff, [(slow.read_bytes(), "slow.pdf"), (good.read_bytes(), "good.pdf")])
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    # The same outcome and message as `archive load` gives a file that overruns; the budget is the
    # upload's own (2 s plus 2 s for its one page), not the command line's 30 s.
    assert "extraction took longer than 4 s for 1 pages; the worker was stopped" in page
    assert page.count('class="outcome-loaded"') == 1 and len(_hits(staff, "quinceword")) == 1
    refused = [e for e in _audit(restricted) if e.action == "upload-refused"]
    assert refused and "timeout" in str(refused[0].changes)
