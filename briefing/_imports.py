"""Importing ReportLab without the work a build never uses.

Measured with callgrind (instructions, `python -c "import …"`): `import reportlab.platypus` costs as much as
a sixth of a warm build, and most of that is one regular expression: `reportlab.platypus.paragraph` compiles
`uri_pat` (a URL matcher with wide Unicode ranges under IGNORECASE) at import time, for ReportLab's own
Paragraph, which briefing never uses; `reportlab.lib.utils` imports PIL.Image for bitmaps, which briefing
never draws; the same Paragraph module imports pyphen, whose patterns briefing reads from its own cache
(typeset/hyphen.py). `install()` (called by `briefing/__init__.py`) adds a finder to `sys.meta_path` that

- executes `reportlab.platypus.paragraph` with long IGNORECASE patterns compiled on first use instead
  (`_LazyPattern`: `match`, `search`, … compile it then), and likewise the patterns of that module and of
  `reportlab.lib.textsplit` (which it imports) whose character classes reach beyond Latin-1: compiling a
  class over a wide Unicode range walks every code point of it in Python (textsplit's `[\u2e80-\uffff]`,
  for ReportLab's own CJK line splitting, took 5–20 ms of every build), and both modules use their
  patterns only through their methods, and
- executes `yaml.reader` likewise: its `Reader.NON_PRINTABLE` (a class over most of Unicode, compiled
  when `import yaml` runs) serves PyYAML's pure-Python reader, and our loader reads with libyaml, and
- loads `PIL.Image`, `pyphen` and `reportlab.lib.PyFontify` (Python syntax colouring for ReportLab's
  XPreformatted, two patterns compiled at import) through `importlib.util.LazyLoader`: the module runs on
  first attribute access.

Nothing else changes: both modules behave as before for anyone who uses them. Each hook acts once. (The
classes follow the import protocols without subclassing importlib.abc, whose import costs 12 ms.)
"""
from __future__ import annotations

import importlib.util
import re
import sys
from typing import Any

_PARAGRAPH = "reportlab.platypus.paragraph"
_YAML_READER = "yaml.reader"
# modules whose wide-range patterns (used only through their methods) wait: paragraph, textsplit (run while
# paragraph runs), and PyYAML's pure-Python reader, whose NON_PRINTABLE class is compiled when `import yaml`
# runs although our loader reads with libyaml (load/reader.py)
_WIDE_DEFERRED = frozenset({_PARAGRAPH, "reportlab.lib.textsplit", _YAML_READER})
_LAZY_MODULES = ("PIL.Image", "pyphen", "reportlab.lib.PyFontify")


class _LazyPattern:
    """Stands for `re.compile(pattern, flags)` until the pattern is first used."""

    def __init__(self, compile_: Any, pattern: str, flags: int) -> None:
        self._args = (compile_, pattern, flags)
        self._compiled: re.Pattern | None = None

    def __getattr__(self, name: str) -> Any:
        if self._compiled is None:
            compile_, pattern, flags = self._args
            self._compiled = compile_(pattern, flags)
        return getattr(self._compiled, name)


class _DeferredRegexLoader:
    """Runs a module with its long IGNORECASE patterns compiled lazily."""

    def __init__(self, loader: Any) -> None:
        self.loader = loader

    def create_module(self, spec):  # noqa: ANN001
        return self.loader.create_module(spec)

    def exec_module(self, module) -> None:  # noqa: ANN001
        real = re.compile

        def compile_(pattern: Any, flags: int = 0) -> Any:
            if isinstance(pattern, str) and (
                    (len(pattern) > 200 and int(flags) & re.IGNORECASE)
                    or (pattern and max(pattern) > "\xff"
                        and sys._getframe(1).f_globals.get("__name__") in _WIDE_DEFERRED)):
                return _LazyPattern(real, pattern, flags)
            return real(pattern, flags)

        re.compile = compile_
        try:
            self.loader.exec_module(module)
        finally:
            re.compile = real


class _Finder:
    def __init__(self) -> None:
        self.pending = {_PARAGRAPH, _YAML_READER, *_LAZY_MODULES}

    def find_spec(self, name, path=None, target=None):  # noqa: ANN001
        if name not in self.pending:
            return None
        self.pending.discard(name)
        if not self.pending and self in sys.meta_path:
            sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        if name in (_PARAGRAPH, _YAML_READER):
            spec.loader = _DeferredRegexLoader(spec.loader)
        else:
            spec.loader = importlib.util.LazyLoader(spec.loader)
        return spec


def install() -> None:
    """Add the finder, unless ReportLab's modules are already imported (then it is too late, and harmless)."""
    if _PARAGRAPH in sys.modules or any(isinstance(f, _Finder) for f in sys.meta_path):
        return
    finder = _Finder()
    finder.pending -= sys.modules.keys()   # (PyYAML imported first: its reader is as it is)
    sys.meta_path.insert(0, finder)
