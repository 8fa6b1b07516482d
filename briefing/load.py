"""YAML → bilingual model, with validation that reports every problem with its file:line:col.

The YAML is composed into nodes with PyYAML's safe machinery (no tags beyond the core schema, so no
content file can construct Python objects) and converted by hand, so every value keeps its position and
every number keeps the decimals it was written with.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Callable

import yaml
from yaml.composer import Composer
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

try:  # libyaml scans ~100x faster than pure Python: a 4 MB file is read in well under a second
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _Parser = None

from . import model as m
from .errors import ContentError, ErrorList, Where

MAX_FILE_BYTES = 4 * 1024 * 1024       # a briefing is a few hundred KB at most
MAX_NODES = 50_000                     # caps alias expansion ("billion laughs"); the sample has 3 255
MAX_DEPTH = 40                         # the format needs about 12 levels
MAX_STRING = 100_000
MAX_EXPR = 200                         # characters in a formula
MAX_ABS = Decimal(10) ** 15            # beyond this a figure is a typo, and floats lose its digits

KEY_RE = re.compile(r"[a-z][a-z0-9_]*")
PLACEHOLDER_RE = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
REF_RE = re.compile(r"([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*)(?::([a-z]+))?")

STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
TIMESTAMP = "tag:yaml.org,2002:timestamp"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
CORE_TAGS = {STR, INT, FLOAT, TIMESTAMP, BOOL, NULL,
             "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}

VARIANTS = {
    "count": {"num", "full"}, "money": {"num", "full"}, "percent": {"num"}, "pp": {"num"},
    "rank": {"num", "scoped"}, "date": set(), "quantity": {"num", "full"}, "number": {"num", "full"},
}
METRIC_FIELDS = {"kind", "value", "expr", "decimals", "scale", "unit", "currency", "scope", "label", "note"}
CHART_KINDS = ("hbar", "bar", "grouped", "line", "donut", "progress")
BLOCK_KINDS = ("paragraph", "heading", "bullets", "figures", "table", "chart", "source")


@dataclass(frozen=True)
class SideWhere(Where):
    """Where one language's string starts. `exact`: the string is written in the file character for
    character (no escapes, folding or block indentation), so a character's own position can be given."""

    exact: bool = False

    def at(self, value: str, offset: int) -> Where:
        """The position of value[offset] (the string's start when the mapping is not exact)."""
        if not self.exact or self.line is None or not 0 <= offset <= len(value):
            return self
        before = value[:offset]
        nl = before.rfind("\n")
        col = (self.col or 1) + offset if nl < 0 else offset - nl
        return Where(self.file, self.line + before.count("\n"), col, self.field)


@dataclass(frozen=True)
class TextWhere(Where):
    """Where a text pair is (its mapping, as str() shows), plus where each side's string is."""

    zh: SideWhere | None = None
    en: SideWhere | None = None


class _Stop(Exception):
    """Raised inside conversion once an error has been recorded and the value is unusable."""


@dataclass
class _Ctx:
    file: str
    text: str = ""
    errors: list[ContentError] = field(default_factory=list)
    refs: list[tuple[str, str | None, Node, str, int]] = field(default_factory=list)  # key, variant, node, path, offset
    chart_refs: list[tuple[str, Node, str]] = field(default_factory=list)
    strings: list[tuple[str, SideWhere]] = field(default_factory=list)   # every text, for the glyph check
    nodes: int = 0

    def where(self, node: Node | None, path: str = "") -> Where:
        if node is None:
            return Where(self.file, field=path or None)
        return Where(self.file, node.start_mark.line + 1, node.start_mark.column + 1, field=path.lstrip(".") or None)

    def error(self, node: Node | None, what: str, fix: str, path: str = "", offset: int | None = None) -> None:
        where = self.where(node, path) if offset is None else self.where_in(node, offset, path)
        path = path.lstrip(".")
        if path:
            what = f"{path}: {what}"
        self.errors.append(ContentError(what, fix, where))

    def side(self, node: Node, path: str = "") -> SideWhere:
        """Where a scalar's string begins: after its opening quote, and `exact` when the text between the
        quotes is the value itself, so that offsets into the value are offsets in the file."""
        start, end = node.start_mark, node.end_mark
        quote = 1 if getattr(node, "style", None) in ("'", '"') else 0
        raw = self.text[start.index + quote: end.index - quote] if self.text else None
        exact = isinstance(node, ScalarNode) and raw == node.value
        return SideWhere(self.file, start.line + 1, start.column + 1 + (quote if exact else 0),
                         path.lstrip(".") or None, exact)

    def where_in(self, node: Node, offset: int, path: str = "") -> Where:
        """The position of character `offset` of a scalar's value (its start when not exact)."""
        side = self.side(node, path)
        return side.at(node.value, offset) if side.exact else self.where(node, path)

    def fail(self, node: Node | None, what: str, fix: str, path: str = "") -> "_Stop":
        self.error(node, what, fix, path)
        return _Stop()


