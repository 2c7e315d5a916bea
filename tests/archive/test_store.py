import hashlib
import time
import os
from pathlib import Path

import pytest

from archive.store import BlobStore, sha256_of


def test_put_keeps_the_bytes_under_their_sha256(tmp_path: Path):
    source = tmp_path / "report.pdf"
    source.write_bytes(b"%PDF-1.4 convention report")
    blob = BlobStore(tmp_path / "store").put(source)
    expected = hashlib.sha256(source.read_bytes()).hexdigest()
    assert blob.sha256 == expected and blob.size == source.stat().st_size
    stored = tmp_path / "store" / expected[:2] / expected
    assert stored.read_bytes() == source.read_bytes()


def test_put_twice_stores_one_copy_and_leaves_no_temp_files(tmp_path: Path):
    source = tmp_path / "a.txt"
    source.write_text("same bytes")
    store = BlobStore(tmp_path / "store")
    first, second = store.put(source), store.put(source)
    assert first == second
    files = [p for p in (tmp_path / "store").rglob("*") if p.is_file()]
    assert files == [store.path_for(first.sha256)]


def test_a_failed_copy_leaves_nothing_behind(tmp_path: Path):
    store = BlobStore(tmp_path / "store")
    with pytest.raises(FileNotFoundError):
        store.put(tmp_path / "missing.pdf")
    assert not [p for p in (tmp_path / "store").rglob("*") if p.is_file()]


def test_clean_incoming_removes_crash_leftovers_over_an_hour_old_only(tmp_path: Path):
    """The store may be shared: a young temp file can be another node's copy in progress, and stays."""
    store = BlobStore(tmp_path / "store")
    (tmp_path / "store").mkdir()
    crashed, in_progress = tmp_path / "store" / ".incoming-abc", tmp_path / "store" / ".incoming-def"
    crashed.write_bytes(b"half a file")
    in_progress.write_bytes(b"being copied by node B")
    an_hour_ago = time.time() - 3601
    os.utime(crashed, (an_hour_ago, an_hour_ago))
    assert store.clean_incoming() == 1
    assert not crashed.exists() and in_progress.read_bytes() == b"being copied by node B"


def test_clean_incoming_removes_at_once_what_a_dead_process_of_this_machine_left(tmp_path: Path):
    """A load killed with SIGKILL leaves its temp file; the rerun on the same machine removes it at once,
    while a live writer's file and another machine's young file stay."""
    import socket
    import subprocess
    import sys

    store = BlobStore(tmp_path / "store")
    (tmp_path / "store").mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    host = socket.gethostname()
    left = tmp_path / "store" / f".incoming~{host}~{dead.stdout.strip()}~x1"
    live = tmp_path / "store" / f".incoming~{host}~{os.getpid()}~x2"
    other = tmp_path / "store" / f".incoming~another-{host}~{dead.stdout.strip()}~x3"
    for path in (left, live, other):
        path.write_bytes(b"part of a file")
    assert store.clean_incoming() == 1
    assert not left.exists() and live.exists() and other.exists()


def test_a_temp_file_names_its_machine_and_process(tmp_path: Path, monkeypatch):
    import socket

    store = BlobStore(tmp_path / "store")
    seen = []
    real_mkstemp = __import__("tempfile").mkstemp

    def watching(*args, **kwargs):
        fd, name = real_mkstemp(*args, **kwargs)
        seen.append(Path(name).name)
        return fd, name

    monkeypatch.setattr("archive.store.tempfile.mkstemp", watching)
    source = tmp_path / "a.txt"
    source.write_text("x")
    store.put(source)
    assert seen and seen[0].startswith(f".incoming~{socket.gethostname()}~{os.getpid()}~")


def test_path_for_refuses_anything_but_a_hex_digest(tmp_path: Path):
    store = BlobStore(tmp_path / "store")
    for bad in ("../../etc/passwd", "ab", "Z" * 64):
        with pytest.raises(ValueError):
            store.path_for(bad)


def test_delete_removes_the_blob(tmp_path: Path):
    source = tmp_path / "x.txt"
    source.write_text("to delete")
    store = BlobStore(tmp_path / "store")
    blob = store.put(source)
    assert store.delete(blob.sha256) is True
    assert not store.has(blob.sha256) and store.delete(blob.sha256) is False


def test_sha256_of_matches_hashlib(tmp_path: Path):
    source = tmp_path / "big.bin"
    source.write_bytes(b"x" * (3 * 1024 * 1024 + 7))
    assert sha256_of(source) == hashlib.sha256(source.read_bytes()).hexdigest()
