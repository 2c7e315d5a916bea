"""Mail over a real SMTP server (aiosmtpd on loopback, STARTTLS and AUTH required): the settings, the
queue, what a message holds, and a run that stops half-way and is resumed without sending twice."""
from __future__ import annotations

import pytest

from archive import account_links, accounts, mail
from archive.account_links import INVITE, RESET
from archive.catalog import Catalog
from archive.mail import MailSettingsError, settings_from
from tests.mailserver import PASSWORD, SENDER, MailServer, link_in

BASE = "https://archive.example.org"


@pytest.fixture
def catalog(catalog_target):
    with Catalog(catalog_target) as catalog:
        yield catalog


@pytest.fixture
def sqlite_catalog(tmp_path):
    """For the test that reads the catalog's files byte by byte."""
    with Catalog(tmp_path / "catalog.sqlite3") as catalog:
        yield catalog


def _invited(catalog, count: int) -> list:
    return [accounts.add_user(catalog, f"member{n}", "member", None, f"member{n}@example.org") for n in range(count)]


def _links(token: str) -> str:
    return f"{BASE}/password/{token}"


def test_settings_come_from_the_environment_and_say_what_is_wrong():
    env = {"ARCHIVE_SMTP_URL": "smtp://archive%40example.org@mail.example.org", "ARCHIVE_SMTP_PASSWORD": "pw",
           "ARCHIVE_MAIL_FROM": SENDER, "ARCHIVE_BASE_URL": BASE + "/"}
    found = settings_from(env)
    assert (found.host, found.port, found.implicit_tls, found.username, found.base_url) == \
        ("mail.example.org", 587, False, "archive@example.org", BASE)
    assert "pw" not in repr(found)
    assert settings_from({**env, "ARCHIVE_SMTP_URL": "smtps://mail.example.org"}).port == 465
    assert settings_from({}) is None
    for change, message in [({"ARCHIVE_SMTP_URL": "http://mail.example.org"}, "must look like"),
                            ({"ARCHIVE_SMTP_URL": "smtp://u:pw@mail.example.org"}, "ARCHIVE_SMTP_PASSWORD"),
                            ({"ARCHIVE_MAIL_FROM": ""}, "ARCHIVE_MAIL_FROM"),
                            ({"ARCHIVE_BASE_URL": ""}, "ARCHIVE_BASE_URL")]:
        with pytest.raises(MailSettingsError, match=message):
            settings_from({**env, **change})


def test_invitations_go_out_over_starttls_with_a_working_link(catalog, mail_server):
    users = _invited(catalog, 3)
    assert mail.queue(catalog, users, INVITE, 86400, "test") == 3
    assert mail.queue(catalog, users, INVITE, 86400, "test") == 0  # already waiting: not twice
    report = mail.send_waiting(catalog, mail_server.settings(BASE), _links)
    assert (report.sent, report.failed, report.stopped, report.waiting) == (3, [], None, 0)
    assert mail_server.logins == ["archive"]  # one session for all three, signed in over TLS
    message = mail_server.messages[0]
    assert message["To"] == "member0 <member0@example.org>" and message["From"] == SENDER
    assert "member0" in message.get_body(("plain",)).get_content()
    link = link_in(message)
    assert link.startswith(BASE + "/password/")
    user, purpose = account_links.check(catalog, link.rsplit("/", 1)[1])
    assert (user.name, purpose) == ("member0", INVITE)
    assert mail.outbox_counts(catalog) == mail.OutboxCounts(0, 3, 0, "")


def test_no_link_is_stored_in_the_clear(sqlite_catalog, mail_server, tmp_path):
    catalog = sqlite_catalog
    mail.queue(catalog, _invited(catalog, 1), INVITE, 86400, "test")
    mail.send_waiting(catalog, mail_server.settings(BASE), _links)
    token = link_in(mail_server.messages[0]).rsplit("/", 1)[1]
    assert len(token) >= 43  # 32 random bytes in URL-safe base64
    catalog.close()
    for path in tmp_path.glob("catalog.sqlite3*"):
        assert token.encode() not in path.read_bytes()


