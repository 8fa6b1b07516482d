"""`briefing mail`: the message itself — wrapped body, real Date and unique Message-ID, attachment names
that mail programs and unpackers (Python's email, ripmime, munpack) recover."""
# ruff: noqa: F811  (the fixtures imported from test_mail are parameters here)
from __future__ import annotations

import email
import email.policy
import email.utils
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from test_mail import EPOCH, Recorder, make_pdf, pdf_parts, received, run, smtp_args, smtpd, zh_pdf  # noqa: F401  (fixtures)

from briefing.mail.message import columns, flow, unflow

LONG_ZH_NAME = "焦作经济简报 2025 年上半年（含附表、图表与数据说明）修订版.pdf"
PARAGRAPH_EN = ("Gross domestic product grew by 6.3% in the first half, ranking 6th in the province; general "
                "public budget revenue reached CNY 7.99 billion, and services value added grew by 6.9%. ") * 12
PARAGRAPH_ZH = ("上半年，全市地区生产总值同比增长6.3%，居全省第六位；一般公共预算收入79.9亿元，"
                "服务业增加值增长6.9%，高于全省平均水平0.9个百分点。“十四五”规划（2021—2025年）稳步推进。") * 8


def eml(tmp_path: Path, pdf: Path, *extra: str, env: dict[str, str] | None = None, name: str = "o.eml") -> bytes:
    out = tmp_path / name
    run([str(pdf), "--to", "a@example.org", "--from", "b@example.org", *extra, "--eml", str(out)], env)
    return out.read_bytes()


def text_part(raw: bytes) -> email.message.EmailMessage:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    return msg.get_body(("plain",))


# ---- 3. body wrapped at 78 columns ---------------------------------------------------------------------------

@pytest.mark.parametrize("paragraph", [PARAGRAPH_EN, PARAGRAPH_ZH, PARAGRAPH_EN[:500] + PARAGRAPH_ZH[:300]])
def test_a_long_body_line_is_flowed_within_78_columns_and_reads_back_whole(tmp_path: Path, zh_pdf: Path,
                                                                           paragraph: str) -> None:
    body = f"Hello,\n\n{paragraph.strip()}\n\nBest regards\n"
    raw = eml(tmp_path, zh_pdf, "--body", body)
    assert max(len(line) for line in raw.split(b"\r\n")) <= 78            # transport lines
    part = text_part(raw)
    assert part.get_param("format") == "flowed" and part.get_param("delsp") == "yes"
    shown = part.get_content().replace("\r\n", "\n")
    assert max(columns(line) for line in shown.split("\n")) <= 78        # what a plain reader sees
    for line in shown.split("\n"):
        assert not line.lstrip().startswith(("，", "。", "、", "；", "）", "”", "%")), line
        assert not line.rstrip(" ").endswith(("（", "“")), line
    assert unflow(shown).rstrip("\n") == body.rstrip("\n")              # what a flowed reader shows


def test_a_3000_character_line_that_cannot_wrap_goes_quoted_printable(tmp_path: Path, zh_pdf: Path) -> None:
    url = "https://example.org/" + "a" * 2980
    raw = eml(tmp_path, zh_pdf, "--body", f"See {url} please.\n")
    assert max(len(line) for line in raw.split(b"\r\n")) <= 78
    part = text_part(raw)
    assert part["Content-Transfer-Encoding"] == "quoted-printable"
    assert unflow(part.get_content().replace("\r\n", "\n")).rstrip("\n") == f"See {url} please."


def test_flowed_text_keeps_quotes_from_and_signature_separator() -> None:
    text = "From here on\n> not a quote\n  indented\ntrailing spaces   \n-- \nOffice"
    flowed, fits = flow(text)
    assert fits
    assert flowed.split("\n") == [" From here on", " > not a quote", "   indented", "trailing spaces", "-- ",
                                  "Office"]
    assert unflow(flowed) == "From here on\n> not a quote\n  indented\ntrailing spaces\n-- \nOffice"


# ---- 3. a real Date and a unique Message-ID on every send -----------------------------------------------

