"""Load the stress corpus and render it into test PDFs, with our typesetter or with ReportLab's Paragraph.

Shared by tests/test_layout_corpus.py and bench/reportlab_baseline.py so both set the very same text at the
very same widths. One PDF holds all paragraphs of one language at one width, one Frame wide; paragraphs
are separated by half a line of space so the checker can tell where each one ends.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

CORPUS = Path(__file__).resolve().parent / "paragraphs.yaml"
WIDTHS_EM = (8, 12, 16, 24, 32, 40)
SIZE = 10.5
LEADING = {"zh": 18.0, "en": 15.0}
PAGE = (595.2755905511812, 841.8897637795277)  # A4
MARGIN_X = 72.0
MARGIN_Y = 72.0

BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class CorpusPara:
    id: str
    lang: str
    stresses: str
    text: str  # with **bold** markup

    @property
    def runs(self) -> list[tuple[str, bool]]:
        """(text, bold) pieces: `**...**` toggles bold."""
        pieces = re.split(r"\*\*", self.text)
        return [(p, i % 2 == 1) for i, p in enumerate(pieces) if p]

    @property
    def plain(self) -> str:
        return self.text.replace("**", "")


def load(lang: str | None = None) -> list[CorpusPara]:
    items = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    paras = [CorpusPara(d["id"], d["lang"], d["stresses"], d["text"]) for d in items]
    return [p for p in paras if lang is None or p.lang == lang]


def text_area(width_pt: float) -> BBox:
    """The frame as pdfplumber sees it (origin top-left)."""
    top = MARGIN_Y
    return (MARGIN_X, top, MARGIN_X + width_pt, PAGE[1] - MARGIN_Y)


def build(path: Path, flowables: Sequence[Any], width_pt: float) -> BBox:
    """Lay `flowables` out in one frame `width_pt` wide on A4 pages; return the text area."""
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

    from briefing.fonts import font_name

    height = PAGE[1] - 2 * MARGIN_Y
    frame = Frame(MARGIN_X, MARGIN_Y, width_pt, height, leftPadding=0, rightPadding=0, topPadding=0,
                  bottomPadding=0, id="body")
    # initialFontName keeps ReportLab from putting its default Helvetica into the font resources
    doc = BaseDocTemplate(str(path), pagesize=PAGE, invariant=1, initialFontName=font_name("serif"),
                          pageTemplates=[PageTemplate("body", frames=[frame])])
    doc.build(list(flowables))
    return text_area(width_pt)


def ours(paras: Sequence[CorpusPara]) -> list[Any]:
    """Flowables from our typesetter (briefing.typeset)."""
    from briefing.typeset import Para, ParaStyle, Run

    out = []
    for p in paras:
        style = ParaStyle(lang=p.lang, family="serif", size=SIZE, leading=LEADING[p.lang], align="justify",
                          space_after=LEADING[p.lang] / 2)
        out.append(Para([Run(t, bold=b) for t, b in p.runs], style, origin=p.id))
    return out


def reportlab_cjk(paras: Sequence[CorpusPara]) -> list[Any]:
    """Flowables from ReportLab's own Paragraph with wordWrap='CJK' and justification: the baseline."""
    from xml.sax.saxutils import escape

    from reportlab.lib.enums import TA_JUSTIFY
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph

    from briefing.fonts import font_name

    font_name("serif", True)  # register the bold face so <b> maps to it
    out = []
    for p in paras:
        style = ParagraphStyle(f"rl-{p.lang}", fontName=font_name("serif"), fontSize=SIZE,
                               leading=LEADING[p.lang], alignment=TA_JUSTIFY,
                               firstLineIndent=2 * SIZE if p.lang == "zh" else 0,
                               wordWrap="CJK", spaceAfter=LEADING[p.lang] / 2)
        markup = "".join(f"<b>{escape(t)}</b>" if b else escape(t) for t, b in p.runs)
        out.append(Paragraph(markup, style))
    return out


Renderer = Callable[[Sequence[CorpusPara]], list[Any]]


def render(path: Path, paras: Sequence[CorpusPara], width_em: float, renderer: Renderer) -> BBox:
    return build(path, renderer(paras), width_em * SIZE)
