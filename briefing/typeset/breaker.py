"""Line breaking: a prepared paragraph (`prepare.py`: characters with glue and break opportunities) →
optimal (Knuth–Plass) breaks → set Lines (justified, tracked, hung).

The breaker costs O(n × feasible breaks per line) thanks to the prefix sums `prepare` made. Names of the
preparing stage are re-exported here, where the rest of the package has always found them.
"""
from __future__ import annotations

from collections.abc import Sequence

from ..model import Lang
from .prepare import (
    EPS,
    G_CJK_LATIN,
    G_SPACE,
    HAN_STRETCH,
    Glyph,
    Line,
    Prepared,
    _Face,
    char_class,
    check_glyphs,
    prepare,
)
from .punct import NO_END, NO_START
from .style import ParaStyle, Run

__all__ = ["G_CJK_LATIN", "Glyph", "Line", "Prepared", "break_lines", "char_class", "check_glyphs", "lines_for",
           "prepare", "widest_piece"]

# Demerits and penalties of the breaking passes (a drawn hyphen's penalty is set where the break is
# prepared: prepare.py).
EMERGENCY_PENALTY = 5000
LINE_PENALTY = 10
DOUBLE_HYPHEN_DEMERITS = 30000   # two hyphenated lines in a row (cf. TeX's \doublehyphendemerits)
FINAL_HYPHEN_DEMERITS = 2e5      # the penultimate line hyphenated: worth a line stretched to ratio ~1.6
FITNESS_DEMERITS = 3000
RUNT_DEMERITS = 1e10      # rule 8: as bad as a line stretched to ratio 10 (pull a word down even so)
LONE_WORD_DEMERITS = 1e6  # English: a single (long) word alone on the last line
# A line with no glue (one word, one URL piece) can only be letter-spaced. Its badness is that of a line
# whose glue, stretched by the normal ratio, would open each gap LETTERSPACE_WEIGHT times as wide as the
# letter-spacing it needs: spaced letters show far sooner than loose word spaces, so a lone fragment such
# as "re-" on a line costs more than any loose line with a word space, while a URL piece that fills its
# line but for a hair costs little.
LETTERSPACE_WEIGHT = 10.0
SPACE_STRETCH_EM = 0.15   # a word space's stretch in em (SPACE_STRETCH × a space of about ¼ em)
MAX_RATIO = 10.0          # the ratio given to lines without glue (letter-spaced)
# Ragged (non-justified) lines are not stretched, so a short line costs little: their badness is taken as
# if the line end had this much extra stretch, in em (TeX's \rightskip 0pt plus 2em). Without it a ragged
# line is rated like a justified one and a hyphen looks cheaper than a short line.
RAGGED_STRETCH = 2.0
LOOSE = 2.0               # the first pass's tolerance; lines set looser than this were unavoidable
TRACK_EM = 0.03           # letter-spacing an English line may take from word spaces stretched past ratio 1
# --------------------------------------------------------------------------------------------- breaking

def break_lines(runs: Sequence[Run], width: float, style: ParaStyle, origin: str = "") -> list[Line]:
    """Break a paragraph into justified lines for a text area `width` pt wide (pure; no drawing)."""
    return lines_for(prepare(runs, style, origin), width)


