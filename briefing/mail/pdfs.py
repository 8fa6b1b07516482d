"""The PDFs to attach: read (never written), their title and language for the cover note, size limits."""
from __future__ import annotations

import io
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..plural import counted
from .common import MAIL, Lang, read_input
from .common import err as _err

log = logging.getLogger("briefing.mail")

DEFAULT_MAX_SIZE = 10 * 1024 * 1024    # 10 MB, binary megabytes (see docs/mail.md)
# The most --max-size may allow. Mail services refuse messages over 20-35 MB (Outlook.com 20 MB, Gmail and
# Yahoo 25 MB, Exchange Online 35 MB by default) and base64 makes an attachment a third bigger in the
# message, so no PDF over 50 MB could be delivered; the limit also bounds the memory a run can take (a
# 5 GB file given by mistake is refused after reading 50 MB at most, never loaded whole).
MAX_SIZE_CEILING = 50 * 1024 * 1024
PDF_MAGIC_WINDOW = 1024                # readers accept junk before %PDF- within the first 1 KB


# ---- the PDFs --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PdfAttachment:
    """One PDF to attach: its bytes and what the cover note says about it."""

    path: Path
    data: bytes
    title: str
    lang: Lang
    name: str | None = None      # the name the reader sees (default: the file's own name)

    @property
    def filename(self) -> str:
        from .message import safe_filename

        return safe_filename(self.name or self.path.name)


def load_pdf(path: str | os.PathLike, limit: int = DEFAULT_MAX_SIZE) -> PdfAttachment:
    """Read a PDF (never writing to it) and its title and language, with tolerant fallbacks. `limit`
    (--max-size) caps the bytes read: a larger file could not be sent anyway."""
    p = Path(path)
    try:
        size = p.stat().st_size if p.is_file() else 0
    except OSError:
        size = 0
    if size > limit:   # said as check_size says it; a file that only grows past it is caught by the read
        raise _err(f"{p} is {_over(size, limit)}",
                   "send a smaller PDF or raise --max-size (if the mail server accepts it)")
    data = read_input(p, limit, subject=f"cannot read {p}", kind="PDF file", fix_missing="check the PDF path",
                      fix_size=f"send a smaller PDF or raise --max-size (now {format_size(limit)}; at most "
                               f"{format_size(MAX_SIZE_CEILING)}) if the mail server accepts it")
    if b"%PDF-" not in data[:PDF_MAGIC_WINDOW]:
        what = "the file is empty" if not data else "not a PDF (no %PDF- header)"
        raise _err(f"cannot attach {p}: {what}", "give the PDF that `briefing build` wrote")
    title, lang = pdf_title_and_lang(data, fallback_title=p.stem, name=str(p))
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


def pdf_title_and_lang(data: bytes, fallback_title: str, name: str | None = None) -> tuple[str, Lang]:
    """Title: XMP dc:title, else Info /Title, else `fallback_title`.
    Language: catalog /Lang, else XMP dc:language, else Chinese if the title has Han characters, else English.
    """
    title: str | None = None
    lang: Lang | None = None
    pypdf_log = logging.getLogger("pypdf")   # its own warnings ("EOF marker not found") are not in our form:
    level = pypdf_log.level                  # what matters is said below, once, as a warning of ours
    pypdf_log.setLevel(logging.CRITICAL)
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
        log.warning("%s: warning: %s looks damaged: cannot read its metadata (%s); using the file name as title — "
                    "check that the PDF opens before sending it", MAIL, name or fallback_title, e)
    finally:
        pypdf_log.setLevel(level)
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
    if size > MAX_SIZE_CEILING:
        raise _err(f"--max-size {text!r} is more than any mail service accepts",
                   f"give at most {format_size(MAX_SIZE_CEILING)} (Gmail takes 25MB, Outlook.com 20MB)")
    return size


def format_size(n: int, lang: Lang = "en") -> str:
    if n < 1024:
        return f"{n} 字节" if lang == "zh" else counted(n, "byte")
    scale, unit = (1024, "KB") if n < 1024**2 else (1024**2, "MB")
    value = n / scale
    # One decimal below 10, so 1.3 KB and 1 KB do not both read "1 KB".
    text = f"{value:.1f}" if value < 10 else f"{value:.0f}"
    return f"{text.removesuffix('.0')} {unit}"


def _over(size: int, limit: int) -> str:
    return f"{format_size(size)} ({size} bytes), over the {format_size(limit)} limit ({limit} bytes)"


def check_size(attachments: list[PdfAttachment], limit: int) -> None:
    total = sum(len(a.data) for a in attachments)
    if total <= limit:
        return
    over = _over(total, limit)
    if len(attachments) == 1:
        what = f"{attachments[0].path} is {over}"
    else:
        what = f"the {len(attachments)} PDFs total {over}"
    raise _err(what, "send a smaller PDF or raise --max-size (if the mail server accepts it)")


