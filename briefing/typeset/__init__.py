"""Chinese-grade typesetting: our own line breaker and justified paragraph flowable (docs/typesetting.md)."""
from __future__ import annotations

from .breaker import Glyph, Line, break_lines
from .style import ParaStyle, Run

__all__ = ["Run", "ParaStyle", "Para", "break_lines", "Line", "Glyph"]


def __getattr__(name: str):
    # Para imports reportlab.platypus; load it only when asked for.
    if name == "Para":
        from .flowable import Para

        return Para
    raise AttributeError(name)
