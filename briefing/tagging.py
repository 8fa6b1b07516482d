"""The structure tree of a tagged PDF (PDF/UA-1), built on ReportLab's low-level PDF objects.

ReportLab has no tagging. `compose` builds the logical structure as a tree of `Node`s while it makes the
flowables, in the content file's order (so the tree's reading order is the content's, even where a
figure floats to the next page), and hands each flowable the node its drawing belongs to. When a
flowable draws, it asks the canvas' `Tagger` for a marked-content identifier on the current page and
wraps what it draws in `/P <</MCID 3>> BDC … EMC`; everything drawn outside such a sequence is put in an
`/Artifact` sequence (page furniture, rules, table shading, crop marks). At save time the tagger writes
the structure elements, the parent tree (page, MCID → element), `/StructParents` and `/Tabs /S` on the
pages, `/StructParent` on link annotations, and `/MarkInfo` and `/StructTreeRoot` in the catalog.

Only the standard structure types of PDF 1.7 are used, so there is no role map.
"""
from __future__ import annotations

from typing import Any

from reportlab.pdfbase import pdfdoc

# Artifact kinds (PDF 32000-1 §14.8.2.2)
HEADER = "/Artifact <</Type /Pagination /Subtype /Header>> BDC"
FOOTER = "/Artifact <</Type /Pagination /Subtype /Footer>> BDC"
LAYOUT = "/Artifact <</Type /Layout>> BDC"           # rules, bands, table shading and lines
PAGE = "/Artifact <</Type /Page>> BDC"               # crop marks: production aids outside the page
REPEAT = "/Artifact <</Type /Pagination>> BDC"       # a table header repeated on the next page
EMC = "EMC"
_CELLS = {"TR", "TH", "TD"}


class Node:
    """One structure element: its type, its kids (elements, and marked content or annotations added as
    the pages are drawn), and its attributes."""

    __slots__ = ("role", "kids", "alt", "lang", "actual", "attrs", "inline", "_obj")

    def __init__(self, role: str, parent: Node | None = None, *, alt: str | None = None,
                 lang: str | None = None, attrs: dict[str, Any] | None = None) -> None:
        self.role = role
        self.kids: list = []            # Node | (page, mcid) | _Annot
        self.alt = alt
        self.lang = lang
        self.actual: str | None = None
        self.attrs = attrs              # {"O": "Table", "Scope": "Column"} etc.
        self.inline: dict | None = None   # inline kids made while drawing (Span, Link), by key
        self._obj: pdfdoc.PDFDictionary | None = None
        if parent is not None:
            parent.kids.append(self)

    def add(self, role: str, **kw: Any) -> Node:
        return Node(role, self, **kw)

    def inline_child(self, key: object, role: str, **kw: Any) -> Node:
        """The inline element `key` of this one (a run-in heading, a link), made the first time it is
        drawn, so that it sits among this element's marked content in reading order."""
        if self.inline is None:
            self.inline = {}
        node = self.inline.get(key)
        if node is None:
            node = self.inline[key] = Node(role, self, **kw)
        return node

    def has_content(self) -> bool:
        return any(not isinstance(k, Node) or k.has_content() for k in self.kids) or bool(self.alt)

    def __repr__(self) -> str:
        return f"Node({self.role}, {len(self.kids)} kids)"


class _Annot:
    __slots__ = ("page", "name")

    def __init__(self, page: int, name: str) -> None:
        self.page, self.name = page, name


def sketching(canv: Any) -> bool:
    """Whether `canv` only finds where things fall (a layout pass that is never written: render.lay_out with
    draw=False): text and drawings need not be drawn on it, only laid out."""
    return getattr(canv, "_briefing_sketch", False)


def tagger(canv: Any) -> Tagger | None:
    """The canvas' tagger when content drawn now must be tagged (None: not a tagged canvas, or inside an
    artifact, where marked content with an MCID must not appear)."""
    tg = getattr(canv, "_tagger", None)
    return tg if tg is not None and not tg.artifact else None