def lines_for(p: Prepared, width: float, start: int = 0) -> list[Line]:
    """The lines of the prepared paragraph from character `start` on, for a text area `width` pt wide.

    `start` > 0 continues a paragraph split across frames: its first line has no first-line indent, and the
    joints (URLs, hyphenation points, number units) are those of the whole paragraph."""
    if p.n <= start:
        return []
    st = p.style
    x_first = st.left_indent + (st.indent_pt if start == 0 else 0.0)
    w_first, w_rest = width - x_first, width - st.left_indent
    # the first line drops a leading opening mark's blank half only when it starts at the left edge (no
    # first-line indent: table cells, bullets, continuations); after an indent the blank half is harmless
    lead_first = x_first == st.left_indent
    breaks: list[tuple[int, float, bool]] | None = None
    best: float | None = None
    worst_line = 0.0
    # A long paragraph (a long Chinese one has a break at every character) is broken with a bounded active
    # list; its total demerits grow with its length, so only a line as bad as a runt or a letter-spaced line
    # makes a looser pass worth trying.
    long = p.n - start > LONG_PARAGRAPH
    for tol, emergency, everywhere in _PASSES:
        if emergency and breaks:
            break    # breaking inside words and numbers is only for text that cannot be set otherwise
        extra = _emergency_set(p, min(w_first, w_rest), everywhere) if emergency else None
        found = _knuth_plass(p, start, w_first, w_rest, tol, extra, lead_first, LONG_BEAM if long else None)
        if found is None and long:
            found = _knuth_plass(p, start, w_first, w_rest, tol, extra, lead_first)
        if found and (best is None or found[1] < best):
            breaks, best, worst_line = found
        if best is not None and (worst_line if long else best) < LONE_WORD_DEMERITS:
            break    # a looser pass is only worth trying to get rid of a runt or a letter-spaced line
    if not breaks:   # a single character wider than the measure: one char per line, overfull
        breaks = [(k, 0.0, False) for k in range(start + 1, p.n + 1)]
    lines = []
    i = start
    for idx, (end, ratio, hung) in enumerate(breaks):
        first = idx == 0
        lines.append(_set_line(p, i, end, ratio, x_first if first else st.left_indent,
                               w_first if first else w_rest, end == p.n, hung,
                               p.lead[i] if lead_first or not first else 0.0))
        i = end
    return lines


# Paragraphs longer than this (characters) are broken with at most LONG_BEAM active positions: a 100,000-
# character Chinese paragraph then breaks in about 0.4 s instead of 1.7 s (and lines of the same quality:
# 1% more demerits in all). Briefing paragraphs are a few hundred characters; up to this length the
# breaks are exactly Knuth–Plass's.
LONG_PARAGRAPH = 5000
LONG_BEAM = 6

# (tolerance, emergency breaks allowed, emergency breaks anywhere). The first pass sets lines no looser
# than LOOSE; the second allows any line that is not overfull, ranked by how bad it is; the last two
# break inside pieces wider than the measure, then anywhere.
_PASSES = ((LOOSE, False, False), (float("inf"), False, False), (float("inf"), True, False),
           (float("inf"), True, True))


def widest_piece(p: Prepared) -> float:
    """The width of the widest stretch between two ordinary break opportunities: the narrowest measure the
    paragraph can be set in without a last-resort break (inside a word, a number or a figure)."""
    widest, start = 0.0, 0
    for k in range(1, p.n + 1):
        if k < p.n and not p.brk[k]:
            continue
        widest = max(widest, p.P[k] - p.P[start] - (p.gw[start] if start else 0.0))
        start = k
    return widest


def _emergency_set(p: Prepared, measure: float, everywhere: bool) -> set[int]:
    key = (0.0 if everywhere else round(measure, 3), everywhere)
    if key not in p.emergency:
        p.emergency[key] = _emergency_breaks(p, measure, everywhere)
    return p.emergency[key]


