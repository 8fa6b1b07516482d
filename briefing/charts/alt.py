"""A chart's alternative text, from its data, in the document's language: what kind of chart, its title,
and every label with its value exactly as the chart prints it (for the PDF's /Alt, and for anyone who
cannot see the drawing).

    条形图：主要经济指标同比增长。地区生产总值6.3%，全省第6位；一般公共预算收入4.5%，全省第1位。
    Bar chart: Main indicators, growth. GDP 6.3%, 6th in Henan; General public budget revenue 4.5%, 1st in Henan.
"""
from __future__ import annotations

from ..model import ChartPoint, LChart
from .labels import share_text

# One flat table per language, with the same keys (tested).
STRINGS: dict[str, dict[str, str]] = {
    "zh": {
        "hbar": "条形图", "bar": "柱形图", "grouped": "分组条形图", "line": "折线图", "donut": "环形图",
        "progress": "进度图",
        "head": "{kind}：{title}。", "unit": "单位：{unit}。", "item": "{label}{value}", "note": "{item}，{note}",
        "sep": "；", "end": "。", "group": "{name}：{items}", "group_sep": "，",
        "target": "{item}，目标{target}，完成{share}", "reference": "参考线：{label}{value}",
        "center": "中心：{text}",
    },
    "en": {
        "hbar": "Bar chart", "bar": "Column chart", "grouped": "Grouped bar chart", "line": "Line chart",
        "donut": "Donut chart", "progress": "Progress chart",
        "head": "{kind}: {title}.", "unit": "Unit: {unit}.", "item": "{label} {value}", "note": "{item}, {note}",
        "sep": "; ", "end": ".", "group": "{name}: {items}", "group_sep": ", ",
        "target": "{item} of {target}, {share} done", "reference": "reference line: {label} {value}",
        "center": "centre: {text}",
    },
}

_STOPS = "。．.；;：:，,"


def alt_text(chart: LChart) -> str:
    """The chart in words."""
    s = STRINGS[chart.lang]
    space = " " if chart.lang == "en" else ""

    def item(p: ChartPoint, label: str | None = None) -> str:
        text = s["item"].format(label=(p.label if label is None else label), value=p.text).strip()
        return s["note"].format(item=text, note=p.note) if p.note else text

    parts = [s["head"].format(kind=s[chart.kind], title=chart.title.strip().rstrip(_STOPS))]
    if chart.unit:
        parts.append(s["unit"].format(unit=chart.unit.strip().rstrip(_STOPS)))
    items: list[str] = []
    if chart.kind == "grouped":
        for cat, row in zip(chart.categories, chart.matrix):
            inner = s["group_sep"].join(item(p, name) for name, p in zip(chart.series, row))
            items.append(s["group"].format(name=cat, items=inner))
    elif chart.kind == "line":
        for name, row in zip(chart.series, chart.matrix):
            inner = s["group_sep"].join(item(p, cat) for cat, p in zip(chart.categories, row))
            items.append(s["group"].format(name=name, items=inner))
    else:
        for p in chart.points:
            text = item(p)
            if chart.kind == "progress" and p.target_text:
                share = share_text(p, chart.lang)
                text = s["target"].format(item=text, target=p.target_text, share=share).rstrip("，, ")
            items.append(text)
    if chart.reference is not None:
        items.append(s["reference"].format(label=chart.reference.label, value=chart.reference.text).strip())
    if chart.center:
        items.append(s["center"].format(text=chart.center))
    if items:
        parts.append(s["sep"].join(items) + s["end"])
    return space.join(parts)
