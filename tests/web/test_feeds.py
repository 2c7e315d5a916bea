"""Atom feeds of searches: valid Atom (read back by an XML parser), the newest documents first, members'
documents only with a personal feed key, never in an anonymous feed, and a revoked key refused."""
from __future__ import annotations

import re
from datetime import datetime
from xml.etree import ElementTree as ET

import pytest

from archive import accounts
from archive.catalog import Catalog
from tests.web.conftest import SECRET_WORDS, WITHDRAWN_WORDS, client_as, csrf_token, make_app

A = "{http://www.w3.org/2005/Atom}"


def parse_atom(body: bytes) -> ET.Element:
    """The feed element, after checking what RFC 4287 requires of a feed and of each entry."""
    feed = ET.fromstring(body)
    assert feed.tag == f"{A}feed"
    for element in (feed, *feed.findall(f"{A}entry")):
        for required in ("id", "title", "updated"):
            assert len(element.findall(f"{A}{required}")) == 1, (element.tag, required)
            assert element.findtext(f"{A}{required}").strip()
        datetime.fromisoformat(element.findtext(f"{A}updated"))  # an RFC 3339 date-time with its offset
        assert element.findtext(f"{A}updated")[-6:] == "+00:00"
    assert feed.find(f"{A}author/{A}name").text
    assert feed.find(f"{A}link[@rel='self']").get("href").startswith("http")
    for entry in feed.findall(f"{A}entry"):  # no content element: an alternate link and a summary are required
        assert entry.find(f"{A}link[@rel='alternate']").get("href").startswith("http://localhost/documents/")
        assert entry.findtext(f"{A}summary")
    return feed


def titles(feed: ET.Element) -> list[str]:
    return [entry.findtext(f"{A}title") for entry in feed.findall(f"{A}entry")]


def feed_key(data, name: str) -> str:
    with Catalog(data.catalog_path) as catalog:
        user = accounts.new_feed_key(catalog, accounts.get_user(catalog, name))
    return accounts.feed_token(user, make_app(data).secret_key)


def test_the_anonymous_feed_is_valid_atom_of_public_documents_newest_first(clients, shared):
    response = clients["anonymous"].get("/search.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = parse_atom(response.data)
    ids = [int(e.findtext(f"{A}id").rsplit("/", 1)[1]) for e in feed.findall(f"{A}entry")]
    assert ids == sorted(ids, reverse=True) and len(ids) == 4
    body = response.data.lower()
    assert not any(word.lower().encode() in body for word in SECRET_WORDS + WITHDRAWN_WORDS)
    assert shared.members_id not in ids and shared.withdrawn_id not in ids


def test_a_feed_follows_the_search_it_was_made_from(clients):
    feed = parse_atom(clients["anonymous"].get("/search.atom?q=pension&type=financial_audit").data)
    assert titles(feed) == ["Financial Audit for Fiscal Year 2019"]
    assert feed.findtext(f"{A}title").startswith("Search for “pension”")
    alternate = feed.find(f"{A}link[@rel='alternate']").get("href")
    assert alternate == "http://localhost/search?q=pension&type=financial_audit&sort=added"
    assert "pension" in feed.find(f"{A}entry/{A}summary").text.lower()
    assert clients["anonymous"].get("/search.atom?year=nineteen").status_code == 400


def test_signed_in_members_still_get_only_public_documents_without_their_key(clients):
    """A feed reader has no session: the feed never depends on the cookie, only on the key."""
    body = clients["member"].get("/search.atom?q=zephyrine").data
    assert titles(parse_atom(body)) == [] and b"Quillbrook" not in body


def test_the_personal_feed_shows_members_documents_and_stops_when_revoked(restricted, restricted_app):
    key = feed_key(restricted.data, "member")
    anonymous = restricted_app.test_client()
    personal = parse_atom(anonymous.get(f"/search.atom?q=zephyrine&key={key}").data)
    assert titles(personal) == ["Quillbrook Bargaining Strategy"]
    assert "(members only)" in personal.find(f"{A}entry/{A}summary").text
    assert "personal feed of member" in personal.findtext(f"{A}title")
    with Catalog(restricted.data.catalog_path) as catalog:
        accounts.revoke_feed_key(catalog, accounts.get_user(catalog, "member"))
    refused = anonymous.get(f"/search.atom?q=zephyrine&key={key}")
    assert refused.status_code == 403 and b"Quillbrook" not in refused.data
    assert "revoked or is not valid" in refused.get_data(as_text=True)
    assert anonymous.get("/search.atom?q=zephyrine&key=1-forged").status_code == 403


def test_disabling_the_account_revokes_its_feed(restricted, restricted_app):
    key = feed_key(restricted.data, "member")
    with Catalog(restricted.data.catalog_path) as catalog:
        accounts.set_disabled(catalog, "member", True)
    assert restricted_app.test_client().get(f"/search.atom?key={key}").status_code == 403


def test_the_results_page_links_to_its_feed(restricted, restricted_app):
    anonymous = restricted_app.test_client().get("/search?q=pension&page=1&sort=title").get_data(as_text=True)
    assert '<a class="feed" href="/search.atom?q=pension"' in anonymous
    assert '<link rel="alternate" type="application/atom+xml" title="Feed of this search" href="/search.atom?q=pension">' in anonymous
    member = client_as(restricted_app, "member")
    member.post("/account/feed", data={"action": "new", "csrf_token": csrf_token(member, "/account")})
    page = member.get("/search?q=zephyrine").get_data(as_text=True)
    href = re.search(r'<a class="feed" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert "key=" in href and "your personal feed" in page
    assert titles(parse_atom(restricted_app.test_client().get(href).data)) == ["Quillbrook Bargaining Strategy"]


def test_text_that_xml_cannot_carry_is_replaced_not_sent(restricted, restricted_app):
    with Catalog(restricted.data.catalog_path) as catalog:
        catalog.db.execute("UPDATE documents SET title = 'Minutes\x0b of the \x01board <&>' WHERE id = ?",
                           (restricted.public_id,))
    feed = parse_atom(restricted_app.test_client().get("/search.atom?q=pension").data)
    assert titles(feed) == ["Minutes\ufffd of the \ufffdboard <&>"]


def test_a_reader_that_asks_again_gets_not_modified(clients):
    first = clients["anonymous"].get("/search.atom?q=report")
    again = clients["anonymous"].get("/search.atom?q=report", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and first.headers["Cache-Control"] in ("public, max-age=300", "max-age=300, public")


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_staff_feeds_follow_the_same_policy_as_their_searches(restricted, restricted_app, role):
    key = feed_key(restricted.data, role)
    feed = parse_atom(restricted_app.test_client().get(f"/search.atom?q=obsoletus&key={key}").data)
    assert titles(feed) == ["Retracted statement"]
    response = restricted_app.test_client().get(f"/search.atom?key={key}")
    assert "private" in response.headers["Cache-Control"]
