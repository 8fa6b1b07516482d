"""Unit tests of the typesetter (briefing.typeset): breaking rules, justification, compression, spacing,
runts, splitting, glyph errors, and the punctuation table checked against the bundled fonts."""
from __future__ import annotations

import pdfplumber
import pytest
from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont
from reportlab.lib.pagesizes import A4
from reportlab.platypus import SimpleDocTemplate

from briefing import fonts
from briefing.errors import GlyphError
from briefing.typeset import Para, ParaStyle, Run, break_lines
from briefing.typeset.punct import CLASSES, LATIN_QUOTE_TRIM, NO_END, NO_START, POSITION, Pos

ZH = ParaStyle()
EN = ParaStyle(lang="en", leading=15.0)
SIZE = ZH.size

TEXT_ZH = ("上半年，全市经济运行总体平稳、稳中有进、进中提质，地区生产总值同比增长6.3%、居全省第6位，"
           "一般公共预算收入、社会消费品零售总额、固定资产投资、规上工业增加值分别增长4.5%、8.2%、6.6%、"
           "8.4%，分别居全省第1、第3、第5、第8位。“稳”的态势持续巩固。焦作市夏粮平均亩产524.3公斤，"
           "居全省第1位。“3+13+N”产业链群增加值同比增长9%、拉动规上工业增加值增长8.6个百分点（2024-2025）。"
           "实际到位省外资金2,486.4亿元，新增就业3.91万人，储能8GWh——创历史新高……")
TEXT_EN = ("The city’s economy grew 6.3% in the first half of 2025, ranking sixth in the province; general "
           "public budget revenue, retail sales of consumer goods, fixed-asset investment and industrial "
           "value added rose 4.5%, 8.2%, 6.6% and 8.4% respectively, an extraordinarily remarkable "
           "acceleration of the regional economy.")
UNBREAKABLE = ["2,486.4亿元", "524.3公斤", "3.91万人", "6.3%", "8GWh", "3+13+N", "2024-2025", "——", "……"]


def widths_em(n_min: int = 8, n_max: int = 40):
    return [SIZE * k for k in range(n_min, n_max + 1)]


def body_lines(lines):
    return [ln.text for ln in lines]


# ------------------------------------------------------------------------------ break opportunities

@pytest.mark.parametrize("width", widths_em())
def test_zh_prohibitions_and_unbreakables(width):
    lines = break_lines([Run(TEXT_ZH)], width, ZH)
    assert "".join(body_lines(lines)) == TEXT_ZH          # nothing added or lost
    for a, b in zip(lines, lines[1:]):
        assert b.text[0] not in NO_START, (a.text, b.text)
        assert a.text[-1] not in NO_END, (a.text, b.text)
        joined = a.text[-6:] + "|" + b.text[:6]
        for unit in UNBREAKABLE:
            for cut in range(1, len(unit)):
                assert unit[:cut] + "|" + unit[cut:] not in joined, joined


@pytest.mark.parametrize("width", widths_em(10, 40))
def test_en_breaks_only_at_spaces_or_hyphenation(width):
    lines = break_lines([Run(TEXT_EN)], width, EN)
    words = set(TEXT_EN.split())
    rebuilt = ""
    for ln in lines:
        if ln.hyphenated:
            assert ln.text.endswith("-") and ln.text[-2].isalpha()
            rebuilt += ln.text[:-1]
        elif ln.text.endswith("-"):          # break after an explicit hyphen (fixed-|asset): nothing added
            rebuilt += ln.text
        else:
            rebuilt += ln.text + " "
    assert rebuilt.split() == TEXT_EN.split()
    for ln in lines:   # every line is whole words, except hyphenated fragments at the edges
        for w in ln.text.rstrip("-").split()[1:-1]:
            assert w in words


def test_hyphenation_points_are_real():
    lines = break_lines([Run("incomprehensibilities " * 6)], SIZE * 9, EN)
    hy = [ln for ln in lines if ln.hyphenated]
    assert hy, "a narrow measure must hyphenate a long word"
    import pyphen
    dic = pyphen.Pyphen(lang="en_US")
    allowed = set(dic.positions("incomprehensibilities"))
    carried = ""                      # the part of the current word set on earlier lines
    for ln in lines:
        words = ln.text.split()
        if ln.hyphenated:
            frag = (carried if len(words) == 1 else "") + words[-1][:-1]
            assert len(frag) in allowed, frag
            carried = frag
        else:
            carried = ""


# ------------------------------------------------------------------------------ justification

