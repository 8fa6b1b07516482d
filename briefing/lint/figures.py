"""Figures typed in a text: every run of digits a reader would see, with its value, what it is (a number, or
a year, month, day, quarter or half of the calendar) and its place in the string.

Numbers written in words (三大, 全国第三, 一季度, third, two years) are read too, but only as *words*: they
can answer a figure of the other language (`第三` answers `3rd`), they are never reported themselves.
Chinese editorial usage (GB/T 15835) writes statistical figures in Arabic digits, so digits are what the
check holds to account.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from ..model import Lang

CALENDAR = ("year", "month", "day", "quarter", "half")
# a year named in words relative to another (上年, this year, a year earlier): answers any year of the
# other language, since which year it is depends on the text's own time
SOME_YEAR = Decimal(-1)


@dataclass(frozen=True)
class Figure:
    start: int
    end: int
    text: str          # as typed: "7.9%", "79.9亿", "7.99 billion", "2025年", "6th"
    value: Decimal     # absolute, with its scale applied (79.9亿 → 7990000000)
    kind: str          # "number" or one of CALENDAR
    words: bool = False   # written in words: answers a figure, is never reported

    @property
    def key(self) -> tuple[str, Decimal]:
        return self.kind, self.value


# ------------------------------------------------------------------ shared

# full-width digits and point read as ASCII (same length, so offsets hold)
_FULLWIDTH = str.maketrans("０１２３４５６７８９．％", "0123456789.%")
_DASH = "-‐‑–—~～至到"

_ZH_SCALES = {"万亿": 12, "千亿": 11, "百亿": 10, "十亿": 9, "亿": 8, "千万": 7, "百万": 6, "十万": 5, "万": 4}
_EN_SCALES = {"trillion": 12, "tn": 12, "billion": 9, "bn": 9, "million": 6, "mn": 6, "thousand": 3}

_ZH_NUM = re.compile(
    r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?"
    r"(万亿|千亿|百亿|十亿|千万|百万|十万|亿|万)?")
_EN_NUM = re.compile(
    r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(st|nd|rd|th)?"
    r"(?:(?:\s|\u00a0)*(trillion|billion|million|thousand|tn|bn|mn)\b)?", re.I)


def _dec(whole: str, frac: str | None, scale: int) -> Decimal:
    return abs(Decimal(whole.replace(",", "") + (frac or "")).scaleb(scale))


def _percent_after(s: str, end: int) -> int:
    """The end of a % (or ‰) right after a number, else `end`."""
    return end + 1 if s[end:end + 1] in ("%", "‰") else end


# ------------------------------------------------------------------ Chinese

_ZH_DIGIT = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
             "九": 9}
_ZH_UNIT = {"十": 10, "百": 100, "千": 1000}
_ZH_WORD = re.compile(r"[〇零一二两三四五六七八九十百千]+")


def zh_numeral(word: str) -> int | None:
    """一 → 1, 十四 → 14, 二十 → 20, 三百零五 → 305; None for what is not a plain numeral."""
    total, digit = 0, None
    for ch in word:
        if ch in _ZH_DIGIT:
            if digit is not None and ch not in "〇零":
                return None       # 十四五: two numbers in a row, not one
            digit = _ZH_DIGIT[ch] if ch not in "〇零" else None
        else:
            unit = _ZH_UNIT[ch]
            total += (digit if digit is not None else 1) * unit
            digit = None
    return total + (digit or 0)


def _zh_calendar(s: str, start: int, end: int, value: Decimal, frac: str | None) -> str:
    """What a Chinese number is, by the word after it (or after the range it opens)."""
    after = s[end:end + 2]
    nxt = re.match(rf"[{_DASH}](\d{{1,4}})([年月日号])", s[end:])   # the first of a range: 1—6月, 2024—2025年
    unit = after[:1] if not nxt else nxt.group(2)
    if frac is None:
        if unit == "年" and 1900 <= value <= 2100 and end - start == 4:
            return "year"
        if unit == "月" and 1 <= value <= 12:
            return "month"
        if unit in "日号" and unit and 1 <= value <= 31:
            return "day"
        if after[:2] == "季度" and 1 <= value <= 4:
            return "quarter"
    return "number"


def _enumeration(t: str, start: int, end: int, more: str | None) -> bool:
    """A list number at the start of a line: `1.` `2、` `(3)` `4)` — the order of notes, not a figure."""
    if more:
        return False
    line_start = t.rfind("\n", 0, start) + 1
    before = t[line_start:start].strip()
    return before in ("", "(", "（") and t[end:end + 1] in (".", "、", ")", "）", "．") \
        and not t[end + 1:end + 2].isdigit()


def scan_zh(s: str) -> list[Figure]:
    t = s.translate(_FULLWIDTH)
    out: list[Figure] = []
    for mt in _ZH_NUM.finditer(t):
        whole, frac, scale = mt.group(1), mt.group(2), mt.group(3)
        start, end = mt.start(), mt.end()
        # 千瓦, 万千瓦 and the like are units, not scales: 100千瓦 is 100 kW
        if scale and scale[0] in "十百千" and t[end:end + 1] in ("瓦", "克", "米", "卡", "伏", "帕", "焦", "赫"):
            scale, end = None, mt.start(3)
        value = _dec(whole, frac, _ZH_SCALES.get(scale or "", 0))
        kind = _zh_calendar(t, start, mt.end(1) + len(frac or ""), value, frac) if not scale else "number"
        end = _percent_after(t, end)
        if kind in ("year", "month", "day") and t[end:end + 1] in ("年", "月", "日", "号"):
            end += 1 + (t[end:end + 2] in ("年度", "月份"))
        elif kind == "quarter" and t[end:end + 2] == "季度":
            end += 2
        elif kind == "number" and _enumeration(t, start, end, scale or frac):
            continue
        elif kind == "number" and not (scale or frac) and t.strip() == whole and 1900 <= value <= 2100:
            kind = "year"      # a text that is a year and nothing else: a table's "2015"
        out.append(Figure(start, end, s[start:end], value, kind))
    for mt in _ZH_WORD.finditer(s):
        n = zh_numeral(mt.group(0))
        if n is None:
            continue
        after = s[mt.end():mt.end() + 2]
        kind = "quarter" if after == "季度" and 1 <= n <= 4 else "number"
        out.append(Figure(mt.start(), mt.end(), mt.group(0), Decimal(n), kind, words=True))
    for mt in re.finditer(r"上一?年|去年|今年|本年|前年|明年|当年", s):
        out.append(Figure(mt.start(), mt.end(), mt.group(0), SOME_YEAR, "year", words=True))
    for mt in re.finditer(r"([上下])半年", s):
        out.append(Figure(mt.start(), mt.end(), mt.group(0), Decimal(1 if mt.group(1) == "上" else 2), "half",
                          words=True))
    return sorted(out, key=lambda f: f.start)


# ------------------------------------------------------------------ English

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")
_MONTH_RE = re.compile(
    r"\b(" + "|".join(m.capitalize() for m in MONTHS)
    + r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\b\.?")
_EN_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
_EN_WORDS.update({"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
                  "ninety": 90, "hundred": 100, "thousand": 1000, "twice": 2, "double": 2, "triple": 3,
                  "dozen": 12, "single": 1, "once": 1})
_EN_ORDINALS = {w: i + 1 for i, w in enumerate(
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth "
    "fifteenth sixteenth seventeenth eighteenth nineteenth twentieth".split())}
_EN_WORD_RE = re.compile(r"\b(" + "|".join(sorted(set(_EN_WORDS) | set(_EN_ORDINALS), key=len, reverse=True))
                         + r")\b", re.I)


def _month_number(word: str) -> int:
    w = word.lower().rstrip(".")
    return next(i + 1 for i, m in enumerate(MONTHS) if m.startswith(w[:3]))


def scan_en(s: str) -> list[Figure]:
    t = s.translate(_FULLWIDTH)
    out: list[Figure] = []
    months = [(mt.start(), mt.end(), _month_number(mt.group(1))) for mt in _MONTH_RE.finditer(t)]
    for a, b, n in months:
        out.append(Figure(a, b, t[a:b], Decimal(n), "month", words=True))
    for mt in _EN_NUM.finditer(t):
        whole, frac, suffix, scale = mt.groups()
        start, end = mt.start(), mt.end()
        before = t[max(0, start - 1):start]
        value = _dec(whole, frac, _EN_SCALES[scale.lower()] if scale else 0)
        kind = "number"
        if scale is None and suffix is None and frac is None and _enumeration(t, start, end, None):
            continue
        if scale is None and suffix is None and frac is None:
            if before in ("Q", "q") and 1 <= value <= 4:
                kind, start = "quarter", start - 1
            elif before in ("H", "h") and 1 <= value <= 2 and not t[start - 2:start - 1].isalpha():
                kind, start = "half", start - 1
            elif "," not in whole and len(whole) == 4 and 1900 <= value <= 2100:
                kind = "year"
        if kind == "number" and frac is None and scale is None and 1 <= value <= 31 and _next_to_month(
                t, start, end, months):
            kind = "day"
        end = _percent_after(t, end)
        out.append(Figure(start, end, s[start:end].rstrip(), value, kind))
    for mt in re.finditer(r"\b(?:(?:this|last|next|previous|prior|preceding) year|a year (?:earlier|ago|before)"
                          r"|the year (?:before|earlier))\b", t, re.I):
        out.append(Figure(mt.start(), mt.end(), mt.group(0), SOME_YEAR, "year", words=True))
    for mt in _EN_WORD_RE.finditer(t):
        w = mt.group(1).lower()
        n = _EN_WORDS.get(w, _EN_ORDINALS.get(w))
        kind = "number"
        rest = t[mt.end():mt.end() + 9].lower()
        if w in _EN_ORDINALS and rest.startswith(" quarter") and n <= 4:
            kind = "quarter"
        elif w in ("first", "second") and rest.startswith(" half"):
            kind = "half"
        out.append(Figure(mt.start(), mt.end(), mt.group(0), Decimal(n), kind, words=True))
    return sorted(out, key=lambda f: f.start)


def _next_to_month(t: str, start: int, end: int, months: list[tuple[int, int, int]]) -> bool:
    """A day of a date: `30 July`, `July 30`, `30th of July`."""
    for a, b, _ in months:
        gap_after = t[end:a]
        gap_before = t[b:start]
        if 0 <= a - end <= 5 and re.fullmatch(r"(?:st|nd|rd|th)?(?:\s|\u00a0)*(?:of\s+)?", gap_after):
            return True
        if 0 <= start - b <= 2 and re.fullmatch(r"\.?(?:\s|\u00a0)*", gap_before):
            return True
    return False


def scan(s: str, lang: Lang) -> list[Figure]:
    return scan_zh(s) if lang == "zh" else scan_en(s)
