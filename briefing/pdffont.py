"""One embedded font per face: a CID-keyed Type0 font that ReportLab's canvas draws with like its own TTFont.

ReportLab's TTFont embeds a TrueType face as 256-glyph simple fonts (a Chinese briefing carried eight), each
with its own widths, ToUnicode map and font program. `CIDFont` embeds each face once per PDF:

    Type0 font  /Encoding /Identity-H, /ToUnicode CMap
      └ CIDFontType2  /CIDSystemInfo (Adobe, Identity, 0), /DW + /W widths, /CIDToGIDMap stream
          └ FontDescriptor  /FontFile2: the TrueType subset (fontfile.FontFile.subset)

Codes. Every distinct character a document draws in a face gets its own CID, 1, 2, 3, … in the order of
first use (CID 0 is never drawn; CID 1 is always the space); the content stream shows each character as its
2-byte CID. The CIDToGIDMap gives each CID its glyph in the subset, and the ToUnicode CMap maps each CID to exactly the
one character it was assigned for, so text extraction gives back exactly what was drawn, even where two
characters share a glyph (a Kangxi radical and its ideograph). Two exceptions, both invisible: U+00A0
(no-break space) is drawn and extracted as U+0020, as ReportLab did; U+0000, U+FEFF and U+FFFE are not
drawn at all, so no CID ever maps to them. `cid_of()` and `char_of()` give the mapping to later stages
(structure tagging, ActualText). The subset's name tag (`ABCDEF+`) is taken from a hash of the glyph
set, so the same document gives the same bytes on every run.
"""
from __future__ import annotations

import hashlib
import os
import sys
import zlib
from array import array
from weakref import WeakKeyDictionary

from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfgen.textobject import PDFTextObject

from .fontfile import FontFile

_NOT_DRAWN = dict.fromkeys(map(ord, "\x00\ufeff\ufffe"), None)
_AS_SPACE = {0xA0: 0x20}


class _Widths(dict):
    """Code point -> advance in 1/1000 em, or None when the face has no glyph for it; filled on first use
    (a CJK face maps 30,000 characters, a briefing uses about a thousand)."""

    __slots__ = ("file",)

    def __init__(self, file: FontFile) -> None:
        super().__init__()
        self.file = file

    def __missing__(self, cp: int) -> float | None:
        g = self.file.glyph_of(cp)
        w = self.file.width(g) if g else None
        self[cp] = w
        return w


class _Face:
    """The attributes of ReportLab's TTFontFace that ReportLab itself reads (registerFont, getAscentDescent)."""

    def __init__(self, file: FontFile) -> None:
        info = file.info
        self.name = info.ps_name.encode("ascii")
        self.ascent, self.descent, self.capHeight = info.ascent, info.descent, info.cap_height
        self.bbox = list(info.bbox)
        self.unitsPerEm = info.units_per_em


class _Encoding:
    name = "Identity-H"


class _DocState:
    """What one PDF document has drawn in one face: the CIDs assigned, and the font's resource name."""

    __slots__ = ("codes", "chars", "name", "__weakref__")

    def __init__(self) -> None:
        self.codes: dict[str, bytes] = {}    # character -> its CID as 2 big-endian bytes
        self.chars: list[str] = []           # CID - 1 -> character
        self.name: str | None = None
        # CID 1 is always the space, drawn or not: text extractors (pypdf) take the font's space width
        # from it to tell a word space from a gap between runs
        self.add(" ")

    def add(self, ch: str) -> bytes:
        if len(self.chars) >= 0xFFFF:
            raise ValueError("more than 65,535 distinct characters in one font")
        self.chars.append(ch)
        code = self.codes[ch] = len(self.chars).to_bytes(2, "big")
        return code


