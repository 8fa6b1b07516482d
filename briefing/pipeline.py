"""The stages wired together: load → localize → charts → compose → render."""
from __future__ import annotations

from dataclasses import dataclass, replace

from . import model as m
from .load import load

TOC_AUTO_PAGES = 8   # longer briefings get a table of contents without --toc


@dataclass(frozen=True)
class BuildOptions:
    paper: str = "a4"          # "a4" | "letter"
    chart_cache: bool = True
    parallel: bool = True      # draw charts not cached in a worker process while the text is laid out
    toc: bool = False
    bleed: float = 0.0         # pt; > 0 adds a bleed area and crop marks


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
    from .render import Meta, render

    meta = Meta(title=local.title, author=local.author, subject=local.subtitle or local.title,
                keywords=local.keywords, lang=lang, date=b.date,
                header_left=(f"{local.masthead}  ·  {local.title}" if lang == "en"
                             else f"{local.masthead}　{local.title}"),
                header_right=local.date, page_label=local.labels["page"])
    copts = Options(width=page.frame_width)
    story = compose(local, copts, drawings)
    if drawings.pending:
        prelayout(story, page.frame_width)   # the text's line breaking, while the charts are drawn
    entries: list = []
    pdf = render(story, meta, pagesize=pagesize, page=page, bleed=opts.bleed, toc_sink=entries)
    pages = entries[-1][2] if entries else 1
    if opts.toc or pages > TOC_AUTO_PAGES:
        # Contents: a first pass with placeholder page numbers takes the same room as the real list, so a
        # second pass with the numbers it found is final.
        for _ in range(3):
            found: list = []
            toc = tuple((lvl, title, pg, key) for lvl, title, pg, key in entries)
            pdf = render(compose(local, replace(copts, toc=toc), drawings), meta, pagesize=pagesize, page=page,
                         bleed=opts.bleed, toc_sink=found)
            if [e[2] for e in found] == [e[2] for e in entries] and toc:
                break
            entries = found
    return pdf


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
    """Validate without building: the content, and every string of both languages against the fonts."""
    from .glyphs import check_glyphs
    from .localize import localize

    b = load(path)
    check_glyphs(b)
    for lang in m.LANGS:
        localize(b, lang)
    return b
