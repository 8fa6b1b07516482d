"""The layout checker must catch each kind of violation and pass correct lines.

Each test draws a few lines with reportlab's canvas, placing every glyph itself, so the PDF holds exactly the
layout under test (right or wrong) independent of any line breaker.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from layout_checker import area_from_frame, check_pdf, is_han, is_latin_alnum
from reportlab.pdfgen import canvas

from briefing.fonts import advance, font_name

SIZE = 10.5
LEADING = 18.0
PAGE_H = 841.89
LEFT = 72.0
TOP_Y = 760.0  # baseline of the first line (ReportLab coordinates)


def _gap(a: str, b: str) -> float:
    """The toy typesetter's spacing between two glyphs: 1/4 em between Han and Latin."""
    if (is_han(a) and is_latin_alnum(b)) or (is_latin_alnum(a) and is_han(b)):
        return 0.25 * SIZE
    return 0.0


def _natural(text: str, compress: bool) -> list[float]:
    """x offsets of each char when set solid (plus Han-Latin spacing and punctuation compression)."""
    xs, x = [], 0.0
    for i, ch in enumerate(text):
        if i:
            x += _gap(text[i - 1], ch)
        xs.append(x)
        w = advance(ch, "serif", False, SIZE)
        if compress and ch in "。，、：）”》" and i + 1 < len(text) and text[i + 1] in "。，、）”》“（《":
            w = 0.5 * SIZE  # give up the blank right half
        x += w
    xs.append(x)
    return xs


def draw(path: Path, lines: list[str], *, width: float | None = None, indent: float = 0.0,
         justify_last: bool = False, compress: bool = True, font: str | None = None,
         extra: list[tuple[float, float, str]] = ()) -> Path:
    """Draw `lines` as one paragraph starting at LEFT; with `width`, stretch every line but the last to it
    (equal extra space between glyphs; between words for lines containing spaces)."""
    c = canvas.Canvas(str(path), pagesize=(595.28, PAGE_H), invariant=1, initialFontName=font_name("serif"))
    c.setFont(font or font_name("serif"), SIZE)
    for n, text in enumerate(lines):
        x0 = LEFT + (indent if n == 0 else 0.0)
        xs = _natural(text, compress)
        stretch_each = 0.0
        last = n == len(lines) - 1
        if width is not None and (not last or justify_last):
            spare = LEFT + width - x0 - xs[-1]
            slots = [i for i, ch in enumerate(text) if ch == " "] or list(range(1, len(text)))
            stretch_each = spare / len(slots)
        else:
            slots = []
        shift = 0.0
        for i, ch in enumerate(text):
            if i in slots:
                shift += stretch_each
            if ch != " ":
                c.drawString(x0 + xs[i] + shift, TOP_Y - n * LEADING, ch)
    for x, y, s in extra:
        c.drawString(x, y, s)
    c.save()
    return path


def area(width: float, nlines: int = 10) -> tuple[float, float, float, float]:
    return area_from_frame(LEFT, TOP_Y - nlines * LEADING, width, nlines * LEADING + SIZE, PAGE_H)


# -- rule 1 / 2 -------------------------------------------------------------------------------------------
def test_line_starting_with_comma_is_flagged(tmp_path: Path) -> None:
    rep = check_pdf(draw(tmp_path / "a.pdf", ["本报讯记者从焦作市获悉", "，上半年经济运行平稳"]), lang="zh")
    assert rep.count(1) == 1, rep.describe()
    assert "，上半年" in rep.of(1)[0].line


def test_comma_at_line_end_is_fine(tmp_path: Path) -> None:
    rep = check_pdf(draw(tmp_path / "a.pdf", ["本报讯记者从焦作市获悉，", "上半年经济运行平稳"]), lang="zh")
    assert rep.count(1, 2) == 0, rep.describe()


def test_half_width_period_and_closing_quote_at_start_are_flagged(tmp_path: Path) -> None:
    rep = check_pdf(draw(tmp_path / "a.pdf", ["GDP rose by six", ". It was", "”好的底色更加鲜明"]), lang="zh")
    assert rep.count(1) == 2, rep.describe()


def test_line_ending_with_opening_quote_or_bracket_is_flagged(tmp_path: Path) -> None:
    rep = check_pdf(draw(tmp_path / "a.pdf", ["产业链群增加值同比“", "3+13+N”产业链（", "记者）平稳"]), lang="zh")
    assert rep.count(2) == 2, rep.describe()


