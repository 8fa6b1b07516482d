"""Marked content for a paragraph's lines (tagged PDF): which structure element owns each drawn glyph, which
glyphs are in the other language, and where the drawn glyphs differ from the text.

A paragraph's text belongs to its element (P, H2, TD, LBody, …; `Para.tag`), except for inline elements
made as they are drawn: a run-in heading (the paragraph's leading bold run, `Span`) and web links
(`Link`, with their annotations). `/ActualText` wraps
  * the hyphen the breaker adds at a line end: it reads as nothing, so the word reads whole;
  * a 2-em dash drawn from scaled, overlapping glyphs: it reads "——";
  * compressed punctuation pairs (half-width marks), an opening mark set half-width at a line start and
    a mark hanging past the line end: each reads as itself, as one unit, whatever its position.
Runs in the other language (Latin words in Chinese, Han characters in English) get `/Lang`.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from typing import Any

from .breaker import Line, Prepared

_OTHER = {
    "zh": (re.compile(r"[A-Za-z]+(?:['’.&-][A-Za-z]+)*(?: [A-Za-z]+(?:['’.&-][A-Za-z]+)*)*"), "en"),
    "en": (re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]+"), "zh-CN"),
}
EPS = 0.01

# A piece of a line: glyphs [a, b), their owner (None: the paragraph's element), language (None: the
# document's) and ActualText (None: none).
Piece = tuple[int, int, Any, "str | None", "str | None"]


def _actual_ranges(p: Prepared) -> list[tuple[int, int]]:
    """Character ranges [a, b) of the prepared paragraph drawn otherwise than as plain glyphs in their
    boxes: compressed pairs of marks and 2-em dashes (kept on the Prepared, which is reused)."""
    cached = p.__dict__.get("_actual")
    if cached is not None:
        return cached
    spans = sorted([(k - 1, k + 1) for k in p.pair] + [(k, k + 1) for k in p.hscale])
    out: list[tuple[int, int]] = []
    for a, b in spans:
        if out and a <= out[-1][1] and not (p.space[a] if a < p.n else False):
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    p.__dict__["_actual"] = out
    return out


def line_pieces(p: Prepared, line: Line, lang: str, inline: list[tuple[int, int, Any]]) -> list[Piece] | None:
    """The line cut where owner, language or ActualText change; None when it is all plain text of the
    paragraph's own element in the document's language (most lines)."""
    i, j, n = line.start, line.end, len(line.text)
    spaces, space = p.spaces, p.space

    def glyph(k: int) -> int:
        """Index in line.text of character k (i <= k <= j; j: the end of the line's characters)."""
        if k >= j:
            return n - (1 if line.hyphenated else 0)
        return (k - i) + spaces[k + 1] - spaces[i + 1]

    def start(k: int) -> int:
        """Where a range starting at character k starts (after the word space before k, if any)."""
        return glyph(k) if k > i else 0

    def end(k: int) -> int:
        """Where a range ending before character k ends (before the word space before k)."""
        if k >= j:
            return n
        return glyph(k) - (1 if k > i and space[k] else 0)

    ranges: list[tuple[int, int, str, Any]] = []
    for a, b, node in inline:
        if a < j and b > i:
            ranges.append((start(max(a, i)), end(b), "own", node))
    rx, other = _OTHER[lang]
    for m in rx.finditer(line.text):
        if m.end() - m.start() >= 2:
            ranges.append((m.start(), m.end(), "lang", other))
    acts = _actual_ranges(p)
    for a, b in acts[max(0, bisect_left(acts, (i, -1)) - 1):]:
        if a >= j:
            break
        if b > i:
            ranges.append((start(max(a, i)), end(b) if b < j else glyph(j), "act", None))
    xs, advs = line.xs, line.advances
    last = n - 1 - (1 if line.hyphenated else 0)
    if n and xs[0] < line.x0 - EPS:
        ranges.append((0, 1, "act", None))                       # opening mark set half-width
    if last >= 0 and xs[last] + advs[last] > line.x0 + line.measure + EPS and line.text[last] != " ":
        ranges.append((last, last + 1, "act", None))             # a mark hanging past the line end
    if line.hyphenated:
        ranges.append((n - 1, n, "act", ""))                     # the added hyphen reads as nothing
    if not ranges:
        return None
    cuts = sorted({0, n, *(r[0] for r in ranges), *(r[1] for r in ranges)})
    pieces: list[Piece] = []
    text = line.text
    for a, b in zip(cuts, cuts[1:]):
        if a >= b:
            continue
        owner = lang_of = actual = None
        for r0, r1, kind, value in ranges:
            if r0 <= a < r1:
                if kind == "own":
                    owner = value
                elif kind == "lang":
                    lang_of = value
                elif actual is None or value == "":
                    actual = text[a:b] if value is None else value
        pieces.append((a, b, owner, lang_of, actual))
    return pieces
