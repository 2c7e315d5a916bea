"""Members in bulk: a CSV of name,email[,role] checked whole, then applied in one transaction.

Every line is checked before anything changes: a file with one bad line changes nothing, and the
problems are reported by line number. An existing account is changed only when updates were asked for;
a line that repeats an account exactly as it stands is no problem, so the same file can be imported twice.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from archive import accounts, audit
from archive.accounts import User
from archive.catalog import Catalog, CatalogError

REQUIRED_COLUMNS = ("name", "email")
OPTIONAL_COLUMNS = ("role",)
MAX_PROBLEMS_SHOWN = 50


class RosterError(ValueError):
    """The file cannot be imported; `problems` are sentences, most of them starting with a line number."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:MAX_PROBLEMS_SHOWN]
        more = len(problems) - len(shown)
        super().__init__("\n".join(shown + ([f"... and {more} more problems"] if more else [])))


@dataclass(frozen=True)
class RosterRow:
    line: int
    name: str
    email: str
    role: str | None  # None: the default role for a new account, unchanged for an existing one


@dataclass(frozen=True)
class RosterPlan:
    """What an import will do, decided before it does any of it."""

    new: tuple[RosterRow, ...]
    changed: tuple[tuple[RosterRow, User], ...]  # existing accounts whose address or role the file changes
    same: tuple[User, ...]  # existing accounts the file names exactly as they are
    default_role: str


@dataclass(frozen=True)
class RosterResult:
    created: tuple[User, ...]
    updated: tuple[User, ...]
    unchanged: tuple[User, ...]

    @property
    def to_invite(self) -> tuple[User, ...]:
        """Accounts of the file whose person has not chosen a password yet: new ones and earlier invitees."""
        return tuple(u for u in (*self.created, *self.updated, *self.unchanged) if u.status == "invited")


def read_rows(data: bytes | str) -> tuple[list[RosterRow], list[str]]:
    """The usable rows of a member CSV (its first line names the columns) and the problems of the others;
    RosterError if it is no member list at all (empty, not UTF-8, no name and email columns)."""
    text = _decoded(data)
    lines = text.splitlines()
    first = next((n for n, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise RosterError(["the file is empty: it needs a first line naming the columns, name,email"])
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(lines[first]))
    columns, rows, problems = None, [], []
    start = 1
    for cells in reader:
        line, start = start, reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue
        if columns is None:
            columns = _columns(cells, line)
            continue
        row = _row(cells, columns, line, problems)
        if row:
            rows.append(row)
    return rows, problems


def _decoded(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterError(["the file is not UTF-8 text: save it from the spreadsheet as \"CSV UTF-8\""]) from None


def _delimiter(header: str) -> str:
    """Commas, or the semicolons or tabs some spreadsheets write instead."""
    return max(",;\t", key=header.count)


def _columns(cells: list[str], line: int) -> dict[str, int]:
    names = [c.strip().lower() for c in cells]
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise RosterError([f"line {line}: the first line must name the columns: name,email (and role, if "
                           f"wanted); {' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing"])
    return {c: names.index(c) for c in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS) if c in names}


def _row(cells: list[str], columns: dict[str, int], line: int, problems: list[str]) -> RosterRow | None:
    def cell(column: str) -> str:
        at = columns.get(column)
        return cells[at].strip() if at is not None and at < len(cells) else ""

    try:
        name = accounts.check_name(cell("name"))
        if not cell("email"):
            raise CatalogError("there is no e-mail address")
        email, role = accounts.check_email(cell("email")), cell("role").lower() or None
        if role is not None:
            accounts.check_role(role)
    except CatalogError as exc:
        problems.append(f"line {line}: {exc}")
        return None
    return RosterRow(line, name, email, role)


def plan(catalog: Catalog, rows: list[RosterRow], default_role: str, update: bool,
         update_hint: str = "ask for updates", problems: list[str] | None = None) -> RosterPlan:
    """What importing these rows would do, or RosterError naming every line that stops it (with the
    `problems` reading found)."""
    accounts.check_role(default_role)
    problems = [*(problems or []), *_duplicates(rows)]
    by_name = {u.name.casefold(): u for u in accounts.list_users(catalog)}
    by_email = {u.email.casefold(): u for u in by_name.values() if u.email}
    new, changed, same = [], [], []
    for row in rows:
        existing = by_name.get(row.name.casefold())
        owner = by_email.get(row.email.casefold())
        if owner is not None and owner is not existing:
            problems.append(f"line {row.line}: {row.email} is already the address of the account {owner.name!r}")
        elif existing is None:
            new.append(row)
        elif _same(row, existing):
            same.append(existing)
        elif update:
            changed.append((row, existing))
        else:
            problems.append(f"line {row.line}: there is already an account named {existing.name!r} with another "
                            f"e-mail address or role; {update_hint} to change it")
    if problems:
        raise RosterError(sorted(problems, key=_line_number))
    return RosterPlan(tuple(new), tuple(changed), tuple(same), default_role)


def _duplicates(rows: list[RosterRow]) -> list[str]:
    problems, names, emails = [], {}, {}
    for row in rows:
        for seen, key, what in ((names, row.name.casefold(), f"the name {row.name!r}"),
                                (emails, row.email.casefold(), f"the address {row.email}")):
            if key in seen:
                problems.append(f"line {row.line}: {what} is also on line {seen[key]}")
            else:
                seen[key] = row.line
    return problems


def _same(row: RosterRow, user: User) -> bool:
    return (user.email or "").casefold() == row.email.casefold() and row.role in (None, user.role)


def _line_number(problem: str) -> int:
    head = problem.removeprefix("line ").split(":", 1)[0]
    return int(head) if head.isdigit() else 0


def apply(catalog: Catalog, planned: RosterPlan, actor: str) -> RosterResult:
    """Create and update the accounts of a plan in one transaction, each change in the audit log."""
    created, updated = [], []
    with catalog.transaction():
        for row in planned.new:
            role = row.role or planned.default_role
            user = accounts.add_user(catalog, row.name, role, None, row.email)
            audit.record(catalog, actor, "user-add", subject=user.name,
                         changes={"role": {"old": None, "new": role}, "email": {"old": None, "new": row.email}})
            created.append(user)
        for row, old in planned.changed:
            user = accounts.set_email(catalog, old.name, row.email)
            if row.role:
                user = accounts.set_role(catalog, old.name, row.role)
            audit.record(catalog, actor, "user-update", subject=user.name, changes=audit.account_changes(old, user))
            updated.append(user)
    return RosterResult(tuple(created), tuple(updated), planned.same)


def import_roster(catalog: Catalog, data: bytes | str, default_role: str, update: bool, actor: str,
                  update_hint: str = "ask for updates") -> RosterResult:
    """Read, check and apply a member CSV: all of it, or (RosterError) none of it."""
    rows, problems = read_rows(data)
    with catalog.transaction():  # checked and applied in one write: nothing changes in between
        return apply(catalog, plan(catalog, rows, default_role, update, update_hint, problems), actor)
