"""Charts: a localized `LChart` → a vector `Figure` (pure data), drawn by matplotlib, cached on disk.

How it works
* matplotlib lays the chart out and draws it at its real print size (1 unit = 1 pt, dpi 72), so font
  sizes are true. Its drawing calls go to `_Recorder`, a `RendererBase` that records vector operations
  (paths and text) instead of pixels. Text is recorded as strings, so the PDF sets chart text as real,
  selectable text in the body's embedded sans subset; text is measured with the same advance widths
  ReportLab uses, so matplotlib's alignment is exact on the page.
* The result is a `Figure` (width, height, ops): plain data, stored as JSON in `cache_dir()` under a
  hash of everything that affects the drawing. A rebuild with unchanged charts reads the JSON and never
  imports matplotlib (this is the only module that imports it, and only inside `_draw`).
* `briefing.vector.FigureFlowable` replays the ops on a ReportLab canvas.

The chart module knows nothing about pages: the caller gives the column width; the title and source
are typeset by the page as captions, not drawn here.
"""
from __future__ import annotations

import contextvars
import dataclasses
import hashlib
import json
import os
import re
import tempfile
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Union

from . import fonts, theme
from .errors import BriefingError, GlyphError
from .model import ChartPoint, LChart

# Bump whenever the drawing code or its constants change: it is part of the cache key (we cannot ask
# matplotlib for its version without importing it, which a warm rebuild must not do).
CHART_CODE_VERSION = 5

KINDS = ("hbar", "bar", "grouped", "line", "donut", "progress")

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

FAMILY = theme.CHART_FAMILY


# ---------------------------------------------------------------- the drawing as data

@dataclass(frozen=True)
class PathOp:
    """A path in figure points (origin bottom-left). Segments: ("M",x,y) ("L",x,y) ("C",x1,y1,x2,y2,x,y) ("Z",)."""

    segments: tuple[tuple[Any, ...], ...]
    fill: str | None = None
    stroke: str | None = None
    width: float = 0.0
    dash: tuple[float, ...] = ()
    alpha: float = 1.0
    cap: str = "butt"
    join: str = "miter"


@dataclass(frozen=True)
class TextOp:
    """One line of text. (x, y) is the anchor point on the baseline: left end, centre or right end."""

    text: str
    x: float
    y: float
    size: float
    bold: bool = False
    angle: float = 0.0
    color: str = theme.INK
    anchor: str = "left"   # left | center | right
    lang: str = "zh"       # the document language: English sets Latin in the Latin sans face first


Op = Union[PathOp, TextOp]


