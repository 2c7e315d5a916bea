"""Does a PDF carry JavaScript? Such a file is never shown inline on the archive's own origin."""
from __future__ import annotations

import logging
import re
from pathlib import Path

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

log = logging.getLogger(__name__)

# The /JavaScript name tree or action type, in the raw bytes. Not /JS: three bytes turn up by chance in
# the compressed data of a large scan (about once in 16 MB), and the object walk finds every /JS entry.
_SCRIPT_TOKEN = re.compile(rb"/JavaScript(?![A-Za-z0-9#])")
_CHUNK = 1024 * 1024
MAX_OBJECTS = 500_000  # more objects than any of our documents has: past this, treat the file as scripted


def runs_script(path: Path) -> bool:
    """True if the PDF has JavaScript anywhere (document, page, annotation or form actions), or may have.

    The raw bytes are scanned first (cheap, and sees objects a damaged cross-reference table leaves out);
    then every object is read through pypdf, because objects packed in compressed object streams hide their
    names from a byte scan. A file that cannot be examined counts as scripted: the cost is a download, not
    an exploit.
    """
    if _bytes_name_script(path):
        return True
    try:
        return _objects_run_script(_open(path))
    except Exception as exc:  # pypdf raises many types on damaged files; any of them means "cannot tell"
        log.info("could not examine %s for scripts (%s): served as a download", path, exc)
        return True


def _bytes_name_script(path: Path) -> bool:
    with path.open("rb") as stream:
        tail = b""
        while chunk := stream.read(_CHUNK):
            if _SCRIPT_TOKEN.search(tail + chunk):
                return True
            tail = chunk[-16:]  # a name split between two chunks
    return False


def _open(path: Path) -> PdfReader:
    reader = PdfReader(path, strict=False)
    if reader.is_encrypted:  # the archive loads PDFs encrypted with an empty user password
        reader.decrypt("")
    return reader


def _objects_run_script(reader: PdfReader) -> bool:
    numbers = {n for table in reader.xref.values() for n in table} | set(reader.xref_objStm)
    if len(numbers) > MAX_OBJECTS:
        return True
    return any(_is_script(reader.get_object(number), depth=0) for number in numbers)


def _is_script(obj: object, depth: int) -> bool:
    """A script action or name tree in this object or the direct objects inside it."""
    if depth > 32 or isinstance(obj, IndirectObject):  # indirect ones are visited on their own
        return False
    if isinstance(obj, DictionaryObject):
        if "/JS" in obj or "/JavaScript" in obj or obj.get("/S") == "/JavaScript":
            return True
        return any(_is_script(value, depth + 1) for value in obj.values())
    if isinstance(obj, ArrayObject):
        return any(_is_script(value, depth + 1) for value in obj)
    return False
