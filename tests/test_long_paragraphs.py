"""Line breaking stays near-linear in paragraph length (#16): a paragraph is broken once, however many pages
it spans, and a long one with a bounded active list; the lines still keep the rules."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.platypus import SimpleDocTemplate

from briefing.typeset import Para, ParaStyle, Run, breaker
from briefing.typeset.punct import NO_END, NO_START

ZH = ParaStyle(first_indent=2)
EN = ParaStyle(lang="en", leading=15.0, first_indent=2)
PIECE_ZH = ("上半年，全市经济运行总体平稳、稳中有进、进中提质，地区生产总值同比增长6.3%、居全省第6位，一般公共"
            "预算收入、社会消费品零售总额、固定资产投资、规上工业增加值分别增长4.5%、8.2%、6.6%、8.4%。“稳”的"
            "态势持续巩固（一期）。焦作市夏粮平均亩产524.3公斤，居全省第1位；“3+13+N”产业链群增加值增长9%。")
PIECE_EN = ("In the first half the city's economy was stable with progress: gross regional product grew by 6.3%, "
            "sixth in Henan; budget revenue, retail sales, fixed-asset investment and industrial value added "
            "grew by 4.5%, 8.2%, 6.6% and 8.4% respectively, extraordinarily well for an inland prefecture. ")


def _text(piece: str, n: int) -> str:
    return (piece * (n // len(piece) + 1))[:n]


def _break_seconds(piece: str, style: ParaStyle, n: int) -> float:
    """CPU seconds to prepare and break an n-character paragraph (best of two)."""
    best = float("inf")
    for _ in range(2):
        t = time.process_time()
        breaker.lines_for(breaker.prepare([Run(_text(piece, n))], style), 481.9)
        best = min(best, time.process_time() - t)
    return best


@pytest.mark.parametrize("piece, style", [(PIECE_ZH, ZH), (PIECE_EN, EN)], ids=["zh", "en"])
def test_breaking_time_grows_linearly(piece, style):
    """Four times the text takes about four times as long (quadratic would be sixteen); generous bound."""
    small, large = _break_seconds(piece, style, 8_000), _break_seconds(piece, style, 32_000)
    assert large < 8 * small + 0.05, (small, large)


def test_long_paragraph_lines_keep_the_rules():
    n = 3 * breaker.LONG_PARAGRAPH
    p = breaker.prepare([Run(_text(PIECE_ZH, n))], ZH)
    lines = breaker.lines_for(p, 481.9)
    assert [ln.start for ln in lines[1:]] == [ln.end for ln in lines[:-1]] and lines[-1].end == p.n
    for ln in lines[:-1]:
        assert ln.text[0] not in NO_START and ln.text.rstrip("-")[-1] not in NO_END, ln.text
        assert abs(ln.width - ln.measure) < 0.01 and -1.0 - 1e-6 <= ln.ratio <= breaker.LOOSE, ln.ratio
    assert len(lines[-1].text) >= 2            # no runt


def test_a_paragraph_over_many_pages_is_broken_once(tmp_path: Path, monkeypatch):
    """Each page's continuation takes the paragraph's own remaining lines: breaking the rest again for
    every page made a paragraph of many pages quadratic in its length."""
    calls = []
    real = breaker.lines_for

    def counting(p, width, start=0):
        calls.append(start)
        return real(p, width, start)

    from briefing.typeset import flowable

    monkeypatch.setattr(flowable, "lines_for", counting)
    para = Para([Run(_text(PIECE_ZH, 12_000))], ZH)
    out = tmp_path / "long.pdf"
    SimpleDocTemplate(str(out), pagesize=A4, leftMargin=56.7, rightMargin=56.7, topMargin=60,
                      bottomMargin=60).build([para])
    assert calls == [0]
    from pypdf import PdfReader

    reader = PdfReader(out)
    assert len(reader.pages) >= 5
    text = "".join(page.extract_text() for page in reader.pages)
    assert text.replace("\n", "").replace(" ", "") == _text(PIECE_ZH, 12_000)   # (¼ em CJK–Latin gaps read as spaces)
