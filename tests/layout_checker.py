"""Check a PDF against the typesetting rules of docs/typesetting.md ("The rules"), from the PDF alone.

How it works (see docs/typesetting.md for the long form):

1. Characters come from pdfplumber (`page.chars`): text, font name, size, origin (`matrix`), x0/x1 from the
   font's advance widths. Callers can drop chars first: `exclude` boxes (header/footer bands), a `bbox` to
   keep, and a `char_filter(char) -> bool` callback (e.g. drop sans-serif chart labels).
2. Chars are grouped into *lines*: same baseline (origin y within 0.2 em) and contiguous in x; a baseline
   group is split where the gap between neighbours exceeds `split_gap_em` (2 em), so table cells and side
   by side blocks become separate lines.
3. Lines are linked into *paragraphs*: the line "after" a line is the nearest line below it on the same page
   whose x-range overlaps it. A line ends its paragraph when there is no such line, the baseline gap to it
   is larger than 1.3x the block's usual leading, the next line starts indented (x0 more than 0.5 em right
   of this block's left edge), or its font size differs. A short line followed by an unindented line at the
   usual leading is therefore *not* a paragraph end, and rule 4 flags it. A caller with better knowledge can
   pass `is_para_end(line, next_line) -> bool`.
4. Each rule is then a test over lines, line breaks, and paragraph-final lines; fonts (rule 10) are checked
   with pypdf on the font resources of every page and form XObject.

All coordinates are pdfplumber's: points, origin top-left of the page, `(x0, top, x1, bottom)`.
"""
from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pdfplumber

BBox = tuple[float, float, float, float]  # (x0, top, x1, bottom), pdfplumber coordinates
Char = dict[str, Any]

RULES = (1, 2, 3, 4, 5, 6, 8, 10, 12)
RULE_NAMES = {
    1: "line-start prohibition",
    2: "line-end prohibition",
    3: "unbreakable sequence split",
    4: "justification / text area",
    5: "punctuation compression",
    6: "CJK-Latin spacing",
    8: "runt last line",
    10: "fonts",
    12: "English word gap",
}

# --- character classes (docs/typesetting.md) --------------------------------------------------------------
LINE_START_PROHIBITED = set("、，；：。！？）》」』】〕〗’”…—·%‰℃") | set(",.;:!?)]}") | set("〉｝］")
LINE_END_PROHIBITED = set("（《「『【〔〖‘“") | set("([{") | set("¥$＄〈［｛")
# Full-width punctuation: ink in the left half (closing marks, stops, commas) or the right half (opening).
FW_CLOSING = set("，。、；：！？）》」』】〕〗〉’”｝］")
FW_OPENING = set("（《「『【〔〖〈‘“｛［")
FW_MIDDLE = set("・：；")  # centred in some fonts; still full width
FW_PUNCT = FW_CLOSING | FW_OPENING | FW_MIDDLE
# Units and measure words that must stay with the number before them.
HAN_UNITS = set("万亿元角分个人次户台种家项座所条件只名位年月日时号倍岁斤吨克米里亩度辆套块份批吨瓦千百")
HAN_UNITS |= set("公平立毫厘兆")  # first chars of 公斤 公里 平方米 立方米 毫米 厘米 兆瓦
LATIN_UNITS = {"GWh", "MWh", "kWh", "TWh", "GW", "MW", "kW", "km", "kg", "cm", "mm", "%", "‰", "℃"}
SPACES = {" ", "\u00a0", "\u3000", "\u2009", "\u202f", "\u2002", "\u2003"}
STANDARD_14 = {
    "Courier", "Courier-Bold", "Courier-Oblique", "Courier-BoldOblique", "Helvetica", "Helvetica-Bold",
    "Helvetica-Oblique", "Helvetica-BoldOblique", "Times-Roman", "Times-Bold", "Times-Italic",
    "Times-BoldItalic", "Symbol", "ZapfDingbats",
}
_SUBSET_RE = re.compile(r"^[A-Z]{6}\+")