# ------------------------------------------------------------------ primitives

def _kind_of(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag == NULL:
        return "nothing (an empty value)"
    if node.tag == BOOL:
        return f"the yes/no value '{node.value}'"
    return {STR: "a string", INT: "a number", FLOAT: "a number", TIMESTAMP: "a date"}.get(node.tag, "a value")


def _mapping(ctx: _Ctx, node: Node, path: str, allowed: set[str] | None = None,
             required: tuple[str, ...] = ()) -> dict[str, tuple[Node, Node]]:
    if not isinstance(node, MappingNode):
        raise ctx.fail(node, f"expected a mapping, found {_kind_of(node)}", "write `key: value` pairs here", path)
    out: dict[str, tuple[Node, Node]] = {}
    for k, v in node.value:
        if not isinstance(k, ScalarNode):
            ctx.error(k, "mapping keys must be plain names", "use a plain word as the key", path)
            continue
        if k.value in out:
            first = out[k.value][0].start_mark
            ctx.error(k, f"duplicate key '{k.value}' (first at line {first.line + 1})",
                      "remove one of the two", path)
        if allowed is not None and k.value not in allowed:
            ctx.error(k, f"unknown field '{k.value}'",
                      f"use one of: {', '.join(sorted(allowed))}", path)
            continue
        out[k.value] = (k, v)
    for r in required:
        if r not in out:
            ctx.error(node, f"missing field '{r}'", f"add `{r}:`", path)
    return out


def _string(ctx: _Ctx, node: Node, path: str, *, empty_ok: bool = False) -> str:
    if not isinstance(node, ScalarNode) or node.tag not in (STR, INT, FLOAT):
        fix = "write the text in quotes"
        if isinstance(node, ScalarNode) and node.tag in (BOOL, TIMESTAMP) and node.value:
            fix = f'write it in quotes: "{node.value}"'
        raise ctx.fail(node, f"expected text, found {_kind_of(node)}", fix, path)
    s = node.value
    if len(s) > MAX_STRING:
        raise ctx.fail(node, f"text is {len(s):,} characters long (limit {MAX_STRING:,})",
                       "split it into several paragraphs", path)
    if not s.strip() and not empty_ok:
        raise ctx.fail(node, "text is empty", "write the text, or remove the field", path)
    return s


def _text(ctx: _Ctx, node: Node, path: str, *, plain_ok: bool = False) -> m.Text:
    """A {zh, en} pair; with plain_ok a plain string is the same text in both languages."""
    if plain_ok and isinstance(node, ScalarNode) and node.tag != NULL:
        s = _string(ctx, node, path, empty_ok=True)
        _scan_placeholders(ctx, s, node, path)
        side = ctx.side(node, path)
        ctx.strings.append((s, side))
        w = ctx.where(node, path)
        return m.Text(s, s, TextWhere(w.file, w.line, w.col, w.field, zh=side, en=side))
    if not isinstance(node, MappingNode):
        raise ctx.fail(node, f"expected a {{zh: …, en: …}} pair, found {_kind_of(node)}",
                       "give the text in both languages: {zh: 中文, en: English}", path)
    fields = _mapping(ctx, node, path, allowed={"zh", "en"})
    sides: dict[str, str] = {}
    wheres: dict[str, SideWhere] = {}
    for lang in m.LANGS:
        if lang not in fields:
            other = "en" if lang == "zh" else "zh"
            ctx.error(node, f"missing the '{lang}' side", f"add `{lang}:` with the "
                      f"{'Chinese' if lang == 'zh' else 'English'} text beside `{other}:`", path)
            continue
        try:
            vnode, sub = fields[lang][1], f"{path}.{lang}"
            sides[lang] = _string(ctx, vnode, sub)
            _scan_placeholders(ctx, sides[lang], vnode, sub)
            wheres[lang] = ctx.side(vnode, sub)
            ctx.strings.append((sides[lang], wheres[lang]))
        except _Stop:
            pass
    if len(sides) < 2:
        raise _Stop()
    w = ctx.where(node, path)
    return m.Text(sides["zh"], sides["en"], TextWhere(w.file, w.line, w.col, w.field, **wheres))


def _tpl(ctx: _Ctx, node: Node, path: str) -> m.Text:
    """A pair, or a plain string used in both languages (e.g. "{gdp.rank:scoped}")."""
    return _text(ctx, node, path, plain_ok=True)


def _scan_placeholders(ctx: _Ctx, s: str, node: Node, path: str) -> None:
    """Record every {key} and {key:form} for checking once the data is known; anything else in braces is
    an error here, so that text can never reach attributes, indexing or format specs (`{a.__class__}`,
    `{a[0]}`, `{0}`, `{a!r}`). Errors point at the brace itself when the file allows it."""
    for mt in PLACEHOLDER_RE.finditer(s):
        tok = mt.group(0)
        if tok in ("{{", "}}"):
            continue
        inner = mt.group(1)
        if inner is None:
            ctx.error(node, f"unmatched '{tok}' in the text", "write {{ or }} for a literal brace", path,
                      offset=mt.start())
            continue
        ref = REF_RE.fullmatch(inner.strip())
        if not ref:
            ctx.error(node, f"'{_clip(tok)}' is not a placeholder: a placeholder names a data key, "
                      "optionally with a :form", "write e.g. {gdp.growth} or {gdp.rank:scoped}, "
                      "or {{ and }} for literal braces", path, offset=mt.start())
            continue
        ctx.refs.append((ref.group(1), ref.group(2), node, path, mt.start()))


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


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _clip(s: str, n: int = 40) -> str:
    """Quote at most n characters of a user's value in a message."""
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


def _seq(ctx: _Ctx, node: Node, path: str, *, nonempty: bool = True) -> list[Node]:
    if not isinstance(node, SequenceNode):
        raise ctx.fail(node, f"expected a list, found {_kind_of(node)}", "write a list with `- ` items", path)
    if nonempty and not node.value:
        raise ctx.fail(node, "the list is empty", "add at least one item, or remove the field", path)
    return list(node.value)


def _opt(ctx: _Ctx, fields: dict, key: str, conv: Callable, path: str):
    if key not in fields:
        return None
    try:
        return conv(ctx, fields[key][1], f"{path}.{key}")
    except _Stop:
        return None


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
    if has_value == has_expr:
        ctx.error(node, "a metric needs exactly one of `value` or `expr`",
                  "give the number as printed in `value`, or a formula in `expr`", path)
        return None
    derived = False
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
    elif has_value:
        try:
            value, digits = _decimal(ctx, f["value"][1], path + ".value")
        except _Stop:
            return None
        if kind == "rank" and (digits or value < 1):
            ctx.error(f["value"][1], "a rank must be a whole number from 1 up", "write e.g. `value: 6`",
                      path + ".value")
            return None
    else:
        en = f["expr"][1]
        if not isinstance(en, ScalarNode) or en.tag != STR:
            ctx.error(en, "expr must be a formula in a string", "write e.g. `expr: a.b - c.d`", path + ".expr")
            return None
        if raw.key in stack:
            ctx.error(en, f"formula refers back to itself ({' → '.join(stack + (raw.key,))})",
                      "break the cycle", path + ".expr")
            return None

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
            return None
        value = full.scaleb(-m.SCALES[scale]) if scale else full
        digits = decimals if decimals is not None else 1
        if abs(value) >= MAX_ABS:
            ctx.error(en, f"formula gives {value:.6g}, too large (limit ±10^15)", "check the formula",
                      path + ".expr")
            return None
        value = value.quantize(Decimal(1).scaleb(-digits))
        derived = True
    metric = m.Metric(key=raw.key, kind=kind, value=value,
                      decimals=decimals if decimals is not None else digits, scale=scale, unit=unit,
                      currency=currency, scope=scope, label=label, note=note, derived=derived, where=where)
    values[raw.key] = metric
    return metric


_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?)|([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*)|(.))")


