"""The data model, in two layers.

* The bilingual model (`Briefing`) is what `load` builds from YAML: every string a `Text` pair, every
  number a `Metric`, each carrying its source position.
* The localized model (`LocalBriefing`) is what `localize` builds for one language: plain strings with
  bold spans, every number already formatted. `compose` and `charts` only ever see this layer.

This module imports no third-party library.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from .errors import Where
from .placeholders import Template, parse

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")


# ---------------------------------------------------------------- bilingual model

@dataclass(frozen=True)
class Text:
    """A human-readable string in both languages (may hold **bold** and {placeholders})."""

    zh: str
    en: str
    where: Where | None = field(default=None, compare=False)
    # the parsed templates (placeholders.parse), set by the loader; parsed on first use otherwise
    zh_tpl: Template | None = field(default=None, compare=False, repr=False)
    en_tpl: Template | None = field(default=None, compare=False, repr=False)

    def get(self, lang: Lang) -> str:
        return self.zh if lang == "zh" else self.en

    def template(self, lang: Lang) -> Template:
        tpl = self.zh_tpl if lang == "zh" else self.en_tpl
        if tpl is None:
            tpl, problems = parse(self.get(lang), lang)
            if problems:
                raise ValueError(f"bad template {self.get(lang)!r}: {problems[0].what}")
            object.__setattr__(self, f"{lang}_tpl", tpl)
        return tpl


METRIC_KINDS = ("count", "money", "percent", "pp", "permille", "multiple", "rank", "date", "quantity", "number")


@dataclass(frozen=True)
class Metric:
    key: str
    kind: str
    value: Decimal | dt.date
    decimals: int = 0                 # digits after the point as printed
    scale: str | None = None          # "万" | "亿" | "万亿": value is in that unit
    unit: Text | None = None
    currency: str = "CNY"
    scope: Text | None = None
    label: Text | None = None
    note: Text | None = None
    derived: bool = False             # computed from `expr` (no printed `value`)
    change_zh: tuple[str, ...] = ()   # `change:` words for {key:change}: up, down (, unchanged)
    change_en: tuple[str, ...] = ()
    where: Where | None = field(default=None, compare=False)
    expr: str | None = None           # the relation, as written; with a `value` too, checked by lint
    expr_value: Decimal | None = None  # what `expr` gives, unrounded, in the metric's scale
    computed: Decimal | None = None   # the editor's acknowledgement: the formula gives this, the source differs

    @property
    def number(self) -> Decimal:
        """The full value (scale applied). Not defined for dates."""
        assert isinstance(self.value, Decimal)
        return self.value.scaleb(SCALES[self.scale]) if self.scale else self.value


SCALES = {"万": 4, "亿": 8, "万亿": 12}


@dataclass(frozen=True)
class Term:
    """A glossary entry: the Chinese term and its English rendering (first) with accepted variants."""

    zh: str
    en: tuple[str, ...]
    note: str | None = None
    where: Where | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Name:
    """A name whose digits (or, in English text, Chinese characters) are meant: `“3+13+N”`, `5G`."""

    text: str
    where: Where | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Paragraph:
    text: Text


@dataclass(frozen=True)
class Heading:
    text: Text


@dataclass(frozen=True)
class Bullets:
    items: tuple[Text, ...]


@dataclass(frozen=True)
class SourceNote:
    text: Text


@dataclass(frozen=True)
class FigureItem:
    metric: str
    label: Text | None
    note: Text | None


@dataclass(frozen=True)
class Figures:
    title: Text | None
    items: tuple[FigureItem, ...]


Cell = Text  # a plain-string cell is stored as a Text with the same string on both sides


@dataclass(frozen=True)
class Table:
    title: Text | None
    columns: tuple[Text, ...]
    rows: tuple[tuple[Cell, ...], ...]
    align: tuple[str, ...]
    note: Text | None


@dataclass(frozen=True)
class ChartItem:
    label: Text | None
    value: str                 # metric key
    note: Text | None = None
    target: str | None = None  # metric key (progress)
    share: str | None = None   # metric key (progress): the share as the source prints it


@dataclass(frozen=True)
class Chart:
    kind: str                  # hbar | bar | grouped | line | donut | progress
    title: Text
    unit: Text | None
    source: Text | None
    items: tuple[ChartItem, ...] = ()          # hbar, bar, donut (parts), progress
    series: tuple[Text, ...] = ()              # grouped: legend names; line: series names
    groups: tuple[tuple[Text, tuple[str, ...]], ...] = ()   # grouped: (label, keys); line: (name, keys)
    x: tuple[Text, ...] = ()                   # line: category labels
    reference: ChartItem | None = None
    center: Text | None = None
    id: str | None = None
    where: Where | None = field(default=None, compare=False)


Block = Paragraph | Heading | Bullets | SourceNote | Figures | Table | Chart


@dataclass(frozen=True)
class Section:
    id: str
    heading: Text | None              # None: a section without a heading (a preamble), never numbered
    byline: Text | None
    blocks: tuple[Block, ...]
    sections: tuple[Section, ...] = ()
    numbered: bool = True             # `numbered: false`: a heading printed without its number (一、 / 1.)


@dataclass(frozen=True)
class Briefing:
    id: str
    path: str
    masthead: Text
    title: Text
    subtitle: Text | None
    date: dt.date
    author: Text
    source: Text
    keywords: dict[str, tuple[str, ...]]
    data: dict[str, Metric]
    sections: tuple[Section, ...]
    glossary: tuple[Term, ...] = ()
    names: tuple[Name, ...] = ()
    zh_grouping: bool = False          # `numbers: {zh_grouping: true}`: 15,000亿元 instead of 15000亿元
    running_title: Text | None = None  # the title's short form for the running header (default: the title)


# ---------------------------------------------------------------- localized model

@dataclass(frozen=True)
class Span:
    """A run of text with one style. `origin` names the content field it came from (for errors)."""

    text: str
    bold: bool = False
    figure: bool = False   # a formatted figure: the typesetter never breaks it but at a plain word space


Rich = tuple[Span, ...]


@dataclass(frozen=True)
class LParagraph:
    text: Rich
    origin: str = field(default="", compare=False)   # "file:line:col", for messages only


@dataclass(frozen=True)
class LHeading:
    text: Rich


@dataclass(frozen=True)
class LBullets:
    items: tuple[Rich, ...]


@dataclass(frozen=True)
class LSource:
    text: Rich


@dataclass(frozen=True)
class LFigure:
    value: str        # formatted value, e.g. "6.3%"
    label: str
    note: Rich        # its figures marked, so that a line never breaks inside one ("1.8 percentage points lower")


@dataclass(frozen=True)
class LFigures:
    title: str
    items: tuple[LFigure, ...]


@dataclass(frozen=True)
class LTable:
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Rich, ...], ...]
    align: tuple[str, ...]
    note: str
    indents: tuple[tuple[int, ...], ...] = ()   # per row, per cell: indent levels (sub-rows: 其中…, of which…)


@dataclass(frozen=True)
class ChartPoint:
    label: str
    value: float               # the full numeric value (scale applied)
    text: str                  # the value as the text prints it ("6.3%", "79.9亿元")
    note: str = ""             # annotation ("第6位")
    target: float | None = None
    target_text: str = ""
    share_text: str = ""       # progress: the printed share ("66.6%"), drawn instead of a computed one


@dataclass(frozen=True)
class LChart:
    """A chart in one language, everything formatted; what `charts` draws. Hashable for the cache."""

    kind: str
    lang: Lang
    title: str
    unit: str
    source: str
    value_kind: str                              # metric kind of the values (percent, money, …)
    points: tuple[ChartPoint, ...] = ()          # hbar, bar, donut, progress
    series: tuple[str, ...] = ()                 # grouped / line legend
    categories: tuple[str, ...] = ()             # grouped group labels / line x labels
    matrix: tuple[tuple[ChartPoint, ...], ...] = ()   # grouped: [group][series]; line: [series][x]
    reference: ChartPoint | None = None
    center: str = ""
    id: str = ""
    tick_scale: int = 0                          # the value axis counts in 10**tick_scale (亿: 8, billion: 9)


LBlock = LParagraph | LHeading | LBullets | LSource | LFigures | LTable | LChart


@dataclass(frozen=True)
class LSection:
    id: str
    heading: str                      # "" for a section without a heading
    byline: str
    blocks: tuple[LBlock, ...]
    sections: tuple[LSection, ...] = ()
    level: int = 1
    numbered: bool = True             # printed with its number (一、 / 1.) and counted


@dataclass(frozen=True)
class LocalBriefing:
    id: str
    lang: Lang
    masthead: str
    title: str
    subtitle: str
    date: str              # formatted
    iso_date: dt.date
    author: str
    source: str
    keywords: tuple[str, ...]
    sections: tuple[LSection, ...]
    labels: dict[str, str]  # the document's own strings (page n of m, contents, …)
    running_title: str = ""  # the running header's title: the content's running_title, else the title
