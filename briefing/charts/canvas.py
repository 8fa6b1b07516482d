"""The matplotlib side of chart drawing: a recording renderer and a canvas in points.

matplotlib lays a chart out and draws it at its real print size (1 unit = 1 pt, dpi 72), so font sizes are
true. Its drawing calls go to a `RendererBase` that records vector operations (paths and text) instead of
pixels; text is recorded as strings and measured with the advance widths ReportLab uses, so matplotlib's
alignment is exact on the page and the PDF sets chart text as real, selectable text.

Only the parts of matplotlib the drawing needs are imported (figure, axes, patches, ticker), and only here,
in the process that draws (`matplotlib_ready` first gives it its own config folder under our cache and
silences its warnings). A build whose charts are all cached never imports this module.
"""
from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
import warnings
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

RC = {
    "font.family": "Noto Sans SC", "font.size": LABEL_PT, "text.parse_math": False,
    "axes.unicode_minus": False, "path.simplify": False, "figure.dpi": 72, "savefig.dpi": 72,
    "axes.spines.top": False, "axes.spines.right": False, "axes.linewidth": 0.6,
    "axes.edgecolor": theme.GREY, "xtick.color": theme.GREY, "ytick.color": theme.GREY,
    "xtick.labelcolor": theme.GREY_DARK, "ytick.labelcolor": theme.GREY_DARK,
    "xtick.labelsize": TICK_PT, "ytick.labelsize": TICK_PT, "xtick.major.size": 0,
    "ytick.major.size": 0, "xtick.major.pad": 3, "ytick.major.pad": 3, "lines.solid_capstyle": "butt",
}


@cache
def matplotlib_ready() -> None:
    """Import matplotlib's drawing parts with its own config folder, `<cache>/matplotlib` (never the user's
    matplotlibrc, which could change our charts), and nothing of it reaching the user: its logger goes
    nowhere and its Python warnings are dropped. When that folder cannot be written (a read-only or full
    cache), matplotlib gets a private temporary folder that is removed as soon as it is imported, so it
    neither warns about it nor leaves `matplotlib-*` folders behind."""
    log = logging.getLogger("matplotlib")
    log.addHandler(logging.NullHandler())
    log.propagate = False
    folder = cache_root() / "matplotlib"
    temp = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=folder, prefix=".probe-")
        probe.close()
    except OSError:
        temp = tempfile.mkdtemp(prefix="briefing-mpl-")
        folder = temp
    os.environ["MPLCONFIGDIR"] = str(folder)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import matplotlib.backend_bases
            import matplotlib.figure  # noqa: F401
            from matplotlib import font_manager

            # matplotlib measures nothing itself (the recorder does), but keep its font lookup on our face
            for bold in (False, True):
                font_manager.fontManager.addfont(str(fonts.font_path(FAMILY, bold)))
    finally:
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)


def imported() -> bool:
    """Whether this process has imported matplotlib (tests: a warm build must not)."""
    return "matplotlib" in sys.modules


@cache
def _recorder_class() -> type:
    from matplotlib.backend_bases import RendererBase
    from matplotlib.colors import to_hex
    from matplotlib.path import Path as MPath

    def colour(rgba: Any) -> tuple[str, float]:
        rgba = tuple(rgba)
        return to_hex(rgba[:3]).upper(), float(rgba[3]) if len(rgba) > 3 else 1.0

    def r(v: float) -> float:
        return round(float(v), 2)

    class Recorder(RendererBase):
        """Records matplotlib's drawing as `PathOp`/`TextOp` in points, origin at the bottom-left."""

        def __init__(self, width: float, height: float, chart: LChart) -> None:
            super().__init__()
            self.width, self.height, self.chart = width, height, chart
            self.ops: list[Op] = []

        def flipy(self) -> bool:
            return False   # keep PDF orientation: y grows upwards

        def get_canvas_width_height(self) -> tuple[float, float]:
            return self.width, self.height

        def points_to_pixels(self, points: float) -> float:
            return points  # dpi 72: one pixel is one point

        def draw_path(self, gc: Any, path: Any, transform: Any, rgbFace: Any = None) -> None:
            segs: list[tuple[Any, ...]] = []
            last = (0.0, 0.0)
            for verts, code in path.iter_segments(transform, remove_nans=True, simplify=False, curves=True):
                v = [r(x) for x in verts]
                if code == MPath.MOVETO:
                    segs.append(("M", *v[:2]))
                elif code == MPath.LINETO:
                    segs.append(("L", *v[:2]))
                elif code == MPath.CURVE3:   # quadratic → cubic
                    (x0, y0), (qx, qy), (x3, y3) = last, v[:2], v[2:4]
                    segs.append(("C", r(x0 + 2 / 3 * (qx - x0)), r(y0 + 2 / 3 * (qy - y0)),
                                 r(x3 + 2 / 3 * (qx - x3)), r(y3 + 2 / 3 * (qy - y3)), x3, y3))
                elif code == MPath.CURVE4:
                    segs.append(("C", *v[:6]))
                elif code == MPath.CLOSEPOLY:
                    segs.append(("Z",))
                    continue
                last = (v[-2], v[-1])
            if not segs:
                return
            fill = stroke = None
            alpha = 1.0
            if rgbFace is not None:
                fill, alpha = colour(rgbFace)
                if gc.get_forced_alpha():
                    alpha = gc.get_alpha()
                if alpha == 0:
                    fill = None
            lw = gc.get_linewidth()
            rgb = gc.get_rgb()
            if lw > 0 and rgb[3] > 0:
                stroke, s_alpha = colour(rgb)
                alpha = alpha if fill else s_alpha
            if fill is None and stroke is None:
                return
            _, dashes = gc.get_dashes()
            self.ops.append(PathOp(tuple(segs), fill, stroke, r(lw) if stroke else 0.0,
                                   tuple(r(d) for d in dashes) if (dashes is not None and stroke) else (),
                                   r(alpha), str(gc.get_capstyle()), str(gc.get_joinstyle())))

        def draw_text(self, gc: Any, x: float, y: float, s: str, prop: Any, angle: float,
                      ismath: Any = False, mtext: Any = None) -> None:
            if not s.strip():
                return
            bold, size = _is_bold(prop), prop.get_size_in_points()
            missing = fonts.missing_chars(s, FAMILY, bold)
            if missing:
                raise glyph_error(self.chart, missing[0], s)
            anchor = "left"
            if mtext is not None and angle == 0:
                # Keep the alignment matplotlib was asked for, so the PDF aligns on the anchor.
                ha = mtext.get_horizontalalignment()
                if ha in ("center", "right"):
                    w = text_width(s, size, bold)
                    x, anchor = (x + w / 2, "center") if ha == "center" else (x + w, "right")
            self.ops.append(TextOp(s, r(x), r(y), r(size), bold, r(angle), colour(gc.get_rgb())[0], anchor,
                                   LANG.get()))

        def get_text_width_height_descent(self, s: str, prop: Any, ismath: Any) -> tuple[float, float, float]:
            size = prop.get_size_in_points()
            return text_width(s, size, _is_bold(prop)), (ASCENT + DESCENT) * size, DESCENT * size

        def draw_image(self, gc: Any, x: float, y: float, im: Any, transform: Any = None) -> None:
            raise RuntimeError("charts are vector only: an artist tried to draw a raster image")

        def option_image_nocomposite(self) -> bool:
            return True

    return Recorder


