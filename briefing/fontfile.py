"""TrueType font files: the few tables a PDF needs, read fast, and glyph subsets for embedding.

Standard library only (struct, array, mmap): no ReportLab, no fontTools. ReportLab's reader walks a 15 MB
CJK font two bytes at a time (about 0.1 s per face, a third of a build); this one reads each table it
needs with one `array.frombytes`, and `FontInfo` (everything but the glyph outlines) is small enough to
keep in the font cache (`fonts.py`) as plain arrays.

`subset()` writes a TrueType font holding only the glyphs a document draws (and the components of
composite glyphs), renumbered 0..n-1: the tables a PDF viewer uses for a CIDFontType2 font program
(head, hhea, maxp, hmtx, loca, glyf, the hinting tables when present, and a version 3 post table). No
cmap: the PDF maps codes to glyphs itself (CIDToGIDMap). fontTools.subset does the same job in about
0.6 s per CJK face; this takes a few milliseconds, which is what a warm rebuild can afford.
"""
from __future__ import annotations

import mmap
import struct
import sys
from array import array
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

_SWAP = sys.byteorder == "little"    # TrueType is big-endian


class FontFileError(ValueError):
    """The file is not a TrueType font this module can read."""


def _be_array(code: str, data: bytes) -> array:
    a = array(code)
    a.frombytes(data)
    if _SWAP and a.itemsize > 1:
        a.byteswap()
    return a


@dataclass(frozen=True)
class FontInfo:
    """The face-wide metrics a PDF font descriptor needs, in 1/1000 em (as ReportLab's reader gives them,
    so layout that uses them does not change)."""

    ps_name: str
    units_per_em: int
    ascent: float
    descent: float
    cap_height: float
    bbox: tuple[float, float, float, float]
    italic_angle: float
    stem_v: int
    flags: int
    num_glyphs: int


