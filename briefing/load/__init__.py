"""YAML → bilingual model, with validation that reports every problem with its file:line:col.

The YAML is composed into nodes with PyYAML's safe machinery (no tags beyond the core schema, so no
content file can construct Python objects) and converted by hand, so every value keeps its position and
every number keeps the decimals it was written with.

    reader    bytes → YAML nodes, within the limits (size, depth, expanded size, tags)
    nodes     the context (positions, errors) and primitives: mappings, strings, text pairs, placeholders
    data      the `data:` section: metrics, values, scales; placeholder and chart references checked
    expr      formulas
    blocks    sections and blocks
    chartdata each chart checked against its data (one kind and unit, targets, donut parts, axis unit)
    glossary  the `glossary:` and `names:` sections (for the editorial check)
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

from yaml.nodes import ScalarNode

from .. import model as m
from ..errors import ErrorList, Where
from .blocks import BLOCK_KINDS, CHART_KINDS, _section
from .chartdata import check_charts
from .data import MAX_ABS, METRIC_FIELDS, _check_refs, _collect_data, _RawMetric, build_metrics
from .expr import MAX_EXPR
from .glossary import glossary, names
from .nodes import (
    BOOL,
    MAX_STRING,
    SideWhere,
    TextWhere,
    _clip,
    _Ctx,
    _kind_of,
    _mapping,
    _opt,
    _seq,
    _Stop,
    _string,
    _text,
    iso_date,
)
from .reader import MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES, _compose, read_text

__all__ = ["BLOCK_KINDS", "CHART_KINDS", "MAX_ABS", "MAX_DEPTH", "MAX_EXPR", "MAX_FILE_BYTES", "MAX_NODES",
           "MAX_STRING", "METRIC_FIELDS", "SideWhere", "TextWhere", "load", "loads", "read_text"]

# ------------------------------------------------------------------ entry point

MAX_ID = 100   # the id names the PDFs: <id>.zh.pdf and its temporary file must fit in 255 bytes

TOP_FIELDS = {"briefing", "id", "masthead", "title", "running_title", "subtitle", "date", "author", "source",
              "keywords", "data", "sections", "glossary", "names", "numbers"}


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
        ctx.error(top["id"][1] if "id" in top else None, f"id '{_clip(bid)}' is not usable as a file name",
                  "use letters, digits, '-', '_' and '.'", "id")
    elif len(bid) > MAX_ID:
        ctx.error(top["id"][1] if "id" in top else None, f"is {len(bid)} characters long (limit {MAX_ID})",
                  "shorten it: it names the PDFs (<id>.zh.pdf)", "id")
    # data first, so placeholders can be checked
    raws: dict[str, _RawMetric] = {}
    if "data" in top:
        try:
            _collect_data(ctx, top["data"][1], "", raws, "data")
        except _Stop:
            pass
    values = build_metrics(ctx, raws)
    date = dt.date(1970, 1, 1)
    if "date" in top:
        dn = top["date"][1]
        parsed = iso_date(dn.value) if isinstance(dn, ScalarNode) and dn.value else None
        if isinstance(parsed, dt.date):
            date = parsed
        else:
            what = parsed or f"expected an ISO date (YYYY-MM-DD), found {_kind_of(dn)}"
            ctx.error(dn, what, "write e.g. `date: 2025-07-30`", "date")
    keywords: dict[str, tuple[str, ...]] = {"zh": (), "en": ()}
    if "keywords" in top:
        try:
            kf = _mapping(ctx, top["keywords"][1], "keywords", allowed={"zh", "en"}, required=("zh", "en"))
            for lang in kf:
                keywords[lang] = tuple(_string(ctx, n, f"keywords.{lang}[{i}]")
                                       for i, n in enumerate(_seq(ctx, kf[lang][1], f"keywords.{lang}")))
        except _Stop:
            pass
    zh_grouping = False
    if "numbers" in top:
        try:
            nf = _mapping(ctx, top["numbers"][1], "numbers", allowed={"zh_grouping"})
            if "zh_grouping" in nf:
                gn = nf["zh_grouping"][1]
                if isinstance(gn, ScalarNode) and gn.tag == BOOL:
                    zh_grouping = gn.value.lower() in ("true", "yes", "on")
                else:
                    ctx.error(gn, f"expected true or false, found {_kind_of(gn)}",
                              "write `zh_grouping: true` (15,000亿元) or leave it out (15000亿元)",
                              "numbers.zh_grouping")
        except _Stop:
            pass
    texts = {k: get(k, _text) for k in ("masthead", "title", "running_title", "subtitle", "author", "source")}
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
    terms = _opt(ctx, top, "glossary", glossary, "") or ()
    listed = _opt(ctx, top, "names", names, "") or ()
    _check_refs(ctx, values, raws)
    check_charts(ctx, values)
    if ctx.errors:
        # the content is unusable, so `check` and `build` would stop here: report the characters no font
        # has as well, so that one run lists every problem of the file
        errors: list = ctx.errors + _glyph_errors(ctx)
        errors.sort(key=lambda e: (e.where.line or 0, e.where.col or 0) if isinstance(e.where, Where)
                    else (0, 0))
        raise ErrorList(errors)
    return m.Briefing(id=bid, path=file, masthead=texts["masthead"], title=texts["title"],
                      subtitle=texts["subtitle"], date=date, author=texts["author"], source=texts["source"],
                      keywords=keywords, data=values, sections=tuple(sections), glossary=terms, names=listed,
                      zh_grouping=zh_grouping, running_title=texts["running_title"])


def _glyph_errors(ctx: _Ctx) -> list:
    from ..errors import BriefingError
    from ..glyphs import strings_errors

    try:
        return strings_errors(ctx.strings)
    except BriefingError:   # fonts unreadable: that error comes with the build; the content errors stand
        return []
