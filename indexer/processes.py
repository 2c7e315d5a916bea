"""Worker processes that start without re-running the command that made them.

multiprocessing has each child of the fork server (as of `spawn`) import the parent's `__main__` first, so
that functions defined there can be unpickled. Under `archive load` (or `reindex`) that is the console
script, which imports `web.cli` and with it every command's modules: each worker spent ~0.35 s of CPU
(0.7 s while that import also made an argon2 hash and loaded Flask) before its first file, at every start
and every recycle. Our workers run functions of importable modules only, so their children are started
with no main module to import.
"""
from __future__ import annotations

import sys
import threading
import types
from contextlib import contextmanager
from typing import Iterator

_SWAP = threading.Lock()  # two threads (two web uploads) must not save each other's stand-in


@contextmanager
def without_main_module() -> Iterator[None]:
    """Processes started inside (forkserver or spawn) do not import the parent's `__main__`.

    Their target and arguments must not be defined in `__main__`: they would no longer unpickle.
    """
    with _SWAP:
        main = sys.modules["__main__"]
        sys.modules["__main__"] = types.ModuleType("__main__")  # no __file__, no __spec__: nothing to import
        try:
            yield
        finally:
            sys.modules["__main__"] = main
