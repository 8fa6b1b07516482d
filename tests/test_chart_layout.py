"""Chart layout as a reader sees it: no two pieces of text on top of each other, labels whole (never
hyphenated), long time series labelled at a readable step. Drawn in-process at the A4 column width (no
build) and read from the drawing's text operations: their strings, anchors and positions in points."""
from __future__ import annotations

import pytest

from briefing import charts, theme
from briefing.charts import text_width
from briefing.charts.canvas import ASCENT, DESCENT, LABEL_PT
from briefing.model import ChartPoint, LChart

WIDTH = theme.Page(*theme.A4).frame_width
LETTER = theme.Page(*theme.LETTER).frame_width


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def boxes(fig: charts.Figure) -> list[tuple[str, float, float, float, float]]:
    """(text, x0, y0, x1, y1) of every text of the drawing, from its anchor, advance width and em box."""
    out = []
    for t in fig.texts():
        w = text_width(t.text, t.size, t.bold, t.lang)
        x0 = t.x - {"left": 0.0, "center": w / 2, "right": w}[t.anchor]
        out.append((t.text, x0, t.y - DESCENT * t.size, x0 + w, t.y + ASCENT * t.size))
    return out


def overlaps(fig: charts.Figure, gap: float = 0.5) -> list[tuple[str, str]]:
    """Pairs of texts whose boxes come closer than `gap` points in both directions."""
    bs = boxes(fig)
    return [(a[0], b[0]) for i, a in enumerate(bs) for b in bs[i + 1:]
            if a[1] < b[3] + gap and b[1] < a[3] + gap and a[2] < b[4] + gap and b[2] < a[4] + gap]


# national-2020q1: GDP growth, year on year and quarter on quarter, 2015 Q1 to 2020 Q1 (figures of the
# release's tables 2 and 3)
YOY = [7.1, 7.1, 7.0, 6.9, 6.9, 6.8, 6.8, 6.9, 7.0, 7.0, 6.9, 6.8, 6.9, 6.9, 6.7, 6.5, 6.4, 6.2, 6.0, 6.0, -6.8]
QOQ = [1.8, 1.8, 1.7, 1.6, 1.5, 1.8, 1.7, 1.6, 1.7, 1.8, 1.6, 1.5, 1.7, 1.7, 1.5, 1.5, 1.6, 1.5, 1.3, 1.5, -9.8]
QUARTERS = {"zh": [f"{y}年{q}季度" for y in range(2015, 2021) for q in "一二三四"][:21],
            "en": [f"{y} Q{q}" for y in range(2015, 2021) for q in range(1, 5)][:21]}


def quarterly(lang: str) -> LChart:
    def pts(vals):
        return tuple(ChartPoint("", v, f"{v:.1f}%".replace("-", "\u2212")) for v in vals)
    return LChart("line", lang, "GDP", "%", "", "percent",
                  series=("同比", "环比（经季节调整）") if lang == "zh" else
                  ("Year on year", "Quarter on quarter, seasonally adjusted"),
                  categories=tuple(QUARTERS[lang]), matrix=(pts(YOY), pts(QOQ)), id="quarters")


@pytest.mark.parametrize("width", [WIDTH, LETTER, 300.0])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_21_quarter_line_chart_has_no_text_on_text(lang, width):
    """21 quarters at the column width: the category labels are thinned to the same quarter of every year
    or every other quarter, the first and the last always shown; no label touches another."""
    fig = charts.render(quarterly(lang), width, cache=False)
    assert overlaps(fig) == []
    texts = [t.text for t in fig.texts()]
    cats = QUARTERS[lang]
    # a category label may be set over two lines (2015年 / 一季度): join the lines found at one x
    by_x: dict[float, list[str]] = {}
    for t in fig.texts():
        if t.anchor == "center" and t.size == LABEL_PT:
            by_x.setdefault(round(t.x, 1), []).append(t.text)
    shown = ["".join(v).replace(" ", "") for _, v in sorted(by_x.items())]
    got = [cats.index(next(c for c in cats if c.replace(" ", "") == s)) for s in shown]
    assert got[0] == 0 and got[-1] == 20, shown
    # the same quarter of each year (or every other quarter), the last one after at least as long a gap
    gaps = [b - a for a, b in zip(got, got[1:])]
    assert len(set(gaps[:-1])) <= 1 and set(gaps[:-1]) <= {1, 2, 4, 8} and gaps[-1] >= gaps[0], shown
    # the newest value of each series is written at its line's end, beside the series name
    assert "−6.8%" in texts and "−9.8%" in texts


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_short_line_chart_labels_every_point(lang):
    months = ("1月", "2月", "3月", "4月") if lang == "zh" else ("Jan", "Feb", "Mar", "Apr")
    ch = LChart("line", lang, "t", "%", "", "percent", series=("A", "B"), categories=months,
                matrix=(tuple(ChartPoint("", v, f"{v}%") for v in (5.9, 6.0, 6.1, 6.3)),
                        tuple(ChartPoint("", v, f"{v}%") for v in (5.9, 5.8, 5.9, 5.7))), id="m")
    fig = charts.render(ch, WIDTH, cache=False)
    texts = [t.text for t in fig.texts()]
    assert all(m in texts for m in months)
    assert all(f"{v}%" in texts for v in (5.9, 6.0, 6.1, 6.3, 5.8, 5.7))
    assert overlaps(fig) == []


def test_a_category_label_is_never_hyphenated():
    """`Agriculture, forestry, animal husbandry and fishery` wraps at word spaces (`ani-|mal` before)."""
    label = "Agriculture, forestry, animal husbandry and fishery"
    ch = LChart("hbar", "en", "t", "", "", "percent", id="h", points=(
        ChartPoint(label, -2.8, "−2.8%"), ChartPoint("Industry", -8.5, "−8.5%"),
        ChartPoint("Information transmission, software and IT services", 13.2, "13.2%")))
    for width in (WIDTH, LETTER, 300.0):
        fig = charts.render(ch, width, cache=False)
        lines = [t.text for t in fig.texts() if t.anchor == "right" and t.text[0].isalpha()]
        assert not any(ln.endswith("-") for ln in lines), lines
        assert " ".join(ln for ln in lines if ln.split()[0] in label.split()) .startswith(label), lines


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_negative_value_label_stands_apart_from_its_category_label(lang):
    """henan-2025-05: `石墨及碳素制品 −16.8%` read as one phrase, 6 pt apart: now two word spaces or more."""
    names = ("石墨及碳素制品", "锂离子电池") if lang == "zh" else ("Graphite and carbon products", "Lithium-ion batteries")
    ch = LChart("hbar", lang, "t", "%", "", "percent", id="n",
                points=(ChartPoint(names[0], -16.8, "−16.8%"), ChartPoint(names[1], 99.1, "99.1%")))
    fig = charts.render(ch, WIDTH, cache=False)
    bs = {b[0]: b for b in boxes(fig)}
    assert bs["−16.8%"][1] - bs[names[0]][3] >= 12
    assert overlaps(fig) == []