def _eval_expr(ctx: _Ctx, node: Node, src: str, lookup: Callable[[str], Decimal | None],
               path: str) -> Decimal | None:
    """A tiny recursive-descent evaluator: numbers, data keys, + - * / and parentheses. Nothing else."""
    if len(src) > MAX_EXPR:   # the recursion is one frame per nesting level: keep it far from the limit
        ctx.error(node, f"formula is {len(src):,} characters long (limit {MAX_EXPR})",
                  "define intermediate metrics and refer to them", path)
        return None
    tokens: list[tuple[str, str]] = []
    for mt in _TOKEN.finditer(src.strip()):
        num, name, other = mt.groups()
        if num:
            tokens.append(("num", num))
        elif name:
            tokens.append(("name", name))
        elif other and other.strip():
            if other not in "+-*/()":
                ctx.error(node, f"formula has an unexpected '{other}'",
                          "use only numbers, data keys, + - * / and parentheses", path,
                          offset=len(src) - len(src.lstrip()) + mt.start(3))
                return None
            tokens.append(("op", other))
    pos = 0
    bad = False

    def peek() -> tuple[str, str] | None:
        return tokens[pos] if pos < len(tokens) else None

    def atom() -> Decimal | None:
        nonlocal pos, bad
        t = peek()
        if t is None:
            bad = True
            return None
        pos += 1
        if t == ("op", "("):
            v = expr()
            if peek() != ("op", ")"):
                bad = True
                return None
            pos += 1
            return v
        if t == ("op", "-"):
            v = atom()
            return -v if v is not None else None
        if t[0] == "num":
            return Decimal(t[1])
        if t[0] == "name":
            return lookup(t[1])
        bad = True
        return None

    def term() -> Decimal | None:
        nonlocal pos
        v = atom()
        while peek() in (("op", "*"), ("op", "/")):
            op = tokens[pos][1]
            pos += 1
            r = atom()
            if v is None or r is None:
                v = None
                continue
            if op == "/" and r == 0:
                ctx.error(node, "formula divides by zero", "check the formula", path)
                return None
            v = v * r if op == "*" else v / r
        return v

    def expr() -> Decimal | None:
        nonlocal pos
        v = term()
        while peek() in (("op", "+"), ("op", "-")):
            op = tokens[pos][1]
            pos += 1
            r = term()
            v = None if v is None or r is None else (v + r if op == "+" else v - r)
        return v

    result = expr()
    if bad or pos != len(tokens):
        ctx.error(node, f"formula '{_clip(src)}' is not well formed", "write e.g. `a.b - c.d` or `(a + b) / 2`",
                  path)
        return None
    return result