def _knuth_plass(p: Prepared, start: int, w_first: float, w_rest: float, tol: float,
                 extra: set[int] | None, lead_first: bool = True, beam: int | None = None
                 ) -> tuple[list[tuple[int, float, bool]], float, float] | None:
    """Optimal (Knuth–Plass) breaks of the text from `start`, with their total demerits and the largest
    demerits of one line; None when no set of lines within `tol` exists. `extra`: emergency break joints
    allowed besides the normal ones. A break is (position, glue ratio, whether the line-end mark hangs its
    blank half).

    `beam`: keep at most this many active positions, dropping the one with the highest total (a bounded
    active list: the positions within a line's reach end the same number of lines, give or take one, so
    their totals compare). For long Chinese paragraphs, where every character is a break and the plain
    algorithm weighs about nine earlier positions for each; see LONG_PARAGRAPH.

    The active breaks are kept by position: the nodes at one position (one per fitness class) share the
    line's geometry, which is computed once per position, not once per node; and a node whose total exceeds
    another node's at the same position by more than FITNESS_DEMERITS is dropped, since it can never be
    the better predecessor (the nodes differ only in fitness class, which costs at most that much). Both
    leave the result exactly as the plain algorithm's."""
    n = p.n
    P, ST, SH, gw, gst, gsh = p.P, p.ST, p.SH, p.gw, p.gst, p.gsh
    brk, pens, flags, brk_w, chars, hangs = p.brk, p.pen, p.flag, p.brk_w, p.chars, p.hang
    lang = p.style.lang
    # letter-spacing is weighed against the stretch of the paragraph's normal glue (see LETTERSPACE_WEIGHT)
    ls_scale = LETTERSPACE_WEIGHT / (p.style.size * (SPACE_STRETCH_EM if lang == "en" else HAN_STRETCH))
    max_hang = max(p.hang)     # no break can take off more than this at the line end
    lead = p.lead + [0.0]
    ragged = 0.0 if p.style.align == "justify" else RAGGED_STRETCH * p.style.size
    cands = [k for k in range(start + 1, n) if brk[k]]
    if extra:
        cands = sorted(set(cands) | {k for k in extra if k > start})
    cands.append(n)
    # Nodes (feasible breaks) live in parallel lists, indexed by node number: position, fitness class, total
    # demerits, flagged (hyphen), previous node (-1: none), ratio, hung. (Lists of numbers create no objects
    # the garbage collector tracks; a tuple per node made it scan the whole heap again and again.)
    a_pos, a_fit, a_tot, a_flag, a_prev, a_r, a_hung = [start], [1], [0.0], [False], [-1], [0.0], [False]
    # Active positions, in order: the position, its nodes, whether it is flagged, the width its line has,
    # and what its line subtracts from the prefix sums (kept apart, so the sums are the plain algorithm's).
    q_pos, q_nodes, q_flag, q_avail, q_best = [start], [[0]], [False], [w_first], [0.0]
    q_P, q_gw, q_lead = [P[start]], [gw[start]], [lead[start] if lead_first else 0.0]
    q_ST, q_gst, q_SH, q_gsh = [ST[start]], [gst[start]], [SH[start]], [gsh[start]]
    lo = 0
    inf = float("inf")
    ninf = float("-inf")
    b_tot, b_node, b_r, b_hung = [inf] * 4, [0] * 4, [0.0] * 4, [False] * 4   # best per fitness class
    for j in cands:
        last = j == n
        pen = pens[j] if (brk[j] or last) else EMERGENCY_PENALTY
        pen2 = pen * pen
        flag = flags[j]
        bw = 0.0 if last else brk_w[j]
        hang = 0.0 if last else hangs[j]
        if not (brk[j] or last) and chars[j - 1].isalpha() and chars[j].isalpha() and j not in p.url:
            bw += p.faces[p.face_of[j - 1]].adv("-")    # an emergency break inside a word draws a hyphen
        Pj, STj, SHj = P[j], ST[j], SH[j]
        b_tot[0] = b_tot[1] = b_tot[2] = b_tot[3] = inf
        q = lo
        nq = len(q_pos)
        while q < nq:
            avail = q_avail[q]
            L = Pj - q_P[q] - q_gw[q]
            if q_lead[q]:
                L -= q_lead[q]       # a line-start opening mark drops its blank half
            shrink = SHj - q_SH[q] - q_gsh[q]
            if L - shrink - max_hang > avail + EPS:
                # too long now, and longer for every later break: deactivate
                if q == lo:
                    lo += 1
                q += 1
                continue
            stretch = STj - q_ST[q] - q_gst[q] + ragged
            Lb = L + bw
            rb = None          # the ratio the badness is computed from, when not r
            hung = False
            if hang and Lb > avail + EPS:
                # too long with the mark's full box: hang its blank half when that shrinks the line less, or
                # stretches it less than shrinking would
                if Lb - hang >= avail - EPS:
                    Lb, hung = Lb - hang, True
                else:
                    r_full = (avail - Lb) / shrink if shrink > EPS else ninf
                    r_hung = (avail - Lb + hang) / stretch if stretch > EPS else MAX_RATIO
                    if r_hung < -r_full:
                        Lb, hung = Lb - hang, True
            if last:
                r = 0.0 if Lb <= avail + EPS else (avail - Lb) / shrink if shrink > EPS else ninf
            elif Lb < avail - EPS:
                if stretch > EPS:      # (prefix sums leave ~1e-15 where there is no glue)
                    r = (avail - Lb) / stretch
                else:
                    # no glue: only letter-spacing can fill the line (_set_line)
                    r = MAX_RATIO
                    rb = (avail - Lb) / max(1, j - q_pos[q] - 1) * ls_scale
            elif Lb > avail + EPS:
                r = (avail - Lb) / shrink if shrink > EPS else ninf
            else:
                r = 0.0
            if r < -1.0 - EPS:
                q += 1
                continue
            if r > tol:
                break      # later positions give shorter, even looser lines
            b = 100.0 * abs(r if rb is None else rb) ** 3
            d0 = (LINE_PENALTY + b) ** 2 + pen2
            if flag and q_flag[q]:
                d0 += DOUBLE_HYPHEN_DEMERITS
            d1 = d0 + FITNESS_DEMERITS        # (the sums in the plain algorithm's order: same floats)
            fit = 0 if r < -0.5 else 1 if r <= 0.5 else 2 if r <= 1.0 else 3
            if last:
                runt = _last_line_demerits(p, q_pos[q], start, lang)
                d0 += runt
                d1 += runt
                if q_flag[q]:
                    d0 += FINAL_HYPHEN_DEMERITS
                    d1 += FINAL_HYPHEN_DEMERITS
            best = b_tot[fit]
            for i in q_nodes[q]:
                f = a_fit[i]
                total = a_tot[i] + (d1 if f - fit > 1 or fit - f > 1 else d0)
                if total < best:
                    best = b_tot[fit] = total
                    b_node[fit], b_r[fit], b_hung[fit] = i, r, hung
            q += 1
        made = [fit for fit in range(4) if b_tot[fit] < inf]
        if made:
            # (with a margin far above rounding, so the plain algorithm could not have chosen a dropped node)
            cut = (min(b_tot[fit] for fit in made) + FITNESS_DEMERITS) * (1 + 1e-12) + 1.0
            ids = []
            for fit in made:
                if b_tot[fit] > cut:
                    continue       # dominated by another node here (see the docstring)
                ids.append(len(a_pos))
                a_pos.append(j)
                a_fit.append(fit)
                a_tot.append(b_tot[fit])
                a_flag.append(flag)
                a_prev.append(b_node[fit])
                a_r.append(b_r[fit])
                a_hung.append(b_hung[fit])
            q_pos.append(j)
            q_nodes.append(ids)
            q_flag.append(flag)
            q_avail.append(w_rest)
            q_P.append(Pj)
            q_gw.append(gw[j])
            q_lead.append(lead[j])
            q_ST.append(STj)
            q_gst.append(gst[j])
            q_SH.append(SHj)
            q_gsh.append(gsh[j])
            q_best.append(min(b_tot[fit] for fit in made))
            if beam is not None and len(q_pos) - lo > beam:
                worst = max(range(lo, len(q_pos)), key=q_best.__getitem__)
                for column in (q_pos, q_nodes, q_flag, q_avail, q_best, q_P, q_gw, q_lead, q_ST, q_gst, q_SH,
                               q_gsh):
                    del column[worst]
        if lo >= len(q_pos):
            return None
    if q_pos[-1] != n or lo >= len(q_pos):
        return None
    ends = q_nodes[-1]
    node = min(ends, key=a_tot.__getitem__)
    total = a_tot[node]
    out = []
    worst_line = 0.0
    while a_prev[node] >= 0:
        out.append((a_pos[node], a_r[node], a_hung[node]))
        worst_line = max(worst_line, a_tot[node] - a_tot[a_prev[node]])
        node = a_prev[node]
    return out[::-1], total, worst_line