def is_han(ch: str) -> bool:
    if len(ch) != 1:
        return False     # an unmapped glyph extracts as '(cid:N)'
    cp = ord(ch)
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0xF900 <= cp <= 0xFAFF
            or 0x20000 <= cp <= 0x3134F or ch == "〇")


def is_latin_alnum(ch: str) -> bool:
    """ASCII / Latin-1 letters and digits: the 'Latin' side of rule 6 and the word chars of rule 3."""
    return ch.isascii() and ch.isalnum() or ("\u00c0" <= ch <= "\u024f" and ch.isalpha())


def is_latin_letter(ch: str) -> bool:
    return is_latin_alnum(ch) and ch.isalpha()


# --- data ---------------------------------------------------------------------------------------------------
@dataclass
class Line:
    page: int                  # 1-based
    chars: list[Char]          # every char of the line, spaces included, left to right
    baseline: float            # pdfplumber "top"-style y of the baseline (distance from the page top)
    size: float                # the most common font size on the line
    para_end: bool = False     # set by paragraph detection
    next: Line | None = None

    @property
    def visible(self) -> list[Char]:
        return [c for c in self.chars if c["text"] not in SPACES]

    @property
    def text(self) -> str:
        return "".join(c["text"] for c in self.chars)

    @property
    def x0(self) -> float:
        """Where the line visibly starts: a full-width opening mark at the line start may drop its blank
        left half (clreq), its box then starts half an em left of the text, its ink at the edge."""
        first = self.visible[0]
        if first["text"] in FW_OPENING and _is_full_width(first):
            return first["x0"] + 0.5 * first["size"]
        return first["x0"]

    @property
    def x1(self) -> float:
        return self.visible[-1]["x1"]

    def right_edges(self) -> tuple[float, ...]:
        """Where the line visibly ends: the advance end of the last glyph, and for a full-width closing mark
        also the end of its ink half (a line-end mark may give up its blank half to justification)."""
        last = self.visible[-1]
        if last["text"] in FW_CLOSING and _is_full_width(last):
            return (last["x1"], last["x0"] + 0.5 * last["size"])
        return (last["x1"],)

    def ink_right(self) -> float:
        return min(self.right_edges())


@dataclass(frozen=True)
class Violation:
    rule: int
    page: int
    line: str
    detail: str

    def __str__(self) -> str:
        return f"rule {self.rule} ({RULE_NAMES.get(self.rule, '?')}), p.{self.page}: {self.detail} | {self.line!r}"


@dataclass
class Report:
    path: str
    lang: str
    lines: list[Line] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)

    def add(self, rule: int, line: Line | None, detail: str) -> None:
        self.counts[rule] += 1
        self.violations.append(Violation(rule, line.page if line else 0, line.text if line else "", detail))

    def count(self, *rules: int) -> int:
        return sum(self.counts[r] for r in (rules or RULES))

    def of(self, *rules: int) -> list[Violation]:
        return [v for v in self.violations if v.rule in rules]

    def describe(self, *rules: int, limit: int = 12) -> str:
        """A readable assertion message: counts then the first `limit` offending lines."""
        vs = self.of(*(rules or RULES))
        head = ", ".join(f"r{r}={self.counts[r]}" for r in (rules or RULES) if self.counts[r])
        body = "\n".join(f"  {v}" for v in vs[:limit])
        more = f"\n  ... and {len(vs) - limit} more" if len(vs) > limit else ""
        return f"{self.path} [{self.lang}]: {head or 'clean'}\n{body}{more}"


# --- extraction ---------------------------------------------------------------------------------------------
def _is_full_width(c: Char) -> bool:
    return abs((c["x1"] - c["x0"]) - c["size"]) <= 0.06 * c["size"]


def _inside(c: Char, box: BBox) -> bool:
    x0, top, x1, bottom = box
    cx = (c["x0"] + c["x1"]) / 2
    cy = (c["top"] + c["bottom"]) / 2
    return x0 <= cx <= x1 and top <= cy <= bottom


def _baseline(c: Char, page_height: float) -> float:
    return page_height - c["matrix"][5]


