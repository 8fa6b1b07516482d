"""The `briefing mail` subcommand: attach briefing PDFs to an e-mail and write it as .eml or send it by SMTP.

`briefing/cli.py` wires it in with `add_mail_parser(subparsers)` and `rc = run_mail(args)`. User errors are
raised as `DeliveryError` (one line, `briefing mail: what — what to do`); the PDFs are only ever read.
"""
from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TextIO

from .deliver import (
    DEFAULT_TIMEOUT,
    PdfAttachment,
    SmtpTarget,
    build_message,
    check_size,
    cover_note,
    format_size,
    load_pdf,
    parse_addresses,
    parse_hostport,
    parse_size,
    send_message,
    source_date_epoch,
    write_eml,
)
from .errors import DeliveryError

PASSWORD_VAR = "BRIEFING_SMTP_PASSWORD"
WHERE = "briefing mail"

DESCRIPTION = """\
Attach one or more briefing PDFs to an e-mail. Either write the message to a file (--eml) or send it
through an SMTP server (--smtp). Subject and body default to a short cover note in the PDF's language.
The SMTP password is read from the environment variable BRIEFING_SMTP_PASSWORD, or asked for when
run in a terminal; it is never taken from the command line."""


def add_mail_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the `mail` subcommand to an argparse subparsers object and return its parser."""
    p = subparsers.add_parser("mail", help="e-mail briefing PDFs (as an .eml file or over SMTP)",
                              description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("pdfs", nargs="+", metavar="PDF", help="the PDF(s) to attach")
    who = p.add_argument_group("addresses")
    who.add_argument("--to", action="append", required=True, metavar="ADDR",
                     help="recipient; repeat or separate with commas for several")
    who.add_argument("--cc", action="append", default=[], metavar="ADDR", help="copy recipient")
    who.add_argument("--from", dest="sender", metavar="ADDR",
                     help="sender (default: --user if it is an address, else $EMAIL)")
    text = p.add_argument_group("message")
    text.add_argument("--subject", help="default: the PDF's title")
    body = text.add_mutually_exclusive_group()
    body.add_argument("--body", metavar="TEXT", help="default: a short note in the PDF's language")
    body.add_argument("--body-file", metavar="FILE", help="read the body from a UTF-8 text file")
    text.add_argument("--max-size", default="10MB", metavar="SIZE",
                      help="refuse attachments larger than this in total (default 10MB = 10×1024×1024 bytes)")
    out = p.add_argument_group("delivery (one of --eml / --smtp)")
    dest = out.add_mutually_exclusive_group(required=True)
    dest.add_argument("--eml", metavar="FILE", help="write the message to this file instead of sending it")
    dest.add_argument("--smtp", metavar="HOST:PORT", help="send through this SMTP server")
    tls = out.add_mutually_exclusive_group()
    tls.add_argument("--starttls", action="store_true", help="upgrade the connection with STARTTLS (port 587)")
    tls.add_argument("--ssl", action="store_true", help="connect with TLS from the start (port 465)")
    out.add_argument("--user", help=f"log in as this user; the password comes from ${PASSWORD_VAR} or a prompt")
    out.add_argument("--timeout", default=str(DEFAULT_TIMEOUT), metavar="SECONDS",
                     help=f"give up on a silent server after this long (default {DEFAULT_TIMEOUT:g})")
    return p


def run_mail(args: argparse.Namespace, *, env: Mapping[str, str] | None = None,
             ask_password: Callable[[str], str] | None = None, stdin: TextIO | None = None,
             stdout: TextIO | None = None) -> int:
    """Build the message and write or send it. Returns 0; raises DeliveryError for user errors.

    `env`, `ask_password`, `stdin` and `stdout` default to the real process ones; tests replace them.
    """
    env = os.environ if env is None else env
    stdout = sys.stdout if stdout is None else stdout
    if args.eml and (args.starttls or args.ssl or args.user):
        raise DeliveryError("--starttls, --ssl and --user only apply with --smtp", "drop them or use --smtp",
                            WHERE)
    limit = parse_size(args.max_size)
    timeout = _parse_timeout(args.timeout)
    to = parse_addresses(args.to, "--to")
    cc = parse_addresses(args.cc or [], "--cc")
    sender = parse_addresses([_sender_text(args, env)], "--from")[0]
    target = _smtp_target(args, timeout) if args.smtp else None
    attachments = [load_pdf(p) for p in args.pdfs]
    check_size(attachments, limit)
    default_subject, default_body = cover_note(attachments)
    subject = args.subject if args.subject is not None else default_subject
    body = _body(args, default_body)
    # Ask for the password last, so a typo in the other options does not cost the user a prompt.
    if target is not None and target.user:
        target = _with_password(target, env, ask_password or getpass.getpass, stdin or sys.stdin)
    msg = build_message(attachments, sender, to, cc, subject, body, epoch=source_date_epoch(env))
    if args.eml:
        write_eml(args.eml, msg)
        print(f"{WHERE}: wrote {args.eml} ({_summary(attachments)})", file=stdout)
    else:
        assert target is not None
        send_message(msg, target)
        rcpts = ", ".join(a.addr_spec for a in [*to, *cc])
        print(f"{WHERE}: sent {_summary(attachments)} to {rcpts} via {target.where}", file=stdout)
    return 0


def _summary(attachments: list[PdfAttachment]) -> str:
    return ", ".join(f"{a.filename}, {format_size(len(a.data))}" for a in attachments)


def _parse_timeout(text: str) -> float:
    try:
        value = float(text)
    except (TypeError, ValueError):
        value = -1.0
    if not 0 < value <= 3600:
        raise DeliveryError(f"--timeout {text!r} is not a number of seconds between 0 and 3600",
                            "write it like --timeout 30", WHERE)
    return value


def _sender_text(args: argparse.Namespace, env: Mapping[str, str]) -> str:
    if args.sender:
        return args.sender
    if args.user and "@" in args.user:
        return args.user
    if env.get("EMAIL", "").strip():
        return env["EMAIL"]
    raise DeliveryError("no sender address", "give --from ADDR (or set $EMAIL)", WHERE)


def _smtp_target(args: argparse.Namespace, timeout: float) -> SmtpTarget:
    security = "ssl" if args.ssl else "starttls" if args.starttls else "plain"
    host, port = parse_hostport(args.smtp, security)
    return SmtpTarget(host, port, security, args.user or None, None, timeout)


def _with_password(target: SmtpTarget, env: Mapping[str, str], ask: Callable[[str], str],
                   stdin: TextIO) -> SmtpTarget:
    password = env.get(PASSWORD_VAR, "")
    if not password:
        if not _is_tty(stdin):
            raise DeliveryError(f"no password for --user {target.user}: {PASSWORD_VAR} is not set and there is "
                                "no terminal to ask in", f"set {PASSWORD_VAR} in the environment", WHERE)
        try:
            password = ask(f"SMTP password for {target.user} at {target.where}: ")
        except (EOFError, KeyboardInterrupt):
            password = ""
        if not password:
            raise DeliveryError(f"no password given for --user {target.user}",
                                f"type it at the prompt or set {PASSWORD_VAR}", WHERE)
    return SmtpTarget(target.host, target.port, target.security, target.user, password, target.timeout)


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or replaced stdin
        return False


def _body(args: argparse.Namespace, default: str) -> str:
    if args.body is not None:
        return args.body
    if not args.body_file:
        return default
    path = Path(args.body_file)
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DeliveryError(f"--body-file {path} is not UTF-8 text", "save it as UTF-8", WHERE) from None
    except OSError as e:
        raise DeliveryError(f"cannot read --body-file {path}: {(e.strerror or str(e)).lower()}",
                            "check the path", WHERE) from None
