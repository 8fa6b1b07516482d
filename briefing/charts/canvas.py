"""Chart drawing in points: a `Canvas` the size of the chart, with `Plot` areas that map data to points.

Charts are laid out in points, not left to a plotting library: every mark and label is placed by our code
and recorded at once as plain `PathOp`/`TextOp` data (1 unit = 1 pt, origin bottom-left). Text is
recorded as strings and measured with the advance widths ReportLab uses, so alignment is exact on the page
and the PDF sets chart text as real, selectable text.

matplotlib supplies what is worth not rewriting, and only that is imported: tick positions
(`matplotlib.ticker.MaxNLocator`), circular arcs as Bézier curves (`matplotlib.path.Path.arc`, for donut
wedges) and marker shapes (`matplotlib.markers`). No figure, axes, text engine or font manager is loaded
(the drawing used to go through matplotlib's figure and axes, which import most of matplotlib: 0.5 s and
the larger part of a cold build's chart time). A `Plot` draws the way matplotlib's axes did, so the
drawings kept their look: grid and tick labels under the marks, bars under lines, reference lines on top,
then the canvas's own rectangles and text.
"""
from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
import warnings
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from .. import fonts, theme
from ..figure import Figure, Op, PathOp, TextOp
from ..model import LChart
from .cache import cache_root
from .labels import FAMILY, LANG, text_width
from .problems import glyph_error

# Sizes in points at print size. Nothing below theme.CHART_MIN_PT.
LABEL_PT = 8.0       # category labels, legend, series names
VALUE_PT = 8.0       # value labels (bold)
TICK_PT = 7.5        # axis tick labels, unit
NOTE_PT = 7.5        # annotations ("全省第6位")
CENTER_PT = 15.0     # donut centre
BAR_PITCH = 22.0     # hbar: vertical space per bar
BAR_FILL = 0.62      # bar thickness as a share of its pitch
PAD = 4.0            # gap between a mark and its label
ASCENT, DESCENT = 0.88, 0.12   # the ideographic em box of Noto Sans SC (OS/2 typo metrics)
TICK_PAD = 3.0       # between the plot edge and a tick label
GRID_PT = 0.5        # grid line width

# Drawing layers within a plot, drawn in this order (matplotlib's zorder, which the charts were made with).
Z_GRID, Z_WEDGE, Z_BAR, Z_LINE, Z_REF = 0.5, 1.0, 2.0, 3.0, 4.0
Z_RECT, Z_TEXT = 1.0, 3.0   # the canvas's own rectangles and text, over every plot


@cache
def matplotlib_ready() -> None:
    """Import the parts of matplotlib the drawing needs, with its own config folder, `<cache>/matplotlib`,
    and its own defaults (never a user's matplotlibrc), and nothing of it reaching the user: its logger goes
    nowhere and its Python warnings are dropped. When that folder cannot be written (a read-only or full cache),
    matplotlib gets a private temporary folder that is removed as soon as it is imported, so it neither
    warns about it nor leaves `matplotlib-*` folders behind."""
    log = logging.getLogger("matplotlib")
    log.addHandler(logging.NullHandler())
    log.propagate = False
    folder = cache_root() / "matplotlib"
    temp = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".probe-"):
            pass
    except OSError:
        temp = tempfile.mkdtemp(prefix="briefing-mpl-")
        folder = temp
    os.environ["MPLCONFIGDIR"] = str(folder)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import matplotlib
            import matplotlib.markers
            import matplotlib.path
            import matplotlib.ticker

            # matplotlib's own defaults, whatever a matplotlibrc (in the working folder, $MATPLOTLIBRC)
            # says: marker shapes read them
            matplotlib.rcdefaults()
    finally:
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)


def imported() -> bool:
    """Whether this process has imported matplotlib (tests: a warm build must not)."""
    return "matplotlib" in sys.modules


def _r(v: float) -> float:
    return round(float(v), 2)


def _colour(c: str) -> str:
    return c.upper()


