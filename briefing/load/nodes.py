"""The parsing context and the primitives every part of the loader uses: positions, mappings, strings,
text pairs, placeholders, lists. A value that cannot be used records its error and raises `_Stop`."""
from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .. import model as m
from .. import placeholders as ph
from ..errors import ContentError, Where
from ..model import Lang
from ..plural import counted

MAX_STRING = 100_000

KEY_RE = re.compile(r"[a-z][a-z0-9_]*")
REF_RE = re.compile(ph.KEY)

STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
TIMESTAMP = "tag:yaml.org,2002:timestamp"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
CORE_TAGS = {STR, INT, FLOAT, TIMESTAMP, BOOL, NULL,
             "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


# Characters no content file should hold, found before YAML sees them (libyaml names some of them only as
# a syntax error somewhere after, and takes NEXT LINE, LINE and PARAGRAPH SEPARATOR as line breaks).
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\u2028\u2029\ufffe\uffff]")
_CONTROL_NAMES = dict(enumerate(
    "NULL,START OF HEADING,START OF TEXT,END OF TEXT,END OF TRANSMISSION,ENQUIRY,ACKNOWLEDGE,BELL,BACKSPACE,"
    "CHARACTER TABULATION,LINE FEED,LINE TABULATION,FORM FEED,CARRIAGE RETURN,SHIFT OUT,SHIFT IN,"
    "DATA LINK ESCAPE,DEVICE CONTROL ONE,DEVICE CONTROL TWO,DEVICE CONTROL THREE,DEVICE CONTROL FOUR,"
    "NEGATIVE ACKNOWLEDGE,SYNCHRONOUS IDLE,END OF TRANSMISSION BLOCK,CANCEL,END OF MEDIUM,SUBSTITUTE,ESCAPE,"
    "INFORMATION SEPARATOR FOUR,INFORMATION SEPARATOR THREE,INFORMATION SEPARATOR TWO,"
    "INFORMATION SEPARATOR ONE".split(",")))
_CONTROL_NAMES.update({0x7F: "DELETE", 0x85: "NEXT LINE"})


def char_name(ch: str) -> str:
    """'U+0007 (BELL)': a character by code point, with its name where it has one."""
    import unicodedata

    name = _CONTROL_NAMES.get(ord(ch)) or unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f" ({name})" if name else "")


def bad_char_problem(ch: str, where: str = "in YAML") -> tuple[str, str]:
    """(what, fix) for a character that `_BAD_CHARS` matches: written raw in the file (`where` "in YAML"),
    or by an escape in a double-quoted string (`where` "in text")."""
    if where != "in YAML":   # only an escape can put it there: the file itself was scanned first
        fix = f"remove the escape that writes it (\\u{ord(ch):04X} or the like)"
        if ch == "\ufeff":
            return "a byte-order mark (U+FEFF) inside the text", fix
        kind = "control character " if ch not in "\u2028\u2029\ufffe\uffff" else ""
        return f"{kind}{char_name(ch)} is not allowed in text", fix
    if ch == "\ufeff":
        return ("a byte-order mark (U+FEFF) in the middle of the file",
                "delete it (it is invisible in most editors; it comes from joining files or pasting)")
    if ch in "\u2028\u2029":
        return f"{char_name(ch)} is not allowed in YAML", "use a plain line break, or delete it"
    if ch in "\ufffe\uffff":
        return f"{char_name(ch)} is not a character", "delete it"
    return f"control character {char_name(ch)} is not allowed in YAML", "delete it (it is invisible in most editors)"


@dataclass(frozen=True)
class SideWhere(Where):
    """Where one language's string starts. `exact`: the string is written in the file character for
    character (no escapes, folding or block indentation), so a character's own position can be given."""

    exact: bool = False
    # for strings not written character for character (folded, multi-line, escaped): (offset in the value,
    # line, column) wherever the value stops running on in the file; line 0 means "unknown from here".
    # Worked out on first use from `source` (most strings never need a position: only an error or a
    # warning inside one does), then kept.
    anchors: tuple[tuple[int, int, int], ...] = field(default=(), compare=False)
    source: tuple | None = field(default=None, compare=False, repr=False)   # _align's arguments

    def at(self, value: str, offset: int) -> Where:
        """The position of value[offset] (the string's start when it cannot be told)."""
        if self.line is None or not 0 <= offset <= len(value):
            return self
        if not self.exact:
            anchors = self.anchors
            if not anchors and self.source is not None:
                anchors = _align(*self.source)
                object.__setattr__(self, "anchors", anchors)
                object.__setattr__(self, "source", None)
            i = bisect.bisect_right(anchors, (offset, 1 << 30, 0)) - 1
            if i < 0 or not anchors[i][1]:
                return self
            off, line, col = anchors[i]
            return Where(self.file, line, col + offset - off, self.field)
        before = value[:offset]
        nl = before.rfind("\n")
        col = (self.col or 1) + offset if nl < 0 else offset - nl
        return Where(self.file, self.line + before.count("\n"), col, self.field)


