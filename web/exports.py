"""Streaming a whole result set as CSV or JSON, a chunk of hits at a time, never all in memory; and the
CSV of invitation links for a mail merge."""
from __future__ import annotations

import csv
import io
import json
from typing import Callable, Iterable, Iterator, Sequence, TextIO

from archive import account_links, audit
from archive.account_links import INVITE
from archive.accounts import User
from archive.catalog import Catalog

from indexer.search.results import Hit
from web.links import password_link
from web.serialize import EXPORT_COLUMNS, export_record


def csv_lines(hits: Iterable[Hit], url_of: Callable[[Hit], str]) -> Iterator[str]:
    """A header line, then one CSV line per hit (pages joined by spaces)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    for hit in hits:
        record = export_record(hit, url_of(hit))
        record["pages"] = " ".join(map(str, record["pages"]))
        writer.writerow([spreadsheet_cell(record[c]) for c in EXPORT_COLUMNS])
        yield _drain(buffer)
    yield _drain(buffer)


def spreadsheet_cell(value: object) -> object:
    """A CSV cell that spreadsheet programs show as text, never run as a formula."""
    # A cell starting with = + - @ is a formula to spreadsheet programs: document text must not run.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return "" if value is None else value


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def json_chunks(hits: Iterable[Hit], url_of: Callable[[Hit], str], header: dict) -> Iterator[str]:
    """One JSON document {..header, "results": [...]} written a hit at a time."""
    opening = json.dumps(header, ensure_ascii=False)[:-1]
    yield opening + (', ' if header else '') + '"results": ['
    for i, hit in enumerate(hits):
        yield ("," if i else "") + "\n" + json.dumps(export_record(hit, url_of(hit)), ensure_ascii=False)
    yield "\n]}\n"


def write_invitations(out: TextIO, catalog: Catalog, users: Sequence[User], seconds: float, actor: str,
                      base: str) -> None:
    """Fresh invitation links for the accounts as CSV (name,email,link,expires) for a mail merge, audited.

    The links exist only in what is written here (the catalog keeps their hashes): one transaction, so a
    write that fails leaves no link behind.
    """
    writer = csv.writer(out)
    writer.writerow(("name", "email", "link", "expires"))
    with catalog.transaction():
        for user in users:
            link = account_links.issue(catalog, user, INVITE, seconds)
            writer.writerow((spreadsheet_cell(user.name), spreadsheet_cell(user.email or ""),
                             password_link(base, link.token), link.expires))
        audit.record(catalog, actor, "user-invite", subject=f"{len(users)} accounts",
                     changes={"links": {"old": None, "new": "CSV for a mail merge"}})