def _segments(vertices: Any, codes: Any, to_points: Callable[[float, float], tuple[float, float]]
              ) -> tuple[tuple[Any, ...], ...]:
    """A matplotlib path's vertices and codes (data space) as our segments in points."""
    from matplotlib.path import Path as MPath

    segs: list[tuple[Any, ...]] = []
    if codes is None:
        codes = [MPath.MOVETO] + [MPath.LINETO] * (len(vertices) - 1)
    i, n = 0, len(vertices)
    while i < n:
        code = codes[i]
        if code == MPath.CLOSEPOLY:
            segs.append(("Z",))
            i += 1
        elif code == MPath.CURVE4:
            pts = [to_points(*vertices[i + k]) for k in range(3)]
            segs.append(("C", *(_r(v) for p in pts for v in p)))
            i += 3
        elif code == MPath.CURVE3:   # quadratic → cubic
            (x0, y0) = segs[-1][-2:] if segs else (0.0, 0.0)
            (qx, qy), (x3, y3) = to_points(*vertices[i]), to_points(*vertices[i + 1])
            segs.append(("C", _r(x0 + 2 / 3 * (qx - x0)), _r(y0 + 2 / 3 * (qy - y0)),
                         _r(x3 + 2 / 3 * (qx - x3)), _r(y3 + 2 / 3 * (qy - y3)), _r(x3), _r(y3)))
            i += 2
        else:
            x, y = to_points(*vertices[i])
            segs.append(("M" if code == MPath.MOVETO else "L", _r(x), _r(y)))
            i += 1
    return tuple(segs)


def _fill(segs: tuple[tuple[Any, ...], ...], colour: str, join: str = "miter") -> PathOp:
    return PathOp(segs, _colour(colour), None, 0.0, (), 1.0, "butt", join)


def _rect_segments(x0: float, y0: float, x1: float, y1: float) -> tuple[tuple[Any, ...], ...]:
    """A rectangle's outline as a matplotlib Rectangle draws it: (x0,y0) → (x1,y0) → (x1,y1) → (x0,y1)."""
    return (("M", _r(x0), _r(y0)), ("L", _r(x1), _r(y0)), ("L", _r(x1), _r(y1)), ("L", _r(x0), _r(y1)), ("Z",))


