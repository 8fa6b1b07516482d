"""The tagged PDF read back as assistive technology reads it (tagged_pdf.py): the structure tree, in tree
order, says what the content file says, in its order, nothing missing and nothing twice; everything else
on the page is an artifact; the glyphs drawn otherwise than the text reads carry /ActualText; the other
language is marked; links, the contents, metadata and PDF/A's output intent are in place."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import tagged_pdf as tp
from conftest import ROOT, SAMPLE
from pypdf import PdfReader

from briefing import model as m
from briefing.charts.alt import alt_text
from briefing.load import load
from briefing.localize import localize, plain, section_number
from briefing.pipeline import BuildOptions, build_model

pytestmark = pytest.mark.slow   # builds whole documents

BULLET = {"zh": "▪", "en": "•"}
PANEL = {"zh": ("{label}{value}", "{item}，{note}", "；", "。"), "en": ("{label} {value}", "{item}, {note}", "; ", ".")}


def expected(local: m.LocalBriefing, toc: bool = False) -> list[tuple[str, str]]:
    """What the content file says, in its order, as (element type, text): what the tree must read. With
    `toc`, the contents come after the title block: each entry a Link reading the title and a page number
    (`#` stands for the number)."""
    lang, labels = local.lang, local.labels
    out = [("P", local.masthead), ("P", local.author), ("P", local.date), ("H1", local.title)]
    out += [("P", t) for t in (local.subtitle, local.source) if t]
    if toc:
        out.append(("H2", labels["contents"]))
        for i, s in enumerate(local.sections, 1):
            out.append(("Link", section_number(i, lang) + s.heading + "#"))
            out.extend(("Link", sub.heading + "#") for sub in s.sections)
    counts = {"table": 0, "figure": 0}

    def block(b: m.LBlock, level: int) -> None:
        if isinstance(b, m.LParagraph):
            out.append(("P", plain(b.text)))
        elif isinstance(b, m.LHeading):
            out.append((f"H{level + 2}", plain(b.text)))
        elif isinstance(b, m.LBullets):
            for item in b.items:
                out.extend([("Lbl", BULLET[lang]), ("LBody", plain(item))])
        elif isinstance(b, m.LSource):
            out.append(("P", plain(b.text)))
        elif isinstance(b, m.LFigures):
            if b.title:
                out.append(("Caption", b.title))
            fmt, note, sep, end = PANEL[lang]
            items = [fmt.format(label=i.label, value=i.value).strip() for i in b.items]
            items = [note.format(item=t, note=plain(i.note)) if i.note else t for t, i in zip(items, b.items)]
            out.append(("Figure", sep.join(items) + end))
        elif isinstance(b, m.LTable):
            counts["table"] += 1
            if b.title:
                out.append(("Caption", labels["table_caption"].format(n=counts["table"], title=b.title)))
            out.extend(("TH", c) for c in b.columns)
            out.extend(("TD", plain(c)) for row in b.rows for c in row)
            if b.note:
                out.append(("P", b.note))
        elif isinstance(b, m.LChart):
            counts["figure"] += 1
            out.append(("Caption", labels["figure_caption"].format(n=counts["figure"], title=b.title)))
            out.append(("Figure", alt_text(b)))
            if b.source:
                out.append(("P", labels["source"].format(text=b.source)))

    def section(s: m.LSection, n: int) -> None:
        out.append((f"H{s.level + 1}", (section_number(n, lang) if s.level == 1 else "") + s.heading))
        if s.byline:
            out.append(("P", s.byline))
        for b in s.blocks:
            block(b, s.level)
        for i, sub in enumerate(s.sections, 1):
            section(sub, i)

    for i, s in enumerate(local.sections, 1):
        section(s, i)
    return out


def squashed(items: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(role, tp.squash(text)) for role, text in items]


def assert_reads_as(doc: tp.Tagged, want: list[tuple[str, str]]) -> None:
    got = squashed(tp.items(doc))
    want = squashed(want)
    for k, (g, w) in enumerate(zip(got, want)):
        if w[1].endswith("#"):      # a contents entry: the title, then its page number
            w = (w[0], w[1][:-1] + (g[1][len(w[1]) - 1:] if g[1][len(w[1]) - 1:].isdigit() else "#"))
        assert g == w, f"item {k} of the tree: {g} — the content says {w}; before it: {got[max(0, k - 3):k]}"
    assert len(got) == len(want), f"the tree has {len(got)} items, the content {len(want)}: {got[len(want):] or want[len(got):]}"


@pytest.fixture(scope="module")
def sample(builds) -> dict[str, Path]:
    """The sample as `briefing build` makes it by default (shared with test_build and the validators)."""
    return {lang: builds.one(SAMPLE, lang, pdfa=False) for lang in ("zh", "en")}


@pytest.fixture(scope="module")
def read(sample) -> dict[str, tp.Tagged]:
    return {lang: tp.read(p) for lang, p in sample.items()}


# ---------------------------------------------------------------- the tree says what the content says

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_tree_reads_as_the_content_file_in_its_order(read, lang):
    assert_reads_as(read[lang], expected(localize(load(str(SAMPLE)), lang)))


@pytest.mark.parametrize("paper, bleed", [("letter", "3mm"), ("a4", "3mm"), ("letter", "")])
def test_the_tree_reads_the_same_whatever_the_page_set_up(builds, paper, bleed):
    """Other page breaks (letter paper), other figures floating, another table split: the same reading."""
    for lang in ("zh", "en"):
        doc = tp.read(builds.one(SAMPLE, lang, paper=paper, bleed=bleed))
        toc = any(e.role == "TOC" for e in tp.walk(doc.root))     # more than 8 pages: a table of contents
        assert_reads_as(doc, expected(localize(load(str(SAMPLE)), lang), toc))


@pytest.mark.parametrize("name", ["national-2020q1", "henan-2025-05"])
def test_releases_read_as_their_content_files(builds, name):
    content = ROOT / "tests" / "releases" / f"{name}.yaml"
    for lang in ("zh", "en"):
        assert_reads_as(tp.read(builds.one(content, lang)), expected(localize(load(str(content)), lang)))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_marked_content_belongs_to_one_element_and_the_parent_tree_agrees(read, lang):
    doc = read[lang]
    owners: dict[tuple[int, int], tp.Elem] = {}
    for e in tp.walk(doc.root):
        for k in e.kids:
            if not isinstance(k, tp.Elem) and k[0] == "mc":
                assert (k[1], k[2]) not in owners, f"MCID {k} claimed twice"
                owners[(k[1], k[2])] = e
    assert set(doc.text) <= set(owners), "text in marked content that no element claims"
    for (page, mcid), e in owners.items():
        assert doc.parent_tree[page][mcid].idnum == e.id, f"parent tree of page {page}, MCID {mcid}"
    assert not doc.untagged, f"text outside marked content: {doc.untagged[:3]}"


def _furniture(local: m.LocalBriefing, page: int, pages: int, header: tuple[str, str]) -> list[str]:
    labels = local.labels
    out = [labels["page"].format(n=page, total=pages)]
    if page > 1:
        out += list(header)
    n = 0
    for s in [s for top in local.sections for s in (top, *top.sections)]:
        for b in s.blocks:
            if isinstance(b, m.LTable):
                n += 1
                if b.title:
                    out.append(labels["table_continued"].format(n=n))
                out += list(b.columns)
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_artifacts_are_page_furniture_and_nothing_else(read, lang):
    """The page number, the running header, a table's head and "(continued)" caption repeated on the next
    page: nothing else is left out of the reading."""
    doc = read[lang]
    local = localize(load(str(SAMPLE)), lang)
    header = ((f"{local.masthead}·{local.running_title}" if lang == "en" else f"{local.masthead}{local.running_title}"),
              local.date)
    pages = len(doc.reader.pages)
    repeated = 0
    for page in range(pages):
        text = tp.squash("".join(t for p, t in doc.artifacts if p == page))
        for piece in sorted(_furniture(local, page + 1, pages, header), key=len, reverse=True):
            piece = tp.squash(piece)
            if piece and piece in text:
                repeated += piece.startswith(tp.squash(local.labels["table_continued"].split("{n}")[0]))
                text = text.replace(piece, "", 1)
        assert text == "", f"page {page + 1}: artifact text that is not furniture: {text!r}"
    assert repeated, "the sample's table 1 continues on the next page under a repeated head"


def test_a_table_split_across_pages_is_one_table(read):
    """Table 1 of the Chinese sample starts on page 1 and ends on page 2: one Table element, its rows on
    both pages, its head once (the head repeated on page 2 is an artifact)."""
    doc = read["zh"]
    tables = [e for e in tp.walk(doc.root) if e.role == "Table"
              and tp.element_text(doc, e.kids[0]).startswith("表1")]
    assert len(tables) == 1
    pages = {k[1] for e in tp.walk(tables[0]) for k in e.kids if not isinstance(k, tp.Elem) and k[0] == "mc"}
    assert len(pages) >= 2, pages
    heads = [e for e in tp.walk(tables[0]) if e.role == "TH"]
    assert [tp.element_text(doc, h) for h in heads] == ["指标", "总量", "同比增长", "增速全省位次／比较"]
    assert all(h.attrs.get("Scope") == "/Column" for h in heads)
    assert [k.role for k in tables[0].kids] == ["Caption", "THead", "TBody"]
    page2 = tp.squash("".join(t for p, t in doc.artifacts if p == max(pages)))
    assert "表1（续）" in page2 and "增速全省位次／比较" in page2


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_figure_floated_to_the_next_page_reads_where_the_content_has_it(builds, lang):
    """Where a chart does not fit, the paragraph after it fills the page and the chart goes to the next
    one; the tree still reads the chart first. (Checked in every page set-up: at least one floats.)"""

    def first_page(e: tp.Elem) -> int | None:
        pages = [k[1] for x in tp.walk(e) for k in x.kids if not isinstance(k, tp.Elem) and k[0] == "mc"]
        return min(pages, default=None)

    floated = 0
    for paper, bleed in [("a4", ""), ("a4", "3mm"), ("letter", ""), ("letter", "3mm")]:
        doc = tp.read(builds.one(SAMPLE, lang, paper=paper, bleed=bleed))
        for sect in tp.walk(doc.root):
            kids = [k for k in sect.kids if isinstance(k, tp.Elem)]
            for a, b in zip(kids, kids[1:]):
                if a.role == "Div" and any(k.role == "Figure" for k in a.kids if isinstance(k, tp.Elem)):
                    pa, pb = first_page(a), first_page(b)
                    if pa is not None and pb is not None and pb < pa:
                        floated += 1       # the next block starts on an earlier page: the chart floated
    assert floated, "no figure floated past its next paragraph in any page set-up: the check checks nothing"


# ---------------------------------------------------------------- text that reads as written

def test_hyphens_the_breaker_adds_read_as_nothing(read):
    doc = read["en"]
    hyphens = [a for a in doc.actual if a[2] == ""]
    assert len(hyphens) >= 3 and all(g == "-" for _, _, _, g in hyphens), hyphens[:5]
    # the words read whole: the tree's text has as many hyphens as the content's, the added ones read as nothing
    tree = "".join(t for _, t in tp.items(doc))
    content = "".join(t for _, t in expected(localize(load(str(SAMPLE)), "en")))
    assert tree.count("-") == content.count("-")


def test_drawn_differently_reads_as_itself(read):
    """The 2-em dash drawn from two scaled glyphs reads ——; compressed (half-width) marks, an opening
    mark set half-width at a line start and marks hanging past the line end read as themselves."""
    doc = read["zh"]
    assert any(a == "——" and g == "——" for _, _, a, g in doc.actual)
    pairs = [a for _, _, a, g in doc.actual if len(a) == 2 and a != "——"]
    assert len(pairs) >= 10
    assert all(a == g for _, _, a, g in doc.actual), [x for x in doc.actual if x[2] != x[3]][:5]


def test_latin_words_in_chinese_and_han_in_english_carry_their_language(tmp_path):
    content = tmp_path / "lang.yaml"
    content.write_text((ROOT / "tests" / "data" / "mini.yaml").read_text("utf-8").replace(
        "R&D <b> a<b &amp;\"\n          en: \"On {day}",
        "记者在Jiaozuo Industrial Park看到。\"\n          en: \"At 焦作工业园 we saw it. On {day}", 1), "utf-8")
    b = load(str(content))
    for lang, want, other in (("zh", "JiaozuoIndustrialPark", "en"), ("en", "焦作工业园", "zh-CN")):
        pdf = tmp_path / f"{lang}.pdf"
        pdf.write_bytes(build_model(b, lang, BuildOptions(parallel=False)))
        doc = tp.read(pdf)
        assert doc.reader.trailer["/Root"]["/Lang"] == {"zh": "zh-CN", "en": "en"}[lang]
        spans = [(lg, tp.squash(t)) for _, _, lg, t in doc.langs]
        assert want in "".join(t for lg, t in spans if lg == other), spans      # (a line may break in it)
        assert all(lg == other for lg, _ in spans)


# ---------------------------------------------------------------- links, contents, metadata

def test_links_and_the_contents_are_tagged(tmp_path):
    """A web address: a Link element inside its paragraph, with the annotation (OBJR) that opens it.
    The table of contents: TOC → TOCI → Link (title, page number, annotation to the section)."""
    content = tmp_path / "links.yaml"
    content.write_text((ROOT / "tests" / "data" / "mini.yaml").read_text("utf-8").replace(
        "R&D <b> a<b &amp;\"", "详见https://www.example.org/report。\"", 1).replace(
        "R&D <b> a<b &amp;\"", "See https://www.example.org/report for more.\"", 1), "utf-8")
    pdf = tmp_path / "links.pdf"
    pdf.write_bytes(build_model(load(str(content)), "en", BuildOptions(parallel=False, toc=True)))
    doc = tp.read(pdf)
    reader = doc.reader
    annots = [a.get_object() for p in reader.pages for a in (p.get("/Annots") or [])]
    assert annots and all(a["/F"] == 4 and a["/Contents"] and "/StructParent" in a for a in annots)
    links = [e for e in tp.walk(doc.root) if e.role == "Link"]
    for a in annots:
        owner = doc.parent_tree[int(a["/StructParent"])]
        assert owner.idnum in {e.id for e in links}
    web = [e for e in links if tp.element_text(doc, e) == "https://www.example.org/report"]
    assert len(web) == 1 and any(k[0] == "objr" for k in web[0].kids if not isinstance(k, tp.Elem))
    toc = next(e for e in tp.walk(doc.root) if e.role == "TOC")
    entries = [k for k in toc.kids if isinstance(k, tp.Elem)]
    assert entries and all(e.role == "TOCI" and e.kids[0].role == "Link" for e in entries)
    first = tp.element_text(doc, entries[0].kids[0])
    assert re.fullmatch(r"1\.Overview\d+", tp.squash(first)), first
    for page in reader.pages:
        if page.get("/Annots"):
            assert page["/Tabs"] == "/S"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_declared_pdf_ua_with_title_shown(sample, lang):
    reader = PdfReader(sample[lang])
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] == True  # noqa: E712 - a pypdf BooleanObject
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712
    xmp = root["/Metadata"].get_object()
    assert "/Filter" not in xmp
    packet = xmp.get_data().decode("utf-8")
    assert "<pdfuaid:part>1</pdfuaid:part>" in packet and "pdfaid" not in packet
    assert reader.xmp_metadata.dc_title["x-default"] == load(str(SAMPLE)).title.get(lang)
    assert "/OutputIntents" not in root


def test_pdfinfo_says_tagged(sample):
    if not shutil.which("pdfinfo"):
        pytest.skip("pdfinfo (poppler-utils) is not installed")
    for pdf in sample.values():
        out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        assert re.search(r"^Tagged:\s+yes$", out, re.M), out
        assert re.search(r"^PDF version:\s+1\.7$", out, re.M), out


def test_pdfa_output_intent_and_identification(builds):
    pdf = builds.one(SAMPLE, "zh")
    reader = PdfReader(pdf)
    root = reader.trailer["/Root"]
    (intent,) = root["/OutputIntents"]
    intent = intent.get_object()
    assert intent["/S"] == "/GTS_PDFA1" and intent["/OutputConditionIdentifier"] == "sRGB IEC61966-2.1"
    profile = intent["/DestOutputProfile"].get_object()
    assert profile["/N"] == 3 and profile.get_data() == (ROOT / "fonts" / "sRGB.icc").read_bytes()
    packet = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert "<pdfaid:part>2</pdfaid:part><pdfaid:conformance>U</pdfaid:conformance>" in packet
    assert "<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>" in packet
    info = reader.metadata
    assert info.producer in packet and info.creator in packet and "/Trapped" not in info


def test_pdfa_build_is_deterministic():
    b = load(str(SAMPLE))
    opts = BuildOptions(parallel=False, pdfa=True)
    assert build_model(b, "en", opts) == build_model(b, "en", replace(opts))


def test_streams_have_exact_lengths_and_end_of_lines(sample):
    """Every stream: `stream` and LF, /Length bytes of data, CR LF, `endstream` (PDF/A); an xref stream."""
    data = sample["zh"].read_bytes()
    starts = [mt.end() for mt in re.finditer(rb">>\nstream\n", data)]
    assert len(starts) > 10
    for start in starts:
        head = data[max(0, start - 400):start]
        length = int(re.findall(rb"/Length (\d+)", head)[-1])
        assert data[start + length:start + length + 11] == b"\r\nendstream", start
    assert b"/Type /XRef" in data and data.endswith(b"%%EOF\n")
    assert data.startswith(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")


def test_icc_profile_is_what_littlecms_makes():
    """fonts/sRGB.icc is reproducible with scripts/make_srgb_icc.py and listed in SHA256SUMS."""
    import hashlib

    icc = (ROOT / "fonts" / "sRGB.icc").read_bytes()
    assert f"{hashlib.sha256(icc).hexdigest()}  sRGB.icc" in (ROOT / "fonts" / "SHA256SUMS").read_text()
    assert icc[36:40] == b"acsp" and icc[16:20] == b"RGB " and icc[20:24] == b"XYZ "
    pytest.importorskip("PIL.ImageCms")
    r = subprocess.run([sys.executable, "scripts/make_srgb_icc.py", "--check"], cwd=ROOT, capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stdout + r.stderr
