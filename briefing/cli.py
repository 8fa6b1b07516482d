"""Command line: `briefing build`, `briefing watch`, `briefing check`, `briefing mail`.

Turns every `BriefingError` into one line per problem on stderr and exit code 1. No traceback reaches a
user; an unexpected failure is one line too (exit 2) and asks to be reported.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from . import __version__
from .errors import BriefingError, ErrorList, OutputError
from .plural import counted
from .starter import find_content, new_content

_LOCAL_COMMANDS = {"build", "new", "watch", "check"}


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser. `command` is the subcommand named on the command line: the `mail` options
    (whose module imports smtplib, ssl and email, a sixth of a warm build's start-up) are only built for
    `mail` or the top-level help; other commands get a placeholder that lists `mail` the same way."""
    p = argparse.ArgumentParser(prog="briefing", description="Bilingual PDF briefings from one YAML file.")
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
    b.add_argument("--no-cache", action="store_true", help="do not read or write the chart cache")
    b.add_argument("--toc", action="store_true", help="add a table of contents")
    b.add_argument("-j", "--jobs", type=int, metavar="N",
                   help="build in N processes at once (default: one per core, at most one per PDF)")
    b.add_argument("-q", "--quiet", action="store_true", help="print only errors and warnings")

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


def _build_task(path: str, lang: str, output: str | None, out_dir: str, opts,
                warnings: list[str] | None = None) -> str:
    """Build one content file in one language and write it atomically; returns the written path. With a
    `warnings` list, the editorial warnings of the file are added to it (once per file, not per language)."""
    from .deliver import atomic_write
    from .load import load
    from .pipeline import build_model

    b = load(path)
    if warnings is not None:
        from .lint.command import warning_lines

        warnings += warning_lines(b)
    target = Path(output) if output else Path(out_dir) / f"{b.id}.{lang}.pdf"
    atomic_write(target, build_model(b, lang, opts))
    return str(target)


def _job(args: tuple) -> tuple[str, str | None, list[str], float]:
    """One (file, language) build, in this process or a worker: (path, written or None, errors and then
    warnings, seconds). The first language's job of a file also reads it for warnings."""
    path, lang, output, out_dir, opts, *first = args
    t = time.perf_counter()
    warnings: list[str] | None = [] if first and first[0] else None
    try:
        written = _build_task(path, lang, output, out_dir, opts, warnings)
        return path, written, warnings or [], time.perf_counter() - t
    except BriefingError as e:
        return path, None, (e.lines() if isinstance(e, ErrorList) else [e.line()]), time.perf_counter() - t
    except Exception as e:  # noqa: BLE001 - reported as one line, never a traceback
        return path, None, [f"{path}: internal error: {type(e).__name__}: {e} — please report this"], 0.0


def _preload(langs: list[str]) -> None:
    """Import the layout stages and parse the fonts once, before forking workers that share them."""
    from . import compose, fonts, pipeline, render  # noqa: F401

    for family in fonts.FAMILIES:
        for bold in (False, True):
            fonts.font_name(family, bold)
            if "en" in langs:
                fonts.font_name(fonts.LATIN[family], bold)


def _run_tasks(tasks: list[tuple], jobs: int, langs: list[str]):
    """Results in task order; several tasks run in forked worker processes that share the parsed fonts."""
    import gc

    _preload(langs)
    gc.freeze()   # the parsed fonts live for the whole run: keep the collector from rescanning them
    if jobs == 1 or len(tasks) == 1:
        yield from map(_job, tasks)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=ctx) as pool:
        yield from pool.map(_job, tasks)


def cmd_build(a: argparse.Namespace) -> int:
    from .pipeline import BuildOptions, parse_length

    files = a.content or [str(find_content())]
    langs = list(dict.fromkeys(a.lang or ["zh", "en"]))
    if a.output and (len(files) > 1 or len(langs) > 1):
        raise OutputError("names one output file, but this command builds several",
                          "give one content file and one --lang, or use --out-dir", "-o")
    if a.jobs is not None and a.jobs < 1:
        raise OutputError("--jobs must be 1 or more", "e.g. --jobs 2", "--jobs")
    opts = BuildOptions(paper=a.paper, chart_cache=not a.no_cache, toc=a.toc,
                        bleed=parse_length(a.bleed) if a.bleed else 0.0)
    tasks = [(f, lang, a.output, a.out_dir, opts, lang == langs[0]) for f in files for lang in langs]
    jobs = a.jobs or min(os.cpu_count() or 1, len(tasks))
    failed: list[str] = []
    pending: dict[str, list] = {}
    done = 0
    for path, written, lines, secs in _run_tasks(tasks, jobs, langs):
        entry = pending.setdefault(path, [[], [], 0.0, 0, []])
        entry[0] += [written] if written else []
        # a failed job's lines are its errors (both languages may report the same problem); a written
        # one's are the file's warnings
        bucket = entry[4] if written else entry[1]
        bucket += [e for e in lines if e not in bucket]
        entry[2] += secs
        entry[3] += 1
        if entry[3] < len(langs):
            continue
        done += 1
        prefix = f"[{done}/{len(files)}] " if len(files) > 1 else ""
        written_paths, errs, total, _, warns = pending.pop(path)
        for line in errs + warns:        # warnings after the errors
            print(line, file=sys.stderr)
        if errs:
            failed.append(path)
            print(f"{prefix}{path}: failed", file=sys.stderr)
        elif not a.quiet:
            print(f"{prefix}{path} → {', '.join(written_paths)} ({total:.2f} s)", flush=True)
    if failed:
        if len(files) > 1:
            print(f"{len(failed)} of {counted(len(files), 'file')} failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def cmd_new(a: argparse.Namespace) -> int:
    target = new_content(a.name)
    print(f"wrote {target.as_posix()} (the sample briefing, id {target.stem}): edit it, then "
          f"`briefing build{'' if target.parent == Path('.') else ' ' + target.as_posix()}`")
    return 0


def cmd_watch(a: argparse.Namespace) -> int:
    import gc

    from .pipeline import BuildOptions
    from .watch import Target, watch

    langs = list(dict.fromkeys(a.lang or ["zh", "en"]))
    if a.output and len(langs) > 1:
        raise OutputError("names one output file, but this command builds several",
                          "give one --lang, or use --out-dir", "-o")
    # charts drawn in this process: matplotlib, once imported, stays loaded for the next save
    opts = BuildOptions(paper=a.paper, chart_cache=not a.no_cache, toc=a.toc, parallel=False)
    _preload(langs)
    gc.freeze()
    targets = [Target(lang, Path(a.output) if a.output else None) for lang in langs]
    return watch(a.content, targets, a.out_dir, opts)


def cmd_check(a: argparse.Namespace) -> int:
    from .lint.command import run_check

    return run_check(a)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    parser = _parser(next((x for x in args if not x.startswith("-")), None))
    a = parser.parse_args(argv)
    try:
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
        return 1
    except KeyboardInterrupt:
        print("briefing: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # noqa: BLE001 - a user never sees a traceback
        if os.environ.get("BRIEFING_DEBUG"):
            raise
        print(f"briefing: internal error: {type(e).__name__}: {e} — please report this "
              "(set BRIEFING_DEBUG=1 for details)", file=sys.stderr)
        return 2
    return 0
