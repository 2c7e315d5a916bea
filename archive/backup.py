"""Backups of a data folder that a small office will take, and restores that work.

A backup folder holds dated snapshots beside one shared pool of blobs:

    DEST/store/ab/abcdef...             every original any kept snapshot names, copied once
    DEST/20261201-221500/catalog.sqlite3  the catalog, copied by SQLite's online backup API (consistent while
                                          the archive serves and loads)
    DEST/20261201-221500/secret_key       so that sessions survive a restore
    DEST/20261201-221500/index/           the search index, only with --with-index (it is derived data)
    DEST/20261201-221500/BACKUP.json      what the snapshot holds: counts, time, the blobs it names

Blobs are written to the store before their catalog row commits, so every blob a catalog snapshot names
already exists when the snapshot is taken; the blobs are then copied, those already in DEST skipped.
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from archive.datadir import DataDir
from archive.locks import write_lock
from archive.store import BlobStore, sha256_of

MANIFEST = "BACKUP.json"
SECRET_KEY_FILE = "secret_key"
STAMP = "%Y%m%d-%H%M%S"


class BackupError(RuntimeError):
    """A backup or restore that cannot be done; the message says why, and nothing was changed."""


@dataclass(frozen=True)
class BackupReport:
    snapshot: Path
    documents: int
    blobs_copied: int
    blobs_present: int
    bytes_copied: int
    with_index: bool
    seconds: float
    removed: tuple[str, ...] = ()  # snapshots removed by --keep


def backup(data: DataDir, dest: Path, with_index: bool = False, keep: int | None = None) -> BackupReport:
    """Take a consistent snapshot of `data` into a new dated folder of `dest`; copy only blobs not there yet."""
    if data.on_postgres:
        raise BackupError("the catalog is on PostgreSQL: `archive backup` copies only the store there "
                          "(`backup_store`); back the catalog up with pg_dump")
    started = time.monotonic()
    dest = _checked_dest(data, Path(dest))
    snapshot = _new_snapshot(dest)
    _copy_state(data, snapshot, with_index)
    shas = _named_blobs(snapshot / "catalog.sqlite3")
    copied, present, size, gone = _copy_blobs(BlobStore(data.store_dir), BlobStore(dest / "store"), shas)
    if gone:  # deleted by staff between the catalog copy and the blob copy: the snapshot forgets them too
        _drop_documents(snapshot / "catalog.sqlite3", gone)
        shas = [sha for sha in shas if sha not in gone]
    _copy_if_there(data.root / SECRET_KEY_FILE, snapshot / SECRET_KEY_FILE)
    _write_manifest(snapshot, shas, with_index)
    removed = prune(dest, keep) if keep else ()
    return BackupReport(snapshot, len(shas), copied, present, size, with_index, time.monotonic() - started, removed)


def verify(dest: Path) -> list[str]:
    """Problems with a backup (its newest snapshot, or the snapshot named): catalog integrity, every blob
    present with its SHA-256. An empty list when it is whole."""
    snapshot = find_snapshot(Path(dest))
    problems = _catalog_problems(snapshot / "catalog.sqlite3")
    store = BlobStore(_pool_of(snapshot))
    for sha in json.loads((snapshot / MANIFEST).read_text())["blobs"]:
        path = store.path_for(sha)
        if not path.is_file():
            problems.append(f"blob {sha} is missing")
        elif sha256_of(path) != sha:
            problems.append(f"blob {sha} is damaged (its content no longer has that SHA-256)")
    return problems


def check_restorable(data: DataDir) -> None:
    """A BackupError if `restore` is not the way back for this archive (its catalog is on PostgreSQL)."""
    if data.on_postgres:
        raise BackupError("the catalog is on PostgreSQL: restore it with pg_restore into an empty database and "
                          "copy the backup's store/ folder back to the shared store; nothing was changed")


def restore(source: Path, data: DataDir, force: bool = False) -> Path:
    """Copy a snapshot into `data` (which must be empty unless `force`); returns the snapshot used.

    The catalog's rows come back as they were; an index is restored only if the snapshot has one. The
    caller indexes whatever is pending afterwards (rows the backup had not indexed, or all without index).
    """
    check_restorable(data)
    snapshot = find_snapshot(Path(source))
    problems = verify(snapshot)
    if problems:
        raise BackupError(f"the backup {snapshot} is not whole ({problems[0]}); nothing was restored")
    _make_room(data, force)
    data.root.mkdir(parents=True, exist_ok=True)
    shutil.copy2(snapshot / "catalog.sqlite3", data.catalog_path)
    _copy_if_there(snapshot / SECRET_KEY_FILE, data.root / SECRET_KEY_FILE)
    shas = json.loads((snapshot / MANIFEST).read_text())["blobs"]
    _copy_blobs(BlobStore(_pool_of(snapshot)), BlobStore(data.store_dir), shas)  # verified whole above
    if (snapshot / "index").is_dir():
        folder = data.root / f"index.{time.time_ns()}"
        shutil.copytree(snapshot / "index", folder)
        (data.root / "index").symlink_to(folder.name)
    else:
        _mark_all_pending(data.catalog_path)
    return snapshot


def prune(dest: Path, keep: int) -> tuple[str, ...]:
    """Keep the newest `keep` snapshots; remove the others and every blob no kept snapshot names."""
    snapshots = _snapshots(dest)
    old = snapshots[:-keep] if keep < len(snapshots) else []
    for snapshot in old:
        shutil.rmtree(snapshot)
    named = {sha for s in snapshots[-keep:] for sha in json.loads((s / MANIFEST).read_text())["blobs"]}
    for blob in (dest / "store").glob("??/*"):
        if blob.name not in named:
            blob.unlink()
    return tuple(s.name for s in old)


def find_snapshot(source: Path) -> Path:
    """The snapshot a path names: the folder itself, or the newest snapshot of a backup folder."""
    if (source / MANIFEST).is_file():
        return source
    snapshots = _snapshots(source) if source.is_dir() else []
    if not snapshots:
        raise BackupError(f"{source} is not a backup made by `archive backup` (no {MANIFEST} in it)")
    return snapshots[-1]


def _checked_dest(data: DataDir, dest: Path) -> Path:
    dest = dest.resolve()
    root = data.root.resolve()
    if dest == root or root in dest.parents:
        raise BackupError(f"{dest} is inside the data folder {root}: keep backups on another disk or machine")
    if not data.catalog_path.is_file():
        raise BackupError(f"no archive in {data.root} to back up")
    try:
        dest.mkdir(mode=0o700, parents=True, exist_ok=True)
        probe = dest / f".write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise BackupError(f"cannot write to {dest}: {exc.strerror or exc}") from None
    return dest


def _new_snapshot(dest: Path) -> Path:
    name = time.strftime(STAMP)
    snapshot = dest / name
    n = 1
    while snapshot.exists():  # two backups in one second
        n += 1
        snapshot = dest / f"{name}-{n}"
    snapshot.mkdir(mode=0o700)
    return snapshot


def _copy_state(data: DataDir, snapshot: Path, with_index: bool) -> None:
    """The catalog, and with `with_index` the index, as one consistent pair: every writer commits the
    index and marks its rows indexed under the write lock, so holding it makes the two agree."""
    if not with_index:
        _copy_catalog(data.catalog_path, snapshot / "catalog.sqlite3")
        return
    with write_lock(data.root, "backup", None):
        shutil.copytree(data.index_dir.resolve(), snapshot / "index", ignore=shutil.ignore_patterns("*LOCK*"))
        _copy_catalog(data.catalog_path, snapshot / "catalog.sqlite3")


def _copy_catalog(source: Path, target: Path) -> None:
    """A consistent copy through SQLite's online backup API: a load writing meanwhile can't tear it."""
    live = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    copy = sqlite3.connect(target)
    try:
        live.backup(copy)
    finally:
        copy.close()
        live.close()


def _named_blobs(catalog: Path) -> list[str]:
    db = sqlite3.connect(catalog)
    try:
        return [sha for (sha,) in db.execute("SELECT sha256 FROM documents ORDER BY id")]
    finally:
        db.close()


def _copy_blobs(source: BlobStore, target: BlobStore, shas: list[str]) -> tuple[int, int, int, set[str]]:
    """(copied, already there, bytes copied, gone from the source); a blob is copied to a temp name and
    renamed, so a crash never leaves half a blob under its real name."""
    copied = present = size = 0
    gone: set[str] = set()
    for sha in shas:
        final = target.path_for(sha)
        if final.is_file():
            present += 1
            continue
        final.parent.mkdir(parents=True, exist_ok=True)
        temp = final.with_name(f".incoming-{sha}")
        try:
            shutil.copyfile(source.path_for(sha), temp)
        except FileNotFoundError:
            gone.add(sha)
            continue
        os.replace(temp, final)
        copied, size = copied + 1, size + final.stat().st_size
    return copied, present, size, gone


def _drop_documents(catalog: Path, shas: set[str]) -> None:
    db = sqlite3.connect(catalog)
    try:
        with db:
            for sha in shas:
                db.execute("DELETE FROM pages WHERE doc_id IN (SELECT id FROM documents WHERE sha256 = ?)", (sha,))
                db.execute("DELETE FROM documents WHERE sha256 = ?", (sha,))
    finally:
        db.close()


def _copy_if_there(source: Path, target: Path) -> None:
    if source.is_file():
        shutil.copy2(source, target)
        target.chmod(0o600)


def _write_manifest(snapshot: Path, shas: list[str], with_index: bool) -> None:
    manifest = {"created": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "documents": len(shas), "blobs": shas,
                "with_index": with_index}
    (snapshot / MANIFEST).write_text(json.dumps(manifest, indent=1))


def _snapshots(dest: Path) -> list[Path]:
    return sorted((p for p in dest.iterdir() if (p / MANIFEST).is_file()), key=lambda p: p.name)


def _pool_of(snapshot: Path) -> Path:
    return snapshot.parent / "store"


def _catalog_problems(catalog: Path) -> list[str]:
    try:
        db = sqlite3.connect(f"{catalog.resolve().as_uri()}?mode=ro", uri=True)
        try:
            result = db.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error as exc:
        return [f"the catalog copy cannot be read ({exc})"]
    return [] if result == "ok" else [f"the catalog copy fails its integrity check ({result})"]


def _make_room(data: DataDir, force: bool) -> None:
    """Refuse a data folder that holds anything, unless `force`; with it, clear what a restore replaces."""
    # The lock files are the restore's own (it holds the load lock while it works).
    held = [p for p in data.root.iterdir() if not p.name.endswith((".lock", ".holder"))] if data.root.is_dir() else []
    if held and not force:
        raise BackupError(f"{data.root} is not empty: restore into a new folder, or add --force to replace it")
    for path in held:
        path.unlink() if path.is_file() or path.is_symlink() else shutil.rmtree(path)


def _mark_all_pending(catalog: Path) -> None:
    db = sqlite3.connect(catalog)
    try:
        with db:
            db.execute("UPDATE documents SET status = 'pending'")
    finally:
        db.close()


@dataclass(frozen=True)
class StoreBackup:
    """What `backup_store` did: the originals the catalog names, copied once into DEST/store."""

    store: Path
    documents: int
    blobs_copied: int
    blobs_present: int
    bytes_copied: int
    seconds: float


def backup_store(data: DataDir, dest: Path, shas: list[str]) -> StoreBackup:
    """With the catalog on PostgreSQL: copy the originals it names (`shas`) into DEST/store, each once.

    The catalog itself is the database's to back up (pg_dump, or the replicas and WAL archive the operators
    already run). Take pg_dump first, then this: every original the dump names is then in the store."""
    started = time.monotonic()
    dest = Path(dest).resolve()
    root = data.root.resolve()
    if dest == root or root in dest.parents or dest == data.store_dir.resolve() or data.store_dir.resolve() in dest.parents:
        raise BackupError(f"{dest} is inside the data folder or the store: keep backups on another disk or machine")
    try:
        dest.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"cannot write to {dest}: {exc.strerror or exc}") from None
    copied, present, size, _gone = _copy_blobs(BlobStore(data.store_dir), BlobStore(dest / "store"), shas)
    return StoreBackup(dest / "store", len(shas), copied, present, size, time.monotonic() - started)