class Plot:
    """A rectangle of the canvas (in points) with data limits: marks are given in data units and placed
    when the chart is finished, with the limits in force then. Limits may be inverted (y growing down)."""

    def __init__(self, left: float, bottom: float, width: float, height: float) -> None:
        self.left, self.bottom, self.width, self.height = left, bottom, width, height
        self.xlim, self.ylim = (0.0, 1.0), (0.0, 1.0)
        self._items: list[tuple[float, Callable[[], list[Op]]]] = []

    def set_xlim(self, lo: float, hi: float) -> None:
        self.xlim = (float(lo), float(hi))

    def set_ylim(self, lo: float, hi: float) -> None:
        self.ylim = (float(lo), float(hi))

    def to_points(self, x: float, y: float) -> tuple[float, float]:
        (x0, x1), (y0, y1) = self.xlim, self.ylim
        return (self.left + (x - x0) / (x1 - x0) * self.width, self.bottom + (y - y0) / (y1 - y0) * self.height)

    def _add(self, z: float, make: Callable[[], list[Op]]) -> None:
        self._items.append((z, make))

    def ops(self) -> list[Op]:
        out: list[Op] = []
        for _, make in sorted(self._items, key=lambda item: item[0]):   # stable: ties keep their order
            out += make()
        return out

    # -- marks
    def barh(self, y: float, value: float, height: float, colour: str) -> None:
        """A horizontal bar from 0 to `value`, centred on `y`."""
        def make() -> list[Op]:
            (x0, y0), (x1, y1) = self.to_points(0, y - height / 2), self.to_points(value, y + height / 2)
            return [_fill(_rect_segments(x0, y0, x1, y1), colour)]
        self._add(Z_BAR, make)

    def bar(self, x: float, value: float, width: float, colour: str) -> None:
        """A vertical bar from 0 to `value`, centred on `x`."""
        def make() -> list[Op]:
            (x0, y0), (x1, y1) = self.to_points(x - width / 2, 0), self.to_points(x + width / 2, value)
            return [_fill(_rect_segments(x0, y0, x1, y1), colour)]
        self._add(Z_BAR, make)

    def vline(self, x: float, colour: str, width: float, dashes: Sequence[float] = (), z: float = Z_LINE) -> None:
        """A line across the plot at data x (dash lengths in multiples of the line width)."""
        def make() -> list[Op]:
            px = self.to_points(x, self.ylim[0])[0]
            return [_stroke((("M", _r(px), _r(self.bottom)), ("L", _r(px), _r(self.bottom + self.height))),
                            colour, width, dashes)]
        self._add(z, make)

    def hline(self, y: float, colour: str, width: float, dashes: Sequence[float] = (), z: float = Z_LINE) -> None:
        def make() -> list[Op]:
            py = self.to_points(self.xlim[0], y)[1]
            return [_stroke((("M", _r(self.left), _r(py)), ("L", _r(self.left + self.width), _r(py))),
                            colour, width, dashes)]
        self._add(z, make)

    def line(self, xs: Sequence[float], ys: Sequence[float], colour: str, width: float,
             dashes: Sequence[float] = (), marker: str = "", marker_size: float = 0.0) -> None:
        """A polyline through the points, with a filled marker (matplotlib's shape `marker`) on each."""
        def make() -> list[Op]:
            pts = [self.to_points(x, y) for x, y in zip(xs, ys)]
            segs = tuple((("M" if i == 0 else "L"), _r(x), _r(y)) for i, (x, y) in enumerate(pts))
            out: list[Op] = [_stroke(segs, colour, width, dashes)]
            if marker and marker_size > 0:
                from matplotlib.markers import MarkerStyle

                style = MarkerStyle(marker)
                path, trans = style.get_path(), style.get_transform().scale(marker_size)
                verts = trans.transform(path.vertices)
                join = str(style.get_joinstyle())
                for px, py in pts:
                    out.append(_fill(_segments(verts, path.codes, lambda a, b, px=px, py=py: (a + px, b + py)),
                                     colour, join))
            return out
        self._add(Z_LINE, make)

    def wedges(self, values: Sequence[float], colours: Sequence[str], hole: float, edge: str,
               edge_width: float) -> None:
        """A ring of parts, clockwise from 12 o'clock, of radius 1 around (0, 0) in data units, with a hole
        of radius `hole`, each part outlined in `edge` (the gaps between parts)."""
        def make() -> list[Op]:
            import numpy as np
            from matplotlib.path import Path as MPath

            total = float(sum(values))
            out: list[Op] = []
            t1 = 90 / 360
            for i, v in enumerate(values):
                t2 = t1 - v / total
                a, b = 360.0 * min(t1, t2), 360.0 * max(t1, t2)
                t1 = t2
                full = abs((b - a) - 360) <= 1e-12
                arc = MPath.arc(0, 360) if full else MPath.arc(a, b)
                inner = arc.vertices[::-1] * hole
                verts = np.concatenate([arc.vertices, inner, [(0, 0)]])
                codes = [*arc.codes, MPath.MOVETO if full else MPath.LINETO, *arc.codes[1:], MPath.CLOSEPOLY]
                segs = _segments(verts, codes, self.to_points)
                out.append(PathOp(segs, _colour(colours[i % len(colours)]), _colour(edge), _r(edge_width), (), 1.0,
                                  "butt", "miter"))
            return out
        self._add(Z_WEDGE, make)

    def value_ticks(self, axis: str, ticks: Sequence[float], labels: Sequence[str]) -> None:
        """Grid lines across the plot at the ticks of the value axis, each with its label outside the
        plot (below for x, left for y)."""
        def make() -> list[Op]:
            out: list[Op] = []
            for t, label in zip(ticks, labels):
                if axis == "x":
                    px = self.to_points(t, self.ylim[0])[0]
                    out.append(_stroke((("M", _r(px), _r(self.bottom)), ("L", _r(px), _r(self.bottom + self.height))),
                                       theme.GREY_LIGHT, GRID_PT))
                    y = self.bottom - TICK_PAD - ASCENT * TICK_PT
                    out.append(_text(label, px, y, TICK_PT, False, theme.GREY_DARK, "center"))
                else:
                    py = self.to_points(self.xlim[0], t)[1]
                    out.append(_stroke((("M", _r(self.left), _r(py)), ("L", _r(self.left + self.width), _r(py))),
                                       theme.GREY_LIGHT, GRID_PT))
                    y = py - ASCENT * TICK_PT / 2   # the label's ascent centred on the grid line
                    out.append(_text(label, self.left - TICK_PAD, y, TICK_PT, False, theme.GREY_DARK, "right"))
            return out
        self._add(Z_GRID, make)


def _stroke(segs: tuple[tuple[Any, ...], ...], colour: str, width: float, dashes: Sequence[float] = ()) -> PathOp:
    """A stroked line; dash lengths are in multiples of the line width."""
    return PathOp(segs, None, _colour(colour), _r(width), tuple(_r(d * width) for d in dashes), 1.0, "butt", "round")


def _text(s: str, x: float, y: float, size: float, bold: bool, colour: str, anchor: str) -> TextOp:
    return TextOp(s, _r(x), _r(y), _r(size), bold, 0.0, _colour(colour), anchor, LANG.get())


_VA = {  # baseline below the anchor point, in em (ideographic em box: ascent 0.88, descent 0.12)
    "baseline": 0.0, "top": ASCENT, "center": (ASCENT + DESCENT) / 2 - DESCENT, "bottom": -DESCENT,
    "center_baseline": ASCENT / 2,
}
_HA = {"left": "left", "center": "center", "right": "right"}


