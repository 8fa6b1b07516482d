"""Running a build: outputs planned before any work, tasks run here or in workers that die with the build.

`plan_build` loads every content file and decides every output before anything is built, so that a run
that would lose a file (an output that is one of the run's content files or fonts, the same output for
two inputs, a device, a name the file system cannot hold, an unwritable folder) stops before it starts.

`run_tasks` builds each (file, language) in this process, or in forked workers that share the parsed
fonts and the loaded content. A worker never outlives the build: on Linux the kernel kills it when the
build process dies (PR_SET_PDEATHSIG, so even after SIGKILL), elsewhere it checks its parent before it
gives a PDF its name; Ctrl-C, SIGTERM and SIGHUP make the build end its workers, whose half-written
temporary files are removed, and exit with 130.
"""
from __future__ import annotations

import dataclasses
import mmap
import os
import signal
import stat
import sys
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import outputs
from .errors import BriefingError, ErrorList, OutputError, Where
from .inputs import kind_of

WHERE = "briefing build"
PDF = (b"%PDF-", "PDF")


@dataclass
class Plan:
    """What one `briefing build` will do: the loaded briefings, what failed to load, every output."""

    files: list[str]
    langs: list[str]
    loaded: dict[str, object] = field(default_factory=dict)          # path → model.Briefing
    failed: dict[str, list[str]] = field(default_factory=dict)       # path → error lines
    outputs: dict[tuple[str, str], outputs.OutputPlan] = field(default_factory=dict)
    # how each output was checked, to check it again just before it is written (see `_job`)
    checks: dict[tuple[str, str], tuple[str, dict]] = field(default_factory=dict)

    @property
    def tasks(self) -> list[tuple[str, str]]:
        return [(f, lang) for f in self.files if f in self.loaded for lang in self.langs]


def unique_files(files: list[str]) -> list[str]:
    """The content files, each once (the same file named twice, or through a link, is built once)."""
    seen: set[object] = set()
    out = []
    for f in files:
        try:
            st = os.stat(f)
            key: object = (st.st_dev, st.st_ino)
        except (OSError, ValueError):
            key = os.path.normpath(os.path.abspath(f))
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def plan_build(files: list[str], langs: list[str], output: str | None, out_dir: str, *,
               force: bool = False) -> Plan:
    """Load the content and check every output; raise `ErrorList` of `OutputError`s if any would lose a file."""
    from .fonts import all_font_files
    from .load import load

    plan = Plan(unique_files(files), langs)
    for f in plan.files:
        try:
            plan.loaded[f] = load(f)
        except BriefingError as e:
            plan.failed[f] = e.lines() if isinstance(e, ErrorList) else [e.line()]
    inputs = [*files, *map(str, all_font_files())]
    problems: list[BriefingError] = []
    if output is None and plan.tasks:
        _check_out_dir(out_dir)
    claimed: dict[tuple, tuple[str, str]] = {}    # the output's identity → (content file, its output)
    folders: dict[str, None] = {}
    clashes: set[tuple[str, str]] = set()
    # the output's folder and name as a case-insensitive file system sees them (macOS, Windows, a shared
    # drive): two ids that differ only in case would write one PDF there
    folded: dict[tuple[str, str], tuple[str, str]] = {}
    for f, lang in plan.tasks:
        b = plan.loaded[f]
        target = output if output is not None else os.path.join(out_dir, f"{b.id}.{lang}.pdf")  # type: ignore[attr-defined]
        label = "-o" if output is not None else "output"
        fix = ("give -o the name of a new .pdf file" if output is not None
               else "choose another --out-dir, or give the briefing another id")
        check = dict(inputs=inputs, overwrite=True, label=label, where=WHERE, force_option="--force",
                     replace_only=None if force else PDF, input_fix=fix)
        try:
            op = outputs.plan_output(target, **check)
        except OutputError as e:
            problems.append(e)
            continue
        if (op.kind == "stdout" and _stdout_is_terminal()) or (op.kind == "stream" and _is_terminal(op.path)):
            problems.append(OutputError("the output is a terminal, and a PDF is not for reading there",
                                        "redirect it (> file.pdf, | lpr) or give -o a file name", WHERE))
            continue
        key = _identity(op)
        if key is not None and key in claimed:
            other, shown = claimed[key]
            if (f, other) not in clashes:   # once per pair of files, not once per language
                clashes.add((f, other))
                same_id = getattr(plan.loaded[other], "id", None) == b.id   # type: ignore[attr-defined]
                problems.append(OutputError(
                    (f"'{b.id}' is also the id of {other}: both would be written to {shown}"  # type: ignore[attr-defined]
                     if same_id else f"{other} would be written to {shown} as well"),
                    "give each briefing its own id, or build them into different folders", Where(f, field="id")))
            continue
        fold = _folded(op)
        if fold is not None and fold in folded and folded[fold][0] != f:
            other, shown = folded[fold]
            if (f, other) not in clashes:
                clashes.add((f, other))
                problems.append(OutputError(
                    f"'{b.id}' and '{getattr(plan.loaded[other], 'id', '?')}' (the id of {other}) differ only in "  # type: ignore[attr-defined]
                    f"case: on macOS and Windows both would be written to {shown}",
                    "give each briefing an id that differs in more than case", Where(f, field="id")))
            continue
        if fold is not None:
            folded[fold] = (f, target)
        if key is not None:
            claimed[key] = (f, target)
        plan.outputs[(f, lang)] = op
        plan.checks[(f, lang)] = (target, check)
        if op.kind == "file":
            folders[str(op.path.parent)] = None   # type: ignore[union-attr]
    if not problems:
        for folder in folders:   # made and proven writable now, not found read-only after the work
            try:
                outputs.check_folder_writable(folder, where=WHERE)
            except OutputError as e:
                problems.append(e)
    if problems:
        raise ErrorList(problems)
    return plan