# ------------------------------------------------------------------ blocks

def _block(ctx: _Ctx, node: Node, path: str) -> m.Block:
    if not isinstance(node, MappingNode) or not node.value:
        raise ctx.fail(node, f"a block is a mapping with one key, found {_kind_of(node)}",
                       f"start the block with one of: {', '.join(BLOCK_KINDS)}", path)
    if len(node.value) != 1:
        keys = ", ".join(str(getattr(k, "value", "?")) for k, _ in node.value)
        raise ctx.fail(node, f"a block has exactly one key, found {len(node.value)} ({_clip(keys)})",
                       "make each its own list item, starting with `- `", path)
    knode, v = node.value[0]
    kind = knode.value if isinstance(knode, ScalarNode) else ""
    sub = f"{path}.{kind}"
    if kind == "paragraph":
        return m.Paragraph(_text(ctx, v, sub))
    if kind == "heading":
        return m.Heading(_text(ctx, v, sub))
    if kind == "source":
        return m.SourceNote(_text(ctx, v, sub))
    if kind == "bullets":
        return m.Bullets(tuple(_each(ctx, _seq(ctx, v, sub), sub, _text)))
    if kind == "figures":
        return _figures(ctx, v, sub)
    if kind == "table":
        return _table(ctx, v, sub)
    if kind == "chart":
        return _chart(ctx, v, sub)
    raise ctx.fail(knode, f"unknown block kind '{kind}'", f"use one of: {', '.join(BLOCK_KINDS)}", path)


def _each(ctx: _Ctx, nodes: list[Node], path: str, conv: Callable) -> list:
    out = []
    for i, n in enumerate(nodes):
        try:
            out.append(conv(ctx, n, f"{path}[{i}]"))
        except _Stop:
            pass
    return out


def _metric_ref(ctx: _Ctx, node: Node, path: str) -> str:
    key = _string(ctx, node, path)
    if not REF_RE.fullmatch(key) or ":" in key:
        raise ctx.fail(node, f"'{key}' is not a data key", "write the dotted key, e.g. gdp.growth", path)
    ctx.chart_refs.append((key, node, path))
    return key


def _figures(ctx: _Ctx, node: Node, path: str) -> m.Figures:
    f = _mapping(ctx, node, path, allowed={"title", "items"}, required=("items",))
    title = _opt(ctx, f, "title", _text, path)

    def item(ctx: _Ctx, n: Node, p: str) -> m.FigureItem:
        g = _mapping(ctx, n, p, allowed={"metric", "label", "note"}, required=("metric",))
        if "metric" not in g:
            raise _Stop()
        return m.FigureItem(_metric_ref(ctx, g["metric"][1], p + ".metric"), _opt(ctx, g, "label", _text, p),
                            _opt(ctx, g, "note", _tpl, p))

    items = _each(ctx, _seq(ctx, f["items"][1], path + ".items"), path + ".items", item) if "items" in f else []
    return m.Figures(title, tuple(items))


