"""Fonts: our TrueType reader against fontTools, the subsets it writes, and the CID-keyed fonts in a PDF
(one per face, every drawn code mapped back to exactly the character drawn)."""
from __future__ import annotations

import hashlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pdfplumber
import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import ContentStream
from reportlab.pdfgen import canvas
from tagged_pdf import parse_to_unicode

from briefing import fonts
from briefing.fontfile import FontFile, FontFileError
from briefing.pdffont import to_unicode_cmap

ROOT = Path(__file__).resolve().parent.parent
FONTS = ROOT / "fonts"


@pytest.mark.parametrize("name", ["NotoSerif-Regular.ttf", "NotoSansSC-Bold.ttf"])
def test_reader_agrees_with_fonttools(name: str) -> None:
    ours = FontFile(FONTS / name)
    ref = TTFont(str(FONTS / name), lazy=True)
    order = ref.getGlyphOrder()
    cmap = ref.getBestCmap()
    assert ours.info.ps_name == ref["name"].getDebugName(6)
    assert ours.info.units_per_em == ref["head"].unitsPerEm
    assert ours.info.num_glyphs == len(order)
    assert {cp: ref.getGlyphID(g) for cp, g in cmap.items() if ref.getGlyphID(g)} == \
        {cp: ours.glyph_of(cp) for cp in ours.code_points()}
    assert [ref["hmtx"][g][0] for g in order] == list(ours.advances)
    assert ours.glyph_of(0x10FFFF) == 0 and ours.glyph_of(0xE000) == 0   # unmapped: .notdef


def _outline(font: TTFont, gid: int) -> tuple:
    glyf = font["glyf"]
    g = glyf[font.getGlyphOrder()[gid]]
    if g.numberOfContours == 0:
        return ()
    coords, ends, flags = g.getCoordinates(glyf)
    return list(coords), list(ends), list(flags)


def test_subset_keeps_outlines_advances_and_composites() -> None:
    path = FONTS / "NotoSerif-Regular.ttf"
    ours, ref = FontFile(path), TTFont(str(path))
    text = 'Jiaozuo "GDP" ½ — naïve'
    gids = [0] + sorted({ours.glyph_of(ord(c)) for c in text} - {0})
    composite = [g for g in gids if ref["glyf"][ref.getGlyphOrder()[g]].isComposite()]
    assert composite, "the sample text should use a composite glyph (\" and ½ are in Noto Serif)"
    data = ours.subset(gids)
    sub = TTFont(io.BytesIO(data), checkChecksums=2)      # raises on a wrong table checksum
    assert sum(int.from_bytes(data[i:i + 4], "big") for i in range(0, len(data), 4)) & 0xFFFFFFFF == 0xB1B0AFBA
    assert "cmap" not in sub and sub["maxp"].numGlyphs >= len(gids)
    for new, old in enumerate(gids):
        assert _outline(sub, new) == _outline(ref, old)
        assert sub["hmtx"][sub.getGlyphOrder()[new]] == ref["hmtx"][ref.getGlyphOrder()[old]]
    # the components of composite glyphs came along, renumbered
    for new in range(len(gids)):
        g = sub["glyf"][sub.getGlyphOrder()[new]]
        if g.isComposite():
            assert all(sub.getGlyphID(c.glyphName) < sub["maxp"].numGlyphs for c in g.components)


def test_not_a_truetype_font_is_refused(tmp_path: Path) -> None:
    for content, words in ((b"", "too short"), (b"OTTO" + bytes(40), "CFF"), (b"\x00\x01\x00\x00\x00\x05" + bytes(6),
                                                                             "truncated")):
        bad = tmp_path / "bad.ttf"
        bad.write_bytes(content)
        with pytest.raises(FontFileError, match=words):
            FontFile(bad)


@pytest.mark.slow
def test_damaged_font_is_one_line_error(tmp_path: Path) -> None:
    folder = tmp_path / "fonts"
    folder.mkdir()
    for f in FONTS.glob("*.ttf"):
        (folder / f.name).symlink_to(f)
    (folder / "NotoSerifSC-Regular.ttf").unlink()
    (folder / "NotoSerifSC-Regular.ttf").write_bytes((FONTS / "NotoSerifSC-Regular.ttf").read_bytes()[:5000])
    r = subprocess.run([sys.executable, "-m", "briefing", "check", str(ROOT / "content" / "jiaozuo-2025-h1.yaml")],
                       capture_output=True, text=True, cwd=ROOT, timeout=120,
                       env={**os.environ, "BRIEFING_FONTS": str(folder)})
    assert r.returncode == 1, r.stderr
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert r.stderr.startswith(f"{folder / 'NotoSerifSC-Regular.ttf'}: damaged or wrong font file: it ")
    assert r.stderr.endswith(f" — put the bundled font files into BRIEFING_FONTS ({folder}), or unset "
                             "BRIEFING_FONTS to use the fonts that come with briefing\n")


