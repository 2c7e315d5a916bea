"""People who sign in: accounts with roles, e-mail addresses, argon2 password hashes, revocable sessions,
personal feed keys and login rate limiting."""
from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import logging
import secrets
import sqlite3
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from archive.catalog import Catalog, CatalogError, utc_now
from archive.vocabulary import ACCESS_LEVELS, VISIBILITY_LEVELS

# Ordered from least to most trusted; "anonymous" is everyone not signed in and is never stored.
ANONYMOUS = "anonymous"
ROLES: tuple[str, ...] = ("member", "staff", "admin")
RANK = {ANONYMOUS: 0, "member": 1, "staff": 2, "admin": 3}
MIN_PASSWORD_LENGTH = 10
MAX_NAME_LENGTH = 64
MAX_EMAIL_LENGTH = 254  # RFC 5321's limit on a forward path
# Stored instead of a hash for an account whose person has not chosen a password yet (invited, or reset
# by an admin): no password verifies against it, so nobody signs in until a one-time link sets one.
NO_PASSWORD = ""
# A session's last use is written at most this often (seconds): a write on every request would queue page
# views behind a load's commits, and idle expiry measured in hours does not need more precision.
SESSION_SEEN_EVERY = 300

log = logging.getLogger(__name__)
_HASHER = PasswordHasher()  # argon2id with the library's RFC 9106 defaults


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the account has no password yet, so that login costs as long as a wrong password.

    Made on first use, not on import: every `archive` command imports this module, and a hash costs
    ~0.2 s of CPU that a load or a search does not need. The web app makes it as it starts
    (`prepare_logins`), so that no login pays for making it.
    """
    return _HASHER.hash("no such account: constant-time filler")


def prepare_logins() -> None:
    """Make the filler hash now (see `_dummy_hash`): called once by the web app as it starts."""
    _dummy_hash()


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    created_at: str
    password_changed_at: str
    email: str | None = None
    disabled_at: str | None = None
    password_set: bool = True  # False while an invitation or a reset waits for the person to choose one
    # Random per account while a personal feed link exists (None when there is none or it was revoked);
    # the link itself is derived with the server's secret key (`feed_token`), so the catalog alone opens nothing.
    feed_key: str | None = field(default=None, repr=False)

    def at_least(self, role: str) -> bool:
        return RANK[self.role] >= RANK[role]

    @property
    def disabled(self) -> bool:
        return self.disabled_at is not None

    @property
    def status(self) -> str:
        """active, invited (no password chosen yet) or disabled."""
        if self.disabled:
            return "disabled"
        return "active" if self.password_set else "invited"


@dataclass(frozen=True)
class RateLimit:
    """How many failed logins are allowed per account and per address within `window` seconds."""

    per_account: int = 5
    per_address: int = 30
    window: float = 15 * 60


class AccountDisabled(Exception):
    """The password was right but an admin has disabled the account."""


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


_COLUMNS = "id, name, role, created_at, password_changed_at, email, disabled_at, password_hash <> '', feed_key"


def _user(row) -> User:
    return User(*row[:7], bool(row[7]), row[8])


def add_user(catalog: Catalog, name: str, role: str, password: str | None, email: str | None = None) -> User:
    """Create an account; the password is stored only as an argon2 hash. Without a password the account
    waits for its person to choose one through an invitation link (`archive.account_links`)."""
    name, email = check_name(name), check_email(email) if email else None
    check_role(role)
    hashed = _HASHER.hash(_check_password(password)) if password is not None else NO_PASSWORD
    now = _precise_now()
    with catalog.transaction() as db:
        if _row(catalog, name):
            raise CatalogError(f"there is already an account named {name!r}")
        _check_email_free(catalog, email, None)
        db.execute("INSERT INTO users (name, role, password_hash, created_at, password_changed_at, email)"
                   " VALUES (?,?,?,?,?,?)", (name, role, hashed, now, now, email))
    return get_user(catalog, name)


def set_password(catalog: Catalog, name: str, password: str, *, revoke_feed: bool = False) -> User:
    """Replace an account's password and sign it out of every browser; one-time links still open stop working."""
    user = _existing(catalog, name)
    hashed = _HASHER.hash(_check_password(password))
    with catalog.transaction() as db:
        db.execute("UPDATE users SET password_hash=?, password_changed_at=? WHERE id=?",
                   (hashed, _precise_now(), user.id))
        _end_sessions_and_links(db, user.id, revoke_feed)
    return get_user(catalog, name)


