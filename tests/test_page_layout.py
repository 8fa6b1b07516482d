"""Page layout as a reader sees it, on small briefings built in this process: where text stands on the
page, where lines break, on which page an element lands (docs/typesetting.md; issue #10 item 6)."""
from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pdfplumber
import pytest

from briefing import theme
from briefing.load import loads
from briefing.pipeline import BuildOptions, build_model

pytestmark = pytest.mark.slow   # whole briefings built (in this process)

HEAD = """briefing: 1
id: t
masthead: {zh: 统计公报摘编, en: Statistical Communiqué Digest}
title: {zh: "%(zh)s", en: "%(en)s"}
date: 2023-02-28
author: {zh: 国家统计局, en: National Bureau of Statistics of China}
source: {zh: 测试材料, en: Test material}
"""

LONG_TITLE = {"zh": "中华人民共和国2022年国民经济和社会发展统计公报：综合、农业、工业和建筑业、服务业、固定资产投资、对外经济、国内贸易、交通和邮电",
              "en": "Statistical Communiqué of the People’s Republic of China on the 2022 National Economic and "
                    "Social Development: General Results"}


@dataclass
class Built:
    pages: list        # per page: pdfplumber chars
    page_size: tuple[float, float]

    def lines(self, n: int, top: float = 0, bottom: float = 1e9, tol: float = 1.0) -> list[list[dict]]:
        """The text lines of page n (1-based) between `top` and `bottom` (pt from the page top), each its
        chars left to right."""
        chars = sorted((c for c in self.pages[n - 1] if top <= c["top"] < bottom and c["text"].strip()),
                       key=lambda c: (round(c["bottom"]), c["x0"]))
        rows: list[list[dict]] = []
        for c in chars:
            if rows and abs(rows[-1][0]["bottom"] - c["bottom"]) <= tol:
                rows[-1].append(c)
            else:
                rows.append([c])
        return [sorted(r, key=lambda c: c["x0"]) for r in rows]


def build(text: str, lang: str, paper: str = "a4") -> Built:
    pdf = build_model(loads(text, "t.yaml"), lang, BuildOptions(paper=paper, chart_cache=False, parallel=False))
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return Built([p.chars for p in doc.pages], (doc.pages[0].width, doc.pages[0].height))


def text_of(chars: list[dict]) -> str:
    return "".join(c["text"] for c in chars)


def filler(lang: str, n: int) -> str:
    """n paragraphs of plain text, enough to push what follows to a later page."""
    para = ("全年经济运行总体平稳，发展质量稳步提升，民生福祉持续增进，高质量发展迈出坚实步伐。" * 6 if lang == "zh" else
            "The economy was generally stable over the year, the quality of development rose steadily and "
            "people's well-being kept improving. " * 4)
    return "".join(f"      - paragraph: {{zh: \"{para}\", en: \"{para}\"}}\n" for _ in range(n))


# ------------------------------------------------------------------ running header

