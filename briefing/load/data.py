"""The `data:` section: metrics with their kinds, values as written (Decimal), scales, units and formulas;
and the check, once all data is known, of every placeholder and chart reference."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from yaml.nodes import MappingNode, Node, ScalarNode

from .. import model as m
from .. import placeholders as ph
from ..errors import ContentError
from .expr import MAX_EXPR, _eval_expr, expr_names
from .nodes import FLOAT, INT, KEY_RE, STR, TIMESTAMP, _clip, _Ctx, _kind_of, _mapping, _opt, _Stop, _text, iso_date

MAX_ABS = Decimal(10) ** 15            # a figure (scale applied) of this size or more is a typo
MAX_DECIMALS = 6                       # digits after the point, as written or as `decimals`
MAX_SIGNIFICANT = 15                   # significant digits of a value
MAX_EXPR_DEPTH = 32                    # formulas over formulas over …

METRIC_FIELDS = {"kind", "value", "expr", "computed", "decimals", "scale", "unit", "currency", "scope", "label",
                 "note", "change"}
UNIT_KINDS = ("count", "quantity")                       # need a `unit`
SCALE_KINDS = ph.SCALED_KINDS                            # may have a `scale`


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
    if len(raw) > 40:
        raise ctx.fail(node, f"'{_clip(node.value)}' is {len(raw)} characters long, too long for a figure",
                       "write the figure as printed, e.g. 6.3", path)
    try:
        d = Decimal(raw.replace("_", ""))
    except InvalidOperation:
        raise ctx.fail(node, f"'{node.value}' is not a number", digits, path) from None
    # bounds first, from the exponent alone: `1.0e-999999999` must not be formatted with a billion zeros
    sign, ds, exp = d.as_tuple()
    assert isinstance(exp, int)
    if d and exp + len(ds) > 15:
        raise ctx.fail(node, f"'{node.value}' is too large (limit ±10^15)",
                       "check the figure, and use `scale: 亿` for large amounts", path)
    if -exp > MAX_DECIMALS:
        raise ctx.fail(node, f"'{_clip(node.value)}' has {-exp:,} digits after the point (limit {MAX_DECIMALS})",
                       "write the figure as printed, or use a `scale` (万, 亿, 万亿)", path)
    significant = len(ds) - next((i for i, x in enumerate(ds) if x), len(ds))
    if significant > MAX_SIGNIFICANT:
        raise ctx.fail(node, f"'{_clip(node.value)}' has {significant} significant digits (limit {MAX_SIGNIFICANT})",
                       "write the figure as printed", path)
    if abs(d) >= MAX_ABS:
        raise ctx.fail(node, f"'{node.value}' is too large (limit ±10^15)",
                       "check the figure, and use `scale: 亿` for large amounts", path)
    return d, max(0, -exp)


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


def build_metrics(ctx: _Ctx, raws: dict[str, _RawMetric]) -> dict[str, m.Metric]:
    """Every metric, formulas after the metrics they name. The order is found first, without recursion
    (a chain of any length cannot exhaust the stack), so a cycle or a chain deeper than MAX_EXPR_DEPTH is
    an error at its formula and every formula is evaluated once its operands are known."""
    deps: dict[str, list[str]] = {}
    for key, raw in raws.items():
        en = raw.fields.get("expr", (None, None))[1]
        if isinstance(en, ScalarNode) and en.tag == STR and len(en.value) <= MAX_EXPR:
            deps[key] = [n for n in expr_names(en.value) if n in raws]
    order: list[str] = []
    depth: dict[str, int] = {}
    broken: set[str] = set()
    state: dict[str, int] = {}          # 1 on the path, 2 done
    for start in raws:
        if start in state:
            continue
        path: list[str] = []
        todo: list[tuple[str, int]] = [(start, 0)]
        while todo:
            key, i = todo.pop()
            if i == 0:
                state[key] = 1
                path.append(key)
            names = deps.get(key, [])
            if i < len(names):
                todo.append((key, i + 1))
                dep = names[i]
                if state.get(dep) == 1:
                    cycle = path[path.index(dep):] + [dep]
                    raw = raws[key]
                    ctx.error(raw.fields["expr"][1], f"formula refers back to itself ({' → '.join(cycle)})",
                              "break the cycle", raw.path + ".expr")
                    broken.update(cycle)
                elif dep not in state:
                    todo.append((dep, 0))
                continue
            state[key] = 2
            path.pop()
            depth[key] = 1 + max((depth.get(d, 0) for d in names), default=0) if key in deps else 0
            if depth[key] > MAX_EXPR_DEPTH and not any(depth.get(d, 0) > MAX_EXPR_DEPTH for d in names):
                raw = raws[key]
                ctx.error(raw.fields["expr"][1], f"formulas build on formulas {depth[key]} levels deep here "
                          f"(limit {MAX_EXPR_DEPTH})", "compute it from fewer intermediate formulas",
                          raw.path + ".expr")
            order.append(key)
    values: dict[str, m.Metric] = {}
    for key in order:
        if key in broken or depth.get(key, 0) > MAX_EXPR_DEPTH:
            continue
        metric = _build_metric(ctx, raws[key], values, raws)
        if metric is not None:
            values[key] = metric
    return {key: values[key] for key in raws if key in values}     # in the file's order


def _build_metric(ctx: _Ctx, raw: _RawMetric, values: dict[str, m.Metric],
                  raws: dict[str, _RawMetric]) -> m.Metric | None:
    """One metric; the metrics its formula names are already in `values` (or failed)."""
    f, path, node = raw.fields, raw.path, raw.node
    kind_node = f["kind"][1]
    kind = kind_node.value if isinstance(kind_node, ScalarNode) else None
    if kind not in m.METRIC_KINDS:
        shown = f"'{_clip(kind)}'" if kind else _kind_of(kind_node)
        ctx.error(kind_node, f"unknown metric kind {shown}", f"use one of: {', '.join(m.METRIC_KINDS)}",
                  path + ".kind")
        return None
    where = ctx.where(node)
    for name, kinds, prints in (("unit", UNIT_KINDS + ("number",), "its own unit"),
                                ("currency", ("money",), "no currency"), ("scope", ("rank",), "no scope")):
        if name in f and kind not in kinds:
            ctx.error(f[name][0], f"a {kind} has no `{name}` (it prints {prints})",
                      f"leave `{name}` out, or use kind {' or '.join(kinds)}", path + "." + name)
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
            ctx.error(s, f"unknown scale {_clip(str(getattr(s, 'value', '')))!r}",
                      f"use {', '.join(m.SCALES)}, or leave it out", path + ".scale")
        elif kind not in SCALE_KINDS:
            ctx.error(s, f"a {kind} has no scale", f"leave `scale` out (scales are for {', '.join(SCALE_KINDS)})",
                      path + ".scale")
        else:
            scale = s.value
    if kind in UNIT_KINDS and unit is None and "unit" not in f:
        ctx.error(node, f"a {kind} needs a unit", "add `unit: {zh: 个, en: projects}`", path)
    if kind == "rank" and "scope" not in f:
        ctx.error(node, "a rank needs a scope", "add where it ranks, e.g. `scope: {zh: 全省, en: in Henan}`", path)
    change = _change_words(ctx, f, kind, path)
    decimals = None
    if "decimals" in f:
        dn = f["decimals"][1]
        raw_dec = dn.value.strip() if isinstance(dn, ScalarNode) and dn.tag == INT else ""
        if not re.fullmatch(r"[0-9]", raw_dec) or int(raw_dec) > MAX_DECIMALS:
            shown = f" '{_clip(dn.value)}'" if isinstance(dn, ScalarNode) and dn.value else ""
            ctx.error(dn, f"decimals{shown} must be a whole number from 0 to {MAX_DECIMALS}",
                      "write e.g. `decimals: 1`", path + ".decimals")
        else:
            decimals = int(raw_dec)
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
        if has_expr or not (isinstance(vn, ScalarNode) and vn.tag in (TIMESTAMP, INT, STR)):
            ctx.error(vn, "a date needs `value` as an ISO date", "write e.g. `value: 2025-07-30`", path + ".value")
            return None
        parsed = iso_date(vn.value)
        if isinstance(parsed, str):
            ctx.error(vn, parsed, "write e.g. `value: 2025-07-30`", path + ".value")
            return None
        value: Decimal | dt.date = parsed
        digits = 0
    else:
        if has_value:
            vn = f["value"][1]
            try:
                value, digits = _decimal(ctx, vn, path + ".value")
            except _Stop:
                return None
            if kind == "rank" and (digits or value < 1):
                ctx.error(vn, "a rank must be a whole number from 1 up", "write e.g. `value: 6`", path + ".value")
                return None
            if decimals is not None and decimals < digits:
                ctx.error(f["decimals"][1], f"decimals: {decimals} would round the value {vn.value} "
                          f"(written with {digits} digits after the point)",
                          "write the value as it is printed, or leave `decimals` out", path + ".decimals")
                return None
            if scale and abs(value.scaleb(m.SCALES[scale])) >= MAX_ABS:
                ctx.error(vn, f"'{vn.value}' {scale} is 10^15 or more in full (limit ±10^15)",
                          "check the figure and its scale", path + ".value")
                return None
        if has_expr:
            expr_src, expr_value = _relation(ctx, raw, values, raws, scale)
            if expr_value is None:
                return None
            if not has_value:
                digits = decimals if decimals is not None else 1
                value = expr_value.quantize(Decimal(1).scaleb(-digits))
                if kind == "rank" and value < 1:
                    ctx.error(f["expr"][1], f"formula gives {value}, not a rank (a whole number from 1 up)",
                              "check the formula", path + ".expr")
                    return None
                derived = True
    computed = None
    if "computed" in f and has_value and has_expr:
        try:
            computed, _ = _decimal(ctx, f["computed"][1], path + ".computed")
        except _Stop:
            pass
    return m.Metric(key=raw.key, kind=kind, value=value,
                    decimals=decimals if decimals is not None else digits, scale=scale, unit=unit,
                    currency=currency, scope=scope, label=label, note=note, derived=derived, where=where,
                    expr=expr_src, expr_value=expr_value, computed=computed,
                    change_zh=change[0], change_en=change[1])


def _relation(ctx: _Ctx, raw: _RawMetric, values: dict[str, m.Metric], raws: dict[str, _RawMetric],
              scale: str | None) -> tuple[str | None, Decimal | None]:
    """A metric's `expr`: its source and what it gives in the metric's scale (unrounded), or None after an
    error. The metrics it names are already built (build_metrics orders them)."""
    path = raw.path
    en = raw.fields["expr"][1]
    if not isinstance(en, ScalarNode) or en.tag != STR:
        ctx.error(en, "expr must be a formula in a string", "write e.g. `expr: a.b - c.d`", path + ".expr")
        return None, None

    def lookup(name: str) -> Decimal | None:
        if name not in raws:
            ctx.error(en, f"formula names unknown data key '{name}'", "check the key under `data:`",
                      path + ".expr")
            return None
        dep = values.get(name)
        if dep is None or not isinstance(dep.value, Decimal):
            return None       # that metric has its own error
        return dep.number

    full = _eval_expr(ctx, en, en.value, lookup, path + ".expr")
    if full is None:
        return None, None
    if abs(full) >= MAX_ABS:
        ctx.error(en, f"formula gives {full:.6g}, too large (limit ±10^15)", "check the formula",
                  path + ".expr")
        return None, None
    return en.value, full.scaleb(-m.SCALES[scale]) if scale else full


def _change_words(ctx: _Ctx, f: dict, kind: str, path: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """`change: {zh: 提高/回落, en: higher/lower}`: the words {key:change} uses (up/down, optionally
    /unchanged)."""
    if "change" not in f:
        return (), ()
    if kind not in ph.SIGNED_KINDS:
        ctx.error(f["change"][0], f"a {kind} has no change form", "leave `change` out", path + ".change")
        return (), ()
    text = _opt(ctx, f, "change", _text, path)
    if text is None:
        return (), ()
    out = []
    for lang in m.LANGS:
        words, why = ph.parse_words(text.get(lang), lang)
        if words is None:
            side = getattr(text.where, lang, None) or text.where
            ctx.errors.append(ContentError(f"{path.lstrip('.')}.change.{lang}: {why}",
                                           "write e.g. {zh: 提高/回落, en: higher/lower}", side))
            words = ()
        out.append(words)
    return out[0], out[1]


def _check_refs(ctx: _Ctx, values: dict[str, m.Metric], raws: dict[str, _RawMetric]) -> None:
    for ref, node, path in ctx.refs:
        key = ref.key
        if key not in values:
            if key not in raws:   # a key that is defined but broken has its own error already
                ctx.error(node, f"unknown placeholder {{{key}}}: no such key under `data:`",
                          _suggest(key, values), path, offset=ref.offset)
            continue
        problem = ph.check(ref, values[key].kind)
        if problem:
            ctx.error(node, problem[0], problem[1], path, offset=ref.offset)
        elif ref.has("scoped") and values[key].scope is None:
            ctx.error(node, f"placeholder {ref.source}: '{key}' has no `scope`",
                      f"give the rank a scope (e.g. `scope: {{zh: 全省, en: in Henan}}`), or write {{{key}}}", path,
                      offset=ref.offset)
    for key, node, path in ctx.chart_refs:
        if key not in values and key not in raws:
            ctx.error(node, f"unknown data key '{key}'", _suggest(key, values), path)
        elif key in values and values[key].kind == "date":
            ctx.error(node, f"'{key}' is a date, not a number", "refer to a numeric metric", path)


def _suggest(key: str, values: dict[str, m.Metric]) -> str:
    import difflib

    close = difflib.get_close_matches(key, list(values), n=1)
    return f"did you mean '{close[0]}'?" if close else "define it under `data:` or fix the name"
