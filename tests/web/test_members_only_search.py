"""Issue 4's outputs leak nothing of members-only or withdrawn documents: timeline, suggestions, exports,
related documents, editions and the latest-edition link."""
from __future__ import annotations

import pytest

from tests.web.conftest import SECRET_WORDS, WITHDRAWN_WORDS


def _leaks(body: bytes, words=SECRET_WORDS + WITHDRAWN_WORDS) -> bool:
    return any(word.lower().encode() in body.lower() for word in words)


@pytest.mark.parametrize("url", [
    "/export?format=csv", "/export?format=json", "/export?format=csv&q=positions+OR+staffing",
    "/export?format=json&access=members", "/export?format=csv&q=obsoletus",
])
def test_exports_hold_only_what_the_visitor_may_see(clients, url):
    response = clients["anonymous"].get(url)
    assert response.status_code == 200 and not _leaks(response.get_data())


def test_members_export_includes_members_documents_but_not_withdrawn(clients):
    body = clients["member"].get("/export?format=json").get_json()
    titles = {r["title"] for r in body["results"]}
    assert "Quillbrook Bargaining Strategy" in titles and "Retracted statement" not in titles


def test_timeline_counts_only_visible_years(clients):
    assert {y["year"] for y in clients["anonymous"].get("/api/search").get_json()["timeline"]} == {
        2018, 2019, 2020, 2021, 2022}  # 2020 drawn empty: only the withdrawn document is from then
    member = clients["member"].get("/api/search").get_json()["timeline"]
    assert {"year": 2017, "count": 1} in member


@pytest.mark.parametrize("typo", ["zephyrin", "zephyrone", "quilbrook", "obsoletu"])
def test_no_suggestion_is_drawn_from_hidden_documents(clients, typo):
    body = clients["anonymous"].get(f"/api/search?q={typo}").get_json()
    assert body["suggestion"] is None and body["total"] == 0
    page = clients["anonymous"].get(f"/search?q={typo}").get_data()
    assert b"Did you mean" not in page


def test_members_get_suggestions_from_members_documents(clients):
    body = clients["member"].get("/api/search?q=zephyrone").get_json()
    assert body["suggestion"] == {"query": "zephyrine", "total": 1}


def test_latest_edition_never_points_a_visitor_at_a_hidden_document(clients, shared):
    assert clients["anonymous"].get("/latest/contract").status_code == 404
    member = clients["member"].get("/latest/contract")
    assert member.status_code == 302 and member.headers["Location"].endswith(f"/documents/{shared.members_id}")
    press = clients["member"].get("/latest/press_statement")  # the withdrawn 2020 statement is newer
    assert press.status_code == 302 and not press.headers["Location"].endswith(f"/documents/{shared.withdrawn_id}")


def test_document_page_neighbours_hide_what_the_visitor_may_not_see(clients, shared):
    page = clients["anonymous"].get(f"/documents/{shared.public_id}").get_data()
    assert not _leaks(page) and b"Quillbrook" not in page and b"Retracted" not in page
