"""The text checks: stray figures, both sides saying the same, each side in its language, terminology."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from functools import cached_property

from .. import model as m
from . import LintWarning
from .figures import CALENDAR, SOME_YEAR, Figure
from .texts import CJK_PUNCT, HAN, Marks, Side, Site, sites
from .words import contains_rendering, find_terms

LANG_NAME = {"zh": "Chinese", "en": "English"}


def run_checks(b: m.Briefing) -> list[LintWarning]:
    marks = Marks(b.names, b.glossary)
    run = _Run(b, marks)
    for site in sites(b):
        sides = {lang: Side(site, lang, marks) for lang in m.LANGS}
        if site.printed:
            run.stray(sides["zh"])
            if not site.plain:
                run.stray(sides["en"])
                run.both_sides(sides["zh"], sides["en"])
            run.terms(sides["zh"], sides["en"])
        run.language(site, sides["zh"], sides["en"])
    for name in b.names:
        if name.text not in marks.used:
            has = re.search(r"\d", name.text) or HAN.search(name.text)
            run.out.append(LintWarning(
                "unused-name", name.where or m.Where(b.path), "names",
                f"the name ‘{name.text}’ " + ("occurs in no text" if has else
                                              "has neither digits nor Chinese characters, so it marks nothing"),
                "remove it from `names:`"))
    return run.out


# ------------------------------------------------------------------ the renderings of every metric

def _plain(s: str) -> str:
    return s.replace("\u00a0", " ").replace("\u202f", " ")


class _Renderings:
    """Every metric in every form, as printed in one language, by the real formatter: what a typed figure
    is compared with to suggest a placeholder."""

    def __init__(self, data: dict[str, m.Metric], lang: m.Lang, dates: bool = False,
                 zh_grouping: bool = False) -> None:
        self.data, self.lang, self.zh_grouping = data, lang, zh_grouping
        if dates:     # only the dates: what a year, month or day typed in prose is compared with
            self.data = {k: v for k, v in data.items() if isinstance(v.value, dt.date)}

    @cached_property
    def forms(self) -> list[tuple[str, str]]:
        """(printed text, placeholder), longest text first."""
        from ..numbers import format_metric
        from ..placeholders import forms_of

        out = []
        for key, metric in self.data.items():
            # every form but `change`, whose verb is better left to the text: 增长{x}, not {x:change}
            for form in [None, *(f for f in forms_of(metric.kind) if f != "change")]:
                try:
                    text = _plain(format_metric(metric, self.lang, form, zh_grouping=self.zh_grouping))
                except Exception:  # noqa: BLE001 - a form this metric cannot print is no suggestion
                    continue
                if text:
                    out.append((text, "{" + key + (f":{form}" if form else "") + "}"))
        out.sort(key=lambda p: -len(p[0]))
        return out

    def at(self, s: str, start: int, end: int) -> tuple[list[tuple[str, str]], tuple[int, int]]:
        """The forms printed exactly where the figure stands (the longest that covers it, and its equals,
        one per metric) and the span they cover."""
        s = _plain(s)
        best: list[tuple[str, str]] = []
        span = (start, end)
        keys: set[str] = set()
        for text, ph in self.forms:
            if best and len(text) < len(best[0][0]):
                break
            # the occurrences that could cover the figure start at most len(text) before it
            i = s.find(text, max(0, end - len(text)), start + len(text))
            while 0 <= i <= start:
                if end <= i + len(text) and _bounded(s, i, i + len(text)):
                    key = ph.strip("{}").partition(":")[0]
                    if key not in keys:       # {x} and {x:full} print alike in English: name {x}
                        keys.add(key)
                        best.append((text, ph))
                    span = (i, i + len(text))
                    break
                i = s.find(text, i + 1, start + len(text))
        return best, span


def _bounded(s: str, a: int, b: int) -> bool:
    """A printed form found in text stands alone: no digit runs on from it (6.3% is not in 16.3%)."""
    before, after = s[a - 1:a], s[b:b + 1]
    return not (before.isdigit() or before == "." or (after.isdigit() and s[b - 1:b].isdigit()))


def _flavour(side: Side, f: Figure) -> str:
    """What a typed number is, by its neighbours: percent, pp (percentage points), rank or amount."""
    s = side.s
    after = _plain(s[f.end:f.end + 20]).lstrip().lower()
    if f.text.endswith("%") or after.startswith(("per cent", "percent")):
        return "percent"
    if after.startswith(("个百分点", "percentage point")):
        return "pp"
    if re.search(r"(st|nd|rd|th)$", f.text) or (s[f.start - 1:f.start] == "第" and after[:1] in ("位", "名")):
        return "rank"
    return "amount"


_FLAVOUR_KINDS = {"percent": ("percent", "permille"), "pp": ("pp",), "rank": ("rank",),
                  "amount": ("count", "money", "quantity", "number", "multiple")}


class _Run:
    def __init__(self, b: m.Briefing, marks: Marks) -> None:
        self.b, self.marks = b, marks
        self.out: list[LintWarning] = []
        self.renderings = {lang: _Renderings(b.data, lang, zh_grouping=b.zh_grouping) for lang in m.LANGS}
        self.dates = {lang: _Renderings(b.data, lang, dates=True) for lang in m.LANGS}

    def warn(self, kind: str, side: Side, offset: int, what: str, fix: str, suggestion: str | None = None) -> None:
        self.out.append(LintWarning(kind, side.where(offset), side.field, what, fix, suggestion))

    # ---------------------------------------------------------------- 1. stray figures

    def stray(self, side: Side) -> None:
        if not side.has_digits:
            return
        seen: set[tuple[int, int]] = set()
        reported: list[tuple[int, int]] = []     # printed forms already reported (30 July 2025 is one)
        for f in side.figures:
            if f.words or side.is_masked(f.start, f.end):
                continue
            a, b = _token(side.s, f)
            if (a, b) in seen or any(x <= f.start and f.end <= y for x, y in reported):
                continue        # 3+13+N is one warning, not two
            seen.add((a, b))
            shown = _plain(side.s[a:b]).strip() or f.text
            name_like = (a, b) != (f.start, f.end) and not re.fullmatch(r"[\d.,%]+", shown)
            if f.kind in CALENDAR:
                # a year, month or day of the calendar in prose is text (both sides compared), unless it is
                # a date of the data as printed (which has a day: looked up from the day only)
                if f.kind != "day":
                    continue
                forms, span = self.dates[side.lang].at(side.s, f.start, f.end)
                if not forms:
                    continue
            else:
                forms, span = ([], (a, b)) if name_like else self.renderings[side.lang].at(side.s, f.start, f.end)
            if not _distinctive(f):   # a small whole number matches too much: only a form with its unit counts
                forms = [(t, ph) for t, ph in forms if not re.fullmatch(r"[\d.,]+", t)]
            if forms:
                reported.append(span)
                phs = list(dict.fromkeys(ph for _, ph in forms))
                printed = forms[0][0]
                self.warn("stray-figure", side, f.start,
                          f"figure ‘{printed}’ typed as text; it is how {_or(phs)} prints",
                          f"write {_or(phs)}", phs[0])
                continue
            same = [] if name_like or not _distinctive(f) else self._same_value(side, f)
            if same:
                phs = [ph for ph, _ in same]
                self.warn("stray-figure", side, f.start,
                          f"figure ‘{shown}’ typed as text; it has the value of {_or(phs)} "
                          f"(printed {same[0][1]})",
                          f"write {_or(phs)} (or the form you mean)", phs[0])
                continue
            self.warn("stray-figure", side, f.start, f"figure ‘{shown}’ typed as text",
                      "define it under `data:` and write its placeholder, or add the name to `names:` if the "
                      "digits belong to a name")

    def _same_value(self, side: Side, f: Figure) -> list[tuple[str, str]]:
        from ..numbers import format_metric

        kinds = _FLAVOUR_KINDS[_flavour(side, f)]
        out = []
        for key, metric in self.b.data.items():
            if metric.kind not in kinds or not isinstance(metric.value, Decimal):
                continue
            value = metric.value if metric.kind in ("percent", "pp", "permille", "rank", "multiple") \
                else metric.number
            if abs(value) == f.value:
                out.append(("{" + key + "}", _plain(format_metric(metric, side.lang,
                                                                   zh_grouping=self.b.zh_grouping))))
        return out[:3]

    # ---------------------------------------------------------------- 2. both sides say the same

    def both_sides(self, zh: Side, en: Side) -> None:
        keys = {lang: {p.key for p in side.placeholders} for lang, side in (("zh", zh), ("en", en))}
        if keys["zh"] == keys["en"] and not (zh.has_digits or en.has_digits):
            return      # the same data, and nothing typed that could differ (figures in words never do)
        figs = {lang: [f for f in side.figures if not side.is_masked(f.start, f.end)]
                for lang, side in (("zh", zh), ("en", en))}
        # what each side types: its figures, and the months it names in words (July)
        typed = {lang: {f.value for f in figs[lang] if not f.words or f.kind == "month"} for lang in figs}

        def untyped(ks: set[str], other: str) -> set[str]:
            """Keys the other side does not give by a typed figure of the same value."""
            return {k for k in ks if not (self._placeholder_values({k}) and all(
                v in typed[other] for _, v in self._placeholder_values({k})))}

        only_zh = untyped(keys["zh"] - keys["en"], "en")
        only_en = untyped(keys["en"] - keys["zh"], "zh")
        values = {lang: self._placeholder_values(keys[lang]) for lang in keys}
        # a typed figure that another side gives by placeholder is a stray figure, already reported
        missing: dict[str, list[Figure]] = {}
        for lang, other in (("zh", "en"), ("en", "zh")):
            answers = {f.key for f in figs[other]} | {(k, v) for k, v in values[other]}
            loose = {f.value for f in figs[other] if not f.words} | {v for _, v in values[other]}
            missing[lang] = [f for f in figs[lang] if not f.words and f.key not in answers
                             and not (f.kind == "number" and f.value in loose)
                             and not (f.kind in CALENDAR and ("number", f.value) in answers)
                             and not (f.kind == "year" and ("year", SOME_YEAR) in answers)]
        if only_zh or only_en:
            side, offset = (zh, _ph_at(zh, only_zh)) if only_zh else (en, _ph_at(en, only_en))
            have = lambda ks: ", ".join("{" + k + "}" for k in sorted(ks))  # noqa: E731
            if only_zh and only_en:
                what = f"the Chinese side has {have(only_zh)} where the English side has {have(only_en)}"
            elif only_zh:
                what = f"the Chinese side has {have(only_zh)}, the English side does not"
            else:
                what = f"the English side has {have(only_en)}, the Chinese side does not"
            self.warn("placeholders-differ", side, offset, what,
                      "refer to the same figures on both sides")
        if missing["zh"] or missing["en"]:
            first = zh if missing["zh"] else en
            f0 = (missing["zh"] or missing["en"])[0]
            other = en if first is zh else zh
            w = other.where(missing[other.lang][0].start if missing[other.lang] else 0)
            at = f"line {w.line}, column {w.col}" if w.line else "the other side"
            mine = ", ".join(_shown(first.s, f) for f in missing[first.lang])
            theirs = ", ".join(_shown(other.s, f) for f in missing[other.lang])
            what = (f"the {LANG_NAME[first.lang]} side has {mine}, the {LANG_NAME[other.lang]} side "
                    + (f"({at}) has {theirs} instead" if theirs else "has no such figure"))
            self.warn("figures-differ", first, f0.start, what,
                      "make both sides say the same (one placeholder keeps them equal)")

    def _placeholder_values(self, keys: set[str]) -> set[tuple[str, Decimal]]:
        """What the placeholders of a side print, as (kind, value): the number (scale applied, absolute),
        or a date's year, month and day."""
        out: set[tuple[str, Decimal]] = set()
        for key in keys:
            metric = self.b.data.get(key)
            if metric is None:
                continue
            if isinstance(metric.value, dt.date):
                d = metric.value
                out |= {("year", Decimal(d.year)), ("month", Decimal(d.month)), ("day", Decimal(d.day))}
            else:
                out.add(("number", abs(metric.number)))
        return out

    # ---------------------------------------------------------------- 3. each side in its language

    def language(self, site: Site, zh: Side, en: Side) -> None:
        mt = None
        if HAN.search(en.s) or CJK_PUNCT.search(en.s):    # only then do names and placeholders matter
            bare = en.bare
            mt = HAN.search(bare) or CJK_PUNCT.search(bare)
        if mt:
            run = re.match(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef\U00020000-\U0003ffff]+",
                           bare[mt.start():])
            shown = run.group(0)[:12] if run else mt.group(0)
            punct_only = not HAN.search(bare)
            self.warn("not-english", en, mt.start(),
                      f"the English side has Chinese {'punctuation' if punct_only else 'text'} ‘{shown}’",
                      "use English punctuation" if punct_only else
                      "translate it, or add the name to `names:` if it is meant to stay in Chinese")
        if site.role != "unit" and not HAN.search(zh.s):
            # an English word; acronyms (GDP, CPI, PMI) are used in Chinese text as they are
            word = re.search(r"[A-Za-z]*[a-z][A-Za-z]*(?:[ '’-][A-Za-z]+)*", zh.bare)
            if word:
                self.warn("not-chinese", zh, word.start(),
                          f"the Chinese side has no Chinese: ‘{word.group(0)[:40]}’",
                          "write the Chinese text (or add the name to `names:` if it is used in Chinese too)")

    # ---------------------------------------------------------------- 4. terminology

    def terms(self, zh: Side, en: Side) -> None:
        if not self.b.glossary:
            return
        seen: set[str] = set()
        for term, start in find_terms(zh.s, self.b.glossary):
            if term.zh in seen:
                continue
            seen.add(term.zh)
            if not contains_rendering(en.s, term.en):
                self.warn("term", zh, start,
                          f"glossary: ‘{term.zh}’ is ‘{term.en[0]}’, which the English side does not say",
                          "use the glossary's rendering, or add the one used as an accepted variant")


def _token(s: str, f: Figure) -> tuple[int, int]:
    """The span of the figure with the letters and signs it is written with: `5G`, `IPv6`, `3+13+N`."""
    a, b = f.start, f.end
    while a > 0 and re.match(r"[0-9A-Za-z+]", s[a - 1]):
        a -= 1
    if not s[b - 1:b].isdigit():        # 7.9%, 2024年, 7.99 billion end where they end
        return a, b
    while b < len(s) and re.match(r"[0-9A-Za-z+]", s[b]):
        b += 1
    return a, b


def _shown(s: str, f: Figure) -> str:
    a, b = _token(s, f)
    return _plain(s[a:b]).strip() or f.text


def _distinctive(f: Figure) -> bool:
    """A figure unlikely to equal a metric by chance: with a point, grouping, a scale, a % or 3+ digits."""
    digits = sum(ch.isdigit() for ch in f.text)
    return digits >= 3 or any(ch in f.text for ch in ".,%") or not f.text[-1:].isdigit()


def _or(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _ph_at(side: Side, keys: set[str]) -> int:
    return next((p.start for p in side.placeholders if p.key in keys), 0)
