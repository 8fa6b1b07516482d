"""Sending one briefing to a list of readers, each in their language, each once (even after a crash).

`briefing mail CONTENT.yaml --recipients readers.csv`: checks the whole list first, builds each language
the list needs once (the normal build, written atomically to the output folder), then sends every reader
who has not yet received it one message over one SMTP connection, logging each outcome to the send log.
"""
from __future__ import annotations

import hashlib
import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.headerregistry import Address
from pathlib import Path
from typing import TextIO

from ..errors import DeliveryError, escape_controls
from ..plural import counted
from .common import MAIL, Lang, err
from .message import build_message, cover_note, message_bytes, new_message_id, safe_filename, salutation_for
from .pdfs import PdfAttachment, check_size, format_size, pdf_title_and_lang
from .recipients import Reader
from .sendlog import SendLog
from .smtp import SessionLost, SmtpSession, SmtpTarget

MAX_DROPS_IN_A_ROW = 3
LANG_NAMES = {"zh": "Chinese", "en": "English"}


def parse_rate(text: str) -> float:
    """'30/min' → seconds between messages (2.0). Also N/s and N/h."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*/\s*(s|sec|second|min|minute|h|hour)\s*", text or "", re.IGNORECASE)
    if not m or float(m.group(1)) <= 0:
        raise err(f"--rate {text!r} is not a rate", "write it like --rate 30/min (also N/s or N/hour)")
    period = {"s": 1, "sec": 1, "second": 1, "min": 60, "minute": 60, "h": 3600, "hour": 3600}[m.group(2).lower()]
    return period / float(m.group(1))


@dataclass
class ListJob:
    content: Path
    readers: list[Reader]
    readers_file: Path
    out_dir: Path
    log_path: Path | None
    sender: Address
    reply_to: list[Address]
    bcc: list[Address]
    signature: dict[Lang, str]
    subjects: dict[Lang, str]           # overrides of the default subject, per language
    bodies: dict[Lang, str]             # overrides of the default note (the salutation is put first)
    max_size: int
    interval: float                     # seconds between messages (0: no pacing)
    target: SmtpTarget | None           # None for --dry-run
    dry_run: bool = False
    out: TextIO | None = None
    warnings_out: TextIO | None = None  # the content's warnings (default: standard error)
    get_password: Callable[[SmtpTarget], SmtpTarget] | None = None
    sleep: Callable[[float], None] = time.sleep
    counts: dict[str, int] = field(default_factory=dict)
    inputs: tuple[Path, ...] = ()       # files the run reads, which the log must never be


def _say(job: ListJob, line: str) -> None:
    print(escape_controls(line), file=job.out, flush=True)   # a server's reply could hold ESC sequences


def run_list(job: ListJob) -> int:
    from ..inputs import source_date_epoch
    from ..load import load
    from ..localize import localize

    source_date_epoch()   # a bad value is said before anything is built or sent
    briefing = load(str(job.content))
    from ..lint.command import warning_lines

    for line in warning_lines(briefing):   # what `briefing build` prints, said before anything is sent
        print(line, file=job.warnings_out or sys.stderr, flush=True)
    log_path = job.log_path or job.out_dir / f"{briefing.id}.send-log.jsonl"
    for given in job.inputs:   # the log is appended to: never to the content, readers, note or settings file
        try:
            same = os.path.samefile(given, log_path)
        except OSError:
            same = False
        if same:
            raise err(f"the send log {log_path} is the input {given}; it would be written into",
                      "give --log another file name (default: OUT_DIR/<id>.send-log.jsonl)")
    sendlog = SendLog(log_path)
    sendlog.read() if job.dry_run else sendlog.open()
    try:
        return _run(job, briefing, sendlog, localize)
    finally:
        sendlog.close()


def _body_for(job: ListJob, reader: Reader, attachment: PdfAttachment) -> tuple[str, str]:
    salutation = reader.salutation or salutation_for(reader.name, reader.lang)
    subject, body = cover_note([attachment], reader.lang, salutation, job.signature.get(reader.lang))
    if reader.lang in job.bodies:
        from .message import with_signature

        body = with_signature(f"{salutation}\n\n{job.bodies[reader.lang].strip()}\n",
                              job.signature.get(reader.lang))
    return job.subjects.get(reader.lang, subject), body


def _run(job: ListJob, briefing, sendlog: SendLog, localize) -> int:  # type: ignore[no-untyped-def]
    accepted = sendlog.accepted()
    todo = [r for r in job.readers if r.email.lower() not in accepted]
    skipped = len(job.readers) - len(todo)
    langs: list[Lang] = sorted({r.lang for r in todo}, key=["zh", "en"].index)
    titles = {lang: localize(briefing, lang).title for lang in ("zh", "en")}
    plans = _plan_pdfs(job, briefing, langs)   # checked before anything is built, also in a dry run
    if job.dry_run:
        for r in job.readers:
            earlier = accepted.get(r.email.lower())
            cc = f" (cc {', '.join(a.addr_spec for a in r.cc)})" if r.cc else ""
            state = f"already sent ({earlier.get('time', '?')})" if earlier else "would send"
            subject = job.subjects.get(r.lang, titles[r.lang])
            salutation = r.salutation or salutation_for(r.name, r.lang)
            _say(job, f"  {state}  {r.lang}  {r.address}{cc}  “{subject}”  {salutation}")
        extra = f"; bcc {', '.join(a.addr_spec for a in job.bcc)} on each" if job.bcc else ""
        counts = ", ".join(f"{lang}: {sum(r.lang == lang for r in todo)}" for lang in langs) or "none"
        _say(job, f"{MAIL}: dry run — {len(todo)} would be sent ({counts}), "
             f"{skipped} already sent; nothing was built or sent{extra}")
        return 0
    if not todo:
        who = "the one reader already has" if len(job.readers) == 1 else f"all {len(job.readers)} readers already have"
        _say(job, f"{MAIL}: {who} this briefing (log: {sendlog.path}); "
             "nothing to send")
        return 0
    target = job.target
    assert target is not None
    if job.get_password is not None and target.user:
        target = job.get_password(target)
    attachments = _build(job, briefing, langs, titles, plans)
    check_size(list(attachments.values()), job.max_size)
    earlier_sha = {e.get("lang"): e.get("sha256") for e in accepted.values()}
    for lang, a in attachments.items():
        sha = hashlib.sha256(a.data).hexdigest()
        if earlier_sha.get(lang) not in (None, sha):
            _say(job, f"{MAIL}: note: the {LANG_NAMES[lang]} PDF differs from the one sent in an earlier run; "
                 "readers who already have it do not get the new one")
    session = SmtpSession(target)
    session.open()       # connection, TLS and login problems stop here, before anything is sent
    counts = {"sent": 0, "failed": 0, "skipped": skipped, "not sent": 0}
    drops = 0
    last_start = 0.0
    stopped: DeliveryError | None = None
    try:
        for index, reader in enumerate(todo):
            if job.interval and last_start:
                wait = last_start + job.interval - time.monotonic()
                if wait > 0:
                    job.sleep(wait)
            last_start = time.monotonic()
            a = attachments[reader.lang]
            subject, body = _body_for(job, reader, a)
            message_id = sendlog.earlier_message_id(reader.email) or new_message_id(job.sender.domain)
            msg = build_message([a], job.sender, [reader.address], list(reader.cc), subject, body,
                                reply_to=job.reply_to, message_id=message_id, language=reader.lang)
            entry = {"recipient": reader.email, "name": reader.name, "lang": reader.lang,
                     "message_id": message_id, "server": target.where, "pdf": a.filename,
                     "sha256": hashlib.sha256(a.data).hexdigest(), "line": reader.line}
            sendlog.append({**entry, "status": "sending"}, durable=False)
            rcpts = [reader.email, *(c.addr_spec for c in reader.cc), *(b.addr_spec for b in job.bcc)]
            try:
                result = session.send(job.sender.addr_spec, rcpts, message_bytes(msg), primary=reader.email)
            except SessionLost as e:
                status = "uncertain" if e.maybe_delivered else "failed"
                sendlog.append({**entry, "status": status, "reply": e.what}, durable=True)
                counts["failed"] += 1
                _say(job, f"  {status:>9}  {reader.lang}  {reader.address}: {e.what}")
                drops += 1
                if drops >= MAX_DROPS_IN_A_ROW:
                    stopped = err(f"{target.where} dropped the connection {counted(drops, 'time')} in a row",
                                  "try again later")
                    counts["not sent"] = len(todo) - index - 1
                    break
                try:
                    session.open()
                except DeliveryError as again:
                    stopped = again
                    counts["not sent"] = len(todo) - index - 1
                    break
                continue
            drops = 0
            sendlog.append({**entry, "status": result.status, "reply": result.reply,
                            **({"refused": result.refused} if result.refused else {})},
                           durable=result.accepted)
            if result.accepted:
                counts["sent"] += 1
                note = "; ".join(f"{k} refused: {v}" for k, v in result.refused.items())
                _say(job, f"  {'sent':>9}  {reader.lang}  {reader.address}" + (f" ({note})" if note else ""))
            else:
                counts["failed"] += 1
                _say(job, f"  {result.status:>9}  {reader.lang}  {reader.address}: {result.reply}")
    finally:
        session.close()
    job.counts = counts
    not_sent = f", {counts['not sent']} not sent (stopped)" if counts["not sent"] else ""
    _say(job, f"{MAIL}: {counts['sent']} sent, {counts['failed']} failed, {counts['skipped']} skipped "
         f"(already sent){not_sent}; log: {sendlog.path}")
    if stopped is not None:
        raise err(f"stopped: {stopped.what}", f"{stopped.fix}; then run the same command again: it sends only "
                  "to readers who have not received the briefing")
    if counts["failed"]:
        raise err(f"{counts['failed']} of {counted(len(job.readers), 'reader')} did not get the briefing "
                  "(see above and the "
                  f"log {sendlog.path})", "fix what the server said, then run the same command again: it sends "
                  "only to readers who have not received it")
    return 0


def _plan_pdfs(job: ListJob, briefing, langs: list[Lang]) -> dict[Lang, object]:  # type: ignore[no-untyped-def]
    """Where each PDF goes, checked as `briefing build` checks it: never over an input (the content, the
    readers file, a note, the settings, a font; also through a link), a file that is not a PDF, a folder or
    a device."""
    from ..errors import OutputError
    from ..fonts import all_font_files
    from ..outputs import plan_output

    plans: dict[Lang, object] = {}
    for lang in langs:
        path = job.out_dir / f"{briefing.id}.{lang}.pdf"
        try:
            plan = plan_output(path, inputs=[*job.inputs, job.content, job.readers_file, *all_font_files()],
                               overwrite=True, label="output", where=MAIL,
                               replace_only=(b"%PDF-", "PDF"), input_fix="choose another --out-dir")
        except OutputError as e:   # no --force here: a list run never replaces a file that is not a PDF
            fix = "move that file away, or choose another --out-dir" if "is not a PDF" in e.what else e.fix
            raise err(e.what, fix) from None
        if plan.kind != "file":
            raise err(f"output {path} is not a regular file", "choose another --out-dir")
        plans[lang] = plan
    return plans


def _build(job: ListJob, briefing, langs: list[Lang], titles: dict[Lang, str],  # type: ignore[no-untyped-def]
           plans: dict) -> dict[Lang, PdfAttachment]:
    """Each needed language once, through the normal build, written atomically to the output folder."""
    from ..errors import OutputError
    from ..outputs import write_output
    from ..pipeline import build_model

    out: dict[Lang, PdfAttachment] = {}
    for lang in langs:
        data = build_model(briefing, lang)
        path = job.out_dir / f"{briefing.id}.{lang}.pdf"
        try:
            write_output(plans[lang], data, fix="choose a writable --out-dir")
        except OutputError as e:
            raise err(e.what, e.fix) from None
        title, _ = pdf_title_and_lang(data, titles[lang])
        out[lang] = PdfAttachment(path, data, title, lang, name=safe_filename(f"{title}.pdf"))
        _say(job, f"{MAIL}: built {path} ({format_size(len(data))}) for "
             f"{counted(sum(r.lang == lang for r in job.readers), LANG_NAMES[lang] + ' reader')}")
    return out
