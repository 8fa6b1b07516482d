"""Charts: every kind in both languages, drawn into a PDF and read back.

Run as a script to measure and to write a sample PDF to look at:
    python tests/test_charts.py /tmp/charts.pdf
"""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefing import charts, theme  # noqa: E402
from briefing.errors import GlyphError  # noqa: E402
from briefing.model import ChartPoint, LChart  # noqa: E402

WIDTH = theme.Page(*theme.A4).frame_width   # the text column


def P(label: str, value: float, text: str, note: str = "", target: float | None = None,
      target_text: str = "") -> ChartPoint:
    return ChartPoint(label, value, text, note, target, target_text)


def samples(lang: str) -> dict[str, LChart]:
    """One chart per kind, with the figures of the Jiaozuo H1 2025 briefing (the line chart's monthly
    series are made up for the test)."""
    zh = lang == "zh"
    def t(a, b):
        return a if zh else b
    rank = (lambda n: f"全省第{n}位") if zh else (lambda n: f"{n}{'st' if n == 1 else 'rd' if n == 3 else 'th'} in Henan")
    bn = (lambda v: f"{v}亿元") if zh else (lambda v: f"CNY {v / 10:.2f} billion")
    return {
        "hbar": LChart("hbar", lang, t("主要经济指标同比增速", "Main indicators, growth"), t("同比增长（%）", "Year-on-year growth (%)"),
                       "", "percent", points=(
                           P(t("地区生产总值", "GDP"), 6.3, "6.3%", rank(6)),
                           P(t("一般公共预算收入", "General public budget revenue"), 4.5, "4.5%", rank(1)),
                           P(t("社会消费品零售总额", "Retail sales of consumer goods"), 8.2, "8.2%", rank(3)),
                           P(t("固定资产投资", "Fixed-asset investment"), 6.6, "6.6%", rank(5)),
                           P(t("规上工业增加值", "Value added of industry above designated size"), 8.4, "8.4%", rank(8)),
                       ), id="main-indicators"),
        "hbar_ref": LChart("hbar", lang, t("重点产业链群增加值增速", "Key industry chains"), t("同比增长（%）", "Year-on-year growth (%)"),
                           "", "percent", points=(
                               P(t("“3+13+N”产业链群合计", "“3+13+N” industry chains, total"), 9.0, "9.0%"),
                               P(t("绿色食品", "Green food"), 11.0, "11.0%"),
                               P(t("高端装备及汽车零部件", "High-end equipment and auto parts"), 10.3, "10.3%"),
                               P(t("新材料", "New materials"), 9.5, "9.5%"),
                           ), reference=P(t("规上工业增加值", "Industry"), 8.4, "8.4%"), id="chains"),
        "bar": LChart("bar", lang, t("开放型经济", "Open economy"), t("亿元", "CNY billion"), "", "money", points=(
            P(t("技术合同成交额", "Technology contracts"), 64.3e8, bn(64.3)),
            P(t("进出口总额", "Foreign trade"), 114.8e8, bn(114.8), t("增长6.8%", "up 6.8%")),
            P(t("实际到位省外资金", "Funds from outside Henan"), 193.5e8, bn(193.5)),
            P(t("政策性资金", "Policy funds"), 53.87e8, bn(53.87)),
        ), id="open", tick_scale=8 if zh else 9),
        "grouped": LChart("grouped", lang, t("焦作与全省", "Jiaozuo and Henan"), t("同比增长（%）", "Growth (%)"), "",
                          "percent", series=(t("焦作", "Jiaozuo"), t("全省", "Henan")),
                          categories=(t("高技术产业增加值", "High-tech industry"), t("战略性新兴产业增加值", "Strategic emerging industries"),
                                      t("服务业增加值", "Services")),
                          matrix=((P("", 43.8, "43.8%"), P("", 14.9, "14.9%")),
                                  (P("", 15.2, "15.2%"), P("", 10.7, "10.7%")),
                                  (P("", 6.9, "6.9%"), P("", 6.0, "6.0%"))), id="vs-henan"),
        "line": LChart("line", lang, t("地区生产总值累计增速", "GDP growth, year to date"), t("%", "%"), "", "percent",
                       series=(t("焦作", "Jiaozuo"), t("全省", "Henan")),
                       categories=(t("1季度", "Q1"), t("1—4月", "Jan–Apr"), t("1—5月", "Jan–May"), t("上半年", "H1")),
                       matrix=((P("", 5.9, "5.9%"), P("", 6.0, "6.0%"), P("", 6.1, "6.1%"), P("", 6.3, "6.3%")),
                               (P("", 5.9, "5.9%"), P("", 5.8, "5.8%"), P("", 5.9, "5.9%"), P("", 5.7, "5.7%"))),
                       id="gdp-trend"),
        "donut": LChart("donut", lang, t("民生支出占比", "Spending on livelihoods"), "", "", "percent", points=(
            P(t("民生支出", "Livelihood spending"), 75.6, "75.6%"),
            P(t("其他支出", "Other spending"), 24.4, "24.4%"),
        ), center="75.6%", id="livelihood"),
        "progress": LChart("progress", lang, t("年度目标完成情况", "Progress on annual targets"), "", "", "count", points=(
            P(t("城镇新增就业", "New urban jobs"), 39100, t("3.91万人", "39,100 people"), t("完成年度目标的66.6%", "66.6% of the annual target"),
              58600, t("5.86万人", "58,600 people")),
            P(t("新设企业", "New businesses"), 90000, t("9万户", "90,000 firms"), "", 150000, t("15万户", "150,000 firms")),
        ), id="targets"),
    }