def _table(ctx: _Ctx, node: Node, path: str) -> m.Table:
    f = _mapping(ctx, node, path, allowed={"title", "columns", "rows", "align", "note"},
                 required=("columns", "rows"))
    if "columns" not in f or "rows" not in f:
        raise _Stop()
    columns = _each(ctx, _seq(ctx, f["columns"][1], path + ".columns"), path + ".columns", _text)
    rows = []
    for i, rn in enumerate(_seq(ctx, f["rows"][1], path + ".rows")):
        rp = f"{path}.rows[{i}]"
        try:
            cells = _each(ctx, _seq(ctx, rn, rp), rp, _tpl)
        except _Stop:
            continue
        if len(cells) != len(columns):
            ctx.error(rn, f"row has {_n(len(cells), 'cell')} but the table has {_n(len(columns), 'column')}",
                      "give one cell per column (use \"—\" for an empty one)", rp)
        rows.append(tuple(cells))
    align: list[str] = []
    if "align" in f:
        for i, an in enumerate(_seq(ctx, f["align"][1], path + ".align")):
            a = getattr(an, "value", None)
            if a not in ("left", "right", "center"):
                ctx.error(an, f"unknown alignment {a!r}", "use left, right or center", f"{path}.align[{i}]")
                a = "left"
            align.append(a)
    align += ["left"] * (len(columns) - len(align))
    return m.Table(_opt(ctx, f, "title", _text, path), tuple(columns), tuple(rows), tuple(align[: len(columns)]),
                   _opt(ctx, f, "note", _text, path))


def _chart(ctx: _Ctx, node: Node, path: str) -> m.Chart:
    f = _mapping(ctx, node, path, allowed={"kind", "title", "unit", "source", "id", "items", "reference",
                                           "series", "groups", "x", "parts", "center"},
                 required=("kind", "title"))
    if "kind" not in f:
        raise _Stop()        # "missing field 'kind'" is already reported
    kn = f["kind"][1]
    kind = kn.value if isinstance(kn, ScalarNode) else None
    if kind not in CHART_KINDS:
        shown = f"'{_clip(kind)}'" if kind else _kind_of(kn)
        raise ctx.fail(kn, f"unknown chart kind {shown}", f"use one of: {', '.join(CHART_KINDS)}",
                       path + ".kind")
    title = _opt(ctx, f, "title", _text, path) or m.Text("", "")
    unit = _opt(ctx, f, "unit", _text, path)
    source = _opt(ctx, f, "source", _text, path)
    cid = _opt(ctx, f, "id", _string, path)

    def need(key: str) -> Node:
        if key not in f:
            raise ctx.fail(node, f"a {kind} chart needs `{key}`", f"add `{key}:` (see docs/content-format.md)",
                           path)
        return f[key][1]

    def citem(ctx: _Ctx, n: Node, p: str) -> m.ChartItem:
        g = _mapping(ctx, n, p, allowed={"label", "value", "note", "target"}, required=("value",))
        if "value" not in g:
            raise _Stop()
        if kind == "progress" and "target" not in g:
            ctx.error(n, "a progress item needs `target`", "add `target: <data key>`", p)
        return m.ChartItem(_opt(ctx, g, "label", _text, p), _metric_ref(ctx, g["value"][1], p + ".value"),
                           _opt(ctx, g, "note", _tpl, p), _opt(ctx, g, "target", _metric_ref, p))

    chart = dict(kind=kind, title=title, unit=unit, source=source, id=cid, where=ctx.where(node))
    if kind in ("hbar", "bar", "progress"):
        chart["items"] = tuple(_each(ctx, _seq(ctx, need("items"), path + ".items"), path + ".items", citem))
        if "reference" in f:
            chart["reference"] = _opt(ctx, f, "reference", citem, path)
    elif kind == "donut":
        chart["items"] = tuple(_each(ctx, _seq(ctx, need("parts"), path + ".parts"), path + ".parts", citem))
        chart["center"] = _opt(ctx, f, "center", _tpl, path)
    elif kind in ("grouped", "line"):
        series_nodes = _seq(ctx, need("series"), path + ".series")
        if kind == "grouped":
            chart["series"] = tuple(_each(ctx, series_nodes, path + ".series", _text))
            chart["groups"] = _labelled_values(
                ctx, _seq(ctx, need("groups"), path + ".groups"), path + ".groups", len(chart["series"]),
                "group", f"{len(chart['series'])} series", "give one value per series")
        else:
            chart["x"] = tuple(_each(ctx, _seq(ctx, need("x"), path + ".x"), path + ".x", _text))
            chart["groups"] = _labelled_values(
                ctx, series_nodes, path + ".series", len(chart["x"]),
                "series", _n(len(chart["x"]), "x label"), "give one value per x label")
            chart["series"] = tuple(label for label, _ in chart["groups"])
    return m.Chart(**chart)


