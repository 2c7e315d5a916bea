"""The controlled values of the catalog: document types, divisions, access levels."""
from __future__ import annotations

from datetime import date

DOC_TYPES: dict[str, str] = {
    "convention_report": "Convention report",
    "financial_audit": "Financial audit",
    "press_statement": "Press statement",
    "catalog": "Course catalog",
    "fact_sheet": "Fact sheet",
    "contract": "Contract",
    "resolution": "Resolution",
    "other": "Other",
}

DIVISIONS: tuple[str, ...] = (
    "Teachers",
    "Higher Education",
    "PSRP",
    "Healthcare",
    "Public Employees",
    "Federation-wide",
)

ACCESS_LEVELS: tuple[str, ...] = ("public", "members")
# The index files a withdrawn document under this level, so every search filtered by the levels a
# viewer may see (SearchRequest.allowed_access) hides it without knowing about withdrawal.
WITHDRAWN = "withdrawn"
VISIBILITY_LEVELS: tuple[str, ...] = (*ACCESS_LEVELS, WITHDRAWN)

MIN_YEAR, MAX_YEAR = 1900, 2100


def iso_date(year: int, month: int, day: int) -> str | None:
    """YYYY-MM-DD for a real calendar date within the archive's years, else None."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def type_label(doc_type: str) -> str:
    """A human label for a type code, the code itself if unknown."""
    return DOC_TYPES.get(doc_type, doc_type)


def normalize_division(value: str) -> str | None:
    """The canonical division for a loosely written one ("psrp", "higher ed"), or None."""
    key = "".join(ch for ch in value.lower() if ch.isalnum())
    for division in DIVISIONS:
        if "".join(ch for ch in division.lower() if ch.isalnum()) == key:
            return division
    return _DIVISION_ALIASES.get(key)


_DIVISION_ALIASES = {
    "higher": "Higher Education",
    "highered": "Higher Education",
    "highereducation": "Higher Education",
    "paraprofessionals": "PSRP",
    "paras": "PSRP",
    "nurses": "Healthcare",
    "health": "Healthcare",
    "public": "Public Employees",
    "publicemployees": "Public Employees",
    "federation": "Federation-wide",
    "federationwide": "Federation-wide",
    "all": "Federation-wide",
}
