"""Query-string parameters to a SearchRequest; a bad value is a 400 with a plain sentence."""
from __future__ import annotations

import re

from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest

from archive.vocabulary import DIVISIONS, DOC_TYPES, VISIBILITY_LEVELS
from indexer.search import MAX_PER_PAGE, SORTS, SearchRequest

# URL parameter -> index facet field
FILTER_PARAMS = {"type": "doc_type", "year": "year", "division": "division", "access": "access"}
_YEAR = re.compile(r"^(\d{4}|unknown)$")


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
        allowed_access=allowed_access, year_from=_year_bound(args, "from"), year_to=_year_bound(args, "to"))


def _year_bound(args: MultiDict, name: str) -> int | None:
    raw = args.get(name, "").strip()
    if not raw:
        return None
    if not (raw.isdigit() and len(raw) == 4):
        raise BadRequest(f"“{name}” must be a four-digit year, like 2019.")
    return int(raw)


def _check_value(param: str, value: str) -> None:
    allowed = {"type": DOC_TYPES, "division": DIVISIONS, "access": VISIBILITY_LEVELS}.get(param)
    if param == "year" and not _YEAR.match(value):
        raise BadRequest(f"“{value}” is not a year.")
    if allowed is not None and value not in allowed:
        raise BadRequest(f"“{value}” is not a known {param}.")


def page_number(args: MultiDict) -> int:
    """The `page` parameter of a paged list (1 if absent)."""
    return _int(args, "page", 1, 1, 10_000)


def _int(args: MultiDict, name: str, default: int, low: int, high: int) -> int:
    raw = args.get(name, "")
    if raw == "":
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise BadRequest(f"“{name}” must be a whole number from {low} to {high}.")
    return int(raw)


def _sort(args: MultiDict) -> str:
    sort = args.get("sort") or "relevance"
    if sort not in SORTS:
        raise BadRequest(f"“sort” must be one of: {', '.join(SORTS)}.")
    return sort
