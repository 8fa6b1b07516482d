"""Bilingual model + language → localized model. Every babel call of the project lives here.

Chinese prints numbers the way Chinese economic reporting does (`79.9亿元`, `3.91万人`, `第6位`,
`0.9个百分点`); English prints the same values as `CNY 7.99 billion`, `39,100 people`, `6th`,
`0.9 percentage points`.
"""
from __future__ import annotations

import re

from . import model as m
from .numbers import chart_scales, format_date_text, format_metric, format_ref, format_share, format_tick, zh_numeral

__all__ = ["STRINGS", "format_metric", "format_tick", "localize", "plain", "rich", "section_number"]

# The document's own words, one flat table per language (keys must match: tested).
STRINGS: dict[str, dict[str, str]] = {
    "zh": {
        "page": "第 {n} 页 / 共 {total} 页",
        "contents": "目录",
        "source": "资料来源：{text}",
        "figure_caption": "图{n}　{title}",
        "table_caption": "表{n}　{title}",
        "table_continued": "表{n}（续）",
        "section_number": "{n}、",
    },
    "en": {
        "page": "Page {n} of {total}",
        "contents": "Contents",
        "source": "Source: {text}",
        "figure_caption": "Figure {n}. {title}",
        "table_caption": "Table {n}. {title}",
        "table_continued": "Table {n} (continued)",
        "section_number": "{n}. ",
    },
}



def section_number(n: int, lang: m.Lang) -> str:
    return STRINGS[lang]["section_number"].format(n=zh_numeral(n) if lang == "zh" else n)


# ------------------------------------------------------------------ text

_SPACE_HAN_LATIN = re.compile(
    r"(?<=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])[ \t]+(?=[0-9A-Za-z%])"
    r"|(?<=[0-9A-Za-z%])[ \t]+(?=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])")


def rich(text: m.Text, data: dict[str, m.Metric], lang: m.Lang, zh_grouping: bool = False) -> m.Rich:
    """A text's parsed template → spans: **bold** runs, placeholders formatted, whitespace normalised.
    Only data keys are reachable: there is no attribute access and no call."""
    out: list[m.Span] = []
    for run in text.template(lang):
        for p in run.pieces:
            if isinstance(p, str):
                out.append(m.Span(p, run.bold))
            else:
                out.append(m.Span(format_ref(data[p.key], p, lang, zh_grouping), run.bold, figure=True))
    # whitespace normalised over the whole text (not \s: no-break spaces stay), then spans re-cut
    text_all = "".join(s.text for s in out)
    owner = [i for i, s in enumerate(out) for _ in s.text]
    norm: list[tuple[str, int]] = []
    for ch, i in zip(text_all, owner):
        if ch in " \t\r\n":
            if norm and norm[-1][0] == " ":
                continue
            ch = " "
        norm.append((ch, i))
    if lang == "zh":   # a space typed between Han and Latin text or digits: the typesetter spaces them itself
        flat = "".join(c for c, _ in norm)
        drop = {k for mt in _SPACE_HAN_LATIN.finditer(flat) for k in range(mt.start(), mt.end())}
        norm = [x for k, x in enumerate(norm) if k not in drop]
    while norm and norm[0][0] == " ":
        norm.pop(0)
    while norm and norm[-1][0] == " ":
        norm.pop()
    spans: list[m.Span] = []
    buf: list[str] = []
    key: tuple | None = None
    for ch, i in norm:          # a figure stays one span; text pieces of one style join
        k = (out[i].bold, True, i) if out[i].figure else (out[i].bold, False, -1)
        if k != key and buf:
            spans.append(m.Span("".join(buf), key[0], key[1]))   # type: ignore[index]
            buf = []
        key = k
        buf.append(ch)
    if buf:
        spans.append(m.Span("".join(buf), key[0], key[1]))       # type: ignore[index]
    return tuple(spans)


def plain(r: m.Rich) -> str:
    return "".join(s.text for s in r)


# ------------------------------------------------------------------ document

