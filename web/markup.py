"""The one place where markup built from document text is marked safe: every piece is escaped first."""
from __future__ import annotations

from typing import Iterable

from markupsafe import Markup, escape

from indexer.search.snippets import Segment


def snippet_html(segments: Iterable[Segment]) -> Markup:
    """Snippet segments as HTML: document text escaped, matches wrapped in <mark>."""
    # Joined as plain text once every piece is escaped: Markup's own % and join escape again piece by piece,
    # 3x slower over a results page's ~30 snippets.
    return Markup("".join(f"<mark>{escape(s.text)}</mark>" if s.match else escape(s.text) for s in segments))
