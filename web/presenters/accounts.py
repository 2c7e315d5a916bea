"""The accounts list for admins as plain data: rows with their links, and paging that keeps the search."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from flask import url_for

from archive.accounts import User

STATUS_LABELS = {"active": "Active", "invited": "Invited (no password yet)", "disabled": "Disabled"}


@dataclass(frozen=True)
class AccountRow:
    name: str
    email: str
    role: str
    status: str
    status_label: str
    created: str
    url: str


@dataclass(frozen=True)
class AccountsPage:
    rows: tuple[AccountRow, ...]
    query: str
    total: int
    first: int  # position of the first row shown, from 1 (0 when none)
    last: int
    prev_url: str | None
    next_url: str | None


def accounts_page(users: Iterable[User], total: int, query: str, page: int, per_page: int) -> AccountsPage:
    rows = tuple(AccountRow(u.name, u.email or "", u.role, u.status, STATUS_LABELS[u.status], u.created_at[:10],
                            url_for("accounts_admin.detail", user_id=u.id)) for u in users)
    last_page = max(1, -(-total // per_page))
    first = (page - 1) * per_page + 1 if rows else 0
    return AccountsPage(rows, query, total, first, first + len(rows) - 1 if rows else 0,
                        _page_url(query, page - 1) if page > 1 else None,
                        _page_url(query, page + 1) if page < last_page else None)


def _page_url(query: str, page: int) -> str:
    params = {"q": query} if query else {}
    return url_for("accounts_admin.users", **params, **({"page": page} if page > 1 else {}))