def _labelled_values(ctx: _Ctx, nodes: list[Node], path: str, expect: int, what: str, per: str,
                     fix: str) -> tuple[tuple[m.Text, tuple[str, ...]], ...]:
    """`[{label: pair, values: [key…]}…]`: a grouped chart's groups or a line chart's series, each
    with `expect` values."""
    out = []
    for i, node in enumerate(nodes):
        p = f"{path}[{i}]"
        try:
            g = _mapping(ctx, node, p, allowed={"label", "values"}, required=("label", "values"))
            keys = _each(ctx, _seq(ctx, g["values"][1], p + ".values"), p + ".values", _metric_ref)
            if len(keys) != expect:
                ctx.error(node, f"{what} has {_n(len(keys), 'value')} for {per}", fix, p)
            out.append((_text(ctx, g["label"][1], p + ".label"), tuple(keys)))
        except (_Stop, KeyError):
            pass
    return tuple(out)


def _section(ctx: _Ctx, node: Node, path: str, depth: int, used_ids: set[str]) -> m.Section:
    f = _mapping(ctx, node, path, allowed={"id", "heading", "byline", "blocks", "sections"},
                 required=("heading",))
    heading = _text(ctx, f["heading"][1], path + ".heading") if "heading" in f else m.Text("", "")
    sid = _opt(ctx, f, "id", _string, path) or f"s{len(used_ids) + 1}"
    if sid in used_ids:
        ctx.error(f["id"][1] if "id" in f else node, f"section id '{sid}' is used twice", "make ids unique", path)
    used_ids.add(sid)
    blocks = []
    if "blocks" in f:
        blocks = _each(ctx, _seq(ctx, f["blocks"][1], path + ".blocks", nonempty=False), path + ".blocks", _block)
    subs = []
    if "sections" in f:
        if depth >= 2:
            ctx.error(f["sections"][0], "sections nest one level only", "move these sections up a level", path)
        else:
            for i, sn in enumerate(_seq(ctx, f["sections"][1], path + ".sections")):
                try:
                    subs.append(_section(ctx, sn, f"{path}.sections[{i}]", depth + 1, used_ids))
                except _Stop:
                    pass
    return m.Section(sid, heading, _opt(ctx, f, "byline", _text, path), tuple(blocks), tuple(subs))


# ------------------------------------------------------------------ entry point

TOP_FIELDS = {"briefing", "id", "masthead", "title", "subtitle", "date", "author", "source", "keywords",
              "data", "sections"}


class _Limit(Exception):
    """A content file too big to compose: raised by the composer before the work blows up."""

    def __init__(self, what: str, fix: str, mark) -> None:
        super().__init__(what)
        self.what, self.fix, self.mark = what, fix, mark


class _BoundedComposer(Composer):
    """PyYAML's composer with two limits checked while composing, not after.

    Depth: the composer recurses once per level, so 100 000 nested `[` would exhaust the stack; stopping
    at MAX_DEPTH keeps the recursion shallow. Size: an alias reuses a node without copying it, but the
    conversion walks it once per reference, so "billion laughs" files are caught by counting every alias
    as the size of what it expands to.
    """

    def __init__(self) -> None:
        super().__init__()
        self._depth = 0
        self._count = 0
        self._sizes: dict[str, int] = {}   # anchor → expanded node count

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            node = super().compose_node(parent, index)
            self._grow(self._sizes.get(event.anchor, 1), event.start_mark)
            return node
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _Limit(f"nesting deeper than {MAX_DEPTH} levels",
                         "flatten the structure (a briefing needs about a dozen levels)", event.start_mark)
        before = self._count
        self._grow(1, event.start_mark)
        node = super().compose_node(parent, index)
        self._depth -= 1
        anchor = getattr(event, "anchor", None)
        if anchor:
            self._sizes[anchor] = self._count - before
        return node

    def _grow(self, n: int, mark) -> None:
        self._count += n
        if self._count > MAX_NODES:
            raise _Limit(f"more than {MAX_NODES:,} values (YAML aliases expanding, or a runaway file)",
                         "write the content out plainly, without anchors (&) and aliases (*)", mark)


