"""Figures as each language prints them: exact digits, scales, signed changes, ranks in numerals,
Chinese statistical style; and the bounds that keep any number a clean content error."""
from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from briefing import placeholders
from briefing.errors import ErrorList
from briefing.load import loads
from briefing.localize import localize, plain
from briefing.numbers import format_metric

ROOT = Path(__file__).resolve().parents[1]
HEAD = """id: t
masthead: {zh: 简报, en: Brief}
title: {zh: 标题, en: Title}
date: 2025-07-30
author: {zh: 某, en: X}
source: {zh: 报, en: paper}
"""


def metric(decl: str, extra: str = ""):
    return loads(HEAD + extra + f"data:\n  k: {decl}\nsections: []\n", "x.yaml").data["k"]


def both(decl: str, form: str | None = None, extra: str = "") -> tuple[str, str]:
    k = metric(decl, extra)
    zh_grouping = "zh_grouping: true" in extra
    return (format_metric(k, "zh", form, zh_grouping),
            format_metric(k, "en", form, zh_grouping).replace("\u00a0", " "))


def errors_of(text: str) -> list[str]:
    with pytest.raises(ErrorList) as ei:
        loads(text, "x.yaml")
    return ei.value.lines()


# ------------------------------------------------------------------ exact in every range

@pytest.mark.parametrize("decl, zh, en", [
    # the figures issue #10 found wrong: babel's compact formatter rounded them
    ("{kind: money, value: 15000, scale: 亿}", "15000亿元", "CNY 1.5 trillion"),
    ("{kind: money, value: 15000.0000, scale: 亿}", "15000.0000亿元", "CNY 1.5 trillion"),
    ("{kind: money, value: 12000, scale: 亿}", "12000亿元", "CNY 1.2 trillion"),
    ("{kind: money, value: 10500, scale: 亿}", "10500亿元", "CNY 1.05 trillion"),
    ("{kind: money, value: 82553, scale: 亿}", "82553亿元", "CNY 8.2553 trillion"),
    ("{kind: money, value: 1349084, scale: 亿}", "1349084亿元", "CNY 134.9084 trillion"),
    ("{kind: money, value: 1.5, scale: 万亿}", "1.5万亿元", "CNY 1.5 trillion"),
    ("{kind: money, value: 134.9084, scale: 万亿}", "134.9084万亿元", "CNY 134.9084 trillion"),
    ("{kind: money, value: 40629, unit: null}".replace(", unit: null", ""), "40629元", "CNY 40,629"),
    ("{kind: money, value: 362.2, scale: 亿}", "362.2亿元", "CNY 36.22 billion"),
    ("{kind: money, value: 0.0001, scale: 亿}", "0.0001亿元", "CNY 10,000"),
    ("{kind: money, value: 1234567}", "1234567元", "CNY 1,234,567"),
    ("{kind: money, value: 1500000}", "1500000元", "CNY 1.5 million"),
    ("{kind: count, value: 141175, scale: 万, unit: {zh: 人, en: person|people}}", "141175万人",
     "1.41175 billion people"),
    ("{kind: count, value: 209.00, scale: 万, unit: {zh: 人, en: people}}", "209.00万人", "2.09 million people"),
    ("{kind: count, value: 954, scale: 万, unit: {zh: 人, en: people}}", "954万人", "9.54 million people"),
    ("{kind: number, value: 0.0001}", "0.0001", "0.0001"),
    ("{kind: number, value: 999999999999999}", "999999999999999", "999,999,999,999,999"),
    ("{kind: permille, value: 5.8}", "5.8‰", "5.8‰"),
    ("{kind: multiple, value: 2.5}", "2.5倍", "2.5 times"),
    ("{kind: quantity, value: 524.3, unit: {zh: 公斤/亩, en: kg/mu}}", "524.3公斤/亩", "524.3 kg/mu"),
    ("{kind: percent, value: 9, decimals: 1}", "9.0%", "9.0%"),
])
def test_exact_figures(decl, zh, en):
    assert both(decl) == (zh, en)


