"""`Para`: a Platypus flowable that draws our own justified lines at exact glyph positions."""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import replace

from reportlab.lib.colors import HexColor
from reportlab.platypus import Flowable

from .. import fonts, tagging
from ..model import Lang
from .balance import balanced_lines
from .breaker import Line, Prepared, check_glyphs, lines_for, prepare
from .metrics import ink_bounds
from .style import ParaStyle, Run
from .tagged import line_pieces

# The CJK em box sits 0.88 em above and 0.12 em below the baseline in Noto SC; lines centre it in the leading.
_DESCENT = 0.12

# Paragraphs already checked, prepared and broken into lines, by (runs, style): a rebuild in the
# same process (`briefing watch` after a save, the second layout pass of a table of contents) sets again
# only the paragraphs that changed. Least recently used entries go first. Safe to share: a Prepared and
# its Lines are not changed once made (Prepared.emergency only gains entries); the origin (file:line:col)
# only names the paragraph in an error, and a paragraph in the memo had none.
_MEMO: OrderedDict[tuple, tuple[Prepared | None, dict[tuple[float, int], list[Line]]]] = OrderedDict()
_MEMO_MAX = 4096


class Para(Flowable):
    """A paragraph of styled runs. Splits across frames with ≥ 2 lines on each side (rule 9).

    Tagging (tagging.py): `tag` is the structure element its text belongs to, `tag_label` the Lbl
    element of its bullet, `tag_runin` makes its leading bold run a run-in heading (Span). Drawn on a
    tagged canvas without a `tag`, it is an artifact."""

    tag: tagging.Node | None = None
    tag_label: tagging.Node | None = None
    tag_runin: bool = False

    def __init__(self, runs: Sequence[Run], style: ParaStyle, origin: str = "") -> None:
        super().__init__()
        self.runs = tuple(runs)
        self.style = style
        self.origin = origin
        self.spaceBefore = style.space_before
        self.spaceAfter = style.space_after
        self.keepWithNext = style.keep_with_next
        self._key = (self.runs, style)
        memo = _MEMO.get(self._key)
        if memo is None:
            check_glyphs(self.runs, style, origin)      # fail early, at story-building time
            memo = _MEMO[self._key] = (None, {})
            if len(_MEMO) > _MEMO_MAX:
                _MEMO.popitem(last=False)
        else:
            _MEMO.move_to_end(self._key)
        self._prep: Prepared | None = memo[0]
        self._line_memo = memo[1]
        self._lines: list[Line] = []
        self._lines_w: float | None = None
        self._fixed = False       # first part of a split: lines are final
        self._start = 0           # continuation of a split: index of its first character in _prep
        self._rest: tuple[float | None, list[Line]] = (None, [])   # continuation: (width, lines) already set

    # -- layout
    def _prepared(self) -> Prepared:
        if self._prep is None:
            # another paragraph with the same runs and style may have been prepared since this one was made
            # (a briefing repeats table cells and labels; a paragraph whose lines came from the memo is
            # prepared only when drawn): take that one
            memo = _MEMO.get(self._key)
            if memo is not None and memo[0] is not None:
                self._prep = memo[0]
            else:
                self._prep = prepare(self.runs, self.style, self.origin)
                _MEMO[self._key] = (self._prep, self._line_memo)
        return self._prep

    def _layout(self, availW: float) -> None:
        if self._fixed or (self._lines_w is not None and abs(self._lines_w - availW) < 1e-6):
            return
        rest_w, rest = self._rest
        if rest and rest_w is not None and abs(rest_w - availW) < 1e-6:
            self._lines, self._lines_w = rest, availW
            return
        key = (availW, self._start)
        lines = self._line_memo.get(key)
        if lines is None:
            if self.style.balance and self._start == 0:
                lines = balanced_lines(self._prepared(), availW)
            else:
                lines = lines_for(self._prepared(), availW, self._start)
            if len(self._line_memo) < 32:
                self._line_memo[key] = lines
        self._lines = list(lines)
        self._lines_w = availW

    def _heights(self) -> list[float]:
        s, lead = self.style.size, self.style.leading
        return [lead if ln.max_size <= s else lead * ln.max_size / s for ln in self._lines]

    @property
    def lines(self) -> list[Line]:
        return self._lines

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self._layout(availWidth)
        self.width = self._lines_w if self._fixed else availWidth
        self.height = sum(self._heights())
        return self.width, self.height

    def minWidth(self) -> float:
        """Widest unbreakable piece plus indents (for tables with automatic column widths)."""
        p = self._prepared()
        widest, start = 0.0, 0
        for k in list(range(1, p.n)) + [p.n]:
            if k == p.n or p.brk[k]:
                widest = max(widest, p.P[k] - p.P[start] - (p.gw[start] if start else 0.0))
                start = k
        return widest + self.style.left_indent + self.style.indent_pt

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        self._layout(availWidth)
        heights = self._heights()
        n = len(self._lines)
        fit, used = 0, 0.0
        for h in heights:
            if used + h > availHeight + 1e-6:
                break
            used += h
            fit += 1
        if fit >= n:
            return [self]
        k = min(fit, n - 2)       # keep at least two lines for the next page
        if k < 2:
            return []             # fewer than two lines would stay: move the whole paragraph
        return [self._head(k, availWidth), self._tail(k)]

    def _head(self, k: int, width: float) -> Para:
        head = self._clone()
        head.spaceAfter, head.keepWithNext = 0, False
        head._lines, head._lines_w, head._fixed = self._lines[:k], width, True
        return head

    def _tail(self, k: int) -> Para:
        # The continuation keeps the whole paragraph's prepared text (so a URL or a hyphenation point that
        # straddles the split is still known as such). Set at the width it was broken for, its lines are
        # the paragraph's own from line k on (the paragraph was broken once, as TeX does: breaking the rest
        # again for every page made a paragraph of many pages quadratic); at another width it is broken
        # again from its first character.
        tail = self._clone()
        tail.style = replace(self.style, first_indent=0.0, bullet=None, space_before=0.0)
        tail.spaceBefore = 0.0
        tail._start = self._lines[k].start
        tail._rest = (self._lines_w, self._lines[k:])
        return tail

    def _clone(self) -> Para:
        other = Para.__new__(Para)
        Flowable.__init__(other)
        other.runs, other.style, other.origin = self.runs, self.style, self.origin
        other._key, other._line_memo = self._key, self._line_memo
        other.spaceBefore, other.spaceAfter, other.keepWithNext = self.spaceBefore, self.spaceAfter, self.keepWithNext
        other._prep, other._lines, other._lines_w = self._prepared(), [], None
        other._fixed, other._start, other._rest = False, self._start, (None, [])
        other.tag, other.tag_label, other.tag_runin = self.tag, self.tag_label, self.tag_runin
        return other

    # -- drawing
    def draw(self) -> None:
        canv = self.canv
        if tagging.sketching(canv):
            return
        tg = tagging.tagger(canv)
        if tg is not None and self.tag is None:
            tg.begin_artifact()      # nothing says what this text is: keep it out of the reading order
            self._draw(canv, None)
            tg.end_artifact()
        else:
            self._draw(canv, tg)

    def _draw(self, canv, tg: tagging.Tagger | None) -> None:
        text = canv.beginText()
        state: dict[str, object] = {}
        marks = _Marks(self, tg, text._code) if tg is not None else None
        y = self.height
        for idx, (line, h) in enumerate(zip(self._lines, self._heights())):
            s = max(line.max_size, self.style.size)
            base = y - h + (h - s) / 2 + _DESCENT * s
            if idx == 0 and self.style.bullet and self._start == 0:
                if marks is not None:
                    marks.label()
                self._draw_bullet(text, state, base)
                if marks is not None:
                    marks.close_label()
            segments = _segments(line) if marks is None else marks.segments(line)
            if marks is None:
                for x_from, x_to, url in line.links:
                    # over the glyphs' em boxes; relative: in the flowable's own (translated) coordinates
                    canv.linkURL(url, (x_from, base - _DESCENT * s, x_to, base + (1 - _DESCENT) * s), relative=1)
            for a, b, cs, hs in segments:
                face = line.faces[a]
                _set_state(text, state, face.font, face.size, face.color, cs, hs)
                text.setTextOrigin(line.xs[a], base)
                # (textOut would also add up the string's width to advance its cursor, which every
                # segment sets afresh)
                text._code.append(text._formatText(line.text[a:b]))
            if marks is not None:
                marks.end_line()
                for x_from, x_to, url in line.links:
                    # annotations after the line's text, so a link's element follows the text before it
                    marks.link(line, url, (x_from, base - _DESCENT * s, x_to, base + (1 - _DESCENT) * s))
            y -= h
        if marks is not None:
            marks.close()
        canv.drawText(text)

    def _draw_bullet(self, text, state: dict, base: float) -> None:
        st = self.style
        bullet = st.bullet or ""
        # the face the text itself would use for this character (English: the Latin face first, rule 11)
        face = fonts.face_of(bullet, st.family, st.lang)
        w = fonts.advance(bullet, face, False, st.size)
        x = max(0.0, st.left_indent - w - 0.5 * st.size)
        _set_state(text, state, fonts.font_name(face, False), st.size, st.color, 0.0)
        text.setTextOrigin(x, base + bullet_rise(bullet, face, st.lang) * st.size)
        text.textOut(bullet)


