"""Which files a load reads: those named, those under named folders, a manifest's, or last time's failures."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Iterator

from archive.catalog import Catalog


def iter_source_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Files named directly, and every file under named folders (sorted, hidden ones skipped)."""
    for path in map(Path, paths):
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                yield from (Path(root) / f for f in sorted(files) if not f.startswith("."))
        else:
            yield path


def source_files(paths: Iterable[Path], manifest: Iterable[str] = ()) -> Iterator[str]:
    """Absolute paths to load: the manifest's files first, then those under `paths` not already listed."""
    listed = list(manifest)
    yield from listed
    seen = set(listed)
    for path in iter_source_files(paths):
        name = str(path.resolve())
        if name not in seen:
            yield name


def failed_files(catalog: Catalog, paths: Iterable[Path]) -> list[str]:
    """Files that failed last time, limited to those under `paths` when any are given."""
    roots = [str(Path(p).resolve()) for p in paths]
    return [r.path for r in catalog.failed_files()
            if not roots or any(r.path == root or r.path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)]
