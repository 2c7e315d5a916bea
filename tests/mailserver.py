"""A real SMTP server for the tests: aiosmtpd on loopback, STARTTLS required (a certificate made here),
AUTH required over TLS, every accepted message kept; failures can be switched on."""
from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
from dataclasses import dataclass, field, replace
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER, PASSWORD, SENDER = "archive", "smtp-secret-7", "Federation Archive <archive@example.org>"


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, and its key (PEM files)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    folder.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@dataclass
class Handler:
    """Keeps what arrives; `refuse` addresses get `refuse_code` at RCPT; after `fail_after` messages DATA
    answers `fail_code` (451: try later)."""

    messages: list[EmailMessage] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    fail_after: int | None = None
    fail_code: str = "451 4.3.0 Try again later"
    refuse_code: str = "550 5.1.1 No such mailbox"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse_code
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.fail_after is not None and len(self.messages) >= self.fail_after:
            return self.fail_code
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"


class MailServer:
    """Started on a free loopback port; `settings()` gives the archive's MailSettings for it. With
    tls=False it offers no STARTTLS and no AUTH: a server the archive must refuse to send to."""

    def __init__(self, folder: Path, tls: bool = True) -> None:
        self.cert, self._key = make_certificate(folder)
        self.tls = tls
        self.handler = Handler()
        self.port = _free_port()
        self.logins: list[str] = []
        self.controller: Controller | None = None

    def _controller(self) -> Controller:
        if not self.tls:
            return Controller(self.handler, hostname="127.0.0.1", port=self.port)
        server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        server_tls.load_cert_chain(self.cert, self._key)
        return Controller(self.handler, hostname="127.0.0.1", port=self.port, tls_context=server_tls,
                          require_starttls=True, auth_required=True, auth_require_tls=True,
                          authenticator=self._authenticate)

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode() \
            and auth_data.password == PASSWORD.encode()
        if ok:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok, handled=False)

    @property
    def messages(self) -> list[EmailMessage]:
        return self.handler.messages

    @property
    def url(self) -> str:
        return f"smtp://{USER}@127.0.0.1:{self.port}"

    def env(self, base_url: str) -> dict[str, str]:
        """The environment variables that point the archive at this server."""
        return {"ARCHIVE_SMTP_URL": self.url, "ARCHIVE_SMTP_PASSWORD": PASSWORD, "ARCHIVE_MAIL_FROM": SENDER,
                "ARCHIVE_BASE_URL": base_url, "SSL_CERT_FILE": str(self.cert)}

    def settings(self, base_url: str = "https://archive.example.org"):
        from archive.mail import settings_from

        return replace(settings_from(self.env(base_url)), timeout=10.0,
                       tls_context=ssl.create_default_context(cafile=str(self.cert)))

    def start(self) -> "MailServer":
        """Listen (again: a stopped server can be started on the same port)."""
        self.controller = self._controller()
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def link_in(message: EmailMessage) -> str:
    """The one-time link in an invitation or reset message."""
    body = message.get_body(("plain",)).get_content()
    return next(word for word in body.split() if "/password/" in word)
