"""Delivery: atomic file writes (and, below, e-mail). Imports none of the layout stages."""
from __future__ import annotations

# --------------------------------------------------------------------------------------------------
# E-mail: read a briefing PDF's title and language, build a MIME message, write it as .eml or send it
# over SMTP. Every failure a user can cause becomes a one-line DeliveryError; the PDFs are only read.
# --------------------------------------------------------------------------------------------------
# (imported here, with the e-mail half, so the part above stays as it was)
import hashlib
import io
import logging
import os
import re
import smtplib
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy as email_policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid
from pathlib import Path
from typing import Literal

from .errors import DeliveryError, OutputError

# `atomic_write` lives in briefing/outputs.py with the other output-path safety checks; `briefing build`
# imports it from here.
from .outputs import atomic_write

log = logging.getLogger(__name__)

MAIL = "briefing mail"                 # the `where` of every mail error, as the user typed the command
DEFAULT_MAX_SIZE = 10 * 1024 * 1024    # 10 MB, binary megabytes (see docs/mail.md)
DEFAULT_TIMEOUT = 30.0                 # seconds, per network operation
PDF_MAGIC_WINDOW = 1024                # readers accept junk before %PDF- within the first 1 KB

Lang = Literal["zh", "en"]
Security = Literal["plain", "starttls", "ssl"]


def _err(what: str, fix: str) -> DeliveryError:
    return DeliveryError(what, fix, MAIL)


# ---- the PDFs --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PdfAttachment:
    """One PDF to attach: its bytes and what the cover note says about it."""

    path: Path
    data: bytes
    title: str
    lang: Lang

    @property
    def filename(self) -> str:
        return self.path.name


def load_pdf(path: str | os.PathLike) -> PdfAttachment:
    """Read a PDF (never writing to it) and its title and language, with tolerant fallbacks."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise _err(f"cannot read {p}: no such file", "check the PDF path") from None
    except IsADirectoryError:
        raise _err(f"cannot read {p}: it is a folder", "give the path of a PDF file") from None
    except PermissionError:
        raise _err(f"cannot read {p}: permission denied", "check the file's permissions") from None
    except OSError as e:
        raise _err(f"cannot read {p}: {e.strerror or e}", "check the PDF path") from None
    if b"%PDF-" not in data[:PDF_MAGIC_WINDOW]:
        what = "the file is empty" if not data else "not a PDF (no %PDF- header)"
        raise _err(f"cannot attach {p}: {what}", "give the PDF that `briefing build` wrote")
    title, lang = pdf_title_and_lang(data, fallback_title=p.stem)
    return PdfAttachment(p, data, title, lang)


def _has_han(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in text)


def _lang_of(tag: object) -> Lang | None:
    """Map a BCP 47 tag ('zh-CN', 'zh-Hans', 'en-GB') to the two languages we write notes in."""
    if not isinstance(tag, str) or not tag.strip():
        return None
    return "zh" if tag.strip().lower().replace("_", "-").split("-")[0] == "zh" else "en"


# Placeholder titles PDF producers write when none was set (ReportLab: "untitled"): not worth a subject.
_NO_TITLE = {"untitled", "unspecified", "untitled document", "(anonymous)"}


def _clean(text: object) -> str | None:
    if not isinstance(text, str):
        return None
    text = " ".join(text.split())
    return text if text and text.lower() not in _NO_TITLE else None


def pdf_title_and_lang(data: bytes, fallback_title: str) -> tuple[str, Lang]:
    """Title: XMP dc:title, else Info /Title, else `fallback_title`.
    Language: catalog /Lang, else XMP dc:language, else Chinese if the title has Han characters, else English.
    """
    title: str | None = None
    lang: Lang | None = None
    try:
        import pypdf  # a runtime dependency; imported here so building PDFs never pays for it

        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            reader.decrypt("")  # metadata of owner-password-only files is readable this way
        title, lang = _xmp_title_and_lang(reader)
        if title is None:
            title = _clean(reader.metadata.title if reader.metadata else None)
        catalog_lang = reader.trailer["/Root"].get("/Lang")
        lang = _lang_of(catalog_lang.get_object() if catalog_lang is not None else None) or lang
    except Exception as e:  # noqa: BLE001 — a damaged PDF is still sent; only the cover note degrades
        log.warning("%s: cannot read the PDF's metadata (%s); using the file name as title", MAIL, e)
    title = title or " ".join(fallback_title.split()) or "briefing"
    return title, lang or ("zh" if _has_han(title) else "en")


def _xmp_title_and_lang(reader: object) -> tuple[str | None, Lang | None]:
    try:
        xmp = reader.xmp_metadata  # type: ignore[attr-defined]
        if xmp is None:
            return None, None
        titles = xmp.dc_title or {}
        title = _clean(titles.get("x-default")) or next((_clean(t) for t in titles.values() if _clean(t)), None)
        langs = xmp.dc_language or []
        return title, _lang_of(langs[0]) if langs else None
    except Exception as e:  # noqa: BLE001 — malformed XMP: fall back to the Info dictionary
        log.debug("unreadable XMP metadata: %s", e)
        return None, None


# ---- sizes -----------------------------------------------------------------------------------------

_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "kib": 1024, "m": 1024**2, "mb": 1024**2, "mib": 1024**2,
          "g": 1024**3, "gb": 1024**3, "gib": 1024**3}


def parse_size(text: str) -> int:
    """'10MB', '500KB', '1.5 MB', '123456' → bytes. KB/MB/GB are binary (1024-based)."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*", text or "")
    if not m or m.group(2).lower() not in _UNITS:
        raise _err(f"--max-size {text!r} is not a size", "write it like 10MB, 500KB or 2000000 (bytes)")
    size = int(float(m.group(1)) * _UNITS[m.group(2).lower()])
    if size <= 0:
        raise _err(f"--max-size {text!r} must be more than zero", "write it like 10MB or 500KB")
    return size


