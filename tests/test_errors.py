"""Bad input gets a clear answer: every malformed file gives exactly the expected lines, exit code 1, and
never a traceback; hostile files (alias bombs, deep nesting, huge strings) fail fast."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from briefing.cli import main
from briefing.errors import ErrorList
from briefing.load import MAX_FILE_BYTES, MAX_STRING, load, loads
from briefing.localize import localize, plain

ROOT = Path(__file__).resolve().parent.parent
MALFORMED = Path(__file__).parent / "malformed"
CASES = sorted(p.name for p in MALFORMED.glob("*.yaml"))
HEAD = (MALFORMED / "missing_side.yaml").read_text(encoding="utf-8").split("sections:")[0]


def run_check(*files: str, cwd: Path = MALFORMED) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("BRIEFING_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "briefing", "check", *files], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60)


def test_corpus_is_large_enough():
    assert len(CASES) >= 15
    for name in CASES:
        assert (MALFORMED / name).with_suffix(".expected").is_file(), f"{name} has no .expected file"


@pytest.mark.parametrize("name", CASES)
def test_malformed_file_gives_exact_message(name: str, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]):
    """`briefing check NAME`, run in this process (the subprocess tests below cover the real command)."""
    expected = (MALFORMED / name).with_suffix(".expected").read_text(encoding="utf-8")
    monkeypatch.chdir(MALFORMED)
    monkeypatch.delenv("BRIEFING_DEBUG", raising=False)
    assert main(["check", name]) == 1
    out, err = capsys.readouterr()
    assert "Traceback" not in err + out
    assert out == ""
    assert err == expected
    for line in err.splitlines():   # the contract: where: what — what to do, one problem per line
        assert line.startswith(f"{name}:") or line.startswith("… and ")
        assert " — " in line


def test_every_line_names_a_position():
    """Except for whole-file problems (empty), each error has file:line:col."""
    import re

    for name in CASES:
        for line in (MALFORMED / name).with_suffix(".expected").read_text(encoding="utf-8").splitlines():
            if name != "empty.yaml" and not line.startswith("… and "):
                assert re.match(rf"{re.escape(name)}:\d+:\d+: ", line), line


def test_error_cap_says_how_many_more():
    lines = (MALFORMED / "too_many_errors.expected").read_text(encoding="utf-8").splitlines()
    assert len(lines) == ErrorList.CAP + 1
    assert lines[-1] == "… and 10 more problems not shown — fix the ones above first"


@pytest.mark.slow
def test_missing_file():
    r = run_check("no-such-file.yaml")
    assert (r.returncode, r.stderr) == (1, "no-such-file.yaml: no such file — check the path (content files live "
                                           "in content/)\n")


@pytest.mark.slow
def test_folder_instead_of_file():
    r = run_check(".")
    assert (r.returncode, r.stderr) == (1, ".: is a folder, not a content file — give a .yaml file\n")


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path: Path):
    f = tmp_path / "secret.yaml"
    f.write_text("id: x\n")
    f.chmod(0)
    r = run_check(str(f))
    assert r.returncode == 1 and "permission denied" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.slow
def test_several_files_in_one_run_each_reported():
    r = run_check(str(ROOT / "tests/data/mini.yaml"), "numbers.yaml", "wrong_type.yaml")
    assert r.returncode == 1
    assert "mini.yaml: ok" in r.stdout
    assert r.stderr == ((MALFORMED / "numbers.expected").read_text(encoding="utf-8")
                        + (MALFORMED / "wrong_type.expected").read_text(encoding="utf-8"))


def test_glyph_errors_also_come_with_content_errors():
    """One run lists every problem: a broken number does not hide an emoji further down."""
    text = HEAD + "data:\n  a: {kind: percent, value: x}\nsections:\n  - heading: {zh: 甲😀, en: A}\n"
    with pytest.raises(ErrorList) as ei:
        loads(text, "x.yaml")
    lines = ei.value.lines()
    assert lines[0].startswith("x.yaml:9:29: data.a.value: expected a number")
    assert lines[1].startswith("x.yaml:11:20: sections[0].heading.zh: character U+1F600 GRINNING FACE")
    assert len(lines) == 2


# ---------------------------------------------------------------------------- text is text, not markup

def test_markup_and_entities_stay_literal_after_localizing():
    text = HEAD + ("data:\n  g: {kind: percent, value: 6.3}\nsections:\n  - heading: {zh: 甲, en: A}\n    blocks:\n"
                   "      - paragraph: {zh: 'R&D <b>粗</b> a<b &amp; {{g}} {g}', en: 'R&D <b>x</b> a<b &amp; {{g}} {g}'}\n")
    b = loads(text, "x.yaml")
    assert plain(localize(b, "zh").sections[0].blocks[0].text) == "R&D <b>粗</b> a<b &amp; {g} 6.3%"
    assert plain(localize(b, "en").sections[0].blocks[0].text) == "R&D <b>x</b> a<b &amp; {g} 6.3%"


@pytest.mark.parametrize("ph", ["{gdp.__class__}", "{gdp.growth.__init__}", "{0}", "{a[0]}", "{gdp!r}",
                                "{gdp:{x}}", "{ gdp.__dict__ }", "{__import__}"])
def test_placeholders_cannot_reach_python(ph: str):
    text = HEAD + ("data:\n  gdp: {kind: percent, value: 6.3}\n  a: {kind: percent, value: 1}\n"
                   f"sections:\n  - heading: {{zh: '{ph}', en: A}}\n")
    with pytest.raises(ErrorList) as ei:
        loads(text, "x.yaml")
    assert all("sections[0].heading.zh" in line for line in ei.value.lines())


# ---------------------------------------------------------------------------- hostile files, bounded cost

def _bounded(text: str, expect: str) -> tuple[float, float]:
    """Load `text`; it must fail with `expect` within 2 s and 200 MB. Returns (seconds, peak MB).
    Time and memory are measured in separate runs: tracing allocations slows Python down several-fold."""
    t = time.perf_counter()
    with pytest.raises(ErrorList) as ei:
        loads(text, "x.yaml")
    secs = time.perf_counter() - t
    tracemalloc.start()
    try:
        with pytest.raises(ErrorList):
            loads(text, "x.yaml")
        peak = tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()
    line = ei.value.lines()[0]
    assert expect in line, line
    assert secs < 2.0, f"{secs:.2f} s"
    assert peak < 200, f"{peak:.0f} MB"
    print(f"\n{expect[:40]!r}: {secs:.3f} s, peak {peak:.1f} MB (input {len(text):,} chars)")
    return secs, peak


def test_deep_nesting_of_100000_brackets():
    _bounded("a: " + "[" * 100_000 + "]" * 100_000 + "\n", "x.yaml:1:43: nesting deeper than 40 levels")


@pytest.mark.parametrize("text, where", [
    # the 41st level is the 40th bracket after `a: ` (the top mapping is level 1), wherever the line is
    ("b: 中文中文\nc: 'x'\na: " + "[" * 5000 + "]" * 5000 + "\n", "x.yaml:3:43"),
    ("a: " + "[{" * 3000 + "}]" * 3000 + "\n", "x.yaml:1:43"),
    # top mapping, sections list, its item's mapping: the 38th bracket is level 41
    ("sections:\n  - blocks: " + "[" * 3000 + "]" * 3000 + "\n", "x.yaml:2:50"),
    # 400 KB of ordinary lines first: read twice at most (see reader._compose_bounded), in bounded time
    ("".join(f"k{i}: {'long value ' * 16}\n" for i in range(2_000)) + "z: " + "[" * 3000 + "]" * 3000 + "\n",
     "x.yaml:2001:43"),
])
def test_our_nesting_limit_fires_first_whatever_pyyaml_does(text: str, where: str):
    """Newer libyaml (PyYAML 6.0.4) stops at 1,000 levels itself and its scanner reads ahead of our
    composer: the message must still be ours, at the first level too deep, with every PyYAML."""
    _bounded(text, f"{where}: nesting deeper than 40 levels — flatten the structure (a briefing needs about "
                   "a dozen levels)")


def test_deep_nesting_of_100000_braces():
    _bounded("a: " + "{a: " * 100_000 + "1" + "}" * 100_000 + "\n", "nesting deeper than 40 levels")


def test_deep_block_nesting():
    _bounded("".join(" " * i + "a:\n" for i in range(2000)), "nesting deeper than 40 levels")


def test_alias_bomb_of_a_billion_values():
    bomb = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        bomb += f"{cur}: &{cur} [{', '.join(['*' + prev] * 10)}]\n"
    _bounded(bomb, "more than 50,000 values once YAML aliases (*name) are expanded")


@pytest.mark.slow   # tracing the allocations of 180 000 values takes seconds
def test_many_small_values_stop_at_the_cap():
    text = "".join(f"k{i}: [1, 2, 3, 4, 5, 6, 7, 8, 9]\n" for i in range(20_000))  # 180 000 values, 0.6 MB
    _bounded(text, "more than 50,000 values")


def test_huge_string_within_the_file_limit():
    text = HEAD + 'sections:\n  - heading: {zh: "' + "长" * (MAX_FILE_BYTES // 4) + '", en: A}\n'
    _bounded(text, f"text is {MAX_FILE_BYTES // 4:,} characters long (limit {MAX_STRING:,})")


def test_huge_file_is_refused_before_reading(tmp_path: Path):
    f = tmp_path / "huge.yaml"
    with f.open("wb") as out:
        out.truncate(MAX_FILE_BYTES + 1)   # sparse: costs nothing to make
    t = time.perf_counter()
    with pytest.raises(ErrorList) as ei:
        load(f)
    assert time.perf_counter() - t < 2.0
    assert ei.value.lines() == [f"{f}: file is {MAX_FILE_BYTES + 1:,} bytes (limit {MAX_FILE_BYTES:,}) — "
                                "split the briefing into smaller files"]


def test_deeply_nested_formula_is_bounded():
    text = HEAD + "data:\n  a: {kind: percent, expr: '" + "(" * 5000 + "1" + ")" * 5000 + "'}\nsections: []\n"
    _bounded(text, "formula is 10,001 characters long (limit 200)")


@pytest.mark.slow
def test_deep_nesting_via_cli_has_no_traceback(tmp_path: Path):
    f = tmp_path / "deep.yaml"
    f.write_text("a: " + "[" * 100_000 + "]" * 100_000 + "\n")
    t = time.perf_counter()
    r = run_check(str(f))
    assert time.perf_counter() - t < 5.0   # includes interpreter start-up
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stderr == f"{f}:1:43: nesting deeper than 40 levels — flatten the structure (a briefing needs about " \
                       "a dozen levels)\n"