# -- rule 3 -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("first,second", [
    ("实际到位省外资金79.9", "亿元均居全省前列"),
    ("实际到位省外资金2,48", "6.4亿元均居全省"),
    ("实际到位省外资金2,486.", "4亿元均居全省"),
    ("地区生产总值增长6", "%居全省第六位次"),
    ("全市储能产能达到8", "GWh居全省前列"),
    ("都市麦田里项目新业态—", "—文旅增添新动能"),
    ("都市麦田里项目新业态…", "…文旅增添新动能"),
    ("The period 2024-", "2025 saw growth"),
])
def test_unbreakable_sequences_split_are_flagged(tmp_path: Path, first: str, second: str) -> None:
    rep = check_pdf(draw(tmp_path / "a.pdf", [first, second]), lang="zh")
    assert rep.count(3) == 1, rep.describe()


def test_number_kept_with_unit_is_fine(tmp_path: Path) -> None:
    rep = check_pdf(draw(tmp_path / "a.pdf", ["实际到位省外资金", "79.9亿元均居全省前列"]), lang="zh")
    assert rep.count(3) == 0, rep.describe()


def test_word_split_without_hyphen_is_flagged_given_the_source(tmp_path: Path) -> None:
    src = "Careful typesetting matters for briefings"
    pdf = draw(tmp_path / "a.pdf", ["Careful typeset", "ting matters for briefings"])
    assert check_pdf(pdf, lang="en", sources=[src]).count(3) == 1
    # at a real space the same letters on both sides of the break are fine
    pdf2 = draw(tmp_path / "b.pdf", ["Careful typesetting", "matters for briefings"])
    assert check_pdf(pdf2, lang="en", sources=[src]).count(3) == 0


def test_hyphen_must_sit_at_a_hyphenation_point(tmp_path: Path) -> None:
    src = "The municipal government announced the figures"
    good = draw(tmp_path / "g.pdf", ["The municipal gov-", "ernment announced the figures"])
    bad = draw(tmp_path / "b.pdf", ["The municipal go-", "vernment announced the figures"])
    assert check_pdf(good, lang="en", sources=[src]).count(3) == 0
    rep = check_pdf(bad, lang="en", sources=[src])
    assert rep.count(3) == 1, rep.describe()


# -- rule 4 -------------------------------------------------------------------------------------------------
W = 16 * SIZE


def test_justified_paragraph_passes_and_ragged_line_fails(tmp_path: Path) -> None:
    lines = ["上半年全市经济运行总体平稳", "稳中有进进中提质地区生产总值", "同比增长"]
    ok = check_pdf(draw(tmp_path / "ok.pdf", lines, width=W, indent=2 * SIZE), lang="zh", text_area=area(W))
    assert ok.count(4) == 0, ok.describe()
    ragged = check_pdf(draw(tmp_path / "r.pdf", lines, width=None, indent=2 * SIZE), lang="zh",
                       text_area=area(W))
    # the first two lines are non-final and fall short; the last line is ragged by design
    assert ragged.count(4) == 2, ragged.describe()


def test_indented_next_line_marks_a_paragraph_end(tmp_path: Path) -> None:
    # line 2 is short but line 3 is indented by 2 em: line 2 ends a paragraph, so it may be ragged
    c_lines = ["上半年全市经济运行总体平稳稳中", "有进进中提质", "全市技术合同成交额达到"]
    pdf = tmp_path / "p.pdf"
    c = canvas.Canvas(str(pdf), pagesize=(595.28, PAGE_H), invariant=1, initialFontName=font_name("serif"))
    c.setFont(font_name("serif"), SIZE)
    c.drawString(LEFT, TOP_Y, c_lines[0])
    c.drawString(LEFT, TOP_Y - LEADING, c_lines[1])
    c.drawString(LEFT + 2 * SIZE, TOP_Y - 2 * LEADING, c_lines[2])
    c.save()
    rep = check_pdf(pdf, lang="zh", text_area=area(15 * SIZE))
    assert rep.count(4) == 0, rep.describe()
    assert [ln.para_end for ln in rep.lines] == [False, True, True]


def test_glyph_outside_text_area_is_flagged(tmp_path: Path) -> None:
    lines = ["上半年全市经济运行总体平稳", "同比增长"]
    pdf = draw(tmp_path / "o.pdf", lines, width=W + 3)  # 3 pt too wide
    rep = check_pdf(pdf, lang="zh", text_area=area(W))
    assert any("right of the text area" in v.detail for v in rep.of(4)), rep.describe()


def test_line_end_full_width_stop_may_give_up_its_blank_half(tmp_path: Path) -> None:
    # the first line's 。 has its ink half ending exactly at the right edge
    lines = ["上半年全市经济运行总体平稳。", "稳中有进"]
    natural = sum(advance(ch, "serif", False, SIZE) for ch in lines[0]) - 0.5 * SIZE
    pdf = draw(tmp_path / "h.pdf", lines, width=natural)
    assert check_pdf(pdf, lang="zh", text_area=area(natural)).count(4) == 0


