"""`briefing mail` reads every file it is given within a limit, and never blocks on one.

Each file option (the PDFs, --body-file, --recipients, --config, --log) is given /dev/zero, a named pipe,
a folder, a file over its limit and (for text) bytes that are not UTF-8: each is one line naming the file
and what to do, before anything is read whole, written or sent, in bounded time.
"""
# ruff: noqa: F811  (the fixtures imported from test_mail are parameters here)
from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from test_mail import REPO, Recorder, make_pdf, run, smtpd, zh_pdf  # noqa: F401  (fixtures)

from briefing.errors import BriefingError
from briefing.mail import recipients, sendlog, settings
from briefing.mail.cli import MAX_BODY_BYTES

BASE = ["--to", "a@example.org", "--from", "b@example.org"]
HAS_FIFO = hasattr(os, "mkfifo")
HAS_DEV_ZERO = os.path.exists("/dev/zero")


@pytest.fixture
def content(mini_content: Path) -> Path:
    return mini_content


@pytest.fixture
def readers(tmp_path: Path) -> Path:
    path = tmp_path / "readers.csv"
    path.write_text("email,name,lang\nzhang@example.org,张三,zh\n", encoding="utf-8")
    return path


def error_line(argv: list[str], limit_s: float = 10.0) -> str:
    """Run `briefing mail` in a thread: it must fail with one line within `limit_s` (a blocked read of a
    FIFO is released by opening it for writing, so that the test fails instead of hanging)."""
    outcome: list[BaseException | str] = []

    def go() -> None:
        try:
            rc, out = run(argv)
            outcome.append(f"exit {rc}: {out}")
        except BaseException as e:  # noqa: BLE001 - handed to the test
            outcome.append(e)

    worker = threading.Thread(target=go, daemon=True)
    t = time.monotonic()
    worker.start()
    worker.join(limit_s)
    if worker.is_alive():
        for arg in argv:
            if HAS_FIFO and os.path.exists(arg) and Path(arg).is_fifo():
                with open(arg, "wb"):   # unblocks a reader stuck on it
                    pass
        worker.join(5)
        pytest.fail(f"briefing mail {' '.join(argv)} blocked for more than {limit_s} s")
    assert time.monotonic() - t < limit_s
    assert outcome and isinstance(outcome[0], BriefingError), outcome
    e = outcome[0]
    lines = e.lines() if hasattr(e, "lines") else [str(e)]
    assert len(lines) == 1 and "\n" not in lines[0] and "Traceback" not in lines[0], lines
    return lines[0]


def bad_files(tmp_path: Path, text: bool) -> list[tuple[str, str, str]]:
    """(path, what the error says, its fix) for each kind of file that must be refused."""
    cases = [(str(tmp_path / "folder"), "is a folder, not a", "give the path of a")]
    (tmp_path / "folder").mkdir(exist_ok=True)
    if HAS_DEV_ZERO:
        cases.append(("/dev/zero", "is a device, not a regular file", "saved on disk"))
    if HAS_FIFO:
        fifo = tmp_path / "pipe"
        if not fifo.exists():
            os.mkfifo(fifo)
        cases.append((str(fifo), "is a named pipe (FIFO), not a regular file", "saved on disk"))
    if text:
        gbk = tmp_path / "gbk.txt"
        gbk.write_bytes("email,name,lang\n张三\n".encode("gbk"))
        cases.append((str(gbk), "not UTF-8 text", "save it as UTF-8"))
    return cases


# ---- each option, each kind of bad file ---------------------------------------------------------------------

def test_pdfs(zh_pdf: Path, tmp_path: Path) -> None:
    for path, what, fix in bad_files(tmp_path, text=False):
        line = error_line([path, *BASE, "--eml", str(tmp_path / "o.eml")])
        assert line.startswith(f"briefing mail: cannot read {path}: {what}") and fix in line, line
    big = tmp_path / "big.pdf"
    big.write_bytes(zh_pdf.read_bytes() + b"\0" * 2048)
    line = error_line([str(big), *BASE, "--eml", str(tmp_path / "o.eml"), "--max-size", "2KB"])
    assert line.startswith(f"briefing mail: {big} is ") and "over the 2 KB limit (2048 bytes)" in line, line
    assert not (tmp_path / "o.eml").exists()


