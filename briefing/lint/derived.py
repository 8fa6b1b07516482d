"""Derived figures: a printed value against its relation, and charts or tables that would show a computed
figure where the source prints its own."""
from __future__ import annotations

import re
from decimal import Decimal

from .. import model as m
from ..errors import Where
from . import LintWarning
from .texts import placeholders, sites


def _half_unit(decimals: int) -> Decimal:
    return Decimal(5).scaleb(-decimals - 1)


def _shown(metric: m.Metric, value: Decimal, decimals: int) -> str:
    """A value in the metric's own terms, for a message: `66.7%`, `75.5亿`, `0.9 pp`."""
    q = value.quantize(Decimal(1).scaleb(-decimals))
    return f"{q}" + {"percent": "%", "pp": " pp"}.get(metric.kind, metric.scale or "")


def _expr_text(expr: str, data: dict[str, m.Metric]) -> str:
    """`jobs.new / jobs.target * 100` → `3.91万 / 5.86万 * 100`."""
    def sub(mt: re.Match) -> str:
        d = data.get(mt.group(0))
        if d is None or not isinstance(d.value, Decimal):
            return mt.group(0)
        return _shown(d, d.value, d.decimals)
    return re.sub(r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*", sub, expr)


def _norm(expr: str) -> str:
    return re.sub(r"\s+", "", expr)


def derived_checks(b: m.Briefing) -> list[LintWarning]:
    out: list[LintWarning] = []
    data = b.data

    def at(metric: m.Metric) -> Where:
        return metric.where or Where(b.path)

    # 1. a printed value with a relation
    for key, metric in data.items():
        if metric.derived or metric.expr is None or metric.expr_value is None:
            continue
        assert isinstance(metric.value, Decimal)
        gives = metric.expr_value
        digits = metric.decimals
        differs = abs(metric.value - gives) > _half_unit(digits)
        rounded = _shown(metric, gives, digits)
        if metric.computed is not None:
            c = metric.computed
            c_digits = max(0, -c.as_tuple().exponent) if isinstance(c.as_tuple().exponent, int) else 0
            if not differs or gives.quantize(Decimal(1).scaleb(-c_digits)) != c:
                what = (f"`computed: {c}` no longer matches: the formula gives {rounded}"
                        + ("" if differs else ", as printed"))
                fix = (f"write `computed: {gives.quantize(Decimal(1).scaleb(-digits))}`" if differs
                       else "remove `computed`")
                out.append(LintWarning("stale-computed", at(metric), f"data.{key}", what, fix))
            continue
        if differs:
            out.append(LintWarning(
                "derived", at(metric), f"data.{key}",
                f"printed {_shown(metric, metric.value, digits)} but {metric.expr} = "
                f"{_expr_text(metric.expr, data)} = {rounded} ({_plain_number(gives)})",
                f"check both figures; if the source prints it so, keep the value and add "
                f"`computed: {gives.quantize(Decimal(1).scaleb(-digits))}`"))

    # 2. a computed figure shown where the source prints one for the same relation
    printed_for = {_norm(mt.expr): (k, mt) for k, mt in data.items()
                   if mt.expr and not mt.derived}
    for key, metric in data.items():
        if not (metric.derived and metric.expr and _norm(metric.expr) in printed_for):
            continue
        pkey, pmetric = printed_for[_norm(metric.expr)]
        if pmetric.value == metric.value:
            continue
        for where, field in _references(b, key):
            out.append(LintWarning(
                "computed-shown", where, field,
                f"shows {{{key}}}, computed as {_shown(metric, metric.value, metric.decimals)}, where the "
                f"source prints {{{pkey}}} ({_shown(pmetric, pmetric.value, pmetric.decimals)}) for the "
                f"same relation",
                f"show {{{pkey}}}, so the briefing prints one figure", "{" + pkey + "}"))

    # 3. a progress bar that computes a share the source prints
    for chart, cpath in _charts(b):
        if chart.kind != "progress":
            continue
        for i, item in enumerate(chart.items):
            if item.share or not item.target:
                continue
            value, target = data.get(item.value), data.get(item.target)
            if value is None or target is None or not isinstance(value.value, Decimal) or target.number == 0:
                continue
            share = 100 * value.number / target.number
            for pkey, pmetric in data.items():
                if pmetric.derived or pmetric.kind != "percent" or not pmetric.expr or pmetric.expr_value is None:
                    continue
                names = set(re.findall(r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*", pmetric.expr))
                if {item.value, item.target} <= names and abs(pmetric.expr_value - share) < Decimal("1e-9"):
                    drawn = share.quantize(Decimal("0.1"))
                    if drawn == pmetric.value:
                        continue
                    out.append(LintWarning(
                        "computed-shown", chart.where or Where(b.path), f"{cpath}.items[{i}]",
                        f"the bar prints its own share {drawn}% where the source prints {{{pkey}}} "
                        f"({_shown(pmetric, pmetric.value, pmetric.decimals)})",
                        f"add `share: {pkey}` to the item", "{" + pkey + "}"))
                    break
    return out


def _plain_number(d: Decimal) -> str:
    s = f"{d.quantize(Decimal('0.0001'))}".rstrip("0").rstrip(".")
    return s + ("…" if d != Decimal(s) else "")


def _charts(b: m.Briefing):
    def walk(sections, path):
        for i, s in enumerate(sections):
            p = f"{path}[{i}]"
            for j, blk in enumerate(s.blocks):
                if isinstance(blk, m.Chart):
                    yield blk, f"{p}.blocks[{j}].chart"
            yield from walk(s.sections, p + ".sections")
    yield from walk(b.sections, "sections")


def _references(b: m.Briefing, key: str):
    """Where a metric is shown: placeholders in printed text, chart values, key-figure items."""
    for site in sites(b):
        if not site.printed:
            continue
        for lang in m.LANGS:
            s = site.text.get(lang)
            for p in placeholders(s):
                if p.key == key:
                    side = getattr(site.text.where, lang, None)
                    where = side.at(s, p.start) if side is not None else (site.text.where or Where(b.path))
                    yield where, site.field if site.plain else f"{site.field}.{lang}"
                    break
            if site.plain:
                break
    for chart, cpath in _charts(b):
        items = list(chart.items) + ([chart.reference] if chart.reference else [])
        keys = [it.value for it in items] + [it.target for it in items if it.target]
        keys += [k for _, ks in chart.groups for k in ks]
        if key in keys:
            yield chart.where or Where(b.path), cpath
    for i, s in enumerate(b.sections):
        for sec, sp in ((s, f"sections[{i}]"), *((x, f"sections[{i}].sections[{j}]")
                                                  for j, x in enumerate(s.sections))):
            for j, blk in enumerate(sec.blocks):
                if isinstance(blk, m.Figures) and any(it.metric == key for it in blk.items):
                    # a panel has no position of its own: the nearest text in it, else its section's heading
                    texts = [blk.title] + [t for it in blk.items for t in (it.label, it.note)] + [sec.heading]
                    where = next((t.where for t in texts if t is not None and t.where is not None), None)
                    yield where or Where(b.path), f"{sp}.blocks[{j}].figures"
