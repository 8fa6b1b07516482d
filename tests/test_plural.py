"""The tool's own English messages count in agreement: `1 section`, `2 sections`, never `1 sections` or
`file(s)`."""
from __future__ import annotations

from pathlib import Path

from briefing.cli import main
from briefing.errors import ContentError, ErrorList
from briefing.plural import counted

ONE_SECTION = """briefing: 1
id: one
masthead: {zh: 简报, en: Brief}
title: {zh: 标题, en: Title}
date: 2025-07-30
author: {zh: 编辑部, en: Editors}
source: {zh: 测试材料, en: Test material}
data:
  growth: {kind: percent, value: 6.3}
sections:
  - heading: {zh: 总体, en: Overview}
    blocks:
      - paragraph: {zh: "增长{growth}。", en: "Growth was {growth}."}
"""


def test_counted_agrees():
    assert counted(1, "section") == "1 section"
    assert counted(0, "section") == "0 sections"
    assert counted(2, "reply", "replies") == "2 replies"


def test_check_of_one_section_and_one_figure_says_so(tmp_path: Path, monkeypatch, capsys):
    (tmp_path / "one.yaml").write_text(ONE_SECTION, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "one.yaml"]) == 0
    out = capsys.readouterr().out
    assert out == "one.yaml: ok (1 figure, 1 section, zh and en complete)\n"


def test_check_of_two_sections(tmp_path: Path, monkeypatch, capsys):
    two = ONE_SECTION + "  - heading: {zh: 就业, en: Jobs}\n    blocks:\n      - paragraph: {zh: 稳定。, en: Stable.}\n"
    (tmp_path / "two.yaml").write_text(two, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "two.yaml"]) == 0
    assert "(1 figure, 2 sections," in capsys.readouterr().out


def test_error_list_counts_its_problems():
    one = ErrorList([ContentError("x", "y", None)])
    assert str(one) == "1 problem"
    assert str(ErrorList([ContentError("x", "y", None)] * 2)) == "2 problems"


def test_batch_build_failure_line_agrees(tmp_path: Path, monkeypatch, capsys):
    for name in ("a", "b"):
        (tmp_path / f"{name}.yaml").write_text(f"briefing: 1\nid: {name}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["build", "a.yaml", "b.yaml", "--out-dir", str(tmp_path / "out"), "--jobs", "1"]) == 1
    err = capsys.readouterr().err
    assert "2 of 2 files failed: a.yaml, b.yaml" in err and "(s)" not in err
