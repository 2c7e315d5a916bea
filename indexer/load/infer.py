"""Catalog metadata guessed from a file's path and extracted text: title, type, year, date, division."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from archive.vocabulary import ACCESS_LEVELS, MAX_YEAR, MIN_YEAR, iso_date, normalize_division
from indexer.extract.result import Extraction

HEAD_PAGES = 2
HEAD_CHARS = 20_000
DATELINE_CHARS = 1_500
PATH_FOLDERS = 2  # only the nearest folders describe the file; higher ones are the machine's layout
MAX_TITLE_CHARS = 200


@dataclass(frozen=True)
class Inferred:
    """Metadata guessed for one file; the loader applies defaults for what stays None."""

    title: str
    doc_type: str
    year: int | None
    date: str | None
    division: str | None


# First match wins, so the more specific names come before the words they contain.
_PATH_TYPES: tuple[tuple[str, str], ...] = (
    ("fact_sheet", r"\bfact ?sheets?\b"),
    ("financial_audit", r"\baudit(?:s|ed)?\b|\bfinancial statements?\b|\bauditors?\b"),
    ("resolution", r"\bresolutions?\b"),
    ("press_statement", r"\bpress\b|\bstatements?\b|\bnews ?releases?\b|\breleases?\b"),
    ("contract", r"\bcontracts?\b|\bcba\b|\bagreements?\b"),
    ("catalog", r"\bcatalog(?:ue)?s?\b|\bcourses?\b|\bworkshops?\b"),
    ("convention_report", r"\bconventions?\b"),
)
_TEXT_TYPES: tuple[tuple[str, str], ...] = (
    ("financial_audit", r"independent auditors?['’]?s?['’]? report|report of independent auditors?"),
    ("press_statement", r"for immediate release|\bpress release\b|media contact"),
    ("resolution", r"\bresolution\b(?=[\s\S]*\bresolved\b)"),
    ("contract", r"agreement between|collective bargaining agreement"),
    ("fact_sheet", r"\bfact ?sheet\b"),
    ("catalog", r"course catalog|catalog of (?:courses|workshops)"),
    ("convention_report", r"\bconvention\b"),
)
_YEAR = re.compile(r"(?<![\d$])(19\d\d|20\d\d|2100)(?!\d)")
_AUDIT_YEAR = re.compile(
    r"(?:years?|period) end(?:ed|ing)\s+(?:[a-z]+\.?\s+\d{1,2},?\s+)?(\d{4})"
    r"|fiscal year\s+(?:\d{4}\s*[-–/]\s*)?(\d{4})", re.I)
_MONTHS = {m: i for i, m in enumerate(
    "jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?"
_DATES = (
    (re.compile(_MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})", re.I), "mdy"),
    (re.compile(r"(\d{1,2})\s+" + _MONTH + r",?\s+(\d{4})", re.I), "dmy"),
    (re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)"), "iso"),
)
_NOT_A_DATELINE = re.compile(r"(?:ended|ending|through|thru|until|from)\s*$", re.I)
_DIVISIONS: tuple[tuple[str, str], ...] = (
    ("PSRP", r"\bpsrps?\b|paraprofessional|school[- ]related personnel"),
    ("Healthcare", r"\bnurses?\b|\bnursing\b|\bhealth ?care\b"),
    ("Higher Education", r"\bhigher ?ed(?:ucation)?\b|\bfaculty\b|\badjuncts?\b"),
    ("Public Employees", r"\bpublic employees?\b|\bstate employees?\b|\bpublic sector\b"),
    ("Teachers", r"\bteachers?\b"),
)
# Every document names the union itself; that is not a statement about the division.
_UNION_NAME = re.compile(r"federation of teachers", re.I)


def infer_metadata(path: Path, extraction: Extraction) -> Inferred:
    """Guess title, type, year, date and division from the path first, then the text."""
    path = Path(path)
    head = head_text(extraction)
    title = infer_title(path, extraction)
    doc_type = infer_doc_type(path, head)
    year = infer_year(path, head, title, doc_type, extraction.created)
    return Inferred(title, doc_type, year, infer_date(head), infer_division(path, title))


def head_text(extraction: Extraction) -> str:
    """The text of the first pages, where a document says what it is."""
    return "\n".join(extraction.pages[:HEAD_PAGES])[:HEAD_CHARS]


def infer_title(path: Path, extraction: Extraction) -> str:
    """Embedded title, else first heading, else first line of text, else the cleaned file name."""
    embedded = extraction.title
    if embedded and extraction.mime == "text/html":
        embedded = _without_site_name(embedded)
    for candidate in (embedded, *extraction.headings[:2], _first_line(extraction)):
        if candidate and sum(ch.isalpha() for ch in candidate) >= 3 and not _BOILERPLATE.match(candidate):
            return " ".join(candidate.split())[:MAX_TITLE_CHARS]
    return title_from_name(path)


_BOILERPLATE = re.compile(
    r"^\s*(for immediate release|news release|press release|contact:"
    r"|(january|february|march|april|may|june|july|august|september|october|november|december)"
    r"\s+\d{1,2},\s+\d{4}\s*$)", re.I)
_SITE_SUFFIX = re.compile(r"\s+[|–—-]\s+[^|–—-]+$")


def _without_site_name(title: str) -> str:
    """A web page title without the site's name: "Statement on Funding | Riverstate Federation"."""
    shorter = _SITE_SUFFIX.sub("", title)
    return shorter if len(shorter.split()) >= 3 else title


