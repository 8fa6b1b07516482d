"""Glyph ink bounds, read from the TrueType data ReportLab has already parsed (no second font parse).

The drawing code needs where a glyph's ink sits, not only its advance: a bullet is centred by its ink, and
a 破折号 (——) is drawn as one continuous line by scaling its dashes to their ink length.
"""
from __future__ import annotations

import struct
from functools import lru_cache


@lru_cache(maxsize=256)
def ink_bounds(font: str, ch: str) -> tuple[float, float, float, float] | None:
    """(x_min, y_min, x_max, y_max) of `ch`'s outline in em (1 = the font size) in the registered ReportLab
    font `font` (fonts.font_name), from the glyph header in the `glyf` table; None for a blank glyph or a
    character the face lacks."""
    from reportlab.pdfbase import pdfmetrics

    face = pdfmetrics.getFont(font).face
    gid = face.charToGlyph.get(ord(ch))
    if gid is None or "glyf" not in face.table:
        return None
    start, end = face.glyphPos[gid], face.glyphPos[gid + 1]
    if end - start < 10:
        return None      # an empty glyph (a space) has no header
    off = face.table["glyf"]["offset"] + start
    _contours, x0, y0, x1, y1 = struct.unpack(">hhhhh", face._ttf_data[off:off + 10])
    upm = float(face.unitsPerEm)
    return x0 / upm, y0 / upm, x1 / upm, y1 / upm
