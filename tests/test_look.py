"""What a reader sees on every page of the sample and of the corpus of real releases (the session's builds,
conftest.Builds: no build of its own): no word cut by a hyphen in the sans text (tables, charts, key
figures, captions, headings), where a short ragged line gains nothing from it."""
from __future__ import annotations

import re

import pdfplumber
import pytest
from conftest import SAMPLE
from layout_checker import extract_lines, link_paragraphs

pytestmark = pytest.mark.slow   # reads the session's builds (made by `briefing build` once per session)


def hyphenated_sans(pdf_path, source: str) -> list[str]:
    """Words split over two lines by a drawn hyphen in the sans face, as `tail-|head` (a compound the
    content writes with its hyphen, `year-|end`, is no cut)."""
    with pdfplumber.open(pdf_path) as pdf:
        lines = extract_lines(pdf, char_filter=lambda c: "Sans" in c["fontname"], split_gap_em=0.75)
    link_paragraphs(lines, text_area=None)
    cut = []
    for ln in lines:
        text = ln.text.rstrip()
        nxt = ln.next
        if nxt is None or not re.search(r"[A-Za-z][-‐]$", text) or nxt.baseline - ln.baseline > 2.5 * ln.size:
            continue
        tail = re.findall(r"[A-Za-z]+[-‐]$", text)[0][:-1]
        head = re.findall(r"^[A-Za-z]*", nxt.text.strip())[0]
        if head and f"{tail}-{head}" not in source:
            cut.append(f"p.{ln.page}: {tail}-|{head}")
    return cut


def test_no_word_is_cut_in_tables_charts_or_labels(builds):
    """Tables, chart labels and key figures set whole words (national-2020q1 had `ani-|mal husbandry` in
    its chart, the sample `actu-|ally used` in its table); English only (Chinese has no hyphenation)."""
    found = {}
    chosen = [b for b in builds.get("a4", "", True) if b.lang == "en" and
              (b.content == SAMPLE or b.content.parent.name == "releases")]
    chosen += [b for b in builds.get("letter", "", True) if b.lang == "en" and b.content == SAMPLE]
    assert len(chosen) >= 9
    for b in chosen:
        cut = hyphenated_sans(b.pdf, b.content.read_text("utf-8"))
        if cut:
            found[b.name] = cut
    assert found == {}
