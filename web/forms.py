"""Posted form fields to catalog values; a bad value is a FormError with a sentence for the person."""
from __future__ import annotations

from typing import Callable, TypeVar

from werkzeug.datastructures import MultiDict

from archive.metadata import (
    DocumentMeta,
    MetadataError,
    parse_access,
    parse_date,
    parse_division,
    parse_doc_type,
    parse_title,
    parse_year,
)

T = TypeVar("T")


class FormError(ValueError):
    """A form value that cannot be used; the message says which and why."""


def document_meta(form: MultiDict) -> DocumentMeta:
    """The complete metadata an edit form asks for, validated."""
    return _sentence(lambda: given_meta(form).validated())


def upload_overrides(form: MultiDict, file_count: int) -> DocumentMeta:
    """What the uploader set for every file; blank fields are inferred as `archive load` does."""
    meta = given_meta(form)
    if meta.title and file_count > 1:
        raise FormError("A title can only be given when uploading a single file.")
    return meta


def given_meta(form: MultiDict) -> DocumentMeta:
    """The metadata fields filled in on a form, each parsed by the archive's one set of rules."""
    return DocumentMeta(
        title=_field(form, "title", parse_title), doc_type=_field(form, "doc_type", parse_doc_type),
        year=_field(form, "year", parse_year), date=_field(form, "date", parse_date),
        division=_field(form, "division", parse_division), access=_field(form, "access", parse_access))


def _field(form: MultiDict, name: str, parse: Callable[[str], T]) -> T | None:
    raw = form.get(name, "").strip()
    return _sentence(lambda: parse(raw)) if raw else None


def _sentence(make: Callable[[], T]) -> T:
    try:
        return make()
    except MetadataError as exc:
        raise FormError(sentence(str(exc))) from None


def sentence(message: str) -> str:
    """A library's message ("the password must be ...") as a sentence for a page."""
    return message[:1].upper() + message[1:] + ("" if message.endswith((".", "?", "!")) else ".")
