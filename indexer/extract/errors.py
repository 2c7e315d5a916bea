"""Why a file was refused (one enum for every stage), and the typed errors extraction raises."""
from __future__ import annotations

from enum import StrEnum
from pathlib import Path


class Reason(StrEnum):
    """A short stable code for why a file did not load; the catalog, reports and the web show it as is."""

    EMPTY = "empty"
    ENCRYPTED = "encrypted"
    CORRUPT = "corrupt"
    OVERSIZED = "oversized"
    UNSUPPORTED = "unsupported"
    DISGUISED = "disguised"  # the name promises one type and the bytes are another we refuse
    TIMEOUT = "timeout"  # the worker overran its time budget (set by the pool)
    MEMORY = "memory"  # the worker ran out of its memory limit
    CRASHED = "crashed"  # the worker process died
    MISSING = "missing"  # the file vanished before it was read
    UNREADABLE = "unreadable"  # the operating system refused to read it
    BAD_METADATA = "bad-metadata"  # the metadata given or inferred is not allowed


def describe(exc: BaseException) -> str:
    """An exception as "Type: message", kept short for reports."""
    message = " ".join(str(exc).split())[:200]
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


class LoadError(Exception):
    """A file that cannot be loaded; `reason` says why in a stable code, `detail` in a sentence."""

    reason = Reason.CORRUPT

    def __init__(self, path: Path | str, detail: str) -> None:
        self.path = str(path)
        self.detail = detail
        super().__init__(f"{Path(self.path).name}: {detail}")

    def __reduce__(self):
        # Errors cross from worker processes to the parent: rebuild them from their own arguments.
        return (type(self), (self.path, self.detail))


class EmptyFileError(LoadError):
    reason = Reason.EMPTY


class EncryptedError(LoadError):
    reason = Reason.ENCRYPTED


class CorruptFileError(LoadError):
    reason = Reason.CORRUPT


class OversizedError(LoadError):
    reason = Reason.OVERSIZED


class UnsupportedTypeError(LoadError):
    reason = Reason.UNSUPPORTED


class DisguisedFileError(LoadError):
    """The name promises one type and the bytes are another we refuse (an executable named .pdf)."""

    reason = Reason.DISGUISED


class ExtractionMemoryError(LoadError):
    reason = Reason.MEMORY
