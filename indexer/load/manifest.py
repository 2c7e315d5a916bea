"""A load manifest: a CSV giving metadata per file, checked whole before any work starts."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

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
from indexer.extract.ocr import check_language

COLUMNS = ("path", "title", "type", "year", "date", "division", "access", "language")


@dataclass(frozen=True)
class ManifestRow:
    """One file's line: its metadata, and the language its scans are in (tesseract's codes), if given."""

    meta: DocumentMeta
    language: str | None = None


class ManifestError(ValueError):
    """Everything wrong with a manifest, one problem per line of `problems`, each naming its CSV line."""

    def __init__(self, manifest: Path, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{manifest}: {len(problems)} problem(s)\n" + "\n".join(problems))


def read_manifest(manifest: Path, allow_outside_paths: bool = False) -> dict[str, ManifestRow]:
    """Absolute file path -> the metadata the manifest gives it; raises ManifestError listing every problem.

    A path that leads outside the manifest's folder (by `..`, an absolute path or a symlink) is a problem
    unless `allow_outside_paths`: a manifest from elsewhere must not load, say, /etc/passwd as a document."""
    manifest = Path(manifest)
    try:
        with manifest.open(newline="", encoding="utf-8-sig") as handle:
            return _parse(manifest, csv.reader(handle), allow_outside_paths)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ManifestError(manifest, [f"cannot read the manifest: {exc}"]) from None


def _parse(manifest: Path, reader, allow_outside_paths: bool) -> dict[str, ManifestRow]:
    header = [name.strip().lower() for name in next(reader, [])]
    problems = _check_header(header)
    if problems:
        raise ManifestError(manifest, problems)
    rows: dict[str, ManifestRow] = {}
    first_line: dict[str, int] = {}
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        row = dict(zip(header, (v.strip() for v in values)))
        path, row_problems, meta = _row(manifest.parent, row, allow_outside_paths)
        problems += [f"line {line}: {p}" for p in row_problems]
        if path in first_line:
            problems.append(f"line {line}: {path} is already listed on line {first_line[path]}")
        elif path:
            first_line[path], rows[path] = line, meta
    if problems:
        raise ManifestError(manifest, problems)
    return rows


def _check_header(header: list[str]) -> list[str]:
    unknown = [name for name in header if name not in COLUMNS]
    problems = [f"line 1: unknown column {name!r} (allowed: {', '.join(COLUMNS)})" for name in unknown]
    if "path" not in header:
        problems.append("line 1: the manifest needs a 'path' column")
    return problems


def _row(folder: Path, row: dict[str, str], allow_outside_paths: bool) -> tuple[str, list[str], ManifestRow]:
    """The row's absolute path, its problems, and its metadata (relative paths are from the manifest's folder)."""
    problems: list[str] = []
    raw = row.get("path", "")
    path = str((folder / raw).resolve()) if raw else ""
    if not raw:
        problems.append("the path is empty")
    elif not allow_outside_paths and not Path(path).is_relative_to(folder.resolve()):
        problems.append(f"{raw}: outside the manifest's folder {folder.resolve()} "
                        "(--allow-outside-paths allows it)")
    elif not Path(path).is_file():
        problems.append(f"{raw}: no such file")
    meta = DocumentMeta(
        title=_checked(row, "title", parse_title, problems),
        doc_type=_checked(row, "type", parse_doc_type, problems),
        year=_checked(row, "year", parse_year, problems),
        date=_checked(row, "date", parse_date, problems),
        division=_checked(row, "division", parse_division, problems),
        access=_checked(row, "access", parse_access, problems),
    )
    return path, problems, ManifestRow(meta, _checked(row, "language", _language, problems))


def _language(value: str) -> str:
    try:
        return check_language(value)
    except ValueError as exc:
        raise MetadataError(str(exc)) from None


def _checked(row: dict[str, str], column: str, parse: Callable[[str], object], problems: list[str]):
    value = row.get(column, "")
    if not value:
        return None
    try:
        return parse(value)
    except MetadataError as exc:
        problems.append(f"{column}: {exc}")
        return None
