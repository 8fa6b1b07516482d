"""Reading a tagged PDF back the way assistive technology does, for the tests.

`read(path)` returns the structure tree (read with pypdf) and the text of every marked-content sequence
(from the pages' content streams, decoded through each font's ToUnicode map, with /ActualText taking the
place of the glyphs it covers). `items(doc)` is the tree in reading order as (element type, text) pairs,
one per element that holds text: a Figure reads as its /Alt.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader
from pypdf.generic import ContentStream, DictionaryObject, NameObject

# Elements whose text is read as one item (everything under them joins into it)
LEAVES = {"P", "H1", "H2", "H3", "H4", "H5", "H6", "Caption", "TD", "TH", "Lbl", "LBody", "Figure", "Link"}


@dataclass
class Elem:
    role: str
    kids: list = field(default_factory=list)     # Elem | ("mc", page, mcid) | ("objr", annotation)
    alt: str | None = None
    actual: str | None = None
    lang: str | None = None
    attrs: dict = field(default_factory=dict)
    page: int | None = None
    id: int | None = None                        # object number


@dataclass
class Tagged:
    root: Elem | None
    text: dict[tuple[int, int], str]             # (page, mcid) → text
    artifacts: list[tuple[int, str]]             # (page, text) of artifact sequences
    untagged: list[tuple[int, str]]              # text outside any marked content (should be none)
    langs: list[tuple[int, int, str, str]]       # (page, mcid, lang, text) of /Lang spans
    actual: list[tuple[int, int, str, str]]      # (page, mcid, ActualText, glyphs it replaces)
    parent_tree: dict[int, list]                 # StructParents key → elements (pages) or element (annots)
    reader: PdfReader


def _cmap(font) -> dict[int, str]:
    return parse_to_unicode(font["/ToUnicode"].get_object().get_data().decode("ascii"))


def parse_to_unicode(cmap: str) -> dict[int, str]:
    """A ToUnicode CMap's bfchar and bfrange entries (both forms) as {code: text}."""
    out: dict[int, str] = {}
    for block in re.findall(r"beginbfchar\n(.*?)\nendbfchar", cmap, re.S):
        for code, uni in re.findall(r"<([0-9A-F]+)> <([0-9A-F]+)>", block):
            out[int(code, 16)] = bytes.fromhex(uni).decode("utf-16-be")
    for block in re.findall(r"beginbfrange\n(.*?)\nendbfrange", cmap, re.S):
        for a, b, dst in re.findall(r"<([0-9A-F]+)> <([0-9A-F]+)> (\[[^]]*\]|<[0-9A-F]+>)", block):
            lo, hi = int(a, 16), int(b, 16)
            assert lo >> 8 == hi >> 8, "a bfrange crosses a high byte"
            if dst.startswith("["):
                items = re.findall(r"<([0-9A-F]+)>", dst)
                assert len(items) == hi - lo + 1
                for k, uni in enumerate(items):
                    out[lo + k] = bytes.fromhex(uni).decode("utf-16-be")
            else:
                first = int(dst[1:-1], 16)
                for k in range(hi - lo + 1):
                    out[lo + k] = chr(first + k)
    return out


def _bytes(obj) -> bytes:
    return obj.original_bytes if hasattr(obj, "original_bytes") else bytes(obj)


def _text_of(obj) -> str:
    """A PDF text string (ActualText, Alt, Lang) as Python text."""
    raw = _bytes(obj)
    if raw.startswith(b"\xfe\xff"):
        return raw[2:].decode("utf-16-be")
    return str(obj)


