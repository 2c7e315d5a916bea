"""A content-addressed file store: each original kept once under its SHA-256, never modified."""
from __future__ import annotations

import hashlib
import os
import socket
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

CHUNK = 1024 * 1024
STALE_INCOMING_SECONDS = 3600.0  # a temp file this old was left by a crashed write, on any node


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int


def sha256_of(path: Path) -> str:
    """The hex SHA-256 of a file, read in chunks so memory stays flat."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class BlobStore:
    """Blobs under root/ab/abcdef...; writes are atomic (temp file, fsync, rename)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_for(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def put(self, source: Path) -> StoredBlob:
        """Copy `source` into the store and return its hash; a blob already there is kept as is."""
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        fd, tmp_name = tempfile.mkstemp(dir=self.root, prefix=_incoming_prefix())
        try:
            size = _copy_hashing(Path(source), fd, digest)
            final = self.path_for(digest.hexdigest())
            final.parent.mkdir(exist_ok=True)
            os.replace(tmp_name, final)
            _fsync_dir(final.parent)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        return StoredBlob(digest.hexdigest(), size)

    def delete(self, sha256: str) -> bool:
        """Remove a blob for good; True if it was there."""
        path = self.path_for(sha256)
        if not path.exists():
            return False
        path.unlink()
        return True

    def clean_incoming(self, older_than: float = STALE_INCOMING_SECONDS) -> int:
        """Remove temp files left by a crash mid-copy; returns how many.

        The store may be shared by several machines: a temp file is a crash's leftover once its writer, a
        process of this machine, is gone (a load killed with SIGKILL, cleaned by its rerun), or once it is
        older than `older_than` seconds, whoever wrote it. Another node's copy in progress is never taken.
        """
        removed = 0
        for leftover in self.root.glob(".incoming*") if self.root.exists() else ():
            try:
                if _writer_gone(leftover.name) or time.time() - leftover.stat().st_mtime > older_than:
                    leftover.unlink()
                    removed += 1
            except FileNotFoundError:  # its writer finished (renamed it) or another node removed it
                pass
        return removed


def _incoming_prefix() -> str:
    """A temp file's name says which machine and process writes it: .incoming~<host>~<pid>~"""
    return f".incoming~{socket.gethostname()}~{os.getpid()}~"


def _writer_gone(name: str) -> bool:
    """True if the temp file was written by a process of this machine that no longer runs."""
    parts = name.split("~")
    if len(parts) < 4 or parts[1] != socket.gethostname() or not parts[2].isdigit():
        return False  # another machine's, or named before names carried their writer: only age tells
    try:
        os.kill(int(parts[2]), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


def _copy_hashing(source: Path, fd: int, digest: "hashlib._Hash") -> int:
    size = 0
    with open(source, "rb") as src, os.fdopen(fd, "wb") as dst:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
            dst.write(chunk)
            size += len(chunk)
        dst.flush()
        os.fsync(dst.fileno())
    return size


def _fsync_dir(folder: Path) -> None:
    # The rename is durable only once the directory entry itself reaches the disk.
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
