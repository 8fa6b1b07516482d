"""PDF/A-2u (`briefing build --pdfa`): the sRGB output intent.

Everything else PDF/A-2u asks of a briefing is true of every PDF the renderer writes: fonts embedded
with a ToUnicode map for every glyph (pdffont.py), XMP metadata uncompressed and equal to the document
information dictionary (render.py; pdfaid is added with --pdfa), streams with exact lengths and
end-of-lines (pdfwrite.py), no encryption, no JavaScript, no transparency groups without a colour space
(the output intent is the blending space). The colours are DeviceRGB: the output intent says they are
sRGB, with the ICC profile in fonts/sRGB.icc (LittleCMS's built-in sRGB, see fonts/PROVENANCE.md and
scripts/make_srgb_icc.py).
"""
from __future__ import annotations

import zlib
from functools import lru_cache

from reportlab.pdfbase import pdfdoc

from . import bundled
from .errors import BriefingError

ICC_NAME = "sRGB.icc"
_FIX = ("reinstall briefing, or restore fonts/sRGB.icc from the repository (scripts/make_srgb_icc.py makes it "
        "again)")
CONDITION = "sRGB IEC61966-2.1"


@lru_cache(maxsize=1)
def _icc() -> bytes:
    path = bundled.data_dir("fonts") / ICC_NAME     # beside the bundled fonts (not BRIEFING_FONTS: no font)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise BriefingError(f"cannot read the sRGB profile for --pdfa: {e.strerror or e}", _FIX, str(path)) from None
    if len(data) < 132 or data[36:40] != b"acsp" or int.from_bytes(data[:4], "big") != len(data):
        raise BriefingError("the sRGB profile for --pdfa is damaged (not an ICC profile)", _FIX, str(path))
    return data


def add_output_intent(doc: pdfdoc.PDFDocument) -> None:
    """/OutputIntents [<< /S /GTS_PDFA1 … /DestOutputProfile (sRGB) >>] in the catalog."""
    data = _icc()
    profile = pdfdoc.PDFStream(pdfdoc.PDFDictionary({"N": 3}), zlib.compress(data, 9),
                               filters=None)
    profile.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])
    intent = pdfdoc.PDFDictionary({
        "Type": pdfdoc.PDFName("OutputIntent"),
        "S": pdfdoc.PDFName("GTS_PDFA1"),
        "OutputConditionIdentifier": pdfdoc.PDFString(CONDITION),
        "Info": pdfdoc.PDFString(CONDITION),
        "RegistryName": pdfdoc.PDFString("http://www.color.org"),
        "DestOutputProfile": doc.Reference(profile),
    })
    cat = doc.Catalog
    cat.OutputIntents = pdfdoc.PDFArray([intent])
    cat.__NoDefault__ = cat.__NoDefault__ + ["OutputIntents"]
