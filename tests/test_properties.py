"""Property-based tests: random Unicode text through the typesetter and through a whole build.

Whatever the text, the typesetter never crashes (a character no bundled font has is a clean GlyphError
naming it), loses no text, and draws no glyph outside the text area."""
from __future__ import annotations

import io
import re
import unicodedata

import pdfplumber
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_load import HEAD  # the smallest valid document head, shared

from briefing import theme
from briefing.errors import ErrorList, GlyphError
from briefing.load import loads
from briefing.pipeline import build_model
from briefing.typeset import ParaStyle, Run, break_lines
from briefing.typeset.punct import POSITION, Pos

HAN = [chr(c) for c in range(0x4E00, 0x4E00 + 400, 7)] + list("焦作经济运行简报增长亿元万人")
PUNCT = list("，。、；：？！“”‘’（）《》「」——……·%‰℃,.;:!?()[]-/")
LATIN = list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
DIGITS = list("0123456789")
SPACES = [" ", " ", "\u3000"]
COMBINING = ["\u0301", "\u0308"]   # combining acute and diaeresis (after a Latin letter)

ALPHABET = HAN + PUNCT + LATIN + DIGITS + SPACES + COMBINING
# Typical runs (words, numbers with units, quoted names, URLs) mixed with random characters. One text
# alphabet for every text node: hypothesis's shrinker mixes up texts of different alphabets in one_of.
WORDS = ["焦作", "增长6.3%", "79.9亿元", "3.91万人", "“3+13+N”", "GDP", "5G", "——", "……", "（一期）",
         "internationalization", "https://www.jiaozuo.gov.cn/sitesources/jzsrmzf/page_pc/index.html",
         "2,486.4", "8GWh", "R&D", "e\u0301te\u0301", "。”", "），", "《焦作日报》"]
chunks = st.one_of(st.sampled_from(WORDS), st.text(st.sampled_from(ALPHABET), min_size=1, max_size=12))
texts = st.lists(chunks, min_size=1, max_size=30).map("".join).filter(lambda s: s.strip())


def squash(s: str) -> str:
    return re.sub(r"[\s\u3000]+", "", s)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts, width_em=st.integers(8, 40), lang=st.sampled_from(["zh", "en"]),
       bold=st.booleans())
def test_typesetter_keeps_all_text_inside_the_measure(text, width_em, lang, bold):
    style = ParaStyle(lang=lang, size=10.0, leading=16.0)
    width = width_em * style.size
    try:
        lines = break_lines([Run(text, bold=bold)], width, style)
    except GlyphError as e:
        assert "U+" in str(e)
        return
    got = "".join(ln.text[:-1] if ln.hyphenated and ln.text.endswith("-") else ln.text for ln in lines)
    assert squash(got) == squash(text)
    for ln in lines:
        for g in ln.glyphs:
            if g.ch.strip():
                # a full-width opening mark starting a line drops its blank left half (ink in the right half)
                lead = g.advance / 2 if POSITION.get(g.ch) == Pos.RIGHT and g.advance >= g.size else 0.0
                assert g.x + lead >= -0.01, (ln.text, g)
                # a full-width mark whose ink is in its left half may hang its blank half past the edge
                ink = g.advance / 2 if POSITION.get(g.ch) == Pos.LEFT and g.advance >= g.size else g.advance
                assert g.x + ink <= width + 0.5, (ln.text, g, width)




@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(paras=st.lists(texts, min_size=1, max_size=3), lang=st.sampled_from(["zh", "en"]))
def test_whole_build_never_crashes_and_loses_no_text(paras, lang):
    blocks = [{"paragraph": {"zh": p, "en": p}} for p in paras]
    doc = HEAD + yaml.safe_dump({"sections": [{"heading": {"zh": "一", "en": "One"}, "blocks": blocks}]},
                                allow_unicode=True)
    try:
        b = loads(doc, "prop.yaml")
        pdf = build_model(b, lang)
    except ErrorList as e:   # only for characters the fonts lack
        assert all("U+" in line for line in e.lines()), e.lines()
        return
    with pdfplumber.open(io.BytesIO(pdf)) as doc_pdf:
        page_text = "".join(p.extract_text() or "" for p in doc_pdf.pages)
        area = theme.Page(*theme.A4)   # every glyph (body, header, footer) inside the text column
        for page in doc_pdf.pages:
            for c in page.chars:
                box = c["x1"] - c["x0"]
                hang = box / 2 if POSITION.get(c["text"]) == Pos.LEFT and box >= c["size"] * 0.99 else 0.0
                lead = box / 2 if POSITION.get(c["text"]) == Pos.RIGHT and box >= c["size"] * 0.99 else 0.0
                assert area.left - 0.5 <= c["x0"] + lead and c["x1"] - hang <= area.width - area.right + 0.5, \
                    c["text"]
    # A zero-width combining mark sits at the same x as the glyph after it, so extraction may put it on
    # either side of that glyph: compare without the marks, and count the marks.
    def plain(s: str) -> str:
        return "".join(ch for ch in squash(s).replace("-", "") if not unicodedata.combining(ch))

    body = plain(page_text)
    for p in paras:
        assert plain(p) in body
    marks = sum(unicodedata.combining(ch) > 0 for ch in "".join(paras))
    assert sum(unicodedata.combining(ch) > 0 for ch in page_text) == marks
