"""briefing: one bilingual YAML content file → a print-ready PDF briefing in Chinese or English.

The stages, each one function with typed input and output (see docs/architecture.md):

    load(path)               -> Briefing        YAML → bilingual model, validated, with source positions
    localize(briefing, lang) -> LocalBriefing   every string in one language, every number formatted (babel)
    draw_charts(local, width) -> Drawings       each chart as plain data (paths, text runs, alt text); cached,
                                                the rest drawn in a worker process while the text is laid out
    compose(local, options, drawings) -> [Flowable]   our typesetter's paragraphs, tables, key figures; charts placed
    render(story, meta)      -> bytes           page templates, header/footer, outline, metadata
    deliver                                     atomic file writes, .eml, SMTP

`build(path, lang)` runs them all and returns the PDF bytes.
"""
__version__ = "0.1.0"

from ._imports import install as _install_import_hooks  # noqa: E402

_install_import_hooks()   # ReportLab without its unused regex and PIL start-up (see _imports.py)

from .pipeline import build, check, load  # noqa: E402

__all__ = ["build", "check", "load", "__version__"]
