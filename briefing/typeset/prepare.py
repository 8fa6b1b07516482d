"""Preparing a paragraph for line breaking (the stage before `breaker`): runs → characters, each with its
face and advance, and the joints between them with glue (natural width, stretch, shrink), whether a line may
break there, a penalty, and the width a break adds at the end of a line (a drawn hyphen, or the blank half a
compressed mark gets back); prefix sums, so that any line's natural width, stretch and shrink cost O(1).

Model. A paragraph is a sequence of characters c[0..n-1]. Joint k sits before c[k] (1 ≤ k < n). The glue,
penalties and classification follow docs/typesetting.md (rules cited by number).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate
from operator import add
from typing import NamedTuple

from .. import fonts
from ..errors import GlyphError
from ..model import Lang
from .hyphen import hyphen_points
from .metrics import ink_bounds
from .punct import ASCII_PUNCT, LATIN_QUOTE_TRIM, NO_END, NO_START, POSITION, Pos
from .style import ParaStyle, Run

# Glue, in em of the larger neighbouring size.
HAN_STRETCH = 0.15       # inter-character stretch (Chinese justifies by equal inter-character spacing)
HAN_SHRINK = 0.02        # "tiny" shrink: lets a line take one more mark rather than stretch a lot
CJK_LATIN = (0.25, 1 / 12, 1 / 8)   # ¼ em, stretch to ⅓ em, shrink to ⅛ em (docs/typesetting.md rule 6)
SPACE_STRETCH, SPACE_SHRINK = 0.6, 0.35   # of the font's space width (English word spaces)

# A drawn hyphen costs as much as a line stretched to ratio 1.24 (TeX's plain default of 50 hyphenated one
# English line in six in the sample; 200 about one in twelve); a break after a hyphen the author typed
# costs less.
HYPHEN_PENALTY = 200
EXPLICIT_HYPHEN_PENALTY = 50
URL_PENALTY = 100

EPS = 1e-6

# Glue kinds (for capping CJK–Latin spacing at ⅓ em when a line is very loose)
G_NONE, G_CJK, G_CJK_LATIN, G_SPACE = 0, 1, 2, 3

# Numbers with their units stay together (rule 3). The optional spaces are ones the author typed (53.87 亿元).
_UNITS = sorted(
    "个百分点 百分点 平方公里 平方米 千瓦时 千瓦 公斤 公里 公顷 美元 欧元 港元 人民币 "
    "元 人次 人 个 户 家 台 套 吨 辆 次 亩 名 笔 场 所 种 位 项 件 座 倍 岁 年 月 日 号 "
    "天 小时 分钟 秒 米 斤 度 期 批 条 处 栋 间 张 篇 届 例 款 家次 余 多".split(),
    key=len, reverse=True)
_NUM = r"[0-9０-９]+(?:[.,:/][0-9０-９]+)*"
_NUMBER_UNIT = re.compile(
    rf"(?:第 ?)?{_NUM}(?: ?[%‰％℃])?(?: ?[万亿千百]+)?(?: ?(?:{'|'.join(map(re.escape, _UNITS))}))?")
_STRIP = dict.fromkeys(map(ord, "\u200b\u2060\u00ad\ufeff\r"), None)
_WS = " \t\n\u00a0"


class Glyph(NamedTuple):
    """One drawn character: `x` is the pen position (pt from the paragraph box's left edge)."""

    ch: str
    x: float
    advance: float   # the font's advance, pt
    font: str
    size: float
    color: str


class Line(NamedTuple):
    # The drawn characters are kept as parallel sequences rather than one object each: a briefing sets tens
    # of thousands, and every extra object makes the garbage collector's passes over the (large, font-laden)
    # heap more frequent. `glyphs` gives them as Glyph objects. (A NamedTuple, not a frozen dataclass: a
    # fifth of the cost to make, and its class is made in a tenth of the time at import.)
    text: str                    # characters drawn, in order (word spaces and an added hyphen included)
    xs: tuple[float, ...]        # pen position of each (pt from the paragraph box's left edge)
    advances: tuple[float, ...]  # the advance of each as drawn (the font's, times its horizontal scale), pt
    faces: tuple[_Face, ...]     # font, size and colour of each
    x0: float                    # left edge of the line (indents included)
    measure: float               # width available to the line
    natural_width: float         # width with all glue at its natural size
    width: float                 # set width (justified lines: == measure)
    ratio: float                 # glue ratio used (>0 stretched, <0 shrunk)
    last: bool                   # ends the paragraph
    hyphenated: bool             # a hyphen was added at the break
    start: int                   # index of the first character in the prepared paragraph
    end: int                     # index after the last character
    unavoidable: bool = False    # looser than the breaker's normal tolerance: no better break existed
    max_size: float = 0.0        # the largest font size on the line
    hscale: tuple[tuple[int, float], ...] = ()   # (index in text, horizontal scale) of scaled glyphs
    links: tuple[tuple[float, float, str], ...] = ()   # (x from, x to, address) of the web links on the line

    @property
    def glyphs(self) -> tuple[Glyph, ...]:
        return tuple(Glyph(ch, x, a, f.font, f.size, f.color)
                     for ch, x, a, f in zip(self.text, self.xs, self.advances, self.faces))

    @property
    def right(self) -> float:
        return self.x0 + self.width


@dataclass
class _Face:
    font: str
    size: float
    color: str
    widths: dict[int, float | None]   # fonts.widths: None where the face has no glyph

    def adv(self, ch: str) -> float:
        w = self.widths[ord(ch)]
        return (1000.0 if w is None else w) * self.size / 1000.0


@dataclass
class Prepared:
    """A paragraph reduced to characters and joints (see the module docstring)."""

    style: ParaStyle
    runs: tuple[Run, ...]
    faces: list[_Face]
    chars: list[str] = field(default_factory=list)
    run_of: list[int] = field(default_factory=list)
    face_of: list[int] = field(default_factory=list)   # index into faces (English: Latin face first)
    cls: list[str] = field(default_factory=list)
    adv: list[float] = field(default_factory=list)
    cw: list[float] = field(default_factory=list)      # box width after compression/trims
    tl: list[float] = field(default_factory=list)      # left trim: glyph drawn this much left of its box
    hscale: dict[int, float] = field(default_factory=dict)   # char -> horizontal scale it is drawn at
    # joints, index k = before char k (0 and n unused for glue)
    space: list[int] = field(default_factory=list)     # 0 none, 1 breakable space, 2 no-break space
    kind: list[int] = field(default_factory=list)
    gw: list[float] = field(default_factory=list)
    gst: list[float] = field(default_factory=list)
    gsh: list[float] = field(default_factory=list)
    brk: list[bool] = field(default_factory=list)
    pen: list[float] = field(default_factory=list)
    flag: list[bool] = field(default_factory=list)
    brk_w: list[float] = field(default_factory=list)
    hang: list[float] = field(default_factory=list)    # blank half a line-end mark may hang past the edge
    lead: list[float] = field(default_factory=list)    # blank half a line-start opening mark drops
    pair: set[int] = field(default_factory=set)        # joints inside a compressed pair of marks
    hyph: list[bool] = field(default_factory=list)
    P: list[float] = field(default_factory=list)
    ST: list[float] = field(default_factory=list)
    SH: list[float] = field(default_factory=list)
    han: list[int] = field(default_factory=list)       # prefix count of Han characters
    spaces: list[int] = field(default_factory=list)    # prefix count of word spaces
    url: set[int] = field(default_factory=set)         # characters inside URLs (never a drawn hyphen there)
    late_hyph: set[int] = field(default_factory=set)   # hyphenation points of capitalised words (last resort)
    fig: list[int] = field(default_factory=list)       # per char: the figure it belongs to (0: none)
    links: list[tuple[int, int, str]] = field(default_factory=list)   # (start, end, address) of web links
    # extra break joints for the last-resort passes, per (measure, everywhere)
    emergency: dict[tuple[float, bool], set[int]] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.chars)

    def text_from(self, start: int) -> list[Run]:
        """The runs of the text from character `start` on (for the continuation of a split)."""
        out: list[Run] = []
        buf: list[str] = []
        cur = None
        for k in range(start, self.n):
            r = self.run_of[k]
            if r != cur and buf:
                out.append(_with_text(self.runs[cur], "".join(buf)))
                buf = []
            cur = r
            if k > start and self.space[k]:
                buf.append(" " if self.space[k] == 1 else "\u00a0")
            buf.append(self.chars[k])
        if buf:
            out.append(_with_text(self.runs[cur], "".join(buf)))
        return out