def _emergency_breaks(p: Prepared, measure: float, everywhere: bool) -> set[int]:
    """Joints inside unbreakable pieces wider than the measure (or all joints), except where rules 1 and 2
    forbid a break: the last resort for text that cannot be set otherwise."""
    out: set[int] = set()
    start = 0
    for k in list(range(1, p.n)) + [p.n]:
        if k < p.n and not p.brk[k]:
            continue
        width = p.P[k] - p.P[start] - (p.gw[start] if start else 0.0)
        if everywhere or width > measure:
            fig = p.fig
            inner = [j for j in range(start + 1, k)
                     if everywhere or (p.chars[j] not in NO_START and p.chars[j - 1] not in NO_END
                                       and not (fig[j] and fig[j] == fig[j - 1] and p.space[j] != 2))]
            if not everywhere and any(j in p.late_hyph for j in inner):
                # a capitalised word: break it at its hyphenation points only (other joints, in numbers or
                # codes glued to it, stay available)
                chars = p.chars
                inner = [j for j in inner if j in p.late_hyph or not (chars[j - 1].isalpha() and chars[j].isalpha())]
            out.update(inner)
        start = k
    return out


def _last_line_demerits(p: Prepared, pos: int, start: int, lang: Lang) -> float:
    """Rule 8: runt last lines (the last line starts at `pos`)."""
    if pos == start:
        return 0.0      # a one-line paragraph has nothing to pull down
    if lang == "zh" or p.han[p.n] - p.han[pos] > 0:
        return RUNT_DEMERITS if p.han[p.n] - p.han[pos] < 2 else 0.0
    if p.spaces[p.n] - p.spaces[pos + 1] == 0:      # a single word alone
        return RUNT_DEMERITS if p.n - pos <= 6 else LONE_WORD_DEMERITS
    return 0.0


