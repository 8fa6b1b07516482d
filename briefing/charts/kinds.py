"""The chart kinds, each drawn on a `Canvas` (plots that map data to points, text and rectangles) into a `Figure`.

Each kind is one function of the canvas; shared pieces (value ranges that leave room for labels, ticks
formatted like the text, legends) are in `canvas`. To add a kind: a function here, its name in `DRAWERS`
and `KINDS` (in `charts/__init__.py`), its alt-text name in `alt.py`.
"""
from __future__ import annotations

import re
import warnings
from collections.abc import Callable

from .. import theme
from ..figure import Figure
from ..model import ChartPoint, LChart
from .canvas import (
    ASCENT,
    BAR_FILL,
    BAR_PITCH,
    CENTER_PT,
    DESCENT,
    LABEL_PT,
    NOTE_PT,
    PAD,
    TICK_PT,
    VALUE_PT,
    Z_REF,
    _Canvas,
    _fit_range,
    _legend,
    _series_colours,
    _value_ticks,
    matplotlib_ready,
)
from .labels import LANG, share_text, text_width, widest_unbreakable, wrap


def draw(chart: LChart, width: float) -> Figure:
    """Draw one chart `width` points wide (the parts of matplotlib it uses are imported on first use)."""
    matplotlib_ready()
    token = LANG.set(chart.lang)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # matplotlib's warnings never reach the user
            return DRAWERS[chart.kind](_Canvas(chart, float(width)))
    finally:
        LANG.reset(token)


# ---------------------------------------------------------------- kinds

def _hbar_rows(c: _Canvas, rows: list[tuple[str, list[ChartPoint]]], colours: tuple[str, ...],
               reference: ChartPoint | None, legend: tuple[str, ...] = ()) -> Figure:
    """Horizontal bars, one row per category, one bar per point in the row (grouped when > 1)."""
    W = c.width
    per_row = max(len(pts) for _, pts in rows)
    label_w = min(max(text_width(lbl, LABEL_PT) for lbl, _ in rows), W * 0.34)
    wrapped = [wrap(lbl, label_w, LABEL_PT) for lbl, _ in rows]
    label_w = max(text_width(ln, LABEL_PT) for lines in wrapped for ln in lines)
    notes = [p.note for _, pts in rows for p in pts if p.note]
    note_w = max((text_width(n, NOTE_PT) for n in notes), default=0.0)
    left, right = label_w + 8, (note_w + 10 if notes else 2)
    bar_h = 11.0 if per_row > 1 else BAR_PITCH * BAR_FILL
    pitch = max(BAR_PITCH if per_row == 1 else bar_h * per_row + 9,
                max(len(w) for w in wrapped) * LABEL_PT * 1.2 + 8)
    bottom = TICK_PT + 6 + (TICK_PT * 1.2 + 3 if c.chart.unit else 0)
    top = (NOTE_PT + 8 if reference else 2) + (LABEL_PT + 8 if legend else 0)
    plot_h = pitch * len(rows)
    c.size(bottom + plot_h + top)
    aw = W - left - right
    ax = c.axes(left, bottom, aw, plot_h)

    values = [p.value for _, pts in rows for p in pts]
    # a negative value's label, left of its bar, keeps 14 pt from the category labels (6 pt read as one
    # phrase: `石墨及碳素制品 −16.8%`)
    widths = [text_width(p.text, VALUE_PT, True) + (8.0 if p.value < 0 else 0.0) for _, pts in rows for p in pts]
    ref_vals = [reference.value] if reference else []
    # a label that would be crossed by the reference line starts past it: leave room for that
    fit_vals = [max(v, reference.value) if reference and 0 <= v < reference.value else v for v in values]
    lo, hi = _fit_range(fit_vals + ref_vals, widths + [0.0] * len(ref_vals), aw)
    ax.set_xlim(lo, hi)
    ax.set_ylim(plot_h, 0)   # y in points from the top of the plot
    _value_ticks(ax, "x", c, lo, hi)
    ax.vline(0, theme.GREY, 0.8)

    for i, ((_, pts), lines) in enumerate(zip(rows, wrapped)):
        mid = (i + 0.5) * pitch
        _, ym = c.to_points(ax, 0, mid)
        c.lines(left - 6, ym, lines, ha="right")
        first = mid - bar_h * len(pts) / 2
        for j, p in enumerate(pts):
            yc = first + (j + 0.5) * bar_h
            col = colours[j % len(colours)]
            if reference is not None and per_row == 1:
                col = theme.RED if p.value >= reference.value else theme.RED_LIGHT
            ax.barh(yc, p.value, bar_h * (0.86 if per_row > 1 else 1), col)
            xe, ye = c.to_points(ax, p.value, yc)
            neg = p.value < 0
            size = VALUE_PT if per_row == 1 else TICK_PT
            xl = xe + (-PAD if neg else PAD)
            if reference is not None and not neg:
                xr = c.to_points(ax, reference.value, 0)[0]
                if xl - 2 <= xr <= xl + text_width(p.text, size, True) + 1:
                    xl = xr + PAD   # keep the dashed line out of the number
            c.text(xl, ye, p.text, size=size, bold=True, ha="right" if neg else "left")
            if p.note:
                c.text(W, ye, p.note, size=NOTE_PT, color=theme.GREY_DARK, ha="right")

    if reference is not None:
        ax.vline(reference.value, theme.INK, 0.8, dashes=(3, 2), z=Z_REF)
        xr, yt = c.to_points(ax, reference.value, 0)
        label = f"{reference.label} {reference.text}".strip()
        lw = text_width(label, NOTE_PT)
        ha = "center" if xr + lw / 2 <= W - right else "right"
        ha = "left" if xr - lw / 2 < 0 else ha
        c.text(xr, yt + 4 + NOTE_PT * DESCENT, label, size=NOTE_PT, color=theme.INK, ha=ha, va="baseline")
    if legend:
        _legend(c, legend, colours, left, c.height - LABEL_PT / 2 - 2)
    if c.chart.unit:
        c.text(left + aw / 2, TICK_PT * 0.6, c.chart.unit, size=TICK_PT, color=theme.GREY_DARK,
               ha="center", va="baseline")
    return c.finish()


