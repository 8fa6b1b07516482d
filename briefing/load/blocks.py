"""Sections and their blocks: paragraphs, headings, bullets, key figures, tables, charts, source notes."""
from __future__ import annotations

from yaml.nodes import MappingNode, Node, ScalarNode

from .. import model as m
from .nodes import BOOL, REF_RE, _clip, _Ctx, _each, _kind_of, _mapping, _n, _opt, _seq, _Stop, _string, _text, _tpl

CHART_KINDS = ("hbar", "bar", "grouped", "line", "donut", "progress")
BLOCK_KINDS = ("paragraph", "heading", "bullets", "figures", "table", "chart", "source")


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
    first = len(ctx.chart_refs)
    chart = _chart_fields(ctx, node, path)
    ctx.charts.append((chart, node, path, first, len(ctx.chart_refs)))
    return chart


def _chart_fields(ctx: _Ctx, node: Node, path: str) -> m.Chart:
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
        allowed = {"label", "value", "note"} | ({"target", "share"} if kind == "progress" else set())
        g = _mapping(ctx, n, p, allowed=allowed, required=("value",))
        if "value" not in g:
            raise _Stop()
        if kind == "progress" and "target" not in g:
            ctx.error(n, "a progress item needs `target`", "add `target: <data key>`", p)
        return m.ChartItem(_opt(ctx, g, "label", _text, p), _metric_ref(ctx, g["value"][1], p + ".value"),
                           _opt(ctx, g, "note", _tpl, p), _opt(ctx, g, "target", _metric_ref, p),
                           _opt(ctx, g, "share", _metric_ref, p))

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
    f = _mapping(ctx, node, path, allowed={"id", "heading", "numbered", "byline", "blocks", "sections"})
    heading = _text(ctx, f["heading"][1], path + ".heading") if "heading" in f else None
    numbered = _numbered(ctx, f, path, heading is not None, depth)
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
    if heading is None and "blocks" not in f and "sections" not in f:
        ctx.error(node, "a section without a heading has nothing in it",
                  "add `blocks:` (a preamble), or a `heading:`", path)
    return m.Section(sid, heading, _opt(ctx, f, "byline", _text, path), tuple(blocks), tuple(subs), numbered)


def _numbered(ctx: _Ctx, f: dict, path: str, headed: bool, depth: int) -> bool:
    """`numbered: false`: a top-level heading printed without its number (and not counted)."""
    if "numbered" not in f:
        return True
    key, node = f["numbered"]
    if not (isinstance(node, ScalarNode) and node.tag == BOOL):
        ctx.error(node, f"expected true or false, found {_kind_of(node)}",
                  "write `numbered: false` (a heading without its number) or leave it out", path + ".numbered")
        return True
    if not headed:
        ctx.error(key, "a section without a heading has no number", "remove `numbered`, or add a `heading`",
                  path + ".numbered")
    elif depth >= 2:
        ctx.error(key, "sub-sections are not numbered", "remove `numbered`", path + ".numbered")
    return node.value.lower() not in ("false", "no", "off")

