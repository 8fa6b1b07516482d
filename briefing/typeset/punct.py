"""The one table of punctuation classes used by the line breaker (clreq §3.1, GB/T 15834-2011).

Every mark the breaker treats specially is listed here, with where its ink sits in the em box of the
bundled Noto SC fonts. `tests/test_typeset_unit.py` checks each full-width entry against the glyph bounds
read from the TTFs, so a font update that moves a mark is caught.
"""
from __future__ import annotations

from enum import Enum


class Pos(Enum):
    """Where the ink of a full-width mark sits in its 1 em advance."""

    LEFT = "left"      # blank right half: may be compressed away on the right
    RIGHT = "right"    # blank left half: may be compressed away on the left
    CENTER = "center"  # blank on both sides (middle dots); never compressed
    FULL = "full"      # fills the box (dashes, ellipsis); never compressed


# class name -> (marks, ink position of the full-width forms)
CLASSES: dict[str, tuple[str, Pos]] = {
    "opening": ("（《「『【〔〖“‘〈［｛", Pos.RIGHT),
    "closing": ("）》」』】〕〗”’〉］｝", Pos.LEFT),
    "full_stop": ("。．", Pos.LEFT),
    "comma": ("，、；：", Pos.LEFT),
    "dividing": ("！？", Pos.LEFT),
    "middle_dot": ("·・", Pos.CENTER),
    "inseparable": ("—…", Pos.FULL),
}

OPENING, CLOSING = CLASSES["opening"][0], CLASSES["closing"][0]
FULL_STOP, COMMA = CLASSES["full_stop"][0], CLASSES["comma"][0]
DIVIDING, MIDDLE_DOT = CLASSES["dividing"][0], CLASSES["middle_dot"][0]
INSEPARABLE = CLASSES["inseparable"][0]

# Marks whose ink position decides compression: char -> Pos
POSITION: dict[str, Pos] = {ch: pos for marks, pos in CLASSES.values() for ch in marks}

# docs/typesetting.md rule 1: a line never starts with these (full-width forms and half-width equivalents).
NO_START: frozenset[str] = frozenset(
    CLOSING + FULL_STOP + COMMA + DIVIDING + MIDDLE_DOT + INSEPARABLE
    + "%‰℃％°" + ",.;:!?)]}" + "〜～ー々〻ゝゞヽヾ")
# docs/typesetting.md rule 2: a line never ends with these.
NO_END: frozenset[str] = frozenset(OPENING + "([{" + "¥$＄￥£€")

# Rule 3: a run of two or more of these is one unbreakable unit (—— and ……).
DOUBLED: frozenset[str] = frozenset(INSEPARABLE)

# Curly quotes are full-width in Noto SC. In English text they stand for Latin quotes, so their blank half
# (and, for the single quotes, more) is always trimmed: char -> (left trim, right trim) in em. The test checks
# the ink stays inside the trimmed box in every bundled face.
LATIN_QUOTE_TRIM: dict[str, tuple[float, float]] = {
    "“": (0.5, 0.0),
    "‘": (0.7, 0.0),
    "”": (0.0, 0.5),
    "’": (0.0, 0.7),
}

# Half-width punctuation after which no CJK–Latin space is added (it already reads as a boundary).
ASCII_PUNCT = frozenset(",.;:!?()[]{}'\"")


def class_of(ch: str) -> str | None:
    """The clreq class name of a mark, or None."""
    for name, (marks, _pos) in CLASSES.items():
        if ch in marks:
            return name
    return None