def test_real_sends_ignore_source_date_epoch(smtpd, zh_pdf: Path) -> None:
    handler = Recorder()
    port = smtpd(handler)
    for _ in range(2):
        run(smtp_args(zh_pdf, port), {"SOURCE_DATE_EPOCH": EPOCH})
    first, second = (received(e) for e in handler.envelopes)
    assert first["Message-ID"] != second["Message-ID"]
    for msg in (first, second):
        sent = email.utils.parsedate_to_datetime(msg["Date"]).timestamp()
        assert abs(sent - time.time()) < 120


def test_eml_with_source_date_epoch_is_reproducible_but_without_it_unique(tmp_path: Path, zh_pdf: Path) -> None:
    env = {"SOURCE_DATE_EPOCH": EPOCH}
    assert eml(tmp_path, zh_pdf, env=env, name="1.eml") == eml(tmp_path, zh_pdf, env=env, name="2.eml")
    ids = {email.message_from_bytes(eml(tmp_path, zh_pdf, name=f"{n}.eml"))["Message-ID"] for n in (3, 4)}
    assert len(ids) == 2


# ---- 3. attachment names -----------------------------------------------------------------------------------

@pytest.fixture
def long_named(tmp_path: Path) -> Path:
    return make_pdf(tmp_path / LONG_ZH_NAME, title="焦作经济简报", lang="zh-CN")


def test_long_chinese_name_is_rfc2231_plus_rfc2047_and_python_reads_it(tmp_path: Path, long_named: Path) -> None:
    raw = eml(tmp_path, long_named)
    assert max(len(line) for line in raw.split(b"\r\n")) <= 78
    head = raw.split(b"\r\n\r\n%PDF")[0]
    assert b"filename*0*=utf-8''%E7%84%A6" in raw                 # RFC 2231, continued
    assert b'name="=?utf-8?b?' in raw                              # RFC 2047 words for older readers
    assert b" name*" not in raw and b"filename=\"" not in raw       # never a plain and a starred form together
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    (part,) = pdf_parts(msg)
    assert part.get_filename() == LONG_ZH_NAME and part.get_content() == long_named.read_bytes()
    assert part.get_param("name") == LONG_ZH_NAME or "=?utf-8?b?" in str(part.get_param("name"))
    assert head


def test_ripmime_recovers_the_chinese_name(tmp_path: Path, long_named: Path) -> None:
    ripmime = shutil.which("ripmime")
    if ripmime is None:
        pytest.skip("ripmime (Debian package ripmime) is not installed")
    source = tmp_path / "m.eml"
    source.write_bytes(eml(tmp_path, long_named))
    out = tmp_path / "ripped"
    out.mkdir()
    done = subprocess.run([ripmime, "-i", str(source), "-d", str(out)], capture_output=True, timeout=30, check=False)
    assert done.returncode == 0, done.stderr
    pdfs = [p for p in out.iterdir() if p.read_bytes().startswith(b"%PDF")]
    assert [p.name for p in pdfs] == [LONG_ZH_NAME]                 # one file, the right name, no extras
    assert pdfs[0].read_bytes() == long_named.read_bytes()


def test_munpack_extracts_the_pdf_under_a_name_from_our_headers(tmp_path: Path, long_named: Path) -> None:
    """munpack 1.6 replaces every byte outside printable ASCII with 'X' (unixos.c), so no encoding can give
    it a Chinese file name; what it can do is find the name at all (a bare RFC 2231 name gives `part1`)
    and extract identical bytes. ASCII names come through exactly."""
    munpack = shutil.which("munpack")
    if munpack is None:
        pytest.skip("munpack (Debian package mpack) is not installed")
    ascii_pdf = make_pdf(tmp_path / "jiaozuo-2025-h1.zh.pdf", title="焦作经济简报", lang="zh-CN")
    for pdf in (long_named, ascii_pdf):
        source = tmp_path / f"{pdf.stem}.eml"
        source.write_bytes(eml(tmp_path, pdf, name=source.name))
        out = tmp_path / f"unpacked-{pdf.stem}"
        out.mkdir()
        done = subprocess.run([munpack, "-f", "-C", str(out), str(source)], capture_output=True, text=True,
                              timeout=30, check=False)
        assert done.returncode == 0, done.stderr
        (written,) = [line.split(" (")[0] for line in done.stdout.splitlines() if "(application/pdf)" in line]
        assert (out / written).read_bytes() == pdf.read_bytes()
        assert not written.startswith("part")
        if pdf is ascii_pdf:
            assert written == "jiaozuo-2025-h1.zh.pdf"
