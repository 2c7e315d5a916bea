"""Mail to members: invitations and password reset links, queued in the catalog and sent over SMTP.

Nothing is sent while someone waits for a page: the web and the CLI queue a message (one row in the
outbox: whom, which kind of link, how long it lives) and a sender works through the queue. The link is
made when its message is sent, so the catalog never holds a usable link; a message that failed takes
its link with it. Each message is marked sent as soon as the server accepted it, so a run that stops
(the server went away, the machine restarted) is resumed by the next, and nobody gets a message twice.
"""
from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from pathlib import Path
from typing import Callable, Mapping
from urllib.parse import unquote, urlsplit

from archive import account_links, accounts
from archive.account_links import INVITE, IssuedLink
from archive.accounts import User
from archive.catalog import Catalog, utc_now
from archive.locks import hold

log = logging.getLogger(__name__)
MAIL_LOCK = "mail.lock"
ENV = {"url": "ARCHIVE_SMTP_URL", "password": "ARCHIVE_SMTP_PASSWORD", "sender": "ARCHIVE_MAIL_FROM",
       "base_url": "ARCHIVE_BASE_URL"}
ARCHIVE_NAME = "Federation Document Archive"
DEFAULT_PORTS = {"smtp": 587, "smtps": 465}
# A message the server keeps answering "later" (4xx) is given up after this many tries, so that one
# address cannot hold up the queue behind it for ever.
MAX_TRIES = 8


class MailSettingsError(ValueError):
    """The mail settings are incomplete or malformed; the message names the variable to fix."""


@dataclass(frozen=True)
class MailSettings:
    """Where and as whom mail is sent: `smtp://` uses STARTTLS (required), `smtps://` TLS from the start."""

    host: str
    port: int
    implicit_tls: bool
    username: str | None
    password: str | None = field(repr=False)
    sender: str
    base_url: str  # links in the messages start with it
    timeout: float = 30.0
    # None: the system's trusted certificates (SSL_CERT_FILE can name others); tests give their own.
    tls_context: ssl.SSLContext | None = field(default=None, compare=False, repr=False)

    def connect(self) -> smtplib.SMTP:
        """An SMTP session over TLS, signed in if a user is set; never sends anything in clear text."""
        context = self.tls_context or ssl.create_default_context()
        if self.implicit_tls:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            try:
                smtp.starttls(context=context)  # raises SMTPNotSupportedError if the server offers none
            except BaseException:
                smtp.close()
                raise
        if self.username:
            smtp.login(self.username, self.password or "")
        return smtp


def settings_from(env: Mapping[str, str], base_url: str | None = None) -> MailSettings | None:
    """The mail settings in these environment variables; None if ARCHIVE_SMTP_URL is unset."""
    url = env.get(ENV["url"], "").strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname or parts.path not in ("", "/") or parts.query:
        raise MailSettingsError(f"{ENV['url']} must look like smtp://user@mail.example.org:587 (STARTTLS) or "
                                f"smtps://user@mail.example.org:465")
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError:
        raise MailSettingsError(f"{ENV['url']} has a port that is not a number") from None
    if parts.password:
        raise MailSettingsError(f"put the SMTP password in {ENV['password']}, not in {ENV['url']}")
    sender = env.get(ENV["sender"], "").strip()
    if "@" not in parseaddr(sender)[1]:
        raise MailSettingsError(f"{ENV['sender']} must be the sender's address, e.g. Archive <archive@example.org>")
    base = (base_url or env.get(ENV["base_url"], "")).strip().rstrip("/")
    if urlsplit(base).scheme not in ("http", "https") or not urlsplit(base).netloc:
        raise MailSettingsError(f"{ENV['base_url']} (or --base-url) must be the archive's address, e.g. "
                                f"https://archive.example.org: the links in the messages start with it")
    return MailSettings(parts.hostname, port, parts.scheme == "smtps", unquote(parts.username or "") or None,
                        env.get(ENV["password"]) or None, sender, base)


def mail_lock(root: Path):
    """Held while a process sends the queue, so two never send the same message; LockBusy at once if taken."""
    return hold(Path(root) / MAIL_LOCK, "mail run", wait=0)


