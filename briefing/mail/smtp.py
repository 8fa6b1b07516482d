"""SMTP: one connection for many messages, one login attempt per run, replies turned into hints.

`SmtpSession` connects (plain, STARTTLS or TLS from the first byte), logs in once with one mechanism (a
wrong password is never tried twice), then sends each message as its own transaction and reports what
happened as a `Sent` value: accepted, rejected (permanent 5xx), temporary (4xx, retry later) or, when the
connection broke, `SessionLost` with whether the message may have arrived. Everything that stops the whole
run (cannot connect, TLS, login) is a one-line `DeliveryError` whose hint names the likely cause.
"""
from __future__ import annotations

import logging
import re
import smtplib
import socket
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage

from ..errors import DeliveryError
from .common import MAIL, Security, check_text, err
from .message import message_bytes

log = logging.getLogger("briefing.mail")

DEFAULT_TIMEOUT = 30.0                 # seconds, per network operation
DEFAULT_PORTS: dict[Security, int] = {"plain": 25, "starttls": 587, "ssl": 465}
PASSWORD_VAR = "BRIEFING_SMTP_PASSWORD"
LOGIN_FIX = f"give --user (or user in mail.toml) to log in; the password comes from {PASSWORD_VAR}"


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    security: Security = "plain"
    user: str | None = None
    password: str | None = None
    timeout: float = DEFAULT_TIMEOUT

    @property
    def where(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def parse_hostport(text: str, security: Security, option: str = "--smtp") -> tuple[str, int]:
    """'smtp.example.org:587', '[::1]:25' or a bare host (port 25, 587 with --starttls, 465 with --ssl)."""
    check_text(text, f"{option} {text!r}")
    m = re.fullmatch(r"\[([0-9A-Fa-f:.]+)\](?::(\d+))?|([^\s:\[\]]+)(?::(\d+))?", text.strip())
    if not m:
        raise err(f"{option} {text!r} is not HOST:PORT", "write it like smtp.example.org:587")
    host = m.group(1) or m.group(3)
    port_text = m.group(2) or m.group(4)
    port = int(port_text) if port_text else DEFAULT_PORTS[security]
    if not 0 < port < 65536:
        raise err(f"{option} port {port} is out of range", "use a port between 1 and 65535, e.g. 587")
    return host, port


def reply_text(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(text.split())}".strip()


# ---- what a send did ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Sent:
    """Outcome of one message. status: accepted | rejected (5xx, permanent) | temporary (4xx)."""

    status: str
    reply: str
    stage: str = "data"                       # where a refusal came: mail | rcpt | data
    refused: dict[str, str] = field(default_factory=dict)   # other recipients the server refused
    who: str = ""                             # the recipient a rcpt-stage refusal is about

    @property
    def accepted(self) -> bool:
        return self.status == "accepted"


class SessionLost(DeliveryError):
    """The connection broke. `maybe_delivered`: it broke after the whole message was sent, before the
    server confirmed it, so the message may or may not have arrived."""

    def __init__(self, what: str, fix: str, maybe_delivered: bool) -> None:
        super().__init__(what, fix, MAIL)
        self.maybe_delivered = maybe_delivered


# ---- the connection -------------------------------------------------------------------------------------------

class _Peeking:
    """Keeps the first bytes a server sends, so an IMAP or POP3 greeting can be recognised."""

    banner: bytes = b""

    def _get_socket(self, host, port, timeout):  # type: ignore[no-untyped-def]
        sock = super()._get_socket(host, port, timeout)  # type: ignore[misc]
        try:
            self.banner = sock.recv(200, socket.MSG_PEEK)
        except ValueError:          # TLS sockets cannot peek; the reply text is used instead
            pass
        return sock


class _SMTP(_Peeking, smtplib.SMTP):
    pass


class _SMTP_SSL(_Peeking, smtplib.SMTP_SSL):
    pass


_FOREIGN = [(re.compile(rb"^\* (OK|PREAUTH)|IMAP4", re.IGNORECASE), "an IMAP server (reading mail), not SMTP"),
            (re.compile(rb"^\+OK"), "a POP3 server (reading mail), not SMTP"),
            (re.compile(rb"^SSH-"), "an SSH server, not SMTP"),
            (re.compile(rb"^HTTP/"), "a web server, not SMTP")]


def _foreign(banner: bytes) -> str | None:
    for pattern, what in _FOREIGN:
        if pattern.search(banner):
            return what
    return None


def _login_needed(code: int, text: str) -> bool:
    """A refusal that means "log in first" (530, Postfix's 'Relay access denied', 'Access denied', …)."""
    low = text.lower()
    return code == 530 or " 5.7.0 " in f" {low} " or any(
        k in low for k in ("authentication required", "auth required", "relay access denied", "access denied",
                           "not authenticated", "must authenticate", "authenticate first", "login first",
                           "relaying denied", "relay not permitted"))


class SmtpSession:
    """One SMTP connection used for many messages; reconnects on request, logs in once per run."""

    def __init__(self, target: SmtpTarget) -> None:
        self.target = target
        self.client: smtplib.SMTP | None = None
        self.logged_in_once = False

    # -- connecting -----------------------------------------------------------------------------------------
    def open(self) -> None:
        t = self.target
        stage = "connect"
        if t.port == 465 and t.security != "ssl":
            log.warning("%s: port 465 normally expects TLS from the first byte; without --ssl the server may "
                        "never answer", MAIL)
        try:
            context = ssl.create_default_context()
            # Made in two steps so that the greeting is kept even when the constructor's connect() fails.
            if t.security == "ssl":
                self.client = _SMTP_SSL.__new__(_SMTP_SSL)
                self.client.__init__(t.host, t.port, timeout=t.timeout, context=context)  # type: ignore[misc]
            else:
                self.client = _SMTP.__new__(_SMTP)
                self.client.__init__(t.host, t.port, timeout=t.timeout)  # type: ignore[misc]
            self.client.ehlo_or_helo_if_needed()
            if t.security == "starttls":
                stage = "starttls"
                self.client.starttls(context=context)
                self.client.ehlo()
            if t.user:
                stage = "login"
                self._login()
        except DeliveryError:
            self.close()
            raise
        except (smtplib.SMTPException, OSError) as e:
            banner = getattr(self.client, "banner", b"") if self.client else b""
            self.close()
            raise explain(e, stage, t, banner) from None

    def _login(self) -> None:
        t, c = self.target, self.client
        assert c is not None and t.user
        if not c.has_extn("auth"):
            raise err(f"{t.where} does not offer login (no AUTH)",
                      "use --starttls or --ssl (servers offer AUTH only over TLS), or drop --user")
        offered = c.esmtp_features["auth"].upper().split()
        mechanism = next((m for m in ("PLAIN", "LOGIN", "CRAM-MD5") if m in offered), None)
        if mechanism is None:
            raise err(f"{t.where} offers no login method this tool knows ({' '.join(offered)})",
                      "ask the mail admin for PLAIN or LOGIN over TLS")
        if t.security == "plain":
            log.warning("%s: logging in to %s without TLS; the password crosses the network in clear "
                        "(use --starttls or --ssl)", MAIL, t.where)
        c.user, c.password = t.user, t.password or ""
        handler = getattr(c, "auth_" + mechanism.lower().replace("-", "_"))
        # One attempt, one mechanism: smtplib's login() would try every offered mechanism in turn, so a
        # wrong password counted as several failed logins (and can lock the account).
        c.auth(mechanism, handler, initial_response_ok=True)
        self.logged_in_once = True

    def close(self) -> None:
        client, self.client = self.client, None
        if client is None:
            return
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()

    # -- sending ---------------------------------------------------------------------------------------------
    def send(self, sender: str, recipients: list[str], data: bytes, primary: str | None = None) -> Sent:
        """One transaction. A refusal of `primary` (or of every recipient) sends nothing to anyone.

        Raises SessionLost when the connection breaks (`maybe_delivered` once the whole message was sent).
        """
        if self.client is None:
            self.open()
        c = self.client
        assert c is not None
        sent_all = False
        try:
            options = [f"SIZE={len(data)}"] if c.does_esmtp and c.has_extn("size") else []
            code, text = c.mail(sender, options)
            if code != 250:
                return self._refused(code, text, "mail")
            refused: dict[str, str] = {}
            for rcpt in recipients:
                code, text = c.rcpt(rcpt)
                if code == 421:
                    return self._refused(code, text, "rcpt")
                if code not in (250, 251):
                    refused[rcpt] = reply_text(code, text)
            key = primary if primary in refused else (recipients[0] if len(refused) == len(recipients) else None)
            if key is not None:
                self._rset()
                code = int(refused[key][:3])
                return Sent("temporary" if 400 <= code < 500 else "rejected", refused[key], "rcpt",
                            {r: why for r, why in refused.items() if r != key}, who=key)
            code, text = c.docmd("DATA")
            if code != 354:
                return self._refused(code, text, "data")
            payload = re.sub(rb"(?m)^\.", b"..", data)
            if not payload.endswith(b"\r\n"):
                payload += b"\r\n"
            c.send(payload + b".\r\n")
            sent_all = True
            code, text = c.getreply()
            if code != 250:
                return self._refused(code, text, "data")
            return Sent("accepted", reply_text(code, text), "data", refused)
        except (smtplib.SMTPServerDisconnected, OSError) as e:
            self._drop()
            raise self._lost(e, sent_all) from None
        except smtplib.SMTPException as e:
            self._drop()
            raise explain(e, "send", self.target) from None

    def _refused(self, code: int, text: bytes | str, stage: str) -> Sent:
        reply = reply_text(code, text)
        if code == 421 or code < 0:   # the server is closing the connection
            self._drop()
            raise SessionLost(f"{self.target.where} answered with a temporary failure and closed the connection: "
                              f"{reply}", "try again later", maybe_delivered=False)
        if stage != "data" or code >= 400:
            self._rset()
        return Sent("temporary" if 400 <= code < 500 else "rejected", reply, stage)

    def _rset(self) -> None:
        try:
            if self.client is not None:
                self.client.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def _drop(self) -> None:
        client, self.client = self.client, None
        if client is not None:
            client.close()

    def _lost(self, e: BaseException, sent_all: bool) -> SessionLost:
        at, t = self.target.where, self.target
        if isinstance(e, smtplib.SMTPServerDisconnected) and isinstance(e.__context__, TimeoutError):
            e = e.__context__
        if isinstance(e, TimeoutError):
            return SessionLost(f"{at} stopped answering while sending the message (timeout {t.timeout:g} s)",
                               "try again later or raise --timeout", maybe_delivered=sent_all)
        if sent_all:
            return SessionLost(f"{at} dropped the connection while sending the message, before confirming "
                               "it; it may or may not have arrived",
                               "try again (a list rerun reuses the Message-ID, so a copy that did arrive shows "
                               "once); if it keeps happening the server may limit message size",
                               maybe_delivered=True)
        return SessionLost(f"{at} dropped the connection while sending the message; it was not delivered",
                           "try again; if it keeps happening the server may limit message size",
                           maybe_delivered=False)


def send_message(msg: EmailMessage, target: SmtpTarget, bcc: list[str] | None = None) -> None:
    """Send one message to its To/Cc (and `bcc`) recipients; raise DeliveryError with a hint on failure."""
    sender = msg["From"].addresses[0].addr_spec
    recipients = [a.addr_spec for f in ("To", "Cc") if msg[f] for a in msg[f].addresses] + list(bcc or [])
    session = SmtpSession(target)
    session.open()
    try:
        result = session.send(sender, recipients, message_bytes(msg))
    finally:
        session.close()
    if result.accepted:
        if result.refused:
            bad = "; ".join(f"{a}: {why}" for a, why in result.refused.items())
            raise err(f"sent, but the server rejected {bad}", "check those addresses and send to them again")
        return
    raise refusal_error(result, target, sender)


def refusal_error(result: Sent, t: SmtpTarget, sender: str) -> DeliveryError:
    """The one-line error for a message the server did not take, with the likely cause."""
    at, reply = t.where, result.reply
    code = int(reply[:3]) if reply[:3].isdigit() else 0
    if 400 <= code < 500:
        return err(f"{at} answered with a temporary failure: {reply}",
                   "try again later (the server asked to retry; nothing is wrong with the message)")
    if not t.user and _login_needed(code, reply):
        return err(f"{at} requires a login before it relays mail: {reply}", LOGIN_FIX)
    if result.stage == "mail":
        if code == 552:
            return err(f"{at} refused the message as too large: {reply}", "send a smaller PDF")
        return err(f"{at} rejected the sender {sender}: {reply}",
                   "check --from (many servers only accept the address of the --user you log in as)")
    if result.stage == "rcpt":
        others = "".join(f"; {a}: {why}" for a, why in result.refused.items())
        return err(f"{at} rejected the recipient {result.who}: {reply}{others}", "check the --to/--cc addresses")
    if code == 552:
        return err(f"{at} refused the message as too large: {reply}", "send a smaller PDF")
    return err(f"{at} refused the message: {reply}",
               "read the server's reason; it may be size, content or rate limits")


_STAGE_WORDS = {"connect": "while connecting", "starttls": "during STARTTLS", "login": "during login",
                "send": "while sending the message"}


def explain(e: BaseException, stage: str, t: SmtpTarget, banner: bytes = b"") -> DeliveryError:
    """Turn an smtplib/socket/ssl exception into one line that says what happened and what to do."""
    at = t.where
    check = "check --smtp HOST:PORT and that the server is up"
    tls_hint = "use --ssl for a port that expects TLS from the start (465), --starttls for 587"
    foreign = _foreign(banner) or (_foreign(e.smtp_error) if isinstance(e, smtplib.SMTPResponseException)
                                   and isinstance(e.smtp_error, bytes) else None)
    if foreign and stage == "connect":
        return err(f"{at} is {foreign}",
                   "use the mail server's SMTP submission port: 587 with --starttls, or 465 with --ssl")
    if isinstance(e, smtplib.SMTPAuthenticationError):
        return err(f"{at} refused the login for {t.user}: {reply_text(e.smtp_code, e.smtp_error)}",
                   f"check --user and the password in {PASSWORD_VAR} (one attempt was made)")
    if isinstance(e, smtplib.SMTPNotSupportedError):
        if stage == "starttls":
            return err(f"{at} does not offer STARTTLS", "use --ssl (usually port 465) or ask the mail admin")
        return err(f"{at} does not offer login (no AUTH)",
                   "use --starttls or --ssl (servers offer AUTH only over TLS), or drop --user")
    if isinstance(e, smtplib.SMTPServerDisconnected) and isinstance(e.__context__, TimeoutError):
        e = e.__context__  # smtplib reports a reply that never came as a disconnect; say it was a timeout
    if isinstance(e, smtplib.SMTPServerDisconnected):
        return err(f"{at} closed the connection {_STAGE_WORDS[stage]}", f"{check}; {tls_hint}")
    if isinstance(e, smtplib.SMTPResponseException):
        reply = reply_text(e.smtp_code, e.smtp_error)
        if stage == "connect" and e.smtp_code < 0:
            return err(f"{at} did not answer like an SMTP server ({reply.lstrip('-1 ')!r})",
                       f"{check}; {tls_hint}")
        if 400 <= e.smtp_code < 500:
            return err(f"{at} answered with a temporary failure {_STAGE_WORDS[stage]}: {reply}",
                       "try again later")
        return err(f"{at} answered {reply} {_STAGE_WORDS[stage]}", "read the server's reason and try again")
    if isinstance(e, ssl.SSLCertVerificationError):
        return err(f"{at}: the server's TLS certificate is not trusted ({e.verify_message})",
                   "check the host name in --smtp; for a private CA set SSL_CERT_FILE")
    if isinstance(e, ssl.SSLError):
        reason = str(e.reason or e).replace("_", " ").lower()
        if reason == "wrong version number":  # the classic sign of TLS spoken to a plain-text port
            reason += ", the server does not speak TLS on this port"
        return err(f"TLS with {at} failed: {reason}",
                   "use --ssl only for implicit-TLS ports (465) and --starttls for 587")
    if isinstance(e, socket.gaierror):
        return err(f"cannot connect to {at}: unknown host {t.host}", "check the host name in --smtp")
    if isinstance(e, TimeoutError):
        if stage == "connect":
            if t.security != "ssl":
                return err(f"cannot connect to {at}: no answer within {t.timeout:g} s",
                           f"if this port expects TLS from the first byte (465), use --ssl; otherwise {check} "
                           "(or raise --timeout)")
            return err(f"cannot connect to {at}: no answer within {t.timeout:g} s", f"{check} (or raise --timeout)")
        return err(f"{at} stopped answering {_STAGE_WORDS[stage]} (timeout {t.timeout:g} s)",
                   "try again later or raise --timeout")
    if isinstance(e, ConnectionRefusedError):
        return err(f"cannot connect to {at}: connection refused", check)
    if isinstance(e, (ConnectionResetError, BrokenPipeError)) and stage != "connect":
        return err(f"{at} dropped the connection {_STAGE_WORDS[stage]}", f"try again; {tls_hint}")
    if isinstance(e, OSError):
        reason = (e.strerror or str(e) or type(e).__name__).lower()
        return err(f"cannot connect to {at}: {reason}" if stage == "connect"
                   else f"network error with {at} {_STAGE_WORDS[stage]}: {reason}", check)
    return err(f"mail to {at} failed {_STAGE_WORDS[stage]}: {e}", "try again")
