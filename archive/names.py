"""File names made safe where they leave the archive: in HTTP headers and as names on disk."""
from __future__ import annotations

import unicodedata
from pathlib import PurePosixPath

# Most file systems allow 255 bytes a name; a margin leaves room for the store's and staging's own suffixes.
MAX_NAME_BYTES = 200
_MAX_SUFFIX_BYTES = 16


def printable_name(name: str, fallback: str = "document") -> str:
    """The name with control, format (e.g. right-to-left override) and line-break characters made `_`."""
    # A newline in a Content-Disposition header is refused by the server (a 500), and an RTL override
    # makes "cod.exe" look like "exe.doc"; such names come from files loaded off any disk.
    cleaned = "".join("_" if unicodedata.category(c)[0] == "C" or unicodedata.category(c) in ("Zl", "Zp")
                      else c for c in name).strip()
    return cleaned or fallback


def fit_name(name: str, max_bytes: int = MAX_NAME_BYTES) -> str:
    """The name cut to at most `max_bytes` of UTF-8, keeping its suffix (which detection looks at)."""
    if len(name.encode()) <= max_bytes:
        return name
    suffix = PurePosixPath(name).suffix
    if len(suffix.encode()) > _MAX_SUFFIX_BYTES:
        suffix = ""
    stem = name[: len(name) - len(suffix)] if suffix else name
    room = max_bytes - len(suffix.encode())
    return stem.encode()[:room].decode(errors="ignore") + suffix
