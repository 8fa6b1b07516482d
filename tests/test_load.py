"""The loader: positions, translations, placeholders, data kinds; and babel formatting per language."""
from __future__ import annotations

from pathlib import Path

import pytest

from briefing.errors import ErrorList
from briefing.load import load, loads
from briefing.localize import STRINGS, format_metric, localize, plain

MINI = Path(__file__).parent / "data" / "mini.yaml"
HEAD = """id: t
masthead: {zh: 简报, en: Brief}
title: {zh: 标题, en: Title}
date: 2025-07-30
author: {zh: 某, en: X}
source: {zh: 报, en: paper}
"""


def errors_of(text: str) -> list[str]:
    with pytest.raises(ErrorList) as ei:
        loads(text, "x.yaml")
    return ei.value.lines()


def fmt(decl: str, lang: str, variant: str | None = None) -> str:
    b = loads(HEAD + f"data:\n  k: {decl}\nsections: []\n", "x.yaml")
    return format_metric(b.data["k"], lang, variant)


@pytest.mark.parametrize("decl, zh, en", [
    ("{kind: money, value: 79.9, scale: 亿}", "79.9亿元", "CNY 7.99 billion"),
    ("{kind: money, value: 584.6, scale: 亿}", "584.6亿元", "CNY 58.46 billion"),
    ("{kind: money, value: 2653, scale: 万, currency: USD}", "2653万美元", "USD 26.53 million"),
    ("{kind: money, value: 67.56, scale: 万}", "67.56万元", "CNY 675,600"),
    ("{kind: percent, value: 6.3}", "6.3%", "6.3%"),
    ("{kind: percent, value: 9.0}", "9.0%", "9.0%"),
    ("{kind: percent, value: 9}", "9%", "9%"),
    ("{kind: count, value: 3.91, scale: 万, unit: {zh: 人, en: people}}", "3.91万人", "39,100 people"),
    ("{kind: count, value: 0.94, scale: 万, unit: {zh: 人, en: people}}", "0.94万人", "9,400 people"),
    ("{kind: count, value: 1000, unit: {zh: 个, en: projects}}", "1000个", "1,000 projects"),
    ("{kind: count, value: 1, unit: {zh: 个, en: project|projects}}", "1个", "1 project"),
    ("{kind: count, value: 8000, scale: 万, unit: {zh: 人次, en: visits}}", "8000万人次", "80 million visits"),
    ("{kind: rank, value: 6, scope: {zh: 全省, en: in Henan}}", "第6位", "6th"),
    ("{kind: rank, value: 1, scope: {zh: 全省, en: in Henan}}", "第1位", "1st"),
    ("{kind: rank, value: 23, scope: {zh: 全省, en: in Henan}}", "第23位", "23rd"),
    ("{kind: pp, value: 0.9}", "0.9个百分点", "0.9 percentage points"),
    ("{kind: date, value: 2025-07-30}", "2025年7月30日", "30 July 2025"),
    ("{kind: quantity, value: 524.3, unit: {zh: 公斤, en: kg}}", "524.3公斤", "524.3 kg"),
    ("{kind: quantity, value: 8, unit: {zh: GWh, en: GWh}}", "8GWh", "8 GWh"),
])
def test_formats(decl, zh, en):
    assert fmt(decl, "zh") == zh
    # English binds the number to its currency, scale word and unit with no-break spaces
    got = fmt(decl, "en")
    assert got.replace("\u00a0", " ") == en
    if "date" not in decl:
        assert " " not in got.replace("percentage points", "")


def test_rank_variants():
    d = "{kind: rank, value: 6, scope: {zh: 全省, en: in Henan}}"
    assert fmt(d, "zh", "scoped") == "全省第6位"
    assert fmt(d, "en", "scoped") == "6th\u00a0in Henan"
    assert fmt(d, "zh", "num") == "6"


