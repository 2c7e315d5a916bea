"""Searching by a range of dates: days, months and years; a document known only by its year matches
every range that overlaps that year."""
from __future__ import annotations

import pytest

from indexer.search.results import SearchRequest, SearchRequestError
from tests.conftest import open_searcher
from tests.dated import load_dated


@pytest.fixture(scope="module")
def dated(tmp_path_factory):
    from archive.datadir import DataDir

    root = tmp_path_factory.mktemp("dated")
    data = DataDir(root / "data").ensure()
    ids = load_dated(data, root / "incoming")
    with open_searcher(data) as searcher:
        yield searcher, {doc_id: name for name, doc_id in ids.items()}


def found(dated, date_from=None, date_to=None) -> list[str]:
    searcher, names = dated
    results = searcher.search(SearchRequest("", date_from=date_from, date_to=date_to, per_page=100, sort="oldest"))
    assert results.total == len(results.hits)
    return [names[h.document.id] for h in results.hits]


@pytest.mark.parametrize("date_from, date_to, expected", [
    ("2019-03", "2019-03", ["march"]),
    ("2019", "2019", ["march", "november"]),
    ("2018-06", "2018-06", ["audit2018"]),  # known only by its year, which holds June 2018
    ("2018-12-31", None, ["audit2018", "march", "november", "audit2020"]),
    (None, "2019-03-14", ["audit2018"]),
    (None, "2019-03-15", ["audit2018", "march"]),
    ("2019-03-16", "2019-11-29", []),
    ("2019-12", None, ["audit2020"]),
    ("2020-02-29", "2020-02-29", ["audit2020"]),
    ("2021", None, []),
    (None, None, ["audit2018", "march", "november", "audit2020"]),
])
def test_from_and_to_filter_on_the_documents_date(dated, date_from, date_to, expected):
    assert found(dated, date_from, date_to) == expected


def test_the_timeline_still_shows_the_years_around_a_date_range(dated):
    searcher, _ = dated
    results = searcher.search(SearchRequest("", date_from="2019-03", date_to="2019-03"))
    assert results.total == 1
    assert {y.year: y.count for y in results.timeline} == {2018: 1, 2019: 2, 2020: 1}


@pytest.mark.parametrize("date_from, date_to, says", [
    ("2019-02-30", None, "“from”: '2019-02-30' is not a day of the calendar (February 2019 has 28 days)"),
    (None, "2019-13", "“to”: '2019-13' has no month 13 (months are 01 to 12)"),
    ("2019-04", "2019-03-31", "the range starts (2019-04) after it ends (2019-03-31)"),
])
def test_a_bad_range_is_refused_before_searching(dated, date_from, date_to, says):
    searcher, _ = dated
    with pytest.raises(SearchRequestError) as raised:
        searcher.search(SearchRequest("", date_from=date_from, date_to=date_to))
    assert str(raised.value) == says