def _with_text(run: Run, text: str) -> Run:
    return Run(text, run.bold, run.size, run.color, run.family, run.figure)


# ---------------------------------------------------------------------------------------------- glyphs

def check_glyphs(runs: Sequence[Run], style: ParaStyle, origin: str = "") -> None:
    """Raise GlyphError for the first character the run's face cannot draw (never draw a silent box)."""
    for run in runs:
        family = run.family or style.family
        text = run.text.translate(_STRIP)
        missing = fonts.missing_chars(text, family, run.bold)
        if missing:
            raise _glyph_error(missing[0], origin)
    if style.bullet:
        missing = fonts.missing_chars(style.bullet, style.family, False)
        if missing:
            raise _glyph_error(missing[0], origin)


def _glyph_error(ch: str, origin: str) -> GlyphError:
    return GlyphError(f"character {fonts.describe_char(ch)} is in no bundled font", "replace or remove it",
                      origin or None)


# --------------------------------------------------------------------------------------- classification

@lru_cache(maxsize=8192)
def char_class(ch: str, lang: Lang) -> str:
    """H: CJK ideograph-like box; P: CJK punctuation; L: letter; D: digit; S: other symbol."""
    if ch in POSITION:
        # In English, curly quotes, dashes, ellipsis and the middle dot are Latin punctuation.
        if lang == "en" and (ch in LATIN_QUOTE_TRIM or ch in "—…·"):
            return "S"
        return "P"
    cat = unicodedata.category(ch)
    if unicodedata.east_asian_width(ch) in "WF":
        return "P" if cat[0] == "P" else "H"
    if cat[0] == "L":
        return "L"
    if cat == "Nd":
        return "D"
    return "S"


