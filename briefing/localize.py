"""Bilingual model + language → localized model. Every babel call of the project lives here.

Chinese prints numbers the way Chinese economic reporting does (`79.9亿元`, `3.91万人`, `第6位`,
`0.9个百分点`); English prints the same values as `CNY 7.99 billion`, `39,100 people`, `6th`,
`0.9 percentage points`.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_compact_decimal, format_decimal

from . import model as m

LOCALES = {"zh": "zh_CN", "en": "en_GB"}

# The document's own words, one flat table per language (keys must match: tested).
STRINGS: dict[str, dict[str, str]] = {
    "zh": {
        "page": "第 {n} 页 / 共 {total} 页",
        "contents": "目录",
        "source": "资料来源：{text}",
        "figure_caption": "图{n}　{title}",
        "table_caption": "表{n}　{title}",
        "table_continued": "表{n}（续）　{title}",
        "section_number": "{n}、",
    },
    "en": {
        "page": "Page {n} of {total}",
        "contents": "Contents",
        "source": "Source: {text}",
        "figure_caption": "Figure {n}. {title}",
        "table_caption": "Table {n}. {title}",
        "table_continued": "Table {n} (continued). {title}",
        "section_number": "{n}. ",
    },
}

_ZH_NUMERALS = "〇一二三四五六七八九十"


def zh_numeral(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十, 105 → 一百零五, 2024 → 二千零二十四 (section numbers)."""
    if n < 0:
        return "负" + zh_numeral(-n)
    if n <= 10:
        return _ZH_NUMERALS[n]
    if n < 20:
        return "十" + (_ZH_NUMERALS[n - 10] if n > 10 else "")
    if n >= 10000:
        high, low = divmod(n, 10000)
        return zh_numeral(high) + "万" + (("零" if low < 1000 else "") + zh_numeral(low) if low else "")
    out, zero = "", False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit, n = divmod(n, unit)
        if digit:
            out += ("零" if zero and out else "") + _ZH_NUMERALS[digit] + name
            zero = False
        else:
            zero = True
    return out


def section_number(n: int, lang: m.Lang) -> str:
    return STRINGS[lang]["section_number"].format(n=zh_numeral(n) if lang == "zh" else n)


# ------------------------------------------------------------------ numbers

def _pattern(decimals: int, grouping: bool) -> str:
    base = "#,##0" if grouping else "0"
    return base + ("." + "0" * decimals if decimals else "")


def _plain(value: Decimal, decimals: int, lang: m.Lang) -> str:
    """A number with exactly `decimals` digits after the point. Chinese groups only from 5 digits up
    (`1000个`, `2970万元`, as the page prints); English always groups (`1,000`)."""
    grouping = lang == "en" or abs(value) >= 10000
    return format_decimal(value, format=_pattern(decimals, grouping), locale=LOCALES[lang])


def _digits_needed(value: Decimal) -> int:
    exp = value.normalize().as_tuple().exponent
    return max(0, -exp) if isinstance(exp, int) else 0


NBSP = "\u00a0"   # binds a number to its currency, scale word and unit: no line break inside "CNY 7.99 billion"


def _en_large(value: Decimal) -> str:
    """English for a full value: `7.99 billion`, `26.53 million`, below a million `39,100`.
    Exactly the digits the value carries, no rounding away of reported precision."""
    if abs(value) >= 1_000_000:
        scale = 9 if abs(value) >= 1_000_000_000 else 6
        digits = _digits_needed(value.scaleb(-scale))
        words = format_compact_decimal(value, format_type="long", locale="en", fraction_digits=digits)
        return words.replace(" ", NBSP)
    return _plain(value, _digits_needed(value), "en")


def _zh_scaled(metric: m.Metric, full: bool = False) -> str:
    """Chinese number with its 万/亿 as declared: `3.91万`, `79.9亿`, `1000`."""
    assert isinstance(metric.value, Decimal)
    if metric.scale and not full:
        return _plain(metric.value, metric.decimals, "zh") + metric.scale
    number = metric.number
    return _plain(number, max(0, metric.decimals - (m.SCALES[metric.scale] if metric.scale else 0)), "zh")


def _en_unit(unit: m.Text | None, value: Decimal) -> str:
    if unit is None:
        return ""
    forms = unit.en.split("|")
    if len(forms) == 2:
        return forms[0] if value == 1 else forms[1]
    return unit.en


def format_date_text(d: dt.date, lang: m.Lang) -> str:
    """`2025年7月30日` / `30 July 2025` (day and month bound by a no-break space)."""
    text = format_date(d, format="long", locale=LOCALES[lang])
    return text.replace(" ", NBSP, 1) if lang == "en" else text