def title_from_name(path: Path) -> str:
    """A file name as a title: "2019-financial-audit.pdf" -> "2019 Financial Audit"."""
    words = re.sub(r"[\s_.-]+", " ", Path(path).stem).split()
    return " ".join(word.capitalize() if word.islower() else word for word in words) or Path(path).name


def infer_doc_type(path: Path, head: str) -> str:
    """A DOC_TYPES code from the file and folder names, else from the opening text, else "other"."""
    for name in _path_names(path):
        found = _first_match(_PATH_TYPES, name)
        if found:
            return found
    return _first_match(_TEXT_TYPES, head.lower()) or _catalog_by_workshops(head) or "other"


def infer_year(path: Path, head: str, title: str, doc_type: str, created: str | None) -> int | None:
    """The year the document is about: path, audit period, title, commonest year in the text, created."""
    for name in _path_names(path):
        year = _first_year(name)
        if year:
            return year
    if doc_type == "financial_audit" and (year := audit_year(head)):
        return year
    counts = Counter(int(y) for y in _YEAR.findall(head))
    return _first_year(title) or (counts.most_common(1)[0][0] if counts else None) or _first_year(created or "")


def audit_year(text: str) -> int | None:
    """The year in "for the year ended June 30, 2019" or "fiscal year 2019"."""
    match = _AUDIT_YEAR.search(text)
    if not match:
        return None
    year = int(match.group(1) or match.group(2))
    return year if MIN_YEAR <= year <= MAX_YEAR else None


def infer_date(head: str) -> str | None:
    """The first date stated near the top (a dateline), as YYYY-MM-DD, or None."""
    top = head[:DATELINE_CHARS]
    found = sorted((m.start(), m, kind) for pattern, kind in _DATES for m in pattern.finditer(top))
    for start, match, kind in found:
        if not _NOT_A_DATELINE.search(top[:start]):
            date = _to_date(match.groups(), kind)
            if date:
                return date
    return None


def infer_division(path: Path, title: str) -> str | None:
    """A division from folder or file names, else from the title.

    Not from the body: federation-wide reports name every division, and the union's own name
    ("...Teachers and Public Employees") would claim them all.
    """
    for name in _path_names(path):
        division = _path_division(name)
        if division:
            return division
    text = _UNION_NAME.sub(" ", title.lower())
    counts = {division: len(re.findall(pattern, text)) for division, pattern in _DIVISIONS}
    best = max(counts, key=lambda division: counts[division])
    return best if counts[best] >= 1 else None


def _path_names(path: Path) -> list[str]:
    """The file name then its nearest folders, lower-cased with separators as spaces."""
    parts = [path.stem, *(parent.name for parent in list(path.parents)[:PATH_FOLDERS])]
    return [" ".join(re.sub(r"[_\-.+]+", " ", part).lower().split()) for part in parts if part]


def _first_match(rules: tuple[tuple[str, str], ...], text: str) -> str | None:
    """The code of the first rule whose pattern occurs in text."""
    for code, pattern in rules:
        if re.search(pattern, text, re.I):
            return code
    return None


def _catalog_by_workshops(head: str) -> str | None:
    """A text that keeps listing workshops or courses is a catalog."""
    hits = len(re.findall(r"\bworkshops?\b|\bcourses?\b", head, re.I))
    return "catalog" if hits >= 4 else None


def _first_year(text: str) -> int | None:
    """The first plausible four-digit year in text."""
    match = _YEAR.search(text)
    return int(match.group(1)) if match and MIN_YEAR <= int(match.group(1)) <= MAX_YEAR else None


def _first_line(extraction: Extraction) -> str | None:
    """The first non-empty line of the first page with text, past press-release boilerplate."""
    for page in extraction.pages:
        for line in page.split("\n"):
            if line.strip() and not _BOILERPLATE.match(line):
                return line.strip()
    return None


def _path_division(name: str) -> str | None:
    """A division named by one path part, exactly ("psrp") or by keyword ("nurses-contract")."""
    if name not in ACCESS_LEVELS and (division := normalize_division(name)):
        return division
    return _first_match(_DIVISIONS, name)


def _to_date(groups: tuple[str, ...], kind: str) -> str | None:
    """Matched date parts as YYYY-MM-DD, or None when not a real date."""
    if kind == "iso":
        year, month, day = (int(g) for g in groups)
    elif kind == "mdy":
        month, day, year = _MONTHS[groups[0][:3].lower()], int(groups[1]), int(groups[2])
    else:
        day, month, year = int(groups[0]), _MONTHS[groups[1][:3].lower()], int(groups[2])
    return iso_date(year, month, day)