def reset_account(catalog: Catalog, name: str) -> User:
    """An admin's reset: the old password stops working, every session and one-time link ends and the
    personal feed link is revoked; the person chooses a new password through a reset link."""
    user = _existing(catalog, name)
    with catalog.transaction() as db:
        db.execute("UPDATE users SET password_hash=?, password_changed_at=? WHERE id=?",
                   (NO_PASSWORD, _precise_now(), user.id))
        _end_sessions_and_links(db, user.id, revoke_feed=True)
    return get_user(catalog, name)


def set_disabled(catalog: Catalog, name: str, disabled: bool) -> User:
    """Disable an account (its sessions, one-time links and feed link end at once) or enable it again."""
    user = _existing(catalog, name)
    with catalog.transaction() as db:
        if disabled:
            db.execute("UPDATE users SET disabled_at=? WHERE id=?", (utc_now(), user.id))
            _end_sessions_and_links(db, user.id, revoke_feed=True)
        else:
            db.execute("UPDATE users SET disabled_at=NULL WHERE id=?", (user.id,))
    return get_user(catalog, name)


def set_email(catalog: Catalog, name: str, email: str | None) -> User:
    """Give an account another e-mail address (None: none); no two accounts share one."""
    user = _existing(catalog, name)
    email = check_email(email) if email else None
    with catalog.transaction() as db:
        _check_email_free(catalog, email, user.id)
        db.execute("UPDATE users SET email=? WHERE id=?", (email, user.id))
    return get_user(catalog, name)


def _end_sessions_and_links(db: sqlite3.Connection, user_id: int, revoke_feed: bool) -> None:
    db.execute("DELETE FROM sessions WHERE user_id=?", (user_id,))
    db.execute("UPDATE account_links SET used_at=? WHERE user_id=? AND used_at IS NULL", (utc_now(), user_id))
    if revoke_feed:
        db.execute("UPDATE users SET feed_key=NULL WHERE id=?", (user_id,))


def set_role(catalog: Catalog, name: str, role: str) -> User:
    user = _existing(catalog, name)
    check_role(role)
    with catalog.transaction() as db:
        db.execute("UPDATE users SET role=? WHERE id=?", (role, user.id))
    return get_user(catalog, name)


def remove_user(catalog: Catalog, name: str) -> User:
    user = _existing(catalog, name)
    with catalog.transaction() as db:
        db.execute("DELETE FROM sessions WHERE user_id=?", (user.id,))  # not left to the cascade: said here
        db.execute("DELETE FROM users WHERE id=?", (user.id,))  # its links and queued mail go by the cascade
    return user


def get_user(catalog: Catalog, name: str) -> User | None:
    row = catalog.db.execute(f"SELECT {_COLUMNS} FROM users WHERE name = ?", (name,)).fetchone()
    return _user(row) if row else None


def user_by_id(catalog: Catalog, user_id: int) -> User | None:
    row = catalog.db.execute(f"SELECT {_COLUMNS} FROM users WHERE id = ?", (user_id,)).fetchone()
    return _user(row) if row else None


def user_by_email(catalog: Catalog, email: str) -> User | None:
    row = catalog.db.execute(f"SELECT {_COLUMNS} FROM users WHERE email = ?", (email.strip(),)).fetchone()
    return _user(row) if row else None


def list_users(catalog: Catalog) -> list[User]:
    rows = catalog.db.execute(f"SELECT {_COLUMNS} FROM users ORDER BY name COLLATE NOCASE")
    return [_user(row) for row in rows]


