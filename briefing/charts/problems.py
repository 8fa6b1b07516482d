"""What can be wrong with a chart before it is drawn, as user errors naming the chart."""
from __future__ import annotations

from collections.abc import Iterable

from .. import fonts
from ..errors import BriefingError, GlyphError
from ..model import LChart
from .labels import FAMILY

KINDS = ("hbar", "bar", "grouped", "line", "donut", "progress")


def where(chart: LChart) -> str:
    return f"chart {chart.id!r}" if chart.id else f"chart “{chart.title}”"


def glyph_error(chart: LChart | None, ch: str, text: str) -> GlyphError:
    return GlyphError(f"the chart font cannot draw {fonts.describe_char(ch)} in “{text}”",
                      "replace the character in the content file (or use a plain equivalent)",
                      where(chart) if chart is not None else "chart")


def chart_strings(chart: LChart) -> Iterable[tuple[str, bool]]:
    """Every string the chart may draw, with whether it is set bold."""
    points = list(chart.points) + [p for row in chart.matrix for p in row]
    if chart.reference:
        points.append(chart.reference)
    for p in points:
        yield p.label, False
        yield p.text, True
        yield p.note, False
        yield p.target_text, False
    yield chart.unit, False
    yield chart.center, True
    for s in chart.series + chart.categories:
        yield s, False


def check(chart: LChart) -> None:
    """Raise the first problem that would stop the chart from being drawn."""
    if chart.kind not in KINDS:
        raise BriefingError(f"unknown chart kind {chart.kind!r}", f"use one of {', '.join(KINDS)}", where(chart))
    if not chart.points and not any(chart.matrix):
        raise BriefingError("the chart has no data", "give the chart items (or series and groups)", where(chart))
    if chart.kind == "donut" and sum(max(p.value, 0.0) for p in chart.points) <= 0:
        raise BriefingError("a donut needs parts with positive values", "check the parts' metrics", where(chart))
    for text, bold in chart_strings(chart):
        missing = fonts.missing_chars(text, FAMILY, bold)
        if missing:
            raise glyph_error(chart, missing[0], text)