def _hbar(c: _Canvas) -> Figure:
    ch = c.chart
    return _hbar_rows(c, [(p.label, [p]) for p in ch.points], (theme.RED,), ch.reference)


def _grouped(c: _Canvas) -> Figure:
    ch = c.chart
    colours = _series_colours(len(ch.series))
    return _hbar_rows(c, [(cat, list(row)) for cat, row in zip(ch.categories, ch.matrix)], colours, None,
                      legend=ch.series)


def _bar(c: _Canvas) -> Figure:
    """Vertical bars: values above, category labels (wrapped) and notes below."""
    ch, W = c.chart, c.width
    pts = ch.points
    n = len(pts)
    ticks_w = 24.0
    left, right = ticks_w + 6, 4.0
    aw = W - left - right
    pitch = aw / n
    if any(text_width(p.text, VALUE_PT, True) > pitch - 6 or text_width(p.note, NOTE_PT) > pitch - 4
           for p in pts):
        # value labels wider than their column would collide: horizontal bars read the same data
        return _hbar(c)
    wrapped = [wrap(p.label, pitch - 6, LABEL_PT) for p in pts]
    label_lines = max(len(w) for w in wrapped)
    has_notes = any(p.note for p in pts)
    bottom = label_lines * LABEL_PT * 1.2 + 6 + (NOTE_PT * 1.2 + 2 if has_notes else 0)
    top = TICK_PT * 1.2 + 6 if ch.unit else 4
    plot_h = min(150.0, max(100.0, W * 0.28))
    c.size(bottom + plot_h + top)
    ax = c.axes(left, bottom, aw, plot_h)
    values = [p.value for p in pts] + ([ch.reference.value] if ch.reference else [])
    lo, hi = _fit_range(values, [VALUE_PT * 1.1] * len(values), plot_h)
    ax.set_ylim(lo, hi)
    ax.set_xlim(0, n)
    _value_ticks(ax, "y", c, lo, hi, nbins=4)
    ax.hline(0, theme.GREY, 0.8)
    for i, (p, lines) in enumerate(zip(pts, wrapped)):
        col = theme.RED
        if ch.reference is not None and p.value < ch.reference.value:
            col = theme.RED_LIGHT
        ax.bar(i + 0.5, p.value, 0.56, col)
        xe, ye = c.to_points(ax, i + 0.5, p.value)
        neg = p.value < 0
        c.text(xe, ye + (-PAD if neg else PAD), p.text, size=VALUE_PT, bold=True, ha="center",
               va="top" if neg else "baseline")
        step = LABEL_PT * 1.2
        for k, ln in enumerate(lines):
            c.text(xe, bottom - 4 - k * step, ln, size=LABEL_PT, ha="center", va="top")
        if p.note:
            c.text(xe, bottom - 4 - label_lines * step - 2, p.note, size=NOTE_PT, color=theme.GREY_DARK,
                   ha="center", va="top")
    if ch.reference is not None:
        ax.hline(ch.reference.value, theme.INK, 0.8, dashes=(3, 2), z=Z_REF)
        _, yr = c.to_points(ax, 0, ch.reference.value)
        c.text(W - right, yr + 3, f"{ch.reference.label} {ch.reference.text}".strip(), size=NOTE_PT,
               ha="right", va="baseline")
    if ch.unit:
        c.text(0, c.height - TICK_PT * ASCENT - 1, ch.unit, size=TICK_PT, color=theme.GREY_DARK,
               va="baseline")
    return c.finish()


