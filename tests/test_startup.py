"""Start-up trimming (briefing/_imports.py): what a build never uses is not done at import, and the
ReportLab modules whose patterns wait still behave as ReportLab's own code expects."""
from __future__ import annotations

import subprocess
import sys

SCRIPT = r"""
import briefing, briefing.compose, briefing.render
import reportlab.lib.textsplit as ts, reportlab.platypus.paragraph as para
from briefing._imports import _LazyPattern
# not compiled by the imports a build makes
assert isinstance(ts.rx, _LazyPattern) and ts.rx._compiled is None, ts.rx
assert isinstance(para.uri_pat, _LazyPattern) and para.uri_pat._compiled is None
# and they work as ReportLab's code uses them
print(ts.rx.sub(r"\1\0 ", "ab中文").split(" "))
print(bool(para.uri_pat.match("https://example.org/a?b=1")), bool(para.uri_pat.match("not a uri")))
print(para._hy_sfx_pat.search("word”").group())
"""


def test_wide_patterns_wait_and_still_work():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["['ab中\\x00', '文\\x00', '']", "True False", "”"]
