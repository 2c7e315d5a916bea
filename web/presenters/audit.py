"""The audit log screen: one row per change, paged."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from flask import url_for

from archive.audit import AuditEntry



@dataclass(frozen=True)
class AuditRow:
    at: str
    actor: str
    action: str
    subject: str
    url: str | None
    changes: tuple[tuple[str, str, str], ...]  # (field, old, new)

@dataclass(frozen=True)
class AuditPage:
    rows: tuple[AuditRow, ...]
    page: int
    prev_url: str | None
    next_url: str | None

def audit_page(entries: Iterable[AuditEntry], page: int, total: int, per_page: int) -> AuditPage:
    rows = tuple(AuditRow(
        e.at, e.actor, e.action, e.subject,
        url_for("pages.document", doc_id=e.doc_id) if e.doc_id and e.action != "delete" else None,
        tuple((name, _show(c.get("old")), _show(c.get("new"))) for name, c in e.changes.items()))
        for e in entries)
    last = max(1, -(-total // per_page))
    return AuditPage(rows, page, url_for("admin.audit_log", page=page - 1) if page > 1 else None,
                     url_for("admin.audit_log", page=page + 1) if page < last else None)

def _show(value) -> str:
    return "—" if value is None else str(value)