def extract_lines(pdf: Any, *, bbox: BBox | None = None, exclude: Sequence[BBox] = (),
                  char_filter: Callable[[Char], bool] | None = None,
                  split_gap_em: float = 2.0) -> list[Line]:
    lines: list[Line] = []
    for pno, page in enumerate(pdf.pages, start=1):
        chars = [c for c in page.chars if c.get("upright", True)
                 and (bbox is None or _inside(c, bbox))
                 and not any(_inside(c, b) for b in exclude)
                 and (char_filter is None or char_filter(c))]
        for c in chars:
            c["_base"] = _baseline(c, page.height)
        chars.sort(key=lambda c: (c["_base"], c["x0"]))
        for group in _baseline_groups(chars):
            group.sort(key=lambda c: c["x0"])
            for run in _split_runs(group, split_gap_em):
                if not any(c["text"] not in SPACES for c in run):
                    continue
                size = Counter(round(c["size"], 2) for c in run).most_common(1)[0][0]
                lines.append(Line(pno, run, statistics.median(c["_base"] for c in run), size))
    return lines


def _baseline_groups(chars: list[Char]) -> list[list[Char]]:
    groups: list[list[Char]] = []
    for c in chars:
        if groups and abs(c["_base"] - groups[-1][0]["_base"]) <= 0.2 * c["size"]:
            groups[-1].append(c)
        else:
            groups.append([c])
    return groups


def _split_runs(group: list[Char], split_gap_em: float) -> list[list[Char]]:
    runs: list[list[Char]] = [[group[0]]]
    for prev, c in zip(group, group[1:]):
        em = max(prev["size"], c["size"])
        if c["x0"] - prev["x1"] > split_gap_em * em:
            runs.append([c])
        else:
            runs[-1].append(c)
    return runs


# --- paragraphs ---------------------------------------------------------------------------------------------
def link_paragraphs(lines: list[Line], *, text_area: BBox | None,
                    is_para_end: Callable[[Line, Line | None], bool] | None = None,
                    sources: Sequence[str] | None = None) -> None:
    """Set `next` (the following line of the same block) and `para_end` on every line."""
    by_page: dict[int, list[Line]] = {}
    for ln in lines:
        by_page.setdefault(ln.page, []).append(ln)
    for page_lines in by_page.values():
        page_lines.sort(key=lambda ln: (ln.baseline, ln.x0))
        for i, ln in enumerate(page_lines):
            ln.next = next((o for o in page_lines[i + 1:] if o.baseline > ln.baseline + 0.5 * ln.size
                            and o.x0 < ln.x1 and ln.x0 < o.x1), None)
        leading = _usual_leading(page_lines)
        for ln in page_lines:
            left = text_area[0] if text_area else _block_left(ln, page_lines)
            if is_para_end is not None:
                ln.para_end = is_para_end(ln, ln.next)
            else:
                ln.para_end = _default_para_end(ln, left, leading)
    if is_para_end is None:
        _link_across_pages(by_page, text_area, sources)


def _link_across_pages(by_page: dict[int, list[Line]], text_area: BBox | None,
                       sources: Sequence[str] | None) -> None:
    """A paragraph may run on to the next page. The bottom line of a column continues on the top line of
    the same column on the next page when that line is not indented, has the same size, and (given the
    sources) the text across the join occurs in a source paragraph."""
    for pno, page_lines in by_page.items():
        following = by_page.get(pno + 1)
        if not following or not page_lines:
            continue
        lowest = max(ln.baseline for ln in page_lines)
        leading = _usual_leading(page_lines) or 1.5 * page_lines[0].size
        for ln in page_lines:
            if ln.next is not None or ln.baseline < lowest - 1.5 * leading:
                continue
            nxt = min((o for o in following if o.x0 < ln.x1 and ln.x0 < o.x1), key=lambda o: o.baseline,
                      default=None)
            if nxt is None or abs(nxt.size - ln.size) > 0.1:
                continue
            left = text_area[0] if text_area else _block_left(nxt, following)
            if nxt.x0 > left + 0.5 * nxt.size:
                continue
            if sources and _source_context(sources, _tail(ln), _head(nxt)) is None:
                continue
            ln.next, ln.para_end = nxt, False


