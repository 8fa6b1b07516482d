"""Property tests of the figures (issue #10 item 2, issue #16 item 8).

1. Exact in every range: over kinds × scales × magnitudes (0.0001 to 10^15) × decimals × signs, the Chinese
   and the English a metric prints parse back to exactly the Decimal of the data, for the full form and the
   num, abs, signed and change forms.
2. Bounded: over kinds × decimals × exponents, any value literal and any `decimals` gives either a clean
   content error naming file:line:col, or a figure that parses back exactly, in a few milliseconds.
"""
from __future__ import annotations

import re
import time
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefing.errors import ErrorList
from briefing.load import loads
from briefing.model import SCALES
from briefing.numbers import format_metric

HEAD = """id: t
masthead: {zh: 简报, en: Brief}
title: {zh: 标题, en: Title}
date: 2025-07-30
author: {zh: 某, en: X}
source: {zh: 报, en: paper}
"""
UNITS = {"count": ("人", "people"), "quantity": ("公斤/亩", "kg/mu")}
SCALED = ("count", "money", "quantity", "number")
KINDS = SCALED + ("percent", "pp", "permille", "multiple")
EN_WORDS = {"million": 6, "billion": 9, "trillion": 12}
ZH_SCALES = ("万亿", "亿", "万")   # longest first
MINUS = "\u2212"


def declare(kind: str, value: str, scale: str | None, decimals: str | None = None) -> str:
    fields = [f"kind: {kind}", f"value: {value}"]
    if scale:
        fields.append(f"scale: {scale}")
    if decimals is not None:
        fields.append(f"decimals: {decimals}")
    if kind in UNITS:
        zh, en = UNITS[kind]
        fields.append(f"unit: {{zh: {zh}, en: {en}}}")
    return HEAD + "data:\n  k: {" + ", ".join(fields) + "}\nsections: []\n"


def parse_zh(text: str, kind: str) -> Decimal:
    """A Chinese figure back to its full value: `−15000亿元` → -1500000000000."""
    for suffix in ("个百分点", "美元", "元", "%", "‰", "倍") + tuple(u for u, _ in UNITS.values()):
        if text.endswith(suffix):
            text = text[: -len(suffix)]
            break
    power = 0
    for word in ZH_SCALES:
        if text.endswith(word):
            text, power = text[: -len(word)], SCALES[word]
            break
    assert re.fullmatch(r"[+\u2212]?\d+(\.\d+)?", text), text    # no grouping, no ASCII hyphen
    return Decimal(text.replace(MINUS, "-")).scaleb(power)


def parse_en(text: str, kind: str) -> Decimal:
    """An English figure back to its full value: `−CNY 1.5 trillion` → -1500000000000."""
    text = text.replace("\u00a0", " ")
    sign = ""
    if text[:1] in (MINUS, "+"):
        sign, text = text[0], text[1:]
    text = re.sub(r"^(CNY|USD) ", "", text)
    text = re.sub(r" (percentage points?|times|people|kg/mu)$|[%‰]$", "", text)
    power = 0
    mt = re.fullmatch(r"(.*) (million|billion|trillion)", text)
    if mt:
        text, power = mt.group(1), EN_WORDS[mt.group(2)]
    assert re.fullmatch(r"\d{1,3}(,\d{3})*(\.\d+)?", text), text
    return Decimal((sign + text).replace(",", "").replace(MINUS, "-")).scaleb(power)


@st.composite
def figures(draw):
    kind = draw(st.sampled_from(KINDS))
    scale = draw(st.sampled_from((None,) + tuple(SCALES))) if kind in SCALED else None
    power = SCALES[scale] if scale else 0
    places = draw(st.integers(0, 6))
    # the full value from 0.0001 up to just under 10^15; the value as written in its scale
    top = min(15 - power, 15) + places - 1
    digits = draw(st.integers(1, 10 ** max(top, 1) - 1))
    value = Decimal(digits).scaleb(-places)
    if value.scaleb(power) < Decimal("0.0001") or value.scaleb(power) >= Decimal(10) ** 15:
        value = Decimal(1).scaleb(-min(places, 4))
    if len(value.as_tuple().digits) > 15:
        value = Decimal(int(str(digits)[:15 - places] or 1)).scaleb(-places) if places < 15 else Decimal(1)
    sign = draw(st.sampled_from(("", "-")))
    return kind, scale, sign + format(value, "f")


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(figures())
def test_every_figure_parses_back_exactly_in_both_languages(fig):
    kind, scale, literal = fig
    metric = loads(declare(kind, literal, scale), "x.yaml").data["k"]
    full = metric.number
    assert full == Decimal(literal).scaleb(SCALES[scale] if scale else 0)
    zh, en = format_metric(metric, "zh"), format_metric(metric, "en")
    assert parse_zh(zh, kind) == full, (literal, scale, zh)
    assert parse_en(en, kind) == full, (literal, scale, en)
    # Chinese prints exactly the digits written (statistical style, in the declared scale)
    written = literal.lstrip("-")
    assert zh.lstrip(MINUS).startswith(written), (literal, zh)
    if kind == "multiple":
        return   # a multiple has no sign forms
    for form in ("abs", "signed", "num"):
        for lang, parse in (("zh", parse_zh), ("en", parse_en)):
            text = format_metric(metric, lang, form)
            got = parse(text, kind)
            assert got == (abs(full) if form == "abs" else full), (form, lang, text)
    # change: the direction in words, then the magnitude
    for lang, parse in (("zh", parse_zh), ("en", parse_en)):
        text = format_metric(metric, lang, "change")
        if full == 0:
            assert text in ("持平", "unchanged")
            continue
        body = re.sub(r"^(增长|下降|增加|减少|提高|up |down )|( higher| lower)$", "", text)
        assert body != text and parse(body, kind) == abs(full), (lang, text)
        assert ("下降" in text or "减少" in text or "down" in text or "lower" in text) == (full < 0), text


