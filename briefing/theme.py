"""Sizes, colours and spacing, in one place. Read by compose, render and charts; reads no content."""
from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.units import mm

# Palette: a deep red accent (the look of a Chinese government briefing) with greys. Each colour differs
# in lightness from the others it is used beside, so charts and panels still read in grayscale.
RED = "#B3261E"        # accent: masthead, headings, this place's bars      (L* ≈ 40)
RED_LIGHT = "#E8A09A"  # secondary bars                                       (L* ≈ 72)
INK = "#1A1A1A"        # body text
GREY_DARK = "#4D4D4D"  # reference series (province), captions               (L* ≈ 33)
GREY = "#8C8C8C"       # rules, axis lines, notes                             (L* ≈ 58)
GREY_LIGHT = "#D9D9D9" # grid, table rules                                    (L* ≈ 87)
PANEL = "#F6F1EE"      # key-figure panel background                          (L* ≈ 95)
WHITE = "#FFFFFF"

# A series palette for charts: neighbours differ by at least 12 in lightness (L*), so they stay apart in
# grayscale (tested): L* 40, 58, 73, 33, 87, 27.
SERIES = (RED, GREY, RED_LIGHT, GREY_DARK, GREY_LIGHT, "#7A1A14")


@dataclass(frozen=True)
class Page:
    width: float
    height: float
    left: float = 20 * mm
    right: float = 20 * mm
    top: float = 22 * mm
    bottom: float = 20 * mm

    @property
    def frame_width(self) -> float:
        return self.width - self.left - self.right

    @property
    def frame_height(self) -> float:
        return self.height - self.top - self.bottom


A4 = (595.2755905511812, 841.8897637795277)
LETTER = (612.0, 792.0)


@dataclass(frozen=True)
class Sizes:
    body: float
    leading: float
    h1: float
    h2: float
    small: float        # captions, source notes, table text
    title: float
    masthead: float
    header: float       # running header / footer


SIZES = {
    "zh": Sizes(body=10.5, leading=18.0, h1=14.0, h2=11.5, small=8.5, title=20.0, masthead=26.0, header=8.0),
    "en": Sizes(body=10.5, leading=15.0, h1=14.0, h2=11.5, small=8.5, title=20.0, masthead=24.0, header=8.0),
}

# Body text face per language; headings and charts use the sans face in both.
BODY_FAMILY = "serif"
HEAD_FAMILY = "sans"
CHART_FAMILY = "sans"
CHART_MIN_PT = 7.0   # no chart text smaller than this at print size
