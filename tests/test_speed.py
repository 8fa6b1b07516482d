"""What makes builds fast, checked for doing the same work: start-up trimming (briefing/_imports.py: what a
build never uses is not done at import, and the modules whose patterns wait still behave as their own code
expects), and layout passes that are never written."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = r"""
import briefing, briefing.compose, briefing.render
import reportlab.lib.textsplit as ts, reportlab.platypus.paragraph as para
import yaml, yaml.reader, sys
from briefing._imports import _LazyPattern
fontify = sys.modules["reportlab.lib.PyFontify"]
assert type(fontify).__name__ == "_LazyModule", type(fontify)       # not run yet
assert isinstance(yaml.reader.Reader.NON_PRINTABLE, _LazyPattern)
assert yaml.reader.Reader.NON_PRINTABLE._compiled is None
# not compiled by the imports a build makes
assert isinstance(ts.rx, _LazyPattern) and ts.rx._compiled is None, ts.rx
assert isinstance(para.uri_pat, _LazyPattern) and para.uri_pat._compiled is None
# and they work as ReportLab's code uses them
print(ts.rx.sub(r"\1\0 ", "ab中文").split(" "))
print(bool(para.uri_pat.match("https://example.org/a?b=1")), bool(para.uri_pat.match("not a uri")))
print(para._hy_sfx_pat.search("word”").group())
print(fontify.fontify("x = 1  # one")[0][0])
try:
    yaml.reader.Reader("ok\x07")
except yaml.reader.ReaderError as e:
    print(e.character)
print(yaml.load("a: [1, é]", Loader=yaml.SafeLoader))   # the pure-Python reader, as PyYAML uses it
"""


def test_wide_patterns_wait_and_still_work():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["['ab中\\x00', '文\\x00', '']", "True False", "”", "comment", "7",
                                "{'a': [1, 'é']}"]


# mini: the sketch's numbers hold at once (then the same story is laid out again, drawn); the sample: the
# contents move the sections, and the pass after the sketch is final
@pytest.mark.slow
@pytest.mark.parametrize("content", ["tests/data/mini.yaml", "content/jiaozuo-2025-h1.yaml"])
def test_contents_passes_sketched_and_only_the_final_one_written(content, monkeypatch):
    """A briefing with a table of contents is laid out until its page numbers hold (pipeline.py): the first
    contents pass is a sketch (laid out, nothing drawn: it only finds where the sections fall), and only
    the pass whose PDF is returned is written (page furniture, tags, fonts, compression). The PDF is the
    same as drawing and writing every pass made."""
    from briefing import pdfwrite, render
    from briefing.load import load
    from briefing.pipeline import BuildOptions, build_model
    from briefing.typeset import flowable

    b = load(str(ROOT / content))
    opts = BuildOptions(parallel=False, toc=True)
    real_lay_out, real_write, real_draw = render.lay_out, pdfwrite.write, flowable.Para._draw
    passes: list[list] = []      # per pass: [drawn, paragraphs drawn]
    writes = []

    def lay_out(*a, **k):
        passes.append([k.get("draw", True), 0])
        return real_lay_out(*a, **k)

    def draw(self, *a):
        passes[-1][1] += 1
        return real_draw(self, *a)

    monkeypatch.setattr(render, "lay_out", lay_out)
    monkeypatch.setattr(pdfwrite, "write", lambda doc: writes.append(1) or real_write(doc))
    monkeypatch.setattr(flowable.Para, "_draw", draw)
    pdf = build_model(b, "en", opts)
    assert len(passes) == 3 and len(writes) == 1, passes
    assert [drawn for drawn, _ in passes] == [True, False, True]
    assert passes[1][1] == 0 and passes[0][1] > 0 and passes[2][1] > 0    # nothing drawn in the sketch
    # every pass drawn and written, as before: the same bytes
    monkeypatch.setattr(render, "lay_out", lambda *a, **k: _written(real_lay_out(*a, **{**k, "draw": True})))
    assert build_model(b, "en", opts) == pdf


def _written(laid):
    laid.pdf()
    return laid
