"""Balanced lines for headings and titles (`ParaStyle.balance`): the lines a heading takes are made as even
as its break opportunities allow, and its breaks fall where a reader pauses, so that a title never ends with
one or two characters alone (`…统计公|报：综合`) and does not break inside a word where it need not.

The number of lines is the one the ordinary breaker needs at the column width. Among the ways to set the
text in that many lines, each no wider than the column, the one of least cost is taken:

    cost = Σ (line width in em)²  +  Σ penalty of each break

The sum of squares is least when the lines are even (an offset of d em from even lines costs about 2d² on
two lines). Break penalties, in em², Chinese / English (the table in docs/typesetting.md):

- 0 / 0: after a clause or sentence mark (`，、；：。！？`, closing brackets and quotes, `, ; :`), before an
  opening bracket or quote;
- 1 / 1: between Han text and Latin letters or digits; before an English article, preposition or
  conjunction (`Results | of GDP`, where a title-case phrase begins);
- 3 / 6: before 和 与 及 或 并, after 的 之, after a number's unit (`2024年|湖口县`); any other English
  word space;
- – / 30: between two capitalised English words (`Zhejiang | Province`: a name, a noun phrase);
- 20 / 60: between two other Han characters (inside a word, as far as the typesetter can tell without a
  dictionary); after an English article, preposition or conjunction (a line ending in `of`, `the`); at a
  word space inside a figure (`1.8 percentage | points lower`).

So a Chinese break where a phrase ends wins over an even break inside a word while it leaves the lines
within about three ems of even; English, whose words are long, gives evenness up sooner for a break
between phrases. A heading is not hyphenated. The last line keeps at least three characters that are not
punctuation (Chinese) or two words (English).
"""
from __future__ import annotations

from .breaker import G_CJK_LATIN, Line, Prepared, _set_line, lines_for
from .punct import CLOSING, COMMA, DIVIDING, FULL_STOP, OPENING

PAUSE_AFTER = frozenset(CLOSING + COMMA + DIVIDING + FULL_STOP + ",;:")
PAUSE_BEFORE = frozenset(OPENING)
ZH_BEFORE = frozenset("和与及或并")
ZH_AFTER = frozenset("的之")
EN_WEAK = frozenset("a an the of on in at by for to from with and or nor as into onto than via".split())
P_PAUSE = 0.0
ZH_SCRIPT, ZH_PHRASE, ZH_WORD = 1.0, 3.0, 20.0
EN_BEFORE_WEAK, EN_SPACE, EN_NAME, EN_AFTER_WEAK = 1.0, 6.0, 30.0, 60.0
MAX_CHARS = 400           # a longer text is no heading: set as usual


def balanced_lines(p: Prepared, width: float) -> list[Line]:
    """The lines of a heading or title `width` pt wide, balanced (see the module docstring)."""
    plain = lines_for(p, width)
    k = len(plain)
    if k < 2 or p.n > MAX_CHARS:
        return plain
    st = p.style
    x0 = st.left_indent + st.indent_pt
    w_first, w_rest = width - x0, width - st.left_indent
    lead_first = x0 == st.left_indent
    cands = [j for j in range(1, p.n) if p.brk[j] and not p.hyph[j] and not p.flag[j]]

    def span(i: int, j: int) -> float:
        """Natural width of characters i..j-1 set as one line."""
        w = p.P[j] - p.P[i] - (p.gw[i] if i else 0.0) - (p.lead[i] if i or lead_first else 0.0)
        return w + (p.brk_w[j] if j < p.n else 0.0)

    # layers[u][j] = (least cost of setting characters 0..j-1 in u lines, where line u starts)
    layers: list[dict[int, tuple[float, int]]] = [{0: (0.0, -1)}]
    for used in range(1, k + 1):
        layer: dict[int, tuple[float, int]] = {}
        for j in [p.n] if used == k else cands:
            pen = _penalty(p, j) if j < p.n else 0.0
            for i, (cost, _) in layers[-1].items():
                if i >= j or span(i, j) > (w_first if i == 0 else w_rest) + 1e-6:
                    continue
                if j == p.n and not _full_last_line(p, i, j):
                    continue
                c = cost + (span(i, j) / st.size) ** 2 + pen
                if j not in layer or c < layer[j][0]:
                    layer[j] = (c, i)
        layers.append(layer)
    if p.n not in layers[k]:
        return plain
    breaks, j = [], p.n
    for used in range(k, 0, -1):
        breaks.append(j)
        j = layers[used][j][1]
    lines, i = [], 0
    for idx, end in enumerate(reversed(breaks)):
        first = idx == 0
        lines.append(_set_line(p, i, end, 0.0, x0 if first else st.left_indent, w_first if first else w_rest,
                               end == p.n, False, p.lead[i] if lead_first or not first else 0.0))
        i = end
    return lines


def _full_last_line(p: Prepared, i: int, j: int) -> bool:
    """The last line (characters i..j-1) holds three characters or more that are not punctuation (Chinese),
    or two words or more (English)."""
    if p.style.lang == "zh":
        return sum(ch.isalnum() for ch in p.chars[i:j]) >= 3
    return p.spaces[j] - p.spaces[i + 1] >= 1


def _penalty(p: Prepared, j: int) -> float:
    """The cost of a line break before character j (see the module docstring)."""
    a, b = p.chars[j - 1], p.chars[j]
    if p.fig[j] and p.fig[j] == p.fig[j - 1]:
        return EN_AFTER_WEAK if p.style.lang == "en" else ZH_WORD    # inside a figure (`1.8 percentage points`)
    if a in PAUSE_AFTER or b in PAUSE_BEFORE:
        return P_PAUSE
    if p.style.lang == "en":
        if _word(p, j - 1).lower() in EN_WEAK:
            return EN_AFTER_WEAK
        if _word(p, j).lower() in EN_WEAK:
            return EN_BEFORE_WEAK
        return EN_NAME if _word(p, j - 1)[:1].isupper() and b.isupper() else EN_SPACE
    if p.space[j] or p.kind[j] == G_CJK_LATIN or a.isascii() or b.isascii():
        return ZH_SCRIPT
    if b in ZH_BEFORE or a in ZH_AFTER or (j >= 2 and p.chars[j - 2].isdigit()):
        return ZH_PHRASE
    return ZH_WORD


def _word(p: Prepared, k: int) -> str:
    """The English word that character k belongs to."""
    i, j = k, k + 1
    while i > 0 and not p.space[i]:
        i -= 1
    while j < p.n and not p.space[j]:
        j += 1
    return "".join(p.chars[i:j])
