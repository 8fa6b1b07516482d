"""A chart `check` passes always fits on the page `build` puts it on; one that cannot is a content error at
the chart with the real limit, in `check` and `build` alike, never ReportLab's LayoutError."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from briefing import charts, pipeline, theme
from briefing.charts.fit import chart_height, most_rows, room
from briefing.cli import main
from briefing.errors import ErrorList
from briefing.load import load, loads
from briefing.localize import localize

ROOT = Path(__file__).resolve().parent.parent
HEAD = (ROOT / "tests" / "data" / "mini.yaml").read_text(encoding="utf-8").split("data:")[0]
A4 = theme.Page(*theme.A4)


def bars(n: int, kind: str = "hbar", label: str = "项{i}") -> str:
    data = "".join(f"  v{i}: {{kind: percent, value: {i % 50 + 1}, label: {{zh: {label.format(i=i)}, en: Item {i}}}}}\n"
                   for i in range(n))
    items = "".join(f"            - {{value: v{i}}}\n" for i in range(n))
    return (HEAD + "data:\n" + data + "sections:\n  - heading: {zh: 甲, en: A}\n    blocks:\n"
            "      - paragraph: {zh: 正文。, en: Text.}\n      - chart:\n          kind: " + kind +
            "\n          title: {zh: 各项, en: Items}\n          source: {zh: 测试, en: Test}\n          items:\n" +
            items + "      - paragraph: {zh: 正文。, en: Text.}\n")


def test_the_measured_height_is_the_drawn_height() -> None:
    b = load(ROOT / "content" / "jiaozuo-2025-h1.yaml")
    for lang in ("zh", "en"):
        for chart in charts.charts_of(localize(b, lang)):
            assert chart_height(chart, A4.frame_width) == pytest.approx(
                charts.render(chart, A4.frame_width, cache=False).height, abs=0.01), chart.title


def test_500_bars_are_refused_by_check_and_build_alike(tmp_path: Path, monkeypatch, capsys) -> None:
    (tmp_path / "bars.yaml").write_text(bars(500), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    t = time.perf_counter()
    assert main(["check", "bars.yaml"]) == 1
    err = capsys.readouterr().err
    assert err == ("bars.yaml:517:11: chart “各项” is 11,016 pt tall, more than a page holds (631 pt on letter "
                   "paper): it has 500 bars, at most 27 fit — split it into charts of at most 27 bars, or shorten "
                   "the longest labels\n")
    assert main(["build", "bars.yaml", "--lang", "zh", "-o", "bars.pdf"]) == 1
    err = capsys.readouterr().err
    assert err == ("bars.yaml:517:11: chart “各项” is 11,016 pt tall, more than a page holds (681 pt on A4 "
                   "paper): it has 500 bars, at most 30 fit — split it into charts of at most 30 bars, or shorten "
                   "the longest labels\nbars.yaml: failed\n")
    assert "LayoutError" not in err and not (tmp_path / "bars.pdf").exists()
    assert time.perf_counter() - t < 10


def _fits(text: str, paper: str) -> bool:
    """Does the layout itself place the chart (the size check left out)?"""
    b = loads(text, "x.yaml")
    opts = pipeline.BuildOptions(paper=paper, chart_cache=False, parallel=False)
    saved = pipeline.chart_size_errors
    pipeline.chart_size_errors = lambda *a, **k: []
    try:
        pipeline.build_model(b, "zh", opts)
        return True
    except Exception as e:  # noqa: BLE001 - ReportLab's LayoutError, the failure the check prevents
        assert "too large" in str(e), e
        return False
    finally:
        pipeline.chart_size_errors = saved


@pytest.mark.slow
@pytest.mark.parametrize("kind, label", [("hbar", "项{i}"), ("hbar", "很长很长的标签名称第{i}项目内容说明很长很长的标签"),
                                         ("bar", "项{i}")])
def test_the_limit_is_the_real_one(kind: str, label: str) -> None:
    """The most rows the check allows build; a few more do not (the check is at most 2 rows cautious)."""
    for paper, size in (("a4", theme.A4), ("letter", theme.LETTER)):
        page = theme.Page(*size)
        chart = charts.charts_of(localize(loads(bars(60, kind, label), "x.yaml"), "zh"))[0]
        k = most_rows(chart, page.frame_width, room(chart, page))
        assert 5 < k < 60
        assert _fits(bars(k, kind, label), paper), (paper, k)
        assert not _fits(bars(k + 3, kind, label), paper), (paper, k)
        with pytest.raises(ErrorList):
            pipeline.build_model(loads(bars(k + 1, kind, label), "x.yaml"), "zh",
                                 pipeline.BuildOptions(paper=paper, chart_cache=False, parallel=False))