class Tagger:
    """Marked-content identifiers per page, artifacts, annotations; writes the tree when the PDF is saved."""

    def __init__(self, canv: Any, root: Node, lang: str) -> None:
        self.canv = canv
        self.root = root
        self.lang = lang
        self.pages: dict[int, list[Node]] = {}     # page number → the element of each MCID
        self.artifact = 0                          # depth of open artifact sequences
        self.annots: list[tuple[Node, str]] = []
        self.npages = 0

    # -- marked content
    def bdc(self, node: Node, props: str = "") -> str:
        """`/Role <</MCID n …>> BDC` for new content of `node` on the current page."""
        page = self.canv._pageNumber
        owners = self.pages.get(page)
        if owners is None:
            owners = self.pages[page] = []
        mcid = len(owners)
        owners.append(node)
        node.kids.append((page, mcid))
        return f"/{node.role} <</MCID {mcid}{props}>> BDC"

    def begin(self, node: Node) -> None:
        self.canv._code.append(self.bdc(node))

    def begin_artifact(self, kind: str = LAYOUT) -> None:
        self.canv._code.append(kind)
        self.artifact += 1

    def end_artifact(self) -> None:
        self.artifact -= 1
        self.canv._code.append(EMC)

    # -- annotations
    def link(self, node: Node, rect: tuple[float, float, float, float], *, url: str | None = None,
             dest: str | None = None, contents: str = "") -> None:
        """A link annotation over `rect` (in the current user space) that belongs to the Link element
        `node`: /StructParent, /Contents for readers, printable (/F 4), no border."""
        canv = self.canv
        ann = pdfdoc.PDFDictionary()
        ann["Type"] = pdfdoc.PDFName("Annot")
        ann["Subtype"] = pdfdoc.PDFName("Link")
        ann["Rect"] = pdfdoc.PDFArray([round(v, 3) for v in canv._absRect(rect, 1)])
        ann["Border"] = pdfdoc.PDFArray([0, 0, 0])
        ann["F"] = 4
        ann["Contents"] = pdfdoc.PDFString(contents or url or "")
        if url is not None:
            ann["A"] = pdfdoc.PDFDictionary({"Type": pdfdoc.PDFName("Action"), "S": pdfdoc.PDFName("URI"),
                                             "URI": pdfdoc.PDFString(url)})
        else:
            ann["Dest"] = canv._bookmarkReference(dest)
        ann["StructParent"] = _StructParent(self, len(self.annots))
        name = f"tag{len(self.annots)}"
        self.annots.append((node, name))
        node.kids.append(_Annot(canv._pageNumber, name))
        canv._addAnnotation(ann, name)

    # -- the tree
    def page_done(self, page: pdfdoc.PDFPage, number: int) -> None:
        """Called as each page is finished: its key in the parent tree and structure tab order."""
        page.StructParents = number - 1
        page.Tabs = pdfdoc.PDFName("S")
        page.__NoDefault__ = page.__NoDefault__ + ["StructParents", "Tabs"]

    def finish(self, npages: int) -> None:
        """Write the structure tree into the document (before it is formatted)."""
        doc = self.canv._doc
        ref = doc.Reference
        self.npages = npages
        pages = [pdfdoc.PDFObjectReference(f"Page{n}") for n in range(1, npages + 1)]
        root = pdfdoc.PDFDictionary({"Type": pdfdoc.PDFName("StructTreeRoot")})
        root_ref = ref(root)
        annot_keys = {name: npages + i for i, (_, name) in enumerate(self.annots)}

        def make(node: Node, parent_ref) -> pdfdoc.PDFObjectReference | None:
            if not node.has_content() and node.role not in _CELLS:
                return None     # drew nothing (an empty paragraph): no element (a table keeps its grid)
            d = node._obj = _Elem(node.role, parent_ref)
            me = ref(d)
            kids: list = []
            pg = None
            for k in node.kids:
                if isinstance(k, Node):
                    r = make(k, me)
                    if r is not None:
                        kids.append(r)
                elif isinstance(k, _Annot):
                    kids.append(pdfdoc.PDFDictionary({"Type": pdfdoc.PDFName("OBJR"), "Pg": pages[k.page - 1],
                                                      "Obj": doc.refAnnotation(k.name)}))
                else:
                    page, mcid = k
                    if pg is None:
                        pg = page
                    if page == pg:
                        kids.append(mcid)
                    else:
                        kids.append(pdfdoc.PDFDictionary({"Type": pdfdoc.PDFName("MCR"), "Pg": pages[page - 1],
                                                          "MCID": mcid}))
            entries = d.entries
            if pg is not None:
                entries["Pg"] = pages[pg - 1]
            if kids:
                entries["K"] = kids[0] if len(kids) == 1 else pdfdoc.PDFArray(kids)
            if node.alt is not None:
                entries["Alt"] = pdfdoc.PDFString(node.alt)
            if node.actual is not None:
                entries["ActualText"] = pdfdoc.PDFString(node.actual)
            if node.lang:
                entries["Lang"] = pdfdoc.PDFString(node.lang)
            if node.attrs:
                entries["A"] = pdfdoc.PDFDictionary({k: _pdf_value(v) for k, v in node.attrs.items()})
            return me

        top = make(self.root, root_ref)
        root["K"] = top if top is not None else pdfdoc.PDFArray([])
        nums: list = []
        for n in range(1, npages + 1):
            owners = self.pages.get(n, [])
            nums += [n - 1, pdfdoc.PDFArray([doc.Reference(o._obj) for o in owners])]
        for node, name in self.annots:
            nums += [annot_keys[name], doc.Reference(node._obj)]
        root["ParentTree"] = pdfdoc.PDFDictionary({"Nums": pdfdoc.PDFArray(nums)})
        root["ParentTreeNextKey"] = npages + len(self.annots)
        cat = doc.Catalog
        cat.StructTreeRoot = root_ref
        cat.MarkInfo = pdfdoc.PDFDictionary({"Marked": pdfdoc.PDFtrue})


