"""Balanced headings (typeset/balance.py): as many lines as the ordinary breaker needs, each within the
measure, the text whole, even lines with breaks where a phrase ends."""
from __future__ import annotations

import pytest

from briefing.typeset import ParaStyle, Run
from briefing.typeset.balance import balanced_lines
from briefing.typeset.breaker import lines_for, prepare

W = 481.9   # the A4 text column, pt

CASES = [
    ("zh", "中华人民共和国2022年国民经济和社会发展统计公报：综合", ["中华人民共和国2022年国民经济", "和社会发展统计公报：综合"]),
    ("zh", "2024年湖口县国民经济和社会发展统计公报：综合与农业", ["2024年湖口县国民经济", "和社会发展统计公报：综合与农业"]),
    ("en", "Preliminary Accounting Results of GDP for the First Quarter of 2020",
     ["Preliminary Accounting Results", "of GDP for the First Quarter of 2020"]),
    ("en", "Statistical Communiqué of Zhejiang Province on the 2023 National Economic and Social Development: "
           "General Results",
     ["Statistical Communiqué of Zhejiang Province", "on the 2023 National Economic",
      "and Social Development: General Results"]),
]


def style(lang: str, **kw) -> ParaStyle:
    return ParaStyle(**{"lang": lang, "family": "sans", "size": 20, "leading": 27, "align": "center",
                        "first_indent": 0, "balance": True, **kw})


@pytest.mark.parametrize("lang, text, want", CASES)
def test_balanced_breaks(lang, text, want):
    p = prepare([Run(text, bold=True)], style(lang))
    lines = balanced_lines(p, W)
    assert [ln.text.strip() for ln in lines] == want
    assert len(lines) == len(lines_for(p, W))
    assert all(ln.x0 + ln.width <= W + 0.01 and ln.x0 >= -0.01 for ln in lines)
    assert "".join(ln.text for ln in lines).replace(" ", "") == text.replace(" ", "")
    assert not any(ln.hyphenated for ln in lines)


def test_one_line_and_long_texts_are_set_as_usual():
    for text in ("2020年一季度国内生产总值（GDP）初步核算结果", "全年经济运行稳中有进。" * 60):
        p = prepare([Run(text)], style("zh"))
        assert [ln.text for ln in balanced_lines(p, W)] == [ln.text for ln in lines_for(p, W)]


def test_centred_lines_are_centred_in_the_column():
    p = prepare([Run(CASES[0][1], bold=True)], style("zh"))
    for ln in balanced_lines(p, W):
        left, right = ln.xs[0], W - (ln.xs[-1] + ln.advances[-1])
        assert abs(left - right) < 1.0


def test_left_aligned_heading_with_indent_keeps_it():
    p = prepare([Run(CASES[0][1], bold=True)], style("zh", align="left", left_indent=20))
    lines = balanced_lines(p, W)
    assert len(lines) == 2 and all(ln.x0 == 20 for ln in lines)