def test_a_run_that_stops_is_resumed_and_nobody_gets_two_messages(catalog, mail_server):
    users = _invited(catalog, 5)
    mail.queue(catalog, users, INVITE, 86400, "test")
    mail_server.handler.fail_after = 2  # the server says "try later" from the third message on
    first = mail.send_waiting(catalog, mail_server.settings(BASE), _links)
    assert first.sent == 2 and first.waiting == 3
    assert "451" in first.stopped
    counts = mail.outbox_counts(catalog)
    assert (counts.waiting, counts.sent) == (3, 2) and "451" in counts.last_error
    # The message that was refused took its link with it: only delivered links exist.
    assert catalog.db.execute("SELECT COUNT(*) FROM account_links").fetchone()[0] == 2
    mail_server.handler.fail_after = None
    second = mail.send_waiting(catalog, mail_server.settings(BASE), _links)
    assert second.sent == 3 and second.waiting == 0 and second.stopped is None
    assert sorted(m["To"].addresses[0].username for m in mail_server.messages) == [f"member{n}" for n in range(5)]


def test_an_address_the_server_refuses_is_reported_and_the_rest_still_go(catalog, mail_server):
    users = _invited(catalog, 3)
    mail_server.handler.refuse = {"member1@example.org"}
    mail.queue(catalog, users, INVITE, 86400, "test")
    report = mail.send_waiting(catalog, mail_server.settings(BASE), _links)
    assert report.sent == 2 and report.stopped is None
    assert report.failed == [("member1", "the mail server refused it: 550 5.1.1 No such mailbox")]
    assert mail.outbox_counts(catalog).failed == 1


def test_a_server_that_is_down_stops_the_run_with_a_sentence(catalog, mail_server):
    mail.queue(catalog, _invited(catalog, 2), INVITE, 86400, "test")
    settings = mail_server.settings(BASE)
    mail_server.stop()
    report = mail.send_waiting(catalog, settings, _links)
    assert report.sent == 0 and report.waiting == 2
    assert report.stopped.startswith("the mail server could not be reached")
    mail_server.start()
    assert mail.send_waiting(catalog, settings, _links).sent == 2


def test_mail_is_never_sent_without_tls(catalog, tmp_path):
    """A server that offers no STARTTLS gets nothing: not the password, not a link."""
    plain = MailServer(tmp_path / "plain", tls=False).start()
    try:
        mail.queue(catalog, _invited(catalog, 1), INVITE, 86400, "test")
        report = mail.send_waiting(catalog, plain.settings(BASE), _links)
    finally:
        plain.stop()
    assert "STARTTLS" in report.stopped and plain.messages == [] and report.waiting == 1
    assert catalog.db.execute("SELECT COUNT(*) FROM account_links").fetchone()[0] == 0


def test_accounts_that_cannot_be_reached_are_not_sent_to(catalog, mail_server):
    disabled, has_password, fine = _invited(catalog, 3)
    mail.queue(catalog, [disabled, has_password, fine], INVITE, 86400, "test")
    accounts.set_disabled(catalog, disabled.name, True)
    accounts.set_password(catalog, has_password.name, "chosen-meanwhile-1")
    report = mail.send_waiting(catalog, mail_server.settings(BASE), _links)
    assert report.sent == 1 and [m["To"].addresses[0].username for m in mail_server.messages] == ["member2"]
    assert dict(report.failed) == {"member0": "the account is disabled",
                                   "member1": "not needed: the account has a password already"}


def test_a_reset_message_links_to_a_short_lived_reset(catalog, mail_server):
    user = accounts.add_user(catalog, "rosa", "member", "first-password-1", "rosa@example.org")
    mail.queue(catalog, [user], RESET, 7200, "test")
    mail.send_waiting(catalog, mail_server.settings(BASE), _links)
    message = mail_server.messages[0]
    assert "new password" in message["Subject"]
    token = link_in(message).rsplit("/", 1)[1]
    assert account_links.check(catalog, token)[1] == RESET
    account_links.use(catalog, token, "second-password-2")
    assert accounts.authenticate(catalog, "rosa", "second-password-2", "a") is not None
    assert PASSWORD not in message.as_string()


def test_a_message_refused_for_now_too_often_is_given_up_so_the_rest_go(catalog, mail_server):
    stuck, fine = _invited(catalog, 2)
    mail.queue(catalog, [stuck, fine], INVITE, 86400, "test")
    mail_server.handler.refuse = {"member0@example.org"}
    mail_server.handler.refuse_code = "450 4.2.0 Mailbox busy"
    reports = [mail.send_waiting(catalog, mail_server.settings(BASE), _links) for _ in range(mail.MAX_TRIES)]
    assert all(r.stopped and "450" in r.stopped for r in reports[:-1]) and reports[-1].stopped is None
    assert reports[-1].failed == [("member0", "the mail server refused it: 450 4.2.0 Mailbox busy")]
    assert [m["To"].addresses[0].username for m in mail_server.messages] == ["member1"]
