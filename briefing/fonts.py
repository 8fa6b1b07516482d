"""The only place fonts are found, registered and queried.

Fonts are registered with ReportLab lazily, once per process. Coverage checks read the fonts' cmaps so that
a character no bundled font can draw is an error, never a box.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

FAMILIES = ("serif", "sans")

_FILES = {
    ("serif", False): "NotoSerifSC-Regular.ttf",
    ("serif", True): "NotoSerifSC-Bold.ttf",
    ("sans", False): "NotoSansSC-Regular.ttf",
    ("sans", True): "NotoSansSC-Bold.ttf",
}
# ReportLab font names (also the base of the embedded subset names)
_NAMES = {
    ("serif", False): "NotoSerifSC",
    ("serif", True): "NotoSerifSC-Bold",
    ("sans", False): "NotoSansSC",
    ("sans", True): "NotoSansSC-Bold",
}


def fonts_dir() -> Path:
    """`$BRIEFING_FONTS` if set, else `fonts/` at the top of the checkout."""
    env = os.environ.get("BRIEFING_FONTS")
    return Path(env) if env else Path(__file__).resolve().parent.parent / "fonts"


def font_path(family: str, bold: bool = False) -> Path:
    return fonts_dir() / _FILES[(family, bold)]


def all_font_files() -> list[Path]:
    return [fonts_dir() / f for f in _FILES.values()]


def font_name(family: str, bold: bool = False) -> str:
    """The registered ReportLab name for a face, registering it on first use."""
    _register(family, bold)
    return _NAMES[(family, bold)]


@lru_cache(maxsize=None)
def _register(family: str, bold: bool) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    from .errors import BriefingError

    path = font_path(family, bold)
    try:
        pdfmetrics.registerFont(TTFont(_NAMES[(family, bold)], str(path)))
    except OSError as e:
        raise BriefingError(f"cannot read font {path}: {e.strerror or e}",
                            "restore the fonts/ folder from the repository", str(path)) from None
    pdfmetrics.registerFontFamily(_NAMES[(family, False)], normal=_NAMES[(family, False)],
                                  bold=_NAMES[(family, True)], italic=_NAMES[(family, False)],
                                  boldItalic=_NAMES[(family, True)])


@lru_cache(maxsize=None)
def widths(family: str, bold: bool = False) -> dict[int, float]:
    """Advance widths per code point, in 1/1000 em."""
    from reportlab.pdfbase import pdfmetrics

    face = pdfmetrics.getFont(font_name(family, bold)).face
    return face.charWidths


def advance(ch: str, family: str, bold: bool, size: float) -> float:
    """Advance width of one character in points."""
    w = widths(family, bold).get(ord(ch))
    if w is None:
        w = 1000.0 if ch.isspace() is False else 250.0
    return w * size / 1000.0


@lru_cache(maxsize=None)
def coverage(family: str, bold: bool = False) -> frozenset[int]:
    return frozenset(widths(family, bold).keys())


# Characters that are never drawn and need no glyph.
_INVISIBLE = {0x20, 0x0A, 0x09, 0xA0, 0x200B, 0x2060, 0xAD}


def missing_chars(text: str, family: str = "serif", bold: bool = False) -> list[str]:
    """Characters of `text` that the face cannot draw, in order of first appearance."""
    cov = coverage(family, bold)
    seen: dict[str, None] = {}
    for ch in text:
        cp = ord(ch)
        if cp not in cov and cp not in _INVISIBLE and ch not in seen:
            seen[ch] = None
    return list(seen)


def describe_char(ch: str) -> str:
    import unicodedata

    name = unicodedata.name(ch, "unnamed character")
    return f"U+{ord(ch):04X} {name} ({ch!r})"