class _Localizer:
    def __init__(self, b: m.Briefing, lang: m.Lang) -> None:
        self.b, self.lang, self.data = b, lang, b.data

    def t(self, text: m.Text | None) -> str:
        return plain(self.r(text)) if text else ""

    def r(self, text: m.Text | None) -> m.Rich:
        return rich(text, self.data, self.lang, self.b.zh_grouping) if text else ()

    def cell(self, text: m.Text) -> tuple[m.Rich, int]:
        """A table cell and its indent level: the cell's leading white space, each ideographic space (U+3000)
        or pair of spaces one level (`　其中：民生支出`, `"  of which: livelihood spending"`)."""
        raw = text.get(self.lang)
        lead = raw[: len(raw) - len(raw.lstrip(" \t\u3000"))]
        level = lead.count("\u3000") + lead.count("\t") + (lead.count(" ") + 1) // 2
        r = self.r(text)
        if level and r:
            r = (m.Span(r[0].text.lstrip(" \u3000"), r[0].bold, r[0].figure), *r[1:])
        return r, level

    def metric_label(self, key: str, label: m.Text | None) -> str:
        return self.t(label or self.data[key].label) or key

    def point(self, item: m.ChartItem) -> m.ChartPoint:
        metric = self.data[item.value]
        target = self.data[item.target] if item.target else None
        return m.ChartPoint(
            label=self.metric_label(item.value, item.label), value=float(metric.number),
            text=format_metric(metric, self.lang, zh_grouping=self.b.zh_grouping), note=self.t(item.note),
            target=float(target.number) if target else None,
            target_text=format_metric(target, self.lang, zh_grouping=self.b.zh_grouping) if target else "",
            share_text=(format_metric(self.data[item.share], self.lang, zh_grouping=self.b.zh_grouping)
                        if item.share else format_share(metric, target, self.lang) if target else ""))

    def chart(self, c: m.Chart) -> m.LChart:
        first = c.items[0].value if c.items else (c.groups[0][1][0] if c.groups and c.groups[0][1] else None)
        value_kind = self.data[first].kind if first else "number"
        keys = [i.value for i in c.items] + [k for _, ks in c.groups for k in ks] + \
            ([c.reference.value] if c.reference else [])
        zh_scale, en_scale = chart_scales([self.data[k] for k in keys])
        common = dict(kind=c.kind, lang=self.lang, title=self.t(c.title), unit=self.t(c.unit),
                      source=self.t(c.source), value_kind=value_kind, id=c.id or "",
                      tick_scale=zh_scale if self.lang == "zh" else en_scale)
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
                m.LFigure(format_metric(self.data[i.metric], self.lang, zh_grouping=self.b.zh_grouping),
                          self.metric_label(i.metric, i.label),
                          self.r(i.note)) for i in blk.items))
        if isinstance(blk, m.Table):
            cells = [[self.cell(c) for c in row] for row in blk.rows]
            return m.LTable(self.t(blk.title), tuple(self.t(c) for c in blk.columns),
                            tuple(tuple(r for r, _ in row) for row in cells), blk.align, self.t(blk.note),
                            tuple(tuple(k for _, k in row) for row in cells))
        if isinstance(blk, m.Chart):
            return self.chart(blk)
        raise TypeError(f"unknown block {type(blk).__name__}")

    def section(self, s: m.Section, level: int) -> m.LSection:
        return m.LSection(s.id, self.t(s.heading), self.t(s.byline), tuple(self.block(b) for b in s.blocks),
                          tuple(self.section(x, level + 1) for x in s.sections), level,
                          s.numbered and s.heading is not None)


def localize(b: m.Briefing, lang: m.Lang) -> m.LocalBriefing:
    loc = _Localizer(b, lang)
    return m.LocalBriefing(
        id=b.id, lang=lang, masthead=loc.t(b.masthead), title=loc.t(b.title), subtitle=loc.t(b.subtitle),
        date=format_date_text(b.date, lang), iso_date=b.date, author=loc.t(b.author),
        source=loc.t(b.source), keywords=b.keywords.get(lang, ()),
        sections=tuple(loc.section(s, 1) for s in b.sections), labels=STRINGS[lang],
        running_title=loc.t(b.running_title) or loc.t(b.title))

