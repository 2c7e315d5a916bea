"""Markdown files: the text a reader sees, markup removed, and the front matter's title and date, as one page.

A small regex reading rather than a Markdown library: we only need the words, not the layout.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from archive.vocabulary import iso_date
from indexer.extract.result import Extraction, Limits
from indexer.extract.text import decode_bytes, normalize_text, truncate

MIME = "text/markdown"
MAX_HEADINGS = 20

# YAML front matter: between a first line of --- and the next line of --- (or ...).
_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\n(.*?)^(?:---|\.\.\.)[ \t]*$\n?", re.S | re.M)
_FIELD = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:[ \t]*(.*)$")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:$|[T ])")

_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
_ATX = re.compile(r"^[ \t]{0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^[ \t]{0,3}(=+|-+)[ \t]*$")
_RULE = re.compile(r"^[ \t]{0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_QUOTE = re.compile(r"^[ \t]{0,3}(?:>[ \t]?)+")
# Up to three digits: a wrapped line starting "2015. " is a sentence, not a list item.
_LIST = re.compile(r"^[ \t]*(?:[-*+]|\d{1,3}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?")
_DEFINITION = re.compile(r"^[ \t]{0,3}\[([^\]^][^\]]*)\]:[ \t]*\S.*$")  # [label]: url "title" (not [^footnote]:)
_TABLE_RULE_CHARS = frozenset(" \t|:-")

# Every pattern stops at the next opening character, so hostile input (thousands of unclosed "[" or "{%")
# costs linear time, not quadratic.
_URL = r"\((?:[^()\n]|\([^()\n]*\))*\)"  # (url "title"), one level of parentheses inside
_INLINE: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"!\[([^\[\]]*)\](?:" + _URL + r"|\[[^\[\]]*\])"), r"\1"),  # images: the alt text
    (re.compile(r"\[([^\[\]]*)\](?:" + _URL + r"|\[[^\[\]]*\])"), r"\1"),  # links: the link text
    (re.compile(r"\[\^[^\[\]\s]+\]:?"), ""),  # footnote references and the labels of their notes
    (re.compile(r"<((?:https?|ftp|mailto):[^<>\s]+|[^<>\s@]+@[^<>\s@]+)>"), r"\1"),  # autolinks
    (re.compile(r"<br\s*/?>", re.I), "\n"),
    (re.compile(r"</?[A-Za-z][\w-]*(?:\s[^<>]*)?/?>"), ""),  # inline HTML tags
    (re.compile(r"\{%[^%]*%\}|\{\{[^{}]*\}\}"), ""),  # Jekyll/Liquid template tags
    # Emphasis markers go one by one, not in pairs: an opening run before a word, a closing run after one.
    # Never inside words (snake_case, 5*3) and never alone between spaces (3 * 4).
    (re.compile(r"(?<![\w\\*])(?:\*{1,3}|_{1,3})(?=[^\s*_])|(?<=[^\s\\*_])(?:\*{1,3}|_{1,3})(?![\w*])"), ""),
    (re.compile(r"~~"), ""),  # strikethrough
    (re.compile(r"\\([!-/:-@\[-`{-~])"), r"\1"),  # backslash escapes, last so escaped markup stays
)
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)
_PLACEHOLDER = re.compile("\ue000(\\d+)\ue001")


def extract_markdown(path: Path, limits: Limits = Limits()) -> Extraction:
    """Extract a Markdown file's text as one page, its front-matter title and date, and its headings."""
    text = decode_bytes(Path(path).read_bytes()).replace("\r\n", "\n").replace("\r", "\n")
    fields, body = split_front_matter(text)
    plain, headings = markdown_text(body)
    page, warnings = truncate(normalize_text(plain), limits.max_page_chars, "page 1")
    return Extraction(MIME, (page,), title=fields.get("title") or None, created=front_matter_date(fields),
                      headings=headings, warnings=warnings)


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """The front matter's top-level fields (lower-case keys) and the Markdown after it."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    return front_matter_fields(match.group(1)), text[match.end():]


def front_matter_fields(yaml: str) -> dict[str, str]:
    """Top-level `key: value` scalars of YAML front matter; lists and nested maps come out as ""."""
    fields: dict[str, str] = {}
    key, lines = None, []
    for line in yaml.split("\n"):
        match = _FIELD.match(line)
        if match:
            if key:
                fields[key] = _scalar(lines)
            key, lines = match.group(1).lower(), [match.group(2)]
        elif key:
            lines.append(line)
    if key:
        fields[key] = _scalar(lines)
    return fields


def _scalar(lines: list[str]) -> str:
    """One YAML scalar from its first line and continuation lines: quoted, block (| or >) or plain."""
    first, rest = lines[0].strip(), [line.strip() for line in lines[1:] if line.strip()]
    if first[:1] in ("|", ">"):
        return " ".join(rest)
    if first[:1] in ('"', "'"):
        quote = first[0]
        value = " ".join([first, *rest])[1:]
        value = value[: value.rfind(quote)] if quote in value else value
        return value.replace("''", "'") if quote == "'" else value.replace('\\"', '"')
    if not first:  # a list or a nested map: not a value we use
        return ""
    plain = " ".join([first, *(line for line in rest if not line.startswith("- "))])
    return re.sub(r"[ \t]#.*$", "", plain).strip()  # a trailing YAML comment


def front_matter_date(fields: dict[str, str]) -> str | None:
    """The front matter's `date:` as YYYY-MM-DD when it is a real ISO date, else None."""
    match = _DATE.match(fields.get("date", "").strip())
    return iso_date(*(int(part) for part in match.groups())) if match else None


