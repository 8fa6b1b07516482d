"""The only place fonts are found, registered and queried.

Fonts are registered with ReportLab lazily, once per process. Coverage checks read the fonts' cmaps so that
a character no bundled font can draw is an error, never a box.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from . import bundled
from .errors import BriefingError
from .fontfile import FontFile, FontFileError
from .model import Lang

FAMILIES = ("serif", "sans")                  # the CJK families, which cover every character we set
LATIN = {"serif": "serif-latin", "sans": "sans-latin"}

# The CJK faces ("serif", "sans") carry Latin too and set Chinese documents whole. English documents put
# the Latin faces ("serif-latin", "sans-latin": Noto Serif / Noto Sans, whose quotes, dashes and
# bullets are proportional) first and fall back to the CJK face for what they lack (rule 11).
# Bold Chinese is always the sans (黑体) bold: Chinese emphasises within 宋体 text by switching to 黑体 (as
# the Typst reference does for its lead-ins), and a Chinese briefing then embeds three faces, not four
# (a CJK face is most of the PDF's bytes).
_FILES = {
    ("serif", False): "NotoSerifSC-Regular.ttf",
    ("serif", True): "NotoSansSC-Bold.ttf",
    ("sans", False): "NotoSansSC-Regular.ttf",
    ("sans", True): "NotoSansSC-Bold.ttf",
    ("serif-latin", False): "NotoSerif-Regular.ttf",
    ("serif-latin", True): "NotoSerif-Bold.ttf",
    ("sans-latin", False): "NotoSans-Regular.ttf",
    ("sans-latin", True): "NotoSans-Bold.ttf",
}
# ReportLab font names (also the base of the embedded subset names)
_NAMES = {
    ("serif", False): "NotoSerifSC",
    ("serif", True): "NotoSansSC-Bold",
    ("sans", False): "NotoSansSC",
    ("sans", True): "NotoSansSC-Bold",
    ("serif-latin", False): "NotoSerif",
    ("serif-latin", True): "NotoSerif-Bold",
    ("sans-latin", False): "NotoSans",
    ("sans-latin", True): "NotoSans-Bold",
}


def fonts_dir() -> Path:
    """`$BRIEFING_FONTS` if set, else the bundled fonts (inside an installed wheel, or the checkout's
    top-level `fonts/`; see bundled.py)."""
    env = os.environ.get("BRIEFING_FONTS")
    return Path(env) if env else bundled.data_dir("fonts")


def font_path(family: str, bold: bool = False) -> Path:
    return fonts_dir() / _FILES[(family, bold)]


def all_font_files() -> list[Path]:
    return [fonts_dir() / f for f in dict.fromkeys(_FILES.values())]


def font_name(family: str, bold: bool = False) -> str:
    """The registered ReportLab name for a face, registering it on first use."""
    _register(family, bold)
    return _NAMES[(family, bold)]


@lru_cache(maxsize=None)
def font_file(family: str, bold: bool = False) -> FontFile:
    """The face's font file, memory-mapped; its tables are read when first needed (no parse up front)."""
    path = font_path(family, bold)
    try:
        return FontFile(path)
    except FileNotFoundError:
        problem = "font file is missing"
    except IsADirectoryError:
        problem = "is a folder, not a font file"
    except OSError as e:
        problem = f"cannot read font file: {e.strerror or e}"
    except FontFileError as e:
        problem = f"damaged or wrong font file: it {e}"
    raise BriefingError(problem, font_fix(), str(path))


def font_fix() -> str:
    """What to do about a missing or damaged font file, depending on where the fonts come from."""
    if os.environ.get("BRIEFING_FONTS"):
        return (f"put the bundled font files into BRIEFING_FONTS ({os.environ['BRIEFING_FONTS']}), "
                "or unset BRIEFING_FONTS to use the fonts that come with briefing")
    if bundled.installed():
        return "reinstall briefing (its package carries the fonts), e.g. pip install --force-reinstall briefing"
    return "restore the fonts/ folder from the repository (git checkout -- fonts) and check it with SHA256SUMS"


@lru_cache(maxsize=None)
def _register(family: str, bold: bool) -> None:
    from reportlab.pdfbase import pdfmetrics

    from .pdffont import CIDFont

    pdfmetrics.registerFont(CIDFont(_NAMES[(family, bold)], font_file(family, bold)))