# ------------------------------------------------------------------ issue #16: bounded, never an internal error

EXPONENTS = st.one_of(st.integers(-20, 20), st.sampled_from([-999999999, -100000, -400, 400, 100000, 999999999]))
DECIMALS = st.one_of(st.integers(-2, 9).map(str),
                     st.sampled_from(["0x1", "0b1", "1:30", "1.5", "'1'", "yes", "null", "[1]", "{a: 1}", "1e1",
                                      "+1", "01", "1_0"]))


@st.composite
def literals(draw):
    mantissa = draw(st.one_of(st.integers(0, 10 ** 30), st.integers(0, 999)))
    point = draw(st.integers(0, len(str(mantissa))))
    text = str(mantissa)
    text = (text[:len(text) - point] or "0") + "." + text[len(text) - point:] if point else text
    if draw(st.booleans()):
        exp = draw(EXPONENTS)
        text += f"e{'+' if exp >= 0 else '-'}{abs(exp)}"
        if "." not in text.split("e")[0]:
            text = text.replace("e", ".0e", 1)
    return draw(st.sampled_from(("", "-", "+"))) + text


@pytest.fixture(scope="module")
def warm() -> None:
    """A content error also runs the glyph check, which reads the fonts once per process: not the number's
    cost, so it is paid before the clock starts."""
    with pytest.raises(ErrorList):
        loads(declare("number", "x", None), "x.yaml")


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(KINDS + ("rank",)), literals(), st.one_of(st.none(), DECIMALS),
       st.sampled_from((None,) + tuple(SCALES)))
def test_any_value_is_a_clean_error_or_an_exact_figure_in_milliseconds(warm, kind, literal, decimals, scale):
    if kind not in SCALED:
        scale = None
    text = declare(kind, literal, scale, decimals).replace("kind: rank", "kind: rank, scope: {zh: 全省, en: x}")
    start = time.perf_counter()
    try:
        metric = loads(text, "x.yaml").data["k"]
    except ErrorList as e:
        assert time.perf_counter() - start < 0.25
        lines = e.lines()
        assert lines and all(re.match(r"x\.yaml:\d+:\d+: data\.k", ln) for ln in lines), lines
        assert all(len(ln) < 400 for ln in lines)
        return
    zh, en = format_metric(metric, "zh"), format_metric(metric, "en")
    assert time.perf_counter() - start < 0.25
    assert len(zh) < 60 and len(en) < 80, (zh, en)
    if kind == "rank":
        return
    expected = Decimal(literal.lstrip("+")).scaleb(SCALES[scale] if scale else 0)
    assert parse_zh(zh, kind) == expected, (literal, zh)
    assert parse_en(en, kind) == expected, (literal, en)
    written = Decimal(literal.lstrip("+-"))
    if decimals is not None and decimals.isdigit():   # decimals pads, never rounds
        assert zh.lstrip(MINUS).split("万")[0].split("亿")[0].count(".") == (int(decimals) > 0)
    assert written.as_tuple().exponent >= -6


@pytest.mark.parametrize("literal", ["1.0e-999999999", "1.0e-100000", "1234567890123.45678901234567890",
                                     "1.0e+999999999"])
def test_the_hostile_values_of_issue_16(warm, literal):
    start = time.perf_counter()
    with pytest.raises(ErrorList) as ei:
        loads(declare("number", literal, None), "x.yaml")
    assert time.perf_counter() - start < 0.05
    assert ei.value.lines()[0].startswith("x.yaml:8:28: data.k.value: ")