def test_hung_line_end_mark_does_not_move_the_block_edge(tmp_path: Path) -> None:
    """Without a text area the right edge is the block's: a line whose 。 hangs its blank half past the edge
    ends (in ink) where the others do, so it must not push the edge half an em to the right."""
    def build(name: str, second: str) -> Path:
        pdf = tmp_path / name
        c = canvas.Canvas(str(pdf), pagesize=(595.28, PAGE_H), invariant=1, initialFontName=font_name("serif"))
        c.setFont(font_name("serif"), SIZE)
        first = "上半年全市经济运行总体平稳稳" + "。"       # 14 Han + 。, the 。's ink half ends at W
        step = (W - 0.5 * SIZE) / 14
        for i, ch in enumerate(first):
            c.drawString(LEFT + i * step, TOP_Y, ch)
        c.drawString(LEFT, TOP_Y - LEADING, second)
        c.drawString(LEFT, TOP_Y - 2 * LEADING, "同比增长")
        c.save()
        return pdf

    ok = check_pdf(build("ok.pdf", "稳中有进进中提质地区生产总值同比"), lang="zh")      # 16 em: flush
    assert ok.count(4) == 0, ok.describe()
    short = check_pdf(build("short.pdf", "稳中有进进中提质地区生产总值同"), lang="zh")  # 15 em: ragged
    assert short.count(4) == 1, short.describe()


# -- rule 5 -------------------------------------------------------------------------------------------------
def test_uncompressed_punctuation_pair_is_flagged(tmp_path: Path) -> None:
    lines = ["他说：“稳中有进。”然后离开"]
    bad = check_pdf(draw(tmp_path / "b.pdf", lines, compress=False), lang="zh")
    good = check_pdf(draw(tmp_path / "g.pdf", lines, compress=True), lang="zh")
    assert bad.count(5) >= 1, bad.describe()
    assert any("。”" in v.detail for v in bad.of(5)), bad.describe()
    assert good.count(5) == 0, good.describe()


# -- rule 6 -------------------------------------------------------------------------------------------------
def test_cjk_latin_gap(tmp_path: Path) -> None:
    ok = check_pdf(draw(tmp_path / "ok.pdf", ["生产总值增长6.3%居全省"]), lang="zh")
    assert ok.count(6) == 0, ok.describe()
    pdf = tmp_path / "solid.pdf"
    c = canvas.Canvas(str(pdf), invariant=1, initialFontName=font_name("serif"))
    c.setFont(font_name("serif"), SIZE)
    c.drawString(LEFT, TOP_Y, "生产总值增长6.3%居全省")  # set solid: no space at all
    c.drawString(LEFT, TOP_Y - LEADING, "全市GDP  增长")  # two typed spaces: too wide after GDP
    c.save()
    rep = check_pdf(pdf, lang="zh")
    assert rep.count(6) == 3, rep.describe()


# -- rule 8 -------------------------------------------------------------------------------------------------
def test_runt_last_line_zh(tmp_path: Path) -> None:
    bad = check_pdf(draw(tmp_path / "b.pdf", ["民生支出占一般公共预算支出比重", "达。"], width=W), lang="zh")
    assert bad.count(8) == 1, bad.describe()
    good = check_pdf(draw(tmp_path / "g.pdf", ["民生支出占一般公共预算支出", "比重达。"], width=W), lang="zh")
    assert good.count(8) == 0, good.describe()


def test_runt_last_line_en(tmp_path: Path) -> None:
    bad = check_pdf(draw(tmp_path / "b.pdf", ["The economy grew steadily in", "July."], width=W), lang="en")
    assert bad.count(8) == 1, bad.describe()
    good = check_pdf(draw(tmp_path / "g.pdf", ["The economy grew steadily", "in July."], width=W), lang="en")
    assert good.count(8) == 0, good.describe()


# -- rule 10 ------------------------------------------------------------------------------------------------
def test_standard_font_is_flagged(tmp_path: Path) -> None:
    rep = check_pdf(draw(tmp_path / "h.pdf", ["Hello world"], font="Helvetica"), lang="en")
    assert rep.count(10) == 1 and "Helvetica" in rep.of(10)[0].detail, rep.describe()


def test_embedded_subset_fonts_pass(tmp_path: Path) -> None:
    assert check_pdf(draw(tmp_path / "n.pdf", ["稳中有进 GDP"]), lang="zh").count(10) == 0