@pytest.mark.parametrize("style,text", [(ZH, TEXT_ZH), (EN, TEXT_EN)])
@pytest.mark.parametrize("width", widths_em(8, 40))
def test_justified_to_half_point(style, text, width):
    lines = break_lines([Run(text)], width, style)
    for ln in lines:
        last_g = [g for g in ln.glyphs if g.ch != " "][-1]
        edges = _right_edges(last_g)
        assert min(edges) <= width + 0.5
        assert min(_ink_left(g) for g in ln.glyphs) >= -0.01
        if not ln.last:
            assert any(abs(e - width) <= 0.5 for e in edges), (ln.text, edges, width)


def _ink_left(g) -> float:
    """Where a glyph's ink may start: a full-width opening mark starting a line drops its blank left half."""
    if POSITION.get(g.ch) is Pos.RIGHT and abs(g.advance - g.size) < 1e-6:
        return g.x + g.advance / 2
    return g.x


def _right_edges(g) -> tuple[float, ...]:
    """Where a line ending in glyph g may end: the advance end, and for a full-width mark whose ink is in
    the left half also the end of its ink half (its blank half may hang past the edge, rule 5)."""
    if POSITION.get(g.ch) is Pos.LEFT and abs(g.advance - g.size) < 1e-6:
        return g.x + g.advance, g.x + g.advance / 2
    return (g.x + g.advance,)


def test_line_end_mark_hangs_its_blank_half():
    # nine Han characters and a comma fit 9.5 em only if the comma gives up its blank half at the line end
    lines = break_lines([Run("甲" * 9 + "，" + "乙" * 12)], SIZE * 9.5, ParaStyle(first_indent=0))
    first = lines[0]
    assert first.text == "甲" * 9 + "，" and first.ratio == pytest.approx(0)
    comma = first.glyphs[-1]
    assert comma.x + SIZE / 2 == pytest.approx(SIZE * 9.5)
    # a line that fits with the mark's full box keeps it (no needless stretch)
    full = break_lines([Run("甲" * 9 + "，" + "乙" * 12)], SIZE * 10, ParaStyle(first_indent=0))[0]
    assert full.text == "甲" * 9 + "，" and full.ratio == pytest.approx(0)
    assert full.glyphs[-1].x + SIZE == pytest.approx(SIZE * 10)


def test_first_line_indent():
    zh = break_lines([Run(TEXT_ZH)], 300, ZH)
    assert zh[0].glyphs[0].x == pytest.approx(2 * SIZE)
    assert zh[1].glyphs[0].x == pytest.approx(0)
    en = break_lines([Run(TEXT_EN)], 300, EN)
    assert en[0].glyphs[0].x == pytest.approx(0)


# ------------------------------------------------------------------------------ compression and spacing

@pytest.mark.parametrize("pair", ["。”", "），", "”（", "（“", "、“", "》，"])
def test_punctuation_pair_compressed(pair):
    text = "甲乙丙" + pair + "丁戊己"
    ln = break_lines([Run(text)], 400, ZH)[0]
    xs = {i: g.x for i, g in enumerate(ln.glyphs)}
    # pair start (pen box of the first mark) to the following Han character
    han_after = xs[5]
    box_first = xs[3] if pair[0] not in "（“" or pair[0] == "（" else xs[3]
    advance = han_after - box_first
    if pair[0] == "（" and pair[1] == "“":   # second mark is shifted left by its blank half
        advance = han_after - xs[3]
    assert advance == pytest.approx(1.5 * SIZE, abs=0.05 * SIZE), (pair, advance)


def test_compression_released_at_line_break():
    # force a break between ” and （: the line ending in ” keeps its full width (no glyph outside)
    text = "甲" * 9 + "”（" + "乙" * 20
    for w in widths_em(8, 14):
        for ln in break_lines([Run(text)], w, ZH):
            if ln.text.endswith("”") and not ln.last:
                g = ln.glyphs[-1]
                assert g.x + g.advance == pytest.approx(w, abs=0.5)


@pytest.mark.parametrize("width", widths_em(12, 40))
def test_cjk_latin_glue(width):
    text = "全市 GDP 增长6.3%，高于全省0.9个百分点，储能容量8GWh居全省第1位，GDP总量提升。" * 2
    for ln in break_lines([Run(text)], width, ZH):
        g = ln.glyphs
        assert g[0].ch != " " and g[-1].ch != " "        # no spacing at line edges, typed spaces dropped
        assert " " not in ln.text
        for a, b in zip(g, g[1:]):
            han_latin = ("\u4e00" <= a.ch <= "\u9fff" and b.ch.isascii() and b.ch.isalnum()) or \
                        ("\u4e00" <= b.ch <= "\u9fff" and a.ch.isascii() and a.ch.isalnum())
            if han_latin:
                gap = b.x - (a.x + a.advance)
                assert 0.125 * SIZE - 0.01 <= gap <= SIZE / 3 + 0.01, (a.ch, b.ch, gap / SIZE)