def _latin_spaced(ch: str, cls: str) -> bool:
    """Does this non-CJK character take ¼ em next to a Han character?"""
    return cls in "LD" or (cls == "S" and ch not in ASCII_PUNCT and ch not in _UNSPACED and not ch.isspace())


# symbols that join what is on either side rather than standing as Latin text: no gap next to Han
# (`元/人`, `公斤/亩`, `#制造业`)
_UNSPACED = frozenset("/\\#")




# ------------------------------------------------------------------------------------------- preparing

def prepare(runs: Sequence[Run], style: ParaStyle, origin: str = "") -> Prepared:
    runs = tuple(runs)
    check_glyphs(runs, style, origin)
    p = Prepared(style, runs, [])
    toks = _tokens(runs)
    s = "".join(ch for ch, _ in toks)
    nobreak = bytearray(len(s) + 1)
    for m in _NUMBER_UNIT.finditer(s):
        for k in range(m.start() + 1, m.end()):
            nobreak[k] = 1
    # inside a figure run no joint breaks but a plain word space ("0.9 percentage | points")
    for k in range(1, len(toks)):
        (a, ra), (b, rb) = toks[k - 1], toks[k]
        if ra == rb and runs[ra].figure and a != " " and b != " ":
            nobreak[k] = 1
    # a range is one figure: no break on either side of the dash between two figures (`5%—6%`,
    # `5–6%`, `2019～2024年`), whether the figures come from placeholders or are typed
    for k in range(1, len(toks) - 1):
        if toks[k][0] in RANGE_DASHES and _figure_end(toks[k - 1], runs) and _figure_end(toks[k + 1], runs):
            nobreak[k] = nobreak[k + 1] = 1
    _fill_chars(p, toks, nobreak)
    _fill_figures(p)
    _fill_widths(p)
    _fill_joints(p)
    _fill_prefix(p)
    return p


RANGE_DASHES = frozenset("—–～~")


def _figure_end(tok: tuple[str, int], runs: tuple[Run, ...]) -> bool:
    """The character beside a range's dash belongs to a figure: a placeholder's run, or a digit."""
    ch, r = tok
    return runs[r].figure or ch.isdigit()


