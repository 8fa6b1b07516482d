"""`briefing check --terms`: the Chinese terms a briefing uses at least twice, with every English rendering
used beside them, so that one term rendered several ways stands out.

Which strings are terms: the glossary's, the Chinese labels of the data, the Chinese side of every short
text that is a name by itself (a table cell, a chart or key-figure label, a column heading), and names in
Chinese quotation marks (“三保”). Where a term's English rendering is: a rendering the glossary gives,
or the English side of a short text whose Chinese side is exactly the term; failing those, the shortest
stretch of the English side holding all the content words of such a rendering.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .. import model as m
from ..errors import Where
from ..plural import counted
from .texts import HAN, placeholders, sites
from .words import find_rendering, stem, words

SHORT = 8           # Chinese characters: a text this short, all Han, is a term (longer ones are phrases)
MIN_LABEL = 4       # shorter labels (全省, 指标) are words, not terms
# the texts that name something by themselves: labels of data, charts and key figures, a table's first column
NAMING = re.compile(r"(\.label|\.series\[\d+\]|\.x\[\d+\]|\.rows\[\d+\]\[0\])$")
STOP = {"of", "and", "in", "for", "on", "to", "by", "with", "at", "from"}


@dataclass
class Use:
    where: Where
    rendering: str | None     # as found in the English side; None when none was found
    text: str = ""            # the English side


def _clip(s: str, n: int = 60) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


@dataclass
class Term:
    zh: str
    uses: list[Use] = field(default_factory=list)
    preferred: tuple[str, ...] = ()      # the glossary's renderings, canonical

    def renderings(self) -> dict[str, list[Use]]:
        out: dict[str, list[Use]] = {}
        for u in self.uses:
            key = " ".join(w for w, _, _ in words(u.rendering)) if u.rendering else ""
            out.setdefault(key, []).append(u)
        return out


def _canon(s: str) -> str:
    return " ".join(s.replace("\u00a0", " ").replace("-", " ").split()).lower()


def _is_term(s: str, longest: int = SHORT) -> bool:
    s = s.strip()
    return 2 <= len(s) <= longest and not placeholders(s) and all(HAN.match(c) or c in "“”" for c in s) \
        and HAN.search(s) is not None


def collect(b: m.Briefing) -> list[Term]:
    printed = [site for site in sites(b) if site.printed and site.role == "text"]
    candidates: dict[str, set[str]] = {}      # term → known renderings
    glossary = {t.zh: t for t in b.glossary}
    for t in b.glossary:
        candidates.setdefault(t.zh, set()).update(t.en)
    for metric in b.data.values():
        if metric.label and _is_term(metric.label.zh) and len(metric.label.zh.strip()) >= MIN_LABEL:
            candidates.setdefault(metric.label.zh.strip(), set()).add(_strip_tail(metric.label.en))
    for site in printed:
        zh, en = site.text.zh.strip(), site.text.en.strip()
        if _is_term(zh) and zh != en and len(zh) >= MIN_LABEL and NAMING.search(site.field):
            candidates.setdefault(zh, set()).add(_strip_tail(en))
        for mt in re.finditer(r"“([^”]{2,12})”", zh):
            if _is_term(mt.group(1)):
                candidates.setdefault(mt.group(1), set())
    terms = []
    for zh_term, known in candidates.items():
        term = Term(zh_term)
        for site in printed:
            zh = site.text.zh
            if zh_term not in zh:
                continue
            side = getattr(site.text.where, "zh", None)
            where = side.at(zh, zh.index(zh_term)) if side is not None else (site.text.where or Where(b.path))
            term.uses.append(Use(where, _rendering(site.text.en, tuple(sorted(known))), site.text.en))
        if zh_term in glossary:
            term.preferred = tuple(_canon(e) for e in glossary[zh_term].en)
        if len(term.uses) >= 2:
            terms.append(term)
    # several renderings first, then the most used
    terms.sort(key=lambda t: (-len(t.renderings()), -len(t.uses), t.zh))
    return terms


def _stems_equal(a: str, b: str) -> bool:
    return [w for w, _, _ in words(a)] == [w for w, _, _ in words(b)]


def _strip_tail(s: str) -> str:
    """A label's rendering without a trailing `, May` or `(derived)`: the term, not its qualifiers."""
    return re.sub(r"\s*(\(.*\)|,.*)$", "", s).strip() or s


def _rendering(en: str, known: tuple[str, ...]) -> str | None:
    shown = en
    for p in placeholders(en):      # placeholders are no words of the text
        en = en[:p.start] + " " * (p.end - p.start) + en[p.end:]
    hit = find_rendering(en, known)
    if hit:
        return shown[hit[1]:hit[2]].strip("“”‘’\"'")
    # failing that, the stretch holding most content words of a known rendering (at least half of them,
    # and two), in any order: "value added above designated size"
    text = words(en)
    best: tuple[int, int, int] | None = None        # (-matched, length, start index)
    span: tuple[int, int] | None = None
    for r in known:
        want = {w for w, _, _ in words(r) if w not in STOP}
        need = len(want) if len(want) <= 2 else max(2, (len(want) + 1) // 2)
        for i in range(len(text)):
            if text[i][0] not in want:
                continue
            seen: set[str] = set()
            for j in range(i, min(len(text), i + 2 * len(want) + 2)):
                if text[j][0] in want:
                    seen.add(text[j][0])
                    if len(seen) >= need:
                        rank = (-len(seen), text[j][2] - text[i][1], i)
                        if best is None or rank < best:
                            best, span = rank, (text[i][1], text[j][2])
    return " ".join(shown[span[0]:span[1]].split()).strip("“”‘’\"'") if span else None


def report(terms: list[Term], path: str) -> list[str]:
    """The text listing: one block per term, renderings with their count and lines."""
    lines = []
    several = sum(1 for t in terms if len(t.renderings()) > 1)
    for t in terms:
        groups = t.renderings()
        mark = "*" if len(groups) > 1 else " "
        lines.append(f"{mark} {t.zh} ({counted(len(t.uses), 'use')}, {counted(len(groups), 'rendering')})")
        for key, uses in sorted(groups.items(), key=lambda g: (-len(g[1]), g[0])):
            shown = uses[0].rendering or f"(no known rendering in “{_clip(uses[0].text)}”)"
            if key and any(_stems_equal(uses[0].rendering or "", p) for p in t.preferred):
                shown += " [glossary]"
            at = ", ".join(str(u.where.line) for u in uses if u.where.line)
            lines.append(f"      {shown} ×{len(uses)}: {path} line {at}" if at else f"      {shown} ×{len(uses)}")
    lines.append(f"{counted(len(terms), 'term')} used at least twice; {several} rendered in more than one way "
                 "(marked *)")
    return lines


def as_json(terms: list[Term]) -> list[dict]:
    return [{"zh": t.zh, "uses": len(t.uses), "glossary": list(t.preferred) or None, "renderings": [
        {"en": uses[0].rendering, "count": len(uses),
         "places": [{"line": u.where.line, "column": u.where.col} for u in uses]}
        for key, uses in sorted(t.renderings().items(), key=lambda g: (-len(g[1]), g[0]))]} for t in terms]


__all__ = ["Term", "Use", "as_json", "collect", "report", "stem"]