def find_users(catalog: Catalog, text: str = "", limit: int = 50, offset: int = 0) -> tuple[list[User], int]:
    """One page of the accounts whose name or e-mail address contains `text`, by name, and how many match."""
    where, args = _matching(text)
    total = catalog.db.execute(f"SELECT COUNT(*) FROM users{where}", args).fetchone()[0]
    rows = catalog.db.execute(f"SELECT {_COLUMNS} FROM users{where} ORDER BY name COLLATE NOCASE LIMIT ? OFFSET ?",
                              (*args, limit, offset))
    return [_user(row) for row in rows], total


def _matching(text: str) -> tuple[str, tuple]:
    text = text.strip()
    if not text:
        return "", ()
    # LIKE's own wildcards in what was typed are matched as themselves.
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return " WHERE name LIKE ? ESCAPE '\\' OR email LIKE ? ESCAPE '\\'", (pattern, pattern)


def active_admins(catalog: Catalog) -> int:
    """How many admins can sign in: the web refuses to take the last one away."""
    return catalog.db.execute("SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL"
                              " AND password_hash <> ''").fetchone()[0]


# -- the personal feed link ---------------------------------------------------
def new_feed_key(catalog: Catalog, user: User) -> User:
    """Make a personal feed link for the account, replacing (and so revoking) any earlier one."""
    with catalog.transaction() as db:
        db.execute("UPDATE users SET feed_key=? WHERE id=?", (secrets.token_hex(16), user.id))
    return user_by_id(catalog, user.id)


def revoke_feed_key(catalog: Catalog, user: User) -> User:
    with catalog.transaction() as db:
        db.execute("UPDATE users SET feed_key=NULL WHERE id=?", (user.id,))
    return user_by_id(catalog, user.id)


def feed_token(user: User, secret: bytes) -> str | None:
    """The secret in the account's personal feed URL, or None if it has none: "<id>-<HMAC of id and key>"."""
    if not user.feed_key:
        return None
    return f"{user.id}-{_feed_mac(user.id, user.feed_key, secret)}"


def feed_user(catalog: Catalog, token: str, secret: bytes) -> User | None:
    """The enabled account whose current personal feed token this is, else None (revoked, replaced, forged)."""
    user_id, _, mac = token.partition("-")
    if not (user_id.isascii() and user_id.isdigit() and len(user_id) < 19 and mac):
        return None
    user = user_by_id(catalog, int(user_id))
    if user is None or user.disabled or not user.feed_key:
        return None
    return user if hmac.compare_digest(mac, _feed_mac(user.id, user.feed_key, secret)) else None


def _feed_mac(user_id: int, key: str, secret: bytes) -> str:
    digest = hmac.new(secret, f"feed:{user_id}:{key}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def start_session(catalog: Catalog, user: User, lifetime: float) -> str:
    """A new random session token for the user's cookie; sessions idle for `lifetime` seconds are pruned."""
    token = secrets.token_urlsafe(32)
    now = time.time()
    with catalog.transaction() as db:
        db.execute("DELETE FROM sessions WHERE seen_at < ?", (now - lifetime,))
        db.execute("INSERT INTO sessions (token_hash, user_id, seen_at) VALUES (?,?,?)",
                   (token_hash(token), user.id, now))
    return token


def session_user(catalog: Catalog, token: str | None, lifetime: float) -> User | None:
    """The account a session token belongs to, or None if it was ended, revoked or idle for `lifetime`."""
    if not isinstance(token, str):
        return None
    now = time.time()
    row = catalog.db.execute("SELECT user_id, seen_at FROM sessions WHERE token_hash = ? AND seen_at >= ?",
                             (token_hash(token), now - lifetime)).fetchone()
    if row is None:
        return None
    if now - row[1] > SESSION_SEEN_EVERY:
        _mark_seen(catalog, token, now)
    user = user_by_id(catalog, row[0])
    return None if user is None or user.disabled else user  # disabling ends sessions; this holds if one slipped by


def _mark_seen(catalog: Catalog, token: str, now: float) -> None:
    try:
        with catalog.transaction() as db:
            db.execute("UPDATE sessions SET seen_at = ? WHERE token_hash = ?", (now, token_hash(token)))
    except sqlite3.OperationalError:  # the catalog is busy (a load's commit): the next request marks it
        log.info("session not marked as seen: the catalog is busy")


def end_session(catalog: Catalog, token: str | None) -> None:
    """Forget a session token, so the cookie that carries it opens nothing any more."""
    if isinstance(token, str):
        with catalog.transaction() as db:
            db.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash(token),))


