"""File names made safe where they leave the archive: in HTTP headers, as names on disk and inside a zip."""
from __future__ import annotations

import re
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


# Inside a zip: short enough for Windows' 260-character paths once unpacked into a folder or two.
MAX_MEMBER_CHARS = 120
_NOT_WORD = re.compile(r"[\W_]+")  # runs of anything but letters and digits (of any script)


def member_name(year: int | None, doc_type: str, title: str, suffix: str) -> str:
    """`year-type-title.ext` for a file inside a zip: letters and digits joined by hyphens, lowercase.

    No slash, backslash, dot-dot, control or direction character survives, so unpacking cannot leave
    the folder it is unpacked in, and no name hides its real extension.
    """
    stem = "-".join(part for part in (_slug(str(year) if year else "undated"), _slug(doc_type), _slug(title))
                    if part)
    stem = stem[:MAX_MEMBER_CHARS].rstrip("-")
    ext = _slug(suffix)[:8]
    return f"{stem}.{ext}" if ext else stem


def _slug(text: str) -> str:
    return _NOT_WORD.sub("-", unicodedata.normalize("NFKC", text).casefold()).strip("-")


class UniqueNames:
    """Hands out names not yet taken, ignoring case (Windows and macOS would merge "A.pdf" and "a.pdf")."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def claim(self, name: str) -> str:
        """The name itself if free, else the first free `stem-2.ext`, `stem-3.ext`, ..."""
        stem, dot, ext = name.rpartition(".") if "." in name else (name, "", "")
        candidate, number = name, 1
        while candidate.casefold() in self._taken:
            number += 1
            candidate = f"{stem}-{number}{dot}{ext}"
        self._taken.add(candidate.casefold())
        return candidate