def _tail(ln: Line, n: int = 8) -> str:
    return "".join(c["text"] for c in ln.visible[-n:])


def _head(ln: Line, n: int = 8) -> str:
    return "".join(c["text"] for c in ln.visible[:n])


def _usual_leading(page_lines: list[Line]) -> float:
    steps = [ln.next.baseline - ln.baseline for ln in page_lines if ln.next is not None]
    return statistics.median(steps) if steps else 0.0


def _block_left(ln: Line, page_lines: list[Line]) -> float:
    """Left edge of the block a line belongs to: the leftmost start among lines overlapping it."""
    xs = [o.x0 for o in page_lines if o.x0 < ln.x1 and ln.x0 < o.x1]
    return min(xs)


def _default_para_end(ln: Line, left: float, leading: float) -> bool:
    nxt = ln.next
    if nxt is None:
        return True
    if leading and nxt.baseline - ln.baseline > 1.3 * leading:
        return True
    if abs(nxt.size - ln.size) > 0.1:
        return True
    return nxt.x0 > left + 0.5 * nxt.size


# --- rules --------------------------------------------------------------------------------------------------
def _line_stretch(ln: Line) -> float:
    """The justification stretch between two Han chars on this line (median, never negative)."""
    vis = ln.visible
    gaps = [b["x0"] - a["x1"] for a, b in zip(vis, vis[1:]) if is_han(a["text"]) and is_han(b["text"])]
    return max(0.0, statistics.median(gaps)) if gaps else 0.0


def _check_line_edges(rep: Report, ln: Line) -> None:
    first, last = ln.visible[0]["text"], ln.visible[-1]["text"]
    if first in LINE_START_PROHIBITED:
        rep.add(1, ln, f"line starts with {first!r}")
    if last in LINE_END_PROHIBITED:
        rep.add(2, ln, f"line ends with {last!r}")


def _check_compression(rep: Report, ln: Line) -> None:
    vis, s = ln.visible, _line_stretch(ln)
    for i in range(len(vis) - 1):
        a, b = vis[i], vis[i + 1]
        if not (a["text"] in FW_PUNCT and b["text"] in FW_PUNCT and _is_full_width(a)):
            continue
        em = a["size"]
        if i + 2 < len(vis):
            end, gaps = vis[i + 2]["x0"], 2
        else:
            end, gaps = b["x0"] + (b["x1"] - b["x0"]), 1
        advance = end - a["x0"] - gaps * s
        if advance > 1.55 * em:
            rep.add(5, ln, f"{a['text']}{b['text']} takes {advance / em:.2f} em (max 1.5)")


def _check_cjk_latin(rep: Report, ln: Line) -> None:
    vis, s = ln.visible, _line_stretch(ln)
    for a, b in zip(vis, vis[1:]):
        pair = (is_han(a["text"]) and is_latin_alnum(b["text"])) or (
            is_latin_alnum(a["text"]) and is_han(b["text"]))
        if not pair:
            continue
        em = max(a["size"], b["size"])
        raw = (b["x0"] - a["x1"]) / em
        # the justification stretch may or may not have gone into this gap: either reading may pass
        if not any(0.125 - 0.01 <= g <= 0.33 + 0.01 for g in (raw, raw - s / em)):
            rep.add(6, ln, f"{a['text']}|{b['text']} gap {raw:.3f} em (want 0.125..0.33)")


def _letter_spacing(ln: Line) -> float:
    """The spacing added between every pair of letters of a letter-spaced line (0 for normal lines): the
    smallest gap between two adjacent letters, which on a letter-spaced line is the added spacing."""
    gaps = [b["x0"] - a["x1"] for a, b in zip(ln.chars, ln.chars[1:])
            if is_latin_letter(a["text"]) and is_latin_letter(b["text"])]
    return max(0.0, min(gaps)) if gaps else 0.0


def _words(ln: Line) -> list[list[Char]]:
    """Words of a line: split at space chars and at gaps wider than 0.12 em (beyond the line's letter
    spacing, so a letter-spaced line still reads as words, not letters)."""
    words: list[list[Char]] = []
    prev: Char | None = None
    tracking = _letter_spacing(ln)
    for c in ln.chars:
        if c["text"] in SPACES:
            prev = None
            continue
        if prev is None or c["x0"] - prev["x1"] - tracking > 0.12 * c["size"] or not words:
            words.append([c])
        else:
            words[-1].append(c)
        prev = c
    return words


