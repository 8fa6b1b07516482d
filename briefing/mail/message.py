"""Building the e-mail: cover note, wrapped text body, attachments whose Chinese names survive old readers.

- The body is `text/plain; charset=utf-8; format=flowed; delsp=yes` (RFC 3676), wrapped at 78 columns
  (a Chinese character counts two): at spaces in English, between characters in Chinese (not before
  `，。）》”` and the like, not after `（《“`). A token that cannot wrap (a long web address) keeps its line,
  and the part is then quoted-printable, so no transport line exceeds 76 characters either way.
- Attachment names: `Content-Disposition: attachment; filename*=utf-8''%E7…` (RFC 2231, continued over
  several lines when long) and `Content-Type: application/pdf; name="=?utf-8?b?…?="` (RFC 2047 words, for
  readers that do not know RFC 2231). A plain and a starred form of the same parameter are never both
  written: ripmime joins them into one wrong name.
- `Date` is now and `Message-ID` unique, except for `.eml` files written with SOURCE_DATE_EPOCH set,
  where both (and the MIME boundary) depend only on the inputs, so the file is reproducible.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import unicodedata
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from email import policy as email_policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import quote

from ..inputs import MAX_EPOCH
from .common import Lang, check_text, err
from .pdfs import PdfAttachment, format_size

WIDTH = 78            # columns of body text per line (RFC 3676 recommends at most 78)
SIG_SEPARATOR = "-- "

# ---- the cover note -------------------------------------------------------------------------------------

GREETING = {"zh": "您好：", "en": "Hello,"}


def salutation_for(name: str, lang: Lang) -> str:
    """`尊敬的张三：` / `Dear Zhang San,`, or the plain greeting when there is no name."""
    name = " ".join(name.split())
    if not name:
        return GREETING[lang]
    return f"尊敬的{name}：" if lang == "zh" else f"Dear {name},"


def cover_note(attachments: list[PdfAttachment], lang: Lang | None = None, salutation: str | None = None,
               signature: str | None = None) -> tuple[str, str]:
    """Default subject and body, in `lang` (default: the language of the first PDF)."""
    first = attachments[0]
    lang = lang or first.lang
    greeting = salutation or GREETING[lang]
    if lang == "zh":
        items = "、".join(f"《{a.title}》（PDF，{format_size(len(a.data), 'zh')}）" for a in attachments)
        subject = first.title if len(attachments) == 1 else f"{first.title} 等 {len(attachments)} 份文件"
        body = f"{greeting}\n\n附件为{items}，请查收。\n\n此致\n敬礼\n"
    else:
        items_en = [f"“{a.title}” (PDF, {format_size(len(a.data))})" for a in attachments]
        listed = items_en[0] if len(items_en) == 1 else ", ".join(items_en[:-1]) + " and " + items_en[-1]
        subject = first.title if len(attachments) == 1 else f"{first.title} and {len(attachments) - 1} more"
        body = f"{greeting}\n\nPlease find attached {listed}.\n\nBest regards\n"
    return subject, with_signature(body, signature)


def with_signature(body: str, signature: str | None) -> str:
    """The body, then the signature after the usual `-- ` line (mail programs leave it out of replies)."""
    if not signature or not signature.strip():
        return body
    sig = "\n".join(line.rstrip() for line in signature.strip("\n").splitlines())
    return body.rstrip("\n") + f"\n\n{SIG_SEPARATOR}\n{sig}\n"


# ---- format=flowed ----------------------------------------------------------------------------------------

# clreq: a line must not start with closing punctuation, nor end with opening punctuation.
_NO_START = set("，。、；：？！）》」』】〕〉”’…—·%,.;:?!)]}")
_NO_END = set("（《「『【〔〈“‘([{")


def columns(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"


def _can_break(line: str, i: int) -> bool:
    """May a soft line break go between line[i-1] and line[i]?"""
    before, after = line[i - 1], line[i]
    if after == " ":
        return False
    if before == " ":
        return True
    if after in _NO_START or before in _NO_END:
        return False
    return _wide(before) or _wide(after)


def _wrap_line(line: str, width: int) -> tuple[list[str], bool]:
    """Split one hard line into segments whose width plus the soft-break space fits `width`."""
    pieces: list[str] = []
    fits = True
    start = 0
    while columns(line[start:]) > width:
        used, last_ok, i = 0, None, start
        while i < len(line):
            used += columns(line[i])
            if used > width - 1:          # one column for the soft-break space
                break
            i += 1
            if i < len(line) and i > start and _can_break(line, i):
                last_ok = i
        if last_ok is None:               # nothing breakable within the width: the next chance, if any
            last_ok = next((j for j in range(i + 1, len(line)) if _can_break(line, j)), None)
            fits = False
            if last_ok is None:
                break
        pieces.append(line[start:last_ok])
        start = last_ok
    pieces.append(line[start:])
    return pieces, fits


def flow(text: str, width: int = WIDTH) -> tuple[str, bool]:
    """Text → RFC 3676 format=flowed, DelSp=yes lines ('\\n'-separated). Second value: every line fits."""
    out: list[str] = []
    fits = True
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if raw == SIG_SEPARATOR:
            out.append(raw)
            continue
        line = raw.rstrip(" ")            # a hard line never ends in a space (it would read as flowed)
        stuffed_width = width - 1 if line.startswith((" ", ">", "From ")) else width
        pieces, ok = _wrap_line(line, stuffed_width)
        fits = fits and ok
        for n, piece in enumerate(pieces):
            if n < len(pieces) - 1:
                piece += " "              # soft break; DelSp=yes: the reader deletes this one space
            if piece.startswith((" ", ">", "From ")):
                piece = " " + piece       # space-stuffing
            out.append(piece)
    return "\n".join(out), fits and all(columns(line) <= width for line in out)


def unflow(text: str) -> str:
    """RFC 3676 DelSp=yes decoding (what a flowed-aware reader shows); used by tests and `--dry-run`."""
    out: list[str] = []
    current = ""
    for line in text.replace("\r\n", "\n").split("\n"):
        line = line.removeprefix(" ")
        if line.endswith(" ") and line != SIG_SEPARATOR:
            current += line[:-1]
            continue
        out.append(current + line)
        current = ""
    if current:
        out.append(current)
    return "\n".join(out)


# ---- attachment names ------------------------------------------------------------------------------------

_ATTR_SAFE = "!#$&+-.^_`|~"          # RFC 2231 attribute-char beyond letters and digits
_TOKEN = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+")
_PLAIN_SAFE = re.compile(r"[ -~]+")


def safe_filename(name: str, fallback: str = "briefing.pdf") -> str:
    """A file name a reader's system accepts: no control characters, slashes or Windows-reserved marks."""
    name = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in name)
    name = re.sub(r'[\\/:*?"<>|]+', " ", name)
    name = " ".join(name.split()).strip(" .")
    if len(name) > 120:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 120 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 5 else name[:120]
    return name or fallback


