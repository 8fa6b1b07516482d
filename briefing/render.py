"""Flowables → PDF bytes: page templates, running header and footer, outline, metadata, XMP, the
structure tree (tagging.py) and PDF/A's output intent (pdfa.py); the file is written by pdfwrite.py.

Output is deterministic: ReportLab runs in invariant mode, and the creation date is `SOURCE_DATE_EPOCH`
when set, else the briefing's own date (midnight UTC).
"""
from __future__ import annotations

import calendar
import datetime as dt
import io
from dataclasses import dataclass

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDate, PDFDictionary, PDFInfo, PDFName, PDFString
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, NextPageTemplate, PageTemplate

from . import __version__, pdfwrite, tagging, theme
from .fonts import (
    Lang,  # model.Lang; render and vector never import the model itself
    font_name,
    line_width,
)
from .pdffont import TextObject
from .vector import draw_string, fit_string


@dataclass(frozen=True)
class Meta:
    title: str
    author: str
    subject: str
    keywords: tuple[str, ...]
    lang: Lang
    date: dt.date
    header_left: str
    header_right: str
    page_label: str      # "第 {n} 页 / 共 {total} 页"


def creation_epoch(date: dt.date) -> int:
    from .inputs import source_date_epoch

    epoch = source_date_epoch()
    return calendar.timegm(date.timetuple()) if epoch is None else epoch


PDF_LANG = {"zh": "zh-CN", "en": "en"}


class _Stamp:
    """ReportLab's TimeStamp interface, fixed to our epoch."""

    def __init__(self, epoch: int) -> None:
        import time

        lt = time.gmtime(epoch)
        self.t, self.lt, self.YMDhms = epoch, lt, tuple(lt)[:6]
        self.dhh = self.dmm = 0
        self.tzname = "UTC"

    @property
    def datetime(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.t, dt.UTC)


def escape(text: str) -> str:
    """XML character escapes (xml.sax.saxutils.escape imports urllib.request, http, ssl and email: a tenth
    of a warm build's start-up)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


PRODUCER = f"briefing {__version__} (ReportLab)"


def _xmp(meta: Meta, epoch: int, pdfa: bool) -> bytes:
    """The XMP packet. Every entry of the document information dictionary (_Info) has its equal here, as
    PDF/A requires; pdfuaid declares PDF/UA-1, pdfaid (with `pdfa`) PDF/A-2u."""
    stamp = dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    lang = PDF_LANG[meta.lang]
    kw = escape(", ".join(meta.keywords))
    title = escape(meta.title)
    titles = f'<rdf:li xml:lang="x-default">{title}</rdf:li><rdf:li xml:lang="{lang}">{title}</rdf:li>'
    pdfaid = ('\n  <rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">'
              "<pdfaid:part>2</pdfaid:part><pdfaid:conformance>U</pdfaid:conformance></rdf:Description>"
              + _PDFUA_EXTENSION if pdfa else "")
    return f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/"><pdfuaid:part>1</pdfuaid:part></rdf:Description>{pdfaid}
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt>{titles}</rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>{escape(meta.author)}</rdf:li></rdf:Seq></dc:creator>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{escape(meta.subject)}</rdf:li></rdf:Alt></dc:description>
   <dc:subject><rdf:Bag>{''.join(f'<rdf:li>{escape(k)}</rdf:li>' for k in meta.keywords)}</rdf:Bag></dc:subject>
   <dc:language><rdf:Bag><rdf:li>{lang}</rdf:li></rdf:Bag></dc:language>
   <pdf:Keywords>{kw}</pdf:Keywords>
   <pdf:Producer>{PRODUCER}</pdf:Producer>
   <xmp:CreatorTool>briefing {__version__}</xmp:CreatorTool>
   <xmp:CreateDate>{stamp}</xmp:CreateDate>
   <xmp:ModifyDate>{stamp}</xmp:ModifyDate>
   <xmp:MetadataDate>{stamp}</xmp:MetadataDate>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>""".encode()


# PDF/A accepts in XMP only the schemas it predefines and those the packet declares: pdfuaid is declared
_PDFUA_EXTENSION = """
  <rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
    xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
   <pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
    <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
    <pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
    <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
    <pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
     <pdfaProperty:name>part</pdfaProperty:name>
     <pdfaProperty:valueType>Integer</pdfaProperty:valueType>
     <pdfaProperty:category>internal</pdfaProperty:category>
     <pdfaProperty:description>Part of ISO 14289 the file conforms to</pdfaProperty:description>
    </rdf:li></rdf:Seq></pdfaSchema:property>
   </rdf:li></rdf:Bag></pdfaExtension:schemas>
  </rdf:Description>"""


class _Info(PDFInfo):
    """The document information dictionary, without /Trapped (which XMP's PDF/A subset cannot mirror)."""

    def format(self, document) -> bytes:
        d = {"Title": PDFString(self.title), "Author": PDFString(self.author), "Subject": PDFString(self.subject),
             "Keywords": PDFString(self.keywords), "Creator": PDFString(self.creator),
             "Producer": PDFString(self.producer)}
        d["CreationDate"] = d["ModDate"] = PDFDate(ts=document._timeStamp)
        return PDFDictionary(d).format(document)


