"""`briefing mail`: never lose a file with --eml, never let a value inject a header or a recipient."""
# ruff: noqa: F811  (the fixtures imported from test_mail are parameters here)
from __future__ import annotations

import email
import email.policy
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_mail import REPO, Recorder, expect_error, received, run, smtp_args, smtpd, zh_pdf  # noqa: F401  (fixtures)

BASE = ["--to", "a@example.org", "--from", "b@example.org"]


# ---- 1. never lose a file -------------------------------------------------------------------------------

def test_eml_refuses_to_write_over_the_input_pdf(zh_pdf: Path) -> None:
    line = expect_error([str(zh_pdf), *BASE, "--eml", str(zh_pdf)], zh_pdf, "is the input", "another file name")
    assert str(zh_pdf) in line
    expect_error([str(zh_pdf), *BASE, "--eml", str(zh_pdf), "--force"], zh_pdf, "is the input")


def test_eml_refuses_a_symlink_or_hard_link_to_the_input(zh_pdf: Path, tmp_path: Path) -> None:
    (tmp_path / "soft.eml").symlink_to(zh_pdf)
    os.link(zh_pdf, tmp_path / "hard.eml")
    for name in ("soft.eml", "hard.eml"):
        expect_error([str(zh_pdf), *BASE, "--eml", str(tmp_path / name), "--force"], zh_pdf,
                     "is the same file as the input")
    assert (tmp_path / "soft.eml").is_symlink()


