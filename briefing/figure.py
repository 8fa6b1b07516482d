"""A drawn chart as plain data: paths and one-line text runs in points, plus its alt text.

This is what the charts stage hands to `compose` (which only places it) and what the chart cache stores.
It imports nothing of matplotlib, ReportLab or the content model, so the renderer never reaches the
model through it. `Figure.from_json` accepts only what `Figure.to_json` writes: a damaged or foreign
cache payload is a `ValueError`, never a wrong drawing.
"""
from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass
from typing import Any

from .fonts import Lang  # model.Lang (figure never imports the model itself)

INK = "#1A1A1A"
CAPS = ("butt", "round", "projecting")
JOINS = ("miter", "round", "bevel")
ANCHORS = ("left", "center", "right")
LANGS = ("zh", "en")
MAX_OPS = 50_000          # a chart of the largest allowed size draws a few thousand
MAX_SEGMENTS = 100_000
MAX_SIDE = 10_000.0       # points; a chart is at most a page
_HEX = re.compile(r"#[0-9A-Fa-f]{6}\Z")
_ARITY = {"M": 2, "L": 2, "C": 6, "Z": 0}


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
    color: str = INK
    anchor: str = "left"   # left | center | right
    lang: Lang = "zh"      # the document language: English sets Latin in the Latin sans face first


Op = PathOp | TextOp


@dataclass(frozen=True)
class Figure:
    """A chart drawn `width` × `height` points. `alt` describes it in words (kind, title, every label with
    its value as printed), in the document's language; it is not part of the drawing (equality, cache entry)."""

    width: float
    height: float
    ops: tuple[Op, ...]
    alt: str = dataclasses.field(default="", compare=False)

    def texts(self) -> list[TextOp]:
        return [op for op in self.ops if isinstance(op, TextOp)]

    def to_json(self) -> dict[str, Any]:
        """The drawing (not the alt text) as JSON-ready data."""
        return {"width": self.width, "height": self.height,
                "ops": [{"t": "text" if isinstance(op, TextOp) else "path", **dataclasses.asdict(op)}
                        for op in self.ops]}

    @classmethod
    def from_json(cls, data: Any) -> Figure:
        """The inverse of `to_json`; raises ValueError on anything else (shape, types, ranges)."""
        d = _obj(data, {"width", "height", "ops"}, "figure")
        width, height = _num(d["width"], "width"), _num(d["height"], "height")
        if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
            raise ValueError("figure size out of range")
        raw_ops = d["ops"]
        if not isinstance(raw_ops, list) or not raw_ops or len(raw_ops) > MAX_OPS:
            raise ValueError("ops must be a non-empty list")
        budget = [MAX_SEGMENTS]
        return cls(width, height, tuple(_op(o, budget) for o in raw_ops))


# ---------------------------------------------------------------- strict reading

_TEXT_KEYS = {f.name for f in dataclasses.fields(TextOp)} | {"t"}
_PATH_KEYS = {f.name for f in dataclasses.fields(PathOp)} | {"t"}


def _obj(x: Any, keys: set[str], what: str) -> dict[str, Any]:
    if not isinstance(x, dict) or set(x) != keys:
        raise ValueError(f"{what}: wrong shape")
    return x


def _num(x: Any, what: str) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
        raise ValueError(f"{what}: not a finite number")
    return float(x)


def _colour(x: Any, what: str, optional: bool = False) -> str | None:
    if x is None and optional:
        return None
    if not isinstance(x, str) or not _HEX.match(x):
        raise ValueError(f"{what}: not a colour")
    return x


def _choice(x: Any, allowed: tuple[str, ...], what: str) -> str:
    if x not in allowed:
        raise ValueError(f"{what}: unexpected value")
    return x


def _op(raw: Any, budget: list[int]) -> Op:
    kind = raw.get("t") if isinstance(raw, dict) else None
    if kind == "text":
        d = _obj(raw, _TEXT_KEYS, "text op")
        if not isinstance(d["text"], str) or not d["text"] or not isinstance(d["bold"], bool):
            raise ValueError("text op: wrong type")
        size = _num(d["size"], "size")
        if not 0 < size <= 200:
            raise ValueError("text op: size out of range")
        return TextOp(d["text"], _num(d["x"], "x"), _num(d["y"], "y"), size, d["bold"], _num(d["angle"], "angle"),
                      _colour(d["color"], "color"), _choice(d["anchor"], ANCHORS, "anchor"),
                      _choice(d["lang"], LANGS, "lang"))
    if kind == "path":
        d = _obj(raw, _PATH_KEYS, "path op")
        segs = d["segments"]
        if not isinstance(segs, list) or not segs:
            raise ValueError("path op: no segments")
        budget[0] -= len(segs)
        if budget[0] < 0:
            raise ValueError("too many path segments")
        out = []
        for s in segs:
            if not isinstance(s, list) or not s or s[0] not in _ARITY or len(s) != 1 + _ARITY[s[0]]:
                raise ValueError("path op: bad segment")
            out.append((s[0], *(_num(v, "segment") for v in s[1:])))
        dash = d["dash"]
        if not isinstance(dash, list) or len(dash) > 16:
            raise ValueError("path op: bad dash")
        fill, stroke = _colour(d["fill"], "fill", True), _colour(d["stroke"], "stroke", True)
        if fill is None and stroke is None:
            raise ValueError("path op: neither filled nor stroked")
        alpha = _num(d["alpha"], "alpha")
        width = _num(d["width"], "width")
        if not (0 <= alpha <= 1 and 0 <= width <= 100):
            raise ValueError("path op: alpha or width out of range")
        return PathOp(tuple(out), fill, stroke, width, tuple(_num(v, "dash") for v in dash), alpha,
                      _choice(d["cap"], CAPS, "cap"), _choice(d["join"], JOINS, "join"))
    raise ValueError("op: unknown kind")
