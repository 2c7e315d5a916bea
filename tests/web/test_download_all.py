"""Download all: every original of a search in one zip, only what the visitor may see, capped before the
first byte, with safe and unique names inside, streamed a file at a time."""
from __future__ import annotations

import io
import json
import os
import re
import tracemalloc
import urllib.request
import zipfile

import pytest

from archive.catalog import Catalog
from archive.datadir import DataDir
from archive.metadata import DocumentMeta
from archive.store import BlobStore
from indexer.load.run import load_paths
from tests.builders import make_pdf
from tests.web.conftest import SECRET_WORDS, make_app
from web.zips import ZipEntry, zip_stream

PUBLIC_NAMES = {
    "2018-fact-sheet-member-organizer-institute-fact-sheet.txt",
    "2019-financial-audit-financial-audit-for-fiscal-year-2019.pdf",
    "2021-convention-report-2021-convention-report.pdf",
    "2022-press-statement-statement-on-school-funding.html",
}
MEMBERS_NAME = "2017-contract-quillbrook-bargaining-strategy.pdf"
WITHDRAWN_NAME = "2020-press-statement-retracted-statement.pdf"


def unzip(response) -> dict[str, bytes]:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as archive:
        assert archive.testzip() is None  # every member's CRC checks
        return {name: archive.read(name) for name in archive.namelist()}


def originals(data: DataDir) -> dict[str, bytes]:
    """Title -> the original bytes, straight from the store."""
    store = BlobStore(data.store_dir)
    with Catalog(data.catalog_path) as catalog:
        return {doc.title: store.path_for(doc.sha256).read_bytes() for doc in catalog.iter_documents()}


def test_a_visitor_gets_the_public_originals_byte_for_byte(clients, shared):
    files = unzip(clients["anonymous"].get("/export?format=zip"))
    assert set(files) == PUBLIC_NAMES
    by_title = originals(shared.data)
    assert files["2019-financial-audit-financial-audit-for-fiscal-year-2019.pdf"] == \
        by_title["Financial Audit for Fiscal Year 2019"]
    assert files["2018-fact-sheet-member-organizer-institute-fact-sheet.txt"] == \
        by_title["Member Organizer Institute Fact Sheet"]
    assert not any(word.lower().encode() in body.lower() for body in files.values() for word in SECRET_WORDS)


@pytest.mark.parametrize("role, extra", [("member", {MEMBERS_NAME}), ("staff", {MEMBERS_NAME, WITHDRAWN_NAME})])
def test_members_and_staff_get_what_they_may_see(clients, shared, role, extra):
    files = unzip(clients[role].get("/export?format=zip"))
    assert set(files) == PUBLIC_NAMES | extra
    assert files[MEMBERS_NAME] == shared.secret_bytes


def test_a_members_only_zip_is_never_kept_by_a_shared_cache(clients):
    response = clients["member"].get("/export?format=zip&access=members")
    assert set(unzip(response)) == {MEMBERS_NAME}
    assert "private" in response.headers["Cache-Control"]


def test_a_visitor_asking_for_members_documents_gets_nothing_to_download(clients):
    response = clients["anonymous"].get("/export?format=zip&q=zephyrine")
    assert response.status_code == 404
    assert "This search finds no documents, so there is nothing to download." in response.get_data(as_text=True)


def test_the_results_page_offers_the_zip_with_its_count_and_size(clients, shared):
    html = clients["anonymous"].get("/search?type=financial_audit").get_data(as_text=True)
    link = re.search(r'<p class="download-all">\s*<a href="([^"]+)" download>([^<]+)</a>', html)
    assert link and link.group(2) == "Download all (1 file, 0.1 MB)"
    files = unzip(clients["anonymous"].get(link.group(1).replace("&amp;", "&")))
    assert set(files) == {"2019-financial-audit-financial-audit-for-fiscal-year-2019.pdf"}
    member = clients["member"].get("/search").get_data(as_text=True)
    assert "Download all (5 files, " in member


def test_the_offer_counts_only_what_the_visitor_may_see(clients):
    assert "Download all (4 files, 0.1 MB)" in clients["anonymous"].get("/search").get_data(as_text=True)
    assert "Download all" not in clients["anonymous"].get("/search?q=zephyrine").get_data(as_text=True)


@pytest.fixture(scope="module")
def capped(shared):
    return make_app(shared.data, ZIP_MAX_FILES=3, ZIP_MAX_MB=0.004).test_client()


def test_over_the_file_cap_is_refused_before_any_byte(capped):
    response = capped.get("/export?format=zip")
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and response.headers["Content-Type"].startswith("text/html")
    assert "This search finds 4 documents, and one download holds at most 3 files. Narrow the search" in body
    assert "Too large for one download" in body and not response.get_data().startswith(b"PK")