def test_a_5gb_pdf_is_refused_without_reading_it(tmp_path: Path) -> None:
    huge = tmp_path / "huge.pdf"
    with open(huge, "wb") as f:     # sparse: 5 GB on paper, nothing on disk
        f.truncate(5 * 1024**3)
    line = error_line([str(huge), *BASE, "--eml", str(tmp_path / "o.eml")], limit_s=5)
    assert "huge.pdf is 5120 MB (5368709120 bytes), over the 10 MB limit" in line, line


def test_max_size_has_a_ceiling(zh_pdf: Path, tmp_path: Path) -> None:
    line = error_line([str(zh_pdf), *BASE, "--eml", str(tmp_path / "o.eml"), "--max-size", "5GB"])
    assert line == ("briefing mail: --max-size '5GB' is more than any mail service accepts — give at most 50 MB "
                    "(Gmail takes 25MB, Outlook.com 20MB)")


def test_body_file(zh_pdf: Path, tmp_path: Path) -> None:
    for path, what, fix in bad_files(tmp_path, text=True):
        line = error_line([str(zh_pdf), *BASE, "--eml", str(tmp_path / "o.eml"), "--body-file", path])
        if what == "not UTF-8 text":
            assert line == f"{path}:2:1: --body-file: not UTF-8 text (perhaps GBK) — save it as UTF-8", line
        else:
            assert line.startswith(f"briefing mail: cannot read --body-file {path}: {what}") and fix in line, line
    big = tmp_path / "long.txt"
    big.write_bytes(b"x" * (MAX_BODY_BYTES + 1))
    line = error_line([str(zh_pdf), *BASE, "--eml", str(tmp_path / "o.eml"), "--body-file", str(big)])
    assert line == (f"briefing mail: cannot read --body-file {big}: file is {MAX_BODY_BYTES + 1:,} bytes "
                    f"(limit {MAX_BODY_BYTES:,}) — a cover note is a few lines of text")
    assert not (tmp_path / "o.eml").exists()


def test_recipients(content: Path, tmp_path: Path) -> None:
    base = [str(content), "--from", "b@example.org", "--dry-run", "--out-dir", str(tmp_path / "out")]
    for path, what, fix in bad_files(tmp_path, text=True):
        line = error_line([*base, "--recipients", path])
        if what == "not UTF-8 text":
            assert line.startswith(f"{path}:2:1: not UTF-8 text (perhaps GBK from Excel)"), line
        else:
            assert line.startswith(f"{path}: {what}") and fix in line, line
    big = tmp_path / "big.csv"
    with open(big, "wb") as f:
        f.truncate(recipients.MAX_BYTES + 1)
    line = error_line([*base, "--recipients", str(big)])
    assert line == (f"{big}: file is {recipients.MAX_BYTES + 1:,} bytes (limit {recipients.MAX_BYTES:,}) — split "
                    f"the list into files of at most {recipients.MAX_READERS} readers")