def read(path: Path | str) -> Tagged:
    reader = PdfReader(str(path))
    page_of = {p.indirect_reference.idnum: i for i, p in enumerate(reader.pages)}
    text: dict[tuple[int, int], str] = {}
    artifacts: list[tuple[int, str]] = []
    untagged: list[tuple[int, str]] = []
    langs: list[tuple[int, int, str, str]] = []
    actual: list[tuple[int, int, str, str]] = []
    for pi, page in enumerate(reader.pages):
        fonts = {name: _cmap(f.get_object()) for name, f in page["/Resources"]["/Font"].items()}
        cmap: dict[int, str] = {}
        stack: list[dict] = []
        for operands, op in ContentStream(page.get_contents(), reader).operations:
            if op in (b"BDC", b"BMC"):
                tag = str(operands[0])[1:]
                props = operands[1] if op == b"BDC" and len(operands) > 1 else DictionaryObject()
                entry = {"tag": tag, "art": tag == "Artifact", "glyphs": ""}
                if isinstance(props, DictionaryObject):
                    if "/MCID" in props:
                        entry["mcid"] = int(props["/MCID"])
                    if "/ActualText" in props:
                        entry["actual"] = _text_of(props["/ActualText"])
                    if "/Lang" in props:
                        entry["lang"] = _text_of(props["/Lang"])
                stack.append(entry)
                if "actual" in entry and not any(e["art"] for e in stack):
                    mcid = next((e["mcid"] for e in reversed(stack) if "mcid" in e), None)
                    if mcid is not None:
                        text[(pi, mcid)] = text.get((pi, mcid), "") + entry["actual"]
            elif op == b"EMC":
                entry = stack.pop()
                mcid = next((e["mcid"] for e in reversed(stack + [entry]) if "mcid" in e), None)
                if "actual" in entry:
                    actual.append((pi, mcid, entry["actual"], entry["glyphs"]))
                if "lang" in entry:
                    langs.append((pi, mcid, entry["lang"], entry["glyphs"]))
                if stack:
                    stack[-1]["glyphs"] += entry["glyphs"]
            elif op == b"Tf":
                cmap = fonts[str(operands[0])]
            elif op in (b"Tj", b"TJ"):
                parts = operands[0] if op == b"TJ" else [operands[0]]
                s = ""
                for part in parts:
                    if isinstance(part, (int, float)) or type(part).__name__ in ("FloatObject", "NumberObject"):
                        continue
                    raw = _bytes(part)
                    s += "".join(cmap.get(int.from_bytes(raw[k:k + 2], "big"), "\ufffd") for k in range(0, len(raw), 2))
                if stack:
                    stack[-1]["glyphs"] += s
                if any(e["art"] for e in stack):
                    artifacts.append((pi, s))
                    continue
                mcid = next((e["mcid"] for e in reversed(stack) if "mcid" in e), None)
                if mcid is None:
                    untagged.append((pi, s))
                elif not any("actual" in e for e in stack):
                    text[(pi, mcid)] = text.get((pi, mcid), "") + s
    root_dict = reader.trailer["/Root"].get("/StructTreeRoot")
    root = None
    parent_tree: dict[int, list] = {}
    if root_dict is not None:
        root_dict = root_dict.get_object()

        def elem(ref, page: int | None) -> Elem:
            d = ref.get_object()
            pg = page_of[d.raw_get("/Pg").idnum] if "/Pg" in d else page
            a = d.get("/A")
            attrs = {k[1:]: v for k, v in a.get_object().items()} if a is not None else {}
            e = Elem(str(d["/S"])[1:], alt=_text_of(d["/Alt"]) if "/Alt" in d else None,
                     actual=_text_of(d["/ActualText"]) if "/ActualText" in d else None,
                     lang=_text_of(d["/Lang"]) if "/Lang" in d else None, attrs=attrs, page=pg,
                     id=getattr(ref, "idnum", None))
            kids = d.raw_get("/K") if "/K" in d else None
            if kids is None:
                return e
            resolved = kids.get_object()
            for k in (resolved if isinstance(resolved, list) else [kids]):
                if isinstance(k, int):
                    e.kids.append(("mc", pg, int(k)))
                    continue
                kd = k.get_object()
                t = kd.get("/Type")
                if t == NameObject("/MCR"):
                    e.kids.append(("mc", page_of[kd.raw_get("/Pg").idnum] if "/Pg" in kd else pg, int(kd["/MCID"])))
                elif t == NameObject("/OBJR"):
                    e.kids.append(("objr", kd["/Obj"].get_object()))
                else:
                    e.kids.append(elem(k, pg))
            return e

        k = root_dict.raw_get("/K")
        resolved = k.get_object()
        root = elem(resolved[0] if isinstance(resolved, list) else k, None)
        nums = root_dict["/ParentTree"].get_object()["/Nums"]
        for i in range(0, len(nums), 2):
            v = list.__getitem__(nums, i + 1)          # an element's reference, or an array of them
            resolved = v.get_object()
            parent_tree[int(nums[i])] = resolved if isinstance(resolved, list) else v
    return Tagged(root, text, artifacts, untagged, langs, actual, parent_tree, reader)


def element_text(doc: Tagged, e: Elem) -> str:
    """An element's text as a reader gets it: its /Alt (a figure), else its /ActualText, else its content."""
    if e.alt is not None:
        return e.alt
    if e.actual is not None:
        return e.actual
    out = []
    for k in e.kids:
        if isinstance(k, Elem):
            out.append(element_text(doc, k))
        elif k[0] == "mc":
            out.append(doc.text.get((k[1], k[2]), ""))
    return "".join(out)


def items(doc: Tagged, e: Elem | None = None) -> list[tuple[str, str]]:
    """The tree in reading order: (type, text) for every element that holds text (LEAVES), in order."""
    e = e or doc.root
    if e is None:
        return []
    if e.role in LEAVES:
        return [(e.role, element_text(doc, e))]
    out: list[tuple[str, str]] = []
    for k in e.kids:
        if isinstance(k, Elem):
            out += items(doc, k)
        elif k[0] == "mc":
            out.append((e.role, doc.text.get((k[1], k[2]), "")))
    return out


def walk(e: Elem):
    yield e
    for k in e.kids:
        if isinstance(k, Elem):
            yield from walk(k)


def squash(text: str) -> str:
    """Text compared without whitespace (line ends, the spaces of justified lines)."""
    return re.sub(r"\s+", "", text)
