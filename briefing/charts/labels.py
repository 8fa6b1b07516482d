"""Chart text: widths with the PDF's own advance widths, and labels wrapped by the typesetter's line breaker
(the same clreq rules as the body: no closing mark at a line start, "3+13+N" never split, English by
words and hyphenation points)."""
from __future__ import annotations

import contextvars

from .. import fonts, theme
from ..model import ChartPoint, Lang
from ..typeset.breaker import lines_for, prepare, widest_piece
from ..typeset.style import ParaStyle, Run

FAMILY = theme.CHART_FAMILY

# The language of the chart being drawn (set by the drawing code for its duration).
LANG: contextvars.ContextVar[Lang] = contextvars.ContextVar("chart_lang", default="zh")


def text_width(s: str, size: float, bold: bool = False, lang: Lang | None = None) -> float:
    """Width in points, with the advance widths ReportLab will use: per character, the face that sets it
    in the chart's language (English puts the Latin sans first), Chinese CJK–Latin gaps included."""
    return fonts.line_width(s, FAMILY, bold, size, lang or LANG.get())


def wrap(s: str, max_width: float, size: float, bold: bool = False, max_lines: int = 3,
         lang: Lang | None = None) -> list[str]:
    """A label broken into lines no wider than `max_width` by the typesetter's breaker (ragged right), at
    word spaces and CJK breaks, never at a hyphenation point (a label is short: `ani-|mal` only hurts).
    Lines are balanced: the narrowest measure giving as few lines is used, so a label never ends with one
    short word on its own line. Past `max_lines` the rest stays on the last line."""
    lang_: Lang = lang or LANG.get()
    if not s.strip() or text_width(s, size, bold, lang_) <= max_width:
        return [s] if s.strip() else []
    style = ParaStyle(lang=lang_, family=FAMILY, size=size, leading=size * 1.2, align="left", first_indent=0,
                      hyphenate=False)
    p = prepare([Run(s, bold=bold)], style)
    n = len(lines_for(p, max_width))
    # never narrower than the widest unbreakable piece: a narrower measure would give as few lines only by
    # breaking inside a word or a figure ("CNY 121.0" / "207 trillion")
    lo, hi = min(widest_piece(p), max_width), max_width
    for _ in range(10):
        mid = (lo + hi) / 2
        if len(lines_for(p, mid)) <= n:
            hi = mid
        else:
            lo = mid
    broken = lines_for(p, hi)
    lines = [ln.text.strip() for ln in broken[:max_lines]]
    if len(broken) > max_lines:   # the rest, as written, on the last line
        lines[-1] = "".join(r.text for r in p.text_from(broken[max_lines - 1].start)).strip()
    return [ln for ln in lines if ln]


def widest_unbreakable(s: str, size: float, bold: bool = False, lang: Lang | None = None) -> float:
    """The widest piece of `s` no ordinary line break divides (a word, a figure with its unit)."""
    lang_: Lang = lang or LANG.get()
    if not s.strip():
        return 0.0
    style = ParaStyle(lang=lang_, family=FAMILY, size=size, leading=size * 1.2, align="left", first_indent=0)
    return widest_piece(prepare([Run(s, bold=bold)], style))


def share_text(point: ChartPoint, lang: Lang) -> str:
    """A progress item's share of its target as the chart prints it: the share the source prints where the
    content gives one, else computed from the two figures ("66.7%"); "" without a target."""
    if point.share_text:
        return point.share_text
    if not point.target:
        return ""
    from ..localize import format_tick

    return format_tick(round(100 * point.value / point.target, 1), "percent", lang)