def test_chinese_grouping_is_a_document_setting():
    decl = "{kind: money, value: 15000, scale: 亿}"
    assert both(decl)[0] == "15000亿元"
    assert both(decl, extra="numbers: {zh_grouping: true}\n") == ("15,000亿元", "CNY 1.5 trillion")
    assert both("{kind: money, value: 1000}", extra="numbers: {zh_grouping: true}\n")[0] == "1000元"
    lines = errors_of(HEAD + "numbers: {zh_grouping: 1}\nsections: []\n")
    assert lines == ["x.yaml:7:24: numbers.zh_grouping: expected true or false, found a number — write "
                     "`zh_grouping: true` (15,000亿元) or leave it out (15000亿元)"]


# ------------------------------------------------------------------ signs and changes

@pytest.mark.parametrize("decl, form, zh, en", [
    ("{kind: percent, value: 6.3}", "change", "增长6.3%", "up 6.3%"),
    ("{kind: percent, value: -1.0}", "change", "下降1.0%", "down 1.0%"),
    ("{kind: percent, value: 0.0}", "change", "持平", "unchanged"),
    ("{kind: percent, value: -1.0}", None, "\u22121.0%", "\u22121.0%"),
    ("{kind: percent, value: -1.0}", "abs", "1.0%", "1.0%"),
    ("{kind: percent, value: -1.0}", "num", "\u22121.0", "\u22121.0"),
    ("{kind: percent, value: 6.3}", "signed", "+6.3%", "+6.3%"),
    ("{kind: percent, value: -1.0}", "signed", "\u22121.0%", "\u22121.0%"),
    ("{kind: percent, value: 6.3}", "change:num", "增长6.3", "up 6.3"),
    ("{kind: pp, value: 0.9}", "change", "提高0.9个百分点", "0.9 percentage points higher"),
    ("{kind: pp, value: -0.3}", "change", "下降0.3个百分点", "0.3 percentage points lower"),
    ("{kind: pp, value: -0.3, change: {zh: 提高/回落, en: higher/lower}}", "change", "回落0.3个百分点",
     "0.3 percentage points lower"),
    ("{kind: pp, value: -1}", "abs", "1个百分点", "1 percentage point"),
    ("{kind: count, value: -2000, unit: {zh: 人, en: people}}", "change", "减少2000人", "down 2,000 people"),
    ("{kind: count, value: 1, unit: {zh: 个, en: project|projects}}", "change", "增加1个", "up 1 project"),
    ("{kind: money, value: -52.1, scale: 亿}", "change", "减少52.1亿元", "down CNY 5.21 billion"),
    ("{kind: money, value: -52.1, scale: 亿}", None, "\u221252.1亿元", "\u2212CNY 5.21 billion"),
    ("{kind: money, value: 52.1, scale: 亿, change: {zh: 增加/减少, en: more/less}}", "change", "增加52.1亿元",
     "CNY 5.21 billion more"),
    ("{kind: percent, value: 0, change: {zh: 增长/下降/持平, en: rose/fell/was flat}}", "change", "持平", "was flat"),
    ("{kind: permille, value: -0.5}", "change", "下降0.5‰", "down 0.5‰"),
])
def test_signed_forms(decl, form, zh, en):
    assert both(decl, form) == (zh, en)


def test_change_words_per_placeholder_in_each_language():
    b = loads(HEAD + "data:\n  gap: {kind: pp, value: -1.2}\n  g: {kind: percent, value: -3.5}\n"
              "sections:\n  - heading: {zh: 甲, en: A}\n    blocks:\n"
              "      - paragraph:\n          zh: 降幅{gap:change=扩大/收窄}，{g:change=增长/下降}\n"
              "          en: the decline was {gap:change=wider/narrower}, {g:change=rose/fell}\n", "x.yaml")
    assert plain(localize(b, "zh").sections[0].blocks[0].text) == "降幅收窄1.2个百分点，下降3.5%"
    assert plain(localize(b, "en").sections[0].blocks[0].text).replace("\u00a0", " ") == \
        "the decline was 1.2 percentage points narrower, fell 3.5%"


def test_no_ascii_hyphen_as_minus_anywhere():
    for decl in ("{kind: percent, value: -1.0}", "{kind: money, value: -3, scale: 万亿}",
                 "{kind: count, value: -0.5, scale: 万, unit: {zh: 人, en: people}}", "{kind: number, value: -7}"):
        for form in (None, "num", "signed", "full" if "scale" in decl else None):
            zh, en = both(decl, form)
            assert "-" not in zh + en and "\u2212" in zh and "\u2212" in en, (decl, form, zh, en)