if _Parser is not None:
    class _Loader(_BoundedComposer, _Parser, Resolver):  # type: ignore[misc, valid-type]
        """libyaml scans and parses; our composer builds the nodes; the core-schema resolver tags scalars."""

        def __init__(self, stream: str) -> None:
            _Parser.__init__(self, stream)
            _BoundedComposer.__init__(self)
            Resolver.__init__(self)
else:  # pragma: no cover
    class _Loader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser,  # type: ignore[no-redef]
                  _BoundedComposer, Resolver):
        def __init__(self, stream: str) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            _BoundedComposer.__init__(self)
            Resolver.__init__(self)


def _at(ctx: _Ctx, mark) -> Where:
    return Where(ctx.file, mark.line + 1, mark.column + 1) if mark is not None else Where(ctx.file)


def _syntax_error(ctx: _Ctx, text: str, e: yaml.MarkedYAMLError) -> ContentError:
    """One line for a YAML syntax error, at the problem, naming where the broken construct began."""
    mark = e.problem_mark or e.context_mark
    problem, context = (e.problem or "").strip(), (e.context or "").strip()
    what = problem or context or "invalid YAML"
    cm = e.context_mark
    if problem and context and cm is not None and (cm.line, cm.column) != (mark.line, mark.column):
        at = f"line {cm.line + 1}, column {cm.column + 1}"
        if context.startswith("while "):
            what = f"{problem} ({context[len('while '):]} that starts at {at})"
        else:  # e.g. "found duplicate anchor 'x'; first occurrence" / "second occurrence"
            what = f"{context} at {at}; {problem} here"
    if problem.startswith("did not find") and mark is not None:   # libyaml does not say what it found
        found = text[mark.index] if 0 <= mark.index < len(text) else ""
        what = what.replace(problem, f"{problem}, found " + (
            "the end of the file" if not found else "the end of the line" if found in "\r\n"
            else f"'{found}'"), 1)
    fix = "fix the YAML at that position (check indentation, quotes, colons and brackets)"
    if problem.startswith("mapping values are not allowed"):
        what = "a ': ' inside an unquoted value"
        fix = 'put the value in quotes, e.g. en: "Overview: growth"'
    if mark is not None and 0 <= mark.index < len(text) and text[mark.index] == "\t":
        what, fix = "a tab character in the indentation or between tokens", "indent with spaces, not tabs"
    return ContentError(f"YAML syntax: {what}", fix, _at(ctx, mark))


def _compose(ctx: _Ctx, text: str) -> Node:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except _Limit as e:
        raise ErrorList([ContentError(e.what, e.fix, _at(ctx, e.mark))]) from None
    except yaml.MarkedYAMLError as e:
        raise ErrorList([_syntax_error(ctx, text, e)]) from None
    except yaml.reader.ReaderError as e:
        # a control character: libyaml gives a UTF-8 byte offset (pure PyYAML a character index)
        pos = e.position
        if _Parser is not None:
            pos = len(text.encode("utf-8")[: e.position].decode("utf-8", "ignore"))
        pos = max(0, min(pos, len(text)))
        line = text.count("\n", 0, pos) + 1
        col = pos - (text.rfind("\n", 0, pos) + 1) + 1
        raise ErrorList([ContentError(f"control character U+{e.character:04X} is not allowed in YAML"
                                      if isinstance(e.character, int) else f"YAML: {e.reason}",
                                      "delete it (it is invisible in most editors)",
                                      Where(ctx.file, line, col))]) from None
    except yaml.YAMLError as e:
        raise ErrorList([ContentError(f"YAML: {' '.join(str(e).split())}", "fix the YAML",
                                      Where(ctx.file))]) from None
    finally:
        loader.dispose()
    if node is None:
        raise ErrorList([ContentError("the file is empty", "write a briefing (see docs/content-format.md)",
                                      Where(ctx.file))])
    _check_tags(ctx, node)
    return node


def _check_tags(ctx: _Ctx, root: Node) -> None:
    """Refuse explicit tags (`!!python/object`, `!foo`): the safe resolver would not build them anyway,
    but a content file holds plain data only, and saying so is clearer than ignoring the tag."""
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:    # aliases share nodes: visit each once
            continue
        seen.add(id(node))
        if node.tag not in CORE_TAGS:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            raise ErrorList([ContentError(f"YAML tag '{tag}' is not allowed",
                                          "remove the tag: content files hold plain data only",
                                          ctx.where(node))])
        if isinstance(node, MappingNode):
            for k, v in node.value:
                stack.extend((k, v))
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)


