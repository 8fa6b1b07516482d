"""The `data:` section: metrics with their kinds, values as written (Decimal), scales, units and formulas;
and the check, once all data is known, of every placeholder and chart reference."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from yaml.nodes import MappingNode, Node, ScalarNode

from .. import model as m
from .expr import _eval_expr
from .nodes import FLOAT, INT, KEY_RE, STR, TIMESTAMP, _clip, _Ctx, _kind_of, _mapping, _opt, _Stop, _text

MAX_ABS = Decimal(10) ** 15            # beyond this a figure is a typo, and floats lose its digits

VARIANTS = {
    "count": {"num", "full"}, "money": {"num", "full"}, "percent": {"num"}, "pp": {"num"},
    "rank": {"num", "scoped"}, "date": set(), "quantity": {"num", "full"}, "number": {"num", "full"},
}
METRIC_FIELDS = {"kind", "value", "expr", "computed", "decimals", "scale", "unit", "currency", "scope", "label",
                 "note"}


def _decimal(ctx: _Ctx, node: Node, path: str) -> tuple[Decimal, int]:
    """A number exactly as written (Decimal keeps `9.0` distinct from `9`), finite and of sane size."""
    digits = "write the number as plain digits, e.g. 6.3"
    if not isinstance(node, ScalarNode):
        raise ctx.fail(node, f"expected a number, found {_kind_of(node)}", digits, path)
    raw = node.value.strip()
    if node.tag == STR:
        # YAML 1.1 reads `1e5` (no point) and anything quoted as text: say how to make it a number
        if re.fullmatch(r"[-+]?(\d[\d_]*)?\.?\d*(e[-+]?\d+)?", raw, re.I) and any(c.isdigit() for c in raw):
            fix = "remove the quotes" if getattr(node, "style", None) in ("'", '"') else digits + " (no exponent)"
            raise ctx.fail(node, f"'{node.value}' is text, not a number", fix, path)
        raise ctx.fail(node, f"expected a number, found text '{_clip(node.value)}'", digits, path)
    if node.tag not in (INT, FLOAT):
        raise ctx.fail(node, f"expected a number, found {_kind_of(node)}", digits, path)
    if raw.lower().lstrip("+-") in (".nan", ".inf"):
        raise ctx.fail(node, f"'{node.value}' is not a finite number", "write the actual figure", path)
    # YAML 1.1 also reads 0x10, 010 (octal), 0b1 and 1:30 (base 60) as integers: never what a report means
    if not re.fullmatch(r"[-+]?[0-9][0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?|[-+]?\.[0-9_]+([eE][-+]?[0-9]+)?", raw) \
            or (node.tag == INT and re.fullmatch(r"[-+]?0[0-9_]+", raw)):
        fix = "drop the leading zero (YAML reads it as octal)" if re.fullmatch(r"[-+]?0[0-9_]+", raw) else digits
        raise ctx.fail(node, f"'{node.value}' is not a decimal number", fix, path)
    try:
        d = Decimal(raw.replace("_", ""))
    except InvalidOperation:
        raise ctx.fail(node, f"'{node.value}' is not a number", digits, path) from None
    if abs(d) >= MAX_ABS:
        raise ctx.fail(node, f"'{node.value}' is too large (limit ±10^15)",
                       "check the figure, and use `scale: 亿` for large amounts", path)
    exp = d.as_tuple().exponent
    return d, max(0, -exp) if isinstance(exp, int) else 0


# ------------------------------------------------------------------ data

@dataclass
class _RawMetric:
    key: str
    node: Node
    fields: dict
    path: str


def _collect_data(ctx: _Ctx, node: Node, prefix: str, out: dict[str, _RawMetric], path: str) -> None:
    fields = _mapping(ctx, node, path)
    for name, (knode, vnode) in fields.items():
        if not KEY_RE.fullmatch(name):
            ctx.error(knode, f"data key '{name}' is not a valid name",
                      "use lower-case ASCII letters, digits and _, starting with a letter", path)
            continue
        key = f"{prefix}{name}"
        sub = f"{path}.{name}"
        if not isinstance(vnode, MappingNode):
            ctx.error(vnode, f"expected a metric or a group, found {_kind_of(vnode)}",
                      "write {kind: …, value: …} or a mapping of metrics", sub)
            continue
        keys = {k.value for k, _ in vnode.value if isinstance(k, ScalarNode)}
        if "kind" in keys:
            out[key] = _RawMetric(key, vnode, _mapping(ctx, vnode, sub, allowed=METRIC_FIELDS), sub)
        else:
            _collect_data(ctx, vnode, key + ".", out, sub)


def _build_metric(ctx: _Ctx, raw: _RawMetric, values: dict[str, m.Metric],
                  raws: dict[str, _RawMetric], stack: tuple[str, ...]) -> m.Metric | None:
    if raw.key in values:
        return values[raw.key]
    f, path, node = raw.fields, raw.path, raw.node
    kind_node = f["kind"][1]
    kind = kind_node.value if isinstance(kind_node, ScalarNode) else None
    if kind not in m.METRIC_KINDS:
        shown = f"'{_clip(kind)}'" if kind else _kind_of(kind_node)
        ctx.error(kind_node, f"unknown metric kind {shown}", f"use one of: {', '.join(m.METRIC_KINDS)}",
                  path + ".kind")
        return None
    where = ctx.where(node)
    unit = _opt(ctx, f, "unit", _text, path)
    scope = _opt(ctx, f, "scope", _text, path)
    label = _opt(ctx, f, "label", _text, path)
    note = _opt(ctx, f, "note", _text, path)
    currency = "CNY"
    if "currency" in f:
        c = f["currency"][1]
        if not isinstance(c, ScalarNode) or c.value not in ("CNY", "USD"):
            ctx.error(c, f"unknown currency {getattr(c, 'value', '')!r}", "use CNY or USD", path + ".currency")
        else:
            currency = c.value
    scale = None
    if "scale" in f:
        s = f["scale"][1]
        if not isinstance(s, ScalarNode) or s.value not in m.SCALES:
            ctx.error(s, f"unknown scale {getattr(s, 'value', '')!r}", "use 万 or 亿, or leave it out",
                      path + ".scale")
        else:
            scale = s.value
    if kind in ("count", "quantity") and unit is None and "unit" not in f:
        ctx.error(node, f"a {kind} needs a unit", "add `unit: {zh: 个, en: projects}`", path)
    decimals = None
    if "decimals" in f:
        dn = f["decimals"][1]
        if not (isinstance(dn, ScalarNode) and dn.tag == INT and 0 <= int(dn.value) <= 6):
            ctx.error(dn, "decimals must be a whole number from 0 to 6", "write e.g. `decimals: 1`",
                      path + ".decimals")
        else:
            decimals = int(dn.value)
    has_value, has_expr = "value" in f, "expr" in f
    if not has_value and not has_expr:
        ctx.error(node, "a metric needs `value` or `expr`",
                  "give the number as printed in `value`, or a formula in `expr` (or both: the value is "
                  "printed, the formula checked)", path)
        return None
    if "computed" in f and not (has_value and has_expr):
        ctx.error(f["computed"][0], "`computed` records what `expr` gives where the printed `value` differs",
                  "give both `value` and `expr`, or remove `computed`", path + ".computed")
    derived = False
    expr_src: str | None = None
    expr_value: Decimal | None = None
    if kind == "date":
        vn = f["value"][1] if has_value else f["expr"][1]
        if has_expr or not (isinstance(vn, ScalarNode) and vn.tag == TIMESTAMP):
            ctx.error(vn, "a date needs `value` as an ISO date", "write e.g. `value: 2025-07-30`", path + ".value")
            return None
        try:
            value: Decimal | dt.date = dt.date.fromisoformat(vn.value.strip())
        except ValueError:
            ctx.error(vn, f"'{vn.value}' is not a calendar date", "write YYYY-MM-DD", path + ".value")
            return None
        digits = 0
    else:
        if has_value:
            try:
                value, digits = _decimal(ctx, f["value"][1], path + ".value")
            except _Stop:
                return None
            if kind == "rank" and (digits or value < 1):
                ctx.error(f["value"][1], "a rank must be a whole number from 1 up", "write e.g. `value: 6`",
                          path + ".value")
                return None
        if has_expr:
            expr_src, expr_value = _relation(ctx, raw, values, raws, stack, scale)
            if expr_value is None:
                return None
            if not has_value:
                value = expr_value
                digits = decimals if decimals is not None else 1
                value = value.quantize(Decimal(1).scaleb(-digits))
                derived = True
    computed = None
    if "computed" in f and has_value and has_expr:
        try:
            computed, _ = _decimal(ctx, f["computed"][1], path + ".computed")
        except _Stop:
            pass
    metric = m.Metric(key=raw.key, kind=kind, value=value,
                      decimals=decimals if decimals is not None else digits, scale=scale, unit=unit,
                      currency=currency, scope=scope, label=label, note=note, derived=derived, where=where,
                      expr=expr_src, expr_value=expr_value, computed=computed)
    values[raw.key] = metric
    return metric


def _relation(ctx: _Ctx, raw: _RawMetric, values: dict[str, m.Metric], raws: dict[str, _RawMetric],
              stack: tuple[str, ...], scale: str | None) -> tuple[str | None, Decimal | None]:
    """A metric's `expr`: its source and what it gives in the metric's scale (unrounded), or None after an
    error."""
    path = raw.path
    en = raw.fields["expr"][1]
    if not isinstance(en, ScalarNode) or en.tag != STR:
        ctx.error(en, "expr must be a formula in a string", "write e.g. `expr: a.b - c.d`", path + ".expr")
        return None, None
    if raw.key in stack:
        ctx.error(en, f"formula refers back to itself ({' → '.join(stack + (raw.key,))})",
                  "break the cycle", path + ".expr")
        return None, None

    def lookup(name: str) -> Decimal | None:
        if name not in raws:
            ctx.error(en, f"formula names unknown data key '{name}'", "check the key under `data:`",
                      path + ".expr")
            return None
        dep = _build_metric(ctx, raws[name], values, raws, stack + (raw.key,))
        if dep is None or not isinstance(dep.value, Decimal):
            return None
        return dep.number

    full = _eval_expr(ctx, en, en.value, lookup, path + ".expr")
    if full is None:
        return None, None
    value = full.scaleb(-m.SCALES[scale]) if scale else full
    if abs(value) >= MAX_ABS:
        ctx.error(en, f"formula gives {value:.6g}, too large (limit ±10^15)", "check the formula",
                  path + ".expr")
        return None, None
    return en.value, value


def _check_refs(ctx: _Ctx, values: dict[str, m.Metric], raws: dict[str, _RawMetric]) -> None:
    for key, variant, node, path, offset in ctx.refs:
        if key not in values:
            if key not in raws:   # a key that is defined but broken has its own error already
                ctx.error(node, f"unknown placeholder {{{key}}}: no such key under `data:`",
                          _suggest(key, values), path, offset=offset)
            continue
        kind = values[key].kind
        if variant is not None and variant not in VARIANTS[kind]:
            forms = " or ".join([f"{{{key}}}"] + [f"{{{key}:{v}}}" for v in sorted(VARIANTS[kind])])
            ctx.error(node, f"placeholder {{{key}:{variant}}}: '{key}' is a {kind}, which has no "
                      f"'{variant}' form", f"write {forms}", path, offset=offset)
    for key, node, path in ctx.chart_refs:
        if key not in values and key not in raws:
            ctx.error(node, f"unknown data key '{key}'", _suggest(key, values), path)
        elif key in values and values[key].kind == "date":
            ctx.error(node, f"'{key}' is a date, not a number", "refer to a numeric metric", path)


def _suggest(key: str, values: dict[str, m.Metric]) -> str:
    import difflib

    close = difflib.get_close_matches(key, list(values), n=1)
    return f"did you mean '{close[0]}'?" if close else "define it under `data:` or fix the name"
