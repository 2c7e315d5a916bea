"""What extraction yields: plain values that cross process and package boundaries."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


@dataclass(frozen=True)
class Limits:
    """Bounds on one file's extraction, so one hostile file cannot stall a load."""

    max_file_bytes: int = 200 * 1024 * 1024
    max_pages: int = 5000
    max_page_chars: int = 2_000_000


@dataclass(frozen=True)
class Extraction:
    """The text and embedded metadata of one file, page by page (one page for HTML and text)."""

    mime: str
    pages: tuple[str, ...]
    title: str | None = None
    created: str | None = None  # ISO date (YYYY-MM-DD) from embedded metadata, if any
    headings: tuple[str, ...] = ()  # first headings seen, strongest first, for title inference
    warnings: tuple[str, ...] = field(default=())

    @property
    def page_count(self) -> int:
        return len(self.pages)

    @property
    def text_pages(self) -> int:
        """Pages that carry a text layer (a scan has none)."""
        return sum(1 for p in self.pages if p.strip())


# Set in pool workers (indexer.load.pool): the parent's watchdog budgets time per page, so it must learn the
# page count as soon as an extractor knows it. Outside a pool nobody listens.
_page_count_listener: Callable[[int], None] | None = None


def listen_for_page_count(listener: Callable[[int], None] | None) -> None:
    """Have `listener(pages)` called whenever an extractor learns how many pages a file has."""
    global _page_count_listener
    _page_count_listener = listener


def announce_page_count(pages: int) -> None:
    """Called by extractors once a file's page count is known."""
    if _page_count_listener is not None:
        _page_count_listener(pages)
