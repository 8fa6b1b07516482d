#!/usr/bin/env python3
"""Write fonts/sRGB.icc: the sRGB ICC profile of PDF/A output intents (`briefing build --pdfa`).

The profile is LittleCMS's built-in sRGB (cmsCreate_sRGBProfile: IEC 61966-2.1 primaries, D65 white point
adapted to D50, the sRGB tone curve), made through Pillow's ImageCms, which ReportLab already needs.
LittleCMS stamps the time of writing into the profile header; this script sets it to a fixed date, so the
same LittleCMS writes the same bytes (fonts/PROVENANCE.md records the file's checksum and licence).

    python3 scripts/make_srgb_icc.py            # writes fonts/sRGB.icc
    python3 scripts/make_srgb_icc.py --check    # exit 1 if fonts/sRGB.icc differs from what it would write
"""
from __future__ import annotations

import argparse
import struct
import sys
from pathlib import Path

FIXED_DATE = (2025, 1, 1, 0, 0, 0)     # header bytes 24-35: year, month, day, hour, minute, second
TARGET = Path(__file__).resolve().parent.parent / "fonts" / "sRGB.icc"


def profile() -> bytes:
    from PIL import ImageCms

    data = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    if data[36:40] != b"acsp" or struct.unpack(">I", data[:4])[0] != len(data):
        raise SystemExit("LittleCMS wrote something that is not an ICC profile")
    data[24:36] = struct.pack(">6H", *FIXED_DATE)
    return bytes(data)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="compare with fonts/sRGB.icc instead of writing it")
    a = ap.parse_args()
    data = profile()
    if a.check:
        same = TARGET.is_file() and TARGET.read_bytes() == data
        print(f"{TARGET}: {'the same as' if same else 'differs from'} what this LittleCMS writes")
        return 0 if same else 1
    TARGET.write_bytes(data)
    print(f"wrote {TARGET} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