@dataclass(frozen=True)
class TextWhere(Where):
    """Where a text pair is (its mapping, as str() shows), plus where each side's string is."""

    zh: SideWhere | None = None
    en: SideWhere | None = None


class _Stop(Exception):
    """Raised inside conversion once an error has been recorded and the value is unusable."""


@dataclass
class _Ctx:
    file: str
    text: str = ""
    errors: list[ContentError] = field(default_factory=list)
    refs: list[tuple[ph.Ref, Node, str]] = field(default_factory=list)  # placeholder, node, path
    chart_refs: list[tuple[str, Node, str]] = field(default_factory=list)
    # each chart with where it is and the slice of chart_refs its data keys take (checked with the data)
    charts: list[tuple[m.Chart, Node, str, int, int]] = field(default_factory=list)
    strings: list[tuple[str, SideWhere]] = field(default_factory=list)   # every text, for the glyph check
    nodes: int = 0

    def where(self, node: Node | None, path: str = "") -> Where:
        if node is None:
            return Where(self.file, field=path or None)
        return Where(self.file, node.start_mark.line + 1, node.start_mark.column + 1, field=path.lstrip(".") or None)

    def error(self, node: Node | None, what: str, fix: str, path: str = "", offset: int | None = None) -> None:
        where = self.where(node, path) if offset is None else self.where_in(node, offset, path)
        path = path.lstrip(".")
        if path:
            what = f"{path}: {what}"
        self.errors.append(ContentError(what, fix, where))

    def side(self, node: Node, path: str = "") -> SideWhere:
        """Where a scalar's string begins: after its opening quote, and `exact` when the text between the
        quotes is the value itself, so that offsets into the value are offsets in the file."""
        start, end = node.start_mark, node.end_mark
        quote = 1 if getattr(node, "style", None) in ("'", '"') else 0
        raw = self.text[start.index + quote: end.index - quote] if self.text else None
        exact = isinstance(node, ScalarNode) and raw == node.value
        source = (None if exact or not isinstance(node, ScalarNode) or not self.text
                  else (self.text, node.value, node.style, start.index, end.index))
        return SideWhere(self.file, start.line + 1, start.column + 1 + (quote if exact else 0),
                         path.lstrip(".") or None, exact, source=source)

    def where_in(self, node: Node, offset: int, path: str = "") -> Where:
        """The position of character `offset` of a scalar's value (its start when not exact)."""
        side = self.side(node, path)
        at = side.at(node.value, offset)
        return self.where(node, path) if at is side and not side.exact else at

    def fail(self, node: Node | None, what: str, fix: str, path: str = "") -> _Stop:
        self.error(node, what, fix, path)
        return _Stop()


def _align(text: str, value: str, style: str | None, j: int, end: int) -> tuple[tuple[int, int, int], ...]:
    """Where each character of a scalar's value stands in the file, for values that are not a plain copy
    of their source (folded `>` and literal `|` blocks, plain or quoted text over several lines, escapes):
    the value is walked against the source, the source's line breaks, indentation and escapes skipped.
    Returns anchors (offset in the value, line, column), one wherever the run in the file breaks; an
    anchor with line 0 means the walk lost its way there (e.g. an escape it does not know)."""
    # (value, style: the scalar's; j, end: where its node starts and ends in `text`)
    if style in ("|", ">"):
        nl = text.find("\n", j, end)          # the content starts on the line after the header
        j = end if nl < 0 else nl + 1
    elif style in ("'", '"'):
        j += 1
    line = text.count("\n", 0, j) + 1
    line_start = text.rfind("\n", 0, j) + 1
    anchors: list[tuple[int, int, int]] = []
    last = (-2, -2)                          # (value offset, source index) of the previous character

    def advance(to: int) -> None:
        nonlocal j, line, line_start
        breaks = text.count("\n", j, to)
        if breaks:
            line += breaks
            line_start = text.rfind("\n", j, to) + 1
        j = to

    for i, ch in enumerate(value):
        if ch in " \t\n":
            if j < end and text[j] in " \t\r\n":     # a space or a folded line break: its source whitespace
                k = j
                while k < end and text[k] in " \t\r\n":
                    k += 1
                advance(k)
            continue
        k = j
        while k < end and text[k] in " \t\r\n":
            k += 1
        if style == '"' and k < end and text[k] == "\\":   # an escape stands for one character
            width = {"x": 4, "u": 6, "U": 10}.get(text[k + 1: k + 2], 2)
            advance(k)
            pos, k = k, k + width
        elif style == "'" and ch == "'" and text[k: k + 2] == "''":
            advance(k)
            pos, k = k, k + 2
        elif k < end and text[k] == ch:
            advance(k)
            pos, k = k, k + 1
        else:
            anchors.append((i, 0, 0))
            return tuple(anchors)
        if last != (i - 1, pos - 1):
            anchors.append((i, line, pos - line_start + 1))
        last = (i, pos if k == pos + 1 else -10)
        j = k
    return tuple(anchors)