class CIDFont:
    """A registered ReportLab font (pdfmetrics.registerFont) embedding one face as one CID-keyed subset."""

    _dynamicFont = 1     # ReportLab asks us for codes (splitString) and for the PDF objects (addObjects)
    _multiByte = 1
    shapable = False

    def __init__(self, name: str, file: FontFile) -> None:
        self.fontName = name
        self.file = file
        self.face = _Face(file)
        self.encoding = _Encoding()
        self.substitutionFonts: list = []
        self.widths = _Widths(file)
        self._docs: WeakKeyDictionary = WeakKeyDictionary()

    # -- metrics
    def stringWidth(self, text: str, size: float, encoding: str = "utf8") -> float:  # noqa: N802 - ReportLab API
        w = self.widths
        default = self.file.width(0)
        total = 0.0
        for ch in text.translate(_NOT_DRAWN):
            v = w[ord(ch)]
            total += default if v is None else v
        return total * size / 1000.0

    # -- codes
    def _state(self, doc) -> _DocState:
        state = self._docs.get(doc)
        if state is None:
            state = self._docs[doc] = _DocState()
        return state

    def encode(self, text: str, doc) -> bytes:
        """`text` as the 2-byte CIDs this font shows it with in `doc` (assigning new ones as needed)."""
        state = self._state(doc)
        codes = state.codes
        text = text.translate(_NOT_DRAWN).replace("\u00a0", " ")
        try:
            return b"".join([codes[ch] for ch in text])
        except KeyError:
            for ch in text:
                if ch not in codes:
                    state.add(ch)
            return b"".join([codes[ch] for ch in text])

    def splitString(self, text: str, doc, encoding: str = "utf-8") -> list[tuple[int, bytes]]:  # noqa: N802
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        return [(0, self.encode(text, doc))]

    def getSubsetInternalName(self, subset: int, doc) -> str:  # noqa: N802 - ReportLab API
        """The font's resource name in `doc` (/F1, /F2, …), registering it for `addObjects` on first use."""
        state = self._state(doc)
        if state.name is None:
            state.name = f"F{len(doc.fontMapping) + 1}"
            doc.fontMapping[self.fontName] = "/" + state.name
            doc.delayedFonts.append(self)
        return "/" + state.name

    def cid_of(self, ch: str, doc) -> int | None:
        """The CID `ch` is drawn with in `doc`, None if it has not been drawn in this face."""
        state = self._docs.get(doc)
        code = state.codes.get(ch) if state else None
        return int.from_bytes(code, "big") if code else None

    def char_of(self, cid: int, doc) -> str | None:
        """The character CID `cid` stands for in `doc` (what the ToUnicode map gives for it)."""
        state = self._docs.get(doc)
        if state is None or not 1 <= cid <= len(state.chars):
            return None
        return state.chars[cid - 1]

    # -- the PDF objects, written when the document is saved
    def addObjects(self, doc) -> None:  # noqa: N802 - ReportLab API
        state = self._docs.pop(doc, None)
        if state is None or state.name is None:
            return
        file, info = self.file, self.file.info
        gids = [file.glyph_of(ord(ch)) for ch in state.chars]
        # The subset keeps the glyphs in the font's own order: similar glyphs sit together there, and the
        # font program compresses 1.5% smaller than in order of first use (more than the map costs).
        order = [0] + sorted(set(gids) - {0})
        program = file.subset(order)
        new = {g: i for i, g in enumerate(order)}
        cid_to_gid = array("H", [0] + [new[g] for g in gids])
        if sys.byteorder == "little":
            cid_to_gid.byteswap()
        c2g = pdfdoc.PDFStream(pdfdoc.PDFDictionary({"Filter": pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])}),
                               _deflate(cid_to_gid.tobytes()))
        base = f"{_tag(info.ps_name, order)}+{info.ps_name}"

        ff = pdfdoc.PDFStream(pdfdoc.PDFDictionary({"Length1": len(program),
                                                    "Filter": pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])}),
                              deflated_program(program))
        descriptor = pdfdoc.PDFDictionary({
            "Type": pdfdoc.PDFName("FontDescriptor"),
            "FontName": pdfdoc.PDFName(base),
            "Flags": info.flags,
            "FontBBox": pdfdoc.PDFArray([_num(v) for v in info.bbox]),
            "ItalicAngle": _num(info.italic_angle),
            "Ascent": _num(info.ascent),
            "Descent": _num(info.descent),
            "CapHeight": _num(info.cap_height),
            "StemV": info.stem_v,
            "FontFile2": doc.Reference(ff),
        })
        widths = [file.width(g) for g in gids]
        dw, w = _widths_array(widths)
        cidfont = pdfdoc.PDFDictionary({
            "Type": pdfdoc.PDFName("Font"),
            "Subtype": pdfdoc.PDFName("CIDFontType2"),
            "BaseFont": pdfdoc.PDFName(base),
            "CIDSystemInfo": pdfdoc.PDFDictionary({"Registry": pdfdoc.PDFString("Adobe"),
                                                   "Ordering": pdfdoc.PDFString("Identity"), "Supplement": 0}),
            "FontDescriptor": doc.Reference(descriptor),
            "DW": dw,
            "W": w,
            "CIDToGIDMap": doc.Reference(c2g),
        })
        # a character the face lacks is drawn as .notdef: it gets no ToUnicode entry, so extraction shows
        # an unmapped code, not the character (layout checks flag it; glyphs.py keeps it from happening)
        mapped = [ch if g else None for ch, g in zip(state.chars, gids)]
        tounicode = pdfdoc.PDFStream(pdfdoc.PDFDictionary({"Filter": pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])}),
                                     _deflate(to_unicode_cmap(mapped)))
        font = pdfdoc.PDFDictionary({
            "Type": pdfdoc.PDFName("Font"),
            "Subtype": pdfdoc.PDFName("Type0"),
            "BaseFont": pdfdoc.PDFName(base),
            "Encoding": pdfdoc.PDFName("Identity-H"),
            "DescendantFonts": pdfdoc.PDFArray([doc.Reference(cidfont)]),
            "ToUnicode": doc.Reference(tounicode),
        })
        doc.idToObject["BasicFonts"].dict[state.name] = doc.Reference(font, state.name)


