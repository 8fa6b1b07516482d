"""`briefing check` as the editor's second reader: every kind of warning on its case in tests/lint/ with its
exact message, the exit codes (0 with warnings, 1 with --strict), JSON for editors and CI, the terms
report, and zero warnings on the sample and every content file of the tests."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from briefing.cli import main
from briefing.lint import KINDS, lint
from briefing.lint.figures import scan
from briefing.load import load, loads

ROOT = Path(__file__).resolve().parent.parent
CASES_DIR = Path(__file__).parent / "lint"
CASES = sorted(p.name for p in CASES_DIR.glob("*.yaml"))
SAMPLE = ROOT / "content" / "jiaozuo-2025-h1.yaml"
CONTENT = [SAMPLE, *sorted((ROOT / "tests" / "releases").glob("*.yaml")), ROOT / "tests" / "data" / "mini.yaml"]
HEAD = """briefing: 1
id: t
masthead: {zh: 简报, en: Brief}
title: {zh: 标题, en: Title}
date: 2025-07-30
author: {zh: 编辑部, en: Editors}
source: {zh: 测试材料, en: Test material}
"""


def check(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str,
          cwd: Path = CASES_DIR) -> tuple[int, str, str]:
    monkeypatch.chdir(cwd)
    code = main(["check", *args])
    out, err = capsys.readouterr()
    return code, out, err


def warnings_of(body: str) -> list[str]:
    return [w.line() for w in lint(loads(HEAD + body, "x.yaml"))]


# ---------------------------------------------------------------- every kind on its case, exact messages

@pytest.mark.parametrize("name", CASES)
def test_case_gives_exact_warnings(name: str, monkeypatch, capsys):
    expected = (CASES_DIR / name).with_suffix(".expected").read_text(encoding="utf-8")
    code, out, err = check(monkeypatch, capsys, name)
    assert code == 0, "warnings alone never fail a check"
    assert err == expected
    n = len(expected.splitlines())
    assert out == f"{name}: {n} warning{'s' if n != 1 else ''} ({out.split('(', 1)[1]}"
    for line in err.splitlines():      # file:line:col: warning: what — what to do
        assert re.match(rf"{re.escape(name)}:\d+:\d+: warning: \S.* — \S", line), line


def test_every_kind_has_a_case():
    seen = set()
    for name in CASES:
        b = load(CASES_DIR / name)
        seen |= {w.kind for w in lint(b)}
    assert seen == set(KINDS)


def test_the_four_mistakes_of_the_issue_are_caught():
    b = load(CASES_DIR / "issue_mistakes.yaml")
    found = {(w.kind, w.where.line) for w in lint(b)}
    assert ("figures-differ", 22) in found            # 增长7.9% beside up 7.6%
    assert ("not-english", 23) in found                # an English side left in Chinese
    assert {("term", 24), ("term", 25), ("term", 26)} <= found   # 规上工业增加值 rendered other ways
    assert ("derived", 18) in found                    # 66.6% printed, 3.91/5.86 = 66.7%
    assert ("computed-shown", 29) in found             # the chart would print 66.7% beside 66.6%


# ---------------------------------------------------------------- clean content stays clean

@pytest.mark.parametrize("path", CONTENT, ids=lambda p: p.name)
def test_content_files_give_no_warnings(path: Path):
    assert [w.line() for w in lint(load(path))] == []


def test_sample_marks_its_names_and_shows_one_completion_rate():
    b = load(SAMPLE)
    assert {n.text for n in b.names} >= {"3+13+N", "5G", "“345”"}
    share = b.data["jobs.target_share"]
    assert str(share.value) == "66.6" and share.expr and str(round(share.expr_value, 1)) == "66.7"
    progress = [blk for s in b.sections for blk in s.blocks
                if getattr(blk, "kind", None) == "progress" and blk.items[0].value == "jobs.new"]
    assert progress[0].items[0].share == "jobs.target_share"


# ---------------------------------------------------------------- the command

def test_strict_fails_on_warnings_only(monkeypatch, capsys):
    assert check(monkeypatch, capsys, "--strict", "terms.yaml")[0] == 1
    assert check(monkeypatch, capsys, "--strict", str(SAMPLE))[0] == 0


def test_errors_come_first_and_fail(monkeypatch, capsys):
    broken = ROOT / "tests" / "malformed" / "missing_side.yaml"
    code, out, err = check(monkeypatch, capsys, str(broken), "terms.yaml")
    assert code == 1
    lines = err.splitlines()
    assert lines[0].startswith(str(broken)) and "warning" not in lines[0]
    assert lines[-1].startswith("terms.yaml:") and ": warning: " in lines[-1]


def test_json_output(monkeypatch, capsys):
    code, out, err = check(monkeypatch, capsys, "--format", "json", "sides.yaml",
                           str(ROOT / "tests" / "malformed" / "missing_side.yaml"))
    assert code == 1 and err == ""
    doc = json.loads(out)
    assert [f["status"] for f in doc["files"]] == ["warnings", "error"]
    warnings = [d for d in doc["diagnostics"] if d["severity"] == "warning"]
    errors = [d for d in doc["diagnostics"] if d["severity"] == "error"]
    assert len(warnings) == doc["files"][0]["warnings"] == 8 and errors
    first = warnings[0]
    assert first == {"file": "sides.yaml", "line": 15, "column": 36, "severity": "warning",
                     "kind": "figures-differ", "field": "sections[0].blocks[0].paragraph.zh",
                     "message": "the Chinese side has 7.9%, the English side (line 15, column 92) has 7.6% instead",
                     "fix": "make both sides say the same (one placeholder keeps them equal)", "suggestion": None}
    stray = next(d for d in warnings if d["kind"] == "stray-figure" and d["suggestion"])
    assert stray["suggestion"] == "{jobs:num}"
    assert all(e["line"] for e in errors)


def test_terms_report(monkeypatch, capsys):
    code, out, err = check(monkeypatch, capsys, "--terms", "issue_mistakes.yaml")
    assert code == 0
    assert out.splitlines()[:4] == [
        "* 规上工业增加值 (4 uses, 3 renderings)",
        "      Industrial value added ×2: issue_mistakes.yaml line 14, 25",
        "      (no known rendering in “Industrial output grew by {va}.”) ×1: issue_mistakes.yaml line 24",
        "      Value added above designated size ×1: issue_mistakes.yaml line 26",
    ]
    assert "2 terms used at least twice; 1 rendered in more than one way (marked *)" in out


def test_terms_report_json_on_the_sample(monkeypatch, capsys):
    code, out, _ = check(monkeypatch, capsys, "--terms", "--format", "json", str(SAMPLE))
    terms = {t["zh"]: t for t in json.loads(out)["files"][0]["terms"]}
    va = terms["规上工业增加值"]
    assert va["glossary"][0] == "value added of industrial enterprises above designated size"
    # every use rendered with one of the glossary's two renderings
    assert {r["en"].lower().replace("-", " ") for r in va["renderings"]} <= {
        "industrial value added", "value added of industrial enterprises above designated size"}


# ---------------------------------------------------------------- the pieces

def test_years_months_and_days_in_prose_are_text_but_compared():
    assert warnings_of("""sections:
  - heading: {zh: 总体, en: Overview}
    blocks:
      - paragraph: {zh: 2025年1—6月，1-5月份，上半年，7月30日，一季度。, en: "January–June 2025, January–May, first half, 30 July, Q1."}
