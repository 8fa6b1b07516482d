"""Whether a chart fits on a page, known before it is drawn (so `check` refuses what `build` cannot lay out).

A chart's height is decided by its kind's drawing function in one place, the canvas's `size()` call, after
the labels are measured and wrapped and before anything is drawn. `chart_height` runs that function on a
canvas that stops at `size()`: the same code, so the same height, without matplotlib and in well under a
millisecond a chart. A figure is the chart with its caption above and its source note below; it must fit
in the text frame of the page, or ReportLab cannot place it.
"""
from __future__ import annotations

import math
from dataclasses import replace

from .. import theme
from ..model import LChart
from .canvas import _Canvas
from .kinds import DRAWERS
from .labels import LANG, text_width

# A figure besides its drawing, as compose sets it: the caption ("图3　title", bold, (small+1) pt on a
# 1.6 leading, 8 pt above) and the source note (small size on a 1.5 leading, 6 pt below; without one, 6 pt).
# Their lines are estimated from their width with 5% to spare, and at least one line more than the width
# gives where a title is long, so a figure said to fit always does.
_SMALL = theme.SIZES["zh"].small
_PREFIX = {"zh": "图99　", "en": "Figure 99. "}
_SOURCE = {"zh": "资料来源：", "en": "Source: "}

# What grows a chart downwards, per kind, and what to call one of them in a message.
_ROWS = {"hbar": "bars", "bar": "bars", "grouped": "groups", "donut": "parts", "progress": "items"}


class _Measured(Exception):
    def __init__(self, height: float) -> None:
        super().__init__(height)
        self.height = height


class _MeasuringCanvas(_Canvas):
    def size(self, height: float) -> None:
        raise _Measured(height)


def chart_height(chart: LChart, width: float) -> float:
    """The height (pt) `charts.draw(chart, width)` would give the drawing."""
    token = LANG.set(chart.lang)
    try:
        DRAWERS[chart.kind](_MeasuringCanvas(chart, float(width)))
    except _Measured as m:
        return m.height
    finally:
        LANG.reset(token)
    raise AssertionError(f"the {chart.kind} drawer never sized its canvas")   # pragma: no cover


def _lines(text: str, size: float, bold: bool, width: float) -> int:
    n = math.ceil(text_width(text, size, bold) * 1.05 / width)
    return max(1, n if n <= 1 else n + 1)


def room(chart: LChart, page: theme.Page) -> float:
    """The tallest drawing of `chart` that a page's text frame holds with the chart's caption and source."""
    w = page.frame_width
    token = LANG.set(chart.lang)
    try:
        caption = 8 + _lines(_PREFIX[chart.lang] + chart.title, _SMALL + 1, True, w) * (_SMALL + 1) * 1.6
        source = (_lines(_SOURCE[chart.lang] + chart.source, _SMALL, False, w) * _SMALL * 1.5 + 6
                  if chart.source else 6)
    finally:
        LANG.reset(token)
    return page.frame_height - caption - source


def _rows(chart: LChart) -> int:
    return len(chart.categories) if chart.kind == "grouped" else len(chart.points)


def _first(chart: LChart, n: int) -> LChart:
    if chart.kind == "grouped":
        return replace(chart, categories=chart.categories[:n], matrix=chart.matrix[:n])
    return replace(chart, points=chart.points[:n])


def most_rows(chart: LChart, width: float, limit: float) -> int:
    """How many of the chart's first rows (bars, groups, parts, items) fit in `limit` points."""
    lo, hi = 0, _rows(chart)     # fits(lo) holds (no rows: nothing to draw), fits(hi) does not
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if chart_height(_first(chart, mid), width) <= limit:
            lo = mid
        else:
            hi = mid
    return lo


def too_tall(chart: LChart, page: theme.Page, paper: str) -> tuple[str, str] | None:
    """(what, fix) when the chart cannot be placed on `page`, else None."""
    h = chart_height(chart, page.frame_width)
    limit = room(chart, page)
    if h <= limit:
        return None
    what = f"is {h:,.0f} pt tall, more than a page holds ({limit:,.0f} pt on {paper} paper)"
    rows = _ROWS.get(chart.kind)
    if rows is None:
        return what, "shorten its labels"
    n = _rows(chart)
    k = most_rows(chart, page.frame_width, limit)
    return (f"{what}: it has {n:,} {rows}, at most {k:,} fit",
            f"split it into charts of at most {k:,} {rows}, or shorten the longest labels")
