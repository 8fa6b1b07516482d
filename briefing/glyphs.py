"""Glyph coverage of a whole briefing: every character of every string, in both faces, before layout.

A character that a bundled face cannot draw would print as an empty box (or vanish), so it is an error
found before layout, reported at the character itself: file:line:col, the field path and the U+ code.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from . import model as m
from .errors import ErrorList, GlyphError, Where
from .fonts import _FILES, FAMILIES, describe_char, missing_chars

FIX = "replace it with a character the Noto SC fonts have, or remove it"
# one (family, bold) per font file: bold serif Chinese is the sans bold file (fonts.py)
_FACES = list({_FILES[(fam, bold)]: (fam, bold) for fam in FAMILIES for bold in (False, True)}.values())


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


def _problem(ch: str, lacking: list[tuple[str, bool]]) -> str:
    if len(lacking) == len(_FACES):
        return f"character {describe_char(ch)} is in no bundled font"
    names = ", ".join(_FILES[f].removesuffix(".ttf") for f in lacking)
    return f"character {describe_char(ch)} is missing from {names}"


_DRAWABLE: dict[str, bool] = {}   # character → every bundled face draws it (or it needs no glyph)


def _all_drawable(s: str) -> bool:
    """Whether no face lacks any character of `s`: per distinct character, remembered for the process."""
    for ch in set(s):
        ok = _DRAWABLE.get(ch)
        if ok is None:
            ok = _DRAWABLE[ch] = not any(missing_chars(ch, *face) for face in _FACES)
        if not ok:
            return False
    return True


def string_errors(s: str, where, field: str | None) -> list[GlyphError]:
    """One error per distinct undrawable character of `s`, at its first occurrence.

    `where` is a loader position; when it can place a character exactly (`at(value, offset)`), the error
    points at the character, else at the string."""
    if _all_drawable(s):
        return []
    lacking: dict[str, list[tuple[str, bool]]] = {}
    for face in _FACES:
        for ch in missing_chars(s, *face):
            lacking.setdefault(ch, []).append(face)
    errors = []
    for ch in sorted(lacking, key=s.index):
        at = where.at(s, s.index(ch)) if hasattr(where, "at") else where
        what = _problem(ch, lacking[ch])
        if field:
            what = f"{field}: {what}"
        errors.append(GlyphError(what, FIX, at))
    return errors


def strings_errors(items: Iterable[tuple[str, Where]]) -> list[GlyphError]:
    """Glyph errors for (string, position) pairs as the loader records them (field path in Where.field)."""
    out: list[GlyphError] = []
    seen: set[str] = set()
    for s, where in items:
        for e in string_errors(s, where, getattr(where, "field", None)):
            if e.line() not in seen:      # a string reached twice (YAML alias) is reported once
                seen.add(e.line())
                out.append(e)
    return out


def _key(e: GlyphError) -> tuple:
    w = e.where
    return (w.line or 0, w.col or 0) if isinstance(w, Where) else (0, 0)


def check_glyphs(b: m.Briefing) -> None:
    """Raise ErrorList naming every character that a bundled face lacks, with the field and line."""
    items: list[tuple[str, Where | str, str | None]] = []
    for text, path in _texts(b, ""):
        for lang in m.LANGS:
            side = getattr(text.where, lang, None)        # a loader TextWhere knows each side's position
            if side is not None:
                items.append((text.get(lang), side, side.field or f"{path}.{lang}"))
            else:
                items.append((text.get(lang), text.where or b.path, f"{path}.{lang}"))
    every = "".join(set().union(*(s for s, _w, _f in items)))      # each character once
    if not any(missing_chars(every, *face) for face in _FACES):
        return                       # the common case: nothing to report, no per-string scan
    errors, seen = [], set()
    for s, where, field in items:
        for e in string_errors(s, where, field):
            if e.line() not in seen:
                seen.add(e.line())
                errors.append(e)
    if errors:
        errors.sort(key=_key)
        raise ErrorList(errors)
