"""The command line as a user meets it: exit codes, usage errors, one-line messages, atomic output."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "data" / "mini.yaml"

pytestmark = pytest.mark.slow   # every test here runs `python -m briefing` in a subprocess


def briefing(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("BRIEFING_DEBUG", None)
    r = subprocess.run([sys.executable, "-m", "briefing", *args], cwd=cwd, env=env, capture_output=True,
                       text=True, timeout=120)
    assert "Traceback" not in r.stdout + r.stderr
    return r


def test_check_valid_file_exits_0():
    r = briefing("check", "tests/data/mini.yaml")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "tests/data/mini.yaml: ok (10 figures, 1 section, zh and en complete)\n"
    assert r.stderr == ""


@pytest.mark.parametrize("args", [["--help"], ["build", "--help"], ["check", "--help"]])
def test_help(args: list[str]):
    r = briefing(*args)
    assert r.returncode == 0
    assert r.stdout.startswith("usage: briefing")


@pytest.mark.parametrize("args, says", [
    ([], "the following arguments are required: COMMAND"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    (["check"], "the following arguments are required: CONTENT"),
    (["build", "--lang", "fr"], "argument --lang: invalid choice: 'fr'"),
    (["build", "--jobs", "many"], "argument -j/--jobs: invalid int value: 'many'"),
    (["build", "-o", "a.pdf", "--out-dir", "x"], "not allowed with argument"),
])
def test_bad_arguments_give_usage_error(args: list[str], says: str):
    """Usage errors exit with 1 like every mistake a user can fix (2 is kept for internal errors)."""
    r = briefing(*args)
    assert r.returncode == 1
    assert r.stderr.startswith("usage: briefing")
    assert says in r.stderr


def test_output_with_two_languages_is_a_clear_error(tmp_path: Path):
    out = tmp_path / "x.pdf"
    r = briefing("build", str(MINI), "-o", str(out), "--lang", "zh", "--lang", "en")
    assert r.returncode == 1
    assert r.stderr == ("-o: names one output file, but this command builds several — give one content file and one --lang, "
                        "or use --out-dir\n")
    assert not out.exists()


def test_output_with_default_languages_is_the_same_error(tmp_path: Path):
    r = briefing("build", str(MINI), "-o", str(tmp_path / "x.pdf"))
    assert r.returncode == 1 and "-o: names one output file" in r.stderr


def test_unwritable_output_path():
    r = briefing("build", str(MINI), "-o", "/proc/nope/x.pdf", "--lang", "zh")
    assert r.returncode == 1
    assert r.stderr.splitlines() == [   # said before the build starts, not after it
        "briefing build: cannot create folder /proc/nope: No such file or directory — choose another output "
        "path with -o or --out-dir",
    ]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_output_folder(tmp_path: Path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        r = briefing("build", str(MINI), "-o", str(ro / "x.pdf"), "--lang", "zh")
    finally:
        ro.chmod(0o755)
    assert r.returncode == 1
    assert r.stderr.startswith(f"briefing build: cannot write to {ro}: Permission denied")
    assert list(ro.iterdir()) == []


def test_failed_build_keeps_the_old_pdf_and_leaves_no_temporary_file(tmp_path: Path):
    """Content that loads but fails at build time (an emoji no font has) must not touch the old output."""
    bad = tmp_path / "bad.yaml"
    bad.write_text(MINI.read_text(encoding="utf-8").replace("heading: {zh: 总体态势", "heading: {zh: 总体态势😀"),
                   encoding="utf-8")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "mini.zh.pdf"
    old = b"%PDF-1.4 the previous, good briefing\n"
    out.write_bytes(old)
    r = briefing("build", str(bad), "-o", str(out), "--lang", "zh")
    assert r.returncode == 1
    assert r.stderr.splitlines() == [
        f"{bad}:25:23: sections[0].heading.zh: character U+1F600 GRINNING FACE ('😀') is in no bundled font — "
        "replace it with a character the Noto SC fonts have, or remove it",
        f"{bad}: failed",
    ]
    assert out.read_bytes() == old
    assert sorted(p.name for p in out_dir.iterdir()) == ["mini.zh.pdf"]


def test_successful_build_replaces_the_old_pdf_atomically(tmp_path: Path):
    """The control for the test above: the same command with good content does replace the file."""
    out = tmp_path / "mini.zh.pdf"
    out.write_bytes(b"%PDF-1.4 old")
    r = briefing("build", str(MINI), "-o", str(out), "--lang", "zh")
    assert r.returncode == 0, r.stderr
    assert out.read_bytes().startswith(b"%PDF-")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mini.zh.pdf"]


def test_check_reports_glyph_with_code_field_and_line(tmp_path: Path):
    bad = tmp_path / "rare.yaml"
    bad.write_text(MINI.read_text(encoding="utf-8").replace("en: Employment}", "en: Employment 𠀀}"),
                   encoding="utf-8")
    r = briefing("check", str(bad))
    assert r.returncode == 1
    assert r.stderr == (f"{bad}:44:42: sections[0].sections[0].heading.en: character U+20000 CJK UNIFIED "
                        "IDEOGRAPH-20000 ('𠀀') is in no bundled font — replace it with a character the Noto SC "
                        "fonts have, or remove it\n")
