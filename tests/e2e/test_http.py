"""Real HTTP against the real WSGI server on the loaded samples."""
import json
import urllib.error
import urllib.request
from urllib.parse import quote


def get(url: str, headers: dict | None = None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_search_over_http_finds_the_page(live_server):
    status, headers, body = get(f"{live_server}/search?q={quote('Saltmarsh Valley walkout')}")
    html = body.decode()
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "Page 2" in html and "<mark>Saltmarsh</mark>" in html


def test_api_and_download_over_http(live_server):
    status, _, body = get(f"{live_server}/api/search?q=audit&type=financial_audit&per_page=50")
    found = json.loads(body)
    assert status == 200 and found["total"] == 6
    doc_id = found["hits"][0]["id"]
    status, headers, original = get(f"{live_server}/documents/{doc_id}/download")
    assert status == 200 and original.startswith(b"%PDF")
    assert headers["Content-Type"] == "application/pdf"
    assert 'filename=' in headers["Content-Disposition"]
    status, headers, part = get(f"{live_server}/documents/{doc_id}/download", {"Range": "bytes=5-14"})
    assert status == 206 and part == original[5:15]


def test_errors_over_http_are_pages_not_traces(live_server):
    for path, code in (("/documents/987654", 404), ("/search?page=x", 400), ("/api/search?sort=zzz", 400)):
        status, _, body = get(live_server + path)
        assert status == code and b"Traceback" not in body


def test_export_links_over_http_name_the_server_not_the_host_header(live_server):
    status, _, body = get(f"{live_server}/export?format=json&per_page=5", {"Host": "evil.example"})
    assert status == 200
    urls = [result["url"] for result in json.loads(body)["results"]]
    port = live_server.rsplit(":", 1)[1]
    assert urls and all("evil.example" not in u and u.split("/documents/")[0].endswith(f":{port}") for u in urls)


def test_ranges_over_http_whole_file_for_several_or_empty(live_server):
    _, _, body = get(f"{live_server}/api/search?q=audit")
    doc_id = json.loads(body)["hits"][0]["id"]
    for header in ("", "bytes=0-1,5-6"):
        status, _, data = get(f"{live_server}/documents/{doc_id}/download", {"Range": header})
        assert status == 200 and data.startswith(b"%PDF")