@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_running_header_never_runs_into_the_date(lang, paper):
    """A long title in the running header is shortened with an ellipsis, 2 em clear of the date."""
    doc = HEAD % LONG_TITLE + "sections:\n  - heading: {zh: 综合, en: General}\n    blocks:\n" + filler("zh", 12)
    b = build(doc, lang, paper)
    assert len(b.pages) >= 2
    page = theme.Page(*(theme.LETTER if paper == "letter" else theme.A4))
    head = b.lines(2, 0, page.top)
    assert len(head) == 1, [text_of(r) for r in head]
    row = head[0]
    date = "2023年2月28日" if lang == "zh" else "28 February 2023"
    text = text_of(row).replace(" ", "")
    assert text.endswith(date.replace(" ", ""))
    n_date = len(date.replace(" ", ""))
    left, right = row[:-n_date], row[-n_date:]
    size = theme.SIZES[lang].header
    assert right[0]["x0"] - left[-1]["x1"] >= 2 * size - 0.01
    assert right[-1]["x1"] <= page.width - page.right + 0.01
    shown = text_of(left)
    assert shown.endswith("……" if lang == "zh" else "…"), shown
    assert shown.startswith("统计公报摘编" if lang == "zh" else "Statistical")
    assert not re.search(r"[\s·,:：，]…", shown)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_short_running_header_is_whole(lang):
    doc = HEAD % {"zh": "统计公报", "en": "Statistical Communiqué"} + \
        "sections:\n  - heading: {zh: 综合, en: General}\n    blocks:\n" + filler("zh", 12)
    b = build(doc, lang)
    head = text_of(b.lines(2, 0, theme.Page(*theme.A4).top)[0])
    assert "…" not in head
    assert ("统计公报摘编统计公报" if lang == "zh" else "StatisticalCommuniquéDigest·StatisticalCommuniqué") in head


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_running_title_stands_in_the_header_and_the_title_stays_whole(lang):
    """`running_title` is the title's short form in the header of pages 2 on; page 1 and the PDF's title
    keep the whole title."""
    short = {"zh": "2022年全国统计公报", "en": "China, 2022"}
    doc = (HEAD % LONG_TITLE + f"running_title: {{zh: {short['zh']}, en: \"{short['en']}\"}}\n"
           + "sections:\n  - heading: {zh: 综合, en: General}\n    blocks:\n" + filler("zh", 12))
    pdf = build_model(loads(doc, "t.yaml"), lang, BuildOptions(chart_cache=False, parallel=False))
    with pdfplumber.open(io.BytesIO(pdf)) as d:
        b = Built([p.chars for p in d.pages], (d.pages[0].width, d.pages[0].height))
        title = d.metadata.get("Title")
    top = theme.Page(*theme.A4).top
    for n in range(2, len(b.pages) + 1):
        head = [text_of(r).replace(" ", "") for r in b.lines(n, 0, top)]
        assert head == [("统计公报摘编" + short["zh"] + "2023年2月28日") if lang == "zh" else
                        ("StatisticalCommuniquéDigest·" + short["en"] + "28February2023").replace(" ", "")], n
    assert title == LONG_TITLE[lang]
    first = "".join(text_of(r) for r in b.lines(1)).replace(" ", "")
    assert LONG_TITLE[lang].replace(" ", "") in first


# ------------------------------------------------------------------ tables across pages

def tables_doc(lang: str, rows: int, count: int, note: bool = False, step: int = 4) -> str:
    """`count` tables of `rows` rows, between paragraphs of growing length, so that some table meets the
    bottom of a page wherever it falls. Row labels are `r{table}x{row}`; notes `note{table}`."""
    zh = lang == "zh"
    out = [HEAD % {"zh": "表格", "en": "Tables"}, "sections:\n  - heading: {zh: 表格, en: Tables}\n    blocks:\n"]
    for t in range(count):
        words = ("经济运行稳中有进，" if zh else "The economy grew steadily over the year. ") * (3 + step * t)
        out.append(f"      - paragraph: {{zh: \"{words}\", en: \"{words}\"}}\n")
        out.append(f"      - table:\n          title: {{zh: 表{t}, en: Table {t}}}\n"
                   "          columns: [{zh: 指标, en: Indicator}, {zh: 数值, en: Value}]\n          rows:\n")
        out += [f"            - [\"r{t}x{r}y\", \"v{r}\"]\n" for r in range(rows)]
        if note:
            out.append(f"          note: {{zh: \"注：note{t}z。\", en: \"Note: note{t}z.\"}}\n")
    return "".join(out)


