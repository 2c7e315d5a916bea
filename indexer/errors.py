"""Typed errors for input the archive refuses, each naming the file and the reason."""
from __future__ import annotations

from pathlib import Path


class LoadError(Exception):
    """A file that cannot be loaded; `reason` is a short stable code for reports."""

    reason = "failed"

    def __init__(self, path: Path | str, detail: str) -> None:
        self.path = str(path)
        self.detail = detail
        super().__init__(f"{Path(self.path).name}: {detail}")

    def __reduce__(self):
        # Errors cross from worker processes to the parent: rebuild them from their own arguments.
        return (type(self), (self.path, self.detail))


class EmptyFileError(LoadError):
    reason = "empty"


class EncryptedError(LoadError):
    reason = "encrypted"


class CorruptFileError(LoadError):
    reason = "corrupt"


class OversizedError(LoadError):
    reason = "oversized"


class UnsupportedTypeError(LoadError):
    reason = "unsupported"


class DisguisedFileError(LoadError):
    """The name promises one type and the bytes are another we refuse (an executable named .pdf)."""

    reason = "disguised"


class ExtractionTimeoutError(LoadError):
    reason = "timeout"


class ExtractionMemoryError(LoadError):
    reason = "memory"


class WorkerCrashedError(LoadError):
    reason = "crashed"
