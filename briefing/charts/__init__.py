"""The charts stage: a localized briefing's charts → drawings as plain data, each with its alt text.

    localize ──▶ LocalBriefing ──draw_charts(local, width)──▶ Drawings ──▶ compose (only places them)

* Every chart is checked first (kind, data, glyphs): a problem is a user error naming the chart.
* Each drawing is looked up in the chart cache (`cache.py`: verified entries, no matplotlib import); the
  charts not found are drawn with matplotlib (`kinds.py`, `canvas.py`) — in a forked worker process while
  the build lays out the text (`worker.py`), or in this process on a one-core machine.
* The result, `Drawings`, gives each chart's `Figure` (`briefing.figure`: paths and text runs in points,
  plus `alt`, the chart in words, from `alt.py`); a figure still being drawn is waited for when asked for.

The stage knows nothing about pages: the caller gives the column width; title and source are typeset by
`compose` as captions, not drawn here.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from .. import fonts, theme
from ..figure import Figure, PathOp, TextOp
from ..model import LChart, LocalBriefing, LSection
from . import cache as store
from .alt import alt_text
from .cache import cache_dir
from .canvas import PAD
from .labels import FAMILY, text_width, wrap
from .problems import KINDS, check

__all__ = [
    "CHART_CODE_VERSION",
    "FAMILY",
    "KINDS",
    "PAD",
    "Drawings",
    "Figure",
    "PathOp",
    "TextOp",
    "alt_text",
    "cache_dir",
    "cache_key",
    "charts_of",
    "draw_charts",
    "render",
    "text_width",
    "wrap",
]

# Bump whenever the drawing code or its constants change: it is part of the cache key (we cannot ask
# matplotlib for its version without importing it, which a warm rebuild must not do).
CHART_CODE_VERSION = 9

log = logging.getLogger(__name__)


def cache_key(chart: LChart, width: float) -> str:
    """A hash of everything that affects the drawing: the chart, its width, the theme, the fonts, the code."""
    payload = {
        "code": CHART_CODE_VERSION,
        "chart": dataclasses.asdict(chart),
        "width": round(float(width), 3),
        "theme": _theme_fingerprint(),
        "fonts": _font_fingerprints()[0],
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _theme_fingerprint() -> dict[str, Any]:
    """Every plain constant of the theme (colours, chart sizes): a change in any redraws the charts."""
    return {k: v for k, v in sorted(vars(theme).items())
            if k.isupper() and isinstance(v, (str, int, float, tuple))}


@functools.lru_cache(maxsize=None)  # noqa: UP033 - `cache` is the submodule here
def _font_fingerprints() -> tuple[tuple[tuple[str, int, str], ...], str | None]:
    """The chart faces' fingerprints, once per process, and the problem with the digest store, if any."""
    paths = [fonts.font_path(family, bold) for family in (FAMILY, fonts.LATIN[FAMILY]) for bold in (False, True)]
    try:
        return store.font_fingerprints(paths), None
    except store.FontStoreProblem as e:
        return e.fingerprints, str(e)
    except OSError as e:
        from ..errors import BriefingError

        raise BriefingError(f"cannot read font file: {e.strerror or e}", fonts.font_fix(),
                            str(getattr(e, "filename", "") or "fonts")) from None


def charts_of(local: LocalBriefing) -> list[LChart]:
    """The briefing's charts in reading order."""
    def walk(sections: tuple[LSection, ...]) -> Iterator[LChart]:
        for s in sections:
            for b in s.blocks:
                if isinstance(b, LChart):
                    yield b
            yield from walk(s.sections)

    return list(walk(local.sections))


