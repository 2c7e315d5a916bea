"""From/to dates as a person types them: a year, a month or a day, and the days each covers."""
from __future__ import annotations

from datetime import date

import pytest

from archive.metadata import MetadataError, parse_date_span


@pytest.mark.parametrize("text, first, last", [
    ("2019", date(2019, 1, 1), date(2019, 12, 31)),
    ("2019-02", date(2019, 2, 1), date(2019, 2, 28)),
    ("2020-02", date(2020, 2, 1), date(2020, 2, 29)),  # a leap year's February
    ("2019-12-31", date(2019, 12, 31), date(2019, 12, 31)),
    (" 2019-03 ", date(2019, 3, 1), date(2019, 3, 31)),
])
def test_a_year_a_month_or_a_day_covers_its_days(text, first, last):
    span = parse_date_span(text)
    assert (span.first, span.last, span.text) == (first, last, text.strip())


@pytest.mark.parametrize("text, says", [
    ("2019-13", "has no month 13"),
    ("2019-00", "has no month 0"),
    ("2019-02-29", "February 2019 has 28 days"),
    ("2019-04-31", "April 2019 has 30 days"),
    ("2019-3", "YYYY, YYYY-MM or YYYY-MM-DD"),
    ("2019/03/01", "YYYY, YYYY-MM or YYYY-MM-DD"),
    ("19", "YYYY, YYYY-MM or YYYY-MM-DD"),
    ("²⁰¹⁹", "YYYY, YYYY-MM or YYYY-MM-DD"),
    ("1899", "not a year between 1900 and 2100"),
    ("", "YYYY, YYYY-MM or YYYY-MM-DD"),
])
def test_a_typo_is_refused_with_what_is_wrong(text, says):
    with pytest.raises(MetadataError, match=says):
        parse_date_span(text)
