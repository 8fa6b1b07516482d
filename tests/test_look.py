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


def page_texts(pdf_path) -> list[list[dict]]:
    """Per page, the characters between the running header and the footer."""
    with pdfplumber.open(pdf_path) as pdf:
        return [[c for c in p.chars if c["text"].strip() and 60 < c["top"] < p.height - 50] for p in pdf.pages]


NOTE = {"zh": ("上半年完成情况与全年目标", "注：全年目标为"), "en": ("First-half results against annual targets",
                                                          "Note: annual targets")}


def test_a_note_after_a_chart_stays_with_it(builds):
    """The sample ends with a chart and a note on it (a `source` block): on letter paper the note stood
    alone on a last page, the chart at the foot of the one before. Every page also holds more than notes
    and source lines (text above their 8.5 pt), in the sample and every release, A4 and letter."""
    chosen = [b for b in builds.get("a4", "", True) + builds.get("letter", "", True)
              if b.content == SAMPLE or b.content.parent.name == "releases"]
    assert len(chosen) >= 18
    alone = []
    for b in chosen:
        pages = page_texts(b.pdf)
        for n, chars in enumerate(pages, 1):
            if chars and max(c["size"] for c in chars) < 9:
                alone.append(f"{b.name} p.{n}: {''.join(c['text'] for c in chars)[:40]}")
        if b.content == SAMPLE:
            caption, note = NOTE[b.lang]
            where = [n for n, chars in enumerate(pages, 1) for s in (caption, note)
                     if s.replace(" ", "") in "".join(c["text"] for c in chars).replace(" ", "")]
            assert len(where) == 2 and where[0] == where[1], (b.name, where)
    assert alone == []


def test_the_masthead_author_takes_the_line_the_date_leaves(builds):
    """shaoxing-2021: `Shaoxing Municipal Bureau of Statistics and NBS Survey Office` / `in Shaoxing` at 60 %
    of the line beside a short date; the author now takes all the line but the date and 2 em, on one line
    for every release and the sample, A4 and letter."""
    import yaml

    chosen = [b for b in builds.get("a4", "", True) + builds.get("letter", "", True)
              if b.content == SAMPLE or b.content.parent.name == "releases"]
    split = []
    for b in chosen:
        author = re.sub(r"\s", "", yaml.safe_load(b.content.read_text("utf-8"))["author"][b.lang])
        with pdfplumber.open(b.pdf) as pdf:
            chars = [c for c in pdf.pages[0].chars if c["text"].strip()]
        rows: dict[int, str] = {}
        for c in sorted(chars, key=lambda c: (round(c["bottom"]), c["x0"])):
            rows[round(c["bottom"])] = rows.get(round(c["bottom"]), "") + c["text"]
        under_masthead = rows[sorted(rows)[1]]     # the line under the masthead: author, then the date
        if not under_masthead.startswith(author):
            split.append(f"{b.name}: {under_masthead}")
    assert split == []
