"""Glyph ink bounds, read from the glyph headers of the memory-mapped font file (fontfile.FontFile).

The drawing code needs where a glyph's ink sits, not only its advance: a bullet is centred by its ink, and
a 破折号 (——) is drawn as one continuous line by scaling its dashes to their ink length.
"""
from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=256)
def ink_bounds(font: str, ch: str) -> tuple[float, float, float, float] | None:
    """(x_min, y_min, x_max, y_max) of `ch`'s outline in em (1 = the font size) in the registered font
    `font` (fonts.font_name), from the glyph header in the `glyf` table; None for a blank glyph or a
    character the face lacks."""
    from reportlab.pdfbase import pdfmetrics

    file = pdfmetrics.getFont(font).file
    gid = file.glyph_of(ord(ch))
    bounds = file.glyph_bounds(gid) if gid else None
    if bounds is None:
        return None      # no glyph, or an empty one (a space has no outline)
    upm = float(file.info.units_per_em)
    x0, y0, x1, y1 = bounds
    return x0 / upm, y0 / upm, x1 / upm, y1 / upm
