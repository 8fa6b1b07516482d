"""`briefing watch`: rebuild a briefing's PDFs on every save of its content file.

The process stays up, so fonts, modules (and matplotlib, once a chart had to be drawn) stay loaded and a
rebuild costs only the build itself. The content file is polled (one `stat` every `interval` seconds):
a save is a change of its modification time, size or inode, so editors that save by writing a new file
and renaming it over the old one are seen too. A rebuild starts once the file has stopped changing for
`settle` seconds (a save in several writes is built once). Errors and warnings are printed in the usual
one-line form and the watch goes on; PDFs are written atomically, so a viewer never sees half a file.
A language whose localized briefing is the same as last time (an edit to the other language's side) is
not rebuilt. Ctrl-C ends it (exit 130).

The content's editorial warnings (those of `briefing check`, one line each) are printed in full with the
first build. After that a save prints only what it changed: each warning it brought (with its position),
and one line counting those it cleared (`brief.yaml: 1 warning fixed, 2 left`); a save that leaves the
warnings as they were prints none of them again. Warnings are compared without their positions, so an edit
that only moves one (a line added above it) does not repeat it.
"""
from __future__ import annotations

import os
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .errors import BriefingError, ErrorList, escape_controls
from .model import Lang
from .plural import counted

Stamp = tuple[int, int, int, int]   # (mtime_ns, size, inode, device); (0, -1, 0, 0) when absent


def stamp(path: str) -> Stamp:
    try:
        st = os.stat(path)
    except OSError:
        return (0, -1, 0, 0)
    return (st.st_mtime_ns, st.st_size, st.st_ino, st.st_dev)


def _without_position(line: str) -> str:
    """`file:12:3: warning: …` -> `warning: …` (an edit above a warning moves it without changing it)."""
    head, sep, rest = line.partition(": warning: ")
    return f"warning: {rest}" if sep else line


@dataclass
class Warnings:
    """The warnings as last reported (a multiset of lines without positions); None before the first build."""

    last: Counter[str] | None = None

    def report(self, path: str, lines: list[str], err: Callable[[str], None]) -> None:
        now = Counter(map(_without_position, lines))
        if self.last is None:
            for line in lines:
                err(line)
        else:
            fresh = now - self.last
            for line in lines:              # new ones, in file order, each as often as it newly occurs
                key = _without_position(line)
                if fresh[key] > 0:
                    fresh[key] -= 1
                    err(line)
            gone = sum((self.last - now).values())
            if gone:
                left = sum(now.values())
                err(f"{path}: {counted(gone, 'warning')} fixed, {left if left else 'none'} left")
        self.last = now


@dataclass
class Target:
    lang: Lang
    output: Path | None      # -o PATH, else out_dir/<id>.<lang>.pdf
    last: object = None      # the localized briefing last written (a save that leaves it equal skips it)
    written: Stamp | None = None   # the stamp of the PDF written then


def rebuild(path: str, targets: list[Target], out_dir: str, opts, say: Callable[[str], None],
            err: Callable[[str], None], force: bool = False, warnings: Warnings | None = None) -> bool:
    """Build every target whose localized briefing changed (or whose PDF is gone); report (the warnings
    through `warnings`, which remembers what was shown); True when all are up to date."""
    from .lint.command import warning_lines
    from .load import load
    from .localize import localize
    from .outputs import write_output
    from .pipeline import build_model

    t = time.perf_counter()
    written: list[str] = []
    same: list[str] = []
    try:
        b = load(path)
        for tg in targets:
            out = tg.output or Path(out_dir) / f"{b.id}.{tg.lang}.pdf"
            local = localize(b, tg.lang)
            if local == tg.last and tg.written == stamp(str(out)):
                same.append(tg.lang)
                continue
            tg.last = None
            # the same checks as `build`: never over the content file or a font, a device or a non-PDF
            plan = plan_pdf(out, path, "-o" if tg.output else "output", force)
            write_output(plan, build_model(b, tg.lang, opts, local))
            tg.last, tg.written = local, stamp(str(out))
            written.append(str(out))
        if warnings is not None:
            warnings.report(path, warning_lines(b), err)
    except BriefingError as e:
        for line in (e.lines() if isinstance(e, ErrorList) else [e.line()]):
            err(line)
        err(f"{path}: not rebuilt ({time.perf_counter() - t:.2f} s); watching for the next save")
        return False
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as e:  # noqa: BLE001 - one line, and the watch goes on
        if os.environ.get("BRIEFING_DEBUG"):
            raise
        err(f"{path}: internal error: {type(e).__name__}: {e} — please report this (set BRIEFING_DEBUG=1 "
            "for details)")
        return False
    done = ", ".join(written) if written else "nothing changed"
    unchanged = f"; {', '.join(same)} unchanged" if written and same else ""
    say(f"{path} → {done}{unchanged} ({time.perf_counter() - t:.2f} s)")
    return True


def plan_pdf(out: Path, content: str, label: str, force: bool = False):
    """Where a PDF may go, checked as `briefing build` checks it: never over the content file or a font,
    never over a file that is not a PDF, never a folder or a device; a file, not standard output."""
    from .errors import OutputError
    from .fonts import all_font_files
    from .outputs import plan_output

    fix = ("give -o the name of a new .pdf file" if label == "-o"
           else "choose another --out-dir, or give the briefing another id")
    plan = plan_output(out, inputs=[content, *map(str, all_font_files())], overwrite=True, label=label,
                       where="briefing watch", force_option="--force",
                       replace_only=None if force else (b"%PDF-", "PDF"), input_fix=fix)
    if plan.kind != "file":
        raise OutputError(f"{label} {out}: briefing watch writes a file at every save",
                          "give -o a file name, or use --out-dir", "briefing watch")
    return plan


def watch(path: str, targets: list[Target], out_dir: str, opts, *, interval: float = 0.05, settle: float = 0.02,
          say: Callable[[str], None] | None = None, err: Callable[[str], None] | None = None,
          max_builds: int | None = None, force: bool = False) -> int:
    """Build now, then after every save, until interrupted (or `max_builds`, for tests)."""
    say = say or (lambda s: print(escape_controls(s), flush=True))   # a file name may hold ESC or CR
    err = err or (lambda s: print(escape_controls(s), file=sys.stderr, flush=True))
    builds = 0
    shown = Warnings()
    last = stamp(path)
    missing_reported = False
    say(f"watching {path} (Ctrl-C to stop)")
    if last[1] >= 0:
        rebuild(path, targets, out_dir, opts, say, err, force, shown)
        builds += 1
    while max_builds is None or builds < max_builds:
        time.sleep(interval)
        now = stamp(path)
        if now == last:
            continue
        # wait until the file stops changing (an editor may write it in several steps)
        while True:
            time.sleep(settle)
            again = stamp(path)
            if again == now:
                break
            now = again
        last = now
        if now[1] < 0:
            if not missing_reported:
                err(f"{path}: the file is gone; waiting for it to come back")
                missing_reported = True
            continue
        missing_reported = False
        rebuild(path, targets, out_dir, opts, say, err, force, shown)
        builds += 1
    return 0
