"""HTML files: the visible text only, with the <title> and h1/h2 headings, as one page."""
from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser
from pathlib import Path

from indexer.extract.text import decode_bytes, normalize_text, truncate
from indexer.extract.result import Extraction, Limits

MIME = "text/html"
MAX_HEADINGS = 20

SKIPPED = frozenset({"script", "style", "noscript", "template", "svg", "math", "nav", "header", "footer",
                     "aside", "form", "button", "iframe", "object", "select", "datalist", "dialog"})
BLOCKS = frozenset({"p", "div", "br", "hr", "li", "ul", "ol", "dl", "dt", "dd", "tr", "table", "thead",
                    "tbody", "tfoot", "caption", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
                    "main", "blockquote", "pre", "address", "figure", "figcaption", "details", "summary",
                    "fieldset", "legend", "body", "center"})
CELLS = frozenset({"td", "th"})
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
                  "source", "track", "wbr"})
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
# As browsers do (WHATWG): these labels mean windows-1252, and a UTF-16 label in an 8-bit file means UTF-8.
_CHARSET_ALIASES = {"latin-1": "cp1252", "iso8859-1": "cp1252", "ascii": "cp1252",
                    "utf-16": "utf-8", "utf-16-le": "utf-8", "utf-16-be": "utf-8"}


def extract_html(path: Path, limits: Limits = Limits()) -> Extraction:
    """Extract the visible text of an HTML file as one page, with its title and headings."""
    data = Path(path).read_bytes()
    parser = VisibleTextParser()
    parser.feed(decode_bytes(data, declared_charset(data)))
    parser.close()
    text, warnings = truncate(normalize_text(parser.text()), limits.max_page_chars, "page 1")
    return Extraction(MIME, (text,), title=parser.title(), headings=parser.headings(), warnings=warnings)


def declared_charset(data: bytes) -> str | None:
    """The Python codec named by a <meta charset> near the top, or None if absent or unknown."""
    match = _META_CHARSET.search(data[:4096])
    if not match:
        return None
    try:
        codec = codecs.lookup(match.group(1).decode("ascii")).name
    except LookupError:
        return None
    return _CHARSET_ALIASES.get(codec, codec)


class VisibleTextParser(HTMLParser):
    """Collects the text a reader sees, skipping scripts, chrome (nav, header, footer) and hidden parts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._parts: list[str] = []
        self._skip: list[str] = []  # open skipped elements; the first one decides when skipping ends
        self._capture: str | None = None  # "title", "h1" or "h2" while inside one
        self._captured: list[str] = []
        self._title: str | None = None
        self._headings: dict[str, list[str]] = {"h1": [], "h2": []}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open an element: start skipping, capturing or a new line."""
        if self._skip:
            if tag == self._skip[0] and tag not in VOID:
                self._skip.append(tag)
            return
        if tag not in VOID and (tag in SKIPPED or _is_hidden(attrs)):
            self._skip.append(tag)
            return
        self._break(tag)
        if tag in ("title", "h1", "h2"):
            self._capture, self._captured = tag, []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """A self-closed element (<br/>) only breaks the line."""
        if not self._skip:
            self._break(tag)

    def handle_endtag(self, tag: str) -> None:
        """Close an element: stop skipping or capturing."""
        if self._skip:
            if tag == self._skip[0]:
                self._skip.pop()
            return
        if tag == self._capture:
            self._store_capture()
        self._break(tag)

    def handle_data(self, data: str) -> None:
        """Keep visible text; the title is kept apart from the page text."""
        if self._skip:
            return
        if self._capture:
            self._captured.append(data)
        if self._capture != "title":
            self._parts.append(data)

    def text(self) -> str:
        """The visible text gathered so far."""
        return "".join(self._parts)

    def title(self) -> str | None:
        """The <title>, if any."""
        return self._title

    def headings(self) -> tuple[str, ...]:
        """The h1 headings, then the h2 headings, in document order."""
        return tuple((self._headings["h1"] + self._headings["h2"])[:MAX_HEADINGS])

    def _break(self, tag: str) -> None:
        """Block elements end a line; table cells are separated by a space."""
        if tag in BLOCKS:
            self._parts.append("\n")
        elif tag in CELLS:
            self._parts.append(" ")

    def _store_capture(self) -> None:
        """Save the captured title or heading text."""
        value = " ".join("".join(self._captured).split())
        if value and self._capture == "title":
            self._title = self._title or value
        elif value and self._capture:
            self._headings[self._capture].append(value)
        self._capture, self._captured = None, []


def _is_hidden(attrs: list[tuple[str, str | None]]) -> bool:
    """True for the hidden attribute, aria-hidden="true" or an inline display:none."""
    for name, value in attrs:
        value = (value or "").lower()
        if name == "hidden" or (name == "aria-hidden" and value.strip() == "true"):
            return True
        if name == "style" and re.search(r"display\s*:\s*none|visibility\s*:\s*hidden", value):
            return True
    return False