class Drawings:
    """Each chart's `Figure` (with its alt text). Figures drawn by the worker are waited for when asked for."""

    def __init__(self, width: float) -> None:
        self.width = width
        self._index: dict[LChart, int] = {}
        self._charts: list[LChart] = []
        self._figures: dict[int, Figure] = {}
        self._worker: Any = None

    @property
    def pending(self) -> bool:
        """Whether some figures are still being drawn in the worker."""
        return self._worker is not None and len(self._figures) < len(self._charts)

    def figure(self, chart: LChart) -> Figure:
        i = self._index.get(chart)
        if i is None:
            raise KeyError(f"chart {chart.id or chart.title!r} was not drawn by this stage")
        fig = self._figures.get(i)
        if fig is None:
            got = self._worker.result(i) if self._worker is not None else None
            if isinstance(got, BaseException):
                raise got
            if got is None:   # the worker died (killed, out of memory): draw it here
                from .kinds import draw

                got = draw(chart, self.width)
            fig = self._figures[i] = replace(got, alt=alt_text(chart))
        return fig

    def close(self, abandon: bool = False) -> None:
        """Reap the worker (stop it first when `abandon`: the build failed or was interrupted)."""
        if self._worker is not None:
            self._worker.close(abandon)
            self._worker = None

    def __enter__(self) -> Drawings:
        return self

    def __exit__(self, kind: Any, *_: object) -> None:
        self.close(abandon=kind is not None)


def draw_charts(local: LocalBriefing, width: float, *, cache: bool = True, parallel: bool = True) -> Drawings:
    """The charts stage. With `cache`, drawings are read from and written to the chart cache; with
    `parallel`, charts not cached are drawn in a worker process (when the machine has a second core)."""
    from .worker import Worker, can_fork

    out = Drawings(float(width))
    for chart in charts_of(local):
        if chart not in out._index:
            check(chart)
            out._index[chart] = len(out._charts)
            out._charts.append(chart)
    problems: list[str] = []
    missing: list[tuple[int, LChart, str]] = []
    for i, chart in enumerate(out._charts):
        key = cache_key(chart, width) if cache else ""
        fig = _read(key, problems) if cache else None
        if fig is None:
            missing.append((i, chart, key))
        else:
            out._figures[i] = replace(fig, alt=alt_text(chart))
    if cache:
        _report(problems)
    if missing and parallel and can_fork():
        try:
            out._worker = Worker(missing, float(width), cache)
        except OSError:   # no process to spare (a limit on processes or memory): draw them here
            out._worker = None
    if missing and out._worker is None:
        for i, chart, key in missing:
            out._figures[i] = replace(_draw_and_store(chart, width, key if cache else None), alt=alt_text(chart))
    return out


def render(chart: LChart, width: float, *, cache: bool = True) -> Figure:
    """One chart drawn `width` points wide, in this process (cached like the stage's drawings)."""
    check(chart)
    key = cache_key(chart, width) if cache else None
    problems: list[str] = []
    fig = _read(key, problems) if key else None
    _report(problems)
    if fig is None:
        fig = _draw_and_store(chart, width, key)
    return replace(fig, alt=alt_text(chart))


def _read(key: str, problems: list[str]) -> Figure | None:
    fonts_problem = _font_fingerprints()[1]
    if fonts_problem and fonts_problem not in problems:
        problems.append(fonts_problem)
    try:
        return store.read(key)
    except store.Stale:      # drawn by another version of briefing: redrawn without a word
        return None
    except store.Problem as e:
        problems.append(f"entry {key[:12]}….json {e}")
        return None


def _draw_and_store(chart: LChart, width: float, key: str | None) -> Figure:
    from .kinds import draw

    fig = draw(chart, float(width))
    if key:
        store.write(key, fig)
    return fig


_reported: set[str] = set()


def _report(problems: list[str]) -> None:
    """At most one line per build about a damaged cache, naming the cache folder and the first problem."""
    problems = [p for p in problems if p not in _reported]
    if not problems:
        return
    _reported.update(problems)
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    log.warning("briefing: chart cache %s: %s%s; discarded and redrawn", cache_dir(), problems[0], more)
