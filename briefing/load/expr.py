"""Formulas (`expr:`): a tiny recursive-descent evaluator over numbers, data keys, + - * / and
parentheses. Nothing else: no names beyond data keys, no calls."""
from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

from yaml.nodes import Node

from .nodes import _clip, _Ctx

MAX_EXPR = 200                         # characters in a formula

_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?)|([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*)|(.))")


def expr_names(src: str) -> list[str]:
    """The data keys a formula names, in order (for ordering the evaluation)."""
    return [mt.group(2) for mt in _TOKEN.finditer(src) if mt.group(2)]


def _eval_expr(ctx: _Ctx, node: Node, src: str, lookup: Callable[[str], Decimal | None],
               path: str) -> Decimal | None:
    """A tiny recursive-descent evaluator: numbers, data keys, + - * / and parentheses. Nothing else."""
    if len(src) > MAX_EXPR:   # the recursion is one frame per nesting level: keep it far from the limit
        ctx.error(node, f"formula is {len(src):,} characters long (limit {MAX_EXPR})",
                  "define intermediate metrics and refer to them", path)
        return None
    tokens: list[tuple[str, str]] = []
    for mt in _TOKEN.finditer(src.strip()):
        num, name, other = mt.groups()
        if num:
            tokens.append(("num", num))
        elif name:
            tokens.append(("name", name))
        elif other and other.strip():
            if other not in "+-*/()":
                ctx.error(node, f"formula has an unexpected '{other}'",
                          "use only numbers, data keys, + - * / and parentheses", path,
                          offset=len(src) - len(src.lstrip()) + mt.start(3))
                return None
            tokens.append(("op", other))
    pos = 0
    bad = False

    def peek() -> tuple[str, str] | None:
        return tokens[pos] if pos < len(tokens) else None

    def atom() -> Decimal | None:
        nonlocal pos, bad
        t = peek()
        if t is None:
            bad = True
            return None
        pos += 1
        if t == ("op", "("):
            v = expr()
            if peek() != ("op", ")"):
                bad = True
                return None
            pos += 1
            return v
        if t == ("op", "-"):
            v = atom()
            return -v if v is not None else None
        if t[0] == "num":
            return Decimal(t[1])
        if t[0] == "name":
            return lookup(t[1])
        bad = True
        return None

    def term() -> Decimal | None:
        nonlocal pos
        v = atom()
        while peek() in (("op", "*"), ("op", "/")):
            op = tokens[pos][1]
            pos += 1
            r = atom()
            if v is None or r is None:
                v = None
                continue
            if op == "/" and r == 0:
                ctx.error(node, "formula divides by zero", "check the formula", path)
                return None
            v = v * r if op == "*" else v / r
        return v

    def expr() -> Decimal | None:
        nonlocal pos
        v = term()
        while peek() in (("op", "+"), ("op", "-")):
            op = tokens[pos][1]
            pos += 1
            r = term()
            v = None if v is None or r is None else (v + r if op == "+" else v - r)
        return v

    result = expr()
    if bad or pos != len(tokens):
        ctx.error(node, f"formula '{_clip(src)}' is not well formed", "write e.g. `a.b - c.d` or `(a + b) / 2`",
                  path)
        return None
    return result