# -- the queue ---------------------------------------------------------------
@dataclass(frozen=True)
class OutboxCounts:
    waiting: int
    sent: int
    failed: int
    last_error: str  # of the newest message that is waiting after a failed try, or failed for good


def queue(catalog: Catalog, users: list[User] | tuple[User, ...], purpose: str, valid_seconds: float,
          actor: str) -> int:
    """Queue one message per account (with an address, enabled, none of this kind waiting); how many."""
    queued = 0
    with catalog.transaction() as db:
        waiting = {uid for (uid,) in db.execute("SELECT user_id FROM outbox WHERE purpose = ? AND sent_at IS NULL"
                                                " AND failed_at IS NULL", (purpose,))}
        for user in users:
            if user.email and not user.disabled and user.id not in waiting:
                db.execute("INSERT INTO outbox (user_id, purpose, valid_seconds, queued_at, queued_by)"
                           " VALUES (?,?,?,?,?)", (user.id, purpose, int(valid_seconds), utc_now(), actor))
                waiting.add(user.id)
                queued += 1
    return queued


def outbox_counts(catalog: Catalog) -> OutboxCounts:
    waiting, sent, failed = catalog.db.execute(
        # COUNT(CASE ...) rather than SUM(condition): PostgreSQL does not add up booleans.
        "SELECT COUNT(CASE WHEN sent_at IS NULL AND failed_at IS NULL THEN 1 END),"
        " COUNT(CASE WHEN sent_at IS NOT NULL THEN 1 END), COUNT(CASE WHEN failed_at IS NOT NULL THEN 1 END)"
        " FROM outbox").fetchone()
    row = catalog.db.execute("SELECT last_error FROM outbox WHERE last_error <> '' AND sent_at IS NULL"
                             " ORDER BY id DESC LIMIT 1").fetchone()
    return OutboxCounts(waiting, sent, failed, row[0] if row else "")


def waiting_count(catalog: Catalog) -> int:
    return outbox_counts(catalog).waiting


@dataclass(frozen=True)
class _Queued:
    id: int
    user_id: int
    purpose: str
    valid_seconds: int
    attempts: int


@dataclass
class SendReport:
    sent: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (account, why it will not be sent)
    stopped: str | None = None  # why the run stopped before the queue was empty: try again later
    waiting: int = 0  # left in the queue


class _Stop(Exception):
    """The server cannot take mail now (down, busy, refusing us): stop the run, keep the queue."""


def send_waiting(catalog: Catalog, settings: MailSettings, link_for: Callable[[str], str]) -> SendReport:
    """Send every queued message over one SMTP session (a fresh one if the server hangs up between two)."""
    report = SendReport()
    smtp: smtplib.SMTP | None = None
    try:
        while pending := _waiting(catalog):  # read again at the end: more may have been queued meanwhile
            for item in pending:  # each is marked sent or failed, or _Stop ends the run
                smtp = _send_one(catalog, settings, link_for, item, smtp, report)
    except _Stop as stop:
        report.stopped = str(stop)
    finally:
        if smtp is not None:
            _quit(smtp)
    report.waiting = waiting_count(catalog)
    return report


def _waiting(catalog: Catalog) -> list[_Queued]:
    rows = catalog.db.execute("SELECT id, user_id, purpose, valid_seconds, attempts FROM outbox"
                              " WHERE sent_at IS NULL AND failed_at IS NULL ORDER BY id")
    return [_Queued(*row) for row in rows.fetchall()]


def _send_one(catalog: Catalog, settings: MailSettings, link_for: Callable[[str], str], item: _Queued,
              smtp: smtplib.SMTP | None, report: SendReport) -> smtplib.SMTP | None:
    """Send one queued message; the session to use for the next. _Stop if the server cannot take mail now."""
    user = accounts.user_by_id(catalog, item.user_id)
    reason = _not_sendable(user, item.purpose)
    if reason:
        _mark(catalog, item, failed=reason)
        report.failed.append((user.name if user else f"account {item.user_id}", reason))
        return smtp
    link = account_links.issue(catalog, user, item.purpose, item.valid_seconds)
    message = compose(settings, link, link_for(link.token))
    try:
        smtp = _deliver(settings, smtp, message)
    except smtplib.SMTPRecipientsRefused as exc:
        code, text = next(iter(exc.recipients.values()), (550, b"refused"))
    except smtplib.SMTPDataError as exc:
        code, text = exc.smtp_code, exc.smtp_error
    except (smtplib.SMTPException, OSError) as exc:
        _give_back(catalog, item, link, describe(exc))
    else:
        _mark(catalog, item, sent=True)
        report.sent += 1
        return smtp
    problem = f"the mail server refused it: {code} {_text(text)}"
    if code < 500 and item.attempts + 1 < MAX_TRIES:  # 4xx: not now; the message waits for the next run
        _give_back(catalog, item, link, problem)
    account_links.withdraw(catalog, link.token)
    _mark(catalog, item, failed=problem)
    report.failed.append((user.name, problem))
    return smtp


