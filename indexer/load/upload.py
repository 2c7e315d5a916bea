"""Files uploaded through the web: saved to a staging folder, then loaded by `run_load` like any load.

An upload gets the pipeline's guarantees (one worker process under a per-file time and memory limit,
duplicates, the ledger, the same outcomes and messages) with limits of its own: a person is waiting, so a
pathological file is stopped after seconds, not minutes. Files are extracted before the index writer is
opened, so a slow file never holds the lock that staff edits wait for.
"""
from __future__ import annotations

import shutil
import tempfile
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO, Sequence

from archive import audit
from archive.catalog import Catalog
from archive.datadir import DataDir
from archive.metadata import META_FIELDS, DocumentMeta
from indexer.extract.result import Limits, OcrMode
from indexer.load.outcomes import FileOutcome, Outcome
from indexer.load.pool import PoolLimits
from indexer.load.run import LoadOptions, run_load

UPLOAD_FOLDER = "uploads-in-progress"
UPLOAD_SECONDS = 10.0  # per file, plus the pool's per-page allowance (`archive serve --upload-timeout`)
WRITER_WAIT_SECONDS = 15.0  # a bulk load takes the write lock for each batch commit: wait this long for it
# One upload worker at a time per serving process: uploads queue rather than take both cores from search.
_ONE_AT_A_TIME = threading.Lock()


@dataclass(frozen=True)
class Upload:
    """One uploaded file: the safe name it will be known by, and its bytes."""

    name: str
    stream: BinaryIO


@dataclass(frozen=True)
class UploadOutcome:
    name: str
    outcome: FileOutcome


def load_uploads(data: DataDir, catalog: Catalog, uploads: Sequence[Upload], given: DocumentMeta,
                 limits: Limits, actor: str, seconds: float = UPLOAD_SECONDS) -> list[UploadOutcome]:
    """Save, detect, extract, store, catalog and index each upload; one outcome per file, in order."""
    staging = Path(tempfile.mkdtemp(dir=data.ensure().root, prefix=f"{UPLOAD_FOLDER}-"))
    try:
        paths = [_save(staging / str(n), upload) for n, upload in enumerate(uploads)]
        # Scans are read later, in the background: a person is waiting for this answer.
        limits = replace(limits, ocr=replace(limits.ocr, mode=OcrMode.DEFER))
        options = LoadOptions(given=given, limits=limits, jobs=1, extract_first=True,
                              pool=PoolLimits(base_seconds=seconds), writer_wait_seconds=WRITER_WAIT_SECONDS,
                              load_lock=False)
        with _ONE_AT_A_TIME:
            report = run_load(data, paths, options)
        by_path = {o.path: o for o in report.outcomes}
        return [_settle(catalog, upload, by_path[str(path.resolve())], actor) for upload, path in zip(uploads, paths)]
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _save(folder: Path, upload: Upload) -> Path:
    # One folder per file keeps the original name (its suffix matters to disguise checks) without clashes.
    folder.mkdir()
    path = folder / upload.name
    with path.open("wb") as out:
        shutil.copyfileobj(upload.stream, out, 1024 * 1024)
    return path


def _settle(catalog: Catalog, upload: Upload, outcome: FileOutcome, actor: str) -> UploadOutcome:
    """Forget the temporary path in the file ledger, say where the document came from, audit it."""
    catalog.forget_file(outcome.path)
    if outcome.outcome == Outcome.LOADED:
        catalog.set_source(outcome.doc_id, f"web upload by {actor}: {upload.name}")
        doc = catalog.get(outcome.doc_id)
        audit.record(catalog, actor, "upload", doc_id=doc.id, subject=doc.title,
                     changes={name: {"old": None, "new": getattr(doc, name)} for name in META_FIELDS})
    elif outcome.outcome == Outcome.FAILED:
        audit.record(catalog, actor, "upload-refused", subject=upload.name,
                     changes={"reason": {"old": None, "new": f"{outcome.reason}: {outcome.detail}"}})
    return UploadOutcome(upload.name, outcome)
