"""The error hierarchy. Every error knows where it happened and what the user should do."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .plural import counted


def _control(ch: str) -> bool:
    return (ch < " " and ch != "\t") or "\x7f" <= ch <= "\x9f"


def escape_controls(text: str) -> str:
    """`text` for one line of a terminal: a control character from a file name, a value or a server's reply
    (CR, LF, ESC, …) would break the line or drive the terminal, so it is shown escaped, as Python writes it
    (`\\r`, `\\x1b`)."""
    if not any(map(_control, text)):
        return text
    return "".join(repr(ch)[1:-1] if _control(ch) else ch for ch in text)


@dataclass(frozen=True)
class Where:
    """A position in a content file (1-based line and column) or a field path."""

    file: str
    line: int | None = None
    col: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        if self.line is not None:
            return f"{self.file}:{self.line}:{self.col or 1}"
        if self.field:
            return f"{self.file}: {self.field}"
        return self.file


class BriefingError(Exception):
    """A problem the user can fix. ``str()`` is one line: ``where: what — what to do``."""

    def __init__(self, what: str, fix: str = "", where: Where | str | None = None) -> None:
        self.what = what
        self.fix = fix
        self.where = where
        super().__init__(self.line())

    def line(self) -> str:
        msg = self.what
        if self.fix:
            msg += f" — {self.fix}"
        if self.where:
            msg = f"{self.where}: {msg}"
        return escape_controls(" ".join(msg.split("\n")))


class ContentError(BriefingError):
    """Invalid content: YAML syntax, types, translations, placeholders, data."""


class GlyphError(BriefingError):
    """A character that no bundled font can draw."""


class OutputError(BriefingError):
    """The output cannot be written."""


class DeliveryError(BriefingError):
    """Mail could not be built or sent."""


class ErrorList(BriefingError):
    """Several problems found in one run; each is reported on its own line."""

    CAP = 50

    def __init__(self, errors: Sequence[BriefingError]) -> None:
        self.errors = list(errors)[: self.CAP]
        self.truncated = max(0, len(errors) - self.CAP)
        super().__init__(counted(len(errors), "problem"))

    def lines(self) -> list[str]:
        out = [e.line() for e in self.errors]
        if self.truncated:
            out.append(f"… and {counted(self.truncated, 'more problem')} not shown — fix the ones above first")
        return out