class TextObject(PDFTextObject):
    """ReportLab's text object, showing `CIDFont` text as hex strings (`<00010002> Tj`): 4 characters a
    glyph instead of up to 8 for ReportLab's escaped literal strings, no per-byte escaping in Python, and
    a content stream that compresses 6% smaller. Other fonts are shown as ReportLab shows them. A canvas
    uses it when its `beginText` returns it (render.py's canvas does)."""

    def _formatText(self, text: str) -> str:  # noqa: N802 - ReportLab API
        font = pdfmetrics.getFont(self._fontname)
        if not isinstance(font, CIDFont):
            return super()._formatText(text)
        doc = self._canvas._doc
        hexed = font.encode(text, doc).hex()
        if self._curSubset == 0:
            return f"<{hexed}> Tj"
        self._curSubset = 0
        return (f"{font.getSubsetInternalName(0, doc)} {fp_str(self._fontsize)} Tf {fp_str(self._leading)} TL "
                f"<{hexed}> Tj")


# ---- the deflated font programs, cached -----------------------------------------------------------------
#
# Deflating the font programs at level 9 is the largest single cost of writing a Chinese PDF (320 KB of
# near-random glyph data, 25-60 ms), and a rebuild of the same document (or an edit that draws no new
# character) embeds the very same programs. So the deflated form is kept, in this process and in
# $XDG_CACHE_HOME/briefing/fontprograms/, under the SHA-256 of the program and the zlib version that
# deflated it. An entry is used only when its header's checksum holds (cachefile.py) and it inflates to
# exactly the program: a damaged or planted entry can never change what the PDF shows; it is discarded with
# one line on stderr and the program is deflated again (one of another version's format: without a word).

_PROGRAMS: dict[str, bytes] = {}
_PROGRAMS_MAX = 64
_MAGIC, _FORMAT = "briefing-font-program", 1
_CAP = 64 * 1024 * 1024
KEEP = 96          # entries the folder keeps (a briefing has 3-6 faces; a watched one makes a set per edit
#                    that draws a new character): the least recently used go first


def deflated_program(program: bytes) -> bytes:
    """`_deflate(program)`, from the cache when it holds it."""
    key = hashlib.sha256(program).hexdigest() + "-" + zlib.ZLIB_RUNTIME_VERSION
    hit = _PROGRAMS.get(key)
    if hit is not None:
        return hit
    from . import cachefile

    path = cachefile.cache_root() / "fontprograms" / f"{key}.z"
    packed = None
    try:
        packed = cachefile.read_entry(path, _MAGIC, _FORMAT, key, _CAP)
        if packed is not None and _inflate(packed) != program:
            cachefile.discard(path)
            raise cachefile.Problem("does not inflate to the font program it is named for")
        if packed is not None:
            _touch(path)
    except cachefile.Stale:   # kept by another version of briefing: replaced without a word
        packed = None
    except cachefile.Problem as e:
        print(f"briefing: font program cache {path} {e}; discarded, deflated again", file=sys.stderr)
        packed = None
    if packed is None:
        packed = _deflate(program)
        if cachefile.write_entry(path, _MAGIC, _FORMAT, key, packed):
            _prune(path.parent)
    if len(_PROGRAMS) >= _PROGRAMS_MAX:
        _PROGRAMS.pop(next(iter(_PROGRAMS)))
    _PROGRAMS[key] = packed
    return packed