def test_no_gap_around_a_slash_or_hash_next_to_han():
    # 152977元/人, 公斤/亩, #制造业: the symbol joins its neighbours, it is not Latin text
    ln = break_lines([Run("人均152977元/人，亩产524.3公斤/亩，#制造业增长")], 40 * SIZE, ZH)[0]
    g = ln.glyphs
    for a, b in zip(g, g[1:]):
        if "/" in (a.ch, b.ch) or "#" in (a.ch, b.ch):
            assert b.x - (a.x + a.advance) == pytest.approx(0, abs=0.01), (a.ch, b.ch)


# ------------------------------------------------------------------------------ runts

@pytest.mark.parametrize("width", widths_em(8, 40))
def test_no_zh_runt(width):
    lines = break_lines([Run(TEXT_ZH[:int(width // SIZE) * 3 + 1])], width, ZH)
    if len(lines) > 1:
        han = [c for c in lines[-1].text if "\u4e00" <= c <= "\u9fff"]
        assert len(han) >= 2, body_lines(lines)


@pytest.mark.parametrize("width", widths_em(12, 40))
def test_no_en_short_word_alone(width):
    lines = break_lines([Run(TEXT_EN + " It is up.")], width, EN)
    last = lines[-1].text.split()
    assert len(last) > 1 or len(last[0]) > 6, body_lines(lines)


# The corpus paragraph that used to set a lone "re-" on a line and end with the runt "8.2%." at 8 em
DASHES_BOLD = [Run("Steady momentum.", bold=True),
               Run(" Growth was broad-based—industry, services and trade all rose—and the outlook remains "
                   "positive… "), Run("Fiscal revenue", bold=True), Run(" grew "), Run("4.5%", bold=True),
               Run(", ranking "), Run("first", bold=True), Run(" in the province, while retail sales rose 8.2%.")]


def _glueless(ln) -> bool:
    """A line with no word space or CJK glue: it can only be justified by letter-spacing."""
    return " " not in ln.text and not any("\u4e00" <= c <= "\u9fff" for c in ln.text)


@pytest.mark.parametrize("width", widths_em(8, 24))
def test_no_lone_fragment_or_runt_when_lines_must_be_loose(width):
    lines = break_lines(DASHES_BOLD, width, EN)
    assert len(lines[-1].text.split()) > 1, body_lines(lines)
    for ln in lines[:-1]:
        # a letter-spaced line is only acceptable when it is nearly full (a long word, a URL piece)
        if _glueless(ln):
            assert ln.natural_width >= 0.8 * ln.measure, (ln.text, body_lines(lines))
        last_g = [g for g in ln.glyphs if g.ch != " "][-1]
        assert abs(last_g.x + last_g.advance - width) <= 0.5, (ln.text, width)


def test_glueless_line_is_letter_spaced_to_the_edge():
    # "Steady" alone (bold) is the only way to start this paragraph at 5 em: its letters spread to the edge
    lines = break_lines([Run("Steady", bold=True), Run(" momentum grew.")], SIZE * 5, EN)
    first = lines[0]
    assert first.text == "Steady" and first.unavoidable
    g = first.glyphs
    assert g[-1].x + g[-1].advance == pytest.approx(SIZE * 5, abs=0.5)
    gaps = {round(b.x - a.x - a.advance, 3) for a, b in zip(g, g[1:])}
    assert len(gaps) == 1 and gaps.pop() > 0


URL = "https://www.example.gov.cn/statisticsdatabasequarterlyrelease/jzsrmzf/page_pc/index.html"


@pytest.mark.parametrize("width", [60, 84, 126, 168])
def test_url_never_gets_a_drawn_hyphen(width):
    lines = break_lines([Run("See " + URL + " for the tables.")], width, EN)
    url_chars = range(3, 3 + len(URL))      # character indices of the URL ("See" is 0..2, spaces are joints)
    assert not any(ln.hyphenated and ln.end - 1 in url_chars for ln in lines), body_lines(lines)
    assert URL in "".join(ln.text.replace(" ", "") for ln in lines)      # nothing added inside the URL
    for ln in lines[:-1]:
        assert abs(ln.width - ln.measure) <= 0.5


def test_split_continuation_keeps_the_paragraph_joints(tmp_path):
    """The part of a split paragraph on the next page is broken with the whole paragraph's joints: a URL
    whose start is on the first page still breaks only after / . _ and never gets a hyphen."""
    text = "The figures are published at " + URL + " and summarized by the bureau every quarter. "
    para = Para([Run(text * 2)], EN)
    width = SIZE * 8
    para.wrap(width, 10_000)
    n = len(para.lines)
    for cut in range(2, n - 1):
        head, tail = para.split(width, cut * EN.leading + 0.1)
        tail.wrap(width, 10_000)
        assert [ln.text for ln in head.lines] == [ln.text for ln in para.lines[:cut]]
        assert tail.lines[0].start == para.lines[cut].start
        assert not any(ln.hyphenated and "/" in ln.text for ln in tail.lines)
        assert tail.lines[0].x0 == 0.0 and tail.lines[-1].end == para.lines[-1].end


# ------------------------------------------------------------------------------ glyph errors

def test_glyph_error_names_char_and_origin():
    origin = "content/x.yaml:12:7 (sections[1].blocks[0].paragraph.zh)"
    with pytest.raises(GlyphError) as e:
        Para([Run("增长😀了")], ZH, origin)
    msg = str(e.value)
    assert msg.startswith("content/x.yaml:12:7")
    assert "U+1F600" in msg and "GRINNING FACE" in msg and "replace or remove" in msg
    with pytest.raises(GlyphError):
        break_lines([Run("ok"), Run("\U0001F600", bold=True)], 200, ZH)


# ------------------------------------------------------------------------------ PDF: flowable

PAD = 6.0                      # SimpleDocTemplate's frame padding
TEXT_LEFT, TEXT_RIGHT = 50 + PAD, A4[0] - 50 - PAD


def _build(tmp_path, story, name="t.pdf"):
    path = tmp_path / name
    SimpleDocTemplate(str(path), pagesize=A4, leftMargin=50, rightMargin=50, topMargin=50,
                      bottomMargin=50).build(story)
    return path


def _lines_from_pdf(page):
    rows: dict[float, list] = {}
    for ch in page.chars:
        rows.setdefault(round(ch["bottom"], 1), []).append(ch)
    return [sorted(v, key=lambda c: c["x0"]) for _, v in sorted(rows.items())]


def test_pdf_text_geometry_and_extraction(tmp_path):
    path = _build(tmp_path, [Para([Run(TEXT_ZH)], ZH), Para([Run(TEXT_EN)], EN)])
    frame_right = TEXT_RIGHT
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        text = page.extract_text()
        assert text.replace("\n", "").replace(" ", "").startswith(TEXT_ZH.replace(" ", ""))
        assert "extraordinarily" in text.replace("-\n", "")
        rows = _lines_from_pdf(page)
        zh_rows = [r for r in rows if any("\u4e00" <= c["text"] <= "\u9fff" for c in r)]
        assert zh_rows[0][0]["x0"] - TEXT_LEFT == pytest.approx(2 * SIZE, abs=0.1)
        for r in zh_rows[:-1]:
            assert abs(r[-1]["x1"] - frame_right) <= 0.5
        for r in rows:
            assert r[-1]["x1"] <= frame_right + 0.5 and r[0]["x0"] >= TEXT_LEFT - 0.01
        fontnames = {c["fontname"].split("+")[-1] for c in page.chars}
        zh_fonts = {c["fontname"].split("+")[-1] for c in page.chars if "\u4e00" <= c["text"] <= "\u9fff"}
        assert zh_fonts == {"NotoSerifSC-Regular"}
        assert fontnames <= {"NotoSerifSC-Regular", "NotoSerif-Regular"}   # English: Latin face first


def test_bold_size_color_runs(tmp_path):
    runs = [Run("加粗", bold=True), Run("普通文字与"), Run("大号红字", size=14, color="#B3261E")]
    path = _build(tmp_path, [Para(runs, ZH)])
    with pdfplumber.open(path) as pdf:
        chars = pdf.pages[0].chars
        by = {c["text"]: c for c in chars}
        assert by["加"]["fontname"].endswith("+NotoSansSC-Bold")     # bold Chinese is set in 黑体 (fonts.py)
        assert by["普"]["fontname"].endswith("+NotoSerifSC-Regular")
        assert by["大"]["size"] == pytest.approx(14)
        assert tuple(round(v, 2) for v in by["红"]["non_stroking_color"]) == (0.7, 0.15, 0.12)


def test_split_keeps_two_lines_each_side(tmp_path):
    leading = ZH.leading
    frame_h = A4[1] - 100 - 2 * PAD
    lines_per_page = int(frame_h // leading)
    filler = [Para([Run("填充" * 10)], ZH) for _ in range(lines_per_page - 1)]   # one line each
    text = TEXT_ZH                                       # several lines at this width
    n = len(break_lines([Run(text)], TEXT_RIGHT - TEXT_LEFT, ZH))
    assert n >= 4
    path = _build(tmp_path, filler + [Para([Run(text)], ZH)])
    with pdfplumber.open(path) as pdf:
        assert len(pdf.pages) == 2
        p1 = "".join(c["text"] for c in pdf.pages[0].chars)
        p2_rows = _lines_from_pdf(pdf.pages[1])
        # only one line of room was left: the whole paragraph moved (never 1 line alone at a page end)
        assert TEXT_ZH[:4] not in p1 and len(p2_rows) == n
    # three lines of room: 3 stay... but at least 2 must follow
    filler = [Para([Run("填充" * 10)], ZH) for _ in range(lines_per_page - (n - 1))]
    path = _build(tmp_path, filler + [Para([Run(text)], ZH)], "b.pdf")
    with pdfplumber.open(path) as pdf:
        rows1 = _lines_from_pdf(pdf.pages[0])
        rows2 = _lines_from_pdf(pdf.pages[1])
        para_rows1 = [r for r in rows1 if "填" not in "".join(c["text"] for c in r)]
        assert len(para_rows1) >= 2 and len(rows2) >= 2
        assert len(para_rows1) + len(rows2) == n
        # the page-1 part stays justified (it is not a last line)
        assert abs(para_rows1[-1][-1]["x1"] - TEXT_RIGHT) <= 0.5


def test_keep_with_next_heading(tmp_path):
    frame_h = A4[1] - 100 - 2 * PAD
    per_page = int(frame_h // ZH.leading)
    filler = [Para([Run("填充" * 10)], ZH) for _ in range(per_page - 1)]
    head = Para([Run("一、标题", bold=True)], ParaStyle(keep_with_next=True, first_indent=0))
    path = _build(tmp_path, filler + [head, Para([Run(TEXT_ZH)], ZH)])
    with pdfplumber.open(path) as pdf:
        assert "标题" not in "".join(c["text"] for c in pdf.pages[0].chars)
        assert "标题" in "".join(c["text"] for c in pdf.pages[1].chars)


def test_para_in_table_cell(tmp_path):
    from reportlab.platypus import Table
    cell = Para([Run(TEXT_ZH[:60])], ZH)
    path = _build(tmp_path, [Table([[cell, "x"]], colWidths=[150, 50])])
    with pdfplumber.open(path) as pdf:
        rows = _lines_from_pdf(pdf.pages[0])
        han_rows = [r for r in rows if any("\u4e00" <= c["text"] <= "\u9fff" for c in r)]
        assert len(han_rows) > 2
        rights = {round(r[-1]["x1"], 1) for r in han_rows[:-1]}
        assert len(rights) == 1            # justified to the cell's inner width


# ------------------------------------------------------------------------------ punctuation table vs font

def _bounds(font: TTFont, ch: str):
    gs = font.getGlyphSet()
    name = font.getBestCmap()[ord(ch)]
    pen = BoundsPen(gs)
    gs[name].draw(pen)
    return font["hmtx"][name][0], pen.bounds


@pytest.fixture(scope="module", params=[f for f in fonts.all_font_files() if "SC-" in f.name],
                ids=lambda p: p.name)
def ttf(request):
    return TTFont(str(request.param), lazy=True)


def test_punctuation_positions_match_font(ttf):
    upm = ttf["head"].unitsPerEm
    checked = 0
    for name, (marks, pos) in CLASSES.items():
        for ch in marks:
            adv, (x0, _y0, x1, _y1) = _bounds(ttf, ch)
            if adv != upm:
                continue        # proportional in this face (e.g. · in the serif): not compressible
            checked += 1
            if pos is Pos.LEFT:
                assert x1 <= upm / 2, (name, ch, x0, x1)
            elif pos is Pos.RIGHT:
                assert x0 >= upm / 2, (name, ch, x0, x1)
            elif pos is Pos.CENTER:
                assert abs((x0 + x1) / 2 - upm / 2) <= 0.05 * upm, (ch, x0, x1)
    assert checked >= 30


def test_latin_quote_trims_keep_ink_inside(ttf):
    upm = ttf["head"].unitsPerEm
    for ch, (left, right) in LATIN_QUOTE_TRIM.items():
        adv, (x0, _y0, x1, _y1) = _bounds(ttf, ch)
        assert adv == upm
        assert x0 >= left * upm and x1 <= upm - right * upm, ch


# ------------------------------------------------------------------------------ bullets

@pytest.mark.parametrize("lang,bullet,face,centre_em", [
    ("en", "•", "NotoSerif-Regular", 0.357),     # half the Latin cap height (714/1000 / 2)
    ("zh", "▪", "NotoSerifSC-Regular", 0.38),    # middle of the ideographic em box (-0.12 .. 0.88)
])
def test_bullet_face_and_vertical_centre(tmp_path, lang, bullet, face, centre_em):
    style = ParaStyle(lang=lang, first_indent=0, left_indent=2 * SIZE, bullet=bullet,
                      leading=15.0 if lang == "en" else 18.0)
    text = TEXT_EN if lang == "en" else TEXT_ZH
    path = _build(tmp_path, [Para([Run(text)], style)])
    with pdfplumber.open(path) as pdf:
        chars = pdf.pages[0].chars
    b = next(c for c in chars if c["text"] == bullet)
    first = next(c for c in chars if c["text"] == text[0])
    # the face the body text would use for the character (English: the Latin face, not Noto Serif SC)
    assert b["fontname"].split("+")[-1] == face
    ttf = TTFont(str(fonts.font_path(fonts.face_of(bullet, "serif", lang))), lazy=True)
    _adv, (_x0, y0, _x1, y1) = _bounds(ttf, bullet)
    upm = ttf["head"].unitsPerEm
    rise = (b["matrix"][5] - first["matrix"][5]) / SIZE        # bullet baseline above the text baseline
    ink_centre = rise + (y0 + y1) / 2 / upm
    assert ink_centre == pytest.approx(centre_em, abs=0.01)
    assert b["x1"] <= TEXT_LEFT + 2 * SIZE - 0.4 * SIZE       # inside the hanging indent, clear of the text


# ------------------------------------------------------------------------------ 破折号

@pytest.mark.parametrize("width", [SIZE * 9, SIZE * 13.3, 400])
def test_double_dash_is_one_continuous_two_em_line(width):
    """Noto Serif SC's U+2014 is 0.89 em with side bearings: set side by side, two read as two short dashes.
    In Chinese the pair must be one unbroken line two ems long, justified line or not."""
    text = "蜜雪冰城正在建设的超级工厂——大咖梦工厂项目里，雪王嘉年华、雪王集市已开放。"
    ttf = TTFont(str(fonts.font_path("serif")), lazy=True)
    upm = ttf["head"].unitsPerEm
    _adv, (ink0, _y0, ink1, _y1) = _bounds(ttf, "—")
    for ln in break_lines([Run(text)], width, ZH):
        g = ln.glyphs
        scale = dict(ln.hscale)
        for i in range(len(g) - 1):
            if g[i].ch == g[i + 1].ch == "—":
                a, b = g[i], g[i + 1]
                assert i in scale and i + 1 in scale
                end_a = a.x + ink1 / upm * scale[i] * SIZE          # where the first dash's ink ends
                start_b = b.x + ink0 / upm * scale[i + 1] * SIZE    # where the second's begins
                assert start_b <= end_a + 0.01, (start_b - end_a, ln.text)
                assert b.x + b.advance - a.x == pytest.approx(2 * SIZE, abs=0.01)
                # the run's ink keeps margins like a single dash's (no run-on into the neighbours)
                assert 0.02 * SIZE < ink0 / upm * scale[i] * SIZE < 0.08 * SIZE


def test_double_dash_extracts_as_text(tmp_path):
    import shutil
    import subprocess

    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils not installed")
    path = _build(tmp_path, [Para([Run("超级工厂——大咖梦工厂项目")], ZH)])
    with pdfplumber.open(path) as pdf:
        assert "超级工厂——大咖梦工厂项目" in pdf.pages[0].extract_text()
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "超级工厂——大咖梦工厂项目" in out


# ------------------------------------------------------------------------------ English hyphenation

NAMES_EN = ("Jiaozuo deepened its cooperation with Henan Polytechnic University and the Provincial "
            "Innovation Competition, while the Investment-promotion Administration and the investment-promotion "
            "bureau organised well-attended roadshows for internationalization. ")


def _hyphen_breaks(lines):
    """(fragment before the drawn hyphen, the rest of the word on the next line, the whole first word)"""
    out = []
    for a, b in zip(lines, lines[1:]):
        if a.hyphenated:
            before = a.text[:-1].split(" ")[-1]
            after = b.text.split(" ")[0]
            out.append((before, after))
    return out


@pytest.mark.parametrize("width", widths_em(10, 40))
def test_hyphenation_spares_names_and_compounds(width):
    lines = break_lines([Run(NAMES_EN * 3)], width, EN)
    for before, after in _hyphen_breaks(lines):
        letters_before = before.split("-")[-1].lstrip("“(")
        letters_after = after.split("-")[0]
        assert not letters_before[:1].isupper(), (before, after)       # no Univer-|sity, Com-|petition
        assert "-" not in before and "-" not in after, (before, after)  # no Invest-|ment-promotion
        assert len(letters_before) >= 2 and len(letters_after.rstrip(".,;")) >= 3, (before, after)


def test_capitalised_word_wider_than_the_measure_breaks_at_its_hyphenation_points():
    import pyphen

    lines = break_lines([Run("Internationalization")], SIZE * 5, EN)
    assert len(lines) > 1
    allowed = set(pyphen.Pyphen(lang="en_US").positions("Internationalization"))
    done = ""
    for ln in lines[:-1]:
        assert ln.hyphenated
        done += ln.text[:-1]
        assert len(done) in allowed, ln.text


@pytest.mark.parametrize("width", widths_em(14, 40))
def test_penultimate_line_not_hyphenated_when_avoidable(width, monkeypatch):
    """When the paragraph can be set without hyphenating its penultimate line at the price of lines no
    looser than ratio 1.5 (word spaces ≤ 0.5 em) and a last line of more than one word, it is."""
    from briefing.typeset import breaker

    for text in (TEXT_EN, NAMES_EN * 2, TEXT_EN + " " + NAMES_EN):
        chosen = break_lines([Run(text)], width, EN)
        if len(chosen) < 2 or not chosen[-2].hyphenated:
            continue
        with monkeypatch.context() as m:      # the best setting that never hyphenates the penultimate line
            m.setattr(breaker, "FINAL_HYPHEN_DEMERITS", 1e12)
            other = break_lines([Run(text)], width, EN)
        avoidable = (not other[-2].hyphenated and max(ln.ratio for ln in other[:-1]) <= 1.5
                     and " " in other[-1].text)
        assert not avoidable, (body_lines(chosen)[-2:], body_lines(other)[-2:])


@pytest.mark.slow   # typesets every paragraph of the sample
def test_sample_english_hyphenates_few_lines():
    """The reviewer counted 45 of ~260 English lines ending in a hyphen. Body paragraphs of the sample at
    the body width: at most one line in ten hyphenated, no two in a row more than twice."""
    from pathlib import Path

    from briefing import theme
    from briefing.compose import Options, compose
    from briefing.load import load
    from briefing.localize import localize

    sample = Path(__file__).resolve().parent.parent / "content" / "jiaozuo-2025-h1.yaml"
    page = theme.Page(*theme.A4)
    story = compose(localize(load(str(sample)), "en"), Options(width=page.frame_width))
    paras = [f for f in story if isinstance(f, Para)]
    total = hyphenated = double = 0
    for para in paras:
        para.wrap(page.frame_width, 1e6)
        lines = para.lines
        total += len(lines)
        hyphenated += sum(ln.hyphenated for ln in lines)
        double += sum(a.hyphenated and b.hyphenated for a, b in zip(lines, lines[1:]))
    assert total > 150
    assert hyphenated <= total / 10, (hyphenated, total)
    assert double <= 2, double


# ------------------------------------------------------------------------------ links

@pytest.mark.parametrize("style,text,address", [
    (EN, "The figures are published at " + URL + ", and summarized at www.jiaozuo.gov.cn. Thanks.",
     [URL, "https://www.jiaozuo.gov.cn"]),
    (ZH, "详见焦作市人民政府网站https://www.jiaozuo.gov.cn/sitesources/jzsrmzf/page_pc/index.html。谢谢。",
     ["https://www.jiaozuo.gov.cn/sitesources/jzsrmzf/page_pc/index.html"]),
])
def test_urls_are_links_over_their_glyphs_on_every_line(tmp_path, style, text, address):
    from pypdf import PdfReader

    path = _build(tmp_path, [Para([Run(text)], style)])
    annots = [a.get_object() for a in PdfReader(str(path)).pages[0]["/Annots"]]
    rects: dict[str, list] = {}
    for a in annots:
        assert a["/Subtype"] == "/Link"
        rects.setdefault(str(a["/A"]["/URI"]), []).append([float(v) for v in a["/Rect"]])
    assert sorted(rects) == sorted(address)          # whole addresses, nothing else linked
    long_url = max(address, key=len)
    assert len(rects[long_url]) >= 2                 # broken across lines: a rectangle on each
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        chars = [c for c in page.chars if c["text"].strip()]
    shown = "".join(c["text"] for c in chars)
    start = shown.index(long_url.removeprefix("https://") if long_url not in shown else long_url)
    for c in chars[start:start + len(long_url)]:     # every glyph of the address is under its link
        y = page.height - (c["top"] + c["bottom"]) / 2
        assert any(r[0] - 0.01 <= c["x0"] and c["x1"] <= r[2] + 0.01 and r[1] <= y <= r[3]
                   for r in rects[long_url]), c["text"]


# ------------------------------------------------------------------------------ line-start opening marks

QUOTED_ZH = "“3+13+N”产业链群增加值同比增长9%，拉动规上工业增加值增长8.6个百分点，“稳”的态势持续巩固，“进”的动能不断积蓄。"


@pytest.mark.parametrize("width", widths_em(8, 24))
def test_line_start_opening_mark_is_half_width(width):
    """An opening mark starting a line drops its blank left half: its ink (right half) starts at the left
    edge, so the line does not look indented. The first line only when it has no first-line indent."""
    for style in (ParaStyle(first_indent=0), ZH):
        lines = break_lines([Run(QUOTED_ZH)], width, style)
        for n, ln in enumerate(lines):
            g = ln.glyphs
            if g[0].ch not in "“（《":
                continue
            if n == 0 and style.indent_pt:
                assert g[0].x == pytest.approx(style.indent_pt)        # after an indent: the full box
            else:
                assert g[0].x == pytest.approx(-SIZE / 2)              # ink from the edge
                assert g[1].x - (g[0].x + SIZE) >= -0.03 * SIZE       # the next glyph clear of its ink
            if not ln.last:
                assert any(abs(e - width) <= 0.5 for e in _right_edges([c for c in g if c.ch != " "][-1]))
    # somewhere in these widths a line other than the first starts with a quote
    assert any(ln.glyphs[0].ch == "“" for w in widths_em(8, 24)
               for ln in break_lines([Run(QUOTED_ZH)], w, ZH)[1:])


def test_line_start_opening_mark_extracts_exactly(tmp_path):
    import shutil
    import subprocess

    style = ParaStyle(first_indent=0)
    path = _build(tmp_path, [Para([Run(QUOTED_ZH)], style)])
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        assert page.extract_text().replace("\n", "") == QUOTED_ZH
        first = min(page.chars, key=lambda c: (round(c["top"]), c["x0"]))
        assert first["text"] == "“" and first["x0"] == pytest.approx(TEXT_LEFT - SIZE / 2, abs=0.01)
    if shutil.which("pdftotext"):
        out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        # (poppler reads the ¼ em CJK–Latin spacing as a space)
        assert "".join(out.split()) == QUOTED_ZH


@pytest.mark.parametrize("width", [SIZE * k / 10 for k in range(80, 200, 3)])
def test_compressed_pair_never_shrinks_below_half_an_em(width):
    """Inside a compressed pair (。” ）、 ，“) the glue may stretch but not shrink: the second mark's origin
    stays at least half an em after the first's. Closer, and poppler's pdftotext breaks the text line
    between them ("2000万元。" / "”王咏生介绍")."""
    text = "市本级安排发放三百万元综合类政府消费券，拉动消费超二千万元。”王咏生介绍（一期）、宁福巨湾年产，“稳”的态势。" * 2
    for ln in break_lines([Run(text)], width, ZH):
        g = ln.glyphs
        for a, b in zip(g, g[1:]):
            if a.ch in "。）”，" and b.ch in "”、“":
                assert b.x - a.x >= SIZE / 2 - 1e-6, (a.ch + b.ch, b.x - a.x, ln.ratio)


def test_own_liang_hyphenation_matches_pyphen_and_caches_its_patterns(tmp_path, monkeypatch):
    """The breaker reads pyphen's en_US patterns once and keeps them parsed in the user's cache; its points
    are pyphen's (left 2, right 3), from a fresh parse and from the cache alike."""
    import re
    from pathlib import Path

    import pyphen

    from briefing.typeset import hyphen

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    sample = Path(__file__).resolve().parent.parent / "content" / "jiaozuo-2025-h1.yaml"
    words = sorted(set(re.findall(r"[a-z]{5,}", sample.read_text(encoding="utf-8").lower())))
    words += ["incomprehensibilities", "hyphenation", "acceleration", "extraordinarily"]
    ref = pyphen.Pyphen(lang="en_US", left=2, right=3)
    entry = tmp_path / "briefing" / "hyphen" / "hyph_en_US.json"
    for source in ("parse", "cache"):
        hyphen.patterns.cache_clear()
        hyphen.hyphen_points.cache_clear()
        for w in words:
            assert hyphen.hyphen_points(w) == tuple(ref.positions(w)), (source, w)
        assert entry.is_file()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_range_never_breaks_at_its_dash(lang):
    """`5%—6%`, `5–6%`, `2019～2024年`: no line ends or starts with the dash between two figures, placeholder
    or typed, at any width from 11 em (narrower, a piece wider than the line may take a last-resort break)."""
    from briefing.typeset.breaker import lines_for, prepare

    runs = {"zh": [Run("预计全年增长"), Run("5%", figure=True), Run("—"), Run("6%", figure=True),
                   Run("，2019～2024年规模以上工业增加值年均增长"), Run("5.5%", figure=True), Run("～"),
                   Run("6.5%", figure=True), Run("。")],
            "en": [Run("Growth is expected at "), Run("5", figure=True), Run("–"), Run("6%", figure=True),
                   Run(" this year, and 2019–2024 saw industrial value added grow "), Run("5.5", figure=True),
                   Run("–"), Run("6.5%", figure=True), Run(" a year.")]}[lang]
    st = ParaStyle(lang=lang, family="serif", size=10.5, leading=12.6, align="justify", first_indent=0)
    p = prepare(runs, st)
    broken = []
    for half_pt in range(231, 700):                  # 11 em to 33 em, every half point
        lines = lines_for(p, half_pt / 2)
        broken += [(half_pt / 2, a.text, b.text) for a, b in zip(lines, lines[1:])
                   if a.text.rstrip()[-1:] in "—–～" or b.text.lstrip()[:1] in "—–～"]
    assert not broken, broken[:3]
