"""One-time links that let a person choose a password: invitations to new accounts and password resets.

A link carries 256 random bits; the catalog keeps only their SHA-256, so a copy of the catalog (a backup)
opens no account. A link works once, until it expires; using one (or any other password change,
disabling or resetting the account) ends every other link of the account.
"""
from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from archive import accounts
from archive.accounts import User, token_hash
from archive.catalog import Catalog, utc_now

INVITE, RESET = "invite", "reset"
PURPOSES = (INVITE, RESET)
DEFAULT_INVITE_DAYS = 14
RESET_HOURS = 2
# Links that ended this long ago are forgotten; until then, opening one says why it no longer works.
KEEP_ENDED_SECONDS = 90 * 86400


class LinkError(Exception):
    """A link that cannot be used; the message says why, in a sentence for the person who opened it."""


@dataclass(frozen=True)
class IssuedLink:
    user: User
    purpose: str
    token: str  # the secret part of the URL: shown or sent once, never stored
    expires_at: float

    @property
    def expires(self) -> str:
        return expiry_text(self.expires_at)


def expiry_text(at: float) -> str:
    """When a link stops working, in UTC, to the minute."""
    return datetime.fromtimestamp(at, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def issue(catalog: Catalog, user: User, purpose: str, valid_seconds: float) -> IssuedLink:
    """A new one-time link for the account; earlier ones of the account keep working until used or expired."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown link purpose {purpose!r}")
    token = secrets.token_urlsafe(32)  # 32 bytes: 256 bits
    now = time.time()
    with catalog.transaction() as db:
        db.execute("DELETE FROM account_links WHERE expires_at < ?", (now - KEEP_ENDED_SECONDS,))
        db.execute("INSERT INTO account_links (token_hash, user_id, purpose, created_at, expires_at)"
                   " VALUES (?,?,?,?,?)", (token_hash(token), user.id, purpose, utc_now(), now + valid_seconds))
    return IssuedLink(user, purpose, token, now + valid_seconds)


def withdraw(catalog: Catalog, token: str) -> None:
    """Forget a link that was never delivered (its mail failed)."""
    with catalog.transaction() as db:
        db.execute("DELETE FROM account_links WHERE token_hash = ?", (token_hash(token),))


def check(catalog: Catalog, token: str) -> tuple[User, str]:
    """The account and purpose of a link that can still be used, else LinkError saying why not."""
    row = catalog.db.execute("SELECT user_id, purpose, expires_at, used_at FROM account_links WHERE token_hash = ?",
                             (token_hash(token),)).fetchone() if isinstance(token, str) else None
    if row is None:
        raise LinkError("This link is not valid. Check that the whole link was copied, or ask for a new one.")
    user_id, purpose, expires_at, used_at = row
    what = "invitation" if purpose == INVITE else "password reset link"
    if used_at is not None:
        raise LinkError(f"This {what} was already used, or replaced by a newer password. Links work only once: "
                        "ask for a new one.")
    if expires_at < time.time():
        raise LinkError(f"This {what} expired on {expiry_text(expires_at)}. Ask for a new one.")
    user = accounts.user_by_id(catalog, user_id)
    if user is None or user.disabled:
        raise LinkError("The account of this link is disabled or no longer exists. Ask an admin.")
    return user, purpose


def use(catalog: Catalog, token: str, password: str) -> User:
    """Set the account's password through a link, which (with every other open link) then stops working."""
    with catalog.transaction():
        user, _ = check(catalog, token)  # checked again inside the write: two tabs cannot both use it
        return accounts.set_password(catalog, user.name, password)
