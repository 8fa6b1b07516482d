"""`briefing mail`: .eml output and SMTP delivery against real servers on 127.0.0.1.

Every network test passes --timeout 5 and uses only loopback servers started here (aiosmtpd, or a tiny
raw socket server for a connection that drops in the middle of DATA).
"""
from __future__ import annotations

import argparse
import contextlib
import datetime
import email
import email.policy
import io
import os
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from pypdf.generic import NameObject, TextStringObject
from pypdf.xmp import XmpInformation
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from briefing.deliver import DEFAULT_MAX_SIZE, format_size, parse_size, pdf_title_and_lang
from briefing.errors import DeliveryError
from briefing.mailcli import add_mail_parser, run_mail

REPO = Path(__file__).resolve().parents[1]
ZH_TITLE = "焦作经济简报 2025 年上半年"
ZH_NAME = "焦作经济简报.pdf"
EPOCH = "1735689600"  # 2025-01-01T00:00:00Z
NET = ["--timeout", "5"]


# ---- PDFs ----------------------------------------------------------------------------------------------

def make_pdf(path: Path, title: str | None = None, lang: str | None = None, xmp_title: str | None = None,
             xmp_lang: str | None = None, noise_bytes: int = 0) -> Path:
    """A real ReportLab PDF; /Lang and XMP added with pypdf the way our renderer will write them."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    if title:
        c.setTitle(title)
    c.drawString(72, 720, "Jiaozuo economy, first half of 2025")
    if noise_bytes:  # incompressible pixels make a PDF of roughly this size
        from PIL import Image

        side = int((noise_bytes / 3) ** 0.5)
        img = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
        c.drawImage(ImageReader(img), 72, 72, 400, 400)
    c.save()
    if lang or xmp_title or xmp_lang:
        writer = pypdf.PdfWriter(clone_from=io.BytesIO(buf.getvalue()))
        if lang:
            writer._root_object[NameObject("/Lang")] = TextStringObject(lang)
        if xmp_title or xmp_lang:
            xmp = XmpInformation.create()
            if xmp_title:
                xmp.dc_title = {"x-default": xmp_title}
            if xmp_lang:
                xmp.dc_language = [xmp_lang]
            writer.xmp_metadata = xmp
        buf = io.BytesIO()
        writer.write(buf)
    path.write_bytes(buf.getvalue())
    return path


@pytest.fixture
def zh_pdf(tmp_path: Path) -> Path:
    return make_pdf(tmp_path / ZH_NAME, title=ZH_TITLE, lang="zh-CN", xmp_title=ZH_TITLE, xmp_lang="zh-CN")


@pytest.fixture
def en_pdf(tmp_path: Path) -> Path:
    return make_pdf(tmp_path / "jiaozuo-brief.pdf", title="Jiaozuo Economic Briefing, H1 2025", lang="en-GB")


# ---- running the subcommand --------------------------------------------------------------------------------

def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="briefing")
    add_mail_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["mail", *argv])


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def run(argv: list[str], env: dict[str, str] | None = None, **kw: object) -> tuple[int, str]:
    out = io.StringIO()
    kw.setdefault("stdin", io.StringIO())  # not a terminal unless a test says so
    env = dict(env or {})
    env.setdefault("XDG_CONFIG_HOME", "/nonexistent/briefing-tests")  # never the developer's own mail.toml
    rc = run_mail(parse(argv), env=env, stdout=out, **kw)
    return rc, out.getvalue()


def snapshot(pdf: Path) -> tuple[bytes, int] | None:
    return (pdf.read_bytes(), pdf.stat().st_mtime_ns) if pdf.is_file() else None


def expect_error(argv: list[str], pdf: Path, *needles: str, env: dict[str, str] | None = None,
                 **kw: object) -> str:
    """The command fails with one clear line that names the problem and a fix; the PDF is untouched."""
    before = snapshot(pdf)
    with pytest.raises(DeliveryError) as info:
        run(argv, env, **kw)
    line = str(info.value)
    assert "\n" not in line and "Traceback" not in line
    assert line.startswith("briefing mail: ") and " — " in line, line
    for needle in needles:
        assert needle in line, f"{needle!r} not in {line!r}"
    assert snapshot(pdf) == before
    return line


# ---- servers on 127.0.0.1 -------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Recorder:
    """Keeps what arrived; optionally refuses recipients or hangs up during DATA."""

    def __init__(self, reject_rcpt: bool = False, drop_in_data: bool = False) -> None:
        self.envelopes: list[object] = []
        self.reject_rcpt = reject_rcpt
        self.drop_in_data = drop_in_data

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.reject_rcpt:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.drop_in_data:
            server.transport.close()
            return "250 never seen"
        self.envelopes.append(envelope)
        return "250 2.0.0 queued"


def only_user(user: str, password: str):
    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == user.encode() \
            and auth_data.password == password.encode()
        return AuthResult(success=ok, handled=False)
    return authenticator


@pytest.fixture
def smtpd() -> Iterator:
    """Factory: smtpd(handler, **aiosmtpd options) → port of a running server, stopped after the test."""
    running: list[Controller] = []

    def start(handler: Recorder, **options: object) -> int:
        port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port, ready_timeout=5, **options)
        controller.start()
        running.append(controller)
        return port

    yield start
    for controller in running:
        controller.stop()


@pytest.fixture
def raw_smtp() -> Iterator:
    """Factory: raw_smtp(mode) → port of a hand-written SMTP server on 127.0.0.1 for one connection.

    mode "drop": accepts the envelope, says 354, reads part of the data, then resets the connection;
    "silent": accepts the TCP connection but never greets; "silent-after-data": takes the whole message
    and never answers it.
    """
    started: list[tuple[socket.socket, threading.Thread]] = []

    def start(mode: str) -> int:
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.settimeout(10)
        thread = threading.Thread(target=_serve_raw, args=(listener, mode), daemon=True)
        thread.start()
        started.append((listener, thread))
        return listener.getsockname()[1]

    yield start
    for listener, thread in started:
        if thread.is_alive():  # never used: a connection that closes at once ends accept() and the thread
            with contextlib.suppress(OSError), socket.create_connection(listener.getsockname(), timeout=5):
                pass
        thread.join(10)
        listener.close()


def _serve_raw(listener: socket.socket, mode: str) -> None:
    try:
        conn, _ = listener.accept()
    except OSError:
        return
    conn.settimeout(5)
    with conn, conn.makefile("rb") as lines, contextlib.suppress(OSError):
        if mode == "silent":
            conn.recv(1)  # until the client gives up and closes
            return
        conn.sendall(b"220 127.0.0.1 ESMTP raw\r\n")
        for line in lines:
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                conn.sendall(b"250 127.0.0.1\r\n")
            elif verb == b"DATA":
                conn.sendall(b"354 go ahead\r\n")
                if mode == "drop":
                    lines.read(4096)  # part of the message, then the line goes dead
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST
                    return
                for data_line in lines:
                    if data_line == b".\r\n":
                        break
                conn.recv(1)  # no reply; wait until the client gives up
                return
            else:
                conn.sendall(b"250 OK\r\n")


def smtp_args(pdf: Path, port: int, *extra: str) -> list[str]:
    return [str(pdf), "--to", "Zhang San <zhang@example.org>", "--from", "office@example.org",
            "--smtp", f"127.0.0.1:{port}", *NET, *extra]


def received(envelope: object) -> email.message.EmailMessage:
    return email.message_from_bytes(envelope.content, policy=email.policy.default)  # type: ignore[attr-defined]


def pdf_parts(msg: email.message.EmailMessage) -> list[email.message.EmailMessage]:
    return [p for p in msg.iter_attachments() if p.get_content_type() == "application/pdf"]


# ---- delivery ------------------------------------------------------------------------------------------

def test_delivers_the_pdf_byte_identical_with_chinese_name_and_note(smtpd, zh_pdf: Path) -> None:
    handler = Recorder()
    port = smtpd(handler)
    rc, out = run(smtp_args(zh_pdf, port, "--cc", "li@example.org"))
    assert rc == 0 and f"127.0.0.1:{port}" in out
    (env,) = handler.envelopes
    assert env.mail_from == "office@example.org"
    assert env.rcpt_tos == ["zhang@example.org", "li@example.org"]
    msg = received(env)
    (part,) = pdf_parts(msg)
    assert part.get_filename() == ZH_NAME
    assert part.get_content() == zh_pdf.read_bytes()
    assert msg["Subject"] == ZH_TITLE
    body = msg.get_body(("plain",)).get_content()
    assert body.startswith("您好：") and f"附件为《{ZH_TITLE}》（PDF，" in body and "此致" in body
    assert msg["Message-ID"].endswith("@example.org>") and msg["Date"]


def test_login_uses_the_password_from_the_environment(smtpd, zh_pdf: Path) -> None:
    handler = Recorder()
    port = smtpd(handler, authenticator=only_user("office", "s3cret"), auth_require_tls=False)

    def no_prompt(prompt: str) -> str:
        raise AssertionError("must not prompt when BRIEFING_SMTP_PASSWORD is set")

    run(smtp_args(zh_pdf, port, "--user", "office"), {"BRIEFING_SMTP_PASSWORD": "s3cret"},
        ask_password=no_prompt)
    assert len(handler.envelopes) == 1


def test_password_is_asked_for_on_a_terminal(smtpd, zh_pdf: Path) -> None:
    handler = Recorder()
    port = smtpd(handler, authenticator=only_user("office", "s3cret"), auth_require_tls=False)
    prompts: list[str] = []
    run(smtp_args(zh_pdf, port, "--user", "office"), {}, stdin=FakeTTY(),
        ask_password=lambda p: prompts.append(p) or "s3cret")
    assert len(prompts) == 1 and "office" in prompts[0]
    assert len(handler.envelopes) == 1


def test_english_briefing_gets_an_english_note(tmp_path: Path, en_pdf: Path) -> None:
    out = tmp_path / "out.eml"
    run([str(en_pdf), "--to", "a@example.org", "--from", "b@example.org", "--eml", str(out)])
    msg = email.message_from_bytes(out.read_bytes(), policy=email.policy.default)
    assert msg["Subject"] == "Jiaozuo Economic Briefing, H1 2025"
    body = msg.get_body(("plain",)).get_content()
    assert body.startswith("Hello,") and "“Jiaozuo Economic Briefing, H1 2025” (PDF, " in body


def test_subject_and_body_options_override_the_defaults(tmp_path: Path, zh_pdf: Path) -> None:
    body_file = tmp_path / "note.txt"
    body_file.write_text("李主任：\n\n请审阅。\n", encoding="utf-8")
    out = tmp_path / "out.eml"
    run([str(zh_pdf), "--to", "a@example.org", "--from", "b@example.org", "--subject", "周报",
         "--body-file", str(body_file), "--eml", str(out)])
    msg = email.message_from_bytes(out.read_bytes(), policy=email.policy.default)
    assert msg["Subject"] == "周报"
    assert msg.get_body(("plain",)).get_content().replace("\r\n", "\n") == "李主任：\n\n请审阅。\n"


# ---- reading title and language from the PDF -----------------------------------------------------------------

def test_title_and_language_come_from_xmp_and_catalog(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "a.pdf", title="Info title", lang="zh-Hans", xmp_title="XMP 标题")
    assert pdf_title_and_lang(pdf.read_bytes(), "a") == ("XMP 标题", "zh")


@pytest.mark.parametrize("tag,lang", [("zh", "zh"), ("zh_CN", "zh"), ("ZH-hant-TW", "zh"), ("en-US", "en"),
                                      ("de", "en")])
def test_language_tags(tmp_path: Path, tag: str, lang: str) -> None:
    pdf = make_pdf(tmp_path / "a.pdf", title="Brief", lang=tag)
    assert pdf_title_and_lang(pdf.read_bytes(), "a")[1] == lang


def test_xmp_language_is_used_when_the_catalog_has_none(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "a.pdf", title="Brief", xmp_lang="zh-CN")
    assert pdf_title_and_lang(pdf.read_bytes(), "a") == ("Brief", "zh")


def test_without_metadata_the_file_name_and_english_are_used(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "weekly-report.pdf")  # ReportLab writes the placeholder title "untitled"
    assert pdf_title_and_lang(pdf.read_bytes(), "weekly-report") == ("weekly-report", "en")
    assert pdf_title_and_lang(pdf.read_bytes(), "焦作简报") == ("焦作简报", "zh")


@pytest.mark.parametrize("lang,title,greeting", [("zh", ZH_TITLE, "您好："),
                                                  ("en", "Jiaozuo Economic Briefing, H1 2025", "Hello,")])
def test_reads_what_our_renderer_writes(tmp_path: Path, lang: str, title: str, greeting: str) -> None:
    render = pytest.importorskip("briefing.render")
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph

    meta = render.Meta(title=title, author="a", subject="s", keywords=("k",), lang=lang,
                       date=datetime.date(2025, 7, 1), header_left="l", header_right="r",
                       page_label="{n}/{total}")
    pdf = tmp_path / "brief.pdf"
    pdf.write_bytes(render.render([Paragraph("text", getSampleStyleSheet()["Normal"])], meta))
    out = tmp_path / "out.eml"
    run([str(pdf), "--to", "a@example.org", "--from", "b@example.org", "--eml", str(out)])
    msg = email.message_from_bytes(out.read_bytes(), policy=email.policy.default)
    assert msg["Subject"] == title
    assert msg.get_body(("plain",)).get_content().startswith(greeting)


def test_a_damaged_pdf_is_still_sent_with_a_file_name_subject(tmp_path: Path) -> None:
    pdf = tmp_path / "broken.pdf"
    pdf.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 50)
    out = tmp_path / "out.eml"
    run([str(pdf), "--to", "a@example.org", "--from", "b@example.org", "--eml", str(out)])
    msg = email.message_from_bytes(out.read_bytes(), policy=email.policy.default)
    assert msg["Subject"] == "broken"
    assert pdf_parts(msg)[0].get_content() == pdf.read_bytes()


# ---- .eml --------------------------------------------------------------------------------------------------

def test_eml_parses_and_is_reproducible_with_source_date_epoch(tmp_path: Path, zh_pdf: Path) -> None:
    args = [str(zh_pdf), "--to", "张三 <zhang@example.org>", "--from", "office@example.org"]
    first, second = tmp_path / "1.eml", tmp_path / "2.eml"
    run([*args, "--eml", str(first)], {"SOURCE_DATE_EPOCH": EPOCH})
    run([*args, "--eml", str(second)], {"SOURCE_DATE_EPOCH": EPOCH})
    raw = first.read_bytes()
    assert raw == second.read_bytes()
    lines = raw.split(b"\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"") and max(map(len, lines)) <= 78
    assert b"filename*=utf-8''%E7%84%A6%E4%BD%9C" in raw  # RFC 2231
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["Date"] == "Wed, 01 Jan 2025 00:00:00 +0000"
    assert msg["To"].addresses[0].display_name == "张三"
    (part,) = pdf_parts(msg)
    assert part.get_filename() == ZH_NAME and part.get_content() == zh_pdf.read_bytes()


def test_without_source_date_epoch_message_ids_differ(tmp_path: Path, zh_pdf: Path) -> None:
    ids = []
    for name in ("1.eml", "2.eml"):
        run([str(zh_pdf), "--to", "a@example.org", "--from", "b@example.org", "--eml", str(tmp_path / name)])
        ids.append(email.message_from_bytes((tmp_path / name).read_bytes())["Message-ID"])
    assert ids[0] != ids[1]


def test_munpack_extracts_the_identical_pdf(tmp_path: Path, zh_pdf: Path) -> None:
    munpack = shutil.which("munpack")
    if munpack is None:
        pytest.skip("munpack (Debian package mpack) is not installed")
    eml = tmp_path / "out.eml"
    run([str(zh_pdf), str(zh_pdf), "--to", "a@example.org", "--from", "b@example.org", "--eml", str(eml)])
    outdir = tmp_path / "unpacked"
    outdir.mkdir()
    done = subprocess.run([munpack, "-f", "-C", str(outdir), str(eml)], capture_output=True, text=True,
                          timeout=30, check=False)
    assert done.returncode == 0, done.stderr
    written = [line.split(" (")[0] for line in done.stdout.splitlines() if "(application/pdf)" in line]
    assert len(written) == 2
    for name in written:
        assert (outdir / name).read_bytes() == zh_pdf.read_bytes()


# ---- errors -------------------------------------------------------------------------------------------------

def test_server_down(zh_pdf: Path) -> None:
    port = free_port()  # nothing listens here
    expect_error(smtp_args(zh_pdf, port), zh_pdf, f"cannot connect to 127.0.0.1:{port}: connection refused",
                 "check --smtp HOST:PORT")


def test_login_refused(smtpd, zh_pdf: Path) -> None:
    handler = Recorder()
    port = smtpd(handler, authenticator=only_user("office", "right"), auth_require_tls=False)
    expect_error(smtp_args(zh_pdf, port, "--user", "office"), zh_pdf, "refused the login for office", "535",
                 "BRIEFING_SMTP_PASSWORD", env={"BRIEFING_SMTP_PASSWORD": "wrong"})
    assert handler.envelopes == []


def test_recipient_rejected(smtpd, zh_pdf: Path) -> None:
    handler = Recorder(reject_rcpt=True)
    port = smtpd(handler)
    expect_error(smtp_args(zh_pdf, port), zh_pdf, "rejected the recipient zhang@example.org: 550", "--to")
    assert handler.envelopes == []


def test_connection_dropped_in_the_middle_of_data(raw_smtp, tmp_path: Path) -> None:
    big = make_pdf(tmp_path / "big.pdf", title="Big", noise_bytes=2_000_000)
    expect_error(smtp_args(big, raw_smtp("drop")), big, "dropped the connection while sending the message",
                 "try again")


@pytest.mark.slow
def test_server_that_never_greets(raw_smtp, zh_pdf: Path) -> None:
    port = raw_smtp("silent")
    expect_error([*smtp_args(zh_pdf, port), "--timeout", "1"], zh_pdf,
                 f"cannot connect to 127.0.0.1:{port}: no answer within 1 s", "--timeout")


@pytest.mark.slow
def test_server_that_never_confirms_the_message(raw_smtp, zh_pdf: Path) -> None:
    port = raw_smtp("silent-after-data")
    expect_error([*smtp_args(zh_pdf, port), "--timeout", "1"], zh_pdf,
                 "stopped answering while sending the message (timeout 1 s)")


def test_connection_dropped_at_end_of_data(smtpd, zh_pdf: Path) -> None:
    port = smtpd(Recorder(drop_in_data=True))
    expect_error(smtp_args(zh_pdf, port), zh_pdf, "dropped the connection while sending the message")


def test_missing_pdf(tmp_path: Path) -> None:
    missing = tmp_path / "nope.pdf"
    expect_error([str(missing), "--to", "a@example.org", "--from", "b@example.org", "--eml",
                  str(tmp_path / "o.eml")], missing, "nope.pdf: no such file", "check the PDF path")
    assert not (tmp_path / "o.eml").exists()


def test_unreadable_pdf(tmp_path: Path, zh_pdf: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root can read files without read permission")
    zh_pdf.chmod(0)
    try:
        expect_error([str(zh_pdf), "--to", "a@example.org", "--from", "b@example.org", "--eml",
                      str(tmp_path / "o.eml")], zh_pdf, "permission denied")
    finally:
        zh_pdf.chmod(0o644)


def test_a_folder_is_not_a_pdf(tmp_path: Path) -> None:
    expect_error([str(tmp_path), "--to", "a@example.org", "--from", "b@example.org", "--eml",
                  str(tmp_path / "o.eml")], tmp_path, "is a folder, not a PDF file")


def test_not_a_pdf(tmp_path: Path) -> None:
    fake = tmp_path / "report.pdf"
    fake.write_text("<html>not a pdf</html>")
    expect_error([str(fake), "--to", "a@example.org", "--from", "b@example.org", "--eml",
                  str(tmp_path / "o.eml")], fake, "report.pdf: not a PDF")


@pytest.mark.parametrize("option,value", [("--to", "zhang.example.org"), ("--to", "a@b@c"),
                                          ("--cc", "li@"), ("--from", "Office <>"), ("--to", "张@例子.中国")])
def test_bad_address(tmp_path: Path, zh_pdf: Path, option: str, value: str) -> None:
    argv = [str(zh_pdf), "--to", "a@example.org", "--from", "b@example.org", option, value,
            "--eml", str(tmp_path / "o.eml")]
    expect_error(argv, zh_pdf, f"{option} {value!r} is not an e-mail address")


def test_oversize_attachment_is_refused(tmp_path: Path, zh_pdf: Path) -> None:
    size = zh_pdf.stat().st_size
    line = expect_error([str(zh_pdf), "--to", "a@example.org", "--from", "b@example.org", "--max-size", "1KB",
                         "--eml", str(tmp_path / "o.eml")], zh_pdf, "over the 1 KB limit", "--max-size")
    assert format_size(size) in line
    assert not (tmp_path / "o.eml").exists()


def test_user_without_password_or_terminal(smtpd, zh_pdf: Path) -> None:
    port = smtpd(Recorder(), authenticator=only_user("office", "x"), auth_require_tls=False)
    expect_error(smtp_args(zh_pdf, port, "--user", "office"), zh_pdf, "BRIEFING_SMTP_PASSWORD is not set",
                 "no terminal")


def test_eml_cannot_combine_with_smtp_options(tmp_path: Path, zh_pdf: Path) -> None:
    expect_error([str(zh_pdf), "--to", "a@example.org", "--from", "b@example.org", "--user", "u",
                  "--eml", str(tmp_path / "o.eml")], zh_pdf, "only apply when sending")


def test_no_sender_anywhere(tmp_path: Path, zh_pdf: Path) -> None:
    expect_error([str(zh_pdf), "--to", "a@example.org", "--eml", str(tmp_path / "o.eml")], zh_pdf,
                 "no sender address", "--from")


def test_sender_defaults_to_email_variable(tmp_path: Path, zh_pdf: Path) -> None:
    out = tmp_path / "o.eml"
    run([str(zh_pdf), "--to", "a@example.org", "--eml", str(out)], {"EMAIL": "me@example.org"})
    assert email.message_from_bytes(out.read_bytes())["From"] == "me@example.org"


# ---- TLS (self-signed certificate for 127.0.0.1, trusted through SSL_CERT_FILE) -----------------------------

@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed; cannot make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    crt, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", str(key), "-out", str(crt), "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True, timeout=30)
    return crt, key


def server_context(cert: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*map(str, cert))
    return context


def test_starttls_with_login_delivers(smtpd, cert, zh_pdf: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(cert[0]))
    handler = Recorder()
    port = smtpd(handler, tls_context=server_context(cert), require_starttls=True,
                 authenticator=only_user("office", "s3cret"))  # AUTH only after STARTTLS (the default)
    run(smtp_args(zh_pdf, port, "--starttls", "--user", "office"), {"BRIEFING_SMTP_PASSWORD": "s3cret"})
    (env,) = handler.envelopes
    assert pdf_parts(received(env))[0].get_content() == zh_pdf.read_bytes()


def test_implicit_tls_delivers(smtpd, cert, zh_pdf: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(cert[0]))
    handler = Recorder()
    port = smtpd(handler, ssl_context=server_context(cert))
    run(smtp_args(zh_pdf, port, "--ssl"))
    assert len(handler.envelopes) == 1


def test_untrusted_certificate(smtpd, cert, zh_pdf: Path, monkeypatch: pytest.MonkeyPatch,
                               tmp_path: Path) -> None:
    empty_store = tmp_path / "none.pem"
    empty_store.write_text("")
    monkeypatch.setenv("SSL_CERT_FILE", str(empty_store))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
    handler = Recorder()
    port = smtpd(handler, tls_context=server_context(cert))
    expect_error(smtp_args(zh_pdf, port, "--starttls"), zh_pdf, "TLS certificate is not trusted")
    assert handler.envelopes == []


def test_ssl_against_a_plain_server(smtpd, zh_pdf: Path) -> None:
    port = smtpd(Recorder())
    expect_error(smtp_args(zh_pdf, port, "--ssl"), zh_pdf, f"TLS with 127.0.0.1:{port} failed", "--starttls")


def test_starttls_not_offered(smtpd, zh_pdf: Path) -> None:
    port = smtpd(Recorder())
    expect_error(smtp_args(zh_pdf, port, "--starttls"), zh_pdf, "does not offer STARTTLS")


def test_login_not_offered(smtpd, zh_pdf: Path) -> None:
    port = smtpd(Recorder())  # no authenticator: no AUTH in the EHLO answer
    expect_error(smtp_args(zh_pdf, port, "--user", "office"), zh_pdf, "does not offer login",
                 env={"BRIEFING_SMTP_PASSWORD": "x"})


# ---- sizes ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [("10MB", 10 * 1024 * 1024), ("500KB", 500 * 1024),
                                           ("123456", 123456), ("1.5 mb", 1572864), ("2MiB", 2 * 1024**2)])
def test_parse_size(text: str, expected: int) -> None:
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["", "ten", "10XB", "-5MB", "0"])
def test_parse_size_rejects(text: str) -> None:
    with pytest.raises(DeliveryError, match="--max-size"):
        parse_size(text)


def test_default_limit_is_ten_binary_megabytes() -> None:
    default = parse(["x.pdf", "--to", "a@b.org", "--eml", "o"]).max_size
    assert parse_size(default) == DEFAULT_MAX_SIZE == 10 * 1024 * 1024


# ---- through `python -m briefing` --------------------------------------------------------------------------

def _cli_present() -> bool:
    return (REPO / "briefing" / "cli.py").exists() and (REPO / "briefing" / "__main__.py").exists()


@pytest.mark.slow
@pytest.mark.skipif(not _cli_present(), reason="briefing/cli.py and __main__.py not in the repo yet")
@pytest.mark.parametrize("case", ["down", "login", "rcpt", "drop", "missing"])
def test_cli_errors_are_one_line_without_traceback(case: str, smtpd, zh_pdf: Path, tmp_path: Path,
                                                    request: pytest.FixtureRequest) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("BRIEFING_SMTP_PASSWORD", "EMAIL")}
    env["PYTHONPATH"] = str(REPO)
    pdf, extra = zh_pdf, []
    if case == "down":
        port = free_port()
    elif case == "login":
        port = smtpd(Recorder(), authenticator=only_user("office", "right"), auth_require_tls=False)
        extra, env["BRIEFING_SMTP_PASSWORD"] = ["--user", "office"], "wrong"
    elif case == "rcpt":
        port = smtpd(Recorder(reject_rcpt=True))
    elif case == "drop":
        port = request.getfixturevalue("raw_smtp")("drop")
        pdf = make_pdf(tmp_path / "big.pdf", title="Big", noise_bytes=2_000_000)
    else:
        port, pdf = free_port(), tmp_path / "missing.pdf"
    before = pdf.read_bytes() if pdf.exists() else None
    done = subprocess.run([sys.executable, "-m", "briefing", "mail", *smtp_args(pdf, port, *extra)],
                          capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=60,
                          cwd=tmp_path, check=False)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if "briefing mail:" in line and " — " in line]
    assert len(errors) == 1, done.stderr
    assert (pdf.read_bytes() if pdf.exists() else None) == before