SLUG = 24.0          # room outside the bleed for crop marks, pt
MARK_LEN = 14.0
MARK_GAP = 3.0       # crop marks stop short of the bleed edge


def _canvas_class(meta: Meta, epoch: int, page: theme.Page, bleed: float, toc_sink: list | None,
                  tree: tagging.Node | None, pdfa: bool, draw: bool = True):
    """A canvas that defers page furniture until the page count is known ("Page 2 of 6"), tags what the
    flowables draw (`tree`: the structure compose built; None: an untagged PDF) and writes the file with
    pdfwrite.

    With a bleed, the media box grows by bleed + slug on each side; the trim box is the paper size, the
    bleed box the trim plus the bleed, and crop marks sit in the slug, outside the bleed."""
    off = bleed + SLUG if bleed else 0.0

    class BriefingCanvas(Canvas):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self._doc._timeStamp = _Stamp(epoch)
            self._doc.info.__class__ = _Info
            self._doc.format = lambda: pdfwrite.write(self._doc)
            self._pages: list[dict] = []
            self._briefing_toc: list = toc_sink if toc_sink is not None else []
            self._tagger = tagging.Tagger(self, tree, meta.lang) if tree is not None else None
            self._briefing_sketch = not draw

        def beginText(self, x: float = 0, y: float = 0, direction=None) -> TextObject:  # noqa: N802
            return TextObject(self, x, y, direction=direction)

        def showPage(self) -> None:  # noqa: N802 - ReportLab API
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            self.addPageLabel(0, style="D", start=1)   # viewers show "2 (2 of 6)" as the page number
            tg = self._tagger
            for state in self._pages:
                self.__dict__.update(state)
                self._furniture(total)
                Canvas.showPage(self)
                if tg is not None:
                    tg.page_done(self._doc.Pages.pages[-1], len(self._doc.Pages.pages))
            if tg is not None:
                tg.finish(total)
            if pdfa:
                from .pdfa import add_output_intent

                add_output_intent(self._doc)
            self._attach_xmp()
            self._attach_named_destinations()
            Canvas.save(self)

        def _artifact(self, kind: str) -> None:
            if self._tagger is not None:
                self._tagger.begin_artifact(kind)

        def _end_artifact(self) -> None:
            if self._tagger is not None:
                self._tagger.end_artifact()

        def _furniture(self, total: int) -> None:
            n = self._pageNumber
            size = theme.SIZES[meta.lang].header
            self.saveState()
            if off:
                self._artifact(tagging.PAGE)
                self._crop_marks()
                self._end_artifact()
                self.translate(off, off)
            if n == 1:
                # The masthead's colour band: full bleed for the print shop; on an office printer, which
                # cannot print at the paper's edge, it spans the text column inside the top margin.
                self._artifact(tagging.LAYOUT)
                self.setFillColor(colors.HexColor(theme.RED))
                if bleed:
                    self.rect(-bleed, page.height - 5, page.width + 2 * bleed, 5 + bleed, stroke=0, fill=1)
                else:
                    self.rect(page.left, page.height - page.top * 0.45, page.width - page.left - page.right, 4,
                              stroke=0, fill=1)
                self._end_artifact()
            self.setFillColor(colors.HexColor(theme.GREY_DARK))
            y_foot = page.bottom * 0.5
            label = meta.page_label.format(n=n, total=total)
            self._artifact(tagging.FOOTER)
            draw_string(self, page.width / 2, y_foot, label, theme.HEAD_FAMILY, False, size, meta.lang, "center")
            self._end_artifact()
            if n > 1:
                y = page.height - page.top * 0.62
                # the left part gives way to the date: shortened with an ellipsis, 2 em clear of it
                room = page.frame_width - 2 * size - line_width(meta.header_right, theme.HEAD_FAMILY, False, size,
                                                                meta.lang)
                left = fit_string(meta.header_left, room, theme.HEAD_FAMILY, False, size, meta.lang)
                self._artifact(tagging.HEADER)
                draw_string(self, page.left, y, left, theme.HEAD_FAMILY, False, size, meta.lang)
                draw_string(self, page.width - page.right, y, meta.header_right, theme.HEAD_FAMILY, False, size,
                            meta.lang, "right")
                self.setStrokeColor(colors.HexColor(theme.RED))
                self.setLineWidth(0.6)
                self.line(page.left, y - 4, page.width - page.right, y - 4)
                self._end_artifact()
            self.restoreState()

        def _crop_marks(self) -> None:
            """Trim marks at the four corners, in the slug, stopping short of the bleed."""
            w, h = page.width, page.height
            near = bleed + MARK_GAP          # distance from the trim edge where a mark starts
            self.setStrokeColor(colors.black)
            self.setLineWidth(0.25)
            for cx, sx in ((off, -1), (off + w, 1)):
                for cy, sy in ((off, -1), (off + h, 1)):
                    self.line(cx + sx * near, cy, cx + sx * (near + MARK_LEN), cy)   # horizontal
                    self.line(cx, cy + sy * near, cx, cy + sy * (near + MARK_LEN))   # vertical

        def _attach_named_destinations(self) -> None:
            """A /Names /Dests tree, so every section can be opened by name (file.pdf#finance)."""
            dests = sorted(self._destinations.items())
            if dests:
                flat: list = []
                for key, dest in dests:
                    flat += [PDFString(key), dest]
                self._doc.Catalog.Names = PDFDictionary({"Dests": PDFDictionary({"Names": PDFArray(flat)})})

        def _attach_xmp(self) -> None:
            # uncompressed and without a /Filter key: PDF/A wants the packet readable as it is
            stream = pdfwrite.RawStream({"Type": PDFName("Metadata"), "Subtype": PDFName("XML")},
                                        _xmp(meta, epoch, pdfa))
            self._doc.Catalog.Metadata = self._doc.Reference(stream)

    return BriefingCanvas


