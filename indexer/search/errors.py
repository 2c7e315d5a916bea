"""What can go wrong with the index as a whole, for a person to fix by running another command.

Kept apart from `indexer.search.index` so that the command line can catch them without importing the index
(Whoosh and numpy) before a command needs it: `archive load` starts its workers' fork server first.
"""
from __future__ import annotations


class StaleIndexError(RuntimeError):
    """The index on disk was written with another schema version."""


class IndexDamagedError(RuntimeError):
    """The index on disk cannot be read (a truncated segment or table of contents): rebuild it."""


class IndexBusyError(RuntimeError):
    """Another writer held the archive for longer than we wait; nothing was changed."""
