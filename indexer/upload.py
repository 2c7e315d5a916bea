"""Files uploaded through the web, loaded by the same pipeline as `archive load`."""
from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Sequence

from whoosh.index import LockError

from archive import audit
from archive.catalog import Catalog
from archive.datadir import DataDir
from indexer.curate import IndexBusyError
from indexer.extraction import Limits
from indexer.load import FileOutcome, Loader, MetadataOverrides, prepare

UPLOAD_FOLDER = "uploads-in-progress"


@dataclass(frozen=True)
class Upload:
    """One uploaded file: the safe name it will be known by, and its bytes."""

    name: str
    stream: BinaryIO


@dataclass(frozen=True)
class UploadOutcome:
    name: str
    outcome: FileOutcome


def load_uploads(data: DataDir, catalog: Catalog, uploads: Sequence[Upload], overrides: MetadataOverrides,
                 limits: Limits, actor: str) -> list[UploadOutcome]:
    """Save, detect, extract, store, catalog and index each upload; one outcome per file, in order."""
    staging = Path(tempfile.mkdtemp(dir=data.ensure().root, prefix=f"{UPLOAD_FOLDER}-"))
    try:
        paths = [_save(staging / str(n), upload) for n, upload in enumerate(uploads)]
        try:
            report = Loader(data, catalog).load((prepare(str(p), limits) for p in paths), overrides)
        except LockError:
            raise IndexBusyError("the search index is busy with another load; try the upload again when it "
                                 "has finished (files already stored will be indexed then)") from None
        return [_settle(catalog, upload, outcome, actor) for upload, outcome in zip(uploads, report.outcomes)]
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
    if outcome.outcome == "loaded":
        catalog.set_source(outcome.doc_id, f"web upload by {actor}: {upload.name}")
        doc = catalog.get(outcome.doc_id)
        audit.record(catalog, actor, "upload", doc_id=doc.id, subject=doc.title,
                     changes={name: {"old": None, "new": getattr(doc, name)} for name in audit.META_FIELDS})
    elif outcome.outcome == "failed":
        audit.record(catalog, actor, "upload-refused", subject=upload.name,
                     changes={"reason": {"old": None, "new": f"{outcome.reason}: {outcome.detail}"}})
    return UploadOutcome(upload.name, outcome)