def _check_word_gaps(rep: Report, ln: Line) -> None:
    words = _words(ln)
    for w1, w2 in zip(words, words[1:]):
        # an English word space: Latin on one side, no Han on either (Han-Latin gaps are rule 6)
        a, b = w1[-1]["text"], w2[0]["text"]
        if is_han(a) or is_han(b) or not (is_latin_alnum(a) or is_latin_alnum(b)):
            continue
        em = w2[0]["size"]
        gap = (w2[0]["x0"] - w1[-1]["x1"]) / em
        if gap > 1.0:
            a = "".join(c["text"] for c in w1)
            b = "".join(c["text"] for c in w2)
            rep.add(12, ln, f"word gap {gap:.2f} em between {a!r} and {b!r}")


def _check_runt(rep: Report, ln: Line, first_of_para: bool, lang: str, min_en_chars: int) -> None:
    if first_of_para:  # a one-line paragraph has no runt
        return
    if lang == "zh":
        han = sum(1 for c in ln.visible if is_han(c["text"]))
        if han < 2:
            rep.add(8, ln, f"last line holds {han} Han char(s)")
    else:
        words = _words(ln)
        core = "".join(c["text"] for c in words[0] if is_latin_alnum(c["text"])) if len(words) == 1 else None
        if core is not None and len(core) < min_en_chars:
            rep.add(8, ln, f"last line is the lone short word {core!r}")


def _source_context(sources: Sequence[str], left: str, right: str) -> bool | None:
    """Was there white space in the source between the text ending `left` and the text starting `right`?

    True / False when the join is found in a source (spaces ignored, hyphen drawn at the break tried both
    ways), None when it cannot be located."""
    for src in sources:
        flat, ws_before = _flatten(src)
        for lft in ((left, left[:-1]) if left.endswith("-") else (left,)):
            if not lft:
                continue
            needle = lft + right
            pos = flat.find(needle)
            if pos >= 0:
                return ws_before[pos + len(lft)]
    return None


_FLAT_CACHE: dict[str, tuple[str, list[bool]]] = {}


def _flatten(src: str) -> tuple[str, list[bool]]:
    if src not in _FLAT_CACHE:
        out, ws, pending = [], [], False
        for ch in src:
            if ch.isspace() or ch in SPACES or ch == "\u00ad":
                pending = pending or ch != "\u00ad"
                continue
            out.append(ch)
            ws.append(pending)
            pending = False
        _FLAT_CACHE[src] = ("".join(out), ws + [True])
    return _FLAT_CACHE[src]


def before_digit(chars: list[Char]) -> bool:
    """Is the char before the last one a digit (the last being a separator)?"""
    return len(chars) > 1 and chars[-2]["text"].isdigit()


def _check_break(rep: Report, ln: Line, nxt: Line, sources: Sequence[str] | None) -> None:
    a_chars, b_chars = ln.visible, nxt.visible
    a, b = a_chars[-1]["text"], b_chars[0]["text"]
    before_hyphen = a_chars[-2]["text"] if a == "-" and len(a_chars) > 1 else ""
    tail, head = _tail(ln), _head(nxt)
    # the same with word spaces, for the hyphenation-point check
    spaced_tail = " ".join("".join(c["text"] for c in w) for w in _words(ln))
    spaced_head = " ".join("".join(c["text"] for c in w) for w in _words(nxt))
    where = f"{tail}|{head}"
    if (a, b) in {("—", "—"), ("…", "…")}:
        rep.add(3, ln, f"{a}{b} split: {where}")
        return
    if a.isdigit() and b in {"%", "‰", "℃"}:
        rep.add(3, ln, f"number and percent split: {where}")
        return
    if a.isdigit() and b in HAN_UNITS:
        rep.add(3, ln, f"number and unit split: {where}")
        return
    next_word = re.match(r"[A-Za-z%‰℃]+", head)
    if a.isdigit() and next_word and next_word.group(0) in LATIN_UNITS:
        rep.add(3, ln, f"number and unit split: {where}")
        return
    if before_hyphen.isdigit() and b.isdigit():
        rep.add(3, ln, f"number split at its hyphen: {where}")
        return
    space = ln.chars[-1]["text"] in SPACES or nxt.chars[0]["text"] in SPACES or None
    if space is None and sources:
        space = _source_context(sources, tail, head)
    if a in ".," and before_digit(a_chars) and b.isdigit():
        rep.add(3, ln, f"number split at its separator: {where}")
        return
    if a.isdigit() and b.isdigit():
        if space is not True:
            rep.add(3, ln, f"number split: {where}")
        return
    if is_latin_alnum(a) and is_latin_alnum(b) and space is False:
        rep.add(3, ln, f"word split without a hyphen: {where}")
    if a == "-" and is_latin_letter(before_hyphen) and is_latin_letter(b) and space is False and sources:
        _check_hyphenation_point(rep, ln, spaced_tail[:-1], spaced_head, sources)


