"""The stress corpus, set by our typesetter at six widths, must break none of the checkable rules.

Every paragraph of tests/corpus/paragraphs.yaml is set with briefing.typeset.Para in one frame 8, 12, 16,
24, 32 or 40 em wide; the PDF is read back with the layout checker (tests/layout_checker.py), which only
sees what a reader would: glyphs and their positions.
"""
from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
from corpus import render
from layout_checker import Report, check_pdf


def _typeset() -> Any:
    # the typesetter is built alongside; skip (not fail) while it cannot be imported at all
    try:
        mod = importlib.import_module("briefing.typeset")
        missing = [n for n in ("Run", "ParaStyle", "Para") if not hasattr(mod, n)]
    except ImportError as e:
        pytest.skip(f"briefing.typeset not importable yet: {e}")
    if missing:
        pytest.skip(f"briefing.typeset does not provide {', '.join(missing)} yet")
    return mod


CASES = [(lang, w) for lang in ("zh", "en") for w in render.WIDTHS_EM]


def _set(tmp_path: Path, lang: str, width_em: int) -> tuple[Report, list[Any]]:
    _typeset()
    paras = render.load(lang)
    flowables = render.ours(paras)
    pdf = tmp_path / f"corpus-{lang}-{width_em}em.pdf"
    area = render.build(pdf, flowables, width_em * render.SIZE)
    # one column only: a wide justified gap must not be taken for a column gap (split_gap_em)
    rep = check_pdf(pdf, lang=lang, text_area=area, sources=[p.plain for p in paras], split_gap_em=6)
    assert rep.lines, f"{pdf}: no text found"
    return rep, flowables


def _unavoidable_lines(flowables: list[Any]) -> set[str]:
    """Texts of lines the breaker reported as unavoidably loose (no better break existed).

    The typesetter marks them on its laid-out lines (`Para.lines[i].unavoidable`); spaces are dropped so
    the text compares with what the PDF gives back."""
    out: set[str] = set()
    for f in flowables:
        for line in getattr(f, "lines", None) or ():
            if getattr(line, "unavoidable", False):
                out.add("".join(str(getattr(line, "text", "")).split()))
    return out


@pytest.mark.parametrize("lang,width_em", CASES, ids=[f"{lang}-{w}em" for lang, w in CASES])
def test_corpus_obeys_the_rules(tmp_path: Path, lang: str, width_em: int) -> None:
    rep, flowables = _set(tmp_path, lang, width_em)
    hard = (1, 2, 3, 5, 6, 8, 10)
    assert rep.count(*hard) == 0, rep.describe(*hard)
    # rule 4: every non-final line justified to the right edge (±0.5 pt), nothing outside the frame
    assert rep.count(4) == 0, rep.describe(4)
    # rule 12: no English word gap over 1 em, except where the breaker says no better break existed
    loose = _unavoidable_lines(flowables)
    wide = [v for v in rep.of(12) if "".join(v.line.split()) not in loose]
    assert not wide, rep.describe(12)


def test_corpus_text_survives(tmp_path: Path) -> None:
    """Every paragraph's letters come back from the PDF in order (no dropped or doubled glyph)."""
    _typeset()
    for lang in ("zh", "en"):
        rep, _ = _set(tmp_path, lang, 16)
        got = "".join("".join(c["text"] for c in ln.visible) for ln in rep.lines)
        got = got.replace("-", "").replace("\u00ad", "")
        want = "".join(("".join(p.plain.split())).replace("-", "") for p in render.load(lang))
        assert _normalise(got) == _normalise(want)


def _normalise(s: str) -> str:
    # the typesetter may turn straight quotes into curly ones; compare letters, digits and Han only
    return "".join(ch for ch in s if ch.isalnum())


def test_checker_would_fail_reportlab_on_this_corpus(tmp_path: Path) -> None:
    """Guard against a checker that passes everything: ReportLab's CJK Paragraph breaks rules 1 and 4 here."""
    importlib.import_module("reportlab.platypus")
    paras = render.load("zh")
    pdf = tmp_path / "rl.pdf"
    area = render.render(pdf, paras, 16, render.reportlab_cjk)
    rep = check_pdf(pdf, lang="zh", text_area=area, sources=[p.plain for p in paras], split_gap_em=6)
    assert rep.count(1) > 0 and rep.count(4) > 0 and rep.count(5) > 0, rep.describe()
