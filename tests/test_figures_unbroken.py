"""A figure is never broken across lines (issue #10 item 4): no line break or hyphen inside a number, between
a number and its currency, scale word or unit, or inside those words (`CNY 362.2 billion`; `6.3 percentage`
stays together, a break before `points` is allowed) — in paragraphs, bullets, tables, key-figure panels and
chart labels, in both languages and on A4 and letter paper. Checked on the text of the built PDFs: every
figure the localized briefing prints is found whole on one line, and never more often in the text joined
across line ends than on single lines."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pdfplumber
import pytest

from briefing import model as m
from briefing.load import load
from briefing.localize import localize
from briefing.pipeline import BuildOptions, build

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "content" / "jiaozuo-2025-h1.yaml"
RELEASES = ROOT / "tests" / "releases"

pytestmark = pytest.mark.slow   # whole-document builds


def figures_of(doc: m.LocalBriefing) -> Counter:
    """Every figure the document prints as a figure (placeholders in text, key-figure values, chart values),
    as the parts no line may divide."""
    out: Counter = Counter()

    def rich(r: m.Rich) -> None:
        out.update(s.text for s in r if s.figure)

    def blocks(bs) -> None:
        for b in bs:
            if isinstance(b, (m.LParagraph, m.LHeading, m.LSource)):
                rich(b.text)
            elif isinstance(b, m.LBullets):
                for item in b.items:
                    rich(item)
            elif isinstance(b, m.LTable):
                for row in b.rows:
                    for cell in row:
                        rich(cell)
            elif isinstance(b, m.LFigures):
                out.update(i.value for i in b.items)
            elif isinstance(b, m.LChart):
                points = list(b.points) + [p for row in b.matrix for p in row]
                if b.kind in ("hbar", "bar", "donut"):
                    out.update(p.text for p in points)

    def sections(ss) -> None:
        for s in ss:
            blocks(s.blocks)
            sections(s.sections)

    sections(doc.sections)
    # the parts of a figure no line may divide: what no-break spaces bind to a number. A figure may break
    # at a plain word space (`up | 6.3%`, `25,500 highly | skilled workers`, `0.9 percentage | points`)
    groups: Counter = Counter()
    for text, n in out.items():
        for part in text.split(" "):
            if any(c.isdigit() for c in part):
                groups[part.replace("\u00a0", " ")] += n
    return groups


def pdf_text(pdf: bytes, tmp: Path) -> str:
    path = tmp / "x.pdf"
    path.write_bytes(pdf)
    with pdfplumber.open(path) as doc:
        return "\n".join(p.extract_text() or "" for p in doc.pages).replace("\u00a0", " ")


def joined(text: str, lang: str) -> str:
    if lang == "zh":
        return re.sub(r"\s+", "", text)
    return re.sub(r"\s+", " ", re.sub(r"-\n", "", text))


def on_lines(text: str, lang: str) -> str:
    if lang == "zh":
        return re.sub(r"[^\S\n]+", "", text)
    text = re.sub(r"[^\S\n]+", " ", text)
    return re.sub(r"(\d percentage) ?\n(points?\b)", r"\1 \2", text)


def count(figure: str, text: str) -> int:
    return len(re.findall(r"(?<![\d.,])" + re.escape(figure) + (r"(?![\d])" if figure[-1].isdigit() else ""),
                          text))


CASES = [(SAMPLE, lang, paper) for lang in ("zh", "en") for paper in ("a4", "letter")] + [
    (RELEASES / "songyuan-2024.yaml", "en", "letter"),     # a four-column key-figure panel
    (RELEASES / "national-2022.yaml", "en", "letter"),     # trillions, a donut with a figure in its hole
    (RELEASES / "national-2022.yaml", "zh", "letter"),
]


@pytest.mark.parametrize("path, lang, paper", CASES, ids=[f"{p.stem}-{lang}-{paper}" for p, lang, paper in CASES])
def test_no_figure_is_broken(tmp_path, path, lang, paper):
    b = load(path)
    figures = figures_of(localize(b, lang))
    assert len(figures) > 20
    text = pdf_text(build(str(path), lang, BuildOptions(paper=paper)), tmp_path)
    flat, lines = joined(text, lang), on_lines(text, lang)
    if lang == "zh":
        figures = Counter({re.sub(r"\s+", "", f): n for f, n in figures.items()})
    missing = sorted(f for f in figures if count(f, lines) == 0)
    split = sorted(f for f in figures if count(f, flat) > count(f, lines))
    assert not missing, f"figures not found whole on one line: {missing}"
    assert not split, f"figures broken across lines: {split}"


def test_the_check_finds_a_broken_figure():
    text = "revenue was CNY 362.2 bil-\nlion, up 6.3\npercentage points; CNY 100.21\n8 billion"
    flat, lines = joined(text, "en"), on_lines(text, "en")
    assert count("CNY 362.2 billion", flat) == 1 and count("CNY 362.2 billion", lines) == 0
    assert count("6.3 percentage points", flat) == 1 and count("6.3 percentage points", lines) == 0
    assert count("CNY 100.218 billion", lines) == 0
    ok = on_lines("up 0.9 percentage\npoints", "en")
    assert count("0.9 percentage points", ok) == 1