def pdf_of(figures: list[charts.Figure]) -> bytes:
    """The figures stacked on A4 pages the way compose will place them."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate, Spacer

    from briefing.vector import FigureFlowable

    buf = io.BytesIO()
    page = theme.Page(*theme.A4)
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=page.left, rightMargin=page.right,
                            topMargin=page.top, bottomMargin=page.bottom, invariant=1)
    story = []
    for f in figures:
        story += [FigureFlowable(f), Spacer(1, 24)]
    doc.build(story)
    return buf.getvalue()


@pytest.fixture(autouse=True)
def _own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    charts._font_fingerprints.cache_clear()


CASES = [(lang, kind) for lang in ("zh", "en") for kind in samples("zh")]


@pytest.mark.parametrize("lang,kind", CASES)
def test_each_kind_draws_its_numbers_and_labels(lang: str, kind: str) -> None:
    chart = samples(lang)[kind]
    fig = charts.render(chart, WIDTH, cache=False)
    texts = [t.text for t in fig.texts()]
    joined = "\n".join(texts)
    points = list(chart.points) + [p for row in chart.matrix for p in row]
    for p in points:
        assert p.text in texts, f"value label {p.text!r} missing"
        if p.note:
            assert p.note in texts
        if p.target_text:
            assert p.target_text in joined
    for name in chart.series + chart.categories:
        assert name in texts
    assert abs(fig.width - WIDTH) < 0.01 and 40 < fig.height < 400
    assert all(t.size >= theme.CHART_MIN_PT for t in fig.texts())
    # everything inside the figure box
    assert all(-0.5 <= t.x <= fig.width + 0.5 and -0.5 <= t.y <= fig.height for t in fig.texts())


def test_labels_are_the_chart_font_and_every_label_fits() -> None:
    from briefing.charts import text_width

    fig = charts.render(samples("en")["hbar"], WIDTH, cache=False)
    for t in fig.texts():
        w = text_width(t.text, t.size, t.bold, t.lang)
        left = t.x - {"left": 0, "center": w / 2, "right": w}[t.anchor]
        assert left >= -0.5 and left + w <= fig.width + 0.5, t


def test_tick_labels_are_formatted_like_the_text() -> None:
    zh = [t.text for t in charts.render(samples("zh")["bar"], WIDTH, cache=False).texts()]
    en = [t.text for t in charts.render(samples("en")["bar"], WIDTH, cache=False).texts()]
    # ticks count in the chart's unit (亿元 / CNY billion): plain numbers, no scale word of their own
    assert {"0", "100", "200"} <= set(zh), zh
    assert {"0", "10", "20"} <= set(en), en
    assert not any(s.endswith(("亿", "万", "B")) or "billion" in s for s in zh + en if s[:1].isdigit() and
                   s not in {p.text for p in samples("en")["bar"].points + samples("zh")["bar"].points})
    pct = [t.text for t in charts.render(samples("zh")["hbar"], WIDTH, cache=False).texts()]
    assert {"0%", "2%", "4%", "6%", "8%"} <= set(pct)


def test_progress_shows_both_numbers_and_the_percent() -> None:
    texts = [t.text for t in charts.render(samples("zh")["progress"], WIDTH, cache=False).texts()]
    assert "3.91万人" in texts and " / 5.86万人" in texts and "66.7%" in texts and "60%" in texts


@pytest.mark.slow   # a PDF of every chart of the sample
def test_pdf_has_the_text_and_no_images() -> None:
    import pdfplumber
    from pypdf import PdfReader

    for lang in ("zh", "en"):
        figs = [charts.render(c, WIDTH, cache=False) for c in samples(lang).values()]
        data = pdf_of(figs)
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            text = "\n".join(p.extract_text() or "" for p in pdf.pages)
            chars = [c for p in pdf.pages for c in p.chars]
        squashed = text.replace(" ", "").replace("\n", "")
        for c in samples(lang).values():
            for p in list(c.points) + [q for row in c.matrix for q in row]:
                assert p.text.replace(" ", "") in squashed, (lang, p.text)
                if p.label:
                    assert p.label.split()[0] in text, (lang, p.label)
        faces = {c["fontname"].split("+")[-1] for c in chars}
        if lang == "zh":  # Chinese charts are set in the SC sans face throughout
            assert faces == {"NotoSansSC-Regular", "NotoSansSC-Bold"}
        else:  # English charts: Latin sans first; the SC face only for CJK characters, if any
            assert {"NotoSans-Regular", "NotoSans-Bold"} <= faces <= {"NotoSans-Regular", "NotoSans-Bold",
                                                                      "NotoSansSC-Regular", "NotoSansSC-Bold"}
            latin = [c for c in chars if c["text"].isascii()]
            assert latin and all(c["fontname"].split("+")[-1].startswith("NotoSans-") for c in latin)
        assert min(c["size"] for c in chars) >= theme.CHART_MIN_PT - 0.01
        reader = PdfReader(io.BytesIO(data))
        for page in reader.pages:
            xobjects = page.get("/Resources", {}).get("/XObject", {}) or {}
            assert not [k for k, v in xobjects.items() if v.get_object().get("/Subtype") == "/Image"]
        assert b"/Subtype /Image" not in data


def test_cache_hit_and_miss(tmp_path: Path) -> None:
    chart = samples("zh")["hbar"]
    first = charts.render(chart, WIDTH)
    files = sorted(charts.cache_dir().glob("*.json"))
    stored = [f for f in files if f.name != "fonts.json"]
    assert len(stored) == 1
    # a hit is read from the file: change the file, and the change comes back
    from briefing.charts import cache

    key = charts.cache_key(chart, WIDTH)
    data = json.loads(cache.decode(key, stored[0].read_bytes()))
    data["height"] = 123.0
    stored[0].write_bytes(cache.encode(key, json.dumps(data).encode()))
    assert charts.render(chart, WIDTH).height == 123.0
    # cache=False neither reads nor writes
    assert charts.render(chart, WIDTH, cache=False).height == first.height
    # a changed value is a new key
    changed = LChart(**{**chart.__dict__, "points": (P("地区生产总值", 6.4, "6.4%"),) + chart.points[1:]})
    assert charts.cache_key(changed, WIDTH) != charts.cache_key(chart, WIDTH)
    charts.render(changed, WIDTH)
    assert len([f for f in charts.cache_dir().glob("*.json") if f.name != "fonts.json"]) == 2
    assert charts.cache_key(chart, WIDTH + 10) != charts.cache_key(chart, WIDTH)


@pytest.mark.slow
def test_warm_rebuild_does_not_import_matplotlib(tmp_path: Path) -> None:
    code = f"""