def test_eml_refuses_an_input_given_under_another_spelling(zh_pdf: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    expect_error([zh_pdf.name, *BASE, "--eml", str(zh_pdf), "--force"], zh_pdf, "input")


def test_eml_refuses_the_body_file(zh_pdf: Path, tmp_path: Path) -> None:
    note = tmp_path / "note.txt"
    note.write_text("hello\n")
    expect_error([str(zh_pdf), *BASE, "--body-file", str(note), "--eml", str(note), "--force"], zh_pdf,
                 "is the input")
    assert note.read_text() == "hello\n"


def test_eml_needs_force_to_replace_an_existing_file(zh_pdf: Path, tmp_path: Path) -> None:
    old = tmp_path / "old.eml"
    old.write_bytes(b"keep me")
    expect_error([str(zh_pdf), *BASE, "--eml", str(old)], zh_pdf, "already exists", "add --force")
    assert old.read_bytes() == b"keep me"
    run([str(zh_pdf), *BASE, "--eml", str(old), "--force"])
    assert email.message_from_bytes(old.read_bytes())["To"] == "a@example.org"


def test_eml_follows_a_symlink_and_keeps_it(zh_pdf: Path, tmp_path: Path) -> None:
    real = tmp_path / "real.eml"
    real.write_bytes(b"old")
    link = tmp_path / "link.eml"
    link.symlink_to(real)
    run([str(zh_pdf), *BASE, "--eml", str(link), "--force"])
    assert link.is_symlink() and real.read_bytes().startswith(b"From: ")


def test_eml_dash_is_standard_output_and_creates_no_file(zh_pdf: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env["PYTHONPATH"] = str(REPO)
    done = subprocess.run([sys.executable, "-m", "briefing", "mail", str(zh_pdf), *BASE, "--eml", "-"],
                          capture_output=True, cwd=tmp_path, env=env, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "-").exists()
    msg = email.message_from_bytes(done.stdout, policy=email.policy.default)
    assert msg["To"] == "a@example.org" and b"wrote -" in done.stderr


def test_eml_to_dev_stdout_writes_to_the_redirected_file(zh_pdf: Path, tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    out = tmp_path / "captured.eml"
    with open(out, "wb") as f:
        done = subprocess.run([sys.executable, "-m", "briefing", "mail", str(zh_pdf), *BASE, "--eml", "/dev/stdout"],
                              stdout=f, stderr=subprocess.PIPE, cwd=tmp_path, env=env, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert email.message_from_bytes(out.read_bytes())["To"] == "a@example.org"
    assert os.path.islink("/dev/stdout") or Path("/dev/stdout").exists()   # untouched


def test_eml_never_replaces_a_device_node(zh_pdf: Path) -> None:
    expect_error([str(zh_pdf), *BASE, "--eml", "/dev/zero", "--force"], zh_pdf, "device or special file",
                 "- for standard output")
    run([str(zh_pdf), *BASE, "--eml", os.devnull])
    assert Path(os.devnull).is_char_device()


def test_eml_leaves_no_partial_file_when_the_folder_is_read_only(zh_pdf: Path, tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root can write into read-only folders")
    ro = tmp_path / "ro"
    ro.mkdir(mode=0o500)
    expect_error([str(zh_pdf), *BASE, "--eml", str(ro / "o.eml")], zh_pdf, "cannot write")
    assert list(ro.iterdir()) == []


# ---- 2. no injection -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("option,value,says", [
    ("--to", "a@example.org\nBcc: chief@example.org", "line break (LF"),
    ("--to", "a@example.org\r\nBcc: chief@example.org", "carriage return (CR"),
    ("--cc", "Li\x00 <li@example.org>", "NUL"),
    ("--from", "office@example.org\nX-Evil: 1", "line break"),
    ("--from", "Office\x1b[31m <office@example.org>", "U+001B"),
    ("--subject", "Briefing\nBcc: chief@example.org", "line break"),
    ("--subject", "Briefing\u2028Bcc: chief@example.org", "U+2028"),
    ("--reply-to", "r@example.org\nBcc: chief@example.org", "line break"),
    ("--bcc", "x@example.org\rTo: y@example.org", "carriage return"),
])
def test_control_characters_are_refused(zh_pdf: Path, tmp_path: Path, option: str, value: str, says: str) -> None:
    args = [str(zh_pdf), "--to", "a@example.org", "--from", "b@example.org", option, value]
    line = expect_error([*args, "--eml", str(tmp_path / "o.eml")] if option != "--bcc" else [*args, "--dry-run"],
                        zh_pdf, option, "contains", says, "remove it")
    assert not (tmp_path / "o.eml").exists()
    assert "\n" not in line and "\r" not in line


def test_injected_bcc_never_reaches_the_server(smtpd, zh_pdf: Path) -> None:
    handler = Recorder()
    port = smtpd(handler)
    args = smtp_args(zh_pdf, port)
    args[args.index("--to") + 1] = "zhang@example.org\nBcc: chief@example.org"
    expect_error(args, zh_pdf, "line break")
    assert handler.envelopes == []


@pytest.mark.parametrize("value", ["a@example.org, chief@example.org", "a@example.org;chief@example.org",
                                   "a@example.org chief@example.org", "Zhang <a@example.org>, chief@example.org"])
def test_one_address_per_option(zh_pdf: Path, tmp_path: Path, value: str) -> None:
    expect_error([str(zh_pdf), "--to", value, "--from", "b@example.org", "--eml", str(tmp_path / "o.eml")],
                 zh_pdf, "more than one address" if "," in value or ";" in value or " c" in value
                 else "not an e-mail address", "repeat --to")


def test_a_name_with_a_comma_must_be_quoted(zh_pdf: Path, tmp_path: Path) -> None:
    expect_error([str(zh_pdf), "--to", "Li, Ming <li@example.org>", "--from", "b@example.org",
                  "--eml", str(tmp_path / "o.eml")], zh_pdf, "double quotes")
    out = tmp_path / "ok.eml"
    run([str(zh_pdf), "--to", '"Li, Ming" <li@example.org>', "--to", "王五 <wang@example.org>",
         "--from", "焦作市统计局 <office@example.org>", "--eml", str(out)])
    raw = out.read_bytes()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert [a.display_name for a in msg["To"].addresses] == ["Li, Ming", "王五"]
    assert msg["From"].addresses[0].display_name == "焦作市统计局"
    assert raw.isascii()                                      # names are RFC 2047 words, not raw UTF-8
    assert b"=?utf-8?b?" in raw.lower() or b"=?utf-8?q?" in raw.lower()


def test_bcc_is_sent_but_never_written_into_the_message(smtpd, zh_pdf: Path) -> None:
    handler = Recorder()
    port = smtpd(handler)
    run(smtp_args(zh_pdf, port, "--bcc", "archive@example.org", "--reply-to", "desk@example.org"))
    (env,) = handler.envelopes
    assert env.rcpt_tos == ["zhang@example.org", "archive@example.org"]
    assert b"archive@example.org" not in env.content
    assert received(env)["Reply-To"] == "desk@example.org"
