"""One-time links: 256 random bits stored as SHA-256, single use, expiring, ended by other changes."""
from __future__ import annotations

import hashlib
import time

import pytest

from archive import account_links, accounts
from archive.account_links import INVITE, RESET, LinkError
from archive.catalog import Catalog


@pytest.fixture
def catalog(catalog_target):
    with Catalog(catalog_target) as catalog:
        yield catalog


@pytest.fixture
def invited(catalog):
    return accounts.add_user(catalog, "clara", "member", None, "clara@example.org")


def test_an_invited_account_cannot_sign_in_until_its_link_sets_a_password(catalog, invited):
    assert invited.status == "invited" and not invited.password_set
    assert accounts.authenticate(catalog, "clara", "", "a") is None
    link = account_links.issue(catalog, invited, INVITE, 3600)
    assert account_links.check(catalog, link.token) == (invited, INVITE)
    user = account_links.use(catalog, link.token, "bread-and-roses")
    assert user.status == "active"
    assert accounts.authenticate(catalog, "clara", "bread-and-roses", "a").name == "clara"
    assert accounts.authenticate(catalog, "clara@example.org", "bread-and-roses", "a").name == "clara"


def test_the_token_is_256_random_bits_and_only_its_sha256_is_kept(catalog, invited):
    link = account_links.issue(catalog, invited, INVITE, 3600)
    stored = [row[0] for row in catalog.db.execute("SELECT token_hash FROM account_links")]
    assert stored == [hashlib.sha256(link.token.encode()).hexdigest()]
    assert len(link.token) == 43  # 32 bytes in unpadded URL-safe base64
    assert account_links.issue(catalog, invited, INVITE, 3600).token != link.token


def test_a_link_works_once_and_says_so_afterwards(catalog, invited):
    first = account_links.issue(catalog, invited, INVITE, 3600)
    second = account_links.issue(catalog, invited, INVITE, 3600)  # a resent invitation
    account_links.use(catalog, first.token, "bread-and-roses")
    for token in (first.token, second.token):  # using one ends every other link of the account
        with pytest.raises(LinkError, match="already used"):
            account_links.check(catalog, token)
    with pytest.raises(LinkError, match="already used"):
        account_links.use(catalog, first.token, "another-password")
    assert accounts.authenticate(catalog, "clara", "bread-and-roses", "a") is not None


def test_an_expired_link_names_when_it_expired(catalog, invited, monkeypatch):
    link = account_links.issue(catalog, invited, INVITE, 2 * 86400)
    monkeypatch.setattr(account_links.time, "time", lambda: time.time_ns() / 1e9 + 3 * 86400)
    with pytest.raises(LinkError, match=r"expired on \d{4}-\d\d-\d\d \d\d:\d\d UTC"):
        account_links.check(catalog, link.token)


def test_unknown_links_and_short_passwords_change_nothing(catalog, invited):
    with pytest.raises(LinkError, match="not valid"):
        account_links.check(catalog, "no-such-token")
    link = account_links.issue(catalog, invited, INVITE, 3600)
    with pytest.raises(Exception, match="at least 10"):
        account_links.use(catalog, link.token, "short")
    assert account_links.check(catalog, link.token)[0].status == "invited"  # still usable


def test_disabling_resetting_or_a_new_password_end_open_links(catalog):
    user = accounts.add_user(catalog, "joe", "member", "first-password-1", "joe@example.org")
    for end in (lambda: accounts.set_disabled(catalog, "joe", True), lambda: accounts.reset_account(catalog, "joe"),
                lambda: accounts.set_password(catalog, "joe", "other-password-2")):
        link = account_links.issue(catalog, user, RESET, 3600)
        end()
        accounts.set_disabled(catalog, "joe", False)
        with pytest.raises(LinkError):
            account_links.check(catalog, link.token)


def test_a_disabled_account_cannot_use_a_fresh_link(catalog, invited):
    accounts.set_disabled(catalog, "clara", True)
    link = account_links.issue(catalog, invited, INVITE, 3600)
    with pytest.raises(LinkError, match="disabled"):
        account_links.use(catalog, link.token, "bread-and-roses")
