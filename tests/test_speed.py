"""What makes builds fast, checked for doing the same work: start-up trimming (briefing/_imports.py: what a
build never uses is not done at import, and the modules whose patterns wait still behave as their own code
expects), and layout passes that are never written."""
from __future__ import annotations

import subprocess
import sys

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


def test_only_the_final_contents_pass_is_written(monkeypatch):
    """A briefing with a table of contents is laid out until its page numbers hold (pipeline.py); only the
    pass whose PDF is returned is written (page furniture, tags, fonts, compression), and it is the same
    PDF as writing every pass made."""
    from pathlib import Path

    from briefing import pdfwrite, render
    from briefing.load import load
    from briefing.pipeline import BuildOptions, build_model

    b = load(str(Path(__file__).parent / "data" / "mini.yaml"))
    opts = BuildOptions(parallel=False, toc=True)
    passes, writes = [], []
    real_lay_out, real_write = render.lay_out, pdfwrite.write
    monkeypatch.setattr(render, "lay_out", lambda *a, **k: passes.append(1) or real_lay_out(*a, **k))
    monkeypatch.setattr(pdfwrite, "write", lambda doc: writes.append(1) or real_write(doc))
    pdf = build_model(b, "en", opts)
    assert len(passes) >= 2 and len(writes) == 1
    # every pass written, as before: the same bytes
    monkeypatch.setattr(render, "lay_out", lambda *a, **k: _written(real_lay_out(*a, **k)))
    assert build_model(b, "en", opts) == pdf


def _written(laid):
    laid.pdf()
    return laid
