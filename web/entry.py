"""The `archive` console script: starts a load's workers early, then hands over to the command line (web.cli).

A load's workers are forked from a server process that first imports the extractors (pypdf, PDFium, PIL:
~0.3 s of CPU). Started here, before the command line's own imports (~0.2 s) and checks (`tesseract
--list-langs`), those imports run on another core beside them: the first files are read ~0.2 s sooner,
which is 2% of a 150-file load. Only the command's name is looked at; everything else is web.cli's to parse,
and its `load` starts the server anyway when this did not.

numpy's BLAS is told to keep to one thread in every process the command starts. The archive runs a process
per core (load workers, serving processes) and makes no BLAS call that threads would speed up, but OpenBLAS
starts a thread per core as numpy is imported: ~0.09 s of CPU a process, taken from the other processes.
"""
from __future__ import annotations

import os
import sys

# The group's own options that take a value (web.cli.main; tests/web/test_cli_startup.py keeps them the same).
GROUP_OPTIONS_WITH_VALUES = frozenset({"--data-dir", "--catalog-url", "--store-dir"})
EARLY_WORKERS = frozenset({"load"})


def command_name(args: list[str]) -> str | None:
    """The command named in `archive`'s arguments: the first word that is neither an option nor its value."""
    words = iter(args)
    for word in words:
        if word in GROUP_OPTIONS_WITH_VALUES:
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def main() -> None:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before anything imports numpy; children inherit it
    if command_name(sys.argv[1:]) in EARLY_WORKERS:
        from indexer.load.pool import start_fork_server

        start_fork_server()
    from web.cli import main as command_line

    command_line()
