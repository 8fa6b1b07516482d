"""`briefing check`: errors, then the editorial warnings, as text lines or one JSON document."""
from __future__ import annotations

import argparse
import json
import os
import sys

from ..errors import BriefingError, ErrorList, Where
from ..plural import counted


def add_check_arguments(c: argparse.ArgumentParser) -> None:
    c.add_argument("content", nargs="+", metavar="CONTENT")
    c.add_argument("--strict", action="store_true", help="exit with 1 when there are warnings too")
    c.add_argument("--format", choices=["text", "json"], default="text",
                   help="text lines (default) or one JSON document on standard output, for editors and CI")
    c.add_argument("--terms", action="store_true",
                   help="also list the Chinese terms used at least twice with every English rendering beside "
                        "them")


def warning_lines(b) -> list[str]:
    """The warnings of a loaded briefing as `file:line:col: warning: …` lines (what `build` prints)."""
    from . import lint

    return [w.line() for w in lint(b)]


def _error_json(e: BriefingError) -> dict:
    w = e.where if isinstance(e.where, Where) else None
    return {"file": w.file if w else (str(e.where) if e.where else None), "line": w.line if w else None,
            "column": w.col if w else None, "severity": "error", "kind": type(e).__name__,
            "field": w.field if w else None, "message": e.what, "fix": e.fix or None, "suggestion": None}


def run_check(a: argparse.Namespace) -> int:
    from ..pipeline import check
    from . import lint
    from .terms import as_json, collect, report

    as_json_out = a.format == "json"
    bad = warned = internal = 0
    files: list[dict] = []
    diagnostics: list[dict] = []
    for path in a.content:
        try:
            b = check(path)
        except BriefingError as e:
            errors = e.errors if isinstance(e, ErrorList) else [e]
            bad += 1
            if as_json_out:
                diagnostics += [_error_json(x) for x in errors]
                files.append({"path": path, "status": "error", "errors": len(errors), "warnings": 0})
            else:
                for line in (e.lines() if isinstance(e, ErrorList) else [e.line()]):
                    print(line, file=sys.stderr)
            continue
        except Exception as e:  # noqa: BLE001 - the same line and exit code (2) as `build` gives
            if os.environ.get("BRIEFING_DEBUG"):
                raise
            from ..runner import internal_error_line

            internal += 1
            if as_json_out:
                files.append({"path": path, "status": "internal error", "errors": 1, "warnings": 0})
            print(internal_error_line(path, e), file=sys.stderr)
            continue
        warnings = lint(b)
        warned += bool(warnings)
        terms = collect(b) if a.terms else None
        if as_json_out:
            diagnostics += [w.as_json() for w in warnings]
            entry = {"path": path, "status": "warnings" if warnings else "ok", "errors": 0,
                     "warnings": len(warnings), "figures": len(b.data), "sections": len(b.sections)}
            if terms is not None:
                entry["terms"] = as_json(terms)
            files.append(entry)
            continue
        for w in warnings:
            print(w.line(), file=sys.stderr)
        if terms is not None:
            print("\n".join(report(terms, path)))
        n = len(warnings)
        state = "ok" if not n else counted(n, "warning")
        print(f"{path}: {state} ({counted(len(b.data), 'figure')}, {counted(len(b.sections), 'section')}, "
              "zh and en complete)")
    if as_json_out:
        json.dump({"version": 1, "files": files, "diagnostics": diagnostics}, sys.stdout, ensure_ascii=False,
                  indent=2)
        print()
    return 2 if internal else 1 if bad or (a.strict and warned) else 0
