"""Command line: `briefing build`, `briefing watch`, `briefing check`, `briefing mail`.

Turns every `BriefingError` into one line per problem on stderr and exit code 1. No traceback reaches a
user; an unexpected failure is one line too (exit 2) and asks to be reported. Exit codes: 0 success,
1 content or usage error, 2 internal error, 130 interrupted.
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from . import __version__
from .errors import BriefingError, ErrorList, OutputError, escape_controls
from .plural import counted
from .starter import find_content, new_content

# The exit-code contract, the same for every command (README, "Exit codes")
EXIT_OK = 0
EXIT_ERROR = 1          # content or usage error: the message says what to do
EXIT_USAGE = EXIT_ERROR
EXIT_INTERNAL = 2       # a bug: the message asks to report it
EXIT_INTERRUPTED = 130  # Ctrl-C, SIGTERM, SIGHUP
MAX_BUILD_WARNINGS = 20   # a build shows a file's first 20 warnings; `briefing check` lists them all


_LOCAL_COMMANDS = {"build", "new", "watch", "check"}


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser. `command` is the subcommand named on the command line: the `mail` options
    (whose module imports smtplib, ssl and email, a sixth of a warm build's start-up) are only built for
    `mail` or the top-level help; other commands get a placeholder that lists `mail` the same way."""
    p = _Parser(prog="briefing", description="Bilingual PDF briefings from one YAML file.")
    p.add_argument("--version", action="version", version=f"briefing {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    b = sub.add_parser("build", help="build PDF briefings", description="Build PDF briefings.")
    b.add_argument("content", nargs="*", metavar="CONTENT",
                   help="content files (default: the one content file in ./, else in ./content/)")
    b.add_argument("--lang", action="append", choices=["zh", "en"],
                   help="language; repeat for several (default: zh and en)")
    out = b.add_mutually_exclusive_group()
    out.add_argument("-o", "--output", metavar="PATH", help="output PDF path (one content file, one language)")
    out.add_argument("--out-dir", metavar="DIR", default="out", help="output folder (default: out/)")
    b.add_argument("--paper", choices=["a4", "letter"], default="a4", help="paper size (default: a4)")
    b.add_argument("--bleed", metavar="LENGTH", help="add a bleed area with crop marks, e.g. 3mm")
    b.add_argument("--pdfa", action="store_true",
                   help="make the PDF archival as well (PDF/A-2u; every PDF is tagged PDF/UA-1)")
    b.add_argument("--no-cache", action="store_true", help="do not read or write the chart cache")
    b.add_argument("--toc", action="store_true", help="add a table of contents")
    b.add_argument("-j", "--jobs", type=int, metavar="N",
                   help="build in N processes at once (default: one per core, at most one per PDF)")
    b.add_argument("-q", "--quiet", action="store_true", help="print only errors and warnings")
    b.add_argument("--force", action="store_true",
                   help="replace an existing output file even if it is not a PDF (never a content file)")

    n = sub.add_parser("new", help="start a content file from the sample",
                       description="Write NAME.yaml: the sample briefing with id NAME, to edit and build.")
    n.add_argument("name", metavar="NAME",
                   help="the briefing's name: its file is NAME.yaml, its PDFs out/NAME.zh.pdf and out/NAME.en.pdf")

    w = sub.add_parser("watch", help="rebuild a briefing on every save of its content file",
                       description="Build a briefing, then rebuild it on every save of its content file, "
                                   "printing problems without stopping. Ctrl-C ends it.")
    w.add_argument("content", metavar="CONTENT", help="the content file to watch")
    w.add_argument("--lang", action="append", choices=["zh", "en"],
                   help="language; repeat for several (default: zh and en)")
    wout = w.add_mutually_exclusive_group()
    wout.add_argument("-o", "--output", metavar="PATH", help="output PDF path (one language)")
    wout.add_argument("--out-dir", metavar="DIR", default="out", help="output folder (default: out/)")
    w.add_argument("--paper", choices=["a4", "letter"], default="a4", help="paper size (default: a4)")
    w.add_argument("--no-cache", action="store_true", help="do not read or write the chart cache")
    w.add_argument("--toc", action="store_true", help="add a table of contents")
    w.add_argument("--force", action="store_true", help="replace an existing output file that is not a PDF")

    c = sub.add_parser("check", help="validate content files without building",
                       description="Validate content (both languages complete, placeholders, glyphs, chart "
                                   "data), then read it as an editor would: stray figures, sides that differ, "
                                   "terminology, derived figures (warnings; see docs/check.md).")
    from .lint.command import add_check_arguments

    add_check_arguments(c)

    if command in _LOCAL_COMMANDS:
        sub.add_parser("mail", help=MAIL_HELP)
        return p
    try:
        from .mailcli import add_mail_parser
    except ImportError:  # pragma: no cover - mail support is part of the package
        pass
    else:
        add_mail_parser(sub)
    return p


MAIL_HELP = "e-mail briefings (one message, or a list of readers)"


def _print_error(e: BriefingError) -> None:
    lines = e.lines() if isinstance(e, ErrorList) else [e.line()]
    for line in lines:
        print(line, file=sys.stderr)


def cmd_build(a: argparse.Namespace) -> int:
    from .pipeline import BuildOptions, parse_length
    from .runner import fail_lines, plan_build, run_tasks

    files = a.content or [str(find_content())]
    langs = list(dict.fromkeys(a.lang or ["zh", "en"]))
    if a.output is not None and (len(files) > 1 or len(langs) > 1):
        raise OutputError("names one output file, but this command builds several",
                          "give one content file and one --lang, or use --out-dir", "-o")
    if a.jobs is not None and a.jobs < 1:
        raise OutputError("--jobs must be 1 or more", "e.g. --jobs 2", "--jobs")
    opts = BuildOptions(paper=a.paper, chart_cache=not a.no_cache, toc=a.toc,
                        bleed=parse_length(a.bleed) if a.bleed else 0.0, pdfa=a.pdfa)
    plan = plan_build(files, langs, a.output, a.out_dir, force=a.force)
    # the PDF may be going to standard output: progress goes to stderr then
    progress = sys.stderr if any(op.kind == "stdout" for op in plan.outputs.values()) else sys.stdout
    total = len(plan.files)
    done = 0
    failed: list[str] = []
    internal = False

    def report(path: str, written: list[str], errors: list[str], secs: float, warnings: Sequence[str] = ()) -> None:
        nonlocal done
        done += 1
        prefix = f"[{done}/{total}] " if total > 1 else ""
        for line in [*errors, *warnings[:MAX_BUILD_WARNINGS]]:   # warnings after the errors
            print(line, file=sys.stderr)
        if len(warnings) > MAX_BUILD_WARNINGS:
            more = len(warnings) - MAX_BUILD_WARNINGS
            print(escape_controls(f"{path}: {counted(more, 'more warning')} — `briefing check {path}` lists them "
                                  "all"), file=sys.stderr)
        if errors:
            failed.append(path)
            print(escape_controls(f"{prefix}{path}: failed"), file=sys.stderr, flush=True)
        elif not a.quiet:
            print(escape_controls(f"{prefix}{path} → {', '.join(written)} ({secs:.2f} s)"), file=progress,
                  flush=True)

    jobs = a.jobs or min(os.cpu_count() or 1, max(1, len(plan.tasks)))
    results = run_tasks(plan, opts, jobs)   # in task order: file by file, each file's languages together
    try:
        for path in plan.files:             # reported in the order given
            if path in plan.failed:
                report(path, [], plan.failed[path], 0.0)
                continue
            mine = [next(results) for _ in langs]
            internal = internal or any(r.internal for r in mine)
            report(path, [r.written for r in mine if r.written], fail_lines(mine), sum(r.seconds for r in mine),
                   [w for r in mine for w in r.warnings])
        for _ in results:                   # nothing left: lets the workers shut down cleanly
            pass
    finally:
        results.close()                     # interrupted: ends the workers at once
    if failed:
        if total > 1:
            print(f"{len(failed)} of {counted(total, 'file')} failed: {', '.join(failed)}", file=sys.stderr)
        return 2 if internal else 1
    return 0


def cmd_new(a: argparse.Namespace) -> int:
    target = new_content(a.name)
    print(f"wrote {target.as_posix()} (the sample briefing, id {target.stem}): edit it, then "
          f"`briefing build{'' if target.parent == Path('.') else ' ' + target.as_posix()}`")
    return 0


def cmd_watch(a: argparse.Namespace) -> int:
    import gc

    from .pipeline import BuildOptions
    from .runner import preload
    from .watch import Target, watch

    langs = list(dict.fromkeys(a.lang or ["zh", "en"]))
    if a.output is not None and len(langs) > 1:
        raise OutputError("names one output file, but this command builds several",
                          "give one --lang, or use --out-dir", "-o")
    if a.output is not None:   # known before the first build: refuse it at once
        from .watch import plan_pdf

        plan_pdf(Path(a.output), a.content, "-o", a.force)
    # charts drawn in this process: matplotlib, once imported, stays loaded for the next save
    opts = BuildOptions(paper=a.paper, chart_cache=not a.no_cache, toc=a.toc, parallel=False)
    preload(langs)
    gc.freeze()
    targets = [Target(lang, Path(a.output) if a.output is not None else None) for lang in langs]
    return watch(a.content, targets, a.out_dir, opts, force=a.force)


def cmd_check(a: argparse.Namespace) -> int:
    from .lint.command import run_check

    return run_check(a)


class _Parser(argparse.ArgumentParser):
    """Usage errors exit with 1, like every other mistake a user can fix (argparse's own default is 2,
    which this tool keeps for internal errors)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit code (0 ok, 1 content or usage error, 2 internal error,
    130 interrupted by Ctrl-C, SIGTERM or SIGHUP)."""
    for stream in (sys.stdout, sys.stderr):   # a terminal or pipe that cannot show a character gets \uXXXX,
        try:                                  # never a UnicodeEncodeError
            stream.reconfigure(errors="backslashreplace")   # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            pass
    args = sys.argv[1:] if argv is None else argv
    parser = _parser(next((x for x in args if not x.startswith("-")), None))
    a = parser.parse_args(argv)
    handlers = {}
    if threading.current_thread() is threading.main_thread():
        # SIGTERM and SIGHUP end the run the way Ctrl-C does: workers ended, temporary files removed, 130
        for sig in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)):
            if sig is not None:
                handlers[sig] = signal.signal(sig, _interrupted)
    try:
        if a.command in ("build", "watch"):
            from .inputs import source_date_epoch

            source_date_epoch()   # a bad value is said once, before anything is built
        if a.command == "build":
            return cmd_build(a)
        if a.command == "check":
            return cmd_check(a)
        if a.command == "new":
            return cmd_new(a)
        if a.command == "watch":
            return cmd_watch(a)
        if a.command == "mail":
            from .mailcli import run_mail

            return run_mail(a)
        parser.error(f"unknown command {a.command}")
    except BriefingError as e:
        _print_error(e)
        return EXIT_ERROR
    except BrokenPipeError:
        # the program reading our output stopped (`briefing check … | head -1`): not a bug; say so once,
        # and keep Python from failing again when it flushes standard output at exit
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        print("briefing: standard output was closed before everything was written", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("briefing: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as e:  # noqa: BLE001 - a user never sees a traceback
        if os.environ.get("BRIEFING_DEBUG"):
            raise
        from .runner import internal_error_line

        print(internal_error_line("briefing", e), file=sys.stderr)
        return EXIT_INTERNAL
    finally:
        for sig, old in handlers.items():
            signal.signal(sig, old)
    return EXIT_OK