def read_text(path: str | Path) -> str:
    p = Path(path)
    try:
        size = p.stat().st_size
        if p.is_dir():
            raise ErrorList([ContentError("is a folder, not a content file", "give a .yaml file", Where(str(p)))])
        if size > MAX_FILE_BYTES:
            raise ErrorList([ContentError(f"file is {size:,} bytes (limit {MAX_FILE_BYTES:,})",
                                          "split the briefing into smaller files", Where(str(p)))])
        data = p.read_bytes()
    except FileNotFoundError:
        raise ErrorList([ContentError("no such file", "check the path (content files live in content/)",
                                      Where(str(p)))]) from None
    except PermissionError:
        raise ErrorList([ContentError("cannot read the file: permission denied", "check its permissions",
                                      Where(str(p)))]) from None
    except OSError as e:
        raise ErrorList([ContentError(f"cannot read the file: {e.strerror or e}", "check the path",
                                      Where(str(p)))]) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise ErrorList([ContentError("the file is not valid UTF-8", "save it as UTF-8",
                                      Where(str(p), line, col))]) from None


def load(path: str | Path) -> m.Briefing:
    """Read and validate a content file. Raises ErrorList with every problem found (up to a cap)."""
    return loads(read_text(path), str(path))


def loads(text: str, file: str = "<string>") -> m.Briefing:
    ctx = _Ctx(file, text)
    root = _compose(ctx, text)
    try:
        top = _mapping(ctx, root, "", allowed=TOP_FIELDS,
                       required=("id", "masthead", "title", "date", "author", "source", "sections"))
    except _Stop:
        raise ErrorList(ctx.errors) from None

    def get(key: str, conv: Callable):
        return _opt(ctx, top, key, conv, "") if key in top else None

    bid = get("id", _string) or Path(file).stem
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", bid):
        ctx.error(top["id"][1], f"id '{bid}' is not usable as a file name",
                  "use letters, digits, '-', '_' and '.'", "id")
    # data first, so placeholders can be checked
    raws: dict[str, _RawMetric] = {}
    if "data" in top:
        try:
            _collect_data(ctx, top["data"][1], "", raws, "data")
        except _Stop:
            pass
    values: dict[str, m.Metric] = {}
    for raw in raws.values():
        _build_metric(ctx, raw, values, raws, ())
    date = dt.date(1970, 1, 1)
    if "date" in top:
        dn = top["date"][1]
        try:
            date = dt.date.fromisoformat(dn.value.strip()) if isinstance(dn, ScalarNode) else None
        except ValueError:
            date = None
        if date is None:
            found = f"'{_clip(dn.value)}'" if isinstance(dn, ScalarNode) and dn.value else _kind_of(dn)
            ctx.error(dn, f"expected an ISO date (YYYY-MM-DD), found {found}", "write e.g. `date: 2025-07-30`",
                      "date")
            date = dt.date(1970, 1, 1)
    keywords: dict[str, tuple[str, ...]] = {"zh": (), "en": ()}
    if "keywords" in top:
        try:
            kf = _mapping(ctx, top["keywords"][1], "keywords", allowed={"zh", "en"}, required=("zh", "en"))
            for lang in kf:
                keywords[lang] = tuple(_string(ctx, n, f"keywords.{lang}[{i}]")
                                       for i, n in enumerate(_seq(ctx, kf[lang][1], f"keywords.{lang}")))
        except _Stop:
            pass
    texts = {k: get(k, _text) for k in ("masthead", "title", "subtitle", "author", "source")}
    sections: list[m.Section] = []
    used: set[str] = set()
    if "sections" in top:
        try:
            for i, sn in enumerate(_seq(ctx, top["sections"][1], "sections", nonempty=False)):
                try:
                    sections.append(_section(ctx, sn, f"sections[{i}]", 1, used))
                except _Stop:
                    pass
        except _Stop:
            pass
    _check_refs(ctx, values, raws)
    if ctx.errors:
        # the content is unusable, so `check` and `build` would stop here: report the characters no font
        # has as well, so that one run lists every problem of the file
        errors: list = ctx.errors + _glyph_errors(ctx)
        errors.sort(key=lambda e: (e.where.line or 0, e.where.col or 0) if isinstance(e.where, Where)
                    else (0, 0))
        raise ErrorList(errors)
    return m.Briefing(id=bid, path=file, masthead=texts["masthead"], title=texts["title"],
                      subtitle=texts["subtitle"], date=date, author=texts["author"], source=texts["source"],
                      keywords=keywords, data=values, sections=tuple(sections))


def _glyph_errors(ctx: _Ctx) -> list:
    from .errors import BriefingError
    from .glyphs import strings_errors

    try:
        return strings_errors(ctx.strings)
    except BriefingError:   # fonts unreadable: that error comes with the build; the content errors stand
        return []


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