def test_notdef_glyph_is_flagged(tmp_path: Path) -> None:
    rep = check_pdf(draw(tmp_path / "x.pdf", ["稳中\U0001F600有进"]), lang="zh")
    assert any(".notdef" in v.detail for v in rep.of(10)), rep.describe()


# -- rule 12 ------------------------------------------------------------------------------------------------
def test_wide_word_gap_is_flagged(tmp_path: Path) -> None:
    solid = _natural("Fiscalrevenue", False)[-1]
    # a 1.5 em word gap
    bad = check_pdf(draw(tmp_path / "b.pdf", ["Fiscal revenue", "rose sharply."], width=solid + 1.5 * SIZE),
                    lang="en")
    assert bad.count(12) == 1 and "1.50 em" in bad.of(12)[0].detail, bad.describe()
    # a 3 em gap would split the line as if it were two table cells, unless told it is one column
    wide = draw(tmp_path / "w.pdf", ["Fiscal revenue", "rose sharply."], width=solid + 3 * SIZE)
    assert check_pdf(wide, lang="en", split_gap_em=6).count(12) == 1
    good = check_pdf(draw(tmp_path / "g.pdf", ["Fiscal revenue rose by a steady", "margin again."],
                          width=15 * SIZE), lang="en")
    assert good.count(12) == 0, good.describe()


# -- selection of chars -------------------------------------------------------------------------------------
def test_exclude_band_and_char_filter(tmp_path: Path) -> None:
    header = [(LEFT, 800.0, "页眉（"), (LEFT, 40.0, "，页脚")]
    pdf = draw(tmp_path / "e.pdf", ["上半年全市经济运行"], extra=header)
    assert check_pdf(pdf, lang="zh").count(1, 2) == 2
    bands = [(0, 0, 595.28, 50), (0, PAGE_H - 50, 595.28, PAGE_H)]
    assert check_pdf(pdf, lang="zh", exclude=bands).count(1, 2) == 0
    keep_body = check_pdf(pdf, lang="zh", char_filter=lambda ch: 60 < ch["top"] < 780)
    assert keep_body.count(1, 2) == 0


def test_table_cells_on_one_baseline_are_separate_lines(tmp_path: Path) -> None:
    cells = [(LEFT, TOP_Y, "地区生产总值"), (LEFT + 200, TOP_Y, "6.3%"), (LEFT + 300, TOP_Y, "第6位")]
    pdf = draw(tmp_path / "t.pdf", [], extra=cells)
    rep = check_pdf(pdf, lang="zh")
    assert [ln.text for ln in rep.lines] == ["地区生产总值", "6.3%", "第6位"]


def test_paragraph_running_on_to_the_next_page(tmp_path: Path) -> None:
    """The bottom line of page 1 continues on page 2 (unindented): it is checked as a non-final line, and the
    short line on page 2 is the paragraph's last line."""
    pdf = tmp_path / "pages.pdf"
    c = canvas.Canvas(str(pdf), pagesize=(595.28, PAGE_H), invariant=1, initialFontName=font_name("serif"))
    c.setFont(font_name("serif"), SIZE)
    c.drawString(LEFT + 2 * SIZE, TOP_Y, "上半年全市经济运行")  # 9 em wide: full (indented first line)
    c.drawString(LEFT, TOP_Y - LEADING, "总体平稳稳中有")           # 7 em: short, yet not the paragraph's end
    c.showPage()
    c.setFont(font_name("serif"), SIZE)
    c.drawString(LEFT, TOP_Y, "进。")
    c.save()
    rep = check_pdf(pdf, lang="zh", text_area=area(11 * SIZE), sources=["上半年全市经济运行总体平稳稳中有进。"])
    assert [ln.para_end for ln in rep.lines] == [False, False, True]
    assert rep.count(4) == 1 and "总体平稳" in rep.of(4)[0].line, rep.describe()
    assert rep.count(8) == 1, rep.describe()  # "进。" alone is a runt


def test_han_latin_gap_judged_with_or_without_the_line_stretch(tmp_path: Path) -> None:
    pdf = tmp_path / "s.pdf"
    c = canvas.Canvas(str(pdf), invariant=1, initialFontName=font_name("serif"))
    c.setFont(font_name("serif"), SIZE)
    # Han chars spread 0.5 em apart by justification; the Han-digit gap kept at exactly 1/4 em
    x = LEFT
    for ch in "建设":
        c.drawString(x, TOP_Y, ch)
        x += 1.5 * SIZE
    x += 0.25 * SIZE - 0.5 * SIZE
    c.drawString(x, TOP_Y, "5G")
    c.save()
    rep = check_pdf(pdf, lang="zh")
    assert rep.count(6) == 0 and rep.count(12) == 0, rep.describe()
