"""`briefing mail`: errors that point at the cause — login needed, try later, wrong protocol on the port."""
# ruff: noqa: F811  (the fixtures imported from test_mail are parameters here)
from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
from aiosmtpd.smtp import AuthResult
from test_mail import Recorder, expect_error, smtp_args, smtpd, zh_pdf  # noqa: F401  (fixtures)


class Refuser(Recorder):
    def __init__(self, mail: str | None = None, rcpt: str | None = None) -> None:
        super().__init__()
        self.mail, self.rcpt = mail, rcpt

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.mail:
            return self.mail
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt:
            return self.rcpt.format(address=address)
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_authentication_required_says_log_in(smtpd, zh_pdf) -> None:
    port = smtpd(Refuser(mail="530 5.7.0 Authentication required"))
    line = expect_error(smtp_args(zh_pdf, port), zh_pdf, "requires a login", "530 5.7.0", "give --user")
    assert "--from" not in line.split(" — ")[1]


def test_relay_access_denied_on_a_login_only_port_says_log_in(smtpd, zh_pdf) -> None:
    port = smtpd(Refuser(rcpt="554 5.7.1 <{address}>: Recipient address rejected: Access denied"))
    line = expect_error(smtp_args(zh_pdf, port), zh_pdf, "requires a login", "Access denied", "give --user")
    assert "--to" not in line.split(" — ")[1]


@pytest.mark.parametrize("handler", [Refuser(mail="421 4.7.0 Try again later, closing connection"),
                                     Refuser(mail="451 4.3.0 Temporary lookup failure"),
                                     Refuser(rcpt="450 4.2.0 <{address}>: Recipient address rejected: Greylisted")])
def test_a_temporary_failure_says_try_later(smtpd, zh_pdf, handler: Refuser) -> None:
    port = smtpd(handler)
    line = expect_error(smtp_args(zh_pdf, port), zh_pdf, "temporary failure", "try again later")
    assert "rejected the sender" not in line and "check --from" not in line


def test_one_login_attempt_even_when_several_mechanisms_are_offered(smtpd, zh_pdf) -> None:
    attempts: list[str] = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        attempts.append(mechanism)
        return AuthResult(success=False, handled=False)

    port = smtpd(Recorder(), authenticator=authenticator, auth_require_tls=False)  # offers LOGIN and PLAIN
    expect_error(smtp_args(zh_pdf, port, "--user", "office"), zh_pdf, "refused the login for office", "535",
                 "one attempt", env={"BRIEFING_SMTP_PASSWORD": "wrong"})
    assert attempts == ["PLAIN"]


@pytest.fixture
def banner_server() -> Iterator:
    """Factory: banner_server(greeting) → port of a server that greets with `greeting` and then waits."""
    listeners: list[socket.socket] = []

    def start(greeting: bytes) -> int:
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.settimeout(10)

        def serve() -> None:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                if greeting:
                    conn.sendall(greeting)
                try:
                    conn.recv(1024)
                except OSError:
                    pass

        threading.Thread(target=serve, daemon=True).start()
        listeners.append(listener)
        return listener.getsockname()[1]

    yield start
    for listener in listeners:
        listener.close()


@pytest.mark.parametrize("greeting,says", [
    (b"* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE] Dovecot (Debian) ready.\r\n", "IMAP"),
    (b"+OK Dovecot (Debian) ready.\r\n", "POP3"),
])
def test_a_mail_reading_port_is_named(banner_server, zh_pdf, greeting: bytes, says: str) -> None:
    port = banner_server(greeting)
    expect_error(smtp_args(zh_pdf, port), zh_pdf, f"is an {says} server" if says == "IMAP" else f"is a {says} server",
                 "587 with --starttls", "465 with --ssl")


def test_a_silent_port_suggests_ssl(banner_server, zh_pdf) -> None:
    port = banner_server(b"")   # what a TLS-from-the-first-byte port (465) looks like to a plain client
    expect_error([*smtp_args(zh_pdf, port), "--timeout", "1"], zh_pdf, "no answer within 1 s", "use --ssl")