_ORDINAL_SUFFIX = {"one": "st", "two": "nd", "few": "rd", "other": "th"}


def ordinal_en(n: int) -> str:
    return f"{n}{_ORDINAL_SUFFIX[Locale('en').ordinal_form(n)]}"


def format_metric(metric: m.Metric, lang: m.Lang, variant: str | None = None) -> str:
    """The metric as the text prints it in `lang`. `variant`: None (full form), num, scoped, full."""
    kind = metric.kind
    if kind == "date":
        assert isinstance(metric.value, dt.date)
        return format_date_text(metric.value, lang)
    v = metric.value
    assert isinstance(v, Decimal)
    zh = lang == "zh"
    if kind == "rank":
        n = int(v)
        if variant == "num":
            return str(n) if zh else ordinal_en(n)
        text = f"第{n}位" if zh else ordinal_en(n)
        if variant == "scoped" and metric.scope:
            return f"{metric.scope.zh}{text}" if zh else f"{text}{NBSP}{metric.scope.en}"
        return text
    if kind == "percent":
        num = _plain(v, metric.decimals, lang)
        return num if variant == "num" else num + "%"
    if kind == "pp":
        num = _plain(v, metric.decimals, lang)
        if variant == "num":
            return num
        if zh:
            return num + "个百分点"
        return num + NBSP + ("percentage point" if v == 1 and metric.decimals == 0 else "percentage points")
    full = variant == "full"
    if zh:
        num = _zh_scaled(metric, full)
        if variant == "num":
            return num
        if kind == "money":
            return num + ("美元" if metric.currency == "USD" else "元")
        unit = metric.unit.zh if metric.unit else ""
        return num + unit
    # English: full value, grouped, million/billion words from one million up
    num = _en_large(metric.number) if metric.scale or abs(v) >= 1_000_000 else _plain(v, metric.decimals, "en")
    if variant == "num":
        return num
    if kind == "money":
        return f"{metric.currency}{NBSP}{num}"
    unit = _en_unit(metric.unit, metric.number)
    if not unit:
        return num
    # units and nouns follow the number with a no-break space: 524.3 kg, 8 GWh, 230 projects
    return f"{num}{NBSP}{unit}"


def format_tick(value: float, kind: str, lang: m.Lang) -> str:
    """An axis tick label, formatted like the text: `6%`, `80亿`, `8 billion`, `39,100`."""
    d = Decimal(repr(float(value)))
    if kind in ("percent", "pp"):
        return _plain(d, min(_digits_needed(d), 1), lang) + ("%" if kind == "percent" else "")
    if abs(d) >= 10000:
        if lang == "zh":
            return format_compact_decimal(d, locale="zh_CN", fraction_digits=1)
        if abs(d) >= 1_000_000:
            return format_compact_decimal(d, format_type="short", locale="en", fraction_digits=1)
    return _plain(d, min(_digits_needed(d), 2), lang)


# ------------------------------------------------------------------ text

_BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
_SPACE_HAN_LATIN = re.compile(
    r"(?<=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])[ \t]+(?=[0-9A-Za-z%])"
    r"|(?<=[0-9A-Za-z%])[ \t]+(?=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])")


def fill(template: str, data: dict[str, m.Metric], lang: m.Lang) -> str:
    """Replace {key} and {key:variant} by formatted metrics; {{ and }} by braces. Only data keys are
    reachable: there is no attribute access and no call."""
    def sub(mt: re.Match) -> str:
        tok = mt.group(0)
        if tok == "{{":
            return "{"
        if tok == "}}":
            return "}"
        key, _, variant = mt.group(1).strip().partition(":")
        return format_metric(data[key], lang, variant or None)

    return _PLACEHOLDER.sub(sub, template)


def rich(template: str, data: dict[str, m.Metric], lang: m.Lang) -> m.Rich:
    """Template → spans: **bold** runs, placeholders filled, whitespace normalised."""
    spans: list[m.Span] = []
    pos = 0
    for mt in _BOLD.finditer(template):
        if mt.start() > pos:
            spans.append(m.Span(fill(template[pos:mt.start()], data, lang)))
        spans.append(m.Span(fill(mt.group(1), data, lang), bold=True))
        pos = mt.end()
    if pos < len(template):
        spans.append(m.Span(fill(template[pos:], data, lang)))
    out = []
    for s in spans:
        text = re.sub(r"[ \t\r\n]+", " ", s.text)   # not \s: no-break spaces stay
        if lang == "zh":
            text = _SPACE_HAN_LATIN.sub("", text)
        if text:
            out.append(m.Span(text, s.bold))
    if out:
        out[0] = m.Span(out[0].text.lstrip(), out[0].bold)
        out[-1] = m.Span(out[-1].text.rstrip(), out[-1].bold)
    return tuple(s for s in out if s.text)