@pytest.mark.parametrize("n, zh", [(1, "第一位"), (2, "第二位"), (10, "第十位"), (12, "第十二位"), (21, "第二十一位")])
def test_rank_numerals(n, zh):
    decl = f"{{kind: rank, value: {n}, scope: {{zh: 全省, en: in Henan}}}}"
    assert both(decl, "numeral")[0] == zh
    assert both(decl, "scoped:numeral")[0] == "全省" + zh
    assert both(decl, "num:numeral")[0] == zh[1:-1]
    assert both("{kind: rank, value: 2, scope: {zh: 全国, en: in China}}", "numeral:scoped") == ("全国第二位",
                                                                                                 "2nd in China")


# ------------------------------------------------------------------ placeholder grammar errors

def paragraph(zh: str, en: str, data: str = "  g: {kind: percent, value: 6.3}\n  r: {kind: rank, value: 2, scope: {zh: 全省, en: in Henan}}\n") -> str:
    return (HEAD + "data:\n" + data + "sections:\n  - heading: {zh: 甲, en: A}\n    blocks:\n"
            f"      - paragraph: {{zh: '{zh}', en: '{en}'}}\n")


@pytest.mark.parametrize("zh, en, message", [
    ("{g:rise}", "{g}", "x.yaml:13:26: sections[0].blocks[0].paragraph.zh: placeholder {g:rise}: unknown form "
     "'rise' — use one of: num, full, bare, abs, change, signed, scoped, numeral"),
    ("{g:abs:change}", "{g}", "x.yaml:13:26: sections[0].blocks[0].paragraph.zh: placeholder {g:abs:change}: "
     "'abs' and 'change' cannot be combined — keep one of them"),
    ("{g:num:num}", "{g}", "x.yaml:13:26: sections[0].blocks[0].paragraph.zh: placeholder {g:num:num}: form "
     "'num' is given twice — give each form once"),
    ("{g:change=up/down}", "{g}", "x.yaml:13:26: sections[0].blocks[0].paragraph.zh: placeholder "
     "{g:change=up/down}: 'up' in 'up/down' is not a verb of Han characters (up to 6) — write e.g. "
     "{x:change=提高/回落} in Chinese, {x:change=higher/lower} in English"),
    ("{g:num=3}", "{g}", "x.yaml:13:26: sections[0].blocks[0].paragraph.zh: placeholder {g:num=3}: only the "
     "change form takes words — write {g:num}"),
    ("{g}", "{r:change}", "x.yaml:13:37: sections[0].blocks[0].paragraph.en: placeholder {r:change}: 'r' is a "
     "rank, which has no 'change' form — write {r}, or a form of a rank: num, scoped, numeral"),
])
def test_placeholder_errors_point_at_the_brace(zh, en, message):
    assert errors_of(paragraph(zh, en)) == [message]


def test_plain_string_cannot_carry_words_of_one_language():
    text = (HEAD + "data:\n  g: {kind: percent, value: 6.3}\nsections:\n  - heading: {zh: 甲, en: A}\n"
            "    blocks:\n      - table:\n          columns: [{zh: 甲, en: A}]\n"
            "          rows: [['{g:change=增长/下降}']]\n")
    lines = errors_of(text)
    assert len(lines) == 1 and "(a plain string is used in both languages) — give the text as a {zh: …, en: …} " \
        "pair" in lines[0] and lines[0].startswith("x.yaml:14:20:")


def test_change_pair_on_the_metric_is_checked():
    lines = errors_of(HEAD + "data:\n  k: {kind: pp, value: 1, change: {zh: 提高, en: higher/lower}}\n"
                      "  r: {kind: rank, value: 1, scope: {zh: 全省, en: x}, change: {zh: 上升/下降, en: up/down}}\nsections: []\n")
    assert lines == [
        "x.yaml:8:40: data.k.change.zh: '提高' is not a word pair: write up/down, or up/down/unchanged — write "
        "e.g. {zh: 提高/回落, en: higher/lower}",
        "x.yaml:9:53: data.r.change: a rank has no change form — leave `change` out"]


# ------------------------------------------------------------------ bounds (issue #16)

