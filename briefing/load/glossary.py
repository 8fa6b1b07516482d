"""The `glossary:` and `names:` sections: terminology the editorial check holds the text to, and names whose
digits (or, in English, Chinese characters) are meant. Neither changes what is printed."""
from __future__ import annotations

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .. import model as m
from .nodes import _clip, _Ctx, _kind_of, _mapping, _seq, _Stop, _string

MAX_TERM = 200    # characters in a glossary term, a rendering or a name


def _short(ctx: _Ctx, node: Node, path: str) -> str:
    s = _string(ctx, node, path).strip()
    if len(s) > MAX_TERM:
        raise ctx.fail(node, f"'{_clip(s)}' is {len(s)} characters long (limit {MAX_TERM})",
                       "a term or a name is a few words", path)
    return s


def glossary(ctx: _Ctx, node: Node, path: str = "glossary") -> tuple[m.Term, ...]:
    """`中文术语: English term`, `中文术语: [preferred, accepted variant…]` or
    `中文术语: {en: English term or list, note: why}`."""
    fields = _mapping(ctx, node, path)
    terms = []
    for zh, (knode, vnode) in fields.items():
        sub = f"{path}.{zh}"
        try:
            zh = _short(ctx, knode, path)
            note = None
            if isinstance(vnode, MappingNode):
                g = _mapping(ctx, vnode, sub, allowed={"en", "note"}, required=("en",))
                if "en" not in g:
                    continue
                vnode = g["en"][1]
                sub += ".en"
                note = _string(ctx, g["note"][1], f"{path}.{zh}.note") if "note" in g else None
            if isinstance(vnode, SequenceNode):
                en = tuple(_short(ctx, n, f"{sub}[{i}]") for i, n in enumerate(_seq(ctx, vnode, sub)))
            elif isinstance(vnode, ScalarNode):
                en = (_short(ctx, vnode, sub),)
            else:
                raise ctx.fail(vnode, f"expected the English term, found {_kind_of(vnode)}",
                               "write `中文: English`, `中文: [English, variant]` or `中文: {en: English, note: …}`",
                               sub)
            terms.append(m.Term(zh, en, note, ctx.where(knode, sub)))
        except _Stop:
            pass
    return tuple(terms)


def names(ctx: _Ctx, node: Node, path: str = "names") -> tuple[m.Name, ...]:
    out = []
    for i, n in enumerate(_seq(ctx, node, path, nonempty=False)):
        try:
            out.append(m.Name(_short(ctx, n, f"{path}[{i}]"), ctx.where(n, f"{path}[{i}]")))
        except _Stop:
            pass
    return tuple(out)
