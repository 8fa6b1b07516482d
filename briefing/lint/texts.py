"""Every text of a briefing with what it is for (printed text, a unit, an unprinted note), and each side of
a text seen the way the checks need it: its placeholders, the spans the editor marked as names, the
position of any character in the content file."""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

from .. import model as m
from ..errors import Where

# a placeholder as the loader accepts it ({key} or {key:form}); {{ and }} are literal braces
PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")
# Chinese punctuation and full-width forms (，。、：；！？（）《》【】…), which English text never needs
CJK_PUNCT = re.compile(r"[\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]")


@dataclass(frozen=True)
class Site:
    text: m.Text
    field: str
    role: str      # "text": printed; "unit": a metric's unit; "note": a metric's note (never printed)

    @property
    def printed(self) -> bool:
        return self.role != "note"

    @property
    def plain(self) -> bool:
        """A plain string standing for both languages (a table cell like "{gdp.growth}" or "—")."""
        w = self.text.where
        return getattr(w, "zh", None) is not None and getattr(w, "zh", None) is getattr(w, "en", None)


def sites(b: m.Briefing) -> Iterator[Site]:
    """Every text of the briefing, in file order within each part."""
    for name in ("masthead", "title", "running_title", "subtitle", "author", "source"):
        t = getattr(b, name)
        if t is not None:
            yield Site(t, name, "text")
    for key, metric in b.data.items():
        for name in ("label", "scope", "unit", "note"):
            t = getattr(metric, name)
            if t is not None:
                role = {"unit": "unit", "note": "note"}.get(name, "text")
                yield Site(t, f"data.{key}.{name}", role)
    for i, s in enumerate(b.sections):
        yield from _section(s, f"sections[{i}]")


def _section(s: m.Section, path: str) -> Iterator[Site]:
    if s.heading is not None:
        yield Site(s.heading, path + ".heading", "text")
    if s.byline:
        yield Site(s.byline, path + ".byline", "text")
    for i, blk in enumerate(s.blocks):
        yield from _block(blk, f"{path}.blocks[{i}]")
    for i, sub in enumerate(s.sections):
        yield from _section(sub, f"{path}.sections[{i}]")


def _block(blk: m.Block, path: str) -> Iterator[Site]:
    def opt(t: m.Text | None, p: str) -> Iterator[Site]:
        if t is not None:
            yield Site(t, p, "text")

    if isinstance(blk, (m.Paragraph, m.Heading, m.SourceNote)):
        kind = {m.Paragraph: "paragraph", m.Heading: "heading", m.SourceNote: "source"}[type(blk)]
        yield Site(blk.text, f"{path}.{kind}", "text")
    elif isinstance(blk, m.Bullets):
        for i, t in enumerate(blk.items):
            yield Site(t, f"{path}.bullets[{i}]", "text")
    elif isinstance(blk, m.Figures):
        yield from opt(blk.title, path + ".figures.title")
        for i, it in enumerate(blk.items):
            yield from opt(it.label, f"{path}.figures.items[{i}].label")
            yield from opt(it.note, f"{path}.figures.items[{i}].note")
    elif isinstance(blk, m.Table):
        yield from opt(blk.title, path + ".table.title")
        for i, c in enumerate(blk.columns):
            yield Site(c, f"{path}.table.columns[{i}]", "text")
        for r, row in enumerate(blk.rows):
            for c, cell in enumerate(row):
                yield Site(cell, f"{path}.table.rows[{r}][{c}]", "text")
        yield from opt(blk.note, path + ".table.note")
    elif isinstance(blk, m.Chart):
        p = path + ".chart"
        for name in ("title", "unit", "source", "center"):
            yield from opt(getattr(blk, name), f"{p}.{name}")
        items = "parts" if blk.kind == "donut" else "items"
        for i, it in enumerate(blk.items):
            yield from opt(it.label, f"{p}.{items}[{i}].label")
            yield from opt(it.note, f"{p}.{items}[{i}].note")
        if blk.reference:
            yield from opt(blk.reference.label, p + ".reference.label")
            yield from opt(blk.reference.note, p + ".reference.note")
        if blk.kind == "grouped":
            for i, t in enumerate(blk.series):
                yield Site(t, f"{p}.series[{i}]", "text")
            for i, (label, _) in enumerate(blk.groups):
                yield Site(label, f"{p}.groups[{i}].label", "text")
        elif blk.kind == "line":
            for i, (label, _) in enumerate(blk.groups):
                yield Site(label, f"{p}.series[{i}].label", "text")
            for i, t in enumerate(blk.x):
                yield Site(t, f"{p}.x[{i}]", "text")


# ------------------------------------------------------------------ one side of a text

@dataclass(frozen=True)
class Placeholder:
    start: int
    end: int
    key: str
    form: str | None


def placeholders(s: str) -> list[Placeholder]:
    """The placeholders of a template string, by the one grammar (briefing/placeholders.py)."""
    from ..placeholders import Ref, parse

    tpl, _ = parse(s, "en")
    return [Placeholder(p.offset, p.offset + len(p.source), p.key, ":".join(sorted(p.forms)) or None)
            for run in tpl for p in run.pieces if isinstance(p, Ref)]


