"""Charts check their data (issue #10 item 5): one kind and unit per chart, progress within its target, donut
parts that are positive shares, an axis unit naming the scale the ticks count in — each a content error at
its place in the file. Ticks print in the chart's unit; negative values are drawn on the other side of a
visible zero line, with a real minus sign."""
from __future__ import annotations

import pytest

from briefing import charts, theme
from briefing.errors import ErrorList
from briefing.load import loads
from briefing.localize import localize
from briefing.numbers import format_tick

HEAD = """id: t
masthead: {zh: 简报, en: Brief}
title: {zh: 标题, en: Title}
date: 2025-07-30
author: {zh: 某, en: X}
source: {zh: 报, en: paper}
data:
  rev: {kind: money, value: 79.9, scale: 亿, label: {zh: 收入, en: Revenue}}
  spend: {kind: money, value: 142.3, scale: 亿, label: {zh: 支出, en: Spending}}
  growth: {kind: percent, value: 6.3, label: {zh: 增速, en: Growth}}
  exports: {kind: percent, value: -3.2, label: {zh: 出口, en: Exports}}
  imports: {kind: percent, value: 12.5, label: {zh: 进口, en: Imports}}
  jobs: {kind: count, value: 3.91, scale: 万, unit: {zh: 人, en: people}, label: {zh: 就业, en: Jobs}}
  target: {kind: count, value: 5.86, scale: 万, unit: {zh: 人, en: people}}
  big: {kind: count, value: 8.75, scale: 万, unit: {zh: 人, en: people}}
  firms: {kind: count, value: 9, scale: 万, unit: {zh: 户, en: firms}}
  rank: {kind: rank, value: 2, scope: {zh: 全省, en: in Henan}}
  loss: {kind: money, value: -5, scale: 亿}
sections:
  - heading: {zh: 甲, en: A}
    blocks:
      - chart:
"""


def chart_errors(body: str) -> list[str]:
    with pytest.raises(ErrorList) as ei:
        loads(HEAD + body, "x.yaml")
    return ei.value.lines()


def chart(body: str):
    return loads(HEAD + body, "x.yaml")


@pytest.mark.parametrize("body, message", [
    # an hbar mixing 亿元 with % (its ticks read 50,000,000,000%)
    ("""          kind: hbar
          title: {zh: 图, en: Chart}
          unit: {zh: 亿元, en: CNY billion}
          items: [{value: rev}, {value: growth}]
""", "x.yaml:26:41: sections[0].blocks[0].chart.items[1].value: the chart mixes units: 'growth' is a percent, "
     "'rev' is an amount of money (CNY) — a chart shows figures of one kind and unit: chart these separately"),
    # a donut mixing 亿元 with %
    ("""          kind: donut
          title: {zh: 图, en: Chart}
          parts: [{label: {zh: 甲, en: A}, value: spend}, {label: {zh: 乙, en: B}, value: growth}]
""", "x.yaml:25:89: sections[0].blocks[0].chart.parts[1].value: the chart mixes units: 'growth' is a percent, "
     "'spend' is an amount of money (CNY) — a chart shows figures of one kind and unit: chart these separately"),
    # counts of different things
    ("""          kind: bar
          title: {zh: 图, en: Chart}
          unit: {zh: 万, en: thousand}
          items: [{value: jobs}, {value: firms}]
""", "x.yaml:26:42: sections[0].blocks[0].chart.items[1].value: the chart mixes units: 'firms' is a count of 户 "
     "(firms), 'jobs' is a count of 人 (people) — a chart shows figures of one kind and unit: chart these "
     "separately"),
    # a progress bar at 149.3% of its target
    ("""          kind: progress
          title: {zh: 图, en: Chart}
          items: [{label: {zh: 就业, en: Jobs}, value: big, target: target}]
""", "x.yaml:25:54: sections[0].blocks[0].chart.items[0].value: progress value 'big' (8.75万人) is above its "
     "target 'target' (5.86万人), 149.3% of it — a progress bar shows how much of a target is reached: check "
     "the figures, or show them in a bar chart"),
    # a donut with a negative part
    ("""          kind: donut
          title: {zh: 图, en: Chart}
          parts: [{label: {zh: 甲, en: A}, value: spend}, {label: {zh: 乙, en: B}, value: loss}]
""", "x.yaml:25:89: sections[0].blocks[0].chart.parts[1].value: donut part 'loss' is \u2212CNY 500 million: a "
     "part must be more than zero — leave the part out, or show the figures in a bar chart"),
    # a donut of ranks
    ("""          kind: donut
          title: {zh: 图, en: Chart}
          parts: [{label: {zh: 甲, en: A}, value: rank}]
""", "x.yaml:25:50: sections[0].blocks[0].chart.parts[0].value: a donut's parts are shares of a whole; 'rank' "
     "is a rank — use count, money, quantity, number, percent, permille metrics, or another kind of chart"),
    # ticks would count in 亿 / billion under an axis that does not say so
    ("""          kind: hbar
          title: {zh: 图, en: Chart}
          unit: {zh: 元, en: CNY}
          items: [{value: rev}, {value: spend}]
""", "x.yaml:25:22: sections[0].blocks[0].chart.unit.zh: the axis counts in 亿 (the largest value is 142.3亿元) but "
     "the chart has the unit '元' — name the scale in the chart's `unit` (zh: e.g. 亿元 or 亿人)"),
])
def test_chart_data_errors_name_the_place(body, message):
    lines = chart_errors(body)
    assert lines[0] == message, lines


