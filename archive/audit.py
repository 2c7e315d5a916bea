"""The audit log: who changed what, when, with the old and new values."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from archive.accounts import User
from archive.catalog import Catalog, Document, utc_now
from archive.metadata import META_FIELDS, DocumentMeta


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    actor: str
    action: str  # upload | edit | withdraw | restore | delete | user-add | user-passwd | user-role | user-remove
    # | user-email | user-update | user-disable | user-enable | user-reset | user-reset-link | user-invite
    # | user-import | feed-new | feed-revoke
    doc_id: int | None
    subject: str  # a document's title or an account's name, kept after either is gone
    changes: dict[str, Any]  # field -> {"old": ..., "new": ...}


def record(catalog: Catalog, actor: str, action: str, *, doc_id: int | None = None, subject: str = "",
           changes: dict[str, Any] | None = None) -> None:
    """Append one entry; inside a catalog transaction it commits or rolls back with the change itself."""
    with catalog.transaction() as db:
        db.execute("INSERT INTO audit_log (at, actor, action, doc_id, subject, changes) VALUES (?,?,?,?,?,?)",
                   (utc_now(), actor, action, doc_id, subject, json.dumps(changes or {}, ensure_ascii=False)))


def meta_changes(old: DocumentMeta, new: DocumentMeta) -> dict[str, dict[str, Any]]:
    """The fields that differ between two versions of a document's metadata."""
    return {name: {"old": getattr(old, name), "new": getattr(new, name)}
            for name in META_FIELDS if getattr(old, name) != getattr(new, name)}


def account_changes(old: User, new: User) -> dict[str, dict[str, Any]]:
    """What differs between two states of an account: its address, role and status (active, invited, disabled)."""
    return {name: {"old": getattr(old, name), "new": getattr(new, name)}
            for name in ("email", "role", "status") if getattr(old, name) != getattr(new, name)}


def document_snapshot(doc: Document) -> dict[str, dict[str, Any]]:
    """Every metadata field of a document as 'old' values: what a deletion took away."""
    snapshot = {name: {"old": getattr(doc, name), "new": None} for name in META_FIELDS}
    snapshot["sha256"] = {"old": doc.sha256, "new": None}
    snapshot["filename"] = {"old": doc.filename, "new": None}
    return snapshot


def entries(catalog: Catalog, limit: int = 100, offset: int = 0, doc_id: int | None = None) -> list[AuditEntry]:
    """Entries newest first, optionally only those about one document."""
    sql = "SELECT id, at, actor, action, doc_id, subject, changes FROM audit_log"
    args: tuple = ()
    if doc_id is not None:
        sql, args = sql + " WHERE doc_id = ?", (doc_id,)
    rows = catalog.db.execute(sql + " ORDER BY id DESC LIMIT ? OFFSET ?", (*args, limit, offset))
    return [AuditEntry(*row[:6], json.loads(row[6])) for row in rows]


def count(catalog: Catalog) -> int:
    return catalog.db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