def rows_by_page(b: Built, t: int) -> dict[int, list[int]]:
    """The body rows of table t on each page they are on."""
    found: dict[int, list[int]] = {}
    for n, chars in enumerate(b.pages, 1):
        text = "".join(c["text"] for c in sorted(chars, key=lambda c: (round(c["top"]), c["x0"])))
        for r in map(int, re.findall(rf"r{t}x(\d+)y", text)):
            found.setdefault(n, []).append(r)
    return found


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_short_table_moves_whole_to_the_next_page(lang):
    b = build(tables_doc(lang, rows=6, count=10), lang)
    for t in range(10):
        pages = rows_by_page(b, t)
        assert len(pages) == 1, f"table {t} split: {pages}"
        assert sorted(next(iter(pages.values()))) == list(range(6))
    assert len(b.pages) >= 3


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_long_tables_split_with_three_rows_or_more_on_each_page_and_the_note_under_the_last(lang):
    """40 tables of 12 rows, each with a note, between paragraphs one phrase longer each time: some split,
    some end just above the page bottom, where the note does not fit under them."""
    rows, count = 12, 40
    b = build(tables_doc(lang, rows=rows, count=count, note=True, step=1), lang)
    splits = 0
    for t in range(count):
        pages = rows_by_page(b, t)
        assert sorted(r for rs in pages.values() for r in rs) == list(range(rows)), pages
        if len(pages) > 1:
            splits += 1
            assert all(len(rs) >= 3 for rs in pages.values()), f"table {t}: {pages}"
        last = max(p for p, rs in pages.items() if rows - 1 in rs)
        notes = [n for n, chars in enumerate(b.pages, 1) if f"note{t}z" in "".join(c["text"] for c in chars)]
        assert notes == [last], f"table {t}: rows {pages}, note on {notes}"
    assert splits, "no table met a page end: the test proves nothing"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_space_under_a_table_without_a_note(lang):
    """The paragraph after a table starts as far below the table's last row as it would after a note."""
    doc = (HEAD % {"zh": "表格", "en": "Tables"} + "sections:\n  - heading: {zh: 表格, en: Tables}\n    blocks:\n"
           "      - table:\n          columns: [{zh: 甲, en: A}, {zh: 乙, en: B}]\n          rows:\n            - [lastrow, \"1\"]\n"
           "      - paragraph: {zh: 之后的段落。, en: After it.}\n")
    b = build(doc, lang)
    rows = b.lines(1)
    k = next(i for i, r in enumerate(rows) if text_of(r).startswith("lastrow"))
    gap = rows[k + 1][0]["top"] - rows[k][0]["bottom"]
    assert text_of(rows[k + 1]).startswith("之后" if lang == "zh" else "After")
    assert gap >= 13, gap


# ------------------------------------------------------------------ sub-rows

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_table_sub_rows_are_indented_in_both_languages(lang):
    """A cell's leading ideographic space (Chinese) or pair of spaces (English) indents it 1 em a level,
    its continuation lines too, in both languages."""
    long_en = "of which: spending on education, culture, science, technology and the protection of the environment"
    doc = (HEAD % {"zh": "表格", "en": "Tables"} + "sections:\n  - heading: {zh: 表格, en: Tables}\n    blocks:\n"
           "      - table:\n          columns: [{zh: 指标, en: Indicator}, {zh: 数值, en: Value}, {zh: 增长, en: Growth}]\n"
           "          rows:\n"
           "            - [{zh: 一般公共预算支出, en: Budget spending}, \"1\", \"2\"]\n"
           "            - [{zh: 　其中：民生支出, en: \"  of which: livelihood spending\"}, \"3\", \"4\"]\n"
           f"            - [{{zh: 　　其中：教育、文化、科学、技术和环境保护支出以及社会保障、就业、卫生健康、住房保障和其他各项民生支出合计, en: \"    {long_en}\"}},"
           " \"5\", \"6\"]\n")
    b = build(doc, lang)
    rows = [r for r in ([c for c in row if not c["text"].isdigit()] for row in b.lines(1, 200)) if r]
    size = theme.SIZES[lang].small + 0.5
    start: dict[str, float] = {}
    for r in rows:
        start.setdefault(text_of(r)[:3], r[0]["x0"])
    top = start["一般公" if lang == "zh" else "Bud"]
    one = start["其中：" if lang == "zh" else "ofw"]
    assert one - top == pytest.approx(size, abs=0.3)
    two = [r for r in rows if text_of(r).startswith("其中：教育" if lang == "zh" else "ofwhich:spending")]
    assert two and two[0][0]["x0"] - top == pytest.approx(2 * size, abs=0.3)
    k = rows.index(two[0])
    assert rows[k + 1][0]["x0"] - top == pytest.approx(2 * size, abs=0.3)    # its second line too
    assert "\u3000" not in text_of(two[0])


# ------------------------------------------------------------------ sections without a number

