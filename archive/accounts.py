"""People who sign in: accounts with roles, argon2 password hashes, revocable sessions and login rate limiting."""
from __future__ import annotations

import hashlib
import logging
import secrets
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from archive.catalog import Catalog, CatalogError
from archive.vocabulary import ACCESS_LEVELS, VISIBILITY_LEVELS

# Ordered from least to most trusted; "anonymous" is everyone not signed in and is never stored.
ANONYMOUS = "anonymous"
ROLES: tuple[str, ...] = ("member", "staff", "admin")
RANK = {ANONYMOUS: 0, "member": 1, "staff": 2, "admin": 3}
MIN_PASSWORD_LENGTH = 10
MAX_NAME_LENGTH = 64
# A session's last use is written at most this often (seconds): a write on every request would queue page
# views behind a load's commits, and idle expiry measured in hours does not need more precision.
SESSION_SEEN_EVERY = 300

log = logging.getLogger(__name__)
_HASHER = PasswordHasher()  # argon2id with the library's RFC 9106 defaults
# Verified against when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("no such account: constant-time filler")


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    created_at: str
    password_changed_at: str

    def at_least(self, role: str) -> bool:
        return RANK[self.role] >= RANK[role]


@dataclass(frozen=True)
class RateLimit:
    """How many failed logins are allowed per account and per address within `window` seconds."""

    per_account: int = 5
    per_address: int = 30
    window: float = 15 * 60


class LoginThrottled(Exception):
    """Too many failed logins; `retry_after` is how many seconds until the next attempt counts."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(f"too many failed logins; try again in {retry_after} seconds")


def visible_levels(role: str) -> tuple[str, ...]:
    """The visibility levels a role may see: the one access policy every route and search uses."""
    if RANK[role] >= RANK["staff"]:
        return VISIBILITY_LEVELS
    if role == "member":
        return ACCESS_LEVELS
    return ("public",)


_COLUMNS = "id, name, role, created_at, password_changed_at"


def add_user(catalog: Catalog, name: str, role: str, password: str) -> User:
    """Create an account; the password is stored only as an argon2 hash."""
    name = _check_name(name)
    _check_role(role)
    hashed = _HASHER.hash(_check_password(password))
    now = _precise_now()
    with catalog.transaction() as db:
        if _row(catalog, name):
            raise CatalogError(f"there is already an account named {name!r}")
        db.execute("INSERT INTO users (name, role, password_hash, created_at, password_changed_at)"
                   " VALUES (?,?,?,?,?)", (name, role, hashed, now, now))
    return get_user(catalog, name)


def set_password(catalog: Catalog, name: str, password: str) -> User:
    """Replace an account's password and sign it out of every browser."""
    user = _existing(catalog, name)
    hashed = _HASHER.hash(_check_password(password))
    with catalog.transaction() as db:
        db.execute("UPDATE users SET password_hash=?, password_changed_at=? WHERE id=?",
                   (hashed, _precise_now(), user.id))
        db.execute("DELETE FROM sessions WHERE user_id=?", (user.id,))
    return get_user(catalog, name)


def set_role(catalog: Catalog, name: str, role: str) -> User:
    user = _existing(catalog, name)
    _check_role(role)
    with catalog.transaction() as db:
        db.execute("UPDATE users SET role=? WHERE id=?", (role, user.id))
    return get_user(catalog, name)


def remove_user(catalog: Catalog, name: str) -> User:
    user = _existing(catalog, name)
    with catalog.transaction() as db:
        db.execute("DELETE FROM sessions WHERE user_id=?", (user.id,))  # not left to the cascade: said here
        db.execute("DELETE FROM users WHERE id=?", (user.id,))
    return user


def get_user(catalog: Catalog, name: str) -> User | None:
    row = catalog.db.execute(f"SELECT {_COLUMNS} FROM users WHERE name = ?", (name,)).fetchone()
    return User(*row) if row else None


def user_by_id(catalog: Catalog, user_id: int) -> User | None:
    row = catalog.db.execute(f"SELECT {_COLUMNS} FROM users WHERE id = ?", (user_id,)).fetchone()
    return User(*row) if row else None


def list_users(catalog: Catalog) -> list[User]:
    rows = catalog.db.execute(f"SELECT {_COLUMNS} FROM users ORDER BY name COLLATE NOCASE")
    return [User(*row) for row in rows]


def start_session(catalog: Catalog, user: User, lifetime: float) -> str:
    """A new random session token for the user's cookie; sessions idle for `lifetime` seconds are pruned."""
    token = secrets.token_urlsafe(32)
    now = time.time()
    with catalog.transaction() as db:
        db.execute("DELETE FROM sessions WHERE seen_at < ?", (now - lifetime,))
        db.execute("INSERT INTO sessions (token_hash, user_id, seen_at) VALUES (?,?,?)",
                   (_token_hash(token), user.id, now))
    return token