import sys, json
sys.path.insert(0, {str(ROOT)!r}); sys.path.insert(0, {str(ROOT / 'tests')!r})
from test_charts import samples, WIDTH
from briefing import charts
figs = [charts.render(c, WIDTH) for c in samples('en').values()]
print(json.dumps(['matplotlib' in sys.modules, sum(len(f.ops) for f in figs)]))
"""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    def run():
        return json.loads(subprocess.run([sys.executable, "-c", code], env=env, check=True,
                                         capture_output=True, text=True).stdout)
    cold_imported, cold_ops = run()
    warm_imported, warm_ops = run()
    assert cold_imported is True and warm_imported is False and warm_ops == cold_ops


def test_missing_glyph_names_the_character_and_the_chart() -> None:
    chart = samples("zh")["hbar"]
    bad = LChart(**{**chart.__dict__, "points": (P("地区生产总值\U0001F600", 6.3, "6.3%"),)})
    with pytest.raises(GlyphError) as e:
        charts.render(bad, WIDTH, cache=False)
    msg = str(e.value)
    assert "U+1F600" in msg and "main-indicators" in msg


def test_unknown_kind_and_empty_charts_are_user_errors() -> None:
    from briefing.errors import BriefingError

    with pytest.raises(BriefingError, match="pie"):
        charts.render(LChart("pie", "en", "t", "", "", "percent", points=(P("a", 1, "1"),)), WIDTH, cache=False)
    with pytest.raises(BriefingError, match="no data") as e:
        charts.render(LChart("hbar", "en", "t", "", "", "percent", id="empty"), WIDTH, cache=False)
    assert str(e.value).startswith("chart 'empty': ")
    with pytest.raises(BriefingError, match="positive"):
        charts.render(LChart("donut", "en", "t", "", "", "percent", points=(P("a", 0, "0%"),)), WIDTH, cache=False)


def test_negative_values_and_narrow_columns_stay_inside_the_box() -> None:
    from briefing.charts import text_width

    neg = LChart("hbar", "en", "t", "Growth (%)", "", "percent",
                 points=(P("Exports", -3.2, "-3.2%", "12th in Henan"), P("Imports", 12.5, "12.5%")),
                 reference=P("Henan", 4.0, "4.0%"))
    figs = [charts.render(neg, WIDTH, cache=False)] + [charts.render(c, 240, cache=False)
                                                       for c in samples("en").values()]
    for fig in figs:
        for t in fig.texts():
            w = text_width(t.text, t.size, t.bold, t.lang)
            left = t.x - {"left": 0, "center": w / 2, "right": w}[t.anchor]
            assert left >= -0.5 and left + w <= fig.width + 0.5, t
    # a value label just right of the reference line is not crossed by it
    close = LChart("hbar", "zh", "t", "", "", "percent", points=(P("基础设施投资", 6.5, "6.5%"), P("工业投资", 13.2, "13.2%")),
                   reference=P("固定资产投资", 6.6, "6.6%"))
    fig = charts.render(close, WIDTH, cache=False)
    line = [op for op in fig.ops if isinstance(op, charts.PathOp) and op.dash and op.stroke == theme.INK.upper()]
    xr = line[0].segments[0][1]
    label = next(t for t in fig.texts() if t.text == "6.5%")
    assert label.x >= xr + charts.PAD - 0.01
    # the negative bar's label sits left of its bar end, the positive one right of it
    texts = {t.text: t for t in figs[0].texts()}
    assert texts["-3.2%"].anchor == "right" and texts["12.5%"].anchor == "left"


def test_figure_json_round_trip() -> None:
    fig = charts.render(samples("en")["donut"], WIDTH, cache=False)
    assert charts.Figure.from_json(json.loads(json.dumps(fig.to_json()))) == fig
    assert any(op.segments and op.segments[1][0] == "C" for op in fig.ops if isinstance(op, charts.PathOp))


def test_wrap_keeps_latin_runs_and_never_starts_a_line_with_a_closing_mark() -> None:
    from briefing.charts import text_width, wrap

    lines = wrap("“3+13+N”产业链群合计增加值增长情况", 60, 8)
    assert all(text_width(ln, 8) <= 60 + 8 for ln in lines)
    assert any("3+13+N" in ln for ln in lines)
    assert not any(ln[0] in "”，。）" for ln in lines)
    assert wrap("Value added of industry above designated size", 100, 8) == [
        "Value added of industry", "above designated size"]


def _measure(out: str) -> None:
    import tempfile

    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp()
    t0 = time.perf_counter()
    all_charts = [c for lang in ("zh", "en") for c in samples(lang).values()]
    cold = []
    for c in all_charts:
        t = time.perf_counter()
        charts.render(c, WIDTH)
        cold.append(time.perf_counter() - t)
    t_cold = time.perf_counter() - t0
    t = time.perf_counter()
    figs = [charts.render(c, WIDTH) for c in all_charts]
    t_warm = time.perf_counter() - t
    # What one chart adds to a document that already uses the chart font: the PDF of all the zh charts
    # minus the PDF without that chart (its drawing plus any glyphs only it uses).
    zh = {k: charts.render(c, WIDTH) for k, c in samples("zh").items()}
    whole = len(pdf_of(list(zh.values())))
    one = {k: whole - len(pdf_of([f for j, f in zh.items() if j != k])) for k in zh}
    data = pdf_of(figs)
    Path(out).write_bytes(data)
    print(f"{len(all_charts)} charts: cold {t_cold:.2f} s (first {cold[0]:.2f} s incl. matplotlib import, "
          f"then {sum(cold[1:]) / (len(cold) - 1) * 1000:.0f} ms each); cached {t_warm * 1000 / len(all_charts):.1f} ms each")
    print(f"zh charts together: {whole / 1024:.1f} KB; bytes each chart adds to them:",
          ", ".join(f"{k} {v / 1024:.1f} KB" for k, v in one.items()))
    print(f"all {len(figs)} charts: {len(data) / 1024:.1f} KB -> {out}")


if __name__ == "__main__":
    _measure(sys.argv[1] if len(sys.argv) > 1 else "/tmp/charts.pdf")


@pytest.mark.parametrize("center", ["民生支出占一般公共预算支出比重达百分之七十五点六",
                                    "Livelihood spending share of general public budget expenditure 75.6%",
                                    "Averyveryverylongwordwithoutanyspaceatallinthecentre75.6%"])
def test_donut_centre_text_that_does_not_fit_still_draws_within_bounds(center: str) -> None:
    import dataclasses
    import time

    base = samples("zh" if center[0] > "\u3000" else "en")["donut"]
    chart = dataclasses.replace(base, center=center)
    t = time.perf_counter()
    fig = charts.render(chart, 240.0, cache=False)
    assert time.perf_counter() - t < 10
    texts = [op for op in fig.texts() if op.text and op.text in center]
    assert texts and all(op.size >= theme.CHART_MIN_PT for op in texts)