def token_hash(token: str) -> str:
    """SHA-256 of a session or one-time link token: only the hash is kept, so a copy of the catalog (a
    backup) holds no cookie or link that signs anyone in."""
    return hashlib.sha256(token.encode()).hexdigest()


def authenticate(catalog: Catalog, name: str, password: str, address: str,
                 limit: RateLimit = RateLimit()) -> User | None:
    """The user if name (or e-mail address) and password match; None if not; LoginThrottled after too many
    failures; AccountDisabled if they match a disabled account."""
    row = catalog.db.execute("SELECT id, name, password_hash FROM users WHERE name = ? OR email = ?"
                             " ORDER BY name = ? DESC LIMIT 1", (name.strip(),) * 3).fetchone()
    # Counted per account, however it was named, so a name and an address do not get a limit each.
    keys = (f"account:{(row[1] if row else name.strip()).casefold()}", f"address:{address}")
    reserved = reserve_attempt(catalog, keys, limit)
    # An unknown name is verified against the filler hash too: answering it at once would tell, by the
    # time taken, which names have accounts.
    if not _verify(row[2] if row else None, password) or row is None:
        return None  # the reserved attempt stays, as this failure
    if _HASHER.check_needs_rehash(row[2]):
        with catalog.transaction() as db:
            db.execute("UPDATE users SET password_hash=? WHERE id=?", (_HASHER.hash(password), row[0]))
    with catalog.transaction() as db:
        db.execute("DELETE FROM login_failures WHERE key = ?", (keys[0],))
        db.executemany("DELETE FROM login_failures WHERE rowid = ?", ((r,) for r in reserved))
    user = user_by_id(catalog, row[0])
    if user.disabled:
        raise AccountDisabled(user.name)
    return user


def _verify(stored: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(stored or _dummy_hash(), password) and bool(stored)
    except (VerificationError, InvalidHashError):
        return False


def reserve_attempt(catalog: Catalog, keys: tuple[str, str], limit: RateLimit) -> list[int]:
    """Count this attempt (per account key, per address key) before the slow work, or raise LoginThrottled.

    Sign-ins count failures here (and forget them on success); requests for a reset link count every one.

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


def check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_NAME_LENGTH or not all(c.isalnum() or c in "._-@" for c in name):
        raise CatalogError(f"account names are 1-{MAX_NAME_LENGTH} letters, digits, '.', '_', '-' or '@'")
    return name


def check_role(role: str) -> None:
    if role not in ROLES:
        raise CatalogError(f"unknown role {role!r}; choose from {', '.join(ROLES)}")


def check_email(email: str) -> str:
    """A usable e-mail address, trimmed, or a CatalogError saying what is wrong with it."""
    email = email.strip()
    local, _, domain = email.partition("@")
    usable = (email.count("@") == 1 and local and len(email) <= MAX_EMAIL_LENGTH and email.isprintable()
              and "." in domain.strip(".") and not domain.startswith(".") and not domain.endswith(".")
              and not any(c.isspace() or c in '<>,;:"()[]\\' for c in email))
    if not usable:
        raise CatalogError(f"{email!r} is not an e-mail address like name@example.org")
    return email


def _check_email_free(catalog: Catalog, email: str | None, user_id: int | None) -> None:
    if email is None:
        return
    row = catalog.db.execute("SELECT id, name FROM users WHERE email = ?", (email,)).fetchone()
    if row and row[0] != user_id:
        raise CatalogError(f"{email} is already the address of the account {row[1]!r}")


def _check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise CatalogError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters long")
    return password