def _tokens(runs: tuple[Run, ...]) -> list[tuple[str, int]]:
    """(char, run index) with whitespace collapsed to one ' ' (or NBSP) and trimmed at both ends."""
    toks: list[tuple[str, int]] = []
    pending: str | None = None
    for ri, run in enumerate(runs):
        for ch in run.text.translate(_STRIP):
            if ch in _WS:
                if toks and pending != "\u00a0":
                    pending = "\u00a0" if ch == "\u00a0" else " "
                continue
            if pending:
                toks.append((pending, ri))
                pending = None
            toks.append((ch, ri))
    return toks


def _fill_chars(p: Prepared, toks: list[tuple[str, int]], nobreak: bytearray) -> None:
    lang = p.style.lang
    zh = lang == "zh"
    sp, nb = 0, 0
    nb_flags: list[int] = []
    faces: dict[tuple[int, str], int] = {}     # (run, char) -> face index: one font look-up per distinct pair
    chars, cls_of, space, run_of, face_of = p.chars, p.cls, p.space, p.run_of, p.face_of
    for idx, (ch, ri) in enumerate(toks):
        if ch == " " or ch == "\u00a0":
            sp = 1 if ch == " " else 2
            nb = nobreak[idx] or nobreak[idx + 1]
            continue
        cls = char_class(ch, lang)
        if sp and zh and chars and (cls in "HP" or cls_of[-1] in "HP"):
            sp = 0     # a space typed next to Chinese is replaced by the CJK spacing below
        space.append(sp if chars else 0)
        chars.append(ch)
        run_of.append(ri)
        fi = faces.get((ri, ch))
        if fi is None:
            fi = faces[(ri, ch)] = _face_index(p, ri, ch)
        face_of.append(fi)
        cls_of.append(cls)
        nb_flags.append(1 if (nb or nobreak[idx]) else 0)
        sp, nb = 0, 0
    p._nb = nb_flags  # type: ignore[attr-defined]


def _fill_figures(p: Prepared) -> None:
    """Which figure each character belongs to: a run marked `figure` (from a placeholder), or, in any text,
    digits bound by no-break spaces to words (`CNY 362.2 billion`, `30 July`: our own formatting, also in
    chart labels that come as plain strings). A figure is never hyphenated, and the last-resort breaks of
    an over-wide piece never fall inside it but at a no-break space (_emergency_breaks)."""
    n = p.n
    fig = [0] * n
    for k in range(n):
        if p.runs[p.run_of[k]].figure:
            fig[k] = p.run_of[k] + 1
    k = 0
    while k < n:                       # groups of characters joined by no-break spaces or nothing
        start = k
        k += 1
        while k < n and p.space[k] != 1:
            k += 1
        if any(p.space[j] == 2 for j in range(start + 1, k)) and any(c.isdigit() for c in p.chars[start:k]):
            for j in range(start, k):
                fig[j] = fig[j] or n + 1 + start
    p.fig = fig


def _face_index(p: Prepared, ri: int, ch: str) -> int:
    """The face for one character: the run's family, or in English the Latin face when it has the glyph
    (fonts.face_of, docs/typesetting.md rule 11)."""
    run, style = p.runs[ri], p.style
    family = run.family or style.family
    face = fonts.face_of(ch, family, style.lang)
    key = (face, run.bold, run.size or style.size, run.color or style.color)
    cache = p.__dict__.setdefault("_face_keys", {})
    if key not in cache:
        cache[key] = len(p.faces)
        p.faces.append(_Face(fonts.font_name(face, run.bold), key[2], key[3], fonts.widths(face, run.bold)))
    return cache[key]


class _Advances(dict):
    """(face index, character) -> advance in pt, each computed once."""

    def __init__(self, faces: list[_Face]) -> None:
        super().__init__()
        self.faces = faces

    def __missing__(self, key: tuple[int, str]) -> float:
        v = self[key] = self.faces[key[0]].adv(key[1])
        return v


