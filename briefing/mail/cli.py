"""The `briefing mail` subcommand.

    briefing mail PDF... --to ADDR … (--eml FILE | --smtp HOST:PORT | server from mail.toml)
    briefing mail CONTENT.yaml --recipients readers.csv [--dry-run] …

`briefing/cli.py` wires it in with `add_mail_parser(subparsers)` and `rc = run_mail(args)`. User errors are
raised as `DeliveryError` (one line, `briefing mail: what — what to do`); input files are only ever read.
"""
from __future__ import annotations

import argparse
import getpass
import os
import re
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TextIO

from ..errors import DeliveryError, OutputError, Where, escape_controls
from ..outputs import plan_output, write_output
from .addresses import parse_address, parse_addresses
from .common import MAIL, Lang, check_text, control_char, describe_char, read_input
from .message import build_message, cover_note, message_bytes, source_date_epoch, with_signature
from .pdfs import PdfAttachment, check_size, format_size, load_pdf, parse_size
from .settings import Settings, load_settings
from .smtp import DEFAULT_TIMEOUT, PASSWORD_VAR, SmtpTarget, parse_hostport, send_message

WHERE = MAIL

DESCRIPTION = """\
Send briefings by e-mail.

  briefing mail PDF... --to ADDR [--eml FILE | --smtp HOST:PORT]
      attach PDFs to one message; write it to a file (--eml, - for standard output) or send it.
  briefing mail CONTENT.yaml --recipients readers.csv [--dry-run]
      build each language the list needs once and send every reader one message in their language
      with a personal salutation; a send log beside the PDFs makes a rerun send only to those who
      have not received it yet.

Server, sender and signature can live in $XDG_CONFIG_HOME/briefing/mail.toml (never the password).
The SMTP password is read from BRIEFING_SMTP_PASSWORD, or asked for when run in a terminal; it is
never taken from the command line."""