def text_placeholders(text: m.Text, lang: m.Lang) -> list[Placeholder]:
    """The placeholders of one side of a loaded text, from the template the loader parsed."""
    from ..placeholders import Ref

    try:
        tpl = text.template(lang)  # type: ignore[arg-type]
    except ValueError:
        return placeholders(text.get(lang))  # type: ignore[arg-type]
    return [Placeholder(p.offset, p.offset + len(p.source), p.key, ":".join(sorted(p.forms)) or None)
            for run in tpl for p in run.pieces if isinstance(p, Ref)]


@dataclass
class Marks:
    """The names of a briefing as they are matched in text: `names:` entries, and glossary terms and
    renderings that hold digits (their digits are part of the name). Records which entries were seen."""

    names: tuple[m.Name, ...]
    terms: tuple[m.Term, ...]
    used: set[str] = field(default_factory=set)

    @cached_property
    def patterns(self) -> dict[str, list[tuple[str, re.Pattern | None]]]:
        out: dict[str, list[tuple[str, re.Pattern | None]]] = {"zh": [], "en": []}
        for n in self.names:
            for lang in ("zh", "en"):
                out[lang].append((n.text, _name_re(n.text)))
        for t in self.terms:
            if re.search(r"\d", t.zh):
                out["zh"].append((t.zh, _name_re(t.zh)))
            for en in t.en:
                if re.search(r"\d", en):
                    out["en"].append((en, None))   # matched as words: “20 Measures” for …
        for lang in out:
            out[lang].sort(key=lambda p: -len(p[0]))
        return out

    def spans(self, s: str, lang: m.Lang) -> list[tuple[int, int]]:
        spans: list[tuple[int, int]] = []
        for text, rx in self.patterns[lang]:
            found = [(mt.start(), mt.end()) for mt in rx.finditer(s)] if rx else _rendering_spans(s, text)
            for a0, b0 in found:
                if any(a < b0 and a0 < b for a, b in spans):
                    continue
                spans.append((a0, b0))
                self.used.add(text)
        return spans


def _rendering_spans(s: str, rendering: str) -> list[tuple[int, int]]:
    from .words import find_all

    digits = re.findall(r"\d+", rendering)
    if any(d not in s for d in digits):      # cheap: most texts lack the rendering's digits
        return []
    return find_all(s, rendering)


def _name_re(name: str, fold: bool = False) -> re.Pattern:
    """A name matched as written, never inside a longer run of letters or digits (`345` is not in `13456`);
    white space in the name matches any white space."""
    body = r"\s+".join(re.escape(part) for part in name.split())
    left = r"(?<![0-9A-Za-z])" if name[:1].isascii() and name[:1].isalnum() else ""
    right = r"(?![0-9A-Za-z])" if name[-1:].isascii() and name[-1:].isalnum() else ""
    return re.compile(left + body + right, re.I if fold else 0)


_DIGIT = re.compile(r"\d")


def _outside(s: str, phs: list[Placeholder]) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for p in sorted(phs, key=lambda p: p.start):
        spans.append((pos, p.start))
        pos = p.end
    spans.append((pos, len(s)))
    return spans


@dataclass
class Side:
    """One language's string of a text, with its placeholders and marked names."""

    site: Site
    lang: m.Lang
    marks: Marks

    @cached_property
    def s(self) -> str:
        return self.site.text.get(self.lang)  # type: ignore[arg-type]

    @cached_property
    def placeholders(self) -> list[Placeholder]:
        return text_placeholders(self.site.text, self.lang)

    @cached_property
    def has_digits(self) -> bool:
        """Digits outside placeholders (a data key may hold digits: {yoy.y2015.q1})."""
        if not _DIGIT.search(self.s):
            return False
        return any(_DIGIT.search(self.s[a:b]) for a, b in _outside(self.s, self.placeholders))

    @cached_property
    def figures(self) -> list:
        from .figures import scan

        return scan(self.s, self.lang)

    @cached_property
    def masked(self) -> list[tuple[int, int]]:
        """Spans that are not the editor's literal text: placeholders, braces, names."""
        spans = [(p.start, p.end) for p in self.placeholders]
        spans += [(mt.start(), mt.end()) for mt in re.finditer(r"\{\{|\}\}", self.s)]
        return spans + self.marks.spans(self.s, self.lang)

    def is_masked(self, start: int, end: int) -> bool:
        return any(a < end and start < b for a, b in self.masked)

    @cached_property
    def bare(self) -> str:
        """The string with placeholders and names blanked out (same length, so offsets hold)."""
        chars = list(self.s)
        for a, b in self.masked:
            chars[a:b] = " " * (b - a)
        return "".join(chars)

    def where(self, offset: int) -> Where:
        w = self.site.text.where
        side = getattr(w, self.lang, None)
        if side is not None and hasattr(side, "at"):
            return side.at(self.s, offset)
        return w if isinstance(w, Where) else Where("?")

    @property
    def field(self) -> str:
        return self.site.field if self.site.plain else f"{self.site.field}.{self.lang}"