def _fill_widths(p: Prepared) -> None:
    lang = p.style.lang
    n = p.n
    chars, cls, face_of = p.chars, p.cls, p.face_of
    size_of = [f.size for f in p.faces]
    adv = list(map(_Advances(p.faces).__getitem__, zip(face_of, chars)))
    tl = [0.0] * n
    tr = [0.0] * n
    p.brk_w = [0.0] * (n + 1)
    if lang == "en":
        for k in [k for k, ch in enumerate(chars) if ch in LATIN_QUOTE_TRIM]:
            size = size_of[face_of[k]]
            if abs(adv[k] - size) < EPS:
                tl[k], tr[k] = (t * size for t in LATIN_QUOTE_TRIM[chars[k]])
    marks = [k for k, c in enumerate(cls) if c == "P"]     # only CJK punctuation takes part below
    # Punctuation compression (rule 5): of two adjacent full-width marks, one loses its blank half.
    for k in marks:
        if k == 0 or cls[k - 1] != "P" or p.space[k]:
            continue
        a, b = chars[k - 1], chars[k]
        pa, pb = POSITION.get(a), POSITION.get(b)
        if pa is None or pb is None or pa in (Pos.CENTER, Pos.FULL) or pb in (Pos.CENTER, Pos.FULL):
            continue
        sa, sb = size_of[face_of[k - 1]], size_of[face_of[k]]
        if abs(adv[k - 1] - sa) > EPS or abs(adv[k] - sb) > EPS:
            continue    # not a full-width glyph in this face
        if pa is Pos.LEFT and tr[k - 1] == 0:
            tr[k - 1] = sa / 2
            p.brk_w[k] += sa / 2     # a break between them gives the blank half back
            p.pair.add(k)
        elif pb is Pos.RIGHT and tl[k] == 0:
            tl[k] = sb / 2
            p.pair.add(k)
    # Rule 5, second half: a full-width mark with its ink in the left half may give up its blank right half
    # at a line end (it hangs past the edge, its ink ends at the edge). The breaker uses it when that sets
    # the line closer to its natural spacing. (A compressed mark has its half given back above first.)
    p.hang = [0.0] * (n + 1)
    for m in marks:
        if m + 1 >= n:
            continue
        size = size_of[face_of[m]]
        if POSITION.get(chars[m]) is Pos.LEFT and abs(adv[m] - size) < EPS:
            p.hang[m + 1] = size / 2
    # An opening mark (ink in the right half) starting a line is set half-width, its blank left half
    # dropped (clreq §3.1.6), so the line does not look indented by half an em. Chinese only: in English
    # the curly quotes are Latin punctuation, already trimmed.
    p.lead = [0.0] * n
    if lang == "zh":
        for k in marks:
            size = size_of[face_of[k]]
            if POSITION.get(chars[k]) is Pos.RIGHT and tl[k] == 0 and abs(adv[k] - size) < EPS:
                p.lead[k] = size / 2
    p.adv, p.tl = adv, tl
    p.cw = [a - left - right for a, left, right in zip(adv, tl, tr)]
    if lang == "zh":
        _fill_dash_runs(p)


def _fill_dash_runs(p: Prepared) -> None:
    """A 破折号 (two or more U+2014 in Chinese) is one continuous line 1 em per dash. Noto SC's dash is
    0.89 em wide with side bearings, so two side by side read as two short dashes with a gap. Each dash
    gets a 1 em box and is drawn horizontally scaled, the second overlapping the first's right bearing,
    so the ink runs unbroken and the first and last glyph boxes end exactly at the run's edges. The text
    stays one U+2014 per dash (extraction gives back "——")."""
    n, chars = p.n, p.chars
    k = 0
    while k < n:
        if chars[k] != "—" or p.cls[k] != "P":
            k += 1
            continue
        j = k + 1
        while j < n and chars[j] == "—" and p.face_of[j] == p.face_of[k] and not p.space[j]:
            j += 1
        face = p.faces[p.face_of[k]]
        ink = ink_bounds(face.font, "—") if j - k >= 2 else None
        adv_em = p.adv[k] / face.size
        if ink is not None and (ink[0] > EPS or ink[2] < adv_em - EPS):
            count, ink_len = j - k, ink[2] - ink[0]
            # the first glyph starts at the run's left edge, each next one where the previous one's ink
            # ends, and the last glyph's advance ends at the run's right edge: count em in all
            scale = count / ((count - 1) * ink_len + adv_em)
            for i in range(count):
                m = k + i
                p.hscale[m] = scale
                p.adv[m] = adv_em * scale * face.size
                p.tl[m] = i * face.size * (1.0 - ink_len * scale)
                p.cw[m] = face.size
        k = j