def format_size(n: int, lang: Lang = "en") -> str:
    if n < 1024:
        return f"{n} 字节" if lang == "zh" else f"{n} bytes"
    scale, unit = (1024, "KB") if n < 1024**2 else (1024**2, "MB")
    value = n / scale
    # One decimal below 10, so 1.3 KB and 1 KB do not both read "1 KB".
    text = f"{value:.1f}" if value < 10 else f"{value:.0f}"
    return f"{text.removesuffix('.0')} {unit}"


def check_size(attachments: list[PdfAttachment], limit: int) -> None:
    total = sum(len(a.data) for a in attachments)
    if total <= limit:
        return
    over = f"{format_size(total)} ({total} bytes), over the {format_size(limit)} limit ({limit} bytes)"
    if len(attachments) == 1:
        what = f"{attachments[0].path} is {over}"
    else:
        what = f"the {len(attachments)} PDFs total {over}"
    raise _err(what, "send a smaller PDF or raise --max-size (if the mail server accepts it)")


# ---- addresses -------------------------------------------------------------------------------------

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ADDR_SPEC = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})*")


def parse_addresses(values: list[str], option: str) -> list[Address]:
    """Each value may be 'a@x.org', 'Name <a@x.org>' or a comma-separated list of those."""
    out: list[Address] = []
    for value in values:
        pairs = getaddresses([value])
        if not value.strip() or not pairs:
            raise _err(f"{option} is empty", "give an address like name@example.org")
        for name, spec in pairs:
            if not _ADDR_SPEC.fullmatch(spec):
                hint = ("non-ASCII addresses are not supported; use the ASCII (punycode) form"
                        if not spec.isascii() else "write it like name@example.org or 'Name <name@example.org>'")
                raise _err(f"{option} {value!r} is not an e-mail address", hint)
            out.append(Address(display_name=name, addr_spec=spec))
    return out