@pytest.mark.parametrize("raw, message", [
    ("0x1", "decimals '0x1' must be a whole number from 0 to 6"),
    ("0b1", "decimals '0b1' must be a whole number from 0 to 6"),
    ("1:30", "decimals '1:30' must be a whole number from 0 to 6"),
    ("-1", "decimals '-1' must be a whole number from 0 to 6"),
    ("7", "decimals '7' must be a whole number from 0 to 6"),
    ("1.5", "decimals '1.5' must be a whole number from 0 to 6"),
    ("'1'", "decimals '1' must be a whole number from 0 to 6"),
])
def test_decimals_is_a_plain_small_whole_number(raw, message):
    lines = errors_of(HEAD + f"data:\n  k: {{kind: percent, value: 6, decimals: {raw}}}\nsections: []\n")
    assert lines == [f"x.yaml:8:42: data.k.decimals: {message} — write e.g. `decimals: 1`"]


def test_decimals_never_rounds_a_value():
    lines = errors_of(HEAD + "data:\n  k: {kind: percent, value: 6.35, decimals: 1}\nsections: []\n")
    assert lines == ["x.yaml:8:45: data.k.decimals: decimals: 1 would round the value 6.35 (written with 2 "
                     "digits after the point) — write the value as it is printed, or leave `decimals` out"]


@pytest.mark.parametrize("raw, message", [
    ("1.0e-999999999", "'1.0e-999999999' has 1,000,000,000 digits after the point (limit 6) — write the figure "
     "as printed, or use a `scale` (万, 亿, 万亿)"),
    ("1.0e-100000", "'1.0e-100000' has 100,001 digits after the point (limit 6) — write the figure as printed, "
     "or use a `scale` (万, 亿, 万亿)"),
    ("1.0e+999999999", "'1.0e+999999999' is too large (limit ±10^15) — check the figure, and use `scale: 亿` "
     "for large amounts"),
    ("1234567890123.45678901234567890", "'1234567890123.45678901234567890' has 17 digits after the point "
     "(limit 6) — write the figure as printed, or use a `scale` (万, 亿, 万亿)"),
    ("123456789012345.6", "'123456789012345.6' has 16 significant digits (limit 15) — write the figure as printed"),
    ("0.0000001", "'0.0000001' has 7 digits after the point (limit 6) — write the figure as printed, or use a "
     "`scale` (万, 亿, 万亿)"),
])
def test_huge_exponents_and_digits_are_refused_at_once(raw, message):
    start = time.perf_counter()
    lines = errors_of(HEAD + f"data:\n  k: {{kind: number, value: {raw}}}\nsections: []\n")
    assert time.perf_counter() - start < 0.5
    assert lines == [f"x.yaml:8:28: data.k.value: {message}"]


def test_scaled_value_is_bounded_in_full():
    lines = errors_of(HEAD + "data:\n  k: {kind: money, value: 1000, scale: 万亿}\nsections: []\n")
    assert lines == ["x.yaml:8:27: data.k.value: '1000' 万亿 is 10^15 or more in full (limit ±10^15) — check the "
                     "figure and its scale"]


def test_long_formula_chain_is_a_content_error():
    data = "  m0: {kind: number, value: 1}\n" + "".join(
        f"  m{i}: {{kind: number, expr: m{i - 1} + 1, decimals: 0}}\n" for i in range(1, 171))
    start = time.perf_counter()
    lines = errors_of(HEAD + "data:\n" + data + "sections: []\n")
    assert time.perf_counter() - start < 2
    assert lines == ["x.yaml:41:29: data.m33.expr: formulas build on formulas 33 levels deep here (limit 32) — "
                     "compute it from fewer intermediate formulas"]


def test_formula_chain_in_any_order_and_cycles():
    # defined last-first: the evaluation order comes from the formulas, not the file
    data = "".join(f"  m{i}: {{kind: number, expr: m{i - 1} * 2, decimals: 0}}\n" for i in range(30, 0, -1))
    b = loads(HEAD + "data:\n" + data + "  m0: {kind: number, value: 1}\nsections: []\n", "x.yaml")
    assert format_metric(b.data["m30"], "zh") == str(2 ** 30)
    assert list(b.data)[0] == "m30"        # the model keeps the file's order
    lines = errors_of(HEAD + "data:\n  a: {kind: number, expr: b + 1}\n  b: {kind: number, expr: c + 1}\n"
                      "  c: {kind: number, expr: a + 1}\nsections: []\n")
    assert lines == ["x.yaml:10:27: data.c.expr: formula refers back to itself (a → b → c → a) — break the cycle"]