# ------------------------------------------------------------------ primitives

def _kind_of(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag == NULL:
        return "nothing (an empty value)"
    if node.tag == BOOL:
        return f"the yes/no value '{node.value}'"
    return {STR: "a string", INT: "a number", FLOAT: "a number", TIMESTAMP: "a date"}.get(node.tag, "a value")


def _mapping(ctx: _Ctx, node: Node, path: str, allowed: set[str] | None = None,
             required: tuple[str, ...] = ()) -> dict[str, tuple[Node, Node]]:
    if not isinstance(node, MappingNode):
        raise ctx.fail(node, f"expected a mapping, found {_kind_of(node)}", "write `key: value` pairs here", path)
    out: dict[str, tuple[Node, Node]] = {}
    for k, v in node.value:
        if not isinstance(k, ScalarNode):
            ctx.error(k, "mapping keys must be plain names", "use a plain word as the key", path)
            continue
        if k.value in out:
            first = out[k.value][0].start_mark
            ctx.error(k, f"duplicate key '{k.value}' (first at line {first.line + 1})",
                      "remove one of the two", path)
        if allowed is not None and k.value not in allowed:
            hint = ""
            if allowed == {"zh", "en"} and node.flow_style and getattr(v, "tag", "") == NULL and not v.value:
                hint = " (inside { } a comma ends the text: put a text that has a comma in quotes)"
            ctx.error(k, f"unknown field '{k.value}'",
                      f"use one of: {', '.join(sorted(allowed))}{hint}", path)
            continue
        out[k.value] = (k, v)
    for r in required:
        if r not in out:
            ctx.error(node, f"missing field '{r}'", f"add `{r}:`", path)
    return out


def _string(ctx: _Ctx, node: Node, path: str, *, empty_ok: bool = False) -> str:
    if not isinstance(node, ScalarNode) or node.tag not in (STR, INT, FLOAT):
        fix = "write the text in quotes"
        if isinstance(node, ScalarNode) and node.tag in (BOOL, TIMESTAMP) and node.value:
            fix = f'write it in quotes: "{node.value}"'
        raise ctx.fail(node, f"expected text, found {_kind_of(node)}", fix, path)
    s = node.value
    if len(s) > MAX_STRING:
        raise ctx.fail(node, f"text is {len(s):,} characters long (limit {MAX_STRING:,})",
                       "split it into several paragraphs", path)
    bad = _BAD_CHARS.search(s)   # written as an escape ("\a", "\u0085"): the file scan cannot see it
    if bad:
        what, fix = bad_char_problem(bad.group(0), "in text")
        ctx.error(node, what, fix, path, offset=bad.start())
        raise _Stop()
    if not s.strip() and not empty_ok:
        raise ctx.fail(node, "text is empty", "write the text, or remove the field", path)
    return s


def _text(ctx: _Ctx, node: Node, path: str, *, plain_ok: bool = False) -> m.Text:
    """A {zh, en} pair; with plain_ok a plain string is the same text in both languages."""
    if plain_ok and isinstance(node, ScalarNode) and node.tag != NULL:
        s = _string(ctx, node, path, empty_ok=True)
        zh, en = _template(ctx, s, node, path, "zh"), _template(ctx, s, node, path, "en", plain=True)
        side = ctx.side(node, path)
        ctx.strings.append((s, side))
        w = ctx.where(node, path)
        return m.Text(s, s, TextWhere(w.file, w.line, w.col, w.field, zh=side, en=side), zh, en)
    if not isinstance(node, MappingNode):
        raise ctx.fail(node, f"expected a {{zh: …, en: …}} pair, found {_kind_of(node)}",
                       "give the text in both languages: {zh: 中文, en: English}", path)
    fields = _mapping(ctx, node, path, allowed={"zh", "en"})
    sides: dict[str, str] = {}
    wheres: dict[str, SideWhere] = {}
    tpls: dict[str, ph.Template] = {}
    for lang in m.LANGS:
        if lang not in fields:
            other = "en" if lang == "zh" else "zh"
            ctx.error(node, f"missing the '{lang}' side", f"add `{lang}:` with the "
                      f"{'Chinese' if lang == 'zh' else 'English'} text beside `{other}:`", path)
            continue
        try:
            vnode, sub = fields[lang][1], f"{path}.{lang}"
            sides[lang] = _string(ctx, vnode, sub)
            tpls[lang] = _template(ctx, sides[lang], vnode, sub, lang)
            wheres[lang] = ctx.side(vnode, sub)
            ctx.strings.append((sides[lang], wheres[lang]))
        except _Stop:
            pass
    if len(sides) < 2:
        raise _Stop()
    w = ctx.where(node, path)
    return m.Text(sides["zh"], sides["en"], TextWhere(w.file, w.line, w.col, w.field, **wheres),
                  tpls["zh"], tpls["en"])


def _tpl(ctx: _Ctx, node: Node, path: str) -> m.Text:
    """A pair, or a plain string used in both languages (e.g. "{gdp.rank:scoped}")."""
    return _text(ctx, node, path, plain_ok=True)


def _template(ctx: _Ctx, s: str, node: Node, path: str, lang: Lang, *, plain: bool = False) -> ph.Template:
    """Parse a text once (placeholders.parse) and record each {key:form} for checking once the data is
    known. Anything else in braces is an error here, so that text can never reach attributes, indexing or
    format specs (`{a.__class__}`, `{a[0]}`, `{0}`, `{a!r}`). Errors point at the brace itself when the
    file allows it. A plain string stands for both languages (`plain` is its second, English reading:
    only what English alone refuses is reported, i.e. Chinese words in a `change=` form)."""
    tpl, problems = ph.parse(s, lang)
    if plain:
        zh_problems = {(p.offset, p.what) for p in ph.parse(s, "zh")[1]}
        for p in problems:
            if (p.offset, p.what) not in zh_problems:
                ctx.error(node, p.what + " (a plain string is used in both languages)",
                          "give the text as a {zh: …, en: …} pair", path, offset=p.offset)
        return tpl
    for p in problems:
        ctx.error(node, p.what, p.fix, path, offset=p.offset)
    for ref in ph.refs(tpl):
        ctx.refs.append((ref, node, path))
    return tpl


DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def iso_date(text: str) -> dt.date | str:
    """A date written exactly YYYY-MM-DD, or what is wrong with it (Python's fromisoformat alone would
    also take 20250730 and 2025-W31-3, which the format does not allow)."""
    s = text.strip()
    if not DATE_RE.fullmatch(s):
        return f"'{_clip(s)}' is not a date written YYYY-MM-DD"
    try:
        return dt.date.fromisoformat(s)
    except ValueError:
        return f"'{s}' is not a calendar date"


def _n(count: int, noun: str) -> str:
    return counted(count, noun)


def _clip(s: str, n: int = 40) -> str:
    """Quote at most n characters of a user's value in a message."""
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


def _seq(ctx: _Ctx, node: Node, path: str, *, nonempty: bool = True) -> list[Node]:
    if not isinstance(node, SequenceNode):
        raise ctx.fail(node, f"expected a list, found {_kind_of(node)}", "write a list with `- ` items", path)
    if nonempty and not node.value:
        raise ctx.fail(node, "the list is empty", "add at least one item, or remove the field", path)
    return list(node.value)


def _opt(ctx: _Ctx, fields: dict, key: str, conv: Callable, path: str):
    if key not in fields:
        return None
    try:
        return conv(ctx, fields[key][1], f"{path}.{key}")
    except _Stop:
        return None



def _each(ctx: _Ctx, nodes: list[Node], path: str, conv: Callable) -> list:
    out = []
    for i, n in enumerate(nodes):
        try:
            out.append(conv(ctx, n, f"{path}[{i}]"))
        except _Stop:
            pass
    return out
