"""Counted nouns in the tool's own English messages: `1 section`, `2 sections`, never `1 sections` or
`file(s)`."""
from __future__ import annotations


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """`n noun` with the noun agreeing with n (`plural` when adding `s` is wrong: `1 reply`, `2 replies`)."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"
