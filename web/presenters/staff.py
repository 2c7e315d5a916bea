"""Staff screens: the metadata form (edit and upload) and what became of each uploaded file."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Iterable, Mapping

from flask import url_for

from archive.metadata import DocumentMeta
from archive.vocabulary import ACCESS_LEVELS, DIVISIONS, DOC_TYPES
from indexer.load.outcomes import Outcome
from indexer.load.upload import UploadOutcome



@dataclass(frozen=True)
class Option:
    value: str
    label: str
    selected: bool

@dataclass(frozen=True)
class MetaForm:
    """Values and choices of a metadata form (edit or upload); blank choices mean "infer"."""

    title: str
    year: str
    date: str
    doc_types: tuple[Option, ...]
    divisions: tuple[Option, ...]
    access_levels: tuple[Option, ...]

@dataclass(frozen=True)
class UploadResult:
    name: str
    outcome: str  # loaded | duplicate | failed
    message: str
    url: str | None

def _options(choices, current: str, blank: str | None) -> tuple[Option, ...]:
    pairs = [("", blank)] if blank is not None else []
    pairs += [(key, label) for key, label in choices]
    return tuple(Option(key, label, key == current) for key, label in pairs)

def _meta_form(values, blank: str | None) -> MetaForm:
    get = values.get
    return MetaForm(
        title=str(get("title") or ""), year=str(get("year") or ""), date=str(get("date") or ""),
        doc_types=_options(DOC_TYPES.items(), str(get("doc_type") or ""), blank),
        divisions=_options(((d, d) for d in DIVISIONS), str(get("division") or ""), blank),
        access_levels=_options(((a, a.capitalize()) for a in ACCESS_LEVELS), str(get("access") or ""), blank))

def edit_form(source: DocumentMeta | Mapping) -> MetaForm:
    """The edit form filled from a document's metadata or from what was just posted."""
    return _meta_form(asdict(source) if isinstance(source, DocumentMeta) else source, None)

def upload_form(posted) -> MetaForm:
    return _meta_form(posted, "Work it out from the file")

def upload_results(outcomes: Iterable[UploadOutcome]) -> tuple[UploadResult, ...]:
    results = []
    for item in outcomes:
        o = item.outcome
        url = url_for("pages.document", doc_id=o.doc_id) if o.doc_id else None
        scans = f" {o.needs_ocr} scanned page(s) will be read by OCR in the background." if o.needs_ocr else ""
        message = {Outcome.LOADED: f"Loaded as document {o.doc_id} ({o.pages} pages).{scans}",
                   Outcome.DUPLICATE: f"Already in the archive: {o.detail}."}.get(o.outcome, f"Refused: {o.detail}.")
        results.append(UploadResult(item.name, o.outcome, message, url))
    return tuple(results)