def _is_bold(prop: Any) -> bool:
    w = prop.get_weight()
    return (w >= 600) if isinstance(w, (int, float)) else w in ("bold", "heavy", "black", "extra bold",
                                                                 "semibold", "demibold", "demi")


class _Canvas:
    """A matplotlib figure of the chart's print size plus helpers that place things in points."""

    def __init__(self, chart: LChart, width: float) -> None:
        from matplotlib.backend_bases import FigureCanvasBase
        from matplotlib.figure import Figure as MplFigure

        self.chart, self.width, self.lang = chart, width, chart.lang
        self.fig = MplFigure(figsize=(width / 72, 1), dpi=72)
        self.fig.patch.set_visible(False)
        self.recorder: Any = None
        canvas = self

        class Canvas(FigureCanvasBase):
            def get_renderer(self) -> Any:  # text extents are measured with our metrics
                return canvas.recorder

        Canvas(self.fig)
        self.height = 1.0
        self.over: Any = None

    def size(self, height: float) -> None:
        """Fix the figure height (pt) and add the overlay axes whose data units are figure points."""
        self.height = height
        self.fig.set_size_inches(self.width / 72, height / 72)
        self.recorder = _recorder_class()(self.width, height, self.chart)
        over = self.fig.add_axes((0, 0, 1, 1), zorder=10)
        over.set_axis_off()
        over.set_xlim(0, self.width)
        over.set_ylim(0, height)
        self.over = over

    def axes(self, left: float, bottom: float, width: float, height: float) -> Any:
        ax = self.fig.add_axes((left / self.width, bottom / self.height, width / self.width, height / self.height))
        ax.patch.set_visible(False)
        return ax

    def text(self, x: float, y: float, s: str, *, size: float = LABEL_PT, bold: bool = False,
             color: str = theme.INK, ha: str = "left", va: str = "center") -> None:
        if s:
            self.over.text(x, y, s, fontsize=size, fontweight="bold" if bold else "normal", color=color,
                           ha=ha, va=va, clip_on=False)

    def lines(self, x: float, y: float, lines: list[str], *, size: float = LABEL_PT, ha: str = "right",
              color: str = theme.INK) -> None:
        """Lines of a wrapped label, centred vertically on y."""
        step = size * 1.2
        top = y + (len(lines) - 1) * step / 2
        for i, ln in enumerate(lines):
            self.text(x, top - i * step, ln, size=size, ha=ha, color=color)

    def rect(self, x: float, y: float, w: float, h: float, color: str) -> None:
        from matplotlib.patches import Rectangle

        self.over.add_patch(Rectangle((x, y), w, h, facecolor=color, edgecolor="none", clip_on=False))

    def to_points(self, ax: Any, x: float, y: float) -> tuple[float, float]:
        px, py = ax.transData.transform((x, y))
        return float(px), float(py)

    def tick(self, value: float, kind: str | None = None) -> str:
        from ..localize import format_tick

        return format_tick(value, kind or self.chart.value_kind, self.lang)

    def finish(self) -> Figure:
        self.fig.draw(self.recorder)
        return Figure(round(self.width, 2), round(self.height, 2), tuple(self.recorder.ops))


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


def _value_ticks(ax: Any, axis: str, c: _Canvas, lo: float, hi: float, nbins: int = 5) -> None:
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    if axis == "x":   # keep tick labels apart in narrow columns: one tick per ~50 pt at most
        extent = ax.get_position().width * c.width
        nbins = max(2, min(nbins, int(extent // 50)))

    ticks = [t for t in MaxNLocator(nbins=nbins, steps=[1, 2, 5, 10]).tick_values(lo, hi)
             if lo - 1e-9 <= t <= hi + 1e-9]
    a = ax.xaxis if axis == "x" else ax.yaxis
    a.set_ticks(ticks)
    a.set_major_formatter(FuncFormatter(lambda v, _pos: c.tick(v)))
    ax.grid(True, axis=axis, color=theme.GREY_LIGHT, linewidth=0.5)
    ax.set_axisbelow(True)


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

