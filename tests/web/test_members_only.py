"""Members-only documents leak nothing to visitors; withdrawn ones nothing to anyone below staff."""
from __future__ import annotations

import pytest

from tests.web.conftest import SECRET_WORDS, WITHDRAWN_WORDS


def _facet_values(body: dict, name: str) -> set[str]:
    return {fv["value"] for fv in body["facets"][name]}


def _has_secret(body: bytes) -> bool:
    return any(word.lower().encode() in body.lower() for word in SECRET_WORDS)


@pytest.mark.parametrize("url", [
    "/search", "/search?q=bargaining", "/search?q=positions", "/search?sort=title", "/search?access=members",
    "/search?type=contract", "/search?year=2017", "/search?division=Healthcare", "/search?q=wage+OR+audit",
    "/api/search", "/api/search?q=bargaining", "/api/search?access=members", "/api/search?year=2017&per_page=100",
])
def test_visitor_search_pages_carry_no_trace_of_members_documents(clients, url):
    response = clients["anonymous"].get(url)
    assert response.status_code == 200
    assert not _has_secret(response.get_data())


def test_visitor_facet_counts_cover_public_documents_only(clients):
    body = clients["anonymous"].get("/api/search?per_page=100").get_json()
    assert body["total"] == 4
    assert _facet_values(body, "access") == {"public"}
    assert "2017" not in _facet_values(body, "year") and "contract" not in _facet_values(body, "doc_type")
    assert "Healthcare" not in _facet_values(body, "division")
    assert sum(fv["count"] for fv in body["facets"]["doc_type"]) == 4
    page = clients["anonymous"].get("/search").get_data(as_text=True)
    assert "2017" not in page and "Contract" not in page and "Healthcare" not in page


def test_a_query_only_the_members_document_matches_finds_nothing_for_visitors(clients):
    for word in SECRET_WORDS:
        assert clients["anonymous"].get(f"/api/search?q={word}").get_json()["total"] == 0


def test_members_and_staff_find_the_members_document(clients, shared):
    for role in ("member", "staff", "admin"):
        body = clients[role].get("/api/search?q=zephyrine").get_json()
        assert [hit["id"] for hit in body["hits"]] == [shared.members_id]
        assert body["hits"][0]["pages"][0]["page"] == 1


@pytest.mark.parametrize("headers", [{}, {"Range": "bytes=0-99"}, {"If-None-Match": "*"}])
def test_visitor_download_is_refused_without_the_bytes(clients, shared, headers):
    for suffix in ("download", "view"):
        response = clients["anonymous"].get(f"/documents/{shared.members_id}/{suffix}", headers=headers)
        assert response.status_code == 401
        assert shared.secret_bytes[:100] not in response.get_data()
        assert "Content-Disposition" not in response.headers
    head = clients["anonymous"].head(f"/documents/{shared.members_id}/download")
    assert head.status_code == 401 and "Content-Disposition" not in head.headers


def test_members_only_originals_are_never_stored_in_shared_caches(clients, shared):
    members = clients["member"].get(f"/documents/{shared.members_id}/download")
    assert members.status_code == 200 and members.get_data() == shared.secret_bytes
    assert members.cache_control.private and not members.cache_control.public
    public = clients["anonymous"].get(f"/documents/{shared.public_id}/download")
    assert public.cache_control.public


def test_withdrawn_document_is_hidden_below_staff_and_listed_for_staff(clients, shared):
    for role in ("anonymous", "member"):
        body = clients[role].get("/api/search?q=obsoletus").get_json()
        assert body["total"] == 0
        assert "withdrawn" not in _facet_values(clients[role].get("/api/search").get_json(), "access")
        assert WITHDRAWN_WORDS[0].encode() not in clients[role].get("/search?per_page=100").get_data()
    staff = clients["staff"].get("/api/search?q=obsoletus").get_json()
    assert [hit["id"] for hit in staff["hits"]] == [shared.withdrawn_id]
    assert "withdrawn" in _facet_values(staff, "access")
    page = clients["staff"].get(f"/documents/{shared.withdrawn_id}").get_data(as_text=True)
    assert "only staff can see this document" in page and "Restore" in page


def test_member_cannot_ask_for_withdrawn_documents_by_filter(clients):
    body = clients["member"].get("/api/search?access=withdrawn").get_json()
    assert body["total"] == 0 and body["hits"] == []
