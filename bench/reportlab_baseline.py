"""Typesetting rule violations: ReportLab's CJK Paragraph vs our typesetter, on the stress corpus.

    python bench/reportlab_baseline.py            # print the per-rule table (markdown)
    python bench/reportlab_baseline.py --images   # also write docs/images/typeset-{before,after}.png

Renders every corpus paragraph (tests/corpus/paragraphs.yaml) at 8, 12, 16, 24, 32 and 40 em with
ReportLab's `Paragraph(wordWrap='CJK', alignment=TA_JUSTIFY)` in Noto Serif SC and, when
`briefing.typeset` is importable, with our `Para`; runs tests/layout_checker.py on each PDF and sums the
violations per rule.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from corpus import render  # noqa: E402
from layout_checker import RULE_NAMES, RULES, check_pdf  # noqa: E402


def measure(renderer: render.Renderer, out: Path, tag: str) -> tuple[Counter, Counter, float]:
    """Sum violations over all languages and widths; also count checked lines."""
    counts: Counter = Counter()
    lines: Counter = Counter()
    t0 = time.perf_counter()
    for lang in ("zh", "en"):
        paras = render.load(lang)
        for w in render.WIDTHS_EM:
            pdf = out / f"{tag}-{lang}-{w}.pdf"
            area = render.render(pdf, paras, w, renderer)
            rep = check_pdf(pdf, lang=lang, text_area=area, sources=[p.plain for p in paras],
                            split_gap_em=6)
            counts.update(rep.counts)
            lines[lang] += len(rep.lines)
    return counts, lines, time.perf_counter() - t0


def ours_available() -> bool:
    try:
        import briefing.typeset as ts

        return all(hasattr(ts, n) for n in ("Run", "ParaStyle", "Para"))
    except ImportError:
        return False


def table(results: dict[str, tuple[Counter, Counter, float]]) -> str:
    names = list(results)
    head = "| rule | " + " | ".join(names) + " |\n|---|" + "---:|" * len(names)
    rows = [f"| {r} {RULE_NAMES[r]} | " + " | ".join(str(results[n][0][r]) for n in names) + " |"
            for r in RULES]
    total = "| **total** | " + " | ".join(f"**{sum(results[n][0].values())}**" for n in names) + " |"
    nlines = "| lines checked | " + " | ".join(str(sum(results[n][1].values())) for n in names) + " |"
    return "\n".join([head, *rows, total, nlines])


def images(out: Path) -> None:
    """Before/after: one Chinese paragraph at 16 em, ReportLab's CJK Paragraph vs ours."""
    paras = [p for p in render.load("zh") if p.id in ("zh-article-1", "zh-punct-runs")]
    dest = ROOT / "docs" / "images"
    dest.mkdir(parents=True, exist_ok=True)
    for name, renderer in (("before", render.reportlab_cjk), ("after", render.ours)):
        pdf = out / f"img-{name}.pdf"
        x0, top, x1, _ = render.render(pdf, paras, 16, renderer)
        # crop: the frame plus a 10 pt margin, 300 pt tall, at 100 dpi (pdftoppm takes pixels)
        k = 100 / 72
        subprocess.run(["pdftoppm", "-r", "100", "-png", "-singlefile", "-f", "1", "-l", "1",
                        "-x", str(int((x0 - 10) * k)), "-y", str(int((top - 10) * k)),
                        "-W", str(int((x1 - x0 + 20) * k)), "-H", str(int(330 * k)),
                        str(pdf), str(dest / f"typeset-{name}")], check=True)
        print(f"wrote docs/images/typeset-{name}.png")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", action="store_true", help="write the before/after page images")
    ap.add_argument("--keep", type=Path, help="keep the rendered PDFs in this folder")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = args.keep or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        results = {"ReportLab CJK Paragraph": measure(render.reportlab_cjk, out, "rl")}
        if ours_available():
            results["briefing.typeset Para"] = measure(render.ours, out, "ours")
        else:
            print("(briefing.typeset not available: ReportLab only)", file=sys.stderr)
        n = len(render.load())
        print(f"{n} paragraphs x {len(render.WIDTHS_EM)} widths {render.WIDTHS_EM} em, size {render.SIZE} pt\n")
        print(table(results))
        for name, (_, _, secs) in results.items():
            print(f"\n{name}: rendered and checked in {secs:.1f} s", end="")
        print()
        if args.images and ours_available():
            images(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