def add_mail_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the `mail` subcommand to an argparse subparsers object and return its parser."""
    p = subparsers.add_parser("mail", help="e-mail briefings (one message, or a list of readers)",
                              description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("inputs", nargs="+", metavar="PDF|CONTENT",
                   help="the PDF(s) to attach, or with --recipients the content file to build and send")
    who = p.add_argument_group("addresses (one address per option; repeat the option for more)")
    who.add_argument("--to", action="append", default=[], metavar="ADDR", help="recipient")
    who.add_argument("--cc", action="append", default=[], metavar="ADDR", help="copy recipient")
    who.add_argument("--bcc", action="append", default=[], metavar="ADDR",
                     help="blind copy: gets every message, is never shown in it")
    who.add_argument("--reply-to", action="append", default=[], metavar="ADDR", help="where replies go")
    who.add_argument("--from", dest="sender", metavar="ADDR",
                     help="sender (default: sender in mail.toml, --user if it is an address, else $EMAIL)")
    who.add_argument("--recipients", metavar="CSV",
                     help="send CONTENT to every reader in this file (columns email,name,lang[,cc,salutation])")
    text = p.add_argument_group("message")
    text.add_argument("--subject", action="append", default=[], metavar="[LANG=]TEXT",
                      help="default: the briefing's title; with --recipients one per language: zh=… en=…")
    body = text.add_mutually_exclusive_group()
    body.add_argument("--body", metavar="TEXT", help="default: a short note in the PDF's language")
    body.add_argument("--body-file", action="append", default=[], metavar="[LANG=]FILE",
                      help="read the note from a UTF-8 text file (with --recipients: zh=FILE en=FILE)")
    text.add_argument("--max-size", default="10MB", metavar="SIZE",
                      help="refuse attachments larger than this in total (default 10MB = 10×1024×1024 bytes)")
    out = p.add_argument_group("delivery")
    out.add_argument("--eml", metavar="FILE", help="write the message to FILE (- for standard output)")
    out.add_argument("--force", action="store_true", help="let --eml replace an existing file")
    out.add_argument("--smtp", metavar="HOST:PORT", help="send through this SMTP server (default: mail.toml)")
    tls = out.add_mutually_exclusive_group()
    tls.add_argument("--starttls", action="store_true", help="upgrade the connection with STARTTLS (port 587)")
    tls.add_argument("--ssl", action="store_true", help="connect with TLS from the start (port 465)")
    out.add_argument("--user", help=f"log in as this user; the password comes from ${PASSWORD_VAR} or a prompt")
    out.add_argument("--timeout", metavar="SECONDS",
                     help=f"give up on a silent server after this long (default {DEFAULT_TIMEOUT:g})")
    out.add_argument("--dry-run", action="store_true", help="print who would get what; build and send nothing")
    lst = p.add_argument_group("lists (--recipients)")
    lst.add_argument("--out-dir", default="out", metavar="DIR",
                     help="where the PDFs are built and the send log is kept (default: out/)")
    lst.add_argument("--log", metavar="FILE", help="send log (default: OUT_DIR/<id>.send-log.jsonl)")
    lst.add_argument("--rate", metavar="N/min", help="send at most N messages a minute (also N/s, N/hour)")
    p.add_argument("--config", metavar="FILE", help="settings file (default: $XDG_CONFIG_HOME/briefing/mail.toml)")
    return p


def _fail(what: str, fix: str) -> DeliveryError:
    return DeliveryError(what, fix, WHERE)


def run_mail(args: argparse.Namespace, *, env: Mapping[str, str] | None = None,
             ask_password: Callable[[str], str] | None = None, stdin: TextIO | None = None,
             stdout: TextIO | None = None) -> int:
    """Write, send or (with --recipients) send to a list. Returns the exit code; raises DeliveryError.

    `env`, `ask_password`, `stdin` and `stdout` default to the real process ones; tests replace them.
    """
    env = os.environ if env is None else env
    stdout = sys.stdout if stdout is None else stdout
    ask = ask_password or getpass.getpass
    stdin = stdin or sys.stdin
    settings = load_settings(args.config, env)
    if args.eml and (args.starttls or args.ssl or args.user or args.smtp):
        raise _fail("--smtp, --starttls, --ssl and --user only apply when sending", "drop them or drop --eml")
    if args.force and not args.eml:
        raise _fail("--force only applies with --eml", "drop --force")
    limit = parse_size(args.max_size)
    timeout = _parse_timeout(args.timeout, settings)
    sender = parse_address(_sender_text(args, env, settings), "--from")
    reply_to = parse_addresses(args.reply_to or ([settings.reply_to] if settings.reply_to else []), "--reply-to")
    bcc = parse_addresses(args.bcc or list(settings.bcc), "--bcc")
    if args.recipients:
        return _run_list(args, env, settings, sender, reply_to, bcc, limit, timeout, ask, stdin, stdout)
    if not args.to:
        raise _fail("no recipient", "give --to ADDR (or --recipients readers.csv to send to a list)")
    if args.log or args.rate or args.out_dir != "out":
        raise _fail("--out-dir, --log and --rate only apply with --recipients", "drop them")
    to = parse_addresses(args.to, "--to")
    cc = parse_addresses(args.cc, "--cc")
    subject_arg = _single(args.subject, "--subject")
    body_file = _single(args.body_file, "--body-file")
    for value in args.subject:
        check_text(value, f"--subject {value!r}")
    target = None
    plan = None
    if args.eml:
        plan = _plan(args.eml, [*args.inputs, *([body_file] if body_file else []),
                                *([str(settings.path)] if settings.path else [])], args.force)
    elif not args.dry_run:
        target = _smtp_target(args, settings, timeout)
    attachments = [load_pdf(p, limit) for p in args.inputs]
    check_size(attachments, limit)
    default_subject, default_body = cover_note(attachments, signature=settings.signature.get(attachments[0].lang))
    subject = subject_arg if subject_arg is not None else default_subject
    body = default_body
    if args.body is not None and (ch := control_char(args.body, allow="\t\n\r\f")) is not None:
        raise _fail(f"--body contains {describe_char(ch)}", "remove it: a note is plain text")
    if args.body is not None or body_file:
        text = args.body if args.body is not None else _read_text(body_file, "--body-file")
        body = with_signature(text, settings.signature.get(attachments[0].lang))
    epoch = source_date_epoch(env) if args.eml else None   # a real send always gets a real Date
    msg = build_message(attachments, sender, to, cc, subject, body, epoch=epoch, reply_to=reply_to)
    rcpts = ", ".join(a.addr_spec for a in [*to, *cc])
    if args.dry_run:
        where = f"write {args.eml}" if args.eml else "send"
        hidden = f" (bcc {', '.join(b.addr_spec for b in bcc)})" if bcc else ""
        print(escape_controls(f"{WHERE}: dry run — would {where}: “{subject}” with {_summary(attachments)} to "
                              f"{rcpts}{hidden}; nothing was written or sent"), file=stdout)
        return 0
    if plan is not None:
        if bcc:
            raise _fail("--bcc does not apply to --eml (a message file has no hidden recipients)", "drop --bcc")
        data = message_bytes(msg)
        binary = getattr(stdout, "buffer", None) if plan.kind == "stdout" else None
        if plan.kind == "stdout" and binary is None:
            stdout.write(data.decode("ascii"))
            stdout.flush()
        else:
            try:
                write_output(plan, data, stdout=binary, fix="choose a writable path for --eml")
            except OutputError as e:
                raise _fail(e.what, e.fix) from None
        status = sys.stderr if plan.kind == "stdout" else stdout
        print(escape_controls(f"{WHERE}: wrote {args.eml} ({_summary(attachments)})"), file=status)
        return 0
    assert target is not None
    if target.user:
        target = _with_password(target, env, ask, stdin)
    send_message(msg, target, [b.addr_spec for b in bcc])
    print(escape_controls(f"{WHERE}: sent {_summary(attachments)} to {rcpts} via {target.where}"), file=stdout)
    return 0


def _plan(path: str, inputs: list[str], force: bool):  # type: ignore[no-untyped-def]
    try:
        return plan_output(path, inputs=inputs, overwrite=force, label="--eml", where=WHERE)
    except OutputError as e:
        raise _fail(e.what, e.fix) from None


def _single(values: list[str], option: str) -> str | None:
    if len(values) > 1:
        raise _fail(f"{option} is given {len(values)} times", f"give {option} once (per language only with "
                    "--recipients)")
    return values[0] if values else None


def _per_lang(values: list[str], option: str, langs: set[Lang]) -> dict[Lang, str]:
    """`zh=…` / `en=…` values; a value without a language applies to all, if the list has one language."""
    out: dict[Lang, str] = {}
    for value in values:
        m = re.fullmatch(r"(zh|en)=(.*)", value, re.DOTALL)
        if m:
            out[m.group(1)] = m.group(2)  # type: ignore[index]
        elif len(langs) > 1:
            raise _fail(f"{option} {value!r} would go to every reader, but the list has Chinese and English readers",
                        f"give one per language: {option} zh=… {option} en=…")
        else:
            out.update({lang: value for lang in langs})
    return out


def _run_list(args, env, settings: Settings, sender, reply_to, bcc, limit, timeout, ask, stdin, stdout) -> int:  # type: ignore[no-untyped-def]
    from .bulk import ListJob, parse_rate, run_list
    from .recipients import read_recipients

    if len(args.inputs) != 1 or args.inputs[0].lower().endswith(".pdf"):
        raise _fail("--recipients sends one briefing built from its content file",
                    "give one CONTENT.yaml (each reader gets the PDF in their language, built from it)")
    for option, given in (("--to", args.to), ("--cc", args.cc), ("--eml", args.eml), ("--body", args.body)):
        if given:
            raise _fail(f"{option} does not combine with --recipients",
                        "put every reader (and their cc) in the recipients file" if option in ("--to", "--cc")
                        else "use --dry-run to see the messages; notes go in --body-file zh=… en=…")
    content = Path(args.inputs[0])
    if not content.is_file():   # said now, before the readers file; the build reads it within its limit
        from ..inputs import kind_of

        why = f"is {kind_of(os.stat(content).st_mode)}" if os.path.exists(content) else "no such file"
        raise _fail(f"cannot read {content}: {why}", "check the content file path")
    readers = read_recipients(args.recipients)
    langs = {r.lang for r in readers}
    subjects = _per_lang(args.subject, "--subject", langs)
    for value in subjects.values():
        check_text(value, f"--subject {value!r}")
    body_files = _per_lang(args.body_file, "--body-file", langs)
    bodies = {lang: _read_text(path, "--body-file") for lang, path in body_files.items()}
    interval = parse_rate(args.rate or settings.rate) if (args.rate or settings.rate) else 0.0
    target = None if args.dry_run else _smtp_target(args, settings, timeout)
    job = ListJob(content=content, readers=readers, readers_file=Path(args.recipients), out_dir=Path(args.out_dir),
                  log_path=Path(args.log) if args.log else None, sender=sender, reply_to=reply_to, bcc=bcc,
                  signature=settings.signature, subjects=subjects, bodies=bodies, max_size=limit, interval=interval,
                  target=target, dry_run=args.dry_run, out=stdout,
                  get_password=lambda t: _with_password(t, env, ask, stdin),
                  inputs=tuple(Path(p) for p in [content, args.recipients, *body_files.values(),
                                                 *([settings.path] if settings.path else [])]))
    return run_list(job)


def _summary(attachments: list[PdfAttachment]) -> str:
    return ", ".join(f"{a.filename}, {format_size(len(a.data))}" for a in attachments)


def _parse_timeout(text: str | None, settings: Settings) -> float:
    if text is None:
        return settings.timeout or DEFAULT_TIMEOUT
    try:
        value = float(text)
    except (TypeError, ValueError):
        value = -1.0
    if not 0 < value <= 3600:
        raise _fail(f"--timeout {text!r} is not a number of seconds between 0 and 3600", "write it like --timeout 30")
    return value


def _sender_text(args: argparse.Namespace, env: Mapping[str, str], settings: Settings) -> str:
    if args.sender:
        return args.sender
    if settings.sender:
        return settings.sender
    user = args.user or settings.user
    if user and "@" in user:
        return user
    if env.get("EMAIL", "").strip():
        return env["EMAIL"]
    raise _fail("no sender address", "give --from ADDR (or sender in mail.toml, or set $EMAIL)")


def _smtp_target(args: argparse.Namespace, settings: Settings, timeout: float) -> SmtpTarget:
    if args.smtp:   # a server on the command line brings its own security and login
        security = "ssl" if args.ssl else "starttls" if args.starttls else "plain"
        host, port = parse_hostport(args.smtp, security)
        user = args.user
    elif settings.server:
        security = "ssl" if args.ssl else "starttls" if args.starttls else (settings.security or "plain")
        host, port = parse_hostport(settings.server, security, f"{settings.path}: server")  # type: ignore[arg-type]
        if settings.port and ":" not in settings.server.strip("[]").split("]")[-1]:
            port = settings.port
        user = args.user or settings.user
    else:
        raise _fail("no mail server", "give --smtp HOST:PORT, set server in "
                    "$XDG_CONFIG_HOME/briefing/mail.toml, or write the message to a file with --eml")
    if user is not None:
        check_text(user, f"--user {user!r}")
    return SmtpTarget(host, port, security, user or None, None, timeout)  # type: ignore[arg-type]


def _with_password(target: SmtpTarget, env: Mapping[str, str], ask: Callable[[str], str],
                   stdin: TextIO) -> SmtpTarget:
    password = env.get(PASSWORD_VAR, "")
    if not password:
        if not _is_tty(stdin):
            raise _fail(f"no password for --user {target.user}: {PASSWORD_VAR} is not set and there is "
                        "no terminal to ask in", f"set {PASSWORD_VAR} in the environment")
        try:
            password = ask(f"SMTP password for {target.user} at {target.where}: ")
        except (EOFError, KeyboardInterrupt):
            password = ""
        if not password:
            raise _fail(f"no password given for --user {target.user}", f"type it at the prompt or set {PASSWORD_VAR}")
    return SmtpTarget(target.host, target.port, target.security, target.user, password, target.timeout)


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or replaced stdin
        return False


# A cover note is a few paragraphs; 256 KB (a short book) is far more than any note and keeps a wrong
# file (a PDF, a log, /dev/zero) from being read whole or sent as text.
MAX_BODY_BYTES = 256 * 1024


def _read_text(path_text: str, option: str) -> str:
    """A --body-file: UTF-8 text (a BOM, as Notepad writes, is dropped), within MAX_BODY_BYTES."""
    path = Path(path_text)
    data = read_input(path, MAX_BODY_BYTES, subject=f"cannot read {option} {path}", kind="text file",
                      fix_missing="check the path", fix_size="a cover note is a few lines of text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise DeliveryError(f"{option}: not UTF-8 text (perhaps GBK)", "save it as UTF-8",
                            Where(str(path), line, col)) from None
    ch = control_char(text, allow="\t\n\r\f")
    if ch is not None:   # NUL, ESC, … have no place in a mail (a binary file, a terminal capture)
        at = text.index(ch)
        line, col = text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1
        raise DeliveryError(f"{option}: contains {describe_char(ch)}", "remove it: a note is plain text",
                            Where(str(path), line, col))
    if not text.strip():   # an empty note is a mistake (the wrong file, not saved yet), never a blank mail
        raise _fail(f"{option} {path} is empty", f"write the note in it, or drop {option} to send the default note")
    return text