""") == []
    lines = warnings_of("""sections:
  - heading: {zh: 总体, en: Overview}
    blocks:
      - paragraph: {zh: 2025年1—6月。, en: January–May 2025.}
""")
    assert lines == ["x.yaml:11:32: warning: sections[0].blocks[0].paragraph.zh: the Chinese side has 6月, the "
                     "English side has no such figure — make both sides say the same (one placeholder keeps "
                     "them equal)"]


def test_scale_conversion_between_the_sides():
    lines = warnings_of("""sections:
  - heading: {zh: 总体, en: Overview}
    blocks:
      - paragraph: {zh: 收入79.9亿元，就业3.91万人，外资2653万美元。, en: "Revenue CNY 7.99 billion, 39,100 jobs, USD 26.53 million."}
      - paragraph: {zh: 收入79.9亿元。, en: Revenue CNY 7.9 billion.}
""")
    differ = [ln for ln in lines if "side has" in ln]
    assert differ == ["x.yaml:12:27: warning: sections[0].blocks[1].paragraph.zh: the Chinese side has 79.9亿, "
                      "the English side (line 12, column 52) has 7.9 billion instead — make both sides say the "
                      "same (one placeholder keeps them equal)"]


def test_figure_scanner():
    got = [(f.text, str(f.value), f.kind, f.words) for f in scan("增长7.9%，79.9亿元，2024年度，1—6月，第三，十四五，5G", "zh")]
    assert got == [("7.9%", "7.9", "number", False), ("79.9亿", "7.99E+9", "number", False),
                   ("2024年度", "2024", "year", False), ("1", "1", "month", False), ("6月", "6", "month", False),
                   ("三", "3", "number", True), ("5", "5", "number", False)]
    got = [(f.text, f.kind, f.words) for f in scan("up 7.6%, CNY 7.99 billion, 6th, on 30 July 2025, Q1, IPv6", "en")]
    assert got == [("7.6%", "number", False), ("7.99 billion", "number", False), ("6th", "number", False),
                   ("30", "day", False), ("July", "month", True), ("2025", "year", False), ("Q1", "quarter", False),
                   ("6", "number", False)]


def test_glossary_renderings_ignore_case_hyphens_articles_and_plurals():
    body = """glossary:
  规上工业增加值: value added of industrial enterprise above designated size