# ---- the cover note ----------------------------------------------------------------------------------

def cover_note(attachments: list[PdfAttachment]) -> tuple[str, str]:
    """Default subject and body in the language of the first PDF."""
    first = attachments[0]
    if first.lang == "zh":
        items = "、".join(f"《{a.title}》（PDF，{format_size(len(a.data), 'zh')}）" for a in attachments)
        subject = first.title if len(attachments) == 1 else f"{first.title} 等 {len(attachments)} 份文件"
        return subject, f"您好：\n\n附件为{items}，请查收。\n\n此致\n敬礼\n"
    items_en = [f"“{a.title}” (PDF, {format_size(len(a.data))})" for a in attachments]
    listed = items_en[0] if len(items_en) == 1 else ", ".join(items_en[:-1]) + " and " + items_en[-1]
    subject = first.title if len(attachments) == 1 else f"{first.title} and {len(attachments) - 1} more"
    return subject, f"Hello,\n\nPlease find attached {listed}.\n\nBest regards\n"


# ---- the message -------------------------------------------------------------------------------------

def source_date_epoch(env: Mapping[str, str]) -> int | None:
    raw = env.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise _err(f"SOURCE_DATE_EPOCH={raw!r} is not a whole number of seconds",
                   "set it to a Unix time like 1735689600, or unset it")
    return int(raw)


def build_message(attachments: list[PdfAttachment], sender: Address, to: list[Address], cc: list[Address],
                  subject: str, body: str, epoch: int | None = None) -> EmailMessage:
    """A multipart/mixed message: the text note, then each PDF as application/pdf.

    With `epoch` (from SOURCE_DATE_EPOCH) the Date, Message-ID and MIME boundary depend only on the
    inputs, so the same PDFs and options give byte-identical .eml files.
    """
    msg = EmailMessage(policy=email_policy.SMTP)
    msg["From"] = sender
    msg["To"] = to
    if cc:
        msg["Cc"] = cc
    msg["Subject"] = " ".join(subject.split())
    when = datetime.fromtimestamp(epoch, UTC) if epoch is not None else datetime.now().astimezone()
    msg["Date"] = format_datetime(when)
    digest = _digest(attachments, sender, to, cc, subject, body, epoch)
    domain = sender.domain or "localhost"
    msg["Message-ID"] = f"<{digest[:32]}@{domain}>" if epoch is not None else make_msgid("briefing", domain)
    # base64 keeps a Chinese note 7-bit clean for servers without 8BITMIME.
    msg.set_content(body, cte="7bit" if body.isascii() else "base64")
    for a in attachments:
        # Content-Type name= as well as the disposition's filename=, for mail programs that only look
        # at one of them; the SMTP policy encodes both per RFC 2231 (filename*=utf-8''%E7%84%A6...).
        msg.add_attachment(a.data, maintype="application", subtype="pdf", filename=a.filename,
                           params={"name": a.filename})
        del msg.get_payload()[-1]["MIME-Version"]  # add_attachment copies it into the part; it belongs on the top only
    # '=_' never occurs in base64 or quoted-printable text, so this boundary cannot collide with a part.
    msg.set_boundary(f"=_briefing_{digest[32:56]}")
    return msg


def _digest(attachments: list[PdfAttachment], sender: Address, to: list[Address], cc: list[Address],
            subject: str, body: str, epoch: int | None) -> str:
    h = hashlib.sha256()
    for piece in [str(epoch), str(sender), *map(str, to), "|", *map(str, cc), subject, body]:
        h.update(piece.encode("utf-8") + b"\0")
    for a in attachments:
        h.update(a.filename.encode("utf-8") + b"\0" + hashlib.sha256(a.data).digest())
    if epoch is None:
        h.update(os.urandom(16))  # not reproducible anyway: keep Message-ID/boundary unique
    return h.hexdigest()


