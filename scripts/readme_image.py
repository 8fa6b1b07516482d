#!/usr/bin/env python3
"""Render page 1 of the sample in Chinese and English side by side into docs/images/sample-page1.png.

    python3 scripts/readme_image.py     (needs pdftoppm from poppler-utils)
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "images" / "sample-page1.png"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        subprocess.run([sys.executable, "-m", "briefing", "build", "--out-dir", str(t), "-q"], cwd=ROOT, check=True)
        pages = []
        for lang in ("zh", "en"):
            subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1",
                            str(t / f"jiaozuo-2025-h1.{lang}.pdf"), str(t / lang)], check=True)
            pages.append(Image.open(next(t.glob(f"{lang}*.png"))).convert("RGB"))
        gap = 16
        w = sum(p.width for p in pages) + gap * 3
        h = max(p.height for p in pages) + gap * 2
        sheet = Image.new("RGB", (w, h), (236, 236, 236))
        x = gap
        for p in pages:
            sheet.paste(p, (x, gap))
            x += p.width + gap
        OUT.parent.mkdir(parents=True, exist_ok=True)
        sheet.quantize(colors=128).save(OUT, optimize=True)
        print(f"{OUT.relative_to(ROOT)}: {OUT.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
