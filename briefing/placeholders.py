"""The one grammar of text templates: `**bold**`, `{key}`, `{key:form:form…}`, `{key:change=增长/下降}`,
`{{` and `}}`.

A template is parsed once, at load, into a `Template` (runs of text and `Ref`s) that the model stores;
`localize` formats from it and never looks at the braces again. `FORMS` says which forms each metric
kind has; the loader checks every reference against it once the data is known, and
docs/content-format.md and the JSON Schema describe the same table (tested).

This module imports no third-party library.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# ------------------------------------------------------------------ the parsed form


@dataclass(frozen=True)
class Ref:
    """One placeholder: a data key and its forms (`{gdp.rank:scoped:numeral}` → forms {scoped, numeral})."""

    key: str
    forms: frozenset[str] = frozenset()
    words: tuple[str, ...] = ()       # `change=提高/回落`: the verbs for up, down (and unchanged)
    offset: int = 0                   # where the `{` is in the template (for error positions)
    source: str = ""                  # the placeholder as written

    def has(self, form: str) -> bool:
        return form in self.forms


Piece = str | Ref


@dataclass(frozen=True)
class Run:
    """A stretch of a template in one style: literal text (braces already unescaped) and references."""

    pieces: tuple[Piece, ...]
    bold: bool = False


Template = tuple[Run, ...]


@dataclass(frozen=True)
class Problem:
    offset: int
    what: str
    fix: str


# ------------------------------------------------------------------ forms per kind

SIGNED_KINDS = ("count", "money", "percent", "pp", "permille", "quantity", "number")
SCALED_KINDS = ("count", "money", "quantity", "number")

#: form → the kinds that have it, and what it does (docs/content-format.md has the same table)
FORMS: dict[str, tuple[tuple[str, ...], str]] = {
    "num": (SIGNED_KINDS + ("multiple", "rank"), "the number only, without unit"),
    "full": (SCALED_KINDS, "a scaled number in full in Chinese too"),
    "bare": (SCALED_KINDS, "Chinese: the number in its scale without the scale word (2332, before 亿元 shared "
             "with a later figure); English: as num"),
    "abs": (SIGNED_KINDS, "the magnitude, without sign, for sentences that carry the verb"),
    "change": (SIGNED_KINDS, "the direction in words from the sign"),
    "signed": (SIGNED_KINDS, "an explicit sign: +6.3% / −1.0%"),
    "scoped": (("rank",), "with the rank's scope"),
    "numeral": (("rank",), "the rank in Chinese numerals"),
}
#: at most one of these in a placeholder
EXCLUSIVE = ("abs", "change", "signed")


def forms_of(kind: str) -> tuple[str, ...]:
    return tuple(f for f, (kinds, _) in FORMS.items() if kind in kinds)


# ------------------------------------------------------------------ change words

#: the verb pairs a kind uses by default: (zh up, zh down, zh zero), (en up, en down, en zero)
DEFAULT_WORDS: dict[str, tuple[tuple[str, str, str], tuple[str, str, str]]] = {
    "percent": (("增长", "下降", "持平"), ("up", "down", "unchanged")),
    "pp": (("提高", "下降", "持平"), ("higher", "lower", "unchanged")),
    "permille": (("提高", "下降", "持平"), ("up", "down", "unchanged")),
    "count": (("增加", "减少", "持平"), ("up", "down", "unchanged")),
    "money": (("增加", "减少", "持平"), ("up", "down", "unchanged")),
    "quantity": (("增加", "减少", "持平"), ("up", "down", "unchanged")),
    "number": (("增加", "减少", "持平"), ("up", "down", "unchanged")),
}
ZERO_WORD = {"zh": "持平", "en": "unchanged"}

#: English words that follow the figure ("0.9 percentage points higher"); every other word precedes it
#: ("up 6.3%", "rose 6.3%"). A word ending in -er is a comparative and follows too.
EN_AFTER = frozenset({"more", "less", "fewer"})


def en_word_follows(word: str) -> bool:
    last = word.split()[-1].lower() if word.split() else ""
    return last in EN_AFTER or (last.endswith("er") and last not in {"over", "under"})


_WORD_RE = {
    "zh": re.compile(r"[\u3400-\u9fff]{1,6}"),
    "en": re.compile(r"[A-Za-z][A-Za-z-]*(?: [A-Za-z][A-Za-z-]*){0,3}"),
}


def parse_words(spec: str, lang: str) -> tuple[tuple[str, ...] | None, str]:
    """`提高/回落` or `up/down/unchanged` → the words, or (None, what is wrong)."""
    words = tuple(w.strip() for w in spec.split("/"))
    if len(words) not in (2, 3):
        return None, f"'{spec}' is not a word pair: write up/down, or up/down/unchanged"
    rx = _WORD_RE.get(lang)
    for w in words:
        if rx is not None and not rx.fullmatch(w):
            kind = "Han characters (up to 6)" if lang == "zh" else "English words (up to 4)"
            return None, f"'{w}' in '{spec}' is not a verb of {kind}"
    return words, ""


def change_words(kind: str, lang: str, metric_words: tuple[str, ...] | None,
                 ref_words: tuple[str, ...] = ()) -> tuple[str, str, str]:
    """The up, down and unchanged words for a `change` form: the placeholder's own, else the metric's
    `change:` pair, else the kind's default."""
    zh_default, en_default = DEFAULT_WORDS[kind]
    default = zh_default if lang == "zh" else en_default
    words = ref_words or metric_words or default
    zero = words[2] if len(words) > 2 else ZERO_WORD[lang]
    return words[0], words[1], zero