def plain(r: m.Rich) -> str:
    return "".join(s.text for s in r)


# ------------------------------------------------------------------ document

class _Localizer:
    def __init__(self, b: m.Briefing, lang: m.Lang) -> None:
        self.b, self.lang, self.data = b, lang, b.data

    def t(self, text: m.Text | None) -> str:
        return plain(self.r(text)) if text else ""

    def r(self, text: m.Text | None) -> m.Rich:
        return rich(text.get(self.lang), self.data, self.lang) if text else ()

    def metric_label(self, key: str, label: m.Text | None) -> str:
        return self.t(label or self.data[key].label) or key

    def point(self, item: m.ChartItem) -> m.ChartPoint:
        metric = self.data[item.value]
        target = self.data[item.target] if item.target else None
        return m.ChartPoint(
            label=self.metric_label(item.value, item.label), value=float(metric.number),
            text=format_metric(metric, self.lang), note=self.t(item.note),
            target=float(target.number) if target else None,
            target_text=format_metric(target, self.lang) if target else "",
            share_text=format_metric(self.data[item.share], self.lang) if item.share else "")

    def chart(self, c: m.Chart) -> m.LChart:
        first = c.items[0].value if c.items else (c.groups[0][1][0] if c.groups and c.groups[0][1] else None)
        value_kind = self.data[first].kind if first else "number"
        common = dict(kind=c.kind, lang=self.lang, title=self.t(c.title), unit=self.t(c.unit),
                      source=self.t(c.source), value_kind=value_kind, id=c.id or "")
        if c.kind in ("hbar", "bar", "donut", "progress"):
            return m.LChart(**common, points=tuple(self.point(i) for i in c.items),
                            reference=self.point(c.reference) if c.reference else None, center=self.t(c.center))
        matrix = tuple(tuple(self.point(m.ChartItem(None, k)) for k in keys) for _, keys in c.groups)
        if c.kind == "grouped":
            return m.LChart(**common, series=tuple(self.t(s) for s in c.series),
                            categories=tuple(self.t(g) for g, _ in c.groups), matrix=matrix)
        return m.LChart(**common, series=tuple(self.t(s) for s in c.series),
                        categories=tuple(self.t(x) for x in c.x), matrix=matrix)

    def block(self, blk: m.Block) -> m.LBlock:
        if isinstance(blk, m.Paragraph):
            w = blk.text.where
            return m.LParagraph(self.r(blk.text), str(w) if w else "")
        if isinstance(blk, m.Heading):
            return m.LHeading(self.r(blk.text))
        if isinstance(blk, m.SourceNote):
            return m.LSource(self.r(blk.text))
        if isinstance(blk, m.Bullets):
            return m.LBullets(tuple(self.r(t) for t in blk.items))
        if isinstance(blk, m.Figures):
            return m.LFigures(self.t(blk.title), tuple(
                m.LFigure(format_metric(self.data[i.metric], self.lang), self.metric_label(i.metric, i.label),
                          self.t(i.note)) for i in blk.items))
        if isinstance(blk, m.Table):
            return m.LTable(self.t(blk.title), tuple(self.t(c) for c in blk.columns),
                            tuple(tuple(self.r(c) for c in row) for row in blk.rows), blk.align,
                            self.t(blk.note))
        if isinstance(blk, m.Chart):
            return self.chart(blk)
        raise TypeError(f"unknown block {type(blk).__name__}")

    def section(self, s: m.Section, level: int) -> m.LSection:
        return m.LSection(s.id, self.t(s.heading), self.t(s.byline), tuple(self.block(b) for b in s.blocks),
                          tuple(self.section(x, level + 1) for x in s.sections), level)


def localize(b: m.Briefing, lang: m.Lang) -> m.LocalBriefing:
    loc = _Localizer(b, lang)
    return m.LocalBriefing(
        id=b.id, lang=lang, masthead=loc.t(b.masthead), title=loc.t(b.title), subtitle=loc.t(b.subtitle),
        date=format_date_text(b.date, lang), iso_date=b.date, author=loc.t(b.author),
        source=loc.t(b.source), keywords=b.keywords.get(lang, ()),
        sections=tuple(loc.section(s, 1) for s in b.sections), labels=STRINGS[lang])