def _check_hyphenation_point(rep: Report, ln: Line, tail: str, head: str, sources: Sequence[str]) -> None:
    """A hyphen the typesetter added must sit at a pattern hyphenation point (pyphen, en_US)."""
    left = re.search(r"[A-Za-z]+$", tail)
    right = re.match(r"[A-Za-z]+", head)
    if not left or not right:
        return
    joined = left.group(0) + right.group(0)
    if not any(joined in s for s in sources):
        return  # the source had a hyphen there itself (e.g. "well-known"), or the word is longer than 8
    import pyphen

    points = pyphen.Pyphen(lang="en_US").positions(joined)
    if len(left.group(0)) not in points:
        rep.add(3, ln, f"hyphen at a non-hyphenation point: {left.group(0)}-{right.group(0)}")


def _check_justified(rep: Report, ln: Line, right: float, tol: float) -> None:
    edges = ln.right_edges()
    if not any(abs(e - right) <= tol for e in edges):
        short = right - max(edges)
        rep.add(4, ln, f"non-final line ends {short:+.2f} pt from the right edge")


def _check_area(rep: Report, ln: Line, area: BBox, tol: float) -> None:
    x0, top, x1, bottom = area
    if ln.x0 < x0 - tol:
        rep.add(4, ln, f"glyph starts {x0 - ln.x0:.2f} pt left of the text area")
    if ln.ink_right() > x1 + tol:
        rep.add(4, ln, f"glyph ends {ln.ink_right() - x1:.2f} pt right of the text area")
    if not top - tol <= ln.baseline <= bottom + tol:
        rep.add(4, ln, "baseline outside the text area")


def check_fonts(path: str | Path, rep: Report) -> None:
    """Rule 10: every font embedded, subset-named, none of the standard 14; no .notdef drawn."""
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    seen: set[int] = set()
    for pno, page in enumerate(reader.pages, start=1):
        for font in _fonts_of(page.get("/Resources"), seen):
            problem = _font_problem(font)
            if problem:
                rep.add(10, None, f"p.{pno}: font {font.get('/BaseFont')}: {problem}")


def _fonts_of(resources: Any, seen: set[int]) -> Iterable[Any]:
    if resources is None:
        return
    resources = resources.get_object()
    fonts = resources.get("/Font")
    if fonts is not None:
        for ref in fonts.get_object().values():
            key = getattr(ref, "idnum", None) or id(ref)
            if key in seen:
                continue
            seen.add(key)
            yield ref.get_object()
    xobjects = resources.get("/XObject")
    if xobjects is not None:
        for ref in xobjects.get_object().values():
            key = getattr(ref, "idnum", None) or id(ref)
            xo = ref.get_object()
            if xo.get("/Subtype") == "/Form" and key not in seen:
                seen.add(key)
                yield from _fonts_of(xo.get("/Resources"), seen)