# --------------------------------------------------------------------------------------------- setting

def _set_line(p: Prepared, i: int, j: int, r: float, x0: float, measure: float, last: bool,
              hung: bool = False, lead: float = 0.0) -> Line:
    """Set characters i..j-1 as one line. `lead`: the blank half a line-start opening mark drops."""
    style = p.style
    justify = style.align == "justify" and not last
    ratio = r if justify else min(r, 0.0)
    if ratio == float("inf"):
        ratio = 0.0
    amounts = _glue_amounts(p, i, j, ratio)
    # an emergency break between two letters draws a hyphen, except inside a URL (it would change the address)
    hyphenated = j < p.n and (p.hyph[j] or (not p.brk[j] and p.chars[j - 1].isalpha()
                                             and p.chars[j].isalpha() and j not in p.url))
    hyphen_w = p.faces[p.face_of[j - 1]].adv("-") if hyphenated else 0.0
    tail = 0.0 if j >= p.n else p.brk_w[j] - (p.hang[j] if hung else 0.0) + (0.0 if p.hyph[j] else hyphen_w)
    boxes = sum(p.cw[i:j]) - lead
    natural = boxes + sum(p.gw[i + 1:j]) + tail
    if justify and ratio > 1.0 and style.lang == "en":
        _track(p, i, j, amounts)
    set_w = boxes + sum(amounts) + tail
    if justify and j - i > 1 and abs(measure - set_w) > 0.01:
        # No glue could take up the difference (a line that is one long code or URL): letter-space it,
        # the last resort that keeps the right edge straight.
        # (CJK–Latin spacing stays within its ⅛–⅓ em when there is anything else to take the difference)
        spread = [k - i - 1 for k in range(i + 1, j) if p.kind[k] != G_CJK_LATIN] or list(range(j - i - 1))
        extra = (measure - set_w) / len(spread)
        for m in spread:
            amounts[m] += extra
        set_w = measure
    offset = 0.0
    if style.align == "center":
        offset = (measure - set_w) / 2
    elif style.align == "right":
        offset = measure - set_w
    chars: list[str] = []
    xs: list[float] = []
    advs: list[float] = []
    faces: list[_Face] = []
    x = x0 + offset
    p_faces, face_of, space, p_chars, p_adv, tl, cw = p.faces, p.face_of, p.space, p.chars, p.adv, p.tl, p.cw
    hscale = p.hscale
    scaled: list[tuple[int, float]] = []
    link_x: dict[int, float] | None = {} if p.links else None   # box start of each character, for links
    for k in range(i, j):
        face = p_faces[face_of[k]]
        if k > i:
            if space[k]:
                chars.append(" ")
                xs.append(x)
                advs.append(face.adv(" "))
                faces.append(face)
            x += amounts[k - i - 1]
        if k in hscale:
            scaled.append((len(chars), hscale[k]))
        if link_x is not None:
            link_x[k] = x
        chars.append(p_chars[k])
        if k == i and lead:
            xs.append(x - lead)
            x -= lead
        else:
            xs.append(x - tl[k])
        advs.append(p_adv[k])
        faces.append(face)
        x += cw[k]
    links = ()
    if link_x is not None:
        # a link broken across lines gets a rectangle on each, every one with the whole address
        links = tuple((link_x[max(a, i)], link_x[min(b, j) - 1] + cw[min(b, j) - 1], url)
                      for a, b, url in p.links if a < j and b > i)
    if j < p.n:
        x += tail
        if hyphenated:
            chars.append("-")
            xs.append(x - hyphen_w)
            advs.append(hyphen_w)
            faces.append(p_faces[face_of[j - 1]])
    return Line("".join(chars), tuple(xs), tuple(advs), tuple(faces), x0, measure, natural, x - x0 - offset,
                ratio, last, hyphenated, i, j, justify and ratio > LOOSE,
                max((f.size for f in faces), default=0.0), tuple(scaled), links)