def _fill_joints(p: Prepared) -> None:
    n, chars, cls = p.n, p.chars, p.cls
    nb = p._nb  # type: ignore[attr-defined]
    kind = p.kind = [G_NONE] * (n + 1)
    gw = p.gw = [0.0] * (n + 1)
    gst = p.gst = [0.0] * (n + 1)
    gsh = p.gsh = [0.0] * (n + 1)
    brk = p.brk = [False] * (n + 1)
    pen = p.pen = [0.0] * (n + 1)
    flag = p.flag = [False] * (n + 1)
    p.hyph = [False] * (n + 1)
    p.space.append(0)
    space, pair, hscale, faces, face_of = p.space, p.pair, p.hscale, p.faces, p.face_of
    size_of = [f.size for f in faces]
    cl_w, cl_st, cl_sh = CJK_LATIN
    no_start, no_end = NO_START, NO_END
    for k in range(1, n):
        a, b, ca, cb = chars[k - 1], chars[k], cls[k - 1], cls[k]
        if ca in "HP" and cb in "HP" and not space[k] and not hscale:
            # the common case in Chinese, in full below: CJK glue, a break unless rules 1 and 2 forbid it
            sa, sb = size_of[face_of[k - 1]], size_of[face_of[k]]
            em = sa if sa >= sb else sb
            kind[k] = G_CJK
            gst[k], gsh[k] = HAN_STRETCH * em, 0.0 if k in pair else HAN_SHRINK * em
            if not (nb[k] or b in no_start or a in no_end):
                brk[k] = True
            continue
        if space[k]:
            w = faces[face_of[k - 1]].adv(" ")
            kind[k], gw[k], gst[k], gsh[k] = G_SPACE, w, w * SPACE_STRETCH, w * SPACE_SHRINK
            brk[k] = space[k] == 1 and not nb[k] and b not in NO_START and a not in NO_END
            continue
        if hscale and k in hscale and k - 1 in hscale:
            continue              # inside a 破折号: no glue (it would open a gap in the line) and no break
        sa, sb = size_of[face_of[k - 1]], size_of[face_of[k]]
        em = sa if sa >= sb else sb
        if (ca == "H" and _latin_spaced(b, cb)) or (cb == "H" and _latin_spaced(a, ca)):
            kind[k] = G_CJK_LATIN
            gw[k], gst[k], gsh[k] = cl_w * em, cl_st * em, cl_sh * em
        elif ca in "HP" or cb in "HP":
            kind[k] = G_CJK
            # Inside a compressed pair the glue may stretch but not shrink: the second glyph then starts at
            # least half an em after the first one's origin. Less, and poppler's pdftotext reads the pair's
            # second mark as the start of a new line ("百企百展”" / "、主体培育"; docs/typesetting.md).
            gst[k], gsh[k] = HAN_STRETCH * em, 0.0 if k in pair else HAN_SHRINK * em
        if nb[k] or b in NO_START or a in NO_END:
            continue
        if ca in "HP" or cb in "HP":
            brk[k] = True       # ideographs break on both sides (UAX #14 ID)
        elif a in "-‐" and cb == "L" and k >= 2 and cls[k - 2] == "L":
            brk[k], pen[k], flag[k] = True, EXPLICIT_HYPHEN_PENALTY, True
        elif a in "—–" and cb == "L":
            brk[k] = True
    p.url = _fill_url_breaks(p)
    if p.style.hyphenate:
        _fill_hyphenation(p, p.url)


# URLs and domain names: only characters a URL may hold (RFC 3986), so a URL typed straight into Chinese text
# ends where the Han text begins; sentence punctuation after it is not part of it.
_URL_CHARS = r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]"
_URL = re.compile(rf"(?:[a-z]+://|www\.){_URL_CHARS}+|[A-Za-z0-9.-]+\.(?:cn|com|org|net|gov)(?:/{_URL_CHARS}*)?")
_URL_TRAIL = ".,;:!?'\")]"
_LINKABLE = re.compile(r"(?:https?://|www\.)", re.IGNORECASE)