def test_to_unicode_cmap_entries() -> None:
    chars = [" ", "一", "\U00020BB7", None, "A"] + ["字"] * 300
    chars += ["a", "b", "c", "x", "\u4e00", "\u4e01", "\u4dff", "\u4e02"]
    cmap = to_unicode_cmap(chars).decode("ascii")
    assert "<0003> <D842DFB7>" in cmap                  # outside the BMP: a UTF-16 surrogate pair
    assert "<0004>" not in cmap                          # no entry for CID 4 (.notdef)
    assert "[" not in cmap                               # no array ranges: validators reject them
    assert "<0132> <0134> <0061>" in cmap                # consecutive codes and characters: one range
    assert "<0136> <0137> <4E00>" in cmap and "<0138> <4DFF>" in cmap and "<0139> <4E02>" in cmap
    assert parse_to_unicode(cmap) == {cid: ch for cid, ch in enumerate(chars, start=1) if ch}
    assert max(int(n) for n in re.findall(r"(\d+) beginbf", cmap)) <= 100


def test_characters_sharing_a_glyph_extract_as_drawn(tmp_path: Path) -> None:
    """U+2F00 (Kangxi radical one) and U+4E00 share a glyph in Noto Serif SC; each keeps its own code, so
    extraction gives back what was drawn. The face is embedded once, however many characters it sets."""
    f = FontFile(fonts.font_path("serif"))
    assert f.glyph_of(0x2F00) == f.glyph_of(0x4E00) != 0
    text = "⼀一二三\u00a0ABC" + "".join(chr(c) for c in range(0x4E00, 0x4E00 + 400) if f.glyph_of(c))
    pdf = tmp_path / "t.pdf"
    c = canvas.Canvas(str(pdf), invariant=1, initialFontName=fonts.font_name("serif"))
    c.setFont(fonts.font_name("serif"), 10)
    for i in range(0, len(text), 40):
        c.drawString(20, 800 - i / 40 * 12, text[i:i + 40])
    c.showPage()
    c.save()
    with pdfplumber.open(pdf) as doc:
        got = "".join(ch["text"] for ch in doc.pages[0].chars)
    assert got == text.replace("\u00a0", " ")
    reader = PdfReader(pdf)
    fonts_used = list(reader.pages[0]["/Resources"]["/Font"].values())
    assert len(fonts_used) == 1
    f0 = fonts_used[0].get_object()
    assert f0["/Subtype"] == "/Type0" and f0["/Encoding"] == "/Identity-H"
    assert re.fullmatch(r"/[A-Z]{6}\+NotoSerifSC-Regular", f0["/BaseFont"])


def _tounicode(font) -> dict[int, str]:
    return parse_to_unicode(font["/ToUnicode"].get_object().get_data().decode("ascii"))


def _widths(cidfont) -> dict[int, float]:
    w, out = list(cidfont.get("/W", [])), {}
    i = 0
    while i < len(w):
        first, run = int(w[i]), w[i + 1]
        for k, v in enumerate(run):
            out[first + k] = float(v)
        i += 2
    return out


def check_cid_fonts(path: Path) -> None:
    """Every font of the PDF is a CID-keyed Type0 font, each face once; every 2-byte code drawn has a
    ToUnicode entry that is one real character (never U+0000, U+FEFF or U+FFFE), and its /W width is the
    face's advance for that character."""
    reader = PdfReader(path)
    faces: dict[str, int] = {}
    drawn = 0
    for page in reader.pages:
        stack = [page]
        while stack:
            obj = stack.pop()
            res = obj.get("/Resources")
            if res is None:
                continue
            res = res.get_object()
            for x in (res.get("/XObject") or {}).values():
                stack.append(x.get_object())
            fonts_here = {name: ref.get_object() for name, ref in (res.get("/Font") or {}).items()}
            for name, ref in (res.get("/Font") or {}).items():
                faces.setdefault(fonts_here[name]["/BaseFont"].split("+")[1], ref.idnum)
                assert faces[fonts_here[name]["/BaseFont"].split("+")[1]] == ref.idnum, "a face embedded twice"
            maps = {name: _tounicode(f) for name, f in fonts_here.items()}
            for name, f in fonts_here.items():
                assert f["/Subtype"] == "/Type0" and f["/Encoding"] == "/Identity-H"
                d = f["/DescendantFonts"][0].get_object()
                assert d["/Subtype"] == "/CIDFontType2" and d["/CIDSystemInfo"]["/Ordering"] == "Identity"
                assert "/FontFile2" in d["/FontDescriptor"].get_object()
                assert all(len(u) == 1 and u not in "\x00\ufeff\ufffe" for u in maps[name].values())
                ps = f["/BaseFont"].split("+")[1]
                face = next((fa, b) for (fa, b), n in fonts._NAMES.items() if fonts.font_file(fa, b).info.ps_name == ps)
                dw, w = float(d.get("/DW", 1000)), _widths(d)
                for code, ch in maps[name].items():
                    assert w.get(code, dw) == fonts.widths(*face)[ord(ch)], (ps, ch)
            contents = obj.get_contents() if hasattr(obj, "get_contents") else obj
            if contents is None:
                continue
            current = None
            for operands, op in ContentStream(contents, reader).operations:
                if op == b"Tf":
                    current = operands[0]
                elif op in (b"Tj", b"TJ"):
                    parts = operands[0] if op == b"TJ" else [operands[0]]
                    for s in parts:
                        if isinstance(s, (int, float)):
                            continue
                        raw = s.original_bytes if hasattr(s, "original_bytes") else bytes(s)
                        assert len(raw) % 2 == 0
                        for i in range(0, len(raw), 2):
                            code = int.from_bytes(raw[i:i + 2], "big")
                            assert code in maps[current], f"code {code} drawn in {current} has no ToUnicode entry"
                            drawn += 1
    assert faces and drawn > 1000