class Laid:
    """A laid-out document whose PDF is written when asked for: a layout pass whose page numbers the table of
    contents cannot use yet (pipeline.py) is never written, which was two thirds of the writing of a long
    briefing. `drawn` False: a sketch (lay_out with draw=False), laid out only, which has no PDF."""

    def __init__(self, doc: BaseDocTemplate, buf: io.BytesIO, drawn: bool = True) -> None:
        self._doc, self._buf, self.drawn = doc, buf, drawn

    def pdf(self) -> bytes:
        """The PDF bytes (page furniture, tags and the file written on the first call)."""
        if not self.drawn:
            raise ValueError("a sketch (lay_out with draw=False) has no PDF")
        if self._doc is not None:
            self._doc.canv.save()
            self._doc = None
        return self._buf.getvalue()


def render(story: list, meta: Meta, *, pagesize: tuple[float, float] = theme.A4, page: theme.Page | None = None,
           bleed: float = 0.0, toc_sink: list | None = None, tree: tagging.Node | None = None,
           pdfa: bool = False) -> bytes:
    """Lay out `story` and return the PDF bytes. `bleed` in pt adds a bleed area with crop marks.
    `toc_sink` receives (level, title, page, key) for every section anchor, in order. `tree` is the
    story's structure (compose's `Story.tree`): given, the PDF is tagged (PDF/UA-1); `pdfa` also makes it
    PDF/A-2u (sRGB output intent, pdfaid)."""
    return lay_out(story, meta, pagesize=pagesize, page=page, bleed=bleed, toc_sink=toc_sink, tree=tree,
                   pdfa=pdfa).pdf()


def lay_out(story: list, meta: Meta, *, pagesize: tuple[float, float] = theme.A4, page: theme.Page | None = None,
            bleed: float = 0.0, toc_sink: list | None = None, tree: tagging.Node | None = None,
            pdfa: bool = False, draw: bool = True) -> Laid:
    """`render`'s layout (`toc_sink` is filled when this returns), the PDF written by `Laid.pdf()`.
    `draw` False: a sketch, only to find where the sections fall: the same pages (wrapping and splitting are
    the same), but text and charts are not drawn (`tagging.sketching`) and nothing is tagged."""
    page = page or theme.Page(*pagesize)
    epoch = creation_epoch(meta.date)
    rl_config.useA85 = 0   # binary streams: ASCII85 would add a quarter to every compressed stream
    buf = io.BytesIO()
    off = bleed + SLUG if bleed else 0.0
    media = (page.width + 2 * off, page.height + 2 * off)
    boxes = {}
    if bleed:
        boxes = dict(trimBox=(off, off, off + page.width, off + page.height),
                     bleedBox=(off - bleed, off - bleed, off + page.width + bleed, off + page.height + bleed))
    doc = BaseDocTemplate(
        buf, pagesize=media, leftMargin=page.left, rightMargin=page.right, topMargin=page.top,
        bottomMargin=page.bottom, **boxes, title=meta.title, author=meta.author, subject=meta.subject,
        keywords=", ".join(meta.keywords), creator=f"briefing {__version__}", producer=PRODUCER,
        invariant=1, pageCompression=1, lang=PDF_LANG[meta.lang], initialFontName=font_name(theme.BODY_FAMILY),
        initialFontSize=10, displayDocTitle=1)
    frame = Frame(off + page.left, off + page.bottom, page.frame_width, page.frame_height, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="first", frames=[frame]),
                          PageTemplate(id="later", frames=[frame])])
    doc._doSave = 0   # (ReportLab's switch: build() lays out and draws the pages; Laid.pdf() saves)
    doc.build([NextPageTemplate("later")] + story,
              canvasmaker=_canvas_class(meta, epoch, page, bleed, toc_sink, tree if draw else None, pdfa, draw))
    return Laid(doc, buf, draw)