def message_bytes(msg: EmailMessage) -> bytes:
    return msg.as_bytes(policy=email_policy.SMTP)


def write_eml(path: str | os.PathLike, msg: EmailMessage) -> None:
    try:
        atomic_write(path, message_bytes(msg))
    except OutputError as e:
        raise _err(f"cannot write {path}: {e.what}", "choose a writable path for --eml") from None


# ---- SMTP --------------------------------------------------------------------------------------------

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


_DEFAULT_PORTS: dict[Security, int] = {"plain": 25, "starttls": 587, "ssl": 465}


def parse_hostport(text: str, security: Security) -> tuple[str, int]:
    """'smtp.example.org:587', '[::1]:25' or a bare host (port 25, 587 with --starttls, 465 with --ssl)."""
    m = re.fullmatch(r"\[([0-9A-Fa-f:.]+)\](?::(\d+))?|([^\s:\[\]]+)(?::(\d+))?", text.strip())
    if not m:
        raise _err(f"--smtp {text!r} is not HOST:PORT", "write it like smtp.example.org:587")
    host = m.group(1) or m.group(3)
    port_text = m.group(2) or m.group(4)
    port = int(port_text) if port_text else _DEFAULT_PORTS[security]
    if not 0 < port < 65536:
        raise _err(f"--smtp port {port} is out of range", "use a port between 1 and 65535, e.g. 587")
    return host, port


def send_message(msg: EmailMessage, target: SmtpTarget) -> None:
    """Send `msg` to all its To/Cc recipients; raise DeliveryError naming the stage that failed."""
    sender = msg["From"].addresses[0].addr_spec
    recipients = [a.addr_spec for field in ("To", "Cc") if msg[field] for a in msg[field].addresses]
    data = message_bytes(msg)
    stage = "connect"
    client: smtplib.SMTP | None = None
    try:
        context = ssl.create_default_context()
        if target.security == "ssl":
            client = smtplib.SMTP_SSL(target.host, target.port, timeout=target.timeout, context=context)
        else:
            client = smtplib.SMTP(target.host, target.port, timeout=target.timeout)
        if target.security == "starttls":
            stage = "starttls"
            client.starttls(context=context)
        if target.user:
            stage = "login"
            if target.security == "plain":
                log.warning("%s: logging in to %s without TLS; the password crosses the network in clear "
                            "(use --starttls or --ssl)", MAIL, target.where)
            client.login(target.user, target.password or "")
        stage = "send"
        refused = client.sendmail(sender, recipients, data)
    except (smtplib.SMTPException, OSError) as e:
        raise _explain(e, stage, target) from None
    finally:
        if client is not None:
            _quit_quietly(client)
    if refused:
        # Some recipients got it; still an error, so scripts notice the ones that did not.
        bad = "; ".join(f"{addr}: {_reply(code, text)}" for addr, (code, text) in refused.items())
        raise _err(f"sent, but the server rejected {bad}", "check those addresses and send to them again")


def _quit_quietly(client: smtplib.SMTP) -> None:
    # The message is already accepted (or the error reported); a rude QUIT must not change the outcome.
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(text.split())}".strip()


_STAGE_WORDS = {"connect": "while connecting", "starttls": "during STARTTLS", "login": "during login",
                "send": "while sending the message"}


