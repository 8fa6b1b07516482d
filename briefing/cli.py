"""Command line: `briefing build`, `briefing check`, `briefing mail`.

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

DEFAULT_CONTENT = Path(__file__).resolve().parent.parent / "content" / "jiaozuo-2025-h1.yaml"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="briefing", description="Bilingual PDF briefings from one YAML file.")
    p.add_argument("--version", action="version", version=f"briefing {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    b = sub.add_parser("build", help="build PDF briefings", description="Build PDF briefings.")
    b.add_argument("content", nargs="*", metavar="CONTENT",
                   help=f"content files (default: the sample, {DEFAULT_CONTENT.relative_to(DEFAULT_CONTENT.parents[1])})")
    b.add_argument("--lang", action="append", choices=["zh", "en"],
                   help="language; repeat for several (default: zh and en)")
    out = b.add_mutually_exclusive_group()
    out.add_argument("-o", "--output", metavar="PATH", help="output PDF path (one content file, one language)")
    out.add_argument("--out-dir", metavar="DIR", default="out", help="output folder (default: out/)")
    b.add_argument("--paper", choices=["a4", "letter"], default="a4", help="paper size (default: a4)")
    b.add_argument("--bleed", metavar="LENGTH", help="add a bleed area with crop marks, e.g. 3mm")
    b.add_argument("--no-cache", action="store_true", help="do not read or write the chart cache")
    b.add_argument("--toc", action="store_true", help="add a table of contents")
    b.add_argument("-j", "--jobs", type=int, default=1, metavar="N", help="build N files in parallel")
    b.add_argument("-q", "--quiet", action="store_true", help="print only errors")

    c = sub.add_parser("check", help="validate content files without building",
                       description="Validate content: both languages complete, placeholders, glyphs, chart data.")
    c.add_argument("content", nargs="+", metavar="CONTENT")

    try:
        from .mailcli import add_mail_parser
    except ImportError:  # pragma: no cover - mail support is part of the package
        pass
    else:
        add_mail_parser(sub)
    return p


def _print_error(e: BriefingError) -> None:
    lines = e.lines() if isinstance(e, ErrorList) else [e.line()]
    for line in lines:
        print(line, file=sys.stderr)


def _build_one(path: str, langs: list[str], output: str | None, out_dir: str, opts) -> list[str]:
    """Build one content file in each language; returns the written paths."""
    from .deliver import atomic_write
    from .load import load
    from .pipeline import build_model

    b = load(path)
    written = []
    for lang in langs:
        target = Path(output) if output else Path(out_dir) / f"{b.id}.{lang}.pdf"
        pdf = build_model(b, lang, opts)
        atomic_write(target, pdf)
        written.append(str(target))
    return written


def _job(args: tuple) -> tuple[str, list[str] | None, list[str], float]:
    """One file in a worker process: (path, written or None, error lines, seconds)."""
    path, langs, output, out_dir, opts = args
    t = time.perf_counter()
    try:
        return path, _build_one(path, langs, output, out_dir, opts), [], time.perf_counter() - t
    except BriefingError as e:
        return path, None, (e.lines() if isinstance(e, ErrorList) else [e.line()]), time.perf_counter() - t
    except Exception as e:  # noqa: BLE001 - reported as one line, never a traceback
        return path, None, [f"{path}: internal error: {type(e).__name__}: {e} — please report this"], 0.0


def cmd_build(a: argparse.Namespace) -> int:
    from .pipeline import BuildOptions, parse_length

    files = a.content or [str(DEFAULT_CONTENT)]
    langs = list(dict.fromkeys(a.lang or ["zh", "en"]))
    if a.output and (len(files) > 1 or len(langs) > 1):
        raise OutputError("names one output file, but this command builds several",
                          "give one content file and one --lang, or use --out-dir", "-o")
    if a.jobs < 1:
        raise OutputError("--jobs must be 1 or more", "e.g. --jobs 2", "--jobs")
    opts = BuildOptions(paper=a.paper, chart_cache=not a.no_cache, toc=a.toc,
                        bleed=parse_length(a.bleed) if a.bleed else 0.0)
    tasks = [(f, langs, a.output, a.out_dir, opts) for f in files]
    failed: list[tuple[str, list[str]]] = []
    if a.jobs == 1 or len(files) == 1:
        results = map(_job, tasks)
    else:
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(max_workers=min(a.jobs, len(files)))
        results = pool.map(_job, tasks)
    for i, (path, written, errors, secs) in enumerate(results, 1):
        prefix = f"[{i}/{len(files)}] " if len(files) > 1 else ""
        if written is None:
            failed.append((path, errors))
            for line in errors:
                print(line, file=sys.stderr)
            print(f"{prefix}{path}: failed", file=sys.stderr)
        elif not a.quiet:
            print(f"{prefix}{path} → {', '.join(written)} ({secs:.2f} s)")
    if failed:
        if len(files) > 1:
            print(f"{len(failed)} of {len(files)} file(s) failed: {', '.join(p for p, _ in failed)}", file=sys.stderr)
        return 1
    return 0


def cmd_check(a: argparse.Namespace) -> int:
    from .pipeline import check

    bad = 0
    for path in a.content:
        try:
            b = check(path)
        except BriefingError as e:
            _print_error(e)
            bad += 1
        else:
            print(f"{path}: ok ({len(b.data)} figures, {len(b.sections)} sections, zh and en complete)")
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    a = parser.parse_args(argv)
    try:
        if a.command == "build":
            return cmd_build(a)
        if a.command == "check":
            return cmd_check(a)
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
