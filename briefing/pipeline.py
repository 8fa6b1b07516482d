"""The stages wired together: load → localize → charts → compose → render."""
from __future__ import annotations

from dataclasses import dataclass, replace

from . import model as m
from .errors import BriefingError
from .load import load

TOC_AUTO_PAGES = 8   # longer briefings get a table of contents without --toc


@dataclass(frozen=True)
class BuildOptions:
    paper: str = "a4"          # "a4" | "letter"
    chart_cache: bool = True
    parallel: bool = True      # draw charts not cached in a worker process while the text is laid out
    toc: bool = False
    bleed: float = 0.0         # pt; > 0 adds a bleed area and crop marks
    pdfa: bool = False         # PDF/A-2u as well as PDF/UA-1 (an sRGB output intent, pdfaid in the XMP)


def build_model(b: m.Briefing, lang: m.Lang, opts: BuildOptions = BuildOptions(),
                local: m.LocalBriefing | None = None) -> bytes:
    """The PDF of a loaded briefing in one language (`local`: its localized model, if already made)."""
    from . import theme
    from .charts import draw_charts
    from .errors import GlyphError
    from .glyphs import check_glyphs
    from .localize import localize

    local = local or localize(b, lang)
    pagesize = theme.LETTER if opts.paper == "letter" else theme.A4
    page = theme.Page(*pagesize)
    too_tall = chart_size_errors(b, local, [(opts.paper if opts.paper == "letter" else "A4", pagesize)])
    if too_tall:   # said at the chart, before any drawing, instead of ReportLab's LayoutError after it
        from .errors import ErrorList

        raise ErrorList(too_tall)
    # The charts first: those not in the cache are drawn in a worker process (which starts by importing
    # matplotlib) while this one checks the glyphs, imports the layout stages and lays out the text.
    try:
        drawings = draw_charts(local, page.frame_width, cache=opts.chart_cache, parallel=opts.parallel)
    except GlyphError:
        check_glyphs(b)   # the content's own report, every character with its file:line:col
        raise
    with drawings:
        check_glyphs(b)
        return _layout(b, lang, local, page, pagesize, drawings, opts)


def _layout(b: m.Briefing, lang: m.Lang, local: m.LocalBriefing, page, pagesize, drawings, opts: BuildOptions) -> bytes:
    from .compose import Options, compose, prelayout
    from .render import Meta, lay_out

    meta = Meta(title=local.title, author=local.author, subject=local.subtitle or local.title,
                keywords=local.keywords, lang=lang, date=b.date,
                header_left=(f"{local.masthead}  ·  {local.running_title}" if lang == "en"
                             else f"{local.masthead}　{local.running_title}"),
                header_right=local.date, page_label=local.labels["page"])
    copts = Options(width=page.frame_width)
    story = compose(local, copts, drawings)
    if drawings.pending:
        prelayout(story, page.frame_width)   # the text's line breaking, while the charts are drawn
    entries: list = []
    # each pass is laid out; only the one returned is written
    laid = lay_out(story, meta, pagesize=pagesize, page=page, bleed=opts.bleed, toc_sink=entries,
                   tree=story.tree, pdfa=opts.pdfa)
    pages = entries[-1][2] if entries else 1
    if opts.toc or pages > TOC_AUTO_PAGES:
        # Contents: a first pass with placeholder page numbers takes the same room as the real list, so a
        # second pass with the numbers it found is final. The first is a sketch (laid out, not drawn): it
        # only finds where the sections fall once the contents are in.
        for i in range(3):
            found: list = []
            toc = tuple((lvl, title, pg, key) for lvl, title, pg, key in entries)
            story = compose(local, replace(copts, toc=toc), drawings)
            laid = lay_out(story, meta, pagesize=pagesize, page=page, bleed=opts.bleed, toc_sink=found,
                           tree=story.tree, pdfa=opts.pdfa, draw=i > 0)
            if [e[2] for e in found] == [e[2] for e in entries] and toc:
                break
            entries = found
        if not laid.drawn:   # the sketch's numbers were right already: lay out the same story, drawn
            story = compose(local, replace(copts, toc=toc), drawings)
            laid = lay_out(story, meta, pagesize=pagesize, page=page, bleed=opts.bleed, toc_sink=[],
                           tree=story.tree, pdfa=opts.pdfa)
    return laid.pdf()


def parse_length(text: str) -> float:
    """'3mm', '0.125in', '9pt', '0.3cm' → points."""
    import re

    from .errors import BriefingError

    units = {"mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72.0, "pt": 1.0}
    mt = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(mm|cm|in|pt)\s*", text)
    if not mt or float(mt.group(1)) > 72 / 25.4 * 20:
        raise BriefingError(f"'{text}' is not a bleed length", "write e.g. 3mm, 0.125in or 9pt (at most 20mm)",
                            "--bleed")
    return float(mt.group(1)) * units[mt.group(2)]


def build(path: str, lang: m.Lang = "zh", opts: BuildOptions = BuildOptions()) -> bytes:
    """Build the PDF for one content file in one language and return its bytes."""
    return build_model(load(path), lang, opts)


def check(path: str) -> m.Briefing:
    """Validate without building: the content, every string of both languages against the fonts, and
    every chart's size on both paper sizes."""
    from . import theme
    from .errors import ErrorList
    from .glyphs import check_glyphs
    from .localize import localize

    b = load(path)
    check_glyphs(b)
    papers = [("letter", theme.LETTER), ("A4", theme.A4)]   # the shorter page first
    errors: dict[object, BriefingError] = {}
    for lang in m.LANGS:
        for e in chart_size_errors(b, localize(b, lang), papers):
            errors.setdefault(e.where, e)   # once per chart, whichever language shows it first
    if errors:
        raise ErrorList(list(errors.values()))
    return b


def chart_size_errors(b: m.Briefing, local: m.LocalBriefing, papers: list[tuple[str, tuple[float, float]]]):
    """A content error at each chart that no page of `papers` can hold (see charts/fit.py)."""
    from . import theme
    from .charts import charts_of
    from .charts.fit import too_tall
    from .errors import ContentError

    def bilingual(sections: tuple[m.Section, ...]) -> list[m.Chart]:
        out: list[m.Chart] = []
        for s in sections:
            out += [x for x in s.blocks if isinstance(x, m.Chart)]
            out += bilingual(s.sections)
        return out

    errors = []
    for chart, lchart in zip(bilingual(b.sections), charts_of(local), strict=True):
        for paper, size in papers:
            problem = too_tall(lchart, theme.Page(*size), paper)
            if problem:
                errors.append(ContentError(f"chart “{lchart.title}” {problem[0]}", problem[1], chart.where))
                break
    return errors