def _track(p: Prepared, i: int, j: int, amounts: list[float]) -> None:
    """An English line whose word spaces stretch past their limit (ratio > 1: the line before a figure
    that cannot be broken, `… for the year was` / `CNY 121.0207 trillion`) gives part of the excess to
    its letters, at most TRACK_EM between two, so that its word spaces open less (0.85 em -> 0.6 em).
    The breaks stay the breaker's; only the spacing inside the line changes."""
    letters = [k - i - 1 for k in range(i + 1, j)
               if not p.space[k] and p.cls[k - 1] in "LD" and p.cls[k] in "LD"]
    spaces = [k - i - 1 for k in range(i + 1, j) if p.kind[k] == G_SPACE]
    if not letters or not spaces:
        return
    limit = {m: p.gw[i + 1 + m] + p.gst[i + 1 + m] for m in spaces}   # each space at ratio 1
    excess = sum(amounts[m] - limit[m] for m in spaces)
    move = min(excess, TRACK_EM * p.style.size * len(letters))
    if move <= 0:
        return
    keep = 1.0 - move / excess
    for m in spaces:
        amounts[m] = limit[m] + (amounts[m] - limit[m]) * keep
    for m in letters:
        amounts[m] += move / len(letters)


def _glue_amounts(p: Prepared, i: int, j: int, ratio: float) -> list[float]:
    """Glue widths of joints i+1..j-1; CJK–Latin spacing stays ≤ ⅓ em by giving its excess to the rest."""
    ks = range(i + 1, j)
    if ratio <= 1.0:
        if ratio >= 0:
            return [p.gw[k] + ratio * p.gst[k] for k in ks]
        return [p.gw[k] + ratio * p.gsh[k] for k in ks]
    capped = sum(p.gst[k] for k in ks if p.kind[k] == G_CJK_LATIN)
    other = sum(p.gst[k] for k in ks if p.kind[k] != G_CJK_LATIN)
    if capped == 0:
        return [p.gw[k] + ratio * p.gst[k] for k in ks]
    if other == 0:      # nothing else stretches: cap anyway; _set_line letter-spaces the rest
        return [p.gw[k] + p.gst[k] for k in ks]
    r2 = (ratio * (capped + other) - capped) / other
    return [p.gw[k] + (p.gst[k] if p.kind[k] == G_CJK_LATIN else r2 * p.gst[k]) for k in ks]