# ------------------------------------------------------------------ one grammar: docs, schema, loader

def test_schema_text_pattern_is_the_grammar():
    schema = json.loads((ROOT / "briefing" / "content.schema.json").read_text(encoding="utf-8"))
    assert schema["$defs"]["template"]["allOf"][1]["pattern"] == placeholders.SCHEMA_PATTERN
    rx = re.compile(placeholders.SCHEMA_PATTERN)
    for good in ("增长{g}", "{g:change=提高/回落}", "{{literal}}", "{ a.b:num:abs }", "no braces"):
        assert rx.match(good) and not placeholders.parse(good, "zh")[1], good
    for bad in ("{g", "{a.__class__}", "{0}", "{a!r}", "{a[0]}", "}"):
        assert not rx.match(bad) and placeholders.parse(bad, "zh")[1], bad


def test_docs_forms_table_lists_every_form():
    doc = (ROOT / "docs" / "content-format.md").read_text(encoding="utf-8")
    section = doc.split("### Placeholders and forms", 1)[1].split("###", 1)[0]
    listed = re.findall(r"^\| `([a-z]+)` \|", section, re.M)
    assert listed == list(placeholders.FORMS)


def test_docs_signed_change_example_prints_what_the_docs_say():
    doc = (ROOT / "docs" / "content-format.md").read_text(encoding="utf-8")
    section = doc.split("### Signed changes", 1)[1].split("###", 1)[0]
    example = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)
    zh, en = re.search(r"prints `([^`]*)` /\n`([^`]*)`", section).groups()
    b = loads(HEAD + example, "x.yaml")
    assert plain(localize(b, "zh").sections[0].blocks[0].text) == zh
    assert plain(localize(b, "en").sections[0].blocks[0].text).replace("\u00a0", " ") == " ".join(en.split())


def test_bare_number_in_a_list_sharing_one_unit():
    data = ("  a: {kind: money, value: 2332, scale: 亿}\n  b: {kind: money, value: 33953, scale: 亿}\n"
            "  c: {kind: money, value: 46268, scale: 亿}\n")
    b = loads(HEAD + "data:\n" + data + "sections:\n  - heading: {zh: 甲, en: A}\n    blocks:\n"
              "      - paragraph:\n          zh: 分别为{a:bare}、{b:bare}和{c}\n"
              "          en: were {a}, {b:bare} and {c:num}\n", "x.yaml")
    assert plain(localize(b, "zh").sections[0].blocks[0].text) == "分别为2332、33953和46268亿元"
    assert plain(localize(b, "en").sections[0].blocks[0].text).replace("\u00a0", " ") == \
        "were CNY 233.2 billion, 3.3953 trillion and 4.6268 trillion"


def test_comma_in_a_flow_pair_gets_a_hint():
    lines = errors_of(HEAD + "data:\n  k: {kind: percent, value: 1, label: {zh: 增加值, en: Value added, May}}\n"
                      "sections: []\n")
    assert lines == ["x.yaml:8:66: data.k.label: unknown field 'May' — use one of: en, zh (inside { } a comma ends "
                     "the text: put a text that has a comma in quotes)"]


def test_docs_examples_from_real_releases_print_what_the_docs_say():
    from briefing.load import load
    from briefing.localize import rich
    from briefing.model import Text

    doc = (ROOT / "docs" / "content-format.md").read_text(encoding="utf-8")
    section = doc.split("### From real releases", 1)[1].split("###", 1)[0]
    rows = [r for r in section.splitlines() if r.startswith("| ") and "(" in r.split("|")[1]]
    assert len(rows) >= 6
    for row in rows:
        source, _, text, zh, en = (c.strip() for c in row.strip("|").split(" | "))
        release = re.search(r"\(([a-z0-9-]+)\)", source).group(1)
        b = load(ROOT / "tests" / "releases" / f"{release}.yaml")
        zh_t, _, en_t = (t.strip().strip("`") for t in text.partition(" / "))
        en_t = en_t or zh_t
        got_zh = plain(rich(Text(zh_t, en_t), b.data, "zh"))
        assert got_zh == zh.strip("`"), row
        if not en.startswith("(its own sentence)"):
            got_en = plain(rich(Text(zh_t, en_t), b.data, "en")).replace("\u00a0", " ")
            assert got_en == en.strip("`"), row
