"""Matching terms: Chinese glossary terms found in a Chinese text, English renderings found in an English
text regardless of case, hyphens, quotation marks, articles and plural -s."""
from __future__ import annotations

import re
from functools import lru_cache

from .. import model as m

ARTICLES = {"the", "a", "an"}
_WORD = re.compile(r"[0-9A-Za-z\u00c0-\u024f]+(?:['’][A-Za-z]+)?")


def stem(word: str) -> str:
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) > 3 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        return w[:-1]
    return w


@lru_cache(maxsize=4096)
def words(s: str) -> tuple[tuple[str, int, int], ...]:
    """(stem, start, end) of each word, articles left out."""
    out = []
    for mt in _WORD.finditer(s):
        if mt.group(0).lower() in ARTICLES:
            continue
        out.append((stem(mt.group(0)), mt.start(), mt.end()))
    return tuple(out)


@lru_cache(maxsize=4096)
def _stems(s: str) -> tuple[str, ...]:
    return tuple(w for w, _, _ in words(s))


def find_all(s: str, rendering: str) -> list[tuple[int, int]]:
    """Every place a rendering occurs in `s` as words: (start, end) in `s`."""
    want = _stems(rendering)
    if not want:
        return []
    text = words(s)
    out = []
    for i in range(len(text) - len(want) + 1):
        if text[i][0] == want[0] and all(text[i + k][0] == w for k, w in enumerate(want)):
            out.append((text[i][1], text[i + len(want) - 1][2]))
    return out


def find_rendering(s: str, renderings: tuple[str, ...]) -> tuple[str, int, int] | None:
    """The longest rendering that occurs in `s` (as words): (rendering, start, end) in `s`."""
    best = None
    for r in renderings:
        hits = find_all(s, r)
        if hits and (best is None or len(_stems(r)) > len(_stems(best[0]))):
            best = (r, *hits[0])
    return best


def contains_rendering(s: str, renderings: tuple[str, ...]) -> bool:
    return find_rendering(s, renderings) is not None


_TERMS_RE: dict[int, tuple[tuple[m.Term, ...], re.Pattern, dict[str, m.Term]]] = {}


def _terms_re(glossary: tuple[m.Term, ...]) -> tuple[re.Pattern, dict[str, m.Term]]:
    cached = _TERMS_RE.get(id(glossary))        # by identity: hashing every term per text is slow
    if cached is not None and cached[0] is glossary:
        return cached[1], cached[2]
    rx, by_zh = _compile_terms(glossary)
    if len(_TERMS_RE) > 16:
        _TERMS_RE.clear()
    _TERMS_RE[id(glossary)] = (glossary, rx, by_zh)
    return rx, by_zh


def _compile_terms(glossary: tuple[m.Term, ...]) -> tuple[re.Pattern, dict[str, m.Term]]:
    """One pattern for all terms, longer ones first, so that at each place the longest term wins."""
    by_zh = {t.zh: t for t in glossary}
    rx = re.compile("|".join(re.escape(z) for z in sorted(by_zh, key=lambda z: (-len(z), z))))
    return rx, by_zh


def find_terms(zh: str, glossary: tuple[m.Term, ...]) -> list[tuple[m.Term, int]]:
    """Glossary terms in a Chinese text, the longest where they overlap (规模以上工业增加值, not the
    工业增加值 inside it), each with its offset."""
    if not glossary:
        return []
    rx, by_zh = _terms_re(glossary)
    return [(by_zh[mt.group(0)], mt.start()) for mt in rx.finditer(zh)]