def session_user(catalog: Catalog, token: str | None, lifetime: float) -> User | None:
    """The account a session token belongs to, or None if it was ended, revoked or idle for `lifetime`."""
    if not isinstance(token, str):
        return None
    now = time.time()
    row = catalog.db.execute("SELECT user_id, seen_at FROM sessions WHERE token_hash = ? AND seen_at >= ?",
                             (_token_hash(token), now - lifetime)).fetchone()
    if row is None:
        return None
    if now - row[1] > SESSION_SEEN_EVERY:
        _mark_seen(catalog, token, now)
    return user_by_id(catalog, row[0])


def _mark_seen(catalog: Catalog, token: str, now: float) -> None:
    try:
        with catalog.transaction() as db:
            db.execute("UPDATE sessions SET seen_at = ? WHERE token_hash = ?", (now, _token_hash(token)))
    except sqlite3.OperationalError:  # the catalog is busy (a load's commit): the next request marks it
        log.info("session not marked as seen: the catalog is busy")


def end_session(catalog: Catalog, token: str | None) -> None:
    """Forget a session token, so the cookie that carries it opens nothing any more."""
    if isinstance(token, str):
        with catalog.transaction() as db:
            db.execute("DELETE FROM sessions WHERE token_hash = ?", (_token_hash(token),))


def _token_hash(token: str) -> str:
    # Only a hash is kept: a copy of the catalog (a backup) must not hold cookies that sign anyone in.
    return hashlib.sha256(token.encode()).hexdigest()


def authenticate(catalog: Catalog, name: str, password: str, address: str,
                 limit: RateLimit = RateLimit()) -> User | None:
    """The user if name and password match; None if not; LoginThrottled after too many failures."""
    keys = (f"account:{name.strip().casefold()}", f"address:{address}")
    reserved = _reserve_attempt(catalog, keys, limit)
    row = catalog.db.execute("SELECT id, password_hash FROM users WHERE name = ?", (name.strip(),)).fetchone()
    if row is None or not _verify(row[1], password):
        return None  # the reserved attempt stays, as this failure
    if _HASHER.check_needs_rehash(row[1]):
        with catalog.transaction() as db:
            db.execute("UPDATE users SET password_hash=? WHERE id=?", (_HASHER.hash(password), row[0]))
    with catalog.transaction() as db:
        db.execute("DELETE FROM login_failures WHERE key = ?", (keys[0],))
        db.executemany("DELETE FROM login_failures WHERE rowid = ?", ((r,) for r in reserved))
    return user_by_id(catalog, row[0])


def _verify(stored: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def _reserve_attempt(catalog: Catalog, keys: tuple[str, str], limit: RateLimit) -> list[int]:
    """Count this attempt as a failure before the slow password check, or raise LoginThrottled.

    Checking the count, then verifying (argon2 takes a good fraction of a second), then recording let 24
    simultaneous guesses all pass a limit of 5; counting and reserving in one write transaction
    (BEGIN IMMEDIATE: one writer at a time) makes every attempt see the ones before it.
    """
    now = time.time()
    with catalog.transaction() as db:
        db.execute("DELETE FROM login_failures WHERE at < ?", (now - limit.window,))
        for key, allowed in zip(keys, (limit.per_account, limit.per_address)):
            count, oldest = db.execute("SELECT COUNT(*), MIN(at) FROM login_failures WHERE key = ?",
                                       (key,)).fetchone()
            if count >= allowed:
                raise LoginThrottled(max(1, int(oldest + limit.window - now) + 1))
        return [db.execute("INSERT INTO login_failures (key, at) VALUES (?, ?)", (key, now)).lastrowid
                for key in keys]


def _precise_now() -> str:
    # Sessions remember this value: microseconds make every password change a new one.
    return datetime.now(timezone.utc).isoformat()


def _row(catalog: Catalog, name: str):
    return catalog.db.execute("SELECT id FROM users WHERE name = ?", (name,)).fetchone()


def _existing(catalog: Catalog, name: str) -> User:
    user = get_user(catalog, name)
    if user is None:
        raise CatalogError(f"there is no account named {name!r}")
    return user


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_NAME_LENGTH or not all(c.isalnum() or c in "._-@" for c in name):
        raise CatalogError(f"account names are 1-{MAX_NAME_LENGTH} letters, digits, '.', '_', '-' or '@'")
    return name


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise CatalogError(f"unknown role {role!r}; choose from {', '.join(ROLES)}")


def _check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise CatalogError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters long")
    return password
