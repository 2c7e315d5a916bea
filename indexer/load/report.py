"""Outcomes as CSV, one row per file, written as they come so a long load holds none of them in memory."""
from __future__ import annotations

import csv
from dataclasses import astuple, fields
from pathlib import Path
from typing import Iterable, TextIO

from archive.catalog import FileRecord
from indexer.load.outcomes import FileOutcome

HEADER = tuple(f.name for f in fields(FileOutcome))


class OutcomeWriter:
    """A CSV file of outcomes; use as a context manager, call `write` per outcome."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.handle: TextIO | None = None

    def __enter__(self) -> "OutcomeWriter":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = self.path.open("w", newline="", encoding="utf-8")
        self.csv = csv.writer(self.handle)
        self.csv.writerow(HEADER)
        return self

    def write(self, outcome: FileOutcome) -> None:
        self.csv.writerow(["" if v is None else v for v in astuple(outcome)])

    def __exit__(self, *exc: object) -> None:
        if self.handle:
            self.handle.close()


def write_ledger(path: Path, records: Iterable[FileRecord]) -> int:
    """The catalog's ledger (the latest outcome of every file ever loaded) as CSV; returns the row count."""
    count = 0
    with Path(path).open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow([f.name for f in fields(FileRecord)])
        for record in records:
            out.writerow(["" if v is None else v for v in astuple(record)])
            count += 1
    return count