def _line(c: _Canvas) -> Figure:
    """Lines over categories (months, quarters). Series told apart by colour, dash and marker; each line's
    last value and its series name right of its end, instead of a legend (names wrapped to at most a fifth
    of the width; ends that are close pushed apart). Points are labelled above (the higher series) or
    below (the lower). Where every category label and every point label fits its column all are drawn;
    where they would collide, every k-th category is labelled, with its points (see `_label_step`);
    category labels go over two lines (`2015年` / `一季度`) where one line leaves fewer than one label per
    cycle (year) and two lines give more."""
    ch, W = c.chart, c.width
    n_x = len(ch.categories)
    names = [wrap(s, W * 0.2, LABEL_PT, bold=j == 0) for j, s in enumerate(ch.series)]
    names_w = max((text_width(ln, LABEL_PT, j == 0) for j, lines in enumerate(names) for ln in lines),
                  default=0.0)
    ticks_w = 26.0
    end_w = max((text_width(row[-1].text, TICK_PT, True) for row in ch.matrix if row), default=0.0)
    left, right = ticks_w + 6, end_w + 4 + names_w + 10
    aw = W - left - right
    value_w = max((text_width(p.text, TICK_PT, True) for row in ch.matrix for p in row), default=0.0)
    period = _period(ch.categories)

    def layout(cats: list[list[str]]) -> tuple[int, float, float, list[list[str]]]:
        """(label step, inset of the first and last points, room a label needs (pt), the labels) with
        these labels: the first and last points sit far enough in that their labels stay off the tick
        labels at the left and the line ends' labels at the right."""
        cat_w = max((text_width(ln, LABEL_PT) for lines in cats for ln in lines), default=0.0)
        inset = max(value_w, cat_w) / 2 + 2
        need = max(cat_w + 6, value_w + 3)
        return _label_step(n_x, (aw - 2 * inset) / max(n_x - 1, 1), need, period), inset, need, cats

    step, inset, need, cats = layout([[s] for s in ch.categories])
    if step > max(period, 1):
        # one-line labels are fewer than one per cycle (or than every other point): two lines if that
        # gives more (zh quarters at A4: every 8th on one line, every 4th on two; en: every 4th on one)
        two = layout([wrap(s, text_width(s, LABEL_PT) * 0.62, LABEL_PT, max_lines=2) for s in ch.categories])
        if two[0] < step and (period or two[0] * 2 <= step):
            step, inset, need, cats = two
    pitch = (aw - 2 * inset) / max(n_x - 1, 1)
    margin = max(0.3, inset / pitch) if n_x > 1 else 0.5
    shown = [k for k in range(n_x) if k % step == 0 or k == n_x - 1]
    if len(shown) > 1 and (shown[-1] - shown[-2]) * pitch < need:   # the last too close to the one before
        shown.pop(-2)
    label_lines = max((len(lines) for lines in cats), default=1)
    bottom = LABEL_PT * 1.2 * label_lines + 8
    top = TICK_PT * 1.2 + 8 if ch.unit else 6
    plot_h = min(150.0, max(100.0, W * 0.26))
    c.size(bottom + plot_h + top)
    ax = c.axes(left, bottom, aw, plot_h)
    vals = [p.value for row in ch.matrix for p in row]
    vmin, vmax = min(vals), max(vals)
    span = (vmax - vmin) or abs(vmax) or 1.0
    room = (VALUE_PT * 1.2 + PAD) / plot_h * span * 1.6   # label room above the top / below the bottom
    lo, hi = vmin - room, vmax + room
    if vmin >= 0 and lo < 0:
        lo = 0.0
    ax.set_ylim(lo, hi)
    ax.set_xlim(-margin, n_x - 1 + margin)
    _value_ticks(ax, "y", c, lo, hi, nbins=4)
    # colour, dashes (in line widths) and marker tell the series apart, in grey too
    styles = [(theme.RED, (), "o"), (theme.GREY_DARK, (4, 2), "s"), (theme.GREY, (1, 1.5), "^"),
              (theme.RED_LIGHT, (), "D")]
    for j, row in enumerate(ch.matrix):
        col, ls, mk = styles[j % len(styles)]
        ax.line(range(len(row)), [p.value for p in row], col, 1.6, dashes=ls, marker=mk,
                marker_size=4 if step == 1 else 3)
    for k in shown:
        xp, _ = c.to_points(ax, k, 0)
        for i, ln in enumerate(cats[k]):
            c.text(xp, bottom - 5 - i * LABEL_PT * 1.2, ln, size=LABEL_PT, ha="center", va="top")
        column = sorted(((row[k].value, j) for j, row in enumerate(ch.matrix) if k < len(row)), reverse=True)
        for rank, (v, j) in enumerate(column):
            if k == len(ch.matrix[j]) - 1:
                continue   # a line's last value is written at its end
            p = ch.matrix[j][k]
            _, yp = c.to_points(ax, k, v)
            below = rank == len(column) - 1 and len(column) > 1
            c.text(xp, yp + (-PAD - 1 if below else PAD + 1), p.text, size=TICK_PT, bold=j == 0,
                   color=theme.INK if j == 0 else theme.GREY_DARK, ha="center",
                   va="top" if below else "baseline")
    # last values and series names at the line ends, pushed apart when the ends are close
    ends = sorted(((c.to_points(ax, len(row) - 1, row[-1].value)[1], j) for j, row in enumerate(ch.matrix)
                   if row), reverse=True)
    step_y = LABEL_PT * 1.2
    floor: float | None = None   # the lowest point the names above reach
    for y, j in ends:
        lines = names[j] if j < len(names) else []
        half = (len(lines) - 1) * step_y / 2 + LABEL_PT * 0.6
        if floor is not None and floor - (y + half) < LABEL_PT * 0.3:
            y = floor - LABEL_PT * 0.3 - half
        floor = y - half
        c.text(left + aw + 8 + end_w, y, ch.matrix[j][-1].text, size=TICK_PT, bold=j == 0, ha="right",
               color=theme.INK if j == 0 else theme.GREY_DARK)
        c.lines(left + aw + 12 + end_w, y, lines, size=LABEL_PT, ha="left", color=styles[j % len(styles)][0],
                bold=j == 0)
    if ch.unit:
        c.text(0, c.height - TICK_PT * ASCENT - 1, ch.unit, size=TICK_PT, color=theme.GREY_DARK,
               va="baseline")
    return c.finish()