def _check_out_dir(out_dir: str) -> None:
    if not out_dir or "\0" in out_dir:
        raise OutputError(f"--out-dir {out_dir!r} is not a folder name", "give a folder name", WHERE)
    folder = Path(out_dir)
    for part in (folder, *folder.parents):
        try:
            st = os.stat(part)
        except OSError:
            continue
        if not stat.S_ISDIR(st.st_mode):
            what = "a file" if stat.S_ISREG(st.st_mode) else kind_of(st.st_mode)
            where = "" if part == folder else f" (its part {part} is {what})"
            raise OutputError(f"--out-dir {out_dir} is not a folder{where or ': it is ' + what}",
                              "choose another --out-dir", WHERE)
        break


def _identity(op: outputs.OutputPlan) -> tuple | None:
    if op.kind == "stdout":
        return ("stdout",)
    assert op.path is not None
    try:
        st = os.stat(op.path)
        return ("inode", st.st_dev, st.st_ino)
    except OSError:
        return ("path", os.path.normcase(os.path.realpath(op.path)))


def _folded(op: outputs.OutputPlan) -> tuple[str, str] | None:
    """A file output's folder (resolved) and name under case folding; None for other outputs."""
    if op.kind != "file" or op.path is None:
        return None
    return (os.path.normcase(os.path.realpath(op.path.parent)), op.path.name.casefold())


def _is_terminal(path: Path | None) -> bool:
    """Opening a named pipe to ask would end its reader's input: only character devices are asked."""
    try:
        return path is not None and stat.S_ISCHR(os.stat(path).st_mode) and outputs._is_tty(str(path))
    except OSError:
        return False


def _stdout_is_terminal() -> bool:
    try:
        return os.isatty(sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):
        return False


# ---- running the tasks ------------------------------------------------------------------------------

# The loaded briefings and output plans, set before the workers are forked so that they inherit them
# instead of loading every file again.
_PLAN: Plan | None = None
_PARENT: int | None = None
# One shared byte (an anonymous mapping the workers inherit): the build sets it the moment it is interrupted,
# before it gets round to ending its workers, and a worker checks it just before a PDF gets its name, so a
# worker that finishes in that moment writes nothing (the window left is the one between the check and
# the rename, a few system calls).
_STOP: mmap.mmap | None = None


@dataclass(frozen=True)
class Result:
    path: str
    lang: str
    written: str | None
    errors: tuple[str, ...]
    seconds: float
    internal: bool = False
    warnings: tuple[str, ...] = ()   # the file's editorial warnings, with its first language only


def internal_error_line(where: str, e: BaseException) -> str:
    return (f"{where}: internal error: {type(e).__name__}: {' '.join(str(e).split())} — please report this "
            "(set BRIEFING_DEBUG=1 for details)")


def _job(task: tuple) -> Result:
    """One (file, language) build, in this process or a worker."""
    path, lang, opts = task
    t = time.perf_counter()
    assert _PLAN is not None
    try:
        from .pipeline import build_model

        plan = _PLAN.outputs[(path, lang)]
        b = _PLAN.loaded[path]
        data = build_model(b, lang, opts)   # type: ignore[arg-type]
        plan = _recheck(path, lang, plan)
        outputs.write_output(plan, data, fix="choose a writable output path with -o or --out-dir")
        shown = "standard output" if plan.kind == "stdout" else str(plan.path)
        warnings: list[str] = []
        if lang == _PLAN.langs[0]:
            from .lint.command import warning_lines

            warnings = warning_lines(b)
        return Result(path, lang, shown, (), time.perf_counter() - t, warnings=tuple(warnings))
    except BriefingError as e:
        return Result(path, lang, None, tuple(e.lines() if isinstance(e, ErrorList) else [e.line()]),
                      time.perf_counter() - t)
    except Exception as e:  # noqa: BLE001 - one line, never a traceback (BRIEFING_DEBUG adds it)
        line = internal_error_line(path, e)
        if os.environ.get("BRIEFING_DEBUG"):
            import traceback

            line += "\n" + "".join(traceback.format_exception(e)).rstrip()
        return Result(path, lang, None, (line,), time.perf_counter() - t, internal=True)


