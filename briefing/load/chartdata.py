"""Charts checked against their data, once every metric is known: one kind and unit per chart, progress
within its target, donut parts that are positive shares, and an axis unit that names the scale its ticks
count in. Every problem is a content error at the place in the file (the item, or the chart's `unit`)."""
from __future__ import annotations

from decimal import Decimal

from yaml.nodes import Node

from .. import model as m
from ..errors import ContentError
from ..numbers import chart_scales, format_metric
from .nodes import _Ctx


def _fmt(metric: m.Metric, lang: m.Lang) -> str:
    return format_metric(metric, lang).replace("\u00a0", " ")

DONUT_KINDS = ("count", "money", "quantity", "number", "percent", "permille")
ZH_SCALE_WORDS = {4: "万", 8: "亿", 12: "万亿"}
EN_SCALE_WORDS = {6: "million", 9: "billion", 12: "trillion"}


def unit_of(metric: m.Metric) -> tuple:
    """What a chart must not mix: the kind, and the currency or the unit."""
    if metric.kind == "money":
        return ("money", metric.currency)
    if metric.kind in ("count", "quantity"):
        u = metric.unit
        return (metric.kind, u.zh if u else "", u.en.split("|")[-1] if u else "")
    return (metric.kind,)


def describe(metric: m.Metric) -> str:
    kind = metric.kind
    if kind == "money":
        return f"an amount of money ({metric.currency})"
    if kind in ("count", "quantity") and metric.unit:
        return f"a {kind} of {metric.unit.zh} ({metric.unit.en.split('|')[-1]})"
    return {"percent": "a percent", "pp": "percentage points", "permille": "a per-mille rate",
            "multiple": "a multiple", "rank": "a rank", "number": "a plain number"}.get(kind, f"a {kind}")


def check_charts(ctx: _Ctx, values: dict[str, m.Metric]) -> None:
    for chart, node, path, first, last in ctx.charts:
        all_refs = ctx.chart_refs[first:last]
        refs = [(key, n, p) for key, n, p in all_refs if key in values and not p.endswith(".share")]
        if any(key not in values for key, _, _ in all_refs):
            continue   # a key that does not resolve has its own error
        _one_unit(ctx, chart, refs, values)
        if chart.kind == "progress":
            _progress(ctx, chart, refs, values)
        elif chart.kind == "donut":
            _donut(ctx, refs, values)
        _axis_unit(ctx, chart, node, path, [values[k] for k, _, _ in refs])


def _one_unit(ctx: _Ctx, chart: m.Chart, refs: list[tuple[str, Node, str]], values: dict[str, m.Metric]) -> None:
    key0, _, _ = refs[0]
    sig0 = unit_of(values[key0])
    for key, node, path in refs[1:]:
        if unit_of(values[key]) != sig0:
            ctx.error(node, f"the chart mixes units: '{key}' is {describe(values[key])}, '{key0}' is "
                      f"{describe(values[key0])}", "a chart shows figures of one kind and unit: chart these "
                      "separately", path)
            return


def _progress(ctx: _Ctx, chart: m.Chart, refs: list[tuple[str, Node, str]], values: dict[str, m.Metric]) -> None:
    where = {p: n for _, n, p in refs}
    for i, item in enumerate(chart.items):
        if item.target is None:
            continue
        value, target = values[item.value], values[item.target]
        v, t = value.number, target.number
        vpath = next((p for p in where if p.endswith(f"items[{i}].value")), "")
        tpath = next((p for p in where if p.endswith(f"items[{i}].target")), "")
        if t <= 0:
            ctx.error(where.get(tpath), f"progress target '{item.target}' is {_fmt(target, 'en')}, "
                      "not above zero", "a target is a positive amount", tpath)
        elif v < 0:
            ctx.error(where.get(vpath), f"progress value '{item.value}' is negative "
                      f"({_fmt(value, 'en')})", "show a decline in a bar chart", vpath)
        elif v > t:
            share = (v * 100 / t).quantize(Decimal("0.1"))
            ctx.error(where.get(vpath), f"progress value '{item.value}' ({_fmt(value, 'zh')}) is above "
                      f"its target '{item.target}' ({_fmt(target, 'zh')}), {share}% of it",
                      "a progress bar shows how much of a target is reached: check the figures, or show them "
                      "in a bar chart", vpath)


def _donut(ctx: _Ctx, refs: list[tuple[str, Node, str]], values: dict[str, m.Metric]) -> None:
    for key, node, path in refs:
        metric = values[key]
        if metric.kind not in DONUT_KINDS:
            ctx.error(node, f"a donut's parts are shares of a whole; '{key}' is {describe(metric)}",
                      f"use {', '.join(DONUT_KINDS)} metrics, or another kind of chart", path)
        elif metric.number <= 0:
            ctx.error(node, f"donut part '{key}' is {_fmt(metric, 'en')}: a part must be more than zero",
                      "leave the part out, or show the figures in a bar chart", path)


def _axis_unit(ctx: _Ctx, chart: m.Chart, node: Node, path: str, metrics: list[m.Metric]) -> None:
    """Ticks count in the scale the values print in (亿 / billion): the axis unit must name it, or
    `2万` under `亿元` reads as 2万亿元."""
    if chart.kind in ("donut", "progress") or not metrics:
        return
    zh, en = chart_scales(metrics)
    unit = chart.unit
    for lang, scale, words in (("zh", zh, ZH_SCALE_WORDS), ("en", en, EN_SCALE_WORDS)):
        if not scale:
            continue
        word = words[scale]
        text = unit.get(lang) if unit else ""
        if word in (text.lower() if lang == "en" else text):
            continue
        largest = max(metrics, key=lambda x: abs(x.number))
        example = f"{word}元 or {word}人" if lang == "zh" else f"CNY {word} or {word} people"
        fix = f"name the scale in the chart's `unit` ({lang}: e.g. {example})"
        shown = f"the unit '{text}'" if unit else "no unit"
        where = (getattr(unit.where, lang, None) or unit.where) if unit and unit.where else ctx.where(node, path)
        ctx.errors.append(ContentError(
            f"{path.lstrip('.')}.unit{'.' + lang if unit else ''}: the axis counts in {word} (the largest value is "
            f"{_fmt(largest, lang)}) but the chart has {shown}", fix, where))
