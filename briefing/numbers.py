"""Every figure as a language prints it: exact, from the Decimal the content file wrote, never a float.

Chinese prints the way statistical releases do: the value in the unit the content declares (`15000亿元`,
`3.91万人`), without grouping separators unless the document asks for them, ranks as `第6位` or
`第六位`, percentage points as `0.9个百分点`. English prints the full value: below a million grouped
(`39,100 people`), from a million up with a scale word (`CNY 1.5 trillion`, `CNY 8.2553 trillion`), the
scaling done here in Decimal so that no digit is lost or invented (babel's compact formatter rounds).

A number and its currency, scale word and unit are bound by no-break spaces (`CNY 7.99 billion`,
`0.9 percentage points` keeps `0.9 percentage` together); a printed minus is U+2212.
"""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal

from . import model as m
from .placeholders import Ref, change_words, check, en_word_follows, parse

LOCALES = {"zh": "zh_CN", "en": "en_GB"}
NBSP = "\u00a0"    # binds a number to its currency, scale word and unit
MINUS = "\u2212"   # the printed minus sign (babel's locales give the ASCII hyphen-minus)
PLUS = "+"

#: English scale words, largest first: (power of ten, word)
EN_SCALES = ((12, "trillion"), (9, "billion"), (6, "million"))
#: A value written without a scale uses an English scale word only while the figure in that unit has at
#: most this many decimals (`1.5 million`); beyond, it prints the grouped digits (`1,234,567`). A value
#: with a scale (万, 亿, 万亿) always uses the word from a million up (`1.41175 billion`, `134.9084 trillion`).
EN_SCALE_MAX_DECIMALS = 3

_ZH_NUMERALS = "〇一二三四五六七八九十"


