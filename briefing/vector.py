"""Replaying a chart `Figure` (plain data from the charts stage) on a ReportLab canvas: paths as PDF paths,
text as real text in the document's embedded sans face. No raster images, no matplotlib, no model."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reportlab.lib.colors import HexColor
from reportlab.platypus import Flowable

from . import fonts, tagging, theme
from .figure import Figure, PathOp, TextOp
from .fonts import Lang  # model.Lang; render and vector never import the model itself

FAMILY = theme.CHART_FAMILY


class FigureFlowable(Flowable):
    """A chart drawn at its own size (the column width it was drawn for). Given a function instead of a
    figure, it calls it the first time its size is needed: a chart still being drawn in the worker is
    waited for only when the page layout reaches it."""

    tag: tagging.Node | None = None     # the Figure element (tagged PDF): its /Alt is the chart in words

    def __init__(self, figure: Figure | Callable[[], Figure], h_align: str = "CENTER") -> None:
        super().__init__()
        self._figure = figure
        self.hAlign = h_align

    @property
    def figure(self) -> Figure:
        if not isinstance(self._figure, Figure):
            self._figure = self._figure()
        return self._figure

    @property
    def alt(self) -> str:
        """The chart in words, for the PDF's /Alt."""
        return self.figure.alt

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width, self.height = self.figure.width, self.figure.height
        return self.width, self.height

    def draw(self) -> None:
        canv = self.canv
        if tagging.sketching(canv):
            return
        tg = tagging.tagger(canv)
        if tg is None:
            draw_figure(canv, self.figure)
            return
        if self.tag is None:
            tg.begin_artifact()
            draw_figure(canv, self.figure)
            tg.end_artifact()
            return
        node = self.tag
        node.alt = self.alt
        (x0, y0), (x1, y1) = canv.absolutePosition(0, 0), canv.absolutePosition(self.width, self.height)
        node.attrs = {"O": "Layout", "BBox": [round(min(x0, x1), 2), round(min(y0, y1), 2),
                                              round(max(x0, x1), 2), round(max(y0, y1), 2)]}
        tg.begin(node)
        draw_figure(canv, self.figure)
        canv._code.append(tagging.EMC)


def draw_figure(canv: Any, figure: Figure, x: float = 0.0, y: float = 0.0) -> None:
    """Draw `figure` with its bottom-left corner at (x, y)."""
    canv.saveState()
    canv.translate(x, y)
    state = _State(canv)
    for op in figure.ops:
        if isinstance(op, PathOp):
            _path(canv, state, op)
        else:
            _text(canv, state, op)
    canv.restoreState()


class _State:
    """Skips setting what is already set: keeps each chart's content stream to a few KB."""

    def __init__(self, canv: Any) -> None:
        self.canv = canv
        self.fill: str | None = None
        self.stroke: str | None = None
        self.width: float | None = None
        self.dash: tuple[float, ...] | None = None
        self.cap: int | None = None
        self.join: int | None = None
        self.font: tuple[str, float] | None = None
        self.alpha: float = 1.0

    def set_fill(self, colour: str) -> None:
        if colour != self.fill:
            self.canv.setFillColor(HexColor(colour))
            self.fill = colour

    def set_stroke(self, op: PathOp) -> None:
        c = self.canv
        if op.stroke != self.stroke:
            c.setStrokeColor(HexColor(op.stroke))
            self.stroke = op.stroke
        if op.width != self.width:
            c.setLineWidth(op.width)
            self.width = op.width
        if op.dash != self.dash:
            c.setDash(list(op.dash) if op.dash else [], 0)
            self.dash = op.dash
        cap = _CAPS.get(op.cap, 0)
        if cap != self.cap:
            c.setLineCap(cap)
            self.cap = cap
        join = _JOINS.get(op.join, 0)
        if join != self.join:
            c.setLineJoin(join)
            self.join = join

    def set_alpha(self, alpha: float) -> None:
        if alpha != self.alpha:
            self.canv.setFillAlpha(alpha)
            self.canv.setStrokeAlpha(alpha)
            self.alpha = alpha

    def set_font(self, name: str, size: float) -> None:
        if (name, size) != self.font:
            self.canv.setFont(name, size)
            self.font = (name, size)


