"""The one place where markup built from document text is marked safe: every piece is escaped first."""
from __future__ import annotations

from typing import Iterable

from markupsafe import Markup, escape

from indexer.search.snippets import Segment


def snippet_html(segments: Iterable[Segment]) -> Markup:
    """Snippet segments as HTML: document text escaped, matches wrapped in <mark>."""
    parts = [Markup("<mark>%s</mark>") % s.text if s.match else escape(s.text) for s in segments]
    return Markup("").join(parts)
