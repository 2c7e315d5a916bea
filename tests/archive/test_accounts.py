"""Accounts: roles, argon2 hashes, the visibility policy and login rate limiting."""
from __future__ import annotations

import pytest

from archive import accounts
from archive.accounts import LoginThrottled, RateLimit
from archive.catalog import Catalog, CatalogError


@pytest.fixture
def catalog(tmp_path):
    with Catalog(tmp_path / "catalog.sqlite3") as catalog:
        yield catalog


def test_password_is_stored_as_an_argon2id_hash_only(catalog):
    accounts.add_user(catalog, "rosa", "staff", "solidarity-forever-1912")
    stored = catalog.db.execute("SELECT password_hash FROM users WHERE name='rosa'").fetchone()[0]
    assert stored.startswith("$argon2id$") and "solidarity" not in stored
    assert accounts.authenticate(catalog, "rosa", "solidarity-forever-1912", "10.0.0.1").name == "rosa"
    assert accounts.authenticate(catalog, "ROSA", "solidarity-forever-1912", "10.0.0.1").name == "rosa"
    assert accounts.authenticate(catalog, "rosa", "solidarity-forever-1913", "10.0.0.1") is None


def test_same_password_gets_a_different_salted_hash(catalog):
    accounts.add_user(catalog, "a", "member", "the-same-password")
    accounts.add_user(catalog, "b", "member", "the-same-password")
    hashes = {row[0] for row in catalog.db.execute("SELECT password_hash FROM users")}
    assert len(hashes) == 2


@pytest.mark.parametrize("name,role,password,message", [
    ("", "member", "long-enough-pass", "account names"),
    ("bad name", "member", "long-enough-pass", "account names"),
    ("ok", "superuser", "long-enough-pass", "unknown role"),
    ("ok", "member", "short", "at least 10"),
])
def test_bad_accounts_are_refused_with_a_reason(catalog, name, role, password, message):
    with pytest.raises(CatalogError, match=message):
        accounts.add_user(catalog, name, role, password)
    assert accounts.list_users(catalog) == []


def test_duplicate_names_are_refused_whatever_the_case(catalog):
    accounts.add_user(catalog, "Lucy", "member", "long-enough-pass")
    with pytest.raises(CatalogError, match="already an account"):
        accounts.add_user(catalog, "lucy", "admin", "long-enough-pass")


def test_new_password_replaces_the_old_and_changes_the_session_stamp(catalog):
    before = accounts.add_user(catalog, "joe", "member", "first-password")
    after = accounts.set_password(catalog, "joe", "second-password")
    assert after.password_changed_at != before.password_changed_at
    assert accounts.authenticate(catalog, "joe", "first-password", "x") is None
    assert accounts.authenticate(catalog, "joe", "second-password", "x") is not None


def test_visibility_policy_per_role():
    assert accounts.visible_levels("anonymous") == ("public",)
    assert accounts.visible_levels("member") == ("public", "members")
    assert accounts.visible_levels("staff") == accounts.visible_levels("admin") == ("public", "members", "withdrawn")


def test_throttle_counts_failures_per_account_and_forgets_them_after_the_window(catalog, monkeypatch):
    accounts.add_user(catalog, "mother", "admin", "jones-1830-correct")
    limit = RateLimit(per_account=2, per_address=50, window=60)
    now = [1_000_000.0]
    monkeypatch.setattr(accounts.time, "time", lambda: now[0])
    for _ in range(2):
        assert accounts.authenticate(catalog, "mother", "wrong-guess", "1.1.1.1", limit) is None
    with pytest.raises(LoginThrottled) as throttled:
        accounts.authenticate(catalog, "mother", "jones-1830-correct", "1.1.1.1", limit)
    assert 0 < throttled.value.retry_after <= 61
    now[0] += 61
    assert accounts.authenticate(catalog, "mother", "jones-1830-correct", "1.1.1.1", limit) is not None


def test_success_clears_the_account_failures(catalog):
    accounts.add_user(catalog, "eugene", "staff", "debs-pullman-1894")
    limit = RateLimit(per_account=2, per_address=50, window=600)
    assert accounts.authenticate(catalog, "eugene", "nope-nope-nope", "a", limit) is None
    assert accounts.authenticate(catalog, "eugene", "debs-pullman-1894", "a", limit) is not None
    assert accounts.authenticate(catalog, "eugene", "nope-nope-nope", "a", limit) is None
    assert accounts.authenticate(catalog, "eugene", "debs-pullman-1894", "a", limit) is not None


def test_a_session_lives_while_used_and_ends_when_idle_or_ended(catalog):
    user = accounts.add_user(catalog, "sam", "staff", "long-enough-password")
    token = accounts.start_session(catalog, user, lifetime=3600)
    assert accounts.session_user(catalog, token, lifetime=3600) == user
    catalog.db.execute("UPDATE sessions SET seen_at = seen_at - 3000")
    assert accounts.session_user(catalog, token, lifetime=3600) == user  # used again: idle time starts over
    assert accounts.session_user(catalog, token, lifetime=600) == user
    catalog.db.execute("UPDATE sessions SET seen_at = seen_at - 4000")
    assert accounts.session_user(catalog, token, lifetime=3600) is None
    fresh = accounts.start_session(catalog, user, lifetime=3600)
    accounts.end_session(catalog, fresh)
    assert accounts.session_user(catalog, fresh, lifetime=3600) is None
    assert accounts.session_user(catalog, "not a token", lifetime=3600) is None
    assert catalog.db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 0  # the idle one was pruned