def _explain(e: BaseException, stage: str, t: SmtpTarget) -> DeliveryError:
    """Turn an smtplib/socket/ssl exception into one line that says what happened and what to do."""
    at = t.where
    check = "check --smtp HOST:PORT and that the server is up"
    if isinstance(e, smtplib.SMTPRecipientsRefused):
        bad = "; ".join(f"{addr}: {_reply(c, m)}" for addr, (c, m) in e.recipients.items())
        return _err(f"{at} rejected the recipient {bad}", "check the --to/--cc addresses")
    if isinstance(e, smtplib.SMTPSenderRefused):
        if e.smtp_code == 552:
            return _err(f"{at} refused the message as too large: {_reply(e.smtp_code, e.smtp_error)}",
                        "send a smaller PDF")
        return _err(f"{at} rejected the sender {e.sender}: {_reply(e.smtp_code, e.smtp_error)}",
                    "check --from (many servers only accept the address of the --user you log in as)")
    if isinstance(e, smtplib.SMTPAuthenticationError):
        return _err(f"{at} refused the login for {t.user}: {_reply(e.smtp_code, e.smtp_error)}",
                    "check --user and the password in BRIEFING_SMTP_PASSWORD")
    if isinstance(e, smtplib.SMTPDataError):
        return _err(f"{at} refused the message: {_reply(e.smtp_code, e.smtp_error)}",
                    "read the server's reason; it may be size, content or rate limits")
    if isinstance(e, smtplib.SMTPNotSupportedError):
        if stage == "starttls":
            return _err(f"{at} does not offer STARTTLS", "use --ssl (usually port 465) or ask the mail admin")
        return _err(f"{at} does not offer login (no AUTH)",
                    "use --starttls or --ssl (servers offer AUTH only over TLS), or drop --user")
    if isinstance(e, smtplib.SMTPServerDisconnected) and isinstance(e.__context__, TimeoutError):
        e = e.__context__  # smtplib reports a reply that never came as a disconnect; say it was a timeout
    if isinstance(e, smtplib.SMTPServerDisconnected):
        if stage == "send":
            return _err(f"{at} dropped the connection while sending the message; it was probably not "
                        "delivered", "try again; if it keeps happening the server may limit message size")
        return _err(f"{at} closed the connection {_STAGE_WORDS[stage]}",
                    f"{check}; use --ssl for port 465 and --starttls for port 587")
    if isinstance(e, smtplib.SMTPResponseException):
        return _err(f"{at} answered {_reply(e.smtp_code, e.smtp_error)} {_STAGE_WORDS[stage]}",
                    "read the server's reason and try again")
    if isinstance(e, ssl.SSLCertVerificationError):
        return _err(f"{at}: the server's TLS certificate is not trusted ({e.verify_message})",
                    "check the host name in --smtp; for a private CA set SSL_CERT_FILE")
    if isinstance(e, ssl.SSLError):
        reason = str(e.reason or e).replace("_", " ").lower()
        if reason == "wrong version number":  # the classic sign of TLS spoken to a plain-text port
            reason += ", the server does not speak TLS on this port"
        return _err(f"TLS with {at} failed: {reason}",
                    "use --ssl only for implicit-TLS ports (465) and --starttls for 587")
    if isinstance(e, socket.gaierror):
        return _err(f"cannot connect to {at}: unknown host {t.host}", "check the host name in --smtp")
    if isinstance(e, TimeoutError):
        if stage == "connect":
            return _err(f"cannot connect to {at}: no answer within {t.timeout:g} s", f"{check} (or raise --timeout)")
        return _err(f"{at} stopped answering {_STAGE_WORDS[stage]} (timeout {t.timeout:g} s)",
                    "try again later or raise --timeout")
    if isinstance(e, ConnectionRefusedError):
        return _err(f"cannot connect to {at}: connection refused", check)
    if isinstance(e, (ConnectionResetError, BrokenPipeError)) and stage != "connect":
        return _err(f"{at} dropped the connection {_STAGE_WORDS[stage]}; the message was probably not "
                    "delivered", "try again")
    if isinstance(e, OSError):
        reason = (e.strerror or str(e) or type(e).__name__).lower()
        return _err(f"cannot connect to {at}: {reason}" if stage == "connect"
                    else f"network error with {at} {_STAGE_WORDS[stage]}: {reason}", check)
    return _err(f"mail to {at} failed {_STAGE_WORDS[stage]}: {e}", "try again")
