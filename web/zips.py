"""Every original of a search in one zip: capped, refused before the first byte, streamed a file at a time."""
from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator, Mapping

from werkzeug.exceptions import BadRequest

from archive.catalog import Document
from archive.names import UniqueNames, member_name
from indexer.extract.detect import HTML, MARKDOWN, PDF, TEXT

DEFAULT_MAX_FILES, DEFAULT_MAX_MB = 200, 500
CHUNK = 1 << 16
SUFFIXES = {PDF: "pdf", HTML: "html", MARKDOWN: "md", TEXT: "txt"}
MISSING_NOTE = "missing-originals.txt"
_EARLIEST_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the zip format counts from 1980


class TooLargeForOneDownload(BadRequest):
    name = "Too large for one download"


@dataclass(frozen=True)
class ZipLimits:
    """How much one "download all" may hold (app config ZIP_MAX_FILES, ZIP_MAX_MB)."""

    files: int = DEFAULT_MAX_FILES
    megabytes: float = DEFAULT_MAX_MB

    @classmethod
    def of(cls, config: Mapping) -> "ZipLimits":
        return cls(int(config["ZIP_MAX_FILES"]), float(config["ZIP_MAX_MB"]))

    def refusal(self, files: int, size: int | None) -> str | None:
        """Why a zip of `files` documents of `size` bytes (None: not counted) is refused, or None if it may be made."""
        if files > self.files:
            return (f"This search finds {files:,} documents, and one download holds at most {self.files:,} "
                    f"files. Narrow the search (a type, a division, a range of dates) and download again.")
        if size is not None and size > self.megabytes * 1024 * 1024:
            return (f"These {files:,} documents come to {megabytes(size)}, and one download holds at most "
                    f"{self.megabytes:,g} MB. Narrow the search (a type, a division, a range of dates) and "
                    f"download again.")
        return None


def megabytes(size: int) -> str:
    """A size as people read it on a download link: one decimal, never "0.0 MB" for a file that exists."""
    return f"{max(size / (1024 * 1024), 0.1 if size else 0):,.1f} MB"


@dataclass(frozen=True)
class ZipOffer:
    """What "download all" would hold for the current search, and why not if it is over the limits."""

    files: int
    size: int | None  # bytes; None when not counted (more files than one download holds)
    refusal: str | None


def zip_offer(total: int, ids: tuple[int, ...], documents: Callable[[tuple[int, ...]], Iterable[Document]],
              limits: ZipLimits) -> ZipOffer | None:
    """The offer for a search of `total` documents whose `ids` were listed if few enough; None for no results."""
    if total == 0:
        return None
    if total > limits.files:
        return ZipOffer(total, None, limits.refusal(total, None))
    found = list(documents(ids))
    size = sum(doc.size for doc in found)
    return ZipOffer(len(found), size, limits.refusal(len(found), size))


@dataclass(frozen=True)
class ZipEntry:
    name: str
    path: Path
    title: str
    date_time: tuple[int, int, int, int, int, int]
    compress_type: int
    size: int


def zip_entries(documents: Iterable[Document], path_of: Callable[[str], Path]) -> list[ZipEntry]:
    """One entry per document, named year-type-title.ext (unique), dated by the document's date or year."""
    names = UniqueNames()
    return [ZipEntry(names.claim(member_name(doc.year, doc.doc_type, doc.title, SUFFIXES.get(doc.mime, "bin"))),
                     path_of(doc.sha256), doc.title, _date_time(doc),
                     zipfile.ZIP_DEFLATED if doc.mime.startswith("text/") else zipfile.ZIP_STORED, doc.size)
            for doc in documents]


def _date_time(doc: Document) -> tuple[int, int, int, int, int, int]:
    if doc.date:
        year, month, day = map(int, doc.date.split("-"))
        found = (year, month, day, 0, 0, 0)
    else:
        found = (doc.year or 1980, 1, 1, 0, 0, 0)
    return max(found, _EARLIEST_ZIP_TIME)


class _Spout:
    """A write-only stream that keeps what zipfile writes until the response takes it (zipfile sees it cannot
    seek, so it writes each file's sizes after its data, and nothing is ever rewritten)."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self._chunks = b"".join(self._chunks), []
        return data


def zip_stream(entries: list[ZipEntry]) -> Iterator[bytes]:
    """The zip, a chunk at a time: memory holds one chunk, never the archive. An original gone from the store
    since the search (deleted meanwhile) is left out and named in a note inside the zip."""
    spout, missing = _Spout(), []
    with zipfile.ZipFile(spout, "w") as archive:
        for entry in entries:
            try:
                source = entry.path.open("rb")
            except OSError:
                missing.append(entry)
                continue
            with source:
                yield from _copy(archive, spout, entry, source)
        if missing:
            archive.writestr(MISSING_NOTE, "The originals of these documents were missing from the archive's store "
                             "when this download was made:\n" + "".join(f"{e.name}: {e.title}\n" for e in missing))
    yield spout.take()  # the central directory, written when the archive closes


def _copy(archive: zipfile.ZipFile, spout: _Spout, entry: ZipEntry, source: BinaryIO) -> Iterator[bytes]:
    info = zipfile.ZipInfo(entry.name, date_time=entry.date_time)
    info.compress_type = entry.compress_type
    with archive.open(info, "w", force_zip64=entry.size >= zipfile.ZIP64_LIMIT) as target:
        while chunk := source.read(CHUNK):
            target.write(chunk)
            if data := spout.take():  # a deflated chunk may still sit in the compressor
                yield data