def bullet_rise(bullet: str, face: str, lang: Lang) -> float:
    """How far (em) to raise a bullet so its ink is centred on the line: in Chinese on the middle of the
    ideographic em box (0.38 em above the baseline in Noto SC), in English on half the cap height (the
    middle of a capital, where list items start)."""
    ink = ink_bounds(fonts.font_name(face, False), bullet)
    if ink is None:
        return 0.0
    if lang == "zh":
        centre = 0.5 - _DESCENT
    else:
        from reportlab.pdfbase import pdfmetrics

        centre = pdfmetrics.getFont(fonts.font_name(face, False)).face.capHeight / 2000.0
    return centre - (ink[1] + ink[3]) / 2


def _segments(line: Line):
    """Cut a line into character ranges [a, b) drawable with one text-show and a constant character spacing
    (same font, size, colour and horizontal scale): yields (a, b, character spacing, horizontal scale)."""
    xs, advs, faces = line.xs, line.advances, line.faces
    scales = dict(line.hscale)
    i, n = 0, len(xs)
    while i < n:
        f0 = faces[i]
        s0 = scales.get(i, 1.0)
        j = i + 1
        cs = None
        while j < n:
            f = faces[j]
            if f is not f0 and (f.font, f.size, f.color) != (f0.font, f0.size, f0.color):
                break
            if scales.get(j, 1.0) != s0:
                break
            gap = xs[j] - xs[j - 1] - advs[j - 1]
            if cs is None:
                cs = gap
            elif abs(gap - cs) > 1e-4:
                break
            j += 1
        yield i, j, cs or 0.0, s0
        i = j


