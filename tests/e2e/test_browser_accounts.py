"""Accounts in a real headless Chromium against `archive serve` (waitress), which sends its mail to a real
SMTP server (aiosmtpd, STARTTLS) on loopback: the admin's account pages, an invitation from the mail to
the first sign-in, and the personal feed link."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from tests.e2e.test_browser import _free_port, _wait_for, browser, page, shot  # noqa: F401 (browser, page: fixtures)
from tests.mailserver import MailServer, link_in

ADMIN_PASSWORD, MEMBER_PASSWORD = "admin-password-333", "member-password-1"


@pytest.fixture(scope="module")
def mail_server(tmp_path_factory):
    server = MailServer(tmp_path_factory.mktemp("smtp")).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory, mail_server):
    """`archive serve` over a small archive with a members-only document, an admin and a member, with mail."""
    from archive import accounts
    from archive.catalog import Catalog
    from archive.datadir import DataDir
    from archive.metadata import DocumentMeta
    from indexer.load.run import load_paths
    from tests.builders import make_pdf
    from tests.conftest import write_small_corpus

    root = tmp_path_factory.mktemp("e2e-accounts")
    data = DataDir(root / "data").ensure()
    write_small_corpus(root / "incoming")
    load_paths([root / "incoming"], data, DocumentMeta(), jobs=1)
    secret = make_pdf(root / "members" / "strategy.pdf", ["Quillbrook Bargaining Strategy\nzephyrine ratios"],
                      title="Quillbrook Bargaining Strategy")
    load_paths([secret], data, DocumentMeta(access="members", doc_type="contract", year=2017), jobs=1)
    with Catalog(data.catalog_path) as catalog:
        accounts.add_user(catalog, "admin", "admin", ADMIN_PASSWORD, "admin@example.org")
        accounts.add_user(catalog, "member", "member", MEMBER_PASSWORD, "member@example.org")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, **mail_server.env(url)}
    process = subprocess.Popen([sys.executable, "-m", "web.cli", "--data-dir", str(data.root), "serve",
                                "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _wait_for(port, process)
    yield {"url": url, "data": data}
    process.terminate()
    process.wait(timeout=20)


def sign_in(page, server, name: str, password: str) -> None:
    page.goto(server["url"] + "/login")
    page.fill("#name", name)
    page.fill("#password", password)
    page.click("form.stacked button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".whoami").count() == 1, page.content()


def _mail_to(mail_server, address: str, seconds: float = 20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for message in mail_server.messages:
            if message["To"].addresses[0].addr_spec == address:
                return message
        time.sleep(0.1)
    raise AssertionError(f"no mail to {address}")


def test_an_admin_finds_an_account_changes_its_role_and_disables_it(page, server):
    sign_in(page, server, "admin", ADMIN_PASSWORD)
    page.get_by_role("link", name="Accounts").click()
    page.fill("#account-q", "member")
    page.get_by_role("button", name="Find").click()
    page.wait_for_load_state()
    assert "Accounts 1–1 of 1" in page.locator("p.count-line").inner_text()
    shot(page, "accounts-list")
    page.get_by_role("link", name="member", exact=True).click()
    page.select_option("#role", "staff")
    page.get_by_role("button", name="Change role").click()
    page.wait_for_load_state()
    assert "member is now staff." in page.locator(".flashes").inner_text()
    page.get_by_role("button", name="Disable").click()
    page.wait_for_load_state()
    assert "Disabled since" in page.locator("dd.status").inner_text()
    shot(page, "account-disabled")
    page.get_by_role("button", name="Enable again").click()
    page.select_option("#role", "member")
    page.get_by_role("button", name="Change role").click()
    page.wait_for_load_state()
    assert page.locator("dd.status").inner_text() == "Active"
    page.goto(server["url"] + "/admin/audit")
    assert "user-disable" in page.content() and "user-enable" in page.content()


def test_an_invitation_by_mail_leads_to_the_first_sign_in(browser, page, server, mail_server):
    sign_in(page, server, "admin", ADMIN_PASSWORD)
    page.goto(server["url"] + "/admin/users")
    page.fill("#add-name", "clara")
    page.fill("#add-email", "clara@example.org")
    page.get_by_role("button", name="Add and invite").click()
    page.wait_for_load_state()
    assert "An invitation is being sent to clara@example.org" in page.locator(".flashes").inner_text()
    link = link_in(_mail_to(mail_server, "clara@example.org"))
    assert link.startswith(server["url"] + "/password/")

    context = browser.new_context(viewport={"width": 1200, "height": 900})
    person = context.new_page()
    person.goto(link)
    assert "Welcome, clara" in person.locator("h1").inner_text()
    shot(person, "invitation-set-password")
    person.fill("#password", "my-own-password-1")
    person.fill("#again", "my-own-password-1")
    person.get_by_role("button", name="Set my password").click()
    person.wait_for_load_state()
    assert person.url.startswith(server["url"] + "/login")
    assert person.input_value("#name") == "clara"
    person.fill("#password", "my-own-password-1")
    person.click("form.stacked button[type=submit]")
    person.wait_for_load_state()
    assert person.locator(".whoami").inner_text() == "clara (member)"
    person.goto(link)  # the link worked once
    assert "already used" in person.locator("main").inner_text()
    shot(person, "invitation-used-again")
    context.close()


def test_without_an_address_the_admin_is_shown_the_link(browser, page, server):
    sign_in(page, server, "admin", ADMIN_PASSWORD)
    page.goto(server["url"] + "/admin/users")
    page.fill("#add-name", "dora")
    page.get_by_role("button", name="Add and invite").click()
    page.wait_for_load_state()
    link = page.input_value("#link")
    assert link.startswith(server["url"] + "/password/")
    shot(page, "invitation-link-shown")
    context = browser.new_context()
    person = context.new_page()
    person.goto(link)
    assert "Welcome, dora" in person.locator("h1").inner_text()
    context.close()


def test_a_member_makes_a_feed_link_reads_it_and_revokes_it(page, server):
    sign_in(page, server, "member", MEMBER_PASSWORD)
    page.goto(server["url"] + "/search?q=zephyrine")
    assert "Follow this search" in page.locator("a.feed").inner_text()
    page.goto(server["url"] + "/account")
    page.get_by_role("button", name="Make my personal feed link").click()
    page.wait_for_load_state()
    feed_url = page.input_value("#feed-url")
    assert feed_url.startswith(server["url"] + "/search.atom?key=")
    shot(page, "account-feed-link")
    page.goto(server["url"] + "/search?q=zephyrine")
    personal = page.locator("a.feed").get_attribute("href")
    shot(page, "search-personal-feed-link")
    assert "key=" in personal
    request = page.context.request
    anonymous = request.get(server["url"] + "/search.atom?q=zephyrine")
    assert anonymous.ok and "Quillbrook" not in anonymous.text()
    found = request.get(server["url"] + personal)
    assert found.ok and "<title>Quillbrook Bargaining Strategy</title>" in found.text()
    page.goto(server["url"] + "/account")
    page.get_by_role("button", name="Revoke this link").click()
    page.wait_for_load_state()
    assert "revoked" in page.locator(".flashes").inner_text()
    refused = request.get(feed_url)
    assert refused.status == 403 and "Quillbrook" not in refused.text()