class _Elem(pdfdoc.PDFObject):
    """A structure element, written compactly (`<</S/P/P 12 0 R/Pg 3 0 R/K 0>>`): a briefing has hundreds,
    and each is an object of its own (/Type /StructElem is optional and left out)."""

    __RefOnly__ = 1

    def __init__(self, role: str, parent) -> None:
        self.entries: dict[str, Any] = {"S": pdfdoc.PDFName(role), "P": parent}

    def format(self, document) -> bytes:
        out = [b"<<"]
        for key, value in self.entries.items():
            v = pdfdoc.format(value, document)
            if isinstance(value, pdfdoc.PDFArray):
                v = b"[" + b" ".join(pdfdoc.format(x, document) for x in value.sequence) + b"]"
            out.append(b"/" + key.encode("ascii") + (b"" if v[:1] in b"/[<(" else b" ") + v)
        out.append(b">>")
        return b"".join(out)


class _StructParent(pdfdoc.PDFObject):
    """An annotation's key in the parent tree: after the pages' keys, known only when the page count is."""

    def __init__(self, tagger: Tagger, index: int) -> None:
        self.tagger, self.index = tagger, index

    def format(self, document) -> bytes:
        return str(self.tagger.npages + self.index).encode()


def table_events(table: Any, event: str, *args: Any) -> None:
    """ReportLab's table drawing callback (`renderCB`): shading and rules are artifacts, and so are the
    cells of rows that repeat the table's head on a later page (`table.tag_repeated` of them) and cells
    that are not flowables (the empty cells a spanned caption row leaves)."""
    tg = getattr(table.canv, "_tagger", None)
    if tg is None:
        return
    if event in ("startBG", "startLines"):
        tg.begin_artifact(LAYOUT)
    elif event in ("endBG", "endLines"):
        tg.end_artifact()
    elif event == "startCell":
        row, value = args[0], args[2]
        art = None
        if row < getattr(table, "tag_repeated", 0):
            art = REPEAT
        elif not isinstance(value, (list, tuple)) and not hasattr(value, "drawOn"):
            art = LAYOUT
        table._tag_cell = art
        if art is not None:
            tg.begin_artifact(art)
    elif event == "endCell":
        if getattr(table, "_tag_cell", None) is not None:
            table._tag_cell = None
            tg.end_artifact()


def _pdf_value(v: Any):
    if isinstance(v, str):
        return pdfdoc.PDFName(v)
    if isinstance(v, (list, tuple)):
        return pdfdoc.PDFArray([round(x, 2) if isinstance(x, float) else x for x in v])
    return v


def text_string(s: str) -> str:
    """A PDF text string for a content stream: literal when ASCII, else UTF-16BE with a BOM, in hex."""
    if s.isascii():
        return "(" + s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"
    return "<FEFF" + s.encode("utf-16-be").hex().upper() + ">"