# --- the hyphenation cache (#16: an entry carries and verifies its key and checksum; damage is one line) ---

def _hyphen_cache(tmp_path, monkeypatch):
    from briefing.typeset import hyphen

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    hyphen.patterns.cache_clear()
    hyphen.hyphen_points.cache_clear()
    assert hyphen.hyphen_points("hyphenation") == (2, 6)        # parsed, and the entry written
    entry = hyphen.cache_dir() / "hyph_en_US.json"
    assert entry.is_file()
    return hyphen, entry


def _damage_cases(data: bytes) -> dict[str, bytes]:
    head, _, payload = data.partition(b"\n")
    flipped = bytearray(data)
    flipped[len(head) + 40] ^= 0x01
    import json as _json

    h = _json.loads(head)
    other_key = _json.dumps({**h, "key": "en_US-" + "0" * 32}, sort_keys=True).encode() + b"\n" + payload
    wrong_shape = b'{"maxlen":28,"patterns":[]}'
    h2 = {**h, "bytes": len(wrong_shape), "sha256": hashlib.sha256(wrong_shape).hexdigest()}
    return {"one flipped byte": bytes(flipped), "truncated": data[: len(data) // 2], "empty": b"",
            "no header": payload, "another key": other_key, "garbage": b"\x00\xff" * 100,
            "wrong shape": _json.dumps(h2, sort_keys=True).encode() + b"\n" + wrong_shape}


@pytest.mark.slow
def test_damaged_hyphenation_cache_is_discarded_in_one_line_and_rebuilt(tmp_path, monkeypatch, capsys):
    hyphen, entry = _hyphen_cache(tmp_path, monkeypatch)
    good = entry.read_bytes()
    for what, data in _damage_cases(good).items():
        entry.write_bytes(data)
        hyphen.patterns.cache_clear()
        hyphen.hyphen_points.cache_clear()
        capsys.readouterr()
        assert hyphen.hyphen_points("hyphenation") == (2, 6), what
        err = capsys.readouterr().err
        if what == "another key":                   # a table kept for another pyphen: stale, replaced without
            assert err == "", (what, err)           # a word after an upgrade
        elif data:
            assert err.count("\n") == 1 and "hyphenation cache" in err and str(entry) in err, (what, err)
        assert entry.read_bytes() == good, what                      # recomputed and stored again
    # a symbolic link or a FIFO in its place is refused, never followed or read
    entry.unlink()
    target = tmp_path / "elsewhere.json"
    target.write_bytes(good)
    entry.symlink_to(target)
    hyphen.patterns.cache_clear()
    hyphen.hyphen_points.cache_clear()
    assert hyphen.hyphen_points("hyphenation") == (2, 6)
    assert "symbolic link" in capsys.readouterr().err and not entry.is_symlink()
    entry.unlink()
    os.mkfifo(entry)
    hyphen.patterns.cache_clear()
    assert hyphen.hyphen_points("acceleration") == (2, 5, 7, 8)     # pyphen: ac-cel-er-a-tion
    assert "not a regular file" in capsys.readouterr().err


def test_hyphenation_cache_leaves_no_temporary_files(tmp_path, monkeypatch):
    import time

    from briefing import cachefile

    hyphen, entry = _hyphen_cache(tmp_path, monkeypatch)
    folder = entry.parent
    assert [p.name for p in folder.iterdir()] == [entry.name]
    stale = folder / f"{cachefile.TMP_PREFIX}killed.part"        # as a write killed mid-way leaves it
    stale.write_bytes(b"half")
    old = time.time() - cachefile.STALE_S - 1
    os.utime(stale, (old, old))
    fresh = folder / f"{cachefile.TMP_PREFIX}in-flight.part"      # another process writing right now
    fresh.write_bytes(b"half")
    cachefile._swept.clear()
    entry.unlink()
    hyphen.patterns.cache_clear()
    hyphen.hyphen_points.cache_clear()
    hyphen.hyphen_points("hyphenation")
    assert sorted(p.name for p in folder.iterdir()) == sorted([entry.name, fresh.name])


def test_read_only_hyphenation_cache_still_hyphenates(tmp_path, monkeypatch, capsys):
    hyphen, entry = _hyphen_cache(tmp_path, monkeypatch)
    entry.unlink()
    entry.parent.chmod(0o500)
    try:
        hyphen.patterns.cache_clear()
        hyphen.hyphen_points.cache_clear()
        assert hyphen.hyphen_points("hyphenation") == (2, 6)
        assert capsys.readouterr().err == ""
    finally:
        entry.parent.chmod(0o700)


def _program_pdf(text: str) -> bytes:
    """A one-page PDF setting `text` in the Chinese serif face (its program deflated through the cache)."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1, initialFontName=fonts.font_name("serif"))
    c.setFont(fonts.font_name("serif"), 10)
    c.drawString(20, 800, text)
    c.showPage()
    c.save()
    return buf.getvalue()


def _font_program(pdf: bytes) -> bytes:
    font = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"]
    cid = next(iter(font.values())).get_object()["/DescendantFonts"][0].get_object()
    return cid["/FontDescriptor"]["/FontFile2"].get_object().get_data()


def test_font_program_cache_gives_the_same_pdf_and_damaged_or_planted_entries_are_refused(
        tmp_path, monkeypatch, capsys):
    """The deflated font programs are cached (pdffont.deflated_program); a PDF made from the cache is
    byte-identical to one made without it, and an entry that is damaged, or planted with a valid checksum
    but another program inside, is discarded in one line on stderr and never reaches the PDF."""
    import zlib

    from briefing import cachefile, pdffont

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    pdffont._PROGRAMS.clear()
    text = "焦作市上半年地区生产总值同比增长"
    fresh = _program_pdf(text)
    folder = tmp_path / "briefing" / "fontprograms"
    [entry] = list(folder.iterdir())
    good = entry.read_bytes()
    pdffont._PROGRAMS.clear()
    assert _program_pdf(text) == fresh                                   # read back from the file
    assert _program_pdf(text) == fresh                                   # and from this process's memo
    other = zlib.compress(_font_program(_program_pdf("另一段文字")), 9)
    key = entry.name[:-2]
    planted = cachefile.encode(pdffont._MAGIC, pdffont._FORMAT, key, other)
    cases = {**_damage_cases(good), "planted: another program, valid checksum": planted}
    for what, data in cases.items():
        entry.write_bytes(data)
        pdffont._PROGRAMS.clear()
        capsys.readouterr()
        assert _program_pdf(text) == fresh, what
        err = capsys.readouterr().err
        if data:
            assert err.count("\n") == 1 and "font program cache" in err and str(entry) in err, (what, err)
        assert entry.read_bytes() == good, what                      # deflated and stored again
    assert zlib.decompress(good.partition(b"\n")[2]) == _font_program(fresh)
    # an entry in another version's format (after an upgrade) is replaced without a word
    stale = good.replace(f'"{pdffont._MAGIC}": {pdffont._FORMAT}'.encode(), f'"{pdffont._MAGIC}": 0'.encode())
    assert stale != good
    entry.write_bytes(stale)
    pdffont._PROGRAMS.clear()
    capsys.readouterr()
    assert _program_pdf(text) == fresh and capsys.readouterr().err == ""
    assert entry.read_bytes() == good


def test_font_program_cache_keeps_the_most_recently_used(tmp_path, monkeypatch):
    from briefing import pdffont

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(pdffont, "KEEP", 3)
    pdffont._PROGRAMS.clear()
    folder = tmp_path / "briefing" / "fontprograms"
    for i, ch in enumerate("一二三四五"):
        _program_pdf(ch)
        assert len(list(folder.iterdir())) == min(i + 1, 3)


def test_sfnt_checksum_accelerated_agrees() -> None:
    """fontfile uses rl-accel's checksum when installed; it must agree with ours on every length."""
    from briefing import fontfile

    rnd = hashlib.sha256(b"seed").digest() * 4000
    for n in (0, 1, 2, 3, 4, 5, 7, 8, 999, 100_001):
        assert fontfile._checksum_c(rnd[:n]) == fontfile._checksum(rnd[:n]), n