def _rfc2231_lines(param: str, value: str) -> list[str]:
    """`filename*=utf-8''…` on one line, or `filename*0*=…; filename*1*=…` split at character boundaries."""
    encoded = [quote(ch.encode("utf-8"), safe=_ATTR_SAFE) for ch in value]
    whole = f"{param}*=utf-8''" + "".join(encoded)
    if len(whole) + 2 <= WIDTH:
        return [whole]
    lines: list[str] = []
    current, n = "utf-8''", 0
    for piece in encoded:
        prefix = f"{param}*{n}*="
        if len(prefix) + len(current) + len(piece) + 2 > WIDTH:
            lines.append(prefix + current)
            current, n = "", n + 1
        current += piece
    lines.append(f"{param}*{n}*=" + current)
    return lines


def _rfc2047_words(value: str) -> list[str]:
    """`=?utf-8?b?…?=` words of at most 75 characters, split at character boundaries."""
    words, chunk = [], b""
    for ch in value:
        b = ch.encode("utf-8")
        if len(chunk) + len(b) > 42:      # 42 bytes → 56 base64 characters → a 68-character word
            words.append(chunk)
            chunk = b""
        chunk += b
    words.append(chunk)
    return [f"=?utf-8?b?{base64.b64encode(w).decode('ascii')}?=" for w in words]


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def attachment_headers(filename: str) -> tuple[str, str]:
    """(Content-Type value, Content-Disposition value), already folded with CRLF-space continuations."""
    if _PLAIN_SAFE.fullmatch(filename) and len(filename) <= 60:
        value = filename if _TOKEN.fullmatch(filename) else _quoted(filename)
        return f"application/pdf; name={value}", f"attachment; filename={value}"
    words = _rfc2047_words(filename)
    content_type = "application/pdf;\r\n name=\"" + "\r\n ".join(words) + '"'
    disposition = "attachment;\r\n " + ";\r\n ".join(_rfc2231_lines("filename", filename))
    return content_type, disposition


