"""A document's descriptive metadata: its one list of fields, and the one place each value is checked.

The manifest, the command line, the web forms and the search URL parameters all parse what a person typed
with the functions here, and the catalog validates with the same rules, so a year or a date means the same
thing everywhere. Each edge only words the error for its audience (a CSV line, a flag, a form, a 400).
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, fields
from datetime import date

from archive.vocabulary import ACCESS_LEVELS, DIVISIONS, DOC_TYPES, MAX_YEAR, MIN_YEAR, normalize_division

MAX_TITLE = 500
# ASCII digits only: str.isdigit() accepts superscripts ("²⁰¹⁵") that int() then refuses.
_YEAR = re.compile(r"[0-9]{4}")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_PARTIAL_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
DATE_SPAN_FORMS = "YYYY, YYYY-MM or YYYY-MM-DD"


class MetadataError(ValueError):
    """A metadata value that cannot be used; the message says what is wrong with it."""


@dataclass(frozen=True)
class DocumentMeta:
    """The descriptive metadata a person may set or correct; None means "not given" (inference fills it)."""

    title: str | None = None
    doc_type: str | None = None
    year: int | None = None
    date: str | None = None
    division: str | None = None
    access: str | None = None

    def over(self, fallback: "DocumentMeta") -> "DocumentMeta":
        """These values, with `fallback`'s filling the ones not given (a manifest row over the command line)."""
        return DocumentMeta(**{name: _first(getattr(self, name), getattr(fallback, name)) for name in META_FIELDS})

    def validated(self) -> "DocumentMeta":
        """Self if it is complete and every value is allowed, else a MetadataError naming the bad one."""
        if not (self.title or "").strip():
            raise MetadataError("title is empty")
        check_doc_type(self.doc_type)
        check_division(self.division)
        check_access(self.access)
        if self.year is not None:
            check_year(self.year)
        if self.date is not None:
            parse_date(self.date)
        return self


META_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(DocumentMeta))


def _first(value, fallback):
    return value if value is not None else fallback


def check_doc_type(value: str | None) -> str:
    if value not in DOC_TYPES:
        raise MetadataError(f"unknown document type {value!r} (choose from {', '.join(DOC_TYPES)})")
    return value


def check_division(value: str | None) -> str:
    if value not in DIVISIONS:
        raise MetadataError(f"unknown division {value!r} (choose from {', '.join(DIVISIONS)})")
    return value


def check_access(value: str | None, allowed: tuple[str, ...] = ACCESS_LEVELS) -> str:
    if value not in allowed:
        raise MetadataError(f"unknown access level {value!r} (choose from {', '.join(allowed)})")
    return value


def check_year(value: int) -> int:
    if not MIN_YEAR <= value <= MAX_YEAR:
        raise MetadataError(f"{value!r} is not a year between {MIN_YEAR} and {MAX_YEAR}")
    return value


def parse_title(text: str) -> str | None:
    """The title with its whitespace collapsed; None if blank."""
    title = " ".join(text.split())
    if len(title) > MAX_TITLE:
        raise MetadataError(f"the title is longer than {MAX_TITLE} characters")
    return title or None


def parse_doc_type(text: str) -> str:
    return check_doc_type(text.strip())


def parse_division(text: str) -> str:
    """A division as loosely written ("psrp", "higher ed") in its canonical form."""
    division = normalize_division(text)
    if division is None:
        raise MetadataError(f"unknown division {text.strip()!r} (choose from {', '.join(DIVISIONS)})")
    return division


def parse_access(text: str, allowed: tuple[str, ...] = ACCESS_LEVELS) -> str:
    return check_access(text.strip(), allowed)


def parse_year(text: str) -> int:
    """A four-digit year within the archive's range."""
    raw = text.strip()
    if not _YEAR.fullmatch(raw):
        raise MetadataError(f"{raw!r} is not a year between {MIN_YEAR} and {MAX_YEAR}")
    return check_year(int(raw))


def parse_date(text: str) -> str:
    """A real calendar date written YYYY-MM-DD, within the archive's years."""
    raw = text.strip()
    found = _DATE.fullmatch(raw)
    try:
        day = date(*map(int, found.groups())) if found else None
    except ValueError:
        day = None
    if day is None or not MIN_YEAR <= day.year <= MAX_YEAR:
        raise MetadataError(f"{raw!r} is not a date as YYYY-MM-DD")
    return day.isoformat()


@dataclass(frozen=True)
class DateSpan:
    """A date as precisely as it was written (a year, a month or a day) and the days it covers."""

    text: str  # as written, normalized: "2019", "2019-03" or "2019-03-31"
    first: date
    last: date


def parse_date_span(text: str) -> DateSpan:
    """A year, month or day written YYYY, YYYY-MM or YYYY-MM-DD (a real calendar date, within the archive's years)."""
    raw = text.strip()
    found = _PARTIAL_DATE.fullmatch(raw)
    if found is None:
        raise MetadataError(f"{raw!r} is not a date as {DATE_SPAN_FORMS}")
    year, month, day = (int(part) if part else None for part in found.groups())
    check_year(year)
    if month is None:
        return DateSpan(raw, date(year, 1, 1), date(year, 12, 31))
    if not 1 <= month <= 12:
        raise MetadataError(f"{raw!r} has no month {month} (months are 01 to 12)")
    days_in_month = calendar.monthrange(year, month)[1]
    if day is None:
        return DateSpan(raw, date(year, month, 1), date(year, month, days_in_month))
    if not 1 <= day <= days_in_month:
        raise MetadataError(f"{raw!r} is not a day of the calendar ({calendar.month_name[month]} {year} "
                            f"has {days_in_month} days)")
    return DateSpan(raw, date(year, month, day), date(year, month, day))