def zh_numeral(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十, 105 → 一百零五, 2024 → 二千零二十四 (section numbers, ranks)."""
    if n < 0:
        return "负" + zh_numeral(-n)
    if n <= 10:
        return _ZH_NUMERALS[n]
    if n < 20:
        return "十" + (_ZH_NUMERALS[n - 10] if n > 10 else "")
    if n >= 10000:
        high, low = divmod(n, 10000)
        return zh_numeral(high) + "万" + (("零" if low < 1000 else "") + zh_numeral(low) if low else "")
    out, zero = "", False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit, n = divmod(n, unit)
        if digit:
            out += ("零" if zero and out else "") + _ZH_NUMERALS[digit] + name
            zero = False
        else:
            zero = True
    return out


_ORDINAL_SUFFIX = {"one": "st", "two": "nd", "few": "rd", "other": "th"}


def ordinal_en(n: int) -> str:
    return f"{n}{_ORDINAL_SUFFIX[Locale('en').ordinal_form(n)]}"


def format_date_text(d: dt.date, lang: m.Lang) -> str:
    """`2025年7月30日` / `30 July 2025` (day and month bound by a no-break space)."""
    text = format_date(d, format="long", locale=LOCALES[lang])
    return text.replace(" ", NBSP, 1) if lang == "en" else text


# ------------------------------------------------------------------ digits

def digits_after_point(value: Decimal) -> int:
    """Digits after the point a value needs (trailing zeros dropped): 1.50 → 1, 15000 → 0."""
    if not value:
        return 0
    exp = value.normalize().as_tuple().exponent
    return max(0, -exp) if isinstance(exp, int) else 0


def digits(value: Decimal, decimals: int, lang: m.Lang, grouping: bool) -> str:
    """|value| with exactly `decimals` digits after the point, in the locale's symbols; no sign.
    `value` never has more digits than that (the loader refuses it), so nothing is rounded."""
    magnitude = abs(value)
    q = magnitude.quantize(Decimal(1).scaleb(-decimals))
    assert q == magnitude, f"{value} does not fit {decimals} decimals"
    pattern = ("#,##0" if grouping else "0") + ("." + "0" * decimals if decimals else "")
    return format_decimal(q, format=pattern, locale=LOCALES[lang])


def sign_of(value: Decimal, explicit: bool = False) -> str:
    """U+2212 for a negative value; with `explicit`, + for a positive one; nothing for zero."""
    if value < 0:
        return MINUS
    return PLUS if explicit and value > 0 else ""


# ------------------------------------------------------------------ one figure

def _zh_grouping(value: Decimal, style_grouping: bool) -> bool:
    """Chinese statistical style prints no grouping separators (`15000亿元`, `40629元`); a document
    with `numbers: {zh_grouping: true}` groups figures of five digits and more (`15,000亿元`)."""
    return style_grouping and abs(value) >= 10000


def _magnitude(metric: m.Metric, lang: m.Lang, full: bool, zh_grouping: bool) -> str:
    """The unsigned number with its scale word: zh `15000亿` (as declared) or `1500000000000` (full);
    en `1.5 trillion`, `39,100`, `0.9`."""
    value = metric.value
    assert isinstance(value, Decimal)
    scale = m.SCALES[metric.scale] if metric.scale else 0
    if lang == "zh":
        if metric.scale and not full:
            return digits(value, metric.decimals, "zh", _zh_grouping(value, zh_grouping)) + metric.scale
        number = metric.number
        return digits(number, max(0, metric.decimals - scale), "zh", _zh_grouping(number, zh_grouping))
    number = metric.number
    if metric.kind in ("count", "money", "quantity", "number"):
        word = en_scaled(number, None if metric.scale else EN_SCALE_MAX_DECIMALS)
        if word:
            return word
    return digits(number, max(0, metric.decimals - scale), "en", True)


def en_scaled(number: Decimal, max_decimals: int | None = None) -> str | None:
    """`1.5 trillion`, `8.2553 trillion`, `26.53 million` (unsigned), or None below a million or when the
    figure would need more than `max_decimals` decimals in that unit."""
    magnitude = abs(number)
    for power, word in EN_SCALES:
        if magnitude >= Decimal(10) ** power:
            scaled = magnitude.scaleb(-power)
            places = digits_after_point(scaled)
            if max_decimals is not None and places > max_decimals:
                return None
            return digits(scaled, places, "en", True) + NBSP + word
    return None


def _en_unit(unit: m.Text | None, value: Decimal) -> str:
    if unit is None:
        return ""
    forms = unit.en.split("|")
    if len(forms) == 2:
        return forms[0] if abs(value) == 1 else forms[1]
    return unit.en


def _with_unit(metric: m.Metric, num: str, lang: m.Lang, sign: str = "") -> str:
    """The number (unsigned, with its scale word) with its currency or unit, and the sign in front."""
    kind = metric.kind
    value = metric.value
    assert isinstance(value, Decimal)
    zh = lang == "zh"
    if kind == "percent":
        return sign + num + "%"
    if kind == "permille":
        return sign + num + "‰"
    if kind == "pp":
        if zh:
            return sign + num + "个百分点"
        one = abs(value) == 1 and metric.decimals == 0
        return sign + num + NBSP + ("percentage point" if one else "percentage points")
    if kind == "multiple":
        return sign + num + ("倍" if zh else NBSP + "times")
    if kind == "money":
        if zh:
            return sign + num + ("美元" if metric.currency == "USD" else "元")
        return sign + metric.currency + NBSP + num
    if zh:
        return sign + num + (metric.unit.zh if metric.unit else "")
    unit = _en_unit(metric.unit, metric.number)
    # units and nouns follow the number with a no-break space: 524.3 kg, 8 GWh, 230 projects
    return sign + num + (NBSP + unit if unit else "")


def _rank(metric: m.Metric, lang: m.Lang, ref: Ref) -> str:
    assert isinstance(metric.value, Decimal)
    n = int(metric.value)
    zh = lang == "zh"
    if not zh:
        text = ordinal_en(n)
        return f"{text}{NBSP}{metric.scope.en}" if ref.has("scoped") and metric.scope else text
    number = zh_numeral(n) if ref.has("numeral") else str(n)
    if ref.has("num"):
        return number
    text = f"第{number}位"
    return f"{metric.scope.zh}{text}" if ref.has("scoped") and metric.scope else text


def format_ref(metric: m.Metric, ref: Ref, lang: m.Lang, zh_grouping: bool = False) -> str:
    """The metric as the placeholder `ref` prints it in `lang` (the forms are already checked)."""
    if metric.kind == "date":
        assert isinstance(metric.value, dt.date)
        return format_date_text(metric.value, lang)
    if metric.kind == "rank":
        return _rank(metric, lang, ref)
    value = metric.value
    assert isinstance(value, Decimal)
    num = _magnitude(metric, lang, ref.has("full"), zh_grouping)
    if ref.has("bare") and lang == "zh" and metric.scale and not ref.has("full"):
        num = num.removesuffix(metric.scale)
        return ("" if ref.has("abs") else sign_of(value, explicit=ref.has("signed"))) + num
    if ref.has("change"):
        up, down, zero = change_words(metric.kind, lang, metric.change_zh if lang == "zh" else metric.change_en,
                                      ref.words)
        if value == 0:
            return zero
        word = up if value > 0 else down
        figure = num if ref.has("num") else _with_unit(metric, num, lang)
        if lang == "zh":
            return word + figure
        return f"{figure} {word}" if en_word_follows(word) else f"{word} {figure}"
    sign = "" if ref.has("abs") else sign_of(value, explicit=ref.has("signed"))
    if ref.has("num") or ref.has("bare"):
        return sign + num
    return _with_unit(metric, num, lang, sign)


def format_metric(metric: m.Metric, lang: m.Lang, form: str | None = None, zh_grouping: bool = False) -> str:
    """The metric as `{key}` or `{key:form…}` prints it (`form` as written after the key: `scoped`,
    `change=提高/回落`, `num:abs`)."""
    ref = Ref(metric.key)
    if form:
        tpl, problems = parse(f"{{{metric.key}:{form}}}", lang)
        if problems:
            raise ValueError(problems[0].what)
        ref = tpl[0].pieces[0]          # type: ignore[assignment]
        assert isinstance(ref, Ref)
        problem = check(ref, metric.kind)
        if problem:
            raise ValueError(problem[0])
    return format_ref(metric, ref, lang, zh_grouping)


def format_share(value: m.Metric, target: m.Metric, lang: m.Lang) -> str:
    """A progress item's share of its target, computed in Decimal and rounded half up to one decimal, as
    statistical releases round (`66.7%`); "" for a target that is not above zero."""
    v, t = value.number, target.number
    if t <= 0:
        return ""
    share = (v * 100 / t).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return sign_of(share) + digits(share, 1, lang, lang == "en") + "%"


def chart_scales(metrics: list[m.Metric]) -> tuple[int, int]:
    """The powers of ten a chart's value axis counts in, Chinese and English: Chinese the largest scale
    the metrics declare (亿 → 8; none → 0, full numbers), English the scale word of the largest value
    (billion → 9). Only amounts have a scale (count, money, quantity, number)."""
    amounts = [x for x in metrics if x.kind in ("count", "money", "quantity", "number")]
    if not amounts:
        return 0, 0
    zh = max((m.SCALES[x.scale] for x in amounts if x.scale), default=0)
    largest = max(abs(x.number) for x in amounts)
    en = next((power for power, _ in EN_SCALES if largest >= Decimal(10) ** power), 0)
    return zh, en


def format_tick(value: float, kind: str, lang: m.Lang, scale: int = 0) -> str:
    """An axis tick label in the chart's unit: `6%`, `−4%`, `20000` under 亿元, `2` under CNY trillion.
    A tick is a position matplotlib chose, not a figure of the data: it prints with at most one (percent)
    or two decimals."""
    d = Decimal(repr(float(value)))
    if kind in ("percent", "pp", "permille"):
        places = min(digits_after_point(d), 1)
        q = d.quantize(Decimal(1).scaleb(-places))
        return sign_of(q) + digits(q, places, lang, lang == "en") + {"percent": "%", "permille": "‰"}.get(kind, "")
    d = d.scaleb(-scale)
    places = min(digits_after_point(d), 2)
    q = d.quantize(Decimal(1).scaleb(-places))
    return sign_of(q) + digits(q, places, lang, lang == "en")