def test_over_the_size_cap_is_refused_before_any_byte(capped):
    response = capped.get("/export?format=zip&q=report+OR+funding")  # the convention report and audit: 4.5 KB
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r"These 3 documents come to 0\.1 MB, and one download holds at most 0\.004 MB", body), body


def test_the_results_page_says_why_instead_of_linking(capped):
    html = capped.get("/search").get_data(as_text=True)
    assert "Download all (4 files): <span class=\"refusal\">This search finds 4 documents" in html
    assert "format=zip" not in html
    small = capped.get("/search?type=fact_sheet").get_data(as_text=True)
    assert re.search(r'<a href="/export\?type=fact_sheet&amp;format=zip" download>Download all \(1 file, 0\.1 MB\)',
                     small)


@pytest.mark.parametrize("url, says", [
    ("/export?format=zip&from=2019-13", "has no month 13"),
    ("/export?format=zip&from=2021&to=2019", "the range starts (2021) after it ends (2019)"),
    ("/export?format=zap", "“format” must be csv, json or zip."),
])
def test_bad_parameters_are_refused_before_any_byte(clients, url, says):
    response = clients["anonymous"].get(url)
    assert response.status_code == 400 and says in response.get_data(as_text=True)


def test_names_inside_are_safe_and_unique(tmp_path):
    data = DataDir(tmp_path / "data").ensure()
    hostile = "../../etc/passwd\u202egpj.exe\n"
    for number, words in enumerate(("first wording", "second wording", "third wording")):
        make_pdf(tmp_path / "in" / f"{number}.pdf", [f"Same title, {words}"])
    load_paths([tmp_path / "in"], data, DocumentMeta(title="Minutes", doc_type="other", year=2015), jobs=1)
    make_pdf(tmp_path / "odd" / "x.pdf", ["A hostile title"])
    load_paths([tmp_path / "odd"], data, DocumentMeta(title=hostile, doc_type="other", year=2015), jobs=1)
    files = unzip(make_app(data).test_client().get("/export?format=zip&sort=title"))
    assert sorted(files) == ["2015-other-etc-passwd-gpj-exe.pdf", "2015-other-minutes-2.pdf",
                             "2015-other-minutes-3.pdf", "2015-other-minutes.pdf"]


def test_an_original_missing_from_the_store_is_named_in_a_note(restricted, restricted_app):
    with Catalog(restricted.data.catalog_path) as catalog:
        audit = catalog.get(restricted.public_id)
    BlobStore(restricted.data.store_dir).path_for(audit.sha256).unlink()
    files = unzip(restricted_app.test_client().get("/export?format=zip"))
    assert set(files) == (PUBLIC_NAMES - {"2019-financial-audit-financial-audit-for-fiscal-year-2019.pdf"}) | {
        "missing-originals.txt"}
    assert "2019-financial-audit-financial-audit-for-fiscal-year-2019.pdf: Financial Audit for Fiscal Year 2019" \
        in files["missing-originals.txt"].decode()


def test_the_zip_is_streamed_not_built_in_memory(tmp_path):
    big = tmp_path / "big.bin"
    with big.open("wb") as out:
        for _ in range(40):
            out.write(os.urandom(1024 * 1024))
    entries = [ZipEntry(f"part-{n}.pdf", big, f"Part {n}", (2020, 1, 1, 0, 0, 0), zipfile.ZIP_STORED, 40 << 20)
               for n in range(2)]
    tracemalloc.start()
    try:
        written = tmp_path / "out.zip"
        with written.open("wb") as out:
            for chunk in zip_stream(entries):
                out.write(chunk)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB for an 80 MB zip"
    with zipfile.ZipFile(written) as archive:
        assert [i.file_size for i in archive.infolist()] == [40 << 20, 40 << 20]
        assert archive.read("part-1.pdf") == big.read_bytes()


def test_through_the_real_server_the_zip_comes_chunked(live_server):
    with urllib.request.urlopen(live_server + "/api/search?type=financial_audit&per_page=100") as response:
        titles = sorted(hit["title"] for hit in json.load(response)["hits"])
    assert len(titles) == 6  # the samples' public audits
    with urllib.request.urlopen(live_server + "/export?format=zip&type=financial_audit") as response:
        assert response.headers["Transfer-Encoding"] == "chunked" and response.headers["Content-Length"] is None
        with zipfile.ZipFile(io.BytesIO(response.read())) as archive:
            assert archive.testzip() is None
            names = archive.namelist()
    assert len(names) == len(titles) and all(name.startswith(("20", "19")) for name in names)