def _period(categories: tuple[str, ...]) -> int:
    """The length of the cycle the categories run through once their years are taken out (quarters 4,
    months 12: `2015年一季度`, `2015 Q1`, `Jan 2024`), or 0 when they have none."""
    keys = [re.sub(r"(19|20)\d\d", "", s).strip() for s in categories]
    for p in range(2, len(keys) // 2 + 1):
        if len(set(keys[:p])) == p and all(keys[i] == keys[i + p] for i in range(len(keys) - p)):
            return p
    return 0


def _label_step(n: int, pitch: float, need: float, period: int = 0) -> int:
    """Every how many of `n` categories `pitch` points apart a label `need` points wide can be drawn
    without touching the next one. Categories that cycle (quarters, months) are labelled at the same
    place in each cycle: the step divides the period or is a multiple of it (every 2nd or 4th quarter,
    every 3rd, 6th or 12th month). Otherwise the smallest step that fits, or a step up to half as large
    again that divides the run (n - 1), so that the first and the last categories are both labelled."""
    if n < 2 or need <= pitch:
        return 1
    least = int(-(-need // pitch))
    if period:
        return next((k for k in range(least, n + period) if period % k == 0 or k % period == 0), least)
    for k in range(least, int(least * 1.5) + 1):
        if (n - 1) % k == 0:
            return k
    return least


def _donut(c: _Canvas) -> Figure:
    """A ring of parts with the centre text in the hole and a legend (name and value) beside it."""
    ch, W = c.chart, c.width
    pts = ch.points
    d = min(104.0, W * 0.36)
    if ch.center:   # a hole wide enough for the centre's widest figure at the size it may wrap at
        need = widest_unbreakable(ch.center, theme.CHART_MIN_PT + 1.5, True) / (0.7 * 0.86)
        d = max(d, min(need, W * 0.5))
    x0 = d + 28
    val_w = max(text_width(p.text, VALUE_PT, True) for p in pts)
    label_w = min(W - x0 - val_w - 30, max(text_width(p.label, LABEL_PT) for p in pts))
    labels = [wrap(p.label, label_w, LABEL_PT, max_lines=2) for p in pts]
    line = LABEL_PT * 1.2
    rows = [len(ls) * line + LABEL_PT for ls in labels]
    H = max(d + 8, sum(rows) + 8)
    c.size(H)
    colours = _series_colours(len(pts))
    ax = c.axes(4, (H - d) / 2, d, d)
    ax.set_xlim(-1, 1)
    ax.set_ylim(-1, 1)
    ax.wedges([max(p.value, 0.0) for p in pts], colours, hole=0.7, edge=theme.WHITE, edge_width=1.2)
    if ch.center:
        # the centre text shrinks to fit the hole, and at the smallest size wraps onto two lines
        hole = d * 0.7 * 0.86
        lines = [ch.center]
        size = CENTER_PT
        wrapped = False
        while size > theme.CHART_MIN_PT and max(text_width(ln, size, True) for ln in lines) > hole:
            size -= 0.5
            if size <= theme.CHART_MIN_PT + 1.5 and not wrapped:   # once: two lines, from full size again
                wrapped = True
                lines = wrap(ch.center, hole, size, max_lines=2, bold=True)
                size = CENTER_PT
        step = size * 1.15
        for k, ln in enumerate(lines):
            c.text(4 + d / 2, H / 2 + (len(lines) - 1) * step / 2 - k * step, ln, size=size, bold=True,
                   ha="center")
    sw = LABEL_PT * 0.8
    y_top = H / 2 + sum(rows) / 2
    for p, col, lines, h in zip(pts, colours, labels, rows):
        y = y_top - h / 2            # the middle of this legend row
        y_top -= h
        first = y + (len(lines) - 1) * line / 2   # the first line's centre; swatch and value align to it
        c.rect(x0, first - sw / 2, sw, sw, col)
        c.lines(x0 + sw + 5, y, lines, ha="left")
        c.text(x0 + sw + 5 + label_w + 14, first, p.text, size=VALUE_PT, bold=True)
        if p.note:
            c.text(x0 + sw + 5 + label_w + 14 + val_w + 8, first, p.note, size=NOTE_PT, color=theme.GREY_DARK)
    return c.finish()


def _progress(c: _Canvas) -> Figure:
    """Per item: the label and "done / target" above a track bar filled to the fraction, percent at the
    bar's end."""
    ch, W = c.chart, c.width
    pts = ch.points
    bar_h = 9.0
    row = LABEL_PT * 1.2 + 4 + bar_h + 12 + (NOTE_PT * 1.2 + 2 if any(p.note for p in pts) else 0)
    c.size(row * len(pts) - 8)
    # the share as the source prints it where the content gives one, else computed from the two figures
    pct_texts = [share_text(p, c.lang) for p in pts]
    pct_w = max(text_width(t, VALUE_PT, True) for t in pct_texts)
    track = W - pct_w - 8
    for i, (p, pct) in enumerate(zip(pts, pct_texts)):
        y_top = c.height - i * row
        base = y_top - LABEL_PT * ASCENT - 1
        c.text(0, base, p.label, size=LABEL_PT, va="baseline")
        ratio = text_width(" / " + p.target_text, LABEL_PT) if p.target_text else 0.0
        if p.target_text:
            c.text(track, base, " / " + p.target_text, size=LABEL_PT, color=theme.GREY_DARK, ha="right",
                   va="baseline")
        c.text(track - ratio, base, p.text, size=VALUE_PT, bold=True, ha="right", va="baseline")
        yb = base - LABEL_PT * DESCENT - 4 - bar_h
        c.rect(0, yb, track, bar_h, theme.GREY_LIGHT)
        frac = min(max(p.value / p.target, 0.0), 1.0) if p.target else 0.0
        if frac > 0:
            c.rect(0, yb, track * frac, bar_h, theme.RED)
        if pct:
            c.text(track + 6, yb + bar_h / 2, pct, size=VALUE_PT, bold=True, color=theme.RED)
        if p.note:
            c.text(0, yb - 3, p.note, size=NOTE_PT, color=theme.GREY_DARK, va="top")
    return c.finish()


DRAWERS: dict[str, Callable[[_Canvas], Figure]] = {
    "hbar": _hbar, "bar": _bar, "grouped": _grouped, "line": _line, "donut": _donut, "progress": _progress,
}

