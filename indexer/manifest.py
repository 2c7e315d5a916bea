"""A load manifest: a CSV giving metadata per file, checked whole before any work starts."""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from archive.vocabulary import ACCESS_LEVELS, DOC_TYPES, MAX_YEAR, MIN_YEAR, normalize_division
from indexer.load import MetadataOverrides

COLUMNS = ("path", "title", "type", "year", "date", "division", "access")


class ManifestError(ValueError):
    """Everything wrong with a manifest, one problem per line of `problems`, each naming its CSV line."""

    def __init__(self, manifest: Path, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{manifest}: {len(problems)} problem(s)\n" + "\n".join(problems))


def read_manifest(manifest: Path) -> dict[str, MetadataOverrides]:
    """Absolute file path -> the metadata the manifest gives it; raises ManifestError listing every problem."""
    manifest = Path(manifest)
    try:
        with manifest.open(newline="", encoding="utf-8-sig") as handle:
            return _parse(manifest, csv.reader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ManifestError(manifest, [f"cannot read the manifest: {exc}"]) from None


def _parse(manifest: Path, reader) -> dict[str, MetadataOverrides]:
    header = [name.strip().lower() for name in next(reader, [])]
    problems = _check_header(header)
    if problems:
        raise ManifestError(manifest, problems)
    rows: dict[str, MetadataOverrides] = {}
    first_line: dict[str, int] = {}
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        row = dict(zip(header, (v.strip() for v in values)))
        path, row_problems, meta = _row(manifest.parent, row)
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


def _row(folder: Path, row: dict[str, str]) -> tuple[str, list[str], MetadataOverrides]:
    """The row's absolute path, its problems, and its metadata (relative paths are from the manifest's folder)."""
    problems: list[str] = []
    raw = row.get("path", "")
    path = str((folder / raw).resolve()) if raw else ""
    if not raw:
        problems.append("the path is empty")
    elif not Path(path).is_file():
        problems.append(f"{raw}: no such file")
    meta = MetadataOverrides(
        title=row.get("title") or None,
        doc_type=_checked(row, "type", _doc_type, problems),
        year=_checked(row, "year", _year, problems),
        date=_checked(row, "date", _date, problems),
        division=_checked(row, "division", _division, problems),
        access=_checked(row, "access", _access, problems),
    )
    return path, problems, meta


def _checked(row: dict[str, str], column: str, parse, problems: list[str]):
    value = row.get(column, "")
    if not value:
        return None
    try:
        return parse(value)
    except ValueError as exc:
        problems.append(f"{column} {value!r}: {exc}")
        return None


def _doc_type(value: str) -> str:
    if value not in DOC_TYPES:
        raise ValueError(f"unknown type (choose from {', '.join(DOC_TYPES)})")
    return value


def _year(value: str) -> int:
    if not value.isdigit() or not MIN_YEAR <= int(value) <= MAX_YEAR:
        raise ValueError(f"not a year between {MIN_YEAR} and {MAX_YEAR}")
    return int(value)


def _date(value: str) -> str:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError("not a date as YYYY-MM-DD") from None
    return value


def _division(value: str) -> str:
    division = normalize_division(value)
    if division is None:
        raise ValueError("unknown division")
    return division


def _access(value: str) -> str:
    if value not in ACCESS_LEVELS:
        raise ValueError(f"choose from {', '.join(ACCESS_LEVELS)}")
    return value