def _font_problem(font: Any) -> str | None:
    subtype = font.get("/Subtype")
    if subtype == "/Type3":
        return None  # glyphs are drawn by procedures inside the PDF: embedded by construction
    name = str(font.get("/BaseFont", "")).lstrip("/")
    if name in STANDARD_14 or name.split("+")[-1] in STANDARD_14:
        return "standard-14 font (not embedded)"
    desc_font = font
    if subtype == "/Type0":
        desc_font = font["/DescendantFonts"][0].get_object()
    fd = desc_font.get("/FontDescriptor")
    if fd is None:
        return "no font descriptor (not embedded)"
    fd = fd.get_object()
    if not any(k in fd for k in ("/FontFile", "/FontFile2", "/FontFile3")):
        return "not embedded"
    if not _SUBSET_RE.match(name):
        return "embedded whole, not as a subset (name lacks the ABCDEF+ prefix)"
    return None


def _check_notdef(rep: Report, pdf: Any, lines: list[Line]) -> None:
    """A .notdef glyph shows up in extraction as U+0000, U+FFFD or a raw '(cid:N)' (no ToUnicode entry)."""
    for ln in lines:
        for c in ln.chars:
            t = c["text"]
            if t in ("\x00", "\ufffd") or t.startswith("(cid:"):
                rep.add(10, ln, f".notdef or unmapped glyph in {c['fontname']}")


# --- entry point --------------------------------------------------------------------------------------------
def check_pdf(path: str | Path, *, lang: str, text_area: BBox | None = None, bbox: BBox | None = None,
              exclude: Sequence[BBox] = (), char_filter: Callable[[Char], bool] | None = None,
              is_para_end: Callable[[Line, Line | None], bool] | None = None,
              sources: Sequence[str] | None = None, justify: bool = True, tolerance: float = 0.5,
              runt_min_en_chars: int = 5, split_gap_em: float = 2.0) -> Report:
    """Check the PDF at `path` and return a Report with per-rule counts and examples.

    lang: "zh" or "en" (rule 8 differs).  text_area: the text frame, pdfplumber coordinates; enables the
    rule 4 right-edge and out-of-area checks (without it the right edge is the block's widest line).
    bbox / exclude / char_filter: which chars take part.  sources: the source paragraphs, so a line break
    between two Latin letters can be told apart from a break at a space (without them such breaks are
    only flagged when a hyphen proves there was no space).  justify=False skips the right-edge check.
    """
    rep = Report(str(path), lang)
    with pdfplumber.open(str(path)) as pdf:
        lines = extract_lines(pdf, bbox=bbox, exclude=exclude, char_filter=char_filter,
                              split_gap_em=split_gap_em)
        link_paragraphs(lines, text_area=text_area, is_para_end=is_para_end, sources=sources)
        rep.lines = lines
        _check_notdef(rep, pdf, lines)
    firsts = {id(ln.next) for ln in lines if ln.next is not None and not ln.para_end}
    for ln in lines:
        _check_line_edges(rep, ln)
        _check_compression(rep, ln)
        _check_cjk_latin(rep, ln)
        if lang == "en" or any(is_latin_letter(c["text"]) for c in ln.visible):
            _check_word_gaps(rep, ln)
        if ln.next is not None and not ln.para_end:
            _check_break(rep, ln, ln.next, sources)
        if ln.para_end:
            _check_runt(rep, ln, id(ln) not in firsts, lang, runt_min_en_chars)
        elif justify:
            right = text_area[2] if text_area else _block_right(ln, lines)
            _check_justified(rep, ln, right, tolerance)
        if text_area:
            _check_area(rep, ln, text_area, tolerance)
    check_fonts(path, rep)
    return rep


def _block_right(ln: Line, lines: list[Line]) -> float:
    """The block's right edge: where its widest line's ink ends (a line-end mark's hanging blank half is not
    part of it, or every other line would read as half an em short)."""
    return max(o.ink_right() for o in lines if o.page == ln.page and o.x0 < ln.x1 and ln.x0 < o.x1)


def area_from_frame(x: float, y: float, width: float, height: float, page_height: float) -> BBox:
    """Convert a ReportLab frame (origin bottom-left) to the pdfplumber box check_pdf expects."""
    return (x, page_height - (y + height), x + width, page_height - y)
