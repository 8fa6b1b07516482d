"""Print and PDF structure: paper sizes, bleed and crop marks, contents, page labels, destinations,
grayscale-safe palette, and batch builds."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pdfplumber
import pytest
from pypdf import PdfReader

from briefing import theme

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "content" / "jiaozuo-2025-h1.yaml"
MINI = ROOT / "tests" / "data" / "mini.yaml"
MM = 72 / 25.4


def build(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "briefing", "build", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)


def box(page, name: str) -> list[float]:
    return [float(v) for v in page[name]]


@pytest.mark.slow
def test_letter_paper(tmp_path):
    out = tmp_path / "l.pdf"
    r = build(str(MINI), "--lang", "en", "--paper", "letter", "-o", str(out))
    assert r.returncode == 0, r.stderr
    page = PdfReader(out).pages[0]
    assert [round(v, 1) for v in box(page, "/MediaBox")] == [0, 0, 612.0, 792.0]


@pytest.mark.slow
def test_bleed_has_trim_and_bleed_boxes_crop_marks_and_safe_text(tmp_path):
    out = tmp_path / "b.pdf"
    r = build(str(SAMPLE), "--lang", "zh", "--bleed", "3mm", "-o", str(out))
    assert r.returncode == 0, r.stderr
    reader = PdfReader(out)
    w, h = theme.A4
    for page in reader.pages:
        x0, y0, x1, y1 = box(page, "/TrimBox")
        assert (round(x1 - x0, 2), round(y1 - y0, 2)) == (round(w, 2), round(h, 2))
        bx0, by0, bx1, by1 = box(page, "/BleedBox")
        assert round(x0 - bx0, 2) == round(3 * MM, 2) and round(bx1 - x1, 2) == round(3 * MM, 2)
        mx0, my0, mx1, my1 = box(page, "/MediaBox")
        assert mx0 < bx0 and mx1 > bx1, "crop marks need room outside the bleed"
    safe = 5 * MM   # the safe zone: no text within 5 mm of the trim edge
    with pdfplumber.open(out) as pdf:
        for page in pdf.pages:
            top_trim = float(page.height) - y1
            for c in page.chars:
                assert x0 + safe <= c["x0"] and c["x1"] <= x1 - safe
                assert top_trim + safe <= c["top"] and c["bottom"] <= top_trim + h - safe
            # crop marks: thin black lines lying wholly outside the bleed box
            marks = [ln for ln in page.lines if ln["x1"] <= bx0 or ln["x0"] >= bx1
                     or ln["bottom"] <= float(page.height) - by1 or ln["top"] >= float(page.height) - by0]
            assert len(marks) == 8
        # the masthead band runs into the bleed on page 1
        band = [r for r in pdf.pages[0].rects if r["width"] > w]
        assert band and band[0]["x0"] <= bx0 + 0.01 and band[0]["x1"] >= bx1 - 0.01


@pytest.mark.slow
def test_without_bleed_nothing_is_printed_at_the_paper_edge(tmp_path):
    out = tmp_path / "e.pdf"
    assert build(str(MINI), "--lang", "zh", "-o", str(out)).returncode == 0
    edge = 8 * MM   # office printers leave about 4 mm unprinted
    with pdfplumber.open(out) as pdf:
        page = pdf.pages[0]
        for obj in page.rects + page.lines + page.chars:
            assert obj["x0"] >= edge and obj["x1"] <= page.width - edge
            assert obj["top"] >= edge and obj["bottom"] <= page.height - edge


@pytest.mark.slow
def test_long_table_continues_under_a_continued_caption(tmp_path):
    rows = "\n".join(f"            - [{{zh: 指标{i}, en: Item {i}}}, \"{i}\"]" for i in range(90))
    src = tmp_path / "long.yaml"
    src.write_text(MINI.read_text("utf-8").split("sections:")[0] + f"""sections:
  - heading: {{zh: 长表, en: Long table}}
    blocks:
      - table:
          title: {{zh: 全部指标, en: All indicators}}
          columns: [{{zh: 指标, en: Indicator}}, {{zh: 数值, en: Value}}]
          rows:
{rows}
""", "utf-8")
    for lang, first, cont, title in (("zh", "表1　全部指标", "表1（续）", "全部指标"),
                                     ("en", "Table 1. All indicators", "Table 1 (continued)", "Allindicators")):
        out = tmp_path / f"long.{lang}.pdf"
        r = build(str(src), "--lang", lang, "-o", str(out))
        assert r.returncode == 0, r.stderr
        with pdfplumber.open(out) as pdf:
            texts = [re.sub(r"\s+", "", p.extract_text()) for p in pdf.pages]
        assert len(texts) >= 2
        assert re.sub(r"\s+", "", first) in texts[0] and re.sub(r"\s+", "", cont) not in texts[0]
        # the rest of the table stands under "表1（续）" / "Table 1 (continued)": the title is printed (and
        # read) once, on the first page
        assert all(re.sub(r"\s+", "", cont) in t and title not in t for t in texts[1:])


@pytest.mark.slow
def test_contents_page_labels_and_destinations(tmp_path):
    out = tmp_path / "t.pdf"
    r = build(str(SAMPLE), "--lang", "en", "--toc", "-o", str(out))
    assert r.returncode == 0, r.stderr
    reader = PdfReader(out)
    first = reader.pages[0].extract_text()
    assert "Contents" in first
    links = [a.get_object() for a in reader.pages[0].get("/Annots", [])]
    assert len([a for a in links if a["/Subtype"] == "/Link"]) >= 8
    assert "/PageLabels" in reader.trailer["/Root"]
    assert reader.page_labels[:3] == ["1", "2", "3"]
    dests = reader.named_destinations
    assert {"overview", "finance", "employment"} <= set(dests), sorted(dests)
    # the contents' page numbers are where the sections really start
    with pdfplumber.open(out) as pdf:
        texts = [p.extract_text() for p in pdf.pages]
    outline = {o.title: reader.get_destination_page_number(o) + 1 for o in reader.outline
               if not isinstance(o, list)}
    for title, page in outline.items():
        assert title.split(". ", 1)[1][:20] in texts[page - 1].replace("\n", " ")


def test_palette_reads_in_grayscale():
    def lightness(hex_colour: str) -> float:
        r, g, b = (int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
        y = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
        return 116 * y ** (1 / 3) - 16 if y > 0.008856 else 903.3 * y

    series = [lightness(c) for c in theme.SERIES]
    for a, b in zip(series, series[1:]):
        assert abs(a - b) >= 12, theme.SERIES   # neighbours in a chart differ in lightness
    assert lightness(theme.INK) < 20 and lightness(theme.PANEL) > 90


@pytest.mark.slow
def test_batch_build_in_parallel_lists_failures_and_builds_the_rest(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(MINI.read_text("utf-8").replace("增长{gdp.growth}", "增长{gdp.growht}", 1), "utf-8")
    good2 = tmp_path / "mini2.yaml"
    good2.write_text(MINI.read_text("utf-8").replace("id: mini", "id: mini2"), "utf-8")
    r = build(str(MINI), str(bad), str(good2), "--jobs", "2", "--lang", "zh", "--out-dir", str(tmp_path / "o"))
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    assert (tmp_path / "o" / "mini.zh.pdf").exists() and (tmp_path / "o" / "mini2.zh.pdf").exists()
    assert "[1/3]" in r.stdout and "[3/3]" in r.stdout
    assert "unknown placeholder {gdp.growht}" in r.stderr
    assert r.stderr.strip().splitlines()[-1] == f"1 of 3 files failed: {bad}"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils (pdffonts) not installed")
def test_pdffonts_reports_every_font_embedded_and_subset(tmp_path):
    out = tmp_path / "z.pdf"
    assert build(str(SAMPLE), "--lang", "en", "-o", str(out)).returncode == 0
    rows = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert rows
    for row in rows:
        cols = row.split()
        assert "+" in cols[0] and cols[-5:-2] == ["yes", "yes", "yes"], row   # emb sub uni


@pytest.mark.slow
def test_no_cache_flag_and_cache_location(tmp_path):
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    out = tmp_path / "n.pdf"
    r = subprocess.run([sys.executable, "-m", "briefing", "build", str(SAMPLE), "--lang", "zh", "-o", str(out),
                        "--no-cache"], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    assert not list((tmp_path / "cache").glob("briefing/charts/*.json"))
    r = subprocess.run([sys.executable, "-m", "briefing", "build", str(SAMPLE), "--lang", "zh", "-o", str(out)],
                       capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    assert len(list((tmp_path / "cache").glob("briefing/charts/*.json"))) >= 5
