"""Writing the PDF file: ReportLab's objects, serialized as a compact, exact PDF 1.7 file.

ReportLab writes every object as plain text with a cross-reference table of 20 bytes an object. A tagged
briefing has hundreds of small objects (one per structure element), so this writer, which replaces
`PDFDocument.format`, puts every object that is not a stream into compressed object streams and ends the
file with a compressed cross-reference stream (PDF 32000-1 §7.5.7, §7.5.8): the structure tree costs a
few kilobytes instead of tens. Streams stay where they are, written exactly as PDF/A wants them: `stream`
and an end-of-line, `/Length` bytes of data, an end-of-line (CR LF, which no reader can take for part
of data that ends in CR), `endstream` (ReportLab omits the second end-of-line). The file identifier is
a hash of the file's own bytes, so the same input gives the same file.
"""
from __future__ import annotations

import hashlib
import struct
import zlib

from reportlab.pdfbase import pdfdoc

HEADER = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
PER_STREAM = 400          # objects per object stream
_END = b"endstream\n"


def write(doc: pdfdoc.PDFDocument) -> bytes:
    """The whole file for `doc` (a drop-in for `PDFDocument.format`, which `GetPDFData` calls)."""
    doc.encrypt.prepare(doc)
    if doc.encrypt.info():
        raise ValueError("encrypted documents are not supported by this writer")
    cat, info = doc.Catalog, doc.info
    doc.Reference(cat)
    doc.Reference(info)
    parts: list[bytes] = [HEADER]
    offset = len(HEADER)
    entries: dict[int, tuple[int, int, int]] = {0: (0, 0, 65535)}
    packed: list[tuple[int, bytes]] = []
    number = 0
    while True:
        number += 1
        oid = doc.numberToId.get(number)
        if oid is None:
            break
        body = pdfdoc.format(doc.idToObject[oid], doc, toplevel=1)   # may register further objects
        if body.endswith(_END):
            # a stream: keep it in the file body, with the end-of-line before `endstream` that ReportLab
            # leaves out (the data's length, /Length, is unchanged)
            data = b"%d 0 obj\n%s\r\n%sendobj\n" % (number, body[:-len(_END)], _END)
            entries[number] = (1, offset, 0)
            parts.append(data)
            offset += len(data)
        else:
            packed.append((number, body))
    last = number - 1
    for i in range(0, len(packed), PER_STREAM):
        chunk = packed[i:i + PER_STREAM]
        last += 1
        index, bodies, pos = [], [], 0
        for k, (num, body) in enumerate(chunk):
            index.append(b"%d %d" % (num, pos))
            bodies.append(body)
            pos += len(body) + 1
            entries[num] = (2, last, k)
        head = b" ".join(index) + b"\n"
        content = zlib.compress(head + b"\n".join(bodies) + b"\n", 9)
        data = (b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n%s\r\n"
                b"endstream\nendobj\n" % (last, len(chunk), len(head), len(content), content))
        entries[last] = (1, offset, 0)
        parts.append(data)
        offset += len(data)
    xref = last + 1
    entries[xref] = (1, offset, 0)
    size = xref + 1
    rows = b"".join(struct.pack(">BIH", *entries[n]) for n in range(size))
    stream = zlib.compress(rows, 9)
    digest = hashlib.md5(b"".join(parts), usedforsecurity=False).hexdigest().upper()
    root = doc.Reference(cat).format(doc)
    inf = doc.Reference(info).format(doc)
    trailer = (b"%d 0 obj\n<< /Type /XRef /Size %d /W [ 1 4 2 ] /Root %s /Info %s /ID [ <%s> <%s> ] "
               b"/Filter /FlateDecode /Length %d >>\nstream\n%s\r\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n"
               % (xref, size, root, inf, digest.encode(), digest.encode(), len(stream), stream, offset))
    parts.append(trailer)
    return b"".join(parts)


def deflate(data: bytes) -> bytes:
    """zlib at its smallest (level 9, the largest window and memory)."""
    c = zlib.compressobj(9, zlib.DEFLATED, 15, 9)
    return c.compress(data) + c.flush()


class RawStream(pdfdoc.PDFObject):
    """A stream written as given: no filter, no `/Filter` key (the XMP metadata packet, which PDF/A wants
    readable as plain text)."""

    __RefOnly__ = 1

    def __init__(self, entries: dict, data: bytes) -> None:
        self.entries, self.data = entries, data

    def format(self, document) -> bytes:
        d = pdfdoc.PDFDictionary({**self.entries, "Length": len(self.data)})
        return pdfdoc.format(d, document) + b"\nstream\n" + self.data + _END