def _set_state(text, state: dict, font: str, size: float, color: str, cs: float, hs: float = 1.0) -> None:
    if state.get("font") != (font, size):
        text.setFont(font, size)
        state["font"] = (font, size)
    if state.get("color") != color:
        text.setFillColor(HexColor(color))
        state["color"] = color
    if state.get("hs", 1.0) != hs:
        text.setHorizScale(hs * 100.0)
        state["hs"] = hs
    cs = cs / hs          # the character spacing is scaled horizontally too (PDF: Tc is multiplied by Th)
    if state.get("cs") != round(cs, 5):
        text.setCharSpace(cs)
        state["cs"] = round(cs, 5)


class _Marks:
    """Marked content while a paragraph is drawn on a tagged canvas: the owner element's MCID sequence
    (open across lines), and inside it /Lang and /ActualText spans (closed at each line end)."""

    def __init__(self, para: Para, tg: tagging.Tagger, code: list[str]) -> None:
        self.para, self.tg, self.code = para, tg, code
        self.node: tagging.Node = para.tag  # type: ignore[assignment]
        self.owner: tagging.Node | None = None     # element whose MCID sequence is open
        self.lang: str | None = None
        self.act = False
        p = para._prepared()
        self.p = p
        self.lang_doc = para.style.lang
        inline: list = []
        if para.tag_runin and p.runs and p.runs[0].bold and len(p.runs) > 1:
            end = next((k for k, r in enumerate(p.run_of) if r), p.n)
            inline.append((0, end, (("span", 0), "Span")))
        for a, b, _url in p.links:
            inline.append((a, b, (("link", a), "Link")))
        self.inline = inline

    def _node(self, key, role: str) -> tagging.Node:
        return self.node.inline_child(key, role)

    def label(self) -> None:
        if self.para.tag_label is not None:
            self.code.append(self.tg.bdc(self.para.tag_label))

    def close_label(self) -> None:
        if self.para.tag_label is not None:
            self.code.append("EMC")

    def _open(self, owner: tagging.Node) -> None:
        if owner is not self.owner:
            self._close_inner()
            if self.owner is not None:
                self.code.append("EMC")
            self.code.append(self.tg.bdc(owner))
            self.owner = owner

    def _close_inner(self) -> None:
        if self.act:
            self.code.append("EMC")
            self.act = False
        if self.lang is not None:
            self.code.append("EMC")
            self.lang = None

    def segments(self, line: Line):
        """`_segments(line)`, cut further where owner, language or ActualText change, with the marked
        content opened and closed around them."""
        pieces = line_pieces(self.p, line, self.lang_doc, self.inline)
        if pieces is None:
            self._open(self.node)
            yield from _segments(line)
            return
        segs = list(_segments(line))
        k = 0
        for a, b, owner, lang, actual in pieces:
            self._open(self._node(*owner) if owner is not None else self.node)
            if lang != self.lang:
                self._close_inner()
                if lang is not None:
                    self.code.append(f"/Span <</Lang {tagging.text_string(lang)}>> BDC")
                    self.lang = lang
            if self.act:
                self.code.append("EMC")
                self.act = False
            if actual is not None:
                self.code.append(f"/Span <</ActualText {tagging.text_string(actual)}>> BDC")
                self.act = True
            while k < len(segs) and segs[k][1] <= a:
                k += 1
            m = k
            while m < len(segs) and segs[m][0] < b:
                s0, s1, cs, hs = segs[m]
                yield max(s0, a), min(s1, b), cs, hs
                m += 1

    def end_line(self) -> None:
        self._close_inner()

    def link(self, line: Line, url: str, rect: tuple[float, float, float, float]) -> None:
        """The annotation of a link on `line`, in the Link element of the link's characters."""
        start = next((a for a, b, u in self.p.links if u == url and a < line.end and b > line.start), 0)
        self.tg.link(self._node(("link", start), "Link"), rect, url=url)

    def close(self) -> None:
        self._close_inner()
        if self.owner is not None:
            self.code.append("EMC")
            self.owner = None
