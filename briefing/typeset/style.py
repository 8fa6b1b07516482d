"""Input types of the typesetter: styled text runs and paragraph styles."""
from __future__ import annotations

from dataclasses import dataclass

from ..model import Lang


@dataclass(frozen=True)
class Run:
    """A piece of text in one face; unset fields fall back to the paragraph style."""

    text: str
    bold: bool = False
    size: float | None = None     # None → style.size
    color: str | None = None      # None → style.color ("#RRGGBB")
    family: str | None = None     # None → style.family ("serif" | "sans")
    figure: bool = False          # a figure (number with its unit): never broken inside but at a plain
                                  # word space, never hyphenated (`CNY 362.2 billion`, `6.3 percentage points`)


@dataclass(frozen=True)
class ParaStyle:
    lang: Lang = "zh"
    family: str = "serif"
    size: float = 10.5
    leading: float = 18.0         # baseline-to-baseline, pt
    align: str = "justify"        # "justify" | "left" | "center" | "right"; last line of justify is ragged
    first_indent: float | None = None   # em; None → 2 em for zh, 0 for en
    left_indent: float = 0.0      # pt, all lines
    bullet: str | None = None     # hanging marker at the left of line 1, inside left_indent
    color: str = "#1A1A1A"
    space_before: float = 0.0
    space_after: float = 0.0
    keep_with_next: bool = False  # headings: never left alone at a page bottom
    balance: bool = False         # headings and titles: lines as even as the breaks allow (typeset/balance.py)
    hyphenate: bool = True        # English words may break at hyphenation points (chart labels: never)

    @property
    def indent_pt(self) -> float:
        """First-line indent in points."""
        em = self.first_indent if self.first_indent is not None else (2.0 if self.lang == "zh" else 0.0)
        return em * self.size