def markdown_text(body: str) -> tuple[str, tuple[str, ...]]:
    """A Markdown body's text with the markup removed, and its h1 then h2 headings."""
    parts: list[str] = []
    headings: dict[int, list[str]] = {1: [], 2: []}
    prose: list[str] = []
    for level, line in _block_lines(without_comments(body).split("\n")):
        if level == -1:  # code: verbatim
            parts.append(inline_text("\n".join(prose)))
            prose = []
            parts.append(line)
            continue
        if level in headings:
            headings[level].append(inline_text(line).strip())
        prose.append(line)
    parts.append(inline_text("\n".join(prose)))
    found = [h for h in headings[1] + headings[2] if h]
    return "\n".join(parts), tuple(found[:MAX_HEADINGS])


def _block_lines(lines: list[str]) -> Iterator[tuple[int, str]]:
    """Each line as (heading level, text) with block markup removed; level 0 for prose, -1 for code."""
    fence, tables = "", _table_rows(lines)
    for number, line in enumerate(lines):
        marker = _FENCE.match(line)
        if fence:
            if marker and marker.group(1)[0] == fence[0] and len(marker.group(1)) >= len(fence):
                fence = ""
            else:
                yield -1, line
            continue
        if marker:
            fence = marker.group(1)
            continue
        if number in tables and _is_table_rule(line):
            continue
        following = lines[number + 1] if number + 1 < len(lines) else ""
        yield _block_line(line, following, number in tables)


def _block_line(line: str, following: str, in_table: bool) -> tuple[int, str]:
    """One prose line without its block markup: quote, rule, heading, definition, list marker, table pipes."""
    line = _QUOTE.sub("", line)
    atx = _ATX.match(line)
    if atx:
        return len(atx.group(1)), atx.group(2) or ""
    if _RULE.match(line) or _SETEXT.match(line) or _DEFINITION.match(line):
        return 0, ""
    if in_table:
        return 0, re.sub(r"(?<!\\)\|", " ", line)
    setext = _SETEXT.match(_QUOTE.sub("", following))
    if setext and line.strip() and not _LIST.match(line):
        return (1 if setext.group(1)[0] == "=" else 2), line.strip()
    return 0, _LIST.sub("", line)


def _is_table_rule(line: str) -> bool:
    """True for a table's header rule: |---|:--:| (checked by characters: a regex would be quadratic)."""
    return "|" in line and "-" in line and set(line) <= _TABLE_RULE_CHARS


def _table_rows(lines: list[str]) -> set[int]:
    """Line numbers of table rows: the header above a |---|---| rule, the rule, and the rows below it."""
    rows: set[int] = set()
    for number, line in enumerate(lines):
        if _is_table_rule(line) and number > 0 and "|" in lines[number - 1]:
            rows.update((number - 1, number))
            below = number + 1
            while below < len(lines) and "|" in lines[below]:
                rows.add(below)
                below += 1
    return rows


def without_comments(text: str) -> str:
    """Text without <!-- comments -->; from an unclosed one on, the text is kept."""
    parts, start = [], 0
    while (opened := text.find("<!--", start)) != -1 and (closed := text.find("-->", opened + 4)) != -1:
        parts.append(text[start:opened])
        start = closed + 3
    parts.append(text[start:])
    return "".join(parts)


def inline_text(text: str) -> str:
    """Text without inline markup: links and images as their text, no emphasis, code spans kept as is."""
    spans: list[str] = []

    def hold(match: re.Match[str]) -> str:
        spans.append(match.group(2).strip())
        return f"\ue000{len(spans) - 1}\ue001"

    text = _CODE_SPAN.sub(hold, text)
    for pattern, replacement in _INLINE:
        text = pattern.sub(replacement, text)
    return _PLACEHOLDER.sub(lambda match: spans[int(match.group(1))], text)
