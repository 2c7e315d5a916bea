"""The home page a first visitor sees (counted within what they may see) and the search help."""
from __future__ import annotations

import re
from html import unescape

import pytest

from tests.web.conftest import ROLES, SECRET_WORDS, WITHDRAWN_WORDS, make_app


def type_counts(html: str) -> dict[str, int]:
    """type code -> count, as the home page lists them."""
    return {code: int(count.replace(",", "")) for code, count in re.findall(
        r'<li><a href="/search\?type=([a-z_]+)">[^<]+</a> <span class="count">([\d,]+)</span></li>', html)}


def holds(html: str) -> int:
    return int(re.search(r"The archive holds ([\d,]+) documents?", html).group(1).replace(",", ""))


@pytest.mark.parametrize("role", ROLES)
def test_the_home_page_counts_equal_what_the_visitor_can_find(clients, role):
    client = clients[role]
    html = client.get("/").get_data(as_text=True)
    counts = type_counts(html)
    assert counts, html
    for code, count in counts.items():
        assert client.get(f"/api/search?type={code}").get_json()["total"] == count, code
    found = client.get("/api/search?per_page=100").get_json()
    assert holds(html) == found["total"] == sum(counts.values())
    assert set(counts) == {fv["value"] for fv in found["facets"]["doc_type"]}


def test_a_visitor_sees_no_members_only_title_type_or_count(clients):
    html = clients["anonymous"].get("/").get_data(as_text=True)
    assert holds(html) == 4
    assert type_counts(html) == {"convention_report": 1, "fact_sheet": 1, "financial_audit": 1, "press_statement": 1}
    assert not any(word.lower() in html.lower() for word in SECRET_WORDS + WITHDRAWN_WORDS)
    assert "Quillbrook" not in html and "type=contract" not in html and "Retracted" not in html
    note = re.search(r'<p class="members-note">(.*?)</p>', html, re.S).group(1)
    assert "Members of the federation see more after" in note and not re.search(r"\d", note)  # no count of them


def test_a_member_sees_the_members_series_and_no_note(clients):
    html = clients["member"].get("/").get_data(as_text=True)
    assert holds(html) == 5 and type_counts(html)["contract"] == 1
    assert re.search(r'<span class="series">Contract</span>: <a href="/documents/\d+">Quillbrook Bargaining Strategy</a>',
                     html)
    assert "see more after" not in html and "Retracted statement" not in html


def test_the_latest_of_each_series_is_the_newest_the_visitor_may_see(clients):
    html = clients["anonymous"].get("/").get_data(as_text=True)
    latest = re.findall(r'<span class="series">([^<]+)</span>: <a href="/documents/\d+">([^<]+)</a>', html)
    assert [(series, unescape(title)) for series, title in latest] == [
        ("Convention report", "2021 Convention Report"), ("Financial audit", "Financial Audit for Fiscal Year 2019"),
        ("Press statement", "Statement on School Funding"), ("Fact sheet", "Member Organizer Institute Fact Sheet")]


def test_the_home_page_is_only_for_the_bare_address(clients):
    anonymous = clients["anonymous"]
    assert "The federation’s documents, searchable" in anonymous.get("/").get_data(as_text=True)
    old_link = anonymous.get("/?q=pension").get_data(as_text=True)  # links made before the home page existed
    assert "1 result for “pension”" in old_link and "searchable" not in old_link
    assert "All documents (4)" in anonymous.get("/search?q=").get_data(as_text=True)


def test_a_new_empty_archive_says_so_instead_of_failing(data):
    client = make_app(data).test_client()
    home = client.get("/")
    assert home.status_code == 200 and "The archive holds no documents yet." in home.get_data(as_text=True)
    for query in ("pension", '"living wage"', "negot*", "pensoin~", "title:audit"):
        search = client.get("/search", query_string={"q": query})
        assert search.status_code == 200 and "No documents match" in search.get_data(as_text=True), query


# -- /help ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/search?q=pension", "/help", "/login"])
def test_the_search_box_links_to_the_help(clients, path):
    html = clients["anonymous"].get(path).get_data(as_text=True)
    searchbar = re.search(r'<form class="searchbar".*?</form>', html, re.S).group(0)
    assert '<a class="search-help" href="/help">Search help</a>' in searchbar


@pytest.fixture(scope="module")
def samples_client(samples_archive):
    return make_app(samples_archive).test_client()


def test_every_example_of_the_help_runs_a_search_that_finds_something(samples_client):
    html = samples_client.get("/help").get_data(as_text=True)
    links = [unescape(href) for href in re.findall(r'<dt><a href="([^"]+)"><code>', html)]
    assert len(links) == 15
    for link in links:
        assert link.startswith("/search?")
        body = samples_client.get("/api" + link).get_json()
        assert body["total"] > 0 and body["notice"] is None, (link, body["total"], body["notice"])


def test_the_help_examples_cover_the_query_language(samples_client):
    text = unescape(re.sub(r"<[^>]+>", "", samples_client.get("/help").get_data(as_text=True)))
    for typed in ('"living wage"', "OR", "-nurses", "negotiat*", "organi?ing", "paraprofesional~", "title:",
                  "type:press_statement", "division:psrp", "year:2015..2019", "From 2020-03 to 2020-06",
                  "financial_audit", "Who sees what", "the facets"):
        assert typed in text, typed


@pytest.mark.parametrize("role, says", [
    ("anonymous", "You are not signed in, so you see the public documents."),
    ("member", "You are signed in as a member: you see public and members-only documents."),
    ("staff", "You are signed in as staff: you see every document, withdrawn ones too."),
    ("admin", "You are signed in as staff: you see every document, withdrawn ones too."),
])
def test_the_help_says_what_the_reader_sees(clients, role, says):
    assert says in clients[role].get("/help").get_data(as_text=True)
