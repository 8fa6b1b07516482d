"""Localized briefing → list of ReportLab flowables. No babel, no I/O: everything arrives formatted.

Every piece of text goes through our own typesetter (`typeset.Para`), so the Chinese layout rules hold
in body text, list items, table cells, key-figure panels and captions alike.

The structure tree of the tagged PDF (tagging.py) is built here too, in the content's order, and each
flowable is given the element its drawing belongs to (`.tag`); see docs/accessibility.md.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol

from reportlab.lib import colors
from reportlab.platypus import Flowable, Spacer, Table, TableStyle
from reportlab.platypus.doctemplate import ActionFlowable

from . import model as m
from . import tagging, theme
from .figure import Figure
from .fonts import font_name, line_width
from .localize import plain, section_number
from .tagging import Node
from .typeset import Para, ParaStyle, Run


@dataclass(frozen=True)
class Options:
    width: float                # text column width, pt
    toc: tuple = ()             # (level, title, page, key) per section: print a table of contents


class Story(list):
    """The flowables of a briefing, and the structure tree that tags them (`tree`, the Document element)."""

    tree: Node | None = None


class Anchor(Flowable):
    """A zero-size mark: a named destination plus an outline (bookmark) entry for a section."""

    _ZEROSIZE = 1

    def __init__(self, key: str, title: str, level: int) -> None:
        super().__init__()
        self.key, self.title, self.level = key, title, level
        self.keepWithNext = True
        self.width = self.height = 0

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        canv = self.canv
        canv.bookmarkHorizontal(self.key, 0, 14)
        canv.addOutlineEntry(self.title, self.key, level=self.level - 1, closed=False)
        # record for the table of contents
        toc = getattr(canv, "_briefing_toc", None)
        if toc is not None:
            toc.append((self.level, self.title, canv.getPageNumber(), self.key))


class Stack(Flowable):
    """Flowables drawn one under the other as one block that never splits (a figure: caption, drawing and
    source line). Unlike ReportLab's KeepTogether, it reports its real height, so a container can ask
    whether it fits."""

    def __init__(self, items: list[Flowable]) -> None:
        super().__init__()
        self.items = items
        for f in items:
            f.keepWithNext = False
        self.spaceBefore = items[0].getSpaceBefore() if items else 0

    def _heights(self, aw: float) -> list[tuple[Flowable, float, float]]:
        """(flowable, height, space above it) for each item; the first item's space is the block's own."""
        out, prev_after = [], 0.0
        for i, f in enumerate(self.items):
            _, h = f.wrapOn(self.canv, aw, 1e6)
            above = 0.0 if i == 0 else max(prev_after, f.getSpaceBefore())
            out.append((f, h, above))
            prev_after = f.getSpaceAfter()
        return out

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.width = aw
        self.height = sum(h + above for _, h, above in self._heights(aw))
        return aw, self.height

    def getSpaceAfter(self) -> float:
        return self.items[-1].getSpaceAfter() if self.items else 0

    def split(self, aw: float, ah: float) -> list[Flowable]:
        return []

    def draw(self) -> None:
        y = self.height
        for f, h, above in self._heights(self.width):
            y -= above + h
            f.drawOn(self.canv, 0, y)


class KeepWithNext(Stack):
    """Headings bound to the start of what follows them: they go to the next page only when the first
    part of the following block (two lines of a paragraph, a table's header and first row) does not fit
    under them. ReportLab's own keepWithNext moves the whole following block, which leaves a hole at
    the page bottom whenever that block is long."""

    def __init__(self, head: list[Flowable], body: Flowable) -> None:
        super().__init__([*head, body])
        self.head, self.body = head, body

    def split(self, aw: float, ah: float) -> list[Flowable]:
        heights = self._heights(aw)
        head_h = sum(h + above for _, h, above in heights[:-1]) + heights[-1][2]
        if head_h >= ah:
            return []
        parts = self.body.splitOn(self.canv, aw, ah - head_h)
        if not parts or isinstance(parts[0], ActionFlowable):
            return []   # nothing of the body fits here: the headings go with it to the next page
        return [*self.head, *parts]


class FloatingFigure(KeepWithNext):
    """Figures (a chart with its caption and source, or a short table) followed by the paragraph after
    them. Where the first figure does not fit in what is left of the page, the paragraph's first lines
    fill the page and the figures go to the top of the next one, as in print, instead of leaving a hole
    at the page bottom."""

    def split(self, aw: float, ah: float) -> list[Flowable]:
        figures, text = self.head, self.body
        _, fh = figures[0].wrapOn(self.canv, aw, 1e6)
        if fh <= ah:
            return [figures[0], FloatingFigure(figures[1:], text) if len(figures) > 1 else text]
        _, th = text.wrapOn(self.canv, aw, 1e6)
        if th <= ah:
            return [text, *figures]
        parts = text.splitOn(self.canv, aw, ah)
        if len(parts) == 2:
            return [parts[0], *figures, parts[1]]
        return []


def float_figures(story: list[Flowable]) -> list[Flowable]:
    """Pair every run of figures with the body paragraph that follows it (see FloatingFigure)."""
    out: list[Flowable] = []
    for f in story:
        if out and getattr(out[-1], "is_figure", False) and isinstance(f, Para) and not f.keepWithNext:
            k = len(out)
            while k and getattr(out[k - 1], "is_figure", False):
                k -= 1
            figures = out[k:]
            del out[k:]
            out.append(FloatingFigure(figures, f))
        else:
            out.append(f)
    return out


def bind_keep_with_next(story: list[Flowable]) -> list[Flowable]:
    """Fold every flowable marked keepWithNext (section anchors, headings, bylines) into a KeepWithNext
    group with the flowable that follows it."""
    out: list[Flowable] = []
    for f in reversed(story):
        if getattr(f, "keepWithNext", False) and out:
            nxt = out.pop()
            if isinstance(nxt, KeepWithNext):
                out.append(KeepWithNext([f, *nxt.head], nxt.body))
            else:
                out.append(KeepWithNext([f], nxt))
        else:
            out.append(f)
    return out[::-1]


class WithNote(Stack):
    """A table and the note under it, kept together: where the table splits across pages, its last rows
    go with the note to the next page (a note never stands alone at the top of a page or is left behind
    at the bottom of one)."""

    def __init__(self, table: Flowable, note: Flowable) -> None:
        super().__init__([table, note])
        self.table, self.note = table, note

    def split(self, aw: float, ah: float) -> list[Flowable]:
        heights = self._heights(aw)
        note_h = heights[1][1] + heights[1][2]
        if getattr(self, "_postponed", False):
            self.table._postponed = True    # at the top of a page and still too tall: split as needed
        parts = self.table.splitOn(self.canv, aw, ah)
        if len(parts) == 1:   # the table fits, its note does not: its last rows go with the note
            parts = self.table.splitOn(self.canv, aw, ah - note_h)
        if len(parts) != 2:
            return []
        return [parts[0], WithNote(parts[1], self.note)]


def with_note(block: Flowable, note: Flowable, splits: bool) -> Flowable:
    """A figure, key-figure panel or table with the source or note block written right after it, which
    reads as its note: kept with it (on the page of the figure, with a table's last rows), never left
    alone at the top of the next page. A figure that floats takes its note along."""
    if splits:
        out: Flowable = WithNote(block, note)
    elif isinstance(block, Stack):
        out = Stack([*block.items, note])
    else:
        out = Stack([block, note])
    out.is_figure = getattr(block, "is_figure", False)
    return out


class Rule(Flowable):
    """A horizontal rule; `thick` in pt."""

    def __init__(self, width: float, thick: float, color: str, space_before: float = 0,
                 space_after: float = 0) -> None:
        super().__init__()
        self.rw, self.thick, self.color = width, thick, color
        self.spaceBefore, self.spaceAfter = space_before, space_after

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return self.rw, self.thick

    def draw(self) -> None:
        tg = tagging.tagger(self.canv)
        if tg is not None:
            tg.begin_artifact()
        self.canv.setStrokeColor(colors.HexColor(self.color))
        self.canv.setLineWidth(self.thick)
        self.canv.line(0, self.thick / 2, self.rw, self.thick / 2)
        if tg is not None:
            tg.end_artifact()


class Link(Flowable):
    """Wraps a flowable and makes its area a link to a named destination in the document; tagged, the
    annotation belongs to the Link element `tag` (with the text `contents` for readers)."""

    tag: Node | None = None

    def __init__(self, inner: Flowable, key: str, contents: str = "") -> None:
        super().__init__()
        self.inner, self.key, self.contents = inner, key, contents

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.width, self.height = self.inner.wrap(aw, ah)
        return self.width, self.height

    def draw(self) -> None:
        self.inner.drawOn(self.canv, 0, 0)
        tg = tagging.tagger(self.canv)
        if tg is not None and self.tag is not None:
            tg.link(self.tag, (0, 0, self.width, self.height), dest=self.key, contents=self.contents)
        else:
            self.canv.linkRect("", self.key, (0, 0, self.width, self.height), relative=1, thickness=0)


SHORT_TABLE = 8       # a table of this many body rows or fewer never splits across pages
MIN_SPLIT_ROWS = 3    # a longer one splits with at least this many body rows on each page


class CaptionedTable(Table):
    """A table whose first row is its caption: where it splits across pages, the part on the next page
    carries the caption "表1（续）" / "Table 1 (continued)" above the repeated header.

    A short table (SHORT_TABLE body rows or fewer) moves whole to the next page instead of splitting; a
    longer one splits only with MIN_SPLIT_ROWS body rows or more on each side. Only a table that does not
    fit even at the top of a page (ReportLab has then postponed it once) splits anywhere."""

    continued: Flowable | None = None
    tag_repeated = 0     # leading rows that repeat the table's head on a later page: artifacts when tagged

    def split(self, availWidth: float, availHeight: float) -> list:
        head = self.repeatRows if isinstance(self.repeatRows, int) else len(self.repeatRows)
        rows = len(self._cellvalues)
        if not getattr(self, "_postponed", False):
            if rows - head <= SHORT_TABLE:
                return []
            self._rowSplitRange = (head + MIN_SPLIT_ROWS, rows - MIN_SPLIT_ROWS)
        parts = super().split(availWidth, availHeight)
        if len(parts) == 2 and self.continued is not None:
            # the repeated rows are shared with the first part: give the second part its own caption row
            parts[1]._cellvalues[0] = [self.continued] + list(parts[1]._cellvalues[0][1:])
            for part in parts:
                part.continued = self.continued
        if len(parts) == 2:
            parts[0].tag_repeated = self.tag_repeated
            parts[1].tag_repeated = self.repeatRows if isinstance(self.repeatRows, int) else 0
        return parts


def make_table(rows: list, widths: list[float], style: list, **kw) -> Table:
    """A ReportLab Table whose cells hold our flowables. Its default cell font (Helvetica, which would be
    referenced in the PDF unembedded) is replaced by the bundled sans face."""
    t = CaptionedTable(rows, colWidths=widths, renderCB=tagging.table_events, **kw)
    t.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), font_name(theme.HEAD_FAMILY))] + style))
    return t


def runs(rich: m.Rich, **kw) -> list[Run]:
    return [Run(s.text, bold=s.bold or kw.get("bold", False), size=kw.get("size"), color=kw.get("color"),
                figure=s.figure) for s in rich]


def one(text: str, **kw) -> list[Run]:
    return [Run(text, bold=kw.get("bold", False), size=kw.get("size"), color=kw.get("color"),
                figure=kw.get("figure", False))] if text else []


class Figures(Protocol):
    """What the charts stage gives compose: each chart's drawing (waited for if still being drawn)."""

    def figure(self, chart: m.LChart) -> Figure: ...


class Composer:
    def __init__(self, doc: m.LocalBriefing, opts: Options, drawings: Figures | None = None) -> None:
        self.doc, self.opts, self.lang = doc, opts, doc.lang
        self.drawings = drawings
        self.sz = theme.SIZES[doc.lang]
        self.L = doc.labels
        self.figures = 0
        self.tables = 0
        self.root = self.parent = Node("Document")
        self.level = 1
        zh = self.lang == "zh"
        self.body = ParaStyle(lang=self.lang, family=theme.BODY_FAMILY, size=self.sz.body,
                              leading=self.sz.leading, space_after=0 if zh else 5.0)
        self.small = ParaStyle(lang=self.lang, family=theme.HEAD_FAMILY, size=self.sz.small,
                               leading=self.sz.small * 1.5, align="left", first_indent=0, color=theme.GREY_DARK)
        # a table cell is short and ragged: a hyphen there only cuts a word (`Foreign direct investment
        # actu-` / `ally used`)
        self.cell = ParaStyle(lang=self.lang, family=theme.HEAD_FAMILY, size=self.sz.small + 0.5,
                              leading=(self.sz.small + 0.5) * 1.4, align="left", first_indent=0, hyphenate=False)

    # ------------------------------------------------------------- structure
    def tag(self, para: Para, role: str = "P", parent: Node | None = None) -> Para:
        """`para`'s text is a new element `role` under `parent` (default: the current section)."""
        para.tag = (parent or self.parent).add(role)
        return para

    # ------------------------------------------------------------- document
    def story(self) -> Story:
        out = self.title_block()
        if self.opts.toc:
            out += self.contents()
        n = 0    # sections without a heading, or `numbered: false`, take no number
        for s in self.doc.sections:
            n += s.numbered
            out += self.section(s, n)
        story = Story(bind_keep_with_next(float_figures(out)))
        story.tree = self.root
        return story

    def title_block(self) -> list[Flowable]:
        d, w, sz = self.doc, self.opts.width, self.sz
        head = ParaStyle(lang=self.lang, family=theme.HEAD_FAMILY, size=sz.masthead, leading=sz.masthead * 1.3,
                         align="center", first_indent=0, color=theme.RED)
        meta = replace(self.small, size=sz.small, leading=sz.small * 1.4)
        masthead = self.tag(Para(one(d.masthead, bold=True), head))   # tagged first: the content's order
        # the author takes all the line the date leaves (2 em apart), balanced where it needs two lines
        # (at 60 % of the line `… and NBS Survey Office` / `in Shaoxing` wrapped beside a short date)
        author = self.tag(Para(one(d.author), replace(meta, balance=True)))
        date = self.tag(Para(one(d.date), replace(meta, align="right")))
        date_w = min(line_width(d.date, theme.HEAD_FAMILY, False, meta.size, self.lang) + 1, w * 0.4)
        line = make_table([[author, date]],
                          [w - date_w, date_w], [("LEFTPADDING", (0, 0), (-1, -1), 0),
                                               ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                                               ("RIGHTPADDING", (0, 0), (0, -1), 2 * meta.size),
                                  ("BOTTOMPADDING", (0, 0), (-1, -1), 2), ("TOPPADDING", (0, 0), (-1, -1), 0),
                                  ("VALIGN", (0, 0), (-1, -1), "BOTTOM")])
        title = ParaStyle(lang=self.lang, family=theme.HEAD_FAMILY, size=sz.title, leading=sz.title * 1.35,
                          align="center", first_indent=0, color=theme.INK, space_before=12, balance=True)
        sub = replace(title, size=sz.h2, leading=sz.h2 * 1.5, color=theme.GREY_DARK, space_before=3)
        src = replace(self.small, align="center", space_before=3, space_after=8, balance=True)
        out: list[Flowable] = [
            masthead,
            Spacer(1, 4),
            line,
            Rule(w, 1.6, theme.RED, space_after=1.5),
            Rule(w, 0.5, theme.RED),
            self.tag(Para(one(d.title, bold=True), title), "H1"),
        ]
        if d.subtitle:
            out.append(self.tag(Para(one(d.subtitle), sub)))
        if d.source:
            out.append(self.tag(Para(one(d.source), src)))
        return out

    def contents(self) -> list[Flowable]:
        """The table of contents: section titles with page numbers, each a link to its section."""
        w = self.opts.width
        head = ParaStyle(lang=self.lang, family=theme.HEAD_FAMILY, size=self.sz.h2, leading=self.sz.h2 * 1.6,
                         align="left", first_indent=0, color=theme.RED, space_before=6)
        heading = self.tag(Para(one(self.L["contents"], bold=True), head), "H2")
        toc = self.parent.add("TOC")
        rows = []
        for level, title, page, key in self.opts.toc:
            st = replace(self.cell, left_indent=0 if level == 1 else self.sz.body * 1.5,
                         color=theme.INK if level == 1 else theme.GREY_DARK)
            # TOCI → Link: the title and its page number, and the link annotation
            link = toc.add("TOCI").add("Link")
            text = Para(one(title, bold=level == 1), st)
            number = Para(one(str(page)), replace(self.cell, align="right"))
            entry = Link(text, key, contents=title)
            text.tag = number.tag = entry.tag = link
            rows.append([entry, number])
        t = make_table(rows, [w - 40, 40], [
            ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ("LINEBELOW", (0, -1), (-1, -1), 0.5, colors.HexColor(theme.GREY_LIGHT))])
        t.spaceAfter = 8
        return [heading, t]

    def section(self, s: m.LSection, n: int) -> list[Flowable]:
        sz = self.sz
        if s.level == 1:
            text = (section_number(n, self.lang) if s.numbered else "") + s.heading
            style = ParaStyle(lang=self.lang, family=theme.HEAD_FAMILY, size=sz.h1, leading=sz.h1 * 1.45,
                              align="left", first_indent=0, color=theme.RED, space_before=10, space_after=2,
                              keep_with_next=True, balance=True)
        else:
            text = s.heading
            style = ParaStyle(lang=self.lang, family=theme.HEAD_FAMILY, size=sz.h2, leading=sz.h2 * 1.5,
                              align="left", first_indent=0, color=theme.INK, space_before=6, space_after=1,
                              keep_with_next=True, balance=True)
        outer, level = self.parent, self.level
        out: list[Flowable] = []
        if s.heading:
            self.parent, self.level = outer.add("Sect"), s.level
            # the title is H1: sections are H2, subsections H3
            out += [Anchor(s.id, text, s.level), self.tag(Para(one(text, bold=True), style), f"H{s.level + 1}")]
        else:
            # a section without a heading (a preamble): no anchor, bookmark, contents entry or Sect of its own;
            # its blocks belong to the enclosing element, their run-in headings a level up
            self.level = s.level - 1
        if s.byline:
            # "记者 成安林": the space between role and name is an ideographic space in Chinese
            byline = s.byline.replace(" ", "\u3000") if self.lang == "zh" else s.byline
            out.append(self.tag(Para(one(byline), replace(self.small, keep_with_next=True, space_after=3))))
        prev: m.LBlock | None = None
        for b in s.blocks:
            made = self.block(b)
            if isinstance(b, m.LSource) and isinstance(prev, (m.LChart, m.LTable, m.LFigures)) and out:
                out[-1] = with_note(out[-1], made[0], splits=isinstance(prev, m.LTable))
            else:
                out += made
            prev = b
        for i, sub in enumerate(s.sections, 1):
            out += self.section(sub, i)
        self.parent, self.level = outer, level
        return out

    # ------------------------------------------------------------- blocks
    def block(self, b: m.LBlock) -> list[Flowable]:
        if isinstance(b, m.LParagraph):
            para = self.tag(Para(runs(b.text), self.body, origin=b.origin))
            para.tag_runin = True     # a leading bold run is a run-in heading ("“稳”的态势持续巩固。…")
            return [para]
        if isinstance(b, m.LHeading):
            st = ParaStyle(lang=self.lang, family=theme.HEAD_FAMILY, size=self.sz.body,
                           leading=self.sz.leading, align="left", first_indent=0, space_before=4,
                           keep_with_next=True, balance=True)
            return [self.tag(Para(runs(b.text, bold=True), st), f"H{self.level + 2}")]
        if isinstance(b, m.LBullets):
            # Chinese: a square in the 2 em indent of the body text, justified; English: a round bullet
            # in 1.5 em, set ragged right as English lists are
            zh = self.lang == "zh"
            st = replace(self.body, first_indent=0, left_indent=self.sz.body * (2 if zh else 1.5),
                         bullet="▪" if zh else "•", space_after=2, align="justify" if zh else "left")
            items: list[Flowable] = []
            lst = self.parent.add("L")
            for item in b.items:
                li = lst.add("LI")
                para = Para(runs(item), st)
                para.tag_label, para.tag = li.add("Lbl"), li.add("LBody")
                items.append(para)
            return items + [Spacer(1, 3)]
        if isinstance(b, m.LSource):
            return [self.tag(Para(runs(b.text), replace(self.small, space_before=2, space_after=4)))]
        if isinstance(b, m.LFigures):
            return [self.figures_panel(b)]
        if isinstance(b, m.LTable):
            return self.table(b)
        if isinstance(b, m.LChart):
            return [self.chart(b)]
        raise TypeError(type(b).__name__)

    def figures_panel(self, f: m.LFigures) -> Flowable:
        w = self.opts.width
        cap = ParaStyle(lang=self.lang, family=theme.HEAD_FAMILY, size=self.sz.small + 1,
                        leading=(self.sz.small + 1) * 1.6, align="left", first_indent=0, color=theme.INK,
                        space_before=8, keep_with_next=True)
        n = len(f.items) or 1
        per_row = -(-n // -(-n // 4))   # at most 4 a row, rows as even as they can be (6 → 3 + 3)
        cw = w / per_row
        # a figure is never broken but at a plain word space: the values share the largest size (16 pt
        # down to 9 pt) at which each piece of each value fits its cell (4 pt padding each side)
        size = 16.0
        pieces = [piece for i in f.items for piece in i.value.split(" ") if piece]
        while size > 9 and any(line_width(piece, theme.HEAD_FAMILY, True, size, self.lang) > cw - 8.5
                               for piece in pieces):
            size -= 0.5
        val = ParaStyle(lang=self.lang, family=theme.HEAD_FAMILY, size=size, leading=size * 1.25, align="center",
                        first_indent=0, color=theme.RED)
        lab = ParaStyle(lang=self.lang, family=theme.HEAD_FAMILY, size=self.sz.small, leading=self.sz.small * 1.35,
                        align="center", first_indent=0, color=theme.INK, balance=True)
        note = replace(lab, color=theme.GREY_DARK, size=self.sz.small - 0.5)
        # tagged as a Figure (its caption beside it) that reads as its figures
        group = self.parent.add("Div") if f.title else self.parent
        caption = self.tag(Para(one(f.title, bold=True), cap), "Caption", group) if f.title else None
        figure = group.add("Figure", alt=panel_alt(f, self.lang))
        cells = [[Para(one(i.value, bold=True, figure=True), val), Para(one(i.label), lab)]
                 + ([Para(runs(i.note), note)] if i.note else []) for i in f.items]
        for paras in cells:
            for para in paras:
                para.tag = figure
        rows = [cells[k:k + per_row] for k in range(0, len(cells), per_row)]
        if len(rows[-1]) < per_row:
            rows[-1] = rows[-1] + [Spacer(1, 1) for _ in range(per_row - len(rows[-1]))]
        t = make_table(rows, [cw] * per_row, [
            ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(theme.PANEL)),
            ("LINEABOVE", (0, 0), (-1, 0), 1.5, colors.HexColor(theme.RED)),
            ("LINEAFTER", (0, 0), (-2, -1), 0.5, colors.HexColor(theme.WHITE)),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 7), ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
            ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ])
        t.spaceBefore, t.spaceAfter = 6, 8
        if caption is not None:
            return Stack([caption, t])
        return t

    def _col_widths(self, t: m.LTable, size: float, pad: float) -> list[float]:
        w = self.opts.width
        n = len(t.columns)
        natural = [0.0] * n
        indents = [(0,) * n] + list(t.indents or [(0,) * n] * len(t.rows))
        for row, levels in zip([tuple((m.Span(c, True),) for c in t.columns)] + list(t.rows), indents):
            for j, cell in enumerate(row[:n]):
                text_w = sum(line_width(s.text, theme.HEAD_FAMILY, s.bold, size, self.lang) for s in cell)
                text_w += levels[j] * size
                natural[j] = max(natural[j], text_w + 2 * pad + 1)
        total = sum(natural)
        if total <= w:
            extra = (w - total) / n
            return [x + extra for x in natural]
        # too wide: give every column at least its share of a fair minimum, squeeze the widest
        floor = min(w / n, 4 * size + 2 * pad)
        widths = natural[:]
        while sum(widths) > w + 0.01:
            over = sum(widths) - w
            widest = max(range(n), key=lambda j: widths[j])
            second = sorted(widths)[-2] if n > 1 else floor
            widths[widest] = max(floor, widths[widest] - min(over, max(widths[widest] - second, 1.0)))
            if all(x <= floor + 0.01 for x in widths):
                break
        return widths

    def table(self, t: m.LTable) -> list[Flowable]:
        self.tables += 1
        pad = 5.0   # 10 pt between columns: "6.3%" and "第6位" read as two cells
        size = self.cell.size
        widths = self._col_widths(t, size, pad)
        head = replace(self.cell, color=theme.WHITE)

        def cell(rich: m.Rich, j: int, st: ParaStyle, row: Node, role: str, indent: int = 0) -> Para:
            # an indented cell (a sub-row) is indented 1 em a level, its continuation lines too
            para = Para(runs(rich), replace(st, align=t.align[j] if j < len(t.align) else "left",
                                            left_indent=indent * st.size))
            para.tag = row.add(role, attrs={"O": "Table", "Scope": "Column"} if role == "TH" else None)
            return para

        # Table → Caption, THead (the column heads, TH with /Scope /Column), TBody (a TR of TDs per row)
        table = self.parent.add("Table")
        cap = ParaStyle(lang=self.lang, family=theme.HEAD_FAMILY, size=self.sz.small + 1,
                        leading=(self.sz.small + 1) * 1.6, align="left", first_indent=0, color=theme.INK)
        caption = (self.tag(Para(one(self.L["table_caption"].format(n=self.tables, title=t.title), bold=True), cap),
                            "Caption", table) if t.title else None)
        tr = table.add("THead").add("TR")
        data = [[cell((m.Span(c, True),), j, head, tr, "TH") for j, c in enumerate(t.columns)]]
        body = table.add("TBody")
        for i, row in enumerate(t.rows):
            tr = body.add("TR")
            data.append([cell(c, j, self.cell, tr, "TD", t.indents[i][j] if t.indents else 0)
                         for j, c in enumerate(row)])
        top = 0
        style = []
        if caption is not None:
            # the caption is the table's first row, so it stays with the header when the table splits
            # over the rest of the table on the next page: "表1（续）" / "Table 1 (continued)", an artifact (the
            # caption with the title is in the tree once), short as page furniture is
            continued = Para(one(self.L["table_continued"].format(n=self.tables), bold=True), cap)
            data.insert(0, [caption] + [""] * (len(t.columns) - 1))
            style += [("SPAN", (0, 0), (-1, 0)), ("LEFTPADDING", (0, 0), (0, 0), 0),
                      ("BOTTOMPADDING", (0, 0), (-1, 0), 3)]
            top = 1
        style = [
            ("BACKGROUND", (0, top), (-1, top), colors.HexColor(theme.RED)),
            ("LINEBELOW", (0, top + 1), (-1, -1), 0.4, colors.HexColor(theme.GREY_LIGHT)),
            ("LINEBELOW", (0, -1), (-1, -1), 0.8, colors.HexColor(theme.RED)),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ("LEFTPADDING", (0, 0), (-1, -1), pad), ("RIGHTPADDING", (0, 0), (-1, -1), pad),
        ] + style
        for r in range(top + 2, len(data), 2):
            style.append(("BACKGROUND", (0, r), (-1, r), colors.HexColor(theme.PANEL)))
        tbl = make_table(data, widths, style, repeatRows=top + 1)
        if t.title:
            tbl.continued = continued
        # as much room under the table as under a figure: its note's, or 8 pt below its last rule
        tbl.spaceBefore, tbl.spaceAfter = 8 if t.title else 2, 4 if t.note else 8
        block: Flowable = tbl
        if t.note:
            block = WithNote(tbl, self.tag(Para(one(t.note), replace(self.small, space_after=6))))
        # a short table moves whole to the next page where it does not fit; the paragraph after it fills
        # the page first, as after a figure
        block.is_figure = len(t.rows) <= SHORT_TABLE
        return [block]

    def chart(self, c: m.LChart) -> Flowable:
        from .vector import FigureFlowable

        self.figures += 1
        drawings, width = self.drawings, self.opts.width
        if drawings is not None:
            fig = FigureFlowable(lambda: drawings.figure(c))
        else:   # composed without the charts stage (tests, tools): drawn when placed, never cached
            from . import charts

            fig = FigureFlowable(lambda: charts.render(c, width, cache=False))
        cap = ParaStyle(lang=self.lang, family=theme.HEAD_FAMILY, size=self.sz.small + 1,
                        leading=(self.sz.small + 1) * 1.6, align="left", first_indent=0, color=theme.INK,
                        space_before=8)
        # Div → Caption, Figure (/Alt: the chart in words, from the charts stage), P (the source)
        group = self.parent.add("Div")
        parts: list[Flowable] = [
            self.tag(Para(one(self.L["figure_caption"].format(n=self.figures, title=c.title), bold=True), cap),
                     "Caption", group),
            fig,
        ]
        fig.tag = group.add("Figure")
        if c.source:
            parts.append(self.tag(Para(one(self.L["source"].format(text=c.source)),
                                       replace(self.small, space_after=6)), "P", group))
        else:
            parts.append(Spacer(1, 6))
        figure = Stack(parts)
        figure.is_figure = True
        return figure


def compose(doc: m.LocalBriefing, opts: Options, drawings: Figures | None = None) -> Story:
    """The story: every block as flowables; charts are placed from `drawings` (the charts stage). Its
    `tree` is the structure tree that tags it."""
    return Composer(doc, opts, drawings).story()


PANEL_ALT = {
    "zh": {"item": "{label}{value}", "note": "{item}，{note}", "sep": "；", "end": "。"},
    "en": {"item": "{label} {value}", "note": "{item}, {note}", "sep": "; ", "end": "."},
}


def panel_alt(f: m.LFigures, lang: str) -> str:
    """A key-figure panel in words, as its figures read: label and value, then the note, figure by figure
    (地区生产总值增长6.3%，全省第6位；… / GDP growth 6.3%, 6th in Henan; …)."""
    s = PANEL_ALT[lang]
    items = []
    for i in f.items:
        item = s["item"].format(label=i.label.strip(), value=i.value.strip()).strip()
        note = plain(i.note).strip()
        items.append(s["note"].format(item=item, note=note) if note else item)
    return s["sep"].join(items) + s["end"] if items else ""


def prelayout(story: list[Flowable], width: float) -> None:
    """Break every top-level paragraph of the story into lines at the column width now (they keep their
    lines), leaving figures alone: run while the charts are still being drawn in the worker, this is the
    text layout the page layout would otherwise do after waiting for the first chart."""
    for f in story:
        if isinstance(f, Para):
            f.wrap(width, 1e6)
        elif isinstance(f, Stack):
            prelayout(f.items, width)