def test_config(zh_pdf: Path, tmp_path: Path) -> None:
    base = [str(zh_pdf), *BASE, "--eml", str(tmp_path / "o.eml")]
    for path, what, fix in bad_files(tmp_path, text=True):
        line = error_line([*base, "--config", path])
        if what == "not UTF-8 text":
            assert line == f"{path}:2:1: not UTF-8 text — save it as UTF-8", line
        else:
            assert line.startswith(f"{path}: {what}") and fix in line, line
    big = tmp_path / "mail.toml"
    big.write_text("# comment\n" * (settings.MAX_BYTES // 10 + 1), encoding="utf-8")
    line = error_line([*base, "--config", str(big)])
    assert line.startswith(f"{big}: file is ") and "a settings file is a dozen short lines" in line, line


def test_send_log(content: Path, readers: Path, tmp_path: Path) -> None:
    for dry in (["--dry-run"], ["--smtp", "127.0.0.1:9", "--timeout", "5"]):
        base = [str(content), "--recipients", str(readers), "--from", "b@example.org",
                "--out-dir", str(tmp_path / "out"), *dry]
        for path, what, _fix in bad_files(tmp_path, text=False):
            line = error_line([*base, "--log", path])
            if dry == ["--dry-run"]:   # read only
                assert line.startswith(f"{path}: cannot read the send log: {what}"), line
            else:                      # opened to append: refused before it is opened
                kind = what.split(",")[0]
                assert line == (f"{path}: cannot open the send log: {kind}, not a regular file — give --log the "
                                "name of a regular file"), line
    big = tmp_path / "big.jsonl"
    with open(big, "wb") as f:
        f.truncate(sendlog.MAX_BYTES + 1)
    line = error_line([str(content), "--recipients", str(readers), "--from", "b@example.org", "--dry-run",
                       "--log", str(big)])
    assert line.startswith(f"{big}: cannot read the send log: file is "), line


# ---- files a run must never write into --------------------------------------------------------------------------

def test_the_log_is_never_an_input(content: Path, readers: Path, tmp_path: Path) -> None:
    note = tmp_path / "note.txt"
    note.write_text("one line, no newline", encoding="utf-8")
    for victim in (readers, content, note):
        before = victim.read_bytes()
        line = error_line([str(content), "--recipients", str(readers), "--from", "b@example.org",
                           "--smtp", "127.0.0.1:9", "--timeout", "5", "--body-file", str(note), "--log", str(victim)])
        assert line == (f"briefing mail: the send log {victim} is the input {victim}; it would be written into — "
                        "give --log another file name (default: OUT_DIR/<id>.send-log.jsonl)")
        assert victim.read_bytes() == before


def test_a_file_that_is_not_a_log_is_never_cut(content: Path, readers: Path, tmp_path: Path) -> None:
    """A one-line file without a newline was taken for a log cut short by a crash, and emptied."""
    other = tmp_path / "notes.txt"
    other.write_bytes(b"my notes, not a log")
    line = error_line([str(content), "--recipients", str(readers), "--from", "b@example.org",
                       "--smtp", "127.0.0.1:9", "--timeout", "5", "--log", str(other)])
    assert line.startswith(f"{other}:1:1: not a send-log entry"), line
    assert other.read_bytes() == b"my notes, not a log"


def test_eml_never_replaces_the_settings_file(zh_pdf: Path, tmp_path: Path) -> None:
    cfg = tmp_path / "mail.toml"
    cfg.write_text('sender = "b@example.org"\n', encoding="utf-8")
    line = error_line([str(zh_pdf), "--to", "a@example.org", "--config", str(cfg), "--eml", str(cfg), "--force"])
    assert "is the input" in line and cfg.read_text(encoding="utf-8") == 'sender = "b@example.org"\n'


# ---- the command as a user runs it --------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.skipif(not HAS_FIFO, reason="no named pipes here")
def test_the_command_exits_1_at_once_on_a_fifo_and_dev_zero(zh_pdf: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "note"
    os.mkfifo(fifo)
    env = dict(os.environ, PYTHONPATH=str(REPO), XDG_CONFIG_HOME=str(tmp_path / "cfg"))
    for body in [str(fifo), *(["/dev/zero"] if HAS_DEV_ZERO else [])]:
        done = subprocess.run([sys.executable, "-m", "briefing", "mail", str(zh_pdf), *BASE, "--eml",
                               str(tmp_path / "o.eml"), "--body-file", body],
                              capture_output=True, text=True, env=env, timeout=30, check=False)
        assert done.returncode == 1 and done.stdout == "", done
        assert done.stderr == (f"briefing mail: cannot read --body-file {body}: is "
                               f"{'a device' if body == '/dev/zero' else 'a named pipe (FIFO)'}, not a regular file "
                               "— give the path of a text file saved on disk\n")


# ---- what a hostile tester tried next ---------------------------------------------------------------------------

def test_body_file_bom_crlf_empty_and_control_characters(zh_pdf: Path, tmp_path: Path) -> None:
    import email
    import email.policy

    note = tmp_path / "note.txt"
    note.write_bytes("\ufeff李主任：\r\n\r\n请审阅。\r\n".encode())   # as Notepad saves it
    out = tmp_path / "o.eml"
    run([str(zh_pdf), *BASE, "--eml", str(out), "--body-file", str(note)])
    body = email.message_from_bytes(out.read_bytes(), policy=email.policy.default).get_body(("plain",))
    assert body.get_content().replace("\r\n", "\n") == "李主任：\n\n请审阅。\n"   # no U+FEFF, no stray CR
    note.write_text(" \n\n", encoding="utf-8")
    assert error_line([str(zh_pdf), *BASE, "--eml", str(tmp_path / "p.eml"), "--body-file", str(note)]) == (
        f"briefing mail: --body-file {note} is empty — write the note in it, or drop --body-file to send the "
        "default note")
    note.write_bytes(b"fine\nhello\x1b[31m red\n")
    assert error_line([str(zh_pdf), *BASE, "--eml", str(tmp_path / "p.eml"), "--body-file", str(note)]) == (
        f"{note}:2:6: --body-file: contains a control character (U+001B) — remove it: a note is plain text")
    assert error_line([str(zh_pdf), *BASE, "--eml", str(tmp_path / "p.eml"), "--body", "a\0b"]) == (
        "briefing mail: --body contains a NUL byte (U+0000) — remove it: a note is plain text")
    assert not (tmp_path / "p.eml").exists()


def test_a_damaged_pdf_gives_one_warning_in_our_form(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    fake = tmp_path / "fake.pdf"
    fake.write_bytes(b"%PDF-1.4 garbage")
    with caplog.at_level("DEBUG"):
        run([str(fake), *BASE, "--eml", str(tmp_path / "o.eml")])
    shown = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(shown) == 1 and shown[0].startswith(f"briefing mail: warning: {fake} looks damaged: "), shown
    assert shown[0].endswith("check that the PDF opens before sending it")   # pypdf's 'EOF marker not found' is not


@pytest.mark.slow
def test_a_readers_file_of_100k_rows_is_refused_at_the_limit(content: Path, tmp_path: Path) -> None:
    base = [str(content), "--from", "b@example.org", "--dry-run", "--out-dir", str(tmp_path / "out")]
    many = tmp_path / "many.csv"      # 100,000 rows: refused at the limit, in a few seconds at most
    many.write_text("email,name,lang\n" + "".join(f"r{i}@example.org,R {i},en\n" for i in range(100_000)),
                    encoding="utf-8")
    t = time.monotonic()
    assert error_line([*base, "--recipients", str(many)]) == (
        f"{many}:{recipients.MAX_READERS + 2}:1: more than {recipients.MAX_READERS} readers — split the list into "
        "smaller files")
    assert time.monotonic() - t < 10


def test_readers_files_a_hostile_tester_wrote(content: Path, tmp_path: Path) -> None:
    base = [str(content), "--from", "b@example.org", "--dry-run", "--out-dir", str(tmp_path / "out")]
    wide = tmp_path / "wide.csv"      # one 1 MB cell
    wide.write_text("email,name,lang\nx@example.org," + "N" * (1 << 20) + ",en\n", encoding="utf-8")
    assert error_line([*base, "--recipients", str(wide)]) == (
        f"{wide}:2:1: a cell is longer than 131,072 characters — check for a quote (\") left open on this line")
    open_quote = tmp_path / "quote.csv"   # the error names the line where the quote was opened
    open_quote.write_text('email,name,lang\nx@example.org,"Zhang,en\n' + "y@example.org,Y,en\n" * 20,
                          encoding="utf-8")
    assert error_line([*base, "--recipients", str(open_quote)]) == (
        f"{open_quote}:2:1: CSV syntax: unexpected end of data — check the quotes on this line")
    copied = tmp_path / "copied.csv"  # a cc cell of 5,000 addresses: refused, not sent to 5,000 people
    copied.write_text("email,name,lang,cc\nx@example.org,X,en," + ";".join(f"c{i}@example.org" for i in range(5000))
                      + "\n", encoding="utf-8")
    assert error_line([*base, "--recipients", str(copied)]) == (
        f"{copied}:2:20: cc: 5000 addresses (limit {recipients.MAX_CC}) — copy fewer people on one reader's message, "
        "or give them rows of their own")
    excel = tmp_path / "excel.csv"    # BOM, CRLF, semicolons, a quoted comma
    excel.write_bytes("\ufeffemail;name;lang\r\nx@example.org;张三;zh\r\ny@example.org;\"Li, Si\";en\r\n".encode())
    rc, out = run([*base, "--recipients", str(excel)])
    assert rc == 0 and "张三 <x@example.org>" in out and '"Li, Si" <y@example.org>' in out and "Dear Li, Si," in out


def test_a_control_character_in_a_file_name_is_shown_escaped(tmp_path: Path) -> None:
    name = tmp_path / "a\r\x1b[31mb.pdf"
    line = error_line([str(name), *BASE, "--eml", str(tmp_path / "o.eml")])
    assert line == f"briefing mail: cannot read {tmp_path}/a\\r\\x1b[31mb.pdf: no such file — check the PDF path"


def test_a_list_run_never_builds_over_a_file_that_is_not_its_pdf(content: Path, readers: Path, tmp_path: Path) -> None:
    """The PDFs of a list run are checked as `briefing build` checks them, before anything is built."""
    out = tmp_path / "out"
    out.mkdir()
    notes = out / "mini.zh.pdf"
    notes.write_text("my notes\n", encoding="utf-8")
    base = [str(content), "--recipients", str(readers), "--from", "b@example.org", "--out-dir", str(out)]
    for extra in (["--dry-run"], ["--smtp", "127.0.0.1:9", "--timeout", "5"]):
        assert error_line([*base, *extra]) == (f"briefing mail: output {notes} already exists and is not a PDF — "
                                               "move that file away, or choose another --out-dir")
    assert notes.read_text(encoding="utf-8") == "my notes\n"
    notes.unlink()
    notes.symlink_to(content)
    before = content.read_bytes()
    assert error_line([*base, "--dry-run"]) == (f"briefing mail: output {notes} is the same file as the input "
                                                f"{content}; it would be lost — choose another --out-dir")
    assert content.read_bytes() == before and notes.is_symlink()


class Hostile(Recorder):
    """A server whose replies carry terminal escape sequences (clear the screen, red text)."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return "550 5.1.1 \x1b[2J\x1b[31mgone\x1b[0m"


def test_a_servers_reply_never_drives_the_terminal(smtpd, content: Path, readers: Path, tmp_path: Path,  # noqa: F811
                                                   zh_pdf: Path) -> None:
    port = smtpd(Hostile())
    out = io.StringIO()
    from test_mail import parse

    from briefing.mail.cli import run_mail

    with pytest.raises(BriefingError) as info:
        run_mail(parse([str(content), "--recipients", str(readers), "--from", "b@example.org", "--out-dir",
                        str(tmp_path / "out"), "--smtp", f"127.0.0.1:{port}", "--timeout", "5"]),
                 env={"XDG_CONFIG_HOME": str(tmp_path / "cfg")}, stdout=out, stdin=io.StringIO())
    shown = out.getvalue() + str(info.value)
    assert "\x1b" not in shown and "\\x1b[2J\\x1b[31mgone" in shown, shown
    line = error_line([str(zh_pdf), *BASE, "--smtp", f"127.0.0.1:{port}", "--timeout", "5"])
    assert "\x1b" not in line and "\\x1b[31mgone" in line, line


def test_bidirectional_overrides_cannot_disguise_a_name_or_subject(zh_pdf: Path, content: Path, tmp_path: Path) -> None:
    """U+202E in a display name shows 'gro.elpmaxe@ssob' as 'boss@example.org': refused like a line break."""
    line = error_line([str(zh_pdf), "--to", "\u202egro.elpmaxe@ssob <x@example.org>", "--from", "b@example.org",
                       "--eml", str(tmp_path / "o.eml")])
    assert "contains a bidirectional text control (U+202E)" in line, line
    line = error_line([str(zh_pdf), *BASE, "--subject", "Q3 \u2066report", "--eml", str(tmp_path / "o.eml")])
    assert "--subject" in line and "contains a bidirectional text control (U+2066)" in line, line
    readers = tmp_path / "readers.csv"
    readers.write_text("email,name,lang\nx@example.org,\u202eZhang,en\n", encoding="utf-8")
    assert error_line([str(content), "--recipients", str(readers), "--from", "b@example.org", "--dry-run"]) == (
        f"{readers}:2:15: name: contains a bidirectional text control (U+202E) — remove it: each cell is one line "
        "of plain text")
    assert not (tmp_path / "o.eml").exists()