_CAPS = {"butt": 0, "round": 1, "projecting": 2}
_JOINS = {"miter": 0, "round": 1, "bevel": 2}


def _path(canv: Any, state: _State, op: PathOp) -> None:
    p = canv.beginPath()
    for seg in op.segments:
        kind = seg[0]
        if kind == "M":
            p.moveTo(seg[1], seg[2])
        elif kind == "L":
            p.lineTo(seg[1], seg[2])
        elif kind == "C":
            p.curveTo(*seg[1:7])
        elif kind == "Z":
            p.close()
    state.set_alpha(op.alpha)
    if op.fill:
        state.set_fill(op.fill)
    if op.stroke:
        state.set_stroke(op)
    canv.drawPath(p, stroke=1 if op.stroke else 0, fill=1 if op.fill else 0)


def _text(canv: Any, state: _State, op: TextOp) -> None:
    state.set_alpha(1.0)
    state.set_fill(op.color)
    x, y = op.x, op.y
    if op.angle:
        canv.saveState()
        canv.translate(x, y)
        canv.rotate(op.angle)
        x = y = 0.0
    draw_string(canv, x, y, op.text, FAMILY, op.bold, op.size, op.lang, op.anchor, state.set_font)
    if op.angle:
        canv.restoreState()
        # restoreState brings back the font and colours of before; forget what we think is set
        state.font = None
        state.fill = None


def draw_string(canv: Any, x: float, y: float, text: str, family: str, bold: bool, size: float, lang: Lang,
                anchor: str = "left", set_font: Any = None) -> None:
    """One line of text placed from its anchor ("left", "center", "right") on the baseline: cut into face
    runs (English: Latin face first, the CJK face for the rest), with Chinese ¼ em CJK–Latin gaps."""
    x -= {"center": 0.5, "right": 1.0}.get(anchor, 0.0) * fonts.line_width(text, family, bold, size, lang)
    run, run_face, run_x, prev = "", family, x, ""   # run_face is set with the first character
    for ch in text:
        face = fonts.face_of(ch, family, lang)
        gap = fonts.gap_before(prev, ch, lang) * size
        if run and (face != run_face or gap):
            (set_font or canv.setFont)(fonts.font_name(run_face, bold), size)
            canv.drawString(run_x, y, run)
            run = ""
        if not run:
            run_face, run_x = face, x + gap
        run += ch
        x += gap + fonts.advance(ch, face, bold, size)
        prev = ch
    if run:
        (set_font or canv.setFont)(fonts.font_name(run_face, bold), size)
        canv.drawString(run_x, y, run)


# What a shortened line ends with, and what may not stand before it: a cut never leaves a dangling
# separator, comma, colon or opening bracket in front of the ellipsis.
ELLIPSIS = {"zh": "……", "en": "…"}
_DANGLING = " \u3000·,;:-–—，、；：（《“‘([{/"


def fit_string(text: str, width: float, family: str, bold: bool, size: float, lang: Lang) -> str:
    """`text` as it fits on one line `width` pt wide: whole when it fits, else cut at the end and closed
    with an ellipsis (English at a word space, Chinese between any two characters, as Chinese lines
    break), never leaving a separator or an opening mark before the ellipsis. For the running header:
    `masthead · title` keeps the masthead and as much of the title as fits."""
    if fonts.line_width(text, family, bold, size, lang) <= width:
        return text
    dots = ELLIPSIS[lang]
    if lang == "en":
        cuts = [k for k in range(len(text)) if text[k] == " "] or list(range(len(text)))
    else:
        cuts = list(range(1, len(text)))
    for k in reversed(cuts):
        head = text[:k].rstrip(_DANGLING)
        if head and fonts.line_width(head + dots, family, bold, size, lang) <= width:
            return head + dots
    return ""