def _deliver(settings: MailSettings, smtp: smtplib.SMTP | None, message: EmailMessage) -> smtplib.SMTP:
    """Send over the open session; once more over a new one if the server had hung up on the old."""
    fresh = smtp is None
    if smtp is None:
        smtp = settings.connect()
    try:
        smtp.send_message(message)
    except (smtplib.SMTPServerDisconnected, ConnectionError):
        if fresh:
            raise
        _quit(smtp)
        smtp = settings.connect()
        smtp.send_message(message)
    return smtp


def _give_back(catalog: Catalog, item: _Queued, link: IssuedLink, problem: str) -> None:
    """The message was not sent: its link goes, the try is counted, and the run stops (_Stop)."""
    account_links.withdraw(catalog, link.token)
    with catalog.transaction() as db:
        db.execute("UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?", (problem, item.id))
    raise _Stop(problem)


def _text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split())


def _mark(catalog: Catalog, item: _Queued, sent: bool = False, failed: str = "") -> None:
    with catalog.transaction() as db:
        db.execute("UPDATE outbox SET attempts = attempts + 1, sent_at = ?, failed_at = ?, last_error = ?"
                   " WHERE id = ?", (utc_now() if sent else None, utc_now() if failed else None, failed, item.id))


def _not_sendable(user: User | None, purpose: str) -> str:
    if user is None:
        return "the account no longer exists"
    if user.disabled:
        return "the account is disabled"
    if not user.email:
        return "the account has no e-mail address"
    if purpose == INVITE and user.password_set:
        return "not needed: the account has a password already"
    return ""


def describe(exc: BaseException) -> str:
    """One line about an SMTP or network failure, for the log, the CLI and the admin page."""
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"the mail server answered {exc.smtp_code} {_text(exc.smtp_error)}"
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return "the mail server does not offer STARTTLS; mail is only sent encrypted"
    if isinstance(exc, ssl.SSLError):
        return f"the TLS connection to the mail server failed: {exc.reason or exc}"
    return f"the mail server could not be reached: {type(exc).__name__}: {exc}".rstrip(": ")


def _quit(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


# -- the messages ------------------------------------------------------------
def compose(settings: MailSettings, link: IssuedLink, url: str) -> EmailMessage:
    """The invitation or reset message for one account, plain text."""
    user = link.user
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = formataddr((user.name, user.email or ""))
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=parseaddr(settings.sender)[1].rpartition("@")[2] or None)
    if link.purpose == INVITE:
        message["Subject"] = f"Your account at the {ARCHIVE_NAME}"
        message.set_content(_INVITE_TEXT.format(name=user.name, url=url, expires=link.expires, home=settings.base_url))
    else:
        message["Subject"] = f"Choose a new password for the {ARCHIVE_NAME}"
        message.set_content(_RESET_TEXT.format(name=user.name, url=url, expires=link.expires))
    return message


_INVITE_TEXT = """\
Hello,

An account has been made for you at the Federation Document Archive ({home}),
where members find the federation's reports, audits, contracts and statements.

Your account name is: {name}

Open this link to choose your password (it works once, until {expires}):

{url}

If you did not expect this message, you can ignore it.
"""

_RESET_TEXT = """\
Hello,

Someone (we hope you) asked to choose a new password for the account {name}
at the Federation Document Archive.

Open this link to choose it (it works once, until {expires}):

{url}

If you did not ask for this, ignore this message: your password stays as it is.
"""
