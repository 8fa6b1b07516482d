"""The editor's second reader: warnings about what builds but reads wrong.

    stray-figure      a figure typed into a text instead of a placeholder (suggests the placeholder)
    figures-differ    the two sides of a text print different figures
    placeholders-differ  the two sides refer to different data
    not-english       an English side with Chinese in it
    not-chinese       a Chinese side with no Chinese in it
    term              a glossary term whose English side lacks its rendering
    derived           a printed figure disagrees with its relation (`expr`) beyond the printed rounding
    computed-shown    a chart or table shows a computed figure where the source prints its own
    stale-computed    `computed:` no longer matches what the formula gives
    unused-name       a `names:` entry that marks nothing

The checks read the bilingual model (with positions) and never change it. See docs/check.md.
"""
from __future__ import annotations

from dataclasses import dataclass

from .. import model as m
from ..errors import Where

KINDS = ("stray-figure", "figures-differ", "placeholders-differ", "not-english", "not-chinese", "term",
         "derived", "computed-shown", "stale-computed", "unused-name")


@dataclass(frozen=True)
class LintWarning:
    kind: str
    where: Where
    field: str
    what: str
    fix: str
    suggestion: str | None = None     # a placeholder to write, where there is one

    def line(self) -> str:
        """`file:line:col: warning: field: what — what to do`, the shape of the errors."""
        field = f"{self.field}: " if self.field else ""
        return " ".join(f"{self.where}: warning: {field}{self.what} — {self.fix}".split("\n"))

    def as_json(self) -> dict:
        w = self.where
        return {"file": w.file, "line": w.line, "column": w.col, "severity": "warning", "kind": self.kind,
                "field": self.field or None, "message": self.what, "fix": self.fix,
                "suggestion": self.suggestion}


def lint(b: m.Briefing) -> list[LintWarning]:
    """Every warning for a loaded briefing, in file order."""
    from .checks import run_checks
    from .derived import derived_checks

    found = run_checks(b) + derived_checks(b)
    return sorted(found, key=lambda w: (w.where.line or 0, w.where.col or 0, w.kind))


__all__ = ["KINDS", "LintWarning", "lint"]
