"""`briefing mail`: e-mail briefings, one message or a whole list of readers, each in their language.

| module | owns |
|---|---|
| `common` | the error form, languages, control-character checks |
| `pdfs` | reading the PDFs to attach (never writing them), their title and language, size limits |
| `addresses` | strict parsing: one address per item, no control characters |
| `message` | cover note and salutation, format=flowed body, attachment names (RFC 2231 + 2047), the MIME message |
| `smtp` | the connection: TLS, one login attempt, transactions, replies turned into hints |
| `recipients` | the readers CSV, checked whole before anything is sent |
| `settings` | `$XDG_CONFIG_HOME/briefing/mail.toml` (never a password) |
| `sendlog` | the JSON-lines send log that makes a rerun send only to those not yet served |
| `bulk` | sending to a list: build each language once, pace, log, summarise |
| `cli` | the argparse front end (`add_mail_parser`, `run_mail`) |
"""
from __future__ import annotations

from .addresses import parse_address, parse_addresses
from .common import MAIL, Lang, Security
from .message import build_message, cover_note, flow, message_bytes, salutation_for, source_date_epoch, unflow
from .pdfs import (
           DEFAULT_MAX_SIZE,
           PdfAttachment,
           check_size,
           format_size,
           load_pdf,
           parse_size,
           pdf_title_and_lang,
)
from .smtp import DEFAULT_TIMEOUT, SmtpSession, SmtpTarget, parse_hostport, send_message

__all__ = ["DEFAULT_MAX_SIZE", "DEFAULT_TIMEOUT", "MAIL", "Lang", "PdfAttachment", "Security", "SmtpSession",
           "SmtpTarget", "build_message", "check_size", "cover_note", "flow", "format_size", "load_pdf",
           "message_bytes", "parse_address", "parse_addresses", "parse_hostport", "parse_size",
           "pdf_title_and_lang", "salutation_for", "send_message", "source_date_epoch", "unflow"]