def _url_spans(p: Prepared) -> list[tuple[int, int, str]]:
    """(start, end, text) of the URLs and domain names in the paragraph, in character indices. Matched on
    the text with its word spaces, so a URL ends at a space."""
    if not _URL.search("".join(p.chars)):
        return []        # (the text without its spaces holds every URL the spaced text does)
    parts: list[str] = []
    index: list[int] = []          # position in the spaced text -> character index (-1: a space)
    for k, ch in enumerate(p.chars):
        if k and p.space[k]:
            parts.append(" ")
            index.append(-1)
        parts.append(ch)
        index.append(k)
    spans = []
    for m in _URL.finditer("".join(parts)):
        text = m.group(0)
        while text and text[-1] in _URL_TRAIL and not (text[-1] == ")" and text.count("(") >= text.count(")")):
            text = text[:-1]
        if len(text) > 4:
            start = index[m.start()]
            spans.append((start, start + len(text), text))
    return spans


def _fill_url_breaks(p: Prepared) -> set[int]:
    """URLs and domain names may break after / . _ - ? & = (before a letter or digit), at a cost.
    Returns the positions inside URLs: a hyphen drawn there would change the address. Records the spans
    that are web addresses (http(s)://…, www.…) in `p.links`, for link annotations."""
    inside: set[int] = set()
    for start, end, text in _url_spans(p):
        inside.update(range(start, end))
        for k in range(start + 1, end):
            a, b = p.chars[k - 1], p.chars[k]
            if a in "/._-?&=#" and b.isalnum() and not p.brk[k] and not p.space[k]:
                p.brk[k], p.pen[k] = True, URL_PENALTY
        if _LINKABLE.match(text):
            p.links.append((start, end, text if "://" in text else "https://" + text))
    return inside


def _fill_hyphenation(p: Prepared, in_url: set[int]) -> None:
    """Hyphenation points of Latin words (pyphen): a break adds a drawn hyphen. Never inside a URL."""
    n, cls = p.n, p.cls
    k = 0
    while k < n:
        if cls[k] != "L" or p.chars[k] in POSITION:
            k += 1
            continue
        start = k
        while k < n and cls[k] == "L" and (k == start or not p.space[k]):
            k += 1
        if (start > 0 and not p.space[start] and cls[start - 1] == "D") or (k < n and cls[k] == "D"
                                                                               and not p.space[k]):
            continue   # letters glued to digits (8GWh, A4) are codes, not words
        if start in in_url or any(p.fig[start:k]):
            continue   # a figure's words (billion, percentage) are never hyphenated
        if (start > 0 and not p.space[start] and p.chars[start - 1] in "-‐") or (
                k < n and not p.space[k] and p.chars[k] in "-‐"):
            continue   # part of a compound (investment-promotion): it breaks at its own hyphen only
        word = "".join(p.chars[start:k])
        if word[0].isupper():
            # a proper name (University, Competition) is never hyphenated to improve spacing; its pattern
            # points are only the last resort for a name wider than the measure (_emergency_breaks)
            p.late_hyph.update(start + pos for pos in hyphen_points(word))
            continue
        for pos in hyphen_points(word):
            j = start + pos
            if not p.brk[j]:
                face = p.faces[p.face_of[j - 1]]
                p.brk[j], p.pen[j], p.flag[j], p.hyph[j] = True, HYPHEN_PENALTY, True, True
                p.brk_w[j] += face.adv("-")


def _fill_prefix(p: Prepared) -> None:
    """Prefix sums of box and glue widths, stretch and shrink (each sum in the order the breaker's line
    widths assume), and counts of Han characters and word spaces."""
    n = p.n
    # gw[0] is 0.0: the first box adds no glue before it
    p.P = list(accumulate(zip(p.gw, p.cw), lambda w, t: w + t[0] + t[1], initial=0.0))
    p.ST = list(accumulate(p.gst[:n], add, initial=0.0))
    p.SH = list(accumulate(p.gsh[:n], add, initial=0.0))
    p.han = list(accumulate((c == "H" for c in p.cls), initial=0))
    space = p.space
    p.spaces = list(accumulate((1 if k and space[k] else 0 for k in range(n)), initial=0))
