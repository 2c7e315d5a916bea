"""Accounts: roles, argon2 hashes, the visibility policy and login rate limiting."""
from __future__ import annotations

import pytest

from archive import accounts
from archive.accounts import LoginThrottled, RateLimit
from archive.catalog import Catalog, CatalogError


@pytest.fixture
def catalog(catalog_target):
    with Catalog(catalog_target) as catalog:
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


def test_an_email_address_is_checked_and_belongs_to_one_account(catalog):
    rosa = accounts.add_user(catalog, "rosa", "member", None, " Rosa@Example.org ")
    assert rosa.email == "Rosa@Example.org"
    assert accounts.user_by_email(catalog, "rosa@example.org") == rosa
    with pytest.raises(CatalogError, match="already the address of the account 'rosa'"):
        accounts.add_user(catalog, "other", "member", None, "ROSA@example.org")
    for bad in ("rosa", "rosa@", "@example.org", "rosa@localhost", "ro sa@example.org", "a@b@example.org",
                "rosa@exa\nmple.org", "<rosa@example.org>"):
        with pytest.raises(CatalogError, match="not an e-mail address"):
            accounts.set_email(catalog, "rosa", bad)
    assert accounts.set_email(catalog, "rosa", None).email is None
    assert [u.name for u in accounts.list_users(catalog)] == ["rosa"]


def test_disabling_ends_sessions_and_the_feed_link_and_stops_sign_in(catalog):
    user = accounts.add_user(catalog, "ada", "member", "long-enough-password")
    user = accounts.new_feed_key(catalog, user)
    token = accounts.start_session(catalog, user, 3600)
    disabled = accounts.set_disabled(catalog, "ada", True)
    assert disabled.status == "disabled" and disabled.feed_key is None
    assert accounts.session_user(catalog, token, 3600) is None
    with pytest.raises(accounts.AccountDisabled):
        accounts.authenticate(catalog, "ada", "long-enough-password", "x")
    assert accounts.authenticate(catalog, "ada", "a-wrong-password", "x") is None  # says nothing more
    assert accounts.set_disabled(catalog, "ada", False).status == "active"
    assert accounts.authenticate(catalog, "ada", "long-enough-password", "x").name == "ada"


def test_a_reset_stops_the_old_password_and_everything_it_opened(catalog):
    user = accounts.new_feed_key(catalog, accounts.add_user(catalog, "ben", "staff", "long-enough-password"))
    token = accounts.start_session(catalog, user, 3600)
    reset = accounts.reset_account(catalog, "ben")
    assert reset.status == "invited" and reset.feed_key is None
    assert accounts.session_user(catalog, token, 3600) is None
    assert accounts.authenticate(catalog, "ben", "long-enough-password", "x") is None


def test_the_personal_feed_token_is_derived_with_the_secret_and_revocable(catalog):
    secret, other_secret = b"k" * 32, b"j" * 32
    user = accounts.add_user(catalog, "cy", "member", "long-enough-password")
    assert accounts.feed_token(user, secret) is None
    user = accounts.new_feed_key(catalog, user)
    token = accounts.feed_token(user, secret)
    assert accounts.feed_user(catalog, token, secret) == user
    assert accounts.feed_user(catalog, token, other_secret) is None
    assert token not in str(catalog.db.execute("SELECT * FROM users").fetchall())
    for forged in ("", "x", f"{user.id}-", f"{user.id}-{token[-10:]}", "99-" + token.split("-", 1)[1], "١-abc"):
        assert accounts.feed_user(catalog, forged, secret) is None
    replaced = accounts.new_feed_key(catalog, user)
    assert accounts.feed_user(catalog, token, secret) is None  # a new link revokes the old
    assert accounts.feed_user(catalog, accounts.feed_token(replaced, secret), secret) == replaced
    accounts.revoke_feed_key(catalog, replaced)
    assert accounts.feed_user(catalog, accounts.feed_token(replaced, secret), secret) is None


def test_find_accounts_by_name_or_address_a_page_at_a_time(catalog):
    for n in range(120):
        accounts.add_user(catalog, f"member{n:03}", "member", None, f"m{n:03}@local{n % 2}.example.org")
    accounts.add_user(catalog, "under_score", "member", None)
    page, total = accounts.find_users(catalog, "", limit=50, offset=50)
    assert total == 121 and len(page) == 50 and page[0].name == "member050"
    assert accounts.find_users(catalog, "local1", limit=200)[1] == 60
    assert [u.name for u in accounts.find_users(catalog, "member11")[0]] == [f"member11{n}" for n in range(10)]
    assert [u.name for u in accounts.find_users(catalog, "_")[0]] == ["under_score"]  # _ is no wildcard here
    assert accounts.find_users(catalog, "%")[1] == 0


def test_importing_accounts_hashes_nothing_until_a_login_needs_the_filler(catalog):
    """Every `archive` command imports this module: a load must not pay for an argon2 hash."""
    accounts._dummy_hash.cache_clear()
    accounts.prepare_logins()
    assert accounts._dummy_hash.cache_info().currsize == 1
    accounts.add_user(catalog, "invited", "member", None)  # no password chosen yet
    accounts._dummy_hash.cache_clear()
    assert accounts.authenticate(catalog, "invited", "some-password-1", "10.0.0.9") is None
    assert accounts._dummy_hash.cache_info().currsize == 1  # made at the first login that needs it


def test_an_unknown_name_costs_a_hash_verification_as_a_wrong_password_does(catalog, monkeypatch):
    """A login with a name nobody has is checked against the filler hash, not answered at once: the time
    taken must not tell which names have accounts."""
    accounts.add_user(catalog, "ada", "member", "correct horse battery")
    verified = []
    real = accounts._HASHER

    class Recording:  # the real hasher, noting what each verification was against
        def verify(self, stored: str, password: str) -> bool:
            verified.append(stored)
            return real.verify(stored, password)

        def __getattr__(self, name: str):
            return getattr(real, name)

    monkeypatch.setattr(accounts, "_HASHER", Recording())
    assert accounts.authenticate(catalog, "nobody", "correct horse battery", "10.0.0.1") is None
    assert accounts.authenticate(catalog, "ada", "wrong password here", "10.0.0.1") is None
    assert len(verified) == 2 and verified[0] == accounts._dummy_hash() and verified[1] != verified[0]