def _touch(path: os.PathLike[str]) -> None:
    try:
        os.utime(path)
    except OSError:
        pass


def _prune(folder: os.PathLike[str]) -> None:
    """Keep the KEEP most recently used entries of the folder."""
    try:
        entries = [(e.stat(follow_symlinks=False).st_mtime_ns, e.path) for e in os.scandir(folder)
                   if e.name.endswith(".z")]
    except OSError:
        return
    for _, p in sorted(entries)[:-KEEP]:
        try:
            os.unlink(p)
        except OSError:
            pass


def _inflate(data: bytes) -> bytes | None:
    try:
        d = zlib.decompressobj()
        out = d.decompress(data, _CAP)
        return out if d.eof and not d.unconsumed_tail and not d.unused_data else None
    except zlib.error:
        return None


def _deflate(data: bytes) -> bytes:
    """zlib at its smallest (level 9, the largest window and memory): font programs are most of a Chinese
    PDF's bytes, and 250 KB of font data takes about 15 ms."""
    c = zlib.compressobj(9, zlib.DEFLATED, 15, 9)
    return c.compress(data) + c.flush()


def _num(v: float) -> float | int:
    return int(v) if float(v).is_integer() else round(v, 3)


def _tag(ps_name: str, gids: list[int]) -> str:
    """Six capital letters from a hash of the face and its glyph set (PDF 32000 §9.6.4: subset tags)."""
    h = int.from_bytes(hashlib.sha256(f"{ps_name}:{gids}".encode()).digest()[:8], "big")
    out = []
    for _ in range(6):
        h, r = divmod(h, 26)
        out.append(chr(65 + r))
    return "".join(out)


def _widths_array(widths: list[float]) -> tuple[float | int, pdfdoc.PDFArray]:
    """(/DW, /W): the commonest width as the default, the others as runs `cid [w w …]` of consecutive CIDs."""
    counts: dict[float, int] = {}
    for v in widths:
        counts[v] = counts.get(v, 0) + 1
    dw = max(sorted(counts), key=counts.__getitem__) if counts else 1000
    out: list = []
    run: list = []
    for cid, v in enumerate(widths, start=1):
        if v == dw:
            continue
        if run and out and out[-2] + len(run) == cid:
            run.append(_num(v))
        else:
            run = [_num(v)]
            out += [cid, run]
    return _num(dw), pdfdoc.PDFArray([x if isinstance(x, int) else pdfdoc.PDFArray(x) for x in out])


def _utf16_hex(ch: str) -> str:
    return ch.encode("utf-16-be").hex().upper()


def to_unicode_cmap(chars: list[str | None]) -> bytes:
    """A ToUnicode CMap mapping CID k (1-based) to chars[k - 1] (None: no entry); codes are 2 bytes.

    Where consecutive CIDs map to consecutive characters, one `bfrange` `<lo> <hi> <first>` maps them all
    (within one high byte of the code and of the character, as the format requires); every other CID is a
    `bfchar` entry. (The array form `<lo> <hi> [<a> <b> …]`, shorter for codes in order of first use, is
    legal PDF, but PDF/UA and PDF/A validators reject it as malformed.)"""
    singles, ranges = [], []
    cid, n = 1, len(chars)
    while cid <= n:
        ch = chars[cid - 1]
        if ch is None:
            cid += 1
            continue
        end = cid
        if len(ch) == 1 and ord(ch) < 0x10000:
            while (end < n and (end + 1) % 256 != 0 and chars[end] is not None and len(chars[end]) == 1
                   and ord(chars[end]) == ord(ch) + (end - cid + 1) and (ord(ch) & 0xFF) + end - cid + 1 < 256):
                end += 1
        if end > cid:
            ranges.append(f"<{cid:04X}> <{end:04X}> <{_utf16_hex(ch)}>")
        else:
            singles.append(f"<{cid:04X}> <{_utf16_hex(ch)}>")
        cid = end + 1
    blocks = []
    for kind, entries in (("bfchar", singles), ("bfrange", ranges)):
        for i in range(0, len(entries), 100):      # at most 100 entries per block
            chunk = entries[i:i + 100]
            blocks.append(f"{len(chunk)} begin{kind}\n" + "\n".join(chunk) + f"\nend{kind}")
    return ("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
            + "\n".join(blocks) +
            "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n").encode("ascii")
