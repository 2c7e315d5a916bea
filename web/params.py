"""Query-string parameters to a SearchRequest; a bad value is a 400 with a plain sentence."""
from __future__ import annotations

import re

from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

from archive.metadata import DATE_SPAN_FORMS, MetadataError, check_access, check_division, check_doc_type, \
    parse_date_span, parse_year
from archive.vocabulary import VISIBILITY_LEVELS
from indexer.search.results import MAX_PER_PAGE, SORTS, SearchRequest

# URL parameter -> index facet field
FILTER_PARAMS = {"type": "doc_type", "year": "year", "division": "division", "access": "access"}
_WHOLE = re.compile(r"[0-9]{1,6}")  # ASCII digits: isdigit() also accepts superscripts that int() refuses
UNKNOWN_YEAR = "unknown"  # the year facet's value for documents without a year
# How each filter's values are checked: facet values are exact (the facet links give them as stored).
_CHECKS = {"type": check_doc_type, "division": check_division,
           "access": lambda v: check_access(v, VISIBILITY_LEVELS),
           "year": lambda v: v if v == UNKNOWN_YEAR else parse_year(v)}


def search_request(args: MultiDict, per_page: int, *, allowed_access: tuple[str, ...]) -> SearchRequest:
    """The search a query string asks for, limited to what the viewer may see (web.access.allowed_access)."""
    filters = {}
    for param, name in FILTER_PARAMS.items():
        values = tuple(dict.fromkeys(v for v in args.getlist(param) if v))
        for value in values:
            _check_value(param, value)
        if values:
            filters[name] = values
    return SearchRequest(
        query=args.get("q", ""), filters=filters, page=_int(args, "page", 1, 1, 10_000),
        per_page=_int(args, "per_page", per_page, 1, MAX_PER_PAGE), sort=_sort(args),
        allowed_access=allowed_access, date_from=_date_bound(args, "from"), date_to=_date_bound(args, "to"))


def _date_bound(args: MultiDict, name: str) -> str | None:
    """A from/to date as written (YYYY, YYYY-MM or YYYY-MM-DD), checked; None if not given."""
    raw = args.get(name, "").strip()
    if not raw:
        return None
    try:
        return parse_date_span(raw).text
    except MetadataError as exc:
        raise BadRequest(f"“{name}” must be a date as {DATE_SPAN_FORMS}, like 2019, 2019-03 or 2019-03-31: "
                         f"{exc}.") from None


def _check_value(param: str, value: str) -> None:
    try:
        _CHECKS[param](value)
    except MetadataError:
        raise BadRequest(f"“{value}” is not a known {param}.") from None


def page_number(args: MultiDict) -> int:
    """The `page` parameter of a paged list (1 if absent)."""
    return _int(args, "page", 1, 1, 10_000)


def _int(args: MultiDict, name: str, default: int, low: int, high: int) -> int:
    raw = args.get(name, "")
    if raw == "":
        return default
    if not _WHOLE.fullmatch(raw) or not low <= int(raw) <= high:
        raise BadRequest(f"“{name}” must be a whole number from {low} to {high}.")
    return int(raw)


class RowId(IntegerConverter):
    """`<int:...>` in every route: ASCII digits up to SQLite's largest row id, else the route does not match (404)."""

    # werkzeug's own takes any \d (Arabic-Indic digits too) and any size, and SQLite overflows past 2**63 - 1.
    regex = r"[0-9]{1,19}"

    def __init__(self, map, **kwargs) -> None:
        super().__init__(map, **{"max": 2**63 - 1, **kwargs})


def _sort(args: MultiDict) -> str:
    sort = args.get("sort") or "relevance"
    if sort not in SORTS:
        raise BadRequest(f"“sort” must be one of: {', '.join(SORTS)}.")
    return sort