def test_english_axis_unit_must_name_its_scale_too():
    lines = chart_errors("""          kind: hbar
          title: {zh: 图, en: Chart}
          unit: {zh: 亿元, en: CNY}
          items: [{value: rev}, {value: spend}]
""")
    assert lines == ["x.yaml:25:30: sections[0].blocks[0].chart.unit.en: the axis counts in billion (the largest value "
                     "is CNY 14.23 billion) but the chart has the unit 'CNY' — name the scale in the chart's `unit` "
                     "(en: e.g. CNY billion or billion people)"]


def test_empty_chart_is_an_error_with_its_place():
    lines = chart_errors("""          kind: hbar
          title: {zh: 图, en: Chart}
          unit: {zh: 亿元, en: CNY billion}
          items: []
""")
    assert lines == ["x.yaml:26:18: sections[0].blocks[0].chart.items: the list is empty — add at least one item, "
                     "or remove the field"]


# ------------------------------------------------------------------ ticks in the chart's unit

@pytest.mark.parametrize("value, kind, lang, scale, text", [
    (2e12, "money", "zh", 8, "20000"),
    (4e12, "money", "en", 12, "4"),
    (1.5e10, "money", "en", 9, "15"),
    (2.5e9, "money", "en", 9, "2.5"),
    (50000, "count", "zh", 4, "5"),
    (40000, "money", "zh", 0, "40000"),
    (40000, "money", "en", 0, "40,000"),
    (-4.0, "percent", "en", 0, "\u22124%"),
    (-30.0, "percent", "zh", 0, "\u221230%"),
    (0.30000000000000004, "percent", "zh", 0, "0.3%"),
    (-2e9, "money", "en", 9, "\u22122"),
])
def test_ticks_print_in_the_charts_unit(value, kind, lang, scale, text):
    assert format_tick(value, kind, lang, scale) == text


def test_chart_ticks_from_the_data_scale():
    b = chart("""          kind: hbar
          title: {zh: 图, en: Chart}
          unit: {zh: 亿元, en: CNY billion}
          items: [{value: rev}, {value: spend}]
""")
    zh, en = (localize(b, lang).sections[0].blocks[0] for lang in ("zh", "en"))
    assert (zh.tick_scale, en.tick_scale) == (8, 9)
    zh_ticks = {t.text for t in charts.render(zh, 400, cache=False).texts()}
    en_ticks = {t.text for t in charts.render(en, 400, cache=False).texts()}
    assert {"0", "50", "100"} <= zh_ticks and {"0", "5", "10"} <= en_ticks, (zh_ticks, en_ticks)


# ------------------------------------------------------------------ negative values

@pytest.mark.parametrize("kind", ["hbar", "bar"])
def test_negative_values_are_drawn_across_a_visible_zero_line(kind):
    b = chart(f"""          kind: {kind}
          title: {{zh: 图, en: Chart}}
          unit: {{zh: 同比增长（%）, en: Growth (%)}}
          items: [{{value: exports}}, {{value: imports}}]
""")
    lchart = localize(b, "en").sections[0].blocks[0]
    assert [p.text for p in lchart.points] == ["\u22123.2%", "12.5%"]
    fig = charts.render(lchart, 400, cache=False)
    horizontal = kind == "hbar"
    axis = 0 if horizontal else 1
    grey = theme.GREY.upper()
    zero_lines = [op for op in fig.ops if isinstance(op, charts.PathOp) and op.stroke and op.stroke.upper() == grey
                  and len(op.segments) == 2 and op.segments[0][1 + axis] == op.segments[1][1 + axis]]
    assert zero_lines, "no zero line"
    zero = zero_lines[0].segments[0][1 + axis]
    bars = [op for op in fig.ops if isinstance(op, charts.PathOp) and op.fill and op.fill.upper() == theme.RED.upper()]
    extents = [(min(s[1 + axis] for s in op.segments if len(s) > 2), max(s[1 + axis] for s in op.segments if len(s) > 2))
               for op in bars]
    negative = [e for e in extents if e[0] < zero - 1]
    positive = [e for e in extents if e[1] > zero + 1]
    assert len(negative) == 1 and len(positive) == 1, extents
    assert abs(negative[0][1] - zero) < 0.5 and abs(positive[0][0] - zero) < 0.5   # both start at the zero line
    ticks = {t.text for t in fig.texts()}
    assert any(t.startswith("\u2212") and t.endswith("%") for t in ticks), ticks   # a tick below zero, U+2212
    assert not any("-" in t for t in ticks)


def test_progress_share_is_computed_in_decimal_and_rounded_half_up():
    b = chart("""          kind: progress
          title: {zh: 图, en: Chart}
          items: [{label: {zh: 就业, en: Jobs}, value: jobs, target: target}]
""")
    for lang in ("zh", "en"):
        point = localize(b, lang).sections[0].blocks[0].points[0]
        assert point.share_text == "66.7%"      # 3.91 / 5.86 = 66.723…%
