"""Glyph coverage of a whole briefing: every character of every string, in both faces, before layout."""
from __future__ import annotations

import dataclasses

from . import model as m
from .errors import ErrorList, GlyphError
from .fonts import FAMILIES, describe_char, missing_chars


def _texts(obj, path: str):
    """Yield (Text, field path) for every Text inside a model object."""
    if isinstance(obj, m.Text):
        yield obj, path
    elif dataclasses.is_dataclass(obj):
        for f in dataclasses.fields(obj):
            yield from _texts(getattr(obj, f.name), f"{path}.{f.name}" if path else f.name)
    elif isinstance(obj, (list, tuple)):
        for i, x in enumerate(obj):
            yield from _texts(x, f"{path}[{i}]")
    elif isinstance(obj, dict):
        for k, x in obj.items():
            yield from _texts(x, f"{path}.{k}")


def check_glyphs(b: m.Briefing) -> None:
    """Raise ErrorList naming every character that a bundled face lacks, with the field and line."""
    errors: list[GlyphError] = []
    for text, path in _texts(b, ""):
        for lang in m.LANGS:
            s = text.get(lang)
            missing = dict.fromkeys(ch for fam in FAMILIES for bold in (False, True)
                                    for ch in missing_chars(s, fam, bold))
            for ch in missing:
                errors.append(GlyphError(f"{path}.{lang}: character {describe_char(ch)} is in no bundled font",
                                         "replace it with a character the Noto SC fonts have, or remove it",
                                         text.where or b.path))
    if errors:
        seen, unique = set(), []
        for e in errors:
            if e.line() not in seen:
                seen.add(e.line())
                unique.append(e)
        raise ErrorList(unique)