def _recheck(path: str, lang: str, plan: outputs.OutputPlan) -> outputs.OutputPlan:
    """The output checked again now that the PDF is ready (the build took a while: the path may have
    become a link to an input, or another build of the same briefing may have written it). A PDF that
    appeared meanwhile is replaced, as one there at the start would have been."""
    assert _PLAN is not None
    if plan.kind != "file" or (path, lang) not in _PLAN.checks:
        return plan
    target, check = _PLAN.checks[(path, lang)]
    again = outputs.plan_output(target, **check)
    return dataclasses.replace(again, replace=True) if again.kind == "file" else again


def preload(langs: list[str]) -> None:
    """Import the layout stages and parse the fonts once, before forking workers that share them."""
    from . import compose, fonts, pipeline, render  # noqa: F401

    for family in fonts.FAMILIES:
        for bold in (False, True):
            fonts.font_name(family, bold)
            if "en" in langs:
                fonts.font_name(fonts.LATIN[family], bold)


def run_tasks(plan: Plan, opts: object, jobs: int) -> Generator[Result, None, None]:
    """Results in task order. Several tasks run in forked workers that die with this process."""
    import gc

    global _PLAN
    _PLAN = plan
    tasks = [(f, lang, opts) for f, lang in plan.tasks]
    if not tasks:
        return
    preload(plan.langs)
    gc.freeze()   # the parsed fonts live for the whole run: keep the collector from rescanning them
    if jobs == 1 or len(tasks) <= 1 or not hasattr(os, "fork"):
        yield from map(_job, tasks)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _STOP
    ctx = multiprocessing.get_context("fork")
    sys.stdout.flush()
    sys.stderr.flush()
    _STOP = mmap.mmap(-1, 1)
    pool = ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=ctx,
                               initializer=_worker_start, initargs=(os.getpid(),))
    finished = False
    restore = _stop_on_signals(_STOP)
    try:
        yield from pool.map(_job, tasks)
        finished = True
    finally:
        restore()
        if finished:
            pool.shutdown(wait=True)
        else:   # interrupted (Ctrl-C, SIGTERM) or the consumer stopped: end the workers now
            _STOP[0] = 1
            end_workers(pool)


def _stop_on_signals(stop: mmap.mmap) -> Callable[[], None]:
    """While the workers run, Ctrl-C, SIGTERM and SIGHUP first set the shared stop byte, then do what they
    did before (raise KeyboardInterrupt). Returns the function that puts the old handlers back."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    old: dict[int, Any] = {}

    def handler(signum: int, frame: Any) -> None:
        stop[0] = 1
        before = old.get(signum)
        if callable(before):
            before(signum, frame)
        raise KeyboardInterrupt

    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None and signal.getsignal(sig) is not signal.SIG_IGN:   # (nohup's SIGHUP stays ignored)
            old[sig] = signal.signal(sig, handler)

    def restore() -> None:
        for sig, h in old.items():
            signal.signal(sig, h)
    return restore


def end_workers(pool: object) -> None:
    """Terminate a pool's workers (their SIGTERM handler removes their temporary files) and reap them."""
    procs = list(getattr(pool, "_processes", {}).values())
    for p in procs:
        try:
            p.terminate()
        except (OSError, AttributeError, ValueError):
            pass
    for p in procs:
        try:
            p.join(5)
            if p.is_alive():
                p.kill()
                p.join(1)
        except (OSError, AttributeError, ValueError, AssertionError):
            pass
    try:
        pool.shutdown(wait=False, cancel_futures=True)   # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - the pool is already broken; nothing left to do
        pass
    # Wait for the pool's manager thread to wind up (it closes its wake-up pipe as it ends): otherwise the
    # interpreter's exit may poke that pipe while the thread closes it, and print "Exception ignored in:
    # <module 'threading'> … OSError: [Errno 9] Bad file descriptor" after "briefing: interrupted".
    manager = getattr(pool, "_executor_manager_thread", None)
    if manager is not None:
        manager.join(5)


# ---- the worker's side -------------------------------------------------------------------------------

def _worker_start(parent: int) -> None:
    """In each worker, first thing: die with the build, leave Ctrl-C to the build, clean up on SIGTERM."""
    global _PARENT
    _PARENT = parent
    signal.signal(signal.SIGINT, signal.SIG_IGN)      # the build gets Ctrl-C and ends its workers
    signal.signal(signal.SIGTERM, _worker_terminated)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, _worker_terminated)
    die_with_parent(parent)
    outputs.set_commit_guard(_parent_alive_or_exit)


def die_with_parent(parent: int) -> None:
    """Linux: ask the kernel to SIGKILL this process when its parent dies (even by SIGKILL)."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)   # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:   # the parent died before the request took effect
        os._exit(1)


def _worker_terminated(signum: int, frame: object) -> None:
    outputs.remove_current_temps()
    os._exit(128 + signum)


def _parent_alive_or_exit() -> None:
    """Called by the worker just before a finished PDF gets its name: an orphan writes nothing."""
    if (_PARENT is not None and os.getppid() != _PARENT) or (_STOP is not None and _STOP[0]):
        outputs.remove_current_temps()
        os._exit(1)


def fail_lines(results: list[Result]) -> list[str]:
    lines: list[str] = []
    for r in results:
        lines += [e for e in r.errors if e not in lines]   # both languages may report the same problem
    return lines