@dataclass(frozen=True)
class Figure:
    width: float
    height: float
    ops: tuple[Op, ...]

    def texts(self) -> list[TextOp]:
        return [op for op in self.ops if isinstance(op, TextOp)]

    def to_json(self) -> dict[str, Any]:
        return {"width": self.width, "height": self.height,
                "ops": [{"t": "text" if isinstance(op, TextOp) else "path", **dataclasses.asdict(op)}
                        for op in self.ops]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Figure":
        ops: list[Op] = []
        for raw in data["ops"]:
            d = dict(raw)
            if d.pop("t") == "text":
                ops.append(TextOp(**d))
            else:
                d["segments"] = tuple(tuple(s) for s in d["segments"])
                d["dash"] = tuple(d["dash"])
                ops.append(PathOp(**d))
        return cls(float(data["width"]), float(data["height"]), tuple(ops))


# ---------------------------------------------------------------- public API

def cache_dir() -> Path:
    """`$XDG_CACHE_HOME/briefing/charts` (default `~/.cache/briefing/charts`)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "briefing" / "charts"


def render(chart: LChart, width: float, *, cache: bool = True) -> Figure:
    """The chart drawn `width` points wide (the text column), as vector ops.

    With `cache`, a drawing made before for the same chart, width, theme, fonts and code is read back
    from `cache_dir()` without importing matplotlib; a new drawing is stored there.
    """
    if chart.kind not in KINDS:
        raise BriefingError(f"unknown chart kind {chart.kind!r}", f"use one of {', '.join(KINDS)}",
                            _where(chart))
    if not chart.points and not any(chart.matrix):
        raise BriefingError("the chart has no data", "give the chart items (or series and groups)", _where(chart))
    if chart.kind == "donut" and sum(max(p.value, 0.0) for p in chart.points) <= 0:
        raise BriefingError("a donut needs parts with positive values", "check the parts' metrics",
                            _where(chart))
    _check_glyphs(chart)
    path = cache_dir() / f"{cache_key(chart, width)}.json" if cache else None
    if path is not None:
        hit = _read_cached(path)
        if hit is not None:
            return hit
    token = _LANG.set(chart.lang)
    try:
        figure = _draw(chart, float(width))
    finally:
        _LANG.reset(token)
    if path is not None:
        _write_cached(path, figure)
    return figure


def cache_key(chart: LChart, width: float) -> str:
    payload = {
        "code": CHART_CODE_VERSION,
        "chart": dataclasses.asdict(chart),
        "width": round(float(width), 3),
        "theme": _theme_fingerprint(),
        "fonts": _font_fingerprints(),
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------- cache

def _theme_fingerprint() -> dict[str, Any]:
    """Every plain constant of the theme (colours, chart sizes): a change in any redraws the charts."""
    return {k: v for k, v in sorted(vars(theme).items())
            if k.isupper() and isinstance(v, (str, int, float, tuple))}


@lru_cache(maxsize=None)
def _font_fingerprints() -> tuple[tuple[str, int, str], ...]:
    """(file name, size, sha256) of the chart faces. Hashing 20 MB per run is slow, so hashes are kept in
    `fonts.json` in the cache folder keyed by path, size and mtime, and computed once per process."""
    store = cache_dir() / "fonts.json"
    try:
        known: dict[str, str] = json.loads(store.read_text("utf-8"))
    except (OSError, ValueError):
        known = {}
    out, changed = [], False
    for family, bold in ((f, b) for f in (FAMILY, fonts.LATIN[FAMILY]) for b in (False, True)):
        path = fonts.font_path(family, bold)
        try:
            st = path.stat()
        except OSError as e:
            raise BriefingError(f"cannot read font file: {e.strerror or e}", fonts.font_fix(), str(path)) from None
        stamp = f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}"
        digest = known.get(stamp)
        if digest is None:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            known[stamp], changed = digest, True
        out.append((path.name, st.st_size, digest))
    if changed:
        _atomic_write_text(store, json.dumps(known, sort_keys=True, indent=0))
    return tuple(out)


def _read_cached(path: Path) -> Figure | None:
    try:
        return Figure.from_json(json.loads(path.read_text("utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None  # absent or unreadable (e.g. written by an older version): draw again


def _write_cached(path: Path, figure: Figure) -> None:
    _atomic_write_text(path, json.dumps(figure.to_json(), ensure_ascii=False, separators=(",", ":")))


def _atomic_write_text(path: Path, text: str) -> None:
    """Temp file + os.replace, so two builds at once never see half a file. The cache only saves time:
    if it cannot be written the build goes on."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError:
        return
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass


# ---------------------------------------------------------------- glyphs and text metrics

def _where(chart: LChart) -> str:
    return f"chart {chart.id!r}" if chart.id else f"chart “{chart.title}”"


def _glyph_error(chart: LChart | None, ch: str, text: str) -> GlyphError:
    where = _where(chart) if chart is not None else "chart"
    return GlyphError(f"the chart font cannot draw {fonts.describe_char(ch)} in “{text}”",
                      "replace the character in the content file (or use a plain equivalent)", where)


def _chart_strings(chart: LChart) -> Iterable[tuple[str, bool]]:
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


def _check_glyphs(chart: LChart) -> None:
    for text, bold in _chart_strings(chart):
        missing = fonts.missing_chars(text, FAMILY, bold)
        if missing:
            raise _glyph_error(chart, missing[0], text)


_LANG: contextvars.ContextVar[str] = contextvars.ContextVar("chart_lang", default="zh")


def text_width(s: str, size: float, bold: bool = False, lang: str | None = None) -> float:
    """Width in points, with the advance widths ReportLab will use: per character, the face that sets it
    in the chart's language (English puts the Latin sans first)."""
    return fonts.line_width(s, FAMILY, bold, size, lang or _LANG.get())


_TOKEN = re.compile(r"[A-Za-z0-9+\-.,%/'’&]+|\s+|.", re.S)
_NO_LINE_START = set("，。、；：？！）》」』”’%…·,.;:!?)]")
_NO_LINE_END = set("（《「『“‘([")


def wrap(s: str, max_width: float, size: float, bold: bool = False, max_lines: int = 3) -> list[str]:
    """Break a label into lines no wider than `max_width`: between words in English, between characters
    in Chinese (never inside a Latin/digit run like "3+13+N", never a closing mark at a line start).
    Lines are balanced: the narrowest width giving the same number of lines is used, so a label never
    ends with one short word on its own line."""
    if text_width(s, size, bold) <= max_width:
        return [s]
    lines = _wrap_greedy(s, max_width, size, bold, max_lines)
    lo, hi = 0.0, max_width
    for _ in range(12):
        mid = (lo + hi) / 2
        if len(_wrap_greedy(s, mid, size, bold, max_lines + 1)) <= len(lines):
            hi = mid
        else:
            lo = mid
    return _wrap_greedy(s, hi, size, bold, max_lines)


def _wrap_greedy(s: str, max_width: float, size: float, bold: bool, max_lines: int) -> list[str]:
    lines: list[str] = []
    line = ""
    for tok in _TOKEN.findall(s):
        trial = line + tok
        if line.strip() and text_width(trial.rstrip(), size, bold) > max_width and not tok.isspace():
            carry = ""
            if tok[0] in _NO_LINE_START and len(line) > 1:
                line, carry = line[:-1], line[-1]
            while len(line) > 1 and line[-1] in _NO_LINE_END:
                line, carry = line[:-1], line[-1] + carry
            lines.append(line.rstrip())
            line = (carry + tok).lstrip()
        else:
            line = trial
    lines.append(line.strip())
    if len(lines) > max_lines:   # over the limit: the rest stays on the last line, however long
        lines = lines[: max_lines - 1] + [(" " if " " in s else "").join(lines[max_lines - 1:])]
    return [ln for ln in lines if ln]


# ---------------------------------------------------------------- drawing

def _draw(chart: LChart, width: float) -> Figure:
    """Draw with matplotlib into the recording renderer. The only place matplotlib is imported."""
    import matplotlib
    from matplotlib import font_manager

    _register_mpl_fonts(font_manager)
    rc = {
        "font.family": "Noto Sans SC", "font.size": LABEL_PT, "text.parse_math": False,
        "axes.unicode_minus": False, "path.simplify": False, "figure.dpi": 72, "savefig.dpi": 72,
        "axes.spines.top": False, "axes.spines.right": False, "axes.linewidth": 0.6,
        "axes.edgecolor": theme.GREY, "xtick.color": theme.GREY, "ytick.color": theme.GREY,
        "xtick.labelcolor": theme.GREY_DARK, "ytick.labelcolor": theme.GREY_DARK,
        "xtick.labelsize": TICK_PT, "ytick.labelsize": TICK_PT, "xtick.major.size": 0,
        "ytick.major.size": 0, "xtick.major.pad": 3, "ytick.major.pad": 3, "lines.solid_capstyle": "butt",
    }
    with matplotlib.rc_context(rc), warnings.catch_warnings():
        # matplotlib warns "Glyph … missing from font(s) …" and draws a box: make that a failure.
        warnings.filterwarnings("error", message=r".*Glyph .* missing from")
        try:
            return _DRAWERS[chart.kind](_Canvas(chart, width))
        except UserWarning as w:
            m = re.search(r"Glyph (\d+)", str(w))
            if m:
                raise _glyph_error(chart, chr(int(m.group(1))), chart.title) from None
            raise


@lru_cache(maxsize=None)
def _register_mpl_fonts(font_manager: Any) -> None:
    # matplotlib lays text out with the bundled face, so its sizes match what the PDF sets.
    for bold in (False, True):
        font_manager.fontManager.addfont(str(fonts.font_path(FAMILY, bold)))


@lru_cache(maxsize=None)
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
                raise _glyph_error(self.chart, missing[0], s)
            anchor = "left"
            if mtext is not None and angle == 0:
                # Keep the alignment matplotlib was asked for, so the PDF aligns on the anchor.
                ha = mtext.get_horizontalalignment()
                if ha in ("center", "right"):
                    w = text_width(s, size, bold)
                    x, anchor = (x + w / 2, "center") if ha == "center" else (x + w, "right")
            self.ops.append(TextOp(s, r(x), r(y), r(size), bold, r(angle), colour(gc.get_rgb())[0], anchor,
                                   _LANG.get()))

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
        from .localize import format_tick

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
    widths = [text_width(p.text, VALUE_PT, True) for _, pts in rows for p in pts]
    ref_vals = [reference.value] if reference else []
    # a label that would be crossed by the reference line starts past it: leave room for that
    fit_vals = [max(v, reference.value) if reference and 0 <= v < reference.value else v for v in values]
    lo, hi = _fit_range(fit_vals + ref_vals, widths + [0.0] * len(ref_vals), aw)
    ax.set_xlim(lo, hi)
    ax.set_ylim(plot_h, 0)   # y in points from the top of the plot
    for s in ("left", "bottom"):
        ax.spines[s].set_visible(False)
    ax.set_yticks([])
    _value_ticks(ax, "x", c, lo, hi)
    ax.axvline(0, color=theme.GREY, linewidth=0.8, zorder=3)

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
            ax.barh(yc, p.value, height=bar_h * (0.86 if per_row > 1 else 1), color=col, linewidth=0,
                    zorder=2)
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
        ax.axvline(reference.value, color=theme.INK, linewidth=0.8, dashes=(3, 2), zorder=4)
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
    for s in ("left", "bottom"):
        ax.spines[s].set_visible(False)
    ax.set_xticks([])
    _value_ticks(ax, "y", c, lo, hi, nbins=4)
    ax.axhline(0, color=theme.GREY, linewidth=0.8, zorder=3)
    for i, (p, lines) in enumerate(zip(pts, wrapped)):
        col = theme.RED
        if ch.reference is not None and p.value < ch.reference.value:
            col = theme.RED_LIGHT
        ax.bar(i + 0.5, p.value, width=0.56, color=col, linewidth=0, zorder=2)
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
        ax.axhline(ch.reference.value, color=theme.INK, linewidth=0.8, dashes=(3, 2), zorder=4)
        _, yr = c.to_points(ax, 0, ch.reference.value)
        c.text(W - right, yr + 3, f"{ch.reference.label} {ch.reference.text}".strip(), size=NOTE_PT,
               ha="right", va="baseline")
    if ch.unit:
        c.text(0, c.height - TICK_PT * ASCENT - 1, ch.unit, size=TICK_PT, color=theme.GREY_DARK,
               va="baseline")
    return c.finish()


def _line(c: _Canvas) -> Figure:
    """Lines over categories (months). Series told apart by colour, dash and marker; named at their
    ends instead of a legend; every point labelled above (the higher series) or below (the lower)."""
    ch, W = c.chart, c.width
    n_x = len(ch.categories)
    names_w = max((text_width(s, LABEL_PT) for s in ch.series), default=0.0)
    ticks_w = 26.0
    left, right = ticks_w + 6, names_w + 10
    bottom = LABEL_PT * 1.2 + 8
    top = TICK_PT * 1.2 + 8 if ch.unit else 6
    plot_h = min(150.0, max(100.0, W * 0.26))
    c.size(bottom + plot_h + top)
    aw = W - left - right
    ax = c.axes(left, bottom, aw, plot_h)
    vals = [p.value for row in ch.matrix for p in row]
    vmin, vmax = min(vals), max(vals)
    span = (vmax - vmin) or abs(vmax) or 1.0
    room = (VALUE_PT * 1.2 + PAD) / plot_h * span * 1.6   # label room above the top / below the bottom
    lo, hi = vmin - room, vmax + room
    if vmin >= 0 and lo < 0:
        lo = 0.0
    ax.set_ylim(lo, hi)
    ax.set_xlim(-0.3, n_x - 0.7)
    for s in ("left", "bottom"):
        ax.spines[s].set_visible(False)
    ax.set_xticks([])
    _value_ticks(ax, "y", c, lo, hi, nbins=4)
    styles = [(theme.RED, "-", "o"), (theme.GREY_DARK, (0, (4, 2)), "s"), (theme.GREY, (0, (1, 1.5)), "^"),
              (theme.RED_LIGHT, "-", "D")]
    for j, row in enumerate(ch.matrix):
        col, ls, mk = styles[j % len(styles)]
        ax.plot(range(len(row)), [p.value for p in row], color=col, linestyle=ls, linewidth=1.6,
                marker=mk, markersize=4, markeredgewidth=0, zorder=3, clip_on=False)
    for k, cat in enumerate(ch.categories):
        xp, _ = c.to_points(ax, k, 0)
        c.text(xp, bottom - 5, cat, size=LABEL_PT, ha="center", va="top")
        column = sorted(((row[k].value, j) for j, row in enumerate(ch.matrix) if k < len(row)), reverse=True)
        for rank, (v, j) in enumerate(column):
            p = ch.matrix[j][k]
            _, yp = c.to_points(ax, k, v)
            below = rank == len(column) - 1 and len(column) > 1
            c.text(xp, yp + (-PAD - 1 if below else PAD + 1), p.text, size=TICK_PT, bold=j == 0,
                   color=theme.INK if j == 0 else theme.GREY_DARK, ha="center",
                   va="top" if below else "baseline")
    # series names at the line ends, pushed apart when the ends are close
    ends = sorted(((c.to_points(ax, len(row) - 1, row[-1].value)[1], j) for j, row in enumerate(ch.matrix)
                   if row), reverse=True)
    placed: list[float] = []
    for y, j in ends:
        if placed and placed[-1] - y < LABEL_PT * 1.3:
            y = placed[-1] - LABEL_PT * 1.3
        placed.append(y)
        if j < len(ch.series):
            c.text(left + aw + 8, y, ch.series[j], size=LABEL_PT, color=styles[j % len(styles)][0],
                   bold=j == 0)
    if ch.unit:
        c.text(0, c.height - TICK_PT * ASCENT - 1, ch.unit, size=TICK_PT, color=theme.GREY_DARK,
               va="baseline")
    return c.finish()


def _donut(c: _Canvas) -> Figure:
    """A ring of parts with the centre text in the hole and a legend (name and value) beside it."""
    ch, W = c.chart, c.width
    pts = ch.points
    d = min(104.0, W * 0.36)
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
    ax.pie([max(p.value, 0.0) for p in pts], colors=colours, startangle=90, counterclock=False,
           wedgeprops={"width": 0.3, "edgecolor": "white", "linewidth": 1.2})
    ax.set_xlim(-1, 1)
    ax.set_ylim(-1, 1)
    ax.set_aspect("equal")
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
    pct_texts = [p.share_text or (c.tick(round(100 * p.value / p.target, 1), "percent") if p.target else "")
                 for p in pts]
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


_DRAWERS: dict[str, Callable[[_Canvas], Figure]] = {
    "hbar": _hbar, "bar": _bar, "grouped": _grouped, "line": _line, "donut": _donut, "progress": _progress,
}