def test_derived_metric_uses_decimal_arithmetic():
    b = loads(HEAD + "data:\n  a: {kind: percent, value: 43.8}\n  g: {kind: pp, value: 28.9}\n"
              "  p: {kind: percent, expr: a - g}\nsections: []\n", "x.yaml")
    assert format_metric(b.data["p"], "zh") == "14.9%"
    assert b.data["p"].derived


def test_sample_mini_localizes_in_both_languages():
    b = load(MINI)
    zh, en = localize(b, "zh"), localize(b, "en")
    p_zh = plain(zh.sections[0].blocks[1].text)
    p_en = plain(en.sections[0].blocks[1].text)
    assert "2025年7月30日" in p_zh and "增长6.3%、居全省第6位" in p_zh and "79.9亿元" in p_zh
    assert "30\u00a0July 2025" in p_en and "0.9\u00a0percentage points" in p_en
    assert "CNY\u00a07.99\u00a0billion" in p_en   # no-break spaces survive whitespace normalisation
    assert "R&D <b> a<b &amp;" in p_zh  # content is text, not markup
    assert any(s.bold and s.text == "服务业" for s in zh.sections[0].blocks[1].text)


def test_strings_tables_have_identical_keys():
    assert STRINGS["zh"].keys() == STRINGS["en"].keys()


def test_missing_side_names_field_and_line():
    lines = errors_of(HEAD + "sections:\n  - heading: {zh: 概况}\n")
    assert lines == ["x.yaml:8:14: sections[0].heading: missing the 'en' side — add `en:` with the English "
                     "text beside `zh:`"]


def test_unknown_placeholder_suggests_key():
    lines = errors_of(HEAD + "data:\n  gdp: {kind: percent, value: 6.3}\nsections:\n  - heading: {zh: 甲, en: A}\n"
                      "    blocks:\n      - paragraph: {zh: '增长{gdq}', en: 'grew {gdp}'}\n")
    assert len(lines) == 1
    # the position is the placeholder's own brace, not the start of the string
    assert lines[0].startswith("x.yaml:12:28: sections[0].blocks[0].paragraph.zh: unknown placeholder {gdq}")
    assert "did you mean 'gdp'?" in lines[0]


def test_wrong_variant_and_kind_errors_all_reported():
    lines = errors_of(HEAD + "data:\n  a: {kind: percent, value: 6.3}\n  b: {kind: speed, value: 1}\n"
                      "  c: {kind: percent, value: .nan}\n"
                      "sections:\n  - heading: {zh: 甲, en: A}\n    blocks:\n"
                      "      - paragraph: {zh: '{a:scoped}', en: '{a}'}\n      - poem: {zh: 诗, en: poem}\n")
    text = "\n".join(lines)
    assert "unknown metric kind 'speed'" in text
    assert "'.nan' is not a finite number" in text
    assert "'a' is a percent, which has no 'scoped' form" in text
    assert "unknown block kind 'poem'" in text
    assert len(lines) == 4


def test_yaml_syntax_error_position():
    lines = errors_of(HEAD + "sections: [\n  - x: {zh: a\n")
    assert len(lines) == 1 and lines[0].startswith("x.yaml:") and "YAML syntax" in lines[0]


def test_python_tags_are_refused():
    lines = errors_of(HEAD + "sections: !!python/object/apply:os.system ['echo hi']\n")
    assert "is not allowed" in lines[0]


def test_alias_bomb_fails_fast():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        bomb += f"{cur}: &{cur} [{', '.join(['*' + prev] * 10)}]\n"
    lines = errors_of(bomb)
    assert "YAML aliases" in lines[0]


@pytest.mark.parametrize("n, text", [(1, "一"), (10, "十"), (12, "十二"), (20, "二十"), (99, "九十九"),
                                     (100, "一百"), (101, "一百零一"), (110, "一百一十"), (128, "一百二十八"),
                                     (2024, "二千零二十四")])
def test_chinese_section_numbers(n, text):
    from briefing.localize import section_number, zh_numeral

    assert zh_numeral(n) == text
    assert section_number(n, "zh") == text + "、"
    assert section_number(n, "en") == f"{n}. "