# ------------------------------------------------------------------ parsing

KEY = r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*"
FORM = r"[a-z]+(?:=[^{}:]*)?"
REF_RE = re.compile(rf"({KEY})((?::{FORM})*)")
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)

#: the same syntax as one regular expression over a whole string, for the JSON Schema (tested equal)
SCHEMA_PATTERN = r"^(?:[^{}]|\{\{|\}\}|\{\s*" + KEY + r"(?::" + FORM + r")*\s*\})*$"


def parse(template: str, lang: str) -> tuple[Template, list[Problem]]:
    """Split a template into bold/plain runs of literal text and references. Syntax problems are
    returned (with the offset of the offending brace), never raised; the template keeps what parsed."""
    problems: list[Problem] = []
    runs: list[Run] = []
    pos = 0
    for mt in _BOLD.finditer(template):
        if mt.start() > pos:
            runs.append(Run(_pieces(template, pos, mt.start(), lang, problems)))
        runs.append(Run(_pieces(template, mt.start(1), mt.end(1), lang, problems), bold=True))
        pos = mt.end()
    if pos < len(template):
        runs.append(Run(_pieces(template, pos, len(template), lang, problems)))
    return tuple(runs), problems


def _pieces(s: str, start: int, end: int, lang: str, problems: list[Problem]) -> tuple[Piece, ...]:
    out: list[Piece] = []
    text: list[str] = []
    pos = start
    for mt in _TOKEN.finditer(s, start, end):
        text.append(s[pos:mt.start()])
        pos = mt.end()
        tok = mt.group(0)
        if tok in ("{{", "}}"):
            text.append(tok[0])
            continue
        inner = mt.group(1)
        if inner is None:
            problems.append(Problem(mt.start(), f"unmatched '{tok}' in the text",
                                    "write {{ or }} for a literal brace"))
            continue
        ref = _ref(inner.strip(), mt.start(), tok, lang, problems)
        if ref is None:
            continue
        if "".join(text):
            out.append("".join(text))
        text = []
        out.append(ref)
    text.append(s[pos:end])
    if "".join(text):
        out.append("".join(text))
    return tuple(out)


def _ref(inner: str, offset: int, tok: str, lang: str, problems: list[Problem]) -> Ref | None:
    mt = REF_RE.fullmatch(inner)
    if not mt:
        problems.append(Problem(offset, f"'{_clip(tok)}' is not a placeholder: a placeholder names a data key, "
                                "optionally with a :form", "write e.g. {gdp.growth} or {gdp.rank:scoped}, "
                                "or {{ and }} for literal braces"))
        return None
    key = mt.group(1)
    forms: list[str] = []
    words: tuple[str, ...] = ()
    for part in mt.group(2).split(":")[1:]:
        name, eq, spec = part.partition("=")
        if name not in FORMS:
            problems.append(Problem(offset, f"placeholder {_clip(tok)}: unknown form '{name}'",
                                    f"use one of: {', '.join(FORMS)}"))
            return None
        if name in forms:
            problems.append(Problem(offset, f"placeholder {_clip(tok)}: form '{name}' is given twice",
                                    "give each form once"))
            return None
        if eq:
            if name != "change":
                problems.append(Problem(offset, f"placeholder {_clip(tok)}: only the change form takes words",
                                        f"write {{{key}:{name}}}"))
                return None
            parsed, why = parse_words(spec, lang)
            if parsed is None:
                problems.append(Problem(offset, f"placeholder {_clip(tok)}: {why}",
                                        "write e.g. {x:change=提高/回落} in Chinese, {x:change=higher/lower} in "
                                        "English"))
                return None
            words = parsed
        forms.append(name)
    both = [f for f in forms if f in EXCLUSIVE]
    if len(both) > 1:
        problems.append(Problem(offset, f"placeholder {_clip(tok)}: '{both[0]}' and '{both[1]}' cannot be combined",
                                "keep one of them"))
        return None
    return Ref(key, frozenset(forms), words, offset, tok)


def check(ref: Ref, kind: str) -> tuple[str, str] | None:
    """What is wrong with `ref` for a metric of `kind`, and what to do (None when it fits)."""
    for form in sorted(ref.forms):
        if kind not in FORMS[form][0]:
            have = forms_of(kind)
            fix = f"write {{{ref.key}}}" + (f", or a form of a {kind}: {', '.join(have)}" if have else "")
            return f"placeholder {ref.source}: '{ref.key}' is a {kind}, which has no '{form}' form", fix
    return None


def refs(template: Template) -> list[Ref]:
    return [p for run in template for p in run.pieces if isinstance(p, Ref)]


def _clip(s: str, n: int = 40) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"