sections:
  - heading: {zh: 工业, en: Industry}
    blocks:
      - paragraph: {zh: 规上工业增加值增长较快。, en: The Value-Added of the Industrial Enterprises above designated size grew fast.}
"""
    assert warnings_of(body) == []


def test_a_name_is_not_matched_inside_a_longer_number():
    lines = warnings_of("""names: ["345"]
sections:
  - heading: {zh: 总体, en: Overview}
    blocks:
      - paragraph: {zh: 实施345行动，新增13456个。, en: The 345 action added 13456.}
""")
    assert [ln.split(": warning: ")[1].split(" — ")[0] for ln in lines] == [
        "sections[0].blocks[0].paragraph.zh: figure ‘13456’ typed as text",
        "sections[0].blocks[0].paragraph.en: figure ‘13456’ typed as text"]


def test_lint_never_changes_the_model():
    b = load(SAMPLE)
    before = repr(b)
    lint(b)
    assert repr(b) == before


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_build_prints_the_warnings_once_per_file(jobs, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(CASES_DIR)
    code = main(["build", "terms.yaml", "--out-dir", str(tmp_path), "--jobs", jobs])
    out, err = capsys.readouterr()
    assert code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["terms.en.pdf", "terms.zh.pdf"]
    expected = (CASES_DIR / "terms.expected").read_text(encoding="utf-8")
    assert err == expected        # each warning once, not once per language


def test_build_shows_the_first_20_warnings_and_says_how_many_more(tmp_path, monkeypatch, capsys):
    """A file with 25 typed figures: build prints the first 20 warnings and one line counting the rest;
    check lists them all."""
    figures = "、".join(str(100 + k) for k in range(25))
    doc = tmp_path / "many.yaml"
    doc.write_text(HEAD + f"""sections:
  - heading: {{zh: 总体, en: Overview}}
    blocks:
      - paragraph: {{zh: 数字{figures}。, en: Text.}}
""", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code = main(["build", "many.yaml", "--lang", "zh", "--out-dir", str(tmp_path / "out")])
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert code == 0 and len(lines) == 21, lines
    code, out, err = check(monkeypatch, capsys, "many.yaml", cwd=tmp_path)
    every = [ln for ln in err.splitlines() if ": warning: " in ln]
    assert code == 0 and len(every) >= 25           # one per typed figure, and the sides' mismatch
    assert lines[:20] == every[:20]
    assert lines[20] == f"many.yaml: {len(every) - 20} more warnings — `briefing check many.yaml` lists them all"


def test_note_numbers_table_years_and_acronyms_are_no_figures():
    assert warnings_of("""sections:
  - heading: {zh: 总体, en: Overview}
    blocks:
      - table:
          columns: [{zh: 年份, en: Year}, {zh: 指标, en: Indicator}]
          rows:
            - ["2015", GDP]
          note:
            zh: |-
              注：
              1.绝对额按现价计算；
              (2) 增长速度按不变价计算。
            en: |-
              Notes:
              1. Values are at current prices;
              (2) growth rates at constant prices.
""") == []