class _Canvas:
    """The chart's drawing surface: its width is the column's, its height set once the layout is known
    (`size`); plots are added with `axes`, text and rectangles drawn directly in points."""

    def __init__(self, chart: LChart, width: float) -> None:
        self.chart, self.width, self.lang = chart, width, chart.lang
        self.height = 1.0
        self.plots: list[Plot] = []
        self._over: list[tuple[float, Op]] = []

    def size(self, height: float) -> None:
        """Fix the figure height (pt)."""
        self.height = height

    def axes(self, left: float, bottom: float, width: float, height: float) -> Plot:
        plot = Plot(left, bottom, width, height)
        self.plots.append(plot)
        return plot

    def text(self, x: float, y: float, s: str, *, size: float = LABEL_PT, bold: bool = False,
             color: str = theme.INK, ha: str = "left", va: str = "center") -> None:
        """One line of text anchored at (x, y): `ha` left|center|right, `va` the point's place on the
        line's em box (baseline|top|center|bottom|center_baseline)."""
        if s.strip():
            missing = fonts.missing_chars(s, FAMILY, bold)
            if missing:
                raise glyph_error(self.chart, missing[0], s)
            self._over.append((Z_TEXT, _text(s, x, y - _VA[va] * size, size, bold, color, _HA[ha])))

    def lines(self, x: float, y: float, lines: list[str], *, size: float = LABEL_PT, ha: str = "right",
              color: str = theme.INK, bold: bool = False) -> None:
        """Lines of a wrapped label, centred vertically on y."""
        step = size * 1.2
        top = y + (len(lines) - 1) * step / 2
        for i, ln in enumerate(lines):
            self.text(x, top - i * step, ln, size=size, ha=ha, color=color, bold=bold)

    def rect(self, x: float, y: float, w: float, h: float, color: str) -> None:
        self._over.append((Z_RECT, _fill(_rect_segments(x, y, x + w, y + h), color)))

    def to_points(self, ax: Plot, x: float, y: float) -> tuple[float, float]:
        return ax.to_points(x, y)

    def tick(self, value: float, kind: str | None = None) -> str:
        from ..localize import format_tick

        return format_tick(value, kind or self.chart.value_kind, self.lang, self.chart.tick_scale)

    def finish(self) -> Figure:
        ops: list[Op] = []
        for plot in self.plots:
            ops += plot.ops()
        ops += [op for _, op in sorted(self._over, key=lambda item: item[0])]
        return Figure(round(self.width, 2), round(self.height, 2), tuple(ops))


# ---------------------------------------------------------------- layout helpers

def _fit_range(values: list[float], labels: list[float], extent: float,
               lo: float | None = None, hi: float | None = None) -> tuple[float, float]:
    """A data range [lo, hi] (always holding 0) in which each value's label, `labels[i]` points long,
    fits past the bar's end inside `extent` points."""
    lo = min([0.0, *values]) if lo is None else lo
    hi = max([0.0, *values]) if hi is None else hi
    if hi == lo:
        hi = lo + 1.0
    for _ in range(30):   # the scale depends on the range it is extending: iterate to a fixed point
        scale = extent / (hi - lo)
        new_lo = min([lo] + [v - (PAD + w) / scale for v, w in zip(values, labels) if v < 0])
        new_hi = max([hi] + [v + (PAD + w) / scale for v, w in zip(values, labels) if v >= 0])
        if abs(new_lo - lo) < 1e-9 and abs(new_hi - hi) < 1e-9:
            break
        lo, hi = new_lo, new_hi
    return lo, hi


def _value_ticks(ax: Plot, axis: str, c: _Canvas, lo: float, hi: float, nbins: int = 5) -> None:
    """Round tick values over [lo, hi] (steps of 1, 2 or 5 times a power of ten), labelled like the text."""
    from matplotlib.ticker import MaxNLocator

    if axis == "x":   # keep tick labels apart in narrow columns: one tick per ~50 pt at most
        nbins = max(2, min(nbins, int(ax.width // 50)))
    ticks = [float(t) for t in MaxNLocator(nbins=nbins, steps=[1, 2, 5, 10]).tick_values(lo, hi)
             if lo - 1e-9 <= t <= hi + 1e-9]
    ax.value_ticks(axis, ticks, [c.tick(t) for t in ticks])


def _series_colours(n: int) -> tuple[str, ...]:
    """The theme's series colours, whose neighbours differ in lightness (they still read printed in grey);
    two series are this place (red) against a reference (grey)."""
    return tuple(theme.SERIES[i % len(theme.SERIES)] for i in range(n))


def _legend(c: _Canvas, names: tuple[str, ...], colours: tuple[str, ...], x: float, y: float) -> None:
    """A one-row legend: square swatch + name, starting at (x, y-centre)."""
    sw = LABEL_PT * 0.8
    for name, col in zip(names, colours):
        c.rect(x, y - sw / 2, sw, sw, col)
        c.text(x + sw + 3, y, name, size=LABEL_PT, color=theme.INK)
        x += sw + 3 + text_width(name, LABEL_PT) + 12