class FontFile:
    """A TrueType (glyf) font file, memory-mapped: tables are read on demand."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        with open(self.path, "rb") as f:
            try:
                self.data: bytes | mmap.mmap = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
            except ValueError:      # an empty file cannot be mapped
                self.data = b""
        try:
            self.tables = self._directory()
            self.info = self._info()
            self.advances = self._advances()
            self._cmap = self._find_cmap()
            self._long_loca = struct.unpack_from(">h", self.table("head"), 50)[0] == 1
        except (struct.error, IndexError) as e:
            raise FontFileError(f"has a damaged table ({e})") from None

    # -- the table directory
    def _directory(self) -> dict[str, tuple[int, int]]:
        d = self.data
        if len(d) < 12:
            raise FontFileError("is too short for a font file")
        version, count = struct.unpack_from(">IH", d, 0)
        if version == 0x4F54544F:   # 'OTTO'
            raise FontFileError("has PostScript (CFF) outlines; only TrueType outlines can be embedded")
        if version not in (0x00010000, 0x74727565):   # 1.0, 'true'
            raise FontFileError("is not a TrueType font file")
        if len(d) < 12 + 16 * count:
            raise FontFileError("has a truncated table directory")
        tables = {}
        for i in range(count):
            tag, _checksum, off, length = struct.unpack_from(">4sIII", d, 12 + 16 * i)
            if off + length > len(d):
                raise FontFileError(f"has a table {tag.decode('latin-1')!r} that runs past the end of the file")
            tables[tag.decode("latin-1")] = (off, length)
        for need in ("head", "hhea", "maxp", "hmtx", "cmap", "loca", "glyf"):
            if need not in tables:
                raise FontFileError(f"has no {need!r} table")
        return tables

    def table(self, tag: str) -> bytes:
        off, length = self.tables[tag]
        return self.data[off:off + length]

    def sha256(self) -> str:
        import hashlib

        return hashlib.sha256(self.data).hexdigest()

    # -- metrics
    def _info(self) -> FontInfo:
        head = self.table("head")
        upm = struct.unpack_from(">H", head, 18)[0]
        if not 16 <= upm <= 16384:
            raise FontFileError(f"has an impossible unitsPerEm ({upm})")
        x0, y0, x1, y1 = struct.unpack_from(">hhhh", head, 36)
        n_hmetrics = struct.unpack_from(">H", self.table("hhea"), 34)[0]
        num_glyphs = struct.unpack_from(">H", self.table("maxp"), 4)[0]
        if not 1 <= n_hmetrics <= num_glyphs or self.tables["hmtx"][1] < 2 * (n_hmetrics + num_glyphs):
            raise FontFileError("has an hmtx table that does not match hhea and maxp")

        def k(v: float) -> float:
            return v if upm == 1000 else v * 1000 / upm

        # The same metrics and flags ReportLab's reader gives, so layout (and the PDF) do not change.
        weight, ascent, descent, cap = 500, k(y1), k(y0), k(y1)
        if "OS/2" in self.tables:
            os2 = self.table("OS/2")
            version, weight = struct.unpack_from(">HxxH", os2, 0)
            fs_type = struct.unpack_from(">H", os2, 8)[0]
            if fs_type == 0x0002 or fs_type & 0x0300:
                raise FontFileError("does not allow embedding as a subset (OS/2 fsType)")
            asc, desc = struct.unpack_from(">hh", os2, 68)
            ascent, descent = k(asc), k(desc)
            cap = k(struct.unpack_from(">h", os2, 88)[0]) if version > 1 else ascent
        italic, fixed = 0.0, 0
        if "post" in self.tables:
            post = self.table("post")
            whole, frac = struct.unpack_from(">hH", post, 4)
            italic = whole + frac / 65536.0
            fixed = struct.unpack_from(">I", post, 12)[0]
        flags = 4 | (64 if italic else 0) | (0x40000 if weight >= 600 else 0) | (1 if fixed else 0)
        return FontInfo(ps_name=self._ps_name(), units_per_em=upm, ascent=ascent, descent=descent,
                        cap_height=cap, bbox=(k(x0), k(y0), k(x1), k(y1)), italic_angle=italic,
                        stem_v=50 + int((weight / 65.0) ** 2), flags=flags, num_glyphs=num_glyphs)

    def _advances(self) -> array:
        """Advance width of every glyph, font units: hmtx holds n (advance, side bearing) pairs, and the
        glyphs after them repeat the last advance."""
        n = struct.unpack_from(">H", self.table("hhea"), 34)[0]
        off = self.tables["hmtx"][0]
        adv = _be_array("H", self.data[off:off + 4 * n])[0::2]
        adv.extend(array("H", [adv[-1]]) * (self.info.num_glyphs - n))
        return adv

    def width(self, gid: int) -> float:
        """Advance of a glyph in 1/1000 em."""
        a = self.advances[gid]
        upm = self.info.units_per_em
        return a if upm == 1000 else a * 1000 / upm

    def _ps_name(self) -> str:
        """The PostScript name (name ID 6), Windows or Mac record; the file name if there is none."""
        if "name" in self.tables:
            name = self.table("name")
            count, strings = struct.unpack_from(">xxHH", name, 0)
            found = {}
            for i in range(count):
                pid, _eid, _lang, nid, length, off = struct.unpack_from(">HHHHHH", name, 6 + 12 * i)
                if nid == 6:
                    raw = name[strings + off:strings + off + length]
                    found[pid] = raw.decode("utf-16-be" if pid in (0, 3) else "latin-1", "replace")
            for pid in (3, 1, 0):
                text = "".join(ch for ch in found.get(pid, "") if ch.isascii() and ch.isalnum() or ch in "-_")
                if text:
                    return text[:63]
        return "".join(ch for ch in self.path.stem if ch.isascii() and ch.isalnum() or ch in "-_")[:63] or "Font"

    # -- the character map, looked up lazily: a CJK face maps 30,000 characters, a document uses 1,000
    def _find_cmap(self) -> tuple:
        """The Unicode cmap subtable: format 12 when the font has it (all of Unicode), else format 4 (the
        Basic Multilingual Plane), as arrays to search: (12, starts, ends, first glyphs) or
        (4, starts, ends, deltas, range offsets, offset of the range offsets)."""
        cmap = self.table("cmap")
        base = self.tables["cmap"][0]
        count = struct.unpack_from(">H", cmap, 2)[0]
        best: tuple[int, int] | None = None
        for i in range(count):
            pid, eid, off = struct.unpack_from(">HHI", cmap, 4 + 8 * i)
            fmt = struct.unpack_from(">H", cmap, off)[0]
            if (pid == 0 or (pid == 3 and eid in (1, 10))) and fmt in (4, 12):
                if best is None or fmt > best[0]:
                    best = (fmt, off)
        if best is None:
            raise FontFileError("has no Unicode character map (cmap format 4 or 12)")
        fmt, off = best
        if fmt == 12:
            n = struct.unpack_from(">I", cmap, off + 12)[0]
            groups = _be_array("I", cmap[off + 16:off + 16 + 12 * n])
            if len(groups) != 3 * n:
                raise FontFileError("has a truncated cmap")
            return (12, groups[0::3], groups[1::3], groups[2::3])
        seg2 = struct.unpack_from(">H", cmap, off + 6)[0]
        ends = _be_array("H", cmap[off + 14:off + 14 + seg2])
        starts = _be_array("H", cmap[off + 16 + seg2:off + 16 + 2 * seg2])
        deltas = _be_array("H", cmap[off + 16 + 2 * seg2:off + 16 + 3 * seg2])
        ro_at = off + 16 + 3 * seg2
        ranges = _be_array("H", cmap[ro_at:ro_at + seg2])
        return (4, starts, ends, deltas, ranges, base + ro_at)

    def glyph_of(self, cp: int) -> int:
        """The glyph the font draws for code point `cp`; 0 (.notdef) when it has none."""
        cm = self._cmap
        i = bisect_left(cm[2], cp)         # the first group/segment ending at or after cp
        if i >= len(cm[2]) or cm[1][i] > cp:
            return 0
        if cm[0] == 12:
            g = cm[3][i] + cp - cm[1][i]
        elif cm[4][i] == 0:
            g = (cp + cm[3][i]) & 0xFFFF
        else:
            at = cm[5] + 2 * i + cm[4][i] + 2 * (cp - cm[1][i])
            g = struct.unpack_from(">H", self.data, at)[0] if at + 2 <= len(self.data) else 0
            if g:
                g = (g + cm[3][i]) & 0xFFFF
        return g if g < self.info.num_glyphs else 0

    def code_points(self) -> list[int]:
        """Every code point the font maps (for tests and tools; layout looks characters up one by one)."""
        out = []
        cm = self._cmap
        for i in range(len(cm[1])):
            out += [c for c in range(cm[1][i], min(cm[2][i], 0x10FFFF) + 1) if self.glyph_of(c)]
        return out

    # -- glyph outlines
    def _loca(self, gid: int) -> tuple[int, int]:
        off, length = self.tables["loca"]
        if self._long_loca:
            if 4 * gid + 8 > length:
                return 0, 0
            return struct.unpack_from(">II", self.data, off + 4 * gid)
        if 2 * gid + 4 > length:
            return 0, 0
        a, b = struct.unpack_from(">HH", self.data, off + 2 * gid)
        return 2 * a, 2 * b

    def glyph(self, gid: int) -> bytes:
        """The glyf record of `gid` (empty for a blank glyph)."""
        start, end = self._loca(gid)
        off, length = self.tables["glyf"]
        if end <= start or end > length:
            return b""
        return self.data[off + start:off + end]

    def glyph_bounds(self, gid: int) -> tuple[int, int, int, int] | None:
        """(x_min, y_min, x_max, y_max) of a glyph's outline in font units, None for a blank glyph."""
        g = self.glyph(gid)
        if len(g) < 10:
            return None
        return struct.unpack_from(">hhhh", g, 2)

    # -- subsetting
    def subset(self, glyphs: list[int]) -> bytes:
        """A TrueType font whose glyph i is this font's glyph `glyphs[i]` (glyph 0 should be 0, .notdef),
        followed by the glyphs that composite glyphs among them use as components. A glyph listed twice
        is stored twice, so each position has its own glyph (a PDF's CID can then be its glyph id)."""
        order = list(glyphs)
        if any(not 0 <= g < self.info.num_glyphs for g in order):
            raise ValueError("glyph id out of range")
        new: dict[int, int] = {}
        for i, g in enumerate(order):
            new.setdefault(g, i)
        at = 0
        while at < len(order):           # composite glyphs draw other glyphs: keep those too
            for comp in _components(self.glyph(order[at])):
                if comp not in new and comp < self.info.num_glyphs:
                    new[comp] = len(order)
                    order.append(comp)
            at += 1
        glyf = bytearray()
        loca = array("I")
        for old in order:
            loca.append(len(glyf))
            g = self.glyph(old)
            if g and struct.unpack_from(">h", g, 0)[0] < 0:
                g = _renumber(g, new)
            glyf += g
            glyf += b"\0" * (-len(glyf) % 4)
        loca.append(len(glyf))
        long_loca = loca[-1] >= 0x20000
        if not long_loca:
            loca = array("H", (v // 2 for v in loca))
        if _SWAP:
            loca.byteswap()

        info_hm = _be_array("H", self.table("hmtx"))
        n_hm = struct.unpack_from(">H", self.table("hhea"), 34)[0]
        metrics = []
        for old in order:
            if old < n_hm:
                adv, lsb = info_hm[2 * old], info_hm[2 * old + 1]
            else:
                adv = info_hm[2 * (n_hm - 1)]
                lsb = info_hm[2 * n_hm + (old - n_hm)] if 2 * n_hm + (old - n_hm) < len(info_hm) else 0
            metrics.append((adv, lsb))
        # the trailing glyphs that share the last advance need only their side bearings
        n_long = len(metrics)
        while n_long > 1 and metrics[n_long - 2][0] == metrics[-1][0]:
            n_long -= 1
        hmtx = array("H")
        for adv, lsb in metrics[:n_long]:
            hmtx.extend((adv, lsb))
        hmtx.extend(lsb for _adv, lsb in metrics[n_long:])
        if _SWAP:
            hmtx.byteswap()

        head = bytearray(self.table("head")[:54])
        struct.pack_into(">I", head, 8, 0)                       # checkSumAdjustment, set below
        struct.pack_into(">h", head, 50, 1 if long_loca else 0)  # indexToLocFormat
        hhea = bytearray(self.table("hhea")[:36])
        struct.pack_into(">H", hhea, 34, n_long)
        maxp = bytearray(self.table("maxp"))
        struct.pack_into(">H", maxp, 4, len(order))
        post = bytearray(self.table("post")[:32]) if "post" in self.tables else bytearray(32)
        struct.pack_into(">I", post, 0, 0x00030000)               # version 3: no glyph names
        post[16:32] = bytes(16)
        tables = {"head": bytes(head), "hhea": bytes(hhea), "maxp": bytes(maxp), "hmtx": hmtx.tobytes(),
                  "loca": loca.tobytes(), "glyf": bytes(glyf), "post": bytes(post)}
        for tag in ("cvt ", "fpgm", "prep"):
            if tag in self.tables:
                tables[tag] = self.table(tag)
        return _sfnt(tables)

    # --
    def close(self) -> None:
        if isinstance(self.data, mmap.mmap):
            self.data.close()


# composite glyph flags
_ARGS_WORDS, _HAVE_SCALE, _MORE, _XY_SCALE, _TWO_BY_TWO = 0x0001, 0x0008, 0x0020, 0x0040, 0x0080


def _component_offsets(g: bytes) -> Iterable[int]:
    """Offsets of the glyph index fields of a composite glyph's components."""
    if len(g) < 10 or struct.unpack_from(">h", g, 0)[0] >= 0:
        return
    at = 10
    while at + 4 <= len(g):
        flags = struct.unpack_from(">H", g, at)[0]
        yield at + 2
        at += 4 + (4 if flags & _ARGS_WORDS else 2)
        at += 2 if flags & _HAVE_SCALE else 4 if flags & _XY_SCALE else 8 if flags & _TWO_BY_TWO else 0
        if not flags & _MORE:
            return


def _components(g: bytes) -> list[int]:
    return [struct.unpack_from(">H", g, at)[0] for at in _component_offsets(g)]


def _renumber(g: bytes, new: dict[int, int]) -> bytes:
    out = bytearray(g)
    for at in _component_offsets(g):
        struct.pack_into(">H", out, at, new.get(struct.unpack_from(">H", g, at)[0], 0))
    return bytes(out)


def _checksum(data: bytes) -> int:
    """The sfnt checksum: the sum of the data's big-endian 32-bit words (zero-padded), modulo 2**32."""
    padded = data + b"\0" * (-len(data) % 4)
    return sum(_be_array("I", padded)) & 0xFFFFFFFF


try:   # ReportLab's C accelerator (rl-accel) has the same function, 15 times faster (tests check they agree)
    from _rl_accel import calcChecksum as _checksum_c
except ImportError:  # pragma: no cover - installed without rl-accel
    _checksum_c = _checksum


def _sfnt(tables: dict[str, bytes]) -> bytes:
    """An sfnt file from its tables: directory sorted by tag, tables 4-byte aligned, checksums and the
    head table's checkSumAdjustment set (the file then sums to 0xB1B0AFBA)."""
    tags = sorted(tables)
    n = len(tags)
    pow2 = 1 << (n.bit_length() - 1)
    header = struct.pack(">IHHHH", 0x00010000, n, 16 * pow2, pow2.bit_length() - 1, 16 * (n - pow2))
    offset = 12 + 16 * n
    records, body = [], bytearray()
    for tag in tags:
        data = tables[tag]
        records.append(struct.pack(">4sIII", tag.encode("latin-1"), _checksum_c(data), offset + len(body), len(data)))
        body += data
        body += b"\0" * (-len(data) % 4)
    font = bytearray(header + b"".join(records) + body)
    head_at = 12 + 16 * n + sum(len(tables[t]) + (-len(tables[t]) % 4) for t in tags[:tags.index("head")])
    struct.pack_into(">I", font, head_at + 8, (0xB1B0AFBA - _checksum_c(bytes(font))) & 0xFFFFFFFF)
    return bytes(font)
