"""Posted form fields to catalog values; a bad value is a FormError with a sentence for the person."""
from __future__ import annotations

from werkzeug.datastructures import MultiDict

from archive.catalog import CatalogError, DocumentMeta
from archive.vocabulary import ACCESS_LEVELS, DIVISIONS, DOC_TYPES, MAX_YEAR, MIN_YEAR
from indexer.load import MetadataOverrides

MAX_TITLE = 500


class FormError(ValueError):
    """A form value that cannot be used; the message says which and why."""


def document_meta(form: MultiDict) -> DocumentMeta:
    """The metadata an edit form asks for, validated."""
    meta = DocumentMeta(
        title=_title(form) or "", doc_type=_choice(form, "doc_type", DOC_TYPES) or "",
        year=_year(form), date=form.get("date", "").strip() or None,
        division=_choice(form, "division", DIVISIONS) or "", access=_choice(form, "access", ACCESS_LEVELS) or "")
    try:
        return meta.validated()
    except CatalogError as exc:
        raise FormError(str(exc).capitalize() + ".") from None


def upload_overrides(form: MultiDict, file_count: int) -> MetadataOverrides:
    """What the uploader set for every file; blank fields are inferred as `archive load` does."""
    title = _title(form)
    if title and file_count > 1:
        raise FormError("A title can only be given when uploading a single file.")
    return MetadataOverrides(title=title, doc_type=_choice(form, "doc_type", DOC_TYPES), year=_year(form),
                             division=_choice(form, "division", DIVISIONS),
                             access=_choice(form, "access", ACCESS_LEVELS))


def _title(form: MultiDict) -> str | None:
    title = " ".join(form.get("title", "").split())
    if len(title) > MAX_TITLE:
        raise FormError(f"The title is longer than {MAX_TITLE} characters.")
    return title or None


def _choice(form: MultiDict, name: str, allowed) -> str | None:
    value = form.get(name, "").strip()
    if value and value not in allowed:
        raise FormError(f"“{value}” is not a known {name.replace('doc_type', 'type')}.")
    return value or None


def _year(form: MultiDict) -> int | None:
    raw = form.get("year", "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not MIN_YEAR <= int(raw) <= MAX_YEAR:
        raise FormError(f"“{raw}” is not a year between {MIN_YEAR} and {MAX_YEAR}.")
    return int(raw)