SECTIONS_DOC = HEAD % {"zh": "统计公报", "en": "Statistical Communiqué"} + """sections:
  - blocks:
      - paragraph: {zh: 开篇的段落没有标题。, en: The preamble has no heading.}
  - id: general
    heading: {zh: 综合, en: General Results}
    blocks:
      - paragraph: {zh: 综合的段落。, en: General text.}
  - heading: {zh: 附注, en: Notes}
    numbered: false
    blocks:
      - paragraph: {zh: 附注的段落。, en: Notes text.}
  - heading: {zh: 工业, en: Industry}
    blocks:
      - paragraph: {zh: 工业的段落。, en: Industry text.}
"""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_section_without_heading_and_an_unnumbered_one_take_no_number(lang):
    pdf = build_model(loads(SECTIONS_DOC, "t.yaml"), lang, BuildOptions(chart_cache=False, parallel=False))
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        text = [line for line in doc.pages[0].extract_text().splitlines()]
        outline = [o["/Title"] for o in __import__("pypdf").PdfReader(io.BytesIO(pdf)).outline]
    if lang == "zh":
        want = ["开篇的段落没有标题。", "一、综合", "综合的段落。", "附注", "附注的段落。", "二、工业", "工业的段落。"]
        bookmarks = ["一、综合", "附注", "二、工业"]
    else:
        want = ["The preamble has no heading.", "1. General Results", "General text.", "Notes", "Notes text.",
                "2. Industry", "Industry text."]
        bookmarks = ["1. General Results", "Notes", "2. Industry"]
    norm = [re.sub(r"\s+", "" if lang == "zh" else " ", t).strip() for t in text]
    start = norm.index(want[0])
    assert norm[start:start + len(want)] == want
    assert outline == bookmarks


# ------------------------------------------------------------------ balanced headings

TITLES = {
    "zh": ["中华人民共和国2022年国民经济和社会发展统计公报：综合", "2024年湖口县国民经济和社会发展统计公报：综合与农业"],
    "en": ["Statistical Communiqué of Zhejiang Province on the 2023 National Economic and Social Development: "
           "General Results", "Preliminary Accounting Results of GDP for the First Quarter of 2020"],
}


def sized_lines(b: Built, size: float) -> list[str]:
    """The text lines on page 1 set at `size` pt (the title: 20 pt; section headings: 14 pt)."""
    return [text_of([c for c in row if abs(c["size"] - size) < 0.01]) for row in b.lines(1)
            if any(abs(c["size"] - size) < 0.01 for c in row)]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("k", [0, 1])
def test_titles_and_headings_break_into_even_lines_at_phrase_ends(lang, k):
    """A title over two or three lines: lines of about the same length, no runt last line, no break inside
    统计公报 or after `of`/`the`; a section heading likewise."""
    title = TITLES[lang][k]
    heading = {"zh": ["中华人民共和国2022年国民经济和社会发展统计公报：综合、农业、工业和建筑业",
                      "2024年湖口县国民经济和社会发展统计公报：综合与农业、工业和建筑业、服务业"],
               "en": ["Statistical Communiqué of the People’s Republic of China on the 2022 National Economic "
                      "and Social Development", "Preliminary Accounting Results of GDP for the First Quarter of "
                      "2020 and for the Same Quarter of 2019"]}[lang][k]
    doc = (HEAD % {"zh": title, "en": title}
           + f"sections:\n  - heading: {{zh: \"{heading}\", en: \"{heading}\"}}\n    blocks:\n"
           + "      - paragraph: {zh: 正文。, en: Text.}\n")
    b = build(doc, lang)
    for size in (theme.SIZES[lang].title, theme.SIZES[lang].h1):
        lines = sized_lines(b, size)
        assert len(lines) >= 2, lines
        widths = [len(x) for x in lines]
        assert min(widths) >= 0.55 * max(widths), lines
        if lang == "zh":
            assert not any(x.endswith("统计公") for x in lines), lines
            assert sum(ch.isalnum() for ch in lines[-1]) >= 3, lines
        else:
            assert not any(re.search(r"(?i)(of|the|on|and|for)$", x) for x in lines), lines