def pdf_font(family: str, bold: bool = False):
    """The registered `pdffont.CIDFont` of a face (its widths, metrics and CID mapping)."""
    from reportlab.pdfbase import pdfmetrics

    return pdfmetrics.getFont(font_name(family, bold))


@lru_cache(maxsize=None)
def widths(family: str, bold: bool = False) -> dict[int, float | None]:
    """Advance widths per code point, in 1/1000 em: `widths(…)[cp]` is None when the face has no glyph
    for `cp`. (Filled on first look-up; use `[cp]`, not `.get`.)"""
    return pdf_font(family, bold).widths


def advance(ch: str, family: str, bold: bool, size: float) -> float:
    """Advance width of one character in points."""
    w = widths(family, bold)[ord(ch)]
    if w is None:
        w = 1000.0 if ch.isspace() is False else 250.0
    return w * size / 1000.0


def covers(cp: int, family: str, bold: bool = False) -> bool:
    """Does the face have a glyph for code point `cp`?"""
    return widths(family, bold)[cp] is not None


# Characters that are never drawn and need no glyph.
_INVISIBLE = {0x20, 0x0A, 0x09, 0xA0, 0x200B, 0x2060, 0xAD}


def missing_chars(text: str, family: str = "serif", bold: bool = False) -> list[str]:
    """Characters of `text` that the face cannot draw, in order of first appearance."""
    w = widths(family, bold)
    bad = [ch for ch in set(text) if w[ord(ch)] is None and ord(ch) not in _INVISIBLE]
    if len(bad) > 1:
        bad.sort(key=text.index)
    return bad


def _is_cjk(ch: str) -> bool:
    cp = ord(ch)
    return (0x2E80 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF or 0xFE30 <= cp <= 0xFE4F
            or 0xFF00 <= cp <= 0xFFEF or 0x20000 <= cp <= 0x3FFFF)


CJK_LATIN_GAP = 0.25   # em between a Han character and a Latin letter or digit (docs/typesetting.md rule 6)


def _is_han(ch: str) -> bool:
    cp = ord(ch)
    return 0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0xF900 <= cp <= 0xFAFF or cp >= 0x20000


def gap_before(prev: str, ch: str, lang: Lang) -> float:
    """Extra space (em) that Chinese puts between `prev` and `ch` in single-line text drawn outside the
    typesetter (running header, chart labels): ¼ em where a Han character meets a Latin letter or digit."""
    if lang != "zh" or not prev:
        return 0.0
    latin = (prev.isascii() and prev.isalnum(), ch.isascii() and ch.isalnum())
    return CJK_LATIN_GAP if (latin[1] and _is_han(prev)) or (latin[0] and _is_han(ch)) else 0.0


def line_width(text: str, family: str, bold: bool, size: float, lang: Lang) -> float:
    """Width of one line of `text` as `draw_string` sets it: per-character faces and CJK–Latin gaps."""
    w, prev = 0.0, ""
    for ch in text:
        w += advance(ch, face_of(ch, family, lang), bold, size) + gap_before(prev, ch, lang) * size
        prev = ch
    return w


def face_of(ch: str, family: str, lang: Lang) -> str:
    """The face that sets `ch` in a `family` run of a `lang` document: in English the Latin face first
    (ideographs and full-width forms always from the CJK face), in Chinese the CJK face throughout."""
    if lang == "en" and not family.endswith("-latin"):
        latin = f"{family}-latin"
        if not _is_cjk(ch) and widths(latin, False)[ord(ch)] is not None:
            return latin
    return family


def split_faces(text: str, family: str, lang: Lang) -> list[tuple[str, str]]:
    """`text` cut into (segment, face) runs by `face_of`."""
    out: list[tuple[str, str]] = []
    for ch in text:
        f = face_of(ch, family, lang)
        if out and out[-1][1] == f:
            out[-1] = (out[-1][0] + ch, f)
        else:
            out.append((ch, f))
    return out


def describe_char(ch: str) -> str:
    import unicodedata

    name = unicodedata.name(ch, "unnamed character")
    return f"U+{ord(ch):04X} {name} ({ch!r})"