# ---- the message ---------------------------------------------------------------------------------------

def source_date_epoch(env: Mapping[str, str]) -> int | None:
    raw = env.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit() or int(raw) > MAX_EPOCH:
        raise err(f"SOURCE_DATE_EPOCH={raw[:40]!r} is not a whole number of seconds before the year 10000",
                  "set it to a Unix time like 1735689600, or unset it")
    return int(raw)


def new_message_id(domain: str) -> str:
    """A Message-ID no other message has: 128 random bits, the sender's domain."""
    return f"<{uuid.uuid4().hex}.briefing@{domain or 'localhost'}>"


def _text_part(body: str) -> EmailMessage:
    flowed, fits = flow(body.rstrip("\r\n"))   # one line end at the end, however many were given
    data = (flowed.replace("\n", "\r\n") + "\r\n").encode("utf-8")
    if flowed.isascii() and fits:
        cte, payload = "7bit", flowed + "\n"
    elif flowed.isascii():
        # A line too long to wrap (a long address): quoted-printable soft breaks keep transport lines ≤ 76.
        cte, payload = "quoted-printable", binascii.b2a_qp(data, istext=True).decode("ascii")
    else:
        cte, payload = "base64", base64.encodebytes(data).decode("ascii")   # 7-bit clean, 76-column lines
    part = EmailMessage(policy=email_policy.SMTP)
    part.set_raw("Content-Type", "text/plain; charset=utf-8; format=flowed; delsp=yes")
    part.set_raw("Content-Transfer-Encoding", cte)
    part.set_payload(payload.replace("\r\n", "\n"))
    return part


def _pdf_part(a: PdfAttachment) -> EmailMessage:
    content_type, disposition = attachment_headers(a.filename)
    part = EmailMessage(policy=email_policy.SMTP)
    part.set_raw("Content-Type", content_type)
    part.set_raw("Content-Disposition", disposition)
    part.set_raw("Content-Transfer-Encoding", "base64")
    part.set_payload(base64.encodebytes(a.data).decode("ascii"))
    return part


def build_message(attachments: list[PdfAttachment], sender: Address, to: list[Address], cc: list[Address],
                  subject: str, body: str, epoch: int | None = None, reply_to: list[Address] | None = None,
                  message_id: str | None = None, now: datetime | None = None,
                  language: Lang | None = None) -> EmailMessage:
    """A multipart/mixed message: the flowed text note, then each PDF as application/pdf.

    With `epoch` (SOURCE_DATE_EPOCH, for .eml files only) the Date, Message-ID and MIME boundary depend
    only on the inputs, so the same PDFs and options give byte-identical files. Otherwise Date is `now`
    (default: this moment, local time zone) and the Message-ID is `message_id` or a new unique one.
    Bcc recipients are never written into the message.
    """
    subject = " ".join(check_text(subject, f"--subject {subject!r}", allow="\t\n\r").split())
    msg = EmailMessage(policy=email_policy.SMTP)
    msg["From"] = sender
    msg["To"] = to
    if cc:
        msg["Cc"] = cc
    if reply_to:
        msg["Reply-To"] = reply_to
    msg["Subject"] = subject
    digest = _digest(attachments, sender, to, cc, subject, body, epoch)
    if epoch is not None:
        msg["Date"] = format_datetime(datetime.fromtimestamp(epoch, UTC))
        msg["Message-ID"] = f"<{digest[:32]}@{sender.domain or 'localhost'}>"
    else:
        msg["Date"] = format_datetime((now or datetime.now(UTC)).astimezone())
        msg["Message-ID"] = message_id or new_message_id(sender.domain)
    if language:
        msg["Content-Language"] = "zh-CN" if language == "zh" else "en"
    msg["MIME-Version"] = "1.0"
    msg["Content-Type"] = "multipart/mixed"
    msg.set_payload([_text_part(body), *(_pdf_part(a) for a in attachments)])
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
        h.update(os.urandom(16))  # not reproducible anyway: keep the boundary unique
    return h.hexdigest()


def message_bytes(msg: EmailMessage) -> bytes:
    return msg.as_bytes(policy=email_policy.SMTP)
