#!/usr/bin/env python3
"""Run the two accessibility and archival validators on PDFs and summarise what they say.

    python tests/pdf_validators.py out/*.pdf

* page-validation (PyPI; module `page`): PDF/UA-1 on every PDF, PDF/A-2u on those that claim it
  (pdfaid in their XMP, i.e. built with --pdfa). A failure is a rule the file breaks.
* outloud (PyPI; command `outloud`): PDF/UA-1 conformance and WCAG 2.2 semantic checks, errors and
  warnings. It is run once for all the files (it takes a second to start).

Both come with `pip install -e '.[test]'`. Exit status 1 if any file fails, or has an outloud error; a
line per file either way. The tests (test_validators.py) use the same functions.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

UA, PDFA = "ua1", "2u"


@dataclass
class PageResult:
    profile: str
    rules: int
    failed_rules: int
    failed_checks: int
    failures: list[tuple[str, str]]      # (rule id, message), one per failed rule


@dataclass
class OutloudResult:
    errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    info: list[dict] = field(default_factory=list)
    crashed: str | None = None


def claims_pdfa(pdf: Path) -> bool:
    from pypdf import PdfReader

    meta = PdfReader(str(pdf)).trailer["/Root"].get("/Metadata")
    return meta is not None and b"pdfaid:part" in meta.get_object().get_data()


def page_check(pdf: Path, profile: str) -> PageResult:
    import page

    r = page.validate_pdf(str(pdf), profile=profile)
    return PageResult(profile, r.rules.total, r.rules.failed, r.checks.failed,
                      [(f.rule_id, f.message) for f in r.failures])


def outloud_check(pdfs: list[Path]) -> dict[Path, OutloudResult]:
    """outloud on all `pdfs` in one run; findings by file."""
    exe = Path(sys.executable).with_name("outloud")
    cmd = [str(exe) if exe.exists() else "outloud", "--json", "-", "--fail-on", "never", *map(str, pdfs)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, env={**os.environ, "NO_COLOR": "1"})
    if r.returncode != 0:
        raise RuntimeError(f"outloud failed ({r.returncode}): {r.stderr[-2000:]}")
    report = json.loads(r.stdout)
    out: dict[Path, OutloudResult] = {}
    by_path = {str(p): p for p in pdfs}
    for res in report["results"]:
        o = OutloudResult(crashed=res.get("error"))
        for f in res.get("findings", []):
            getattr(o, {"error": "errors", "warning": "warnings"}.get(f["severity"], "info")).append(f)
        out[by_path.get(res["path"], Path(res["path"]))] = o
    return out


def summary(pdf: Path, pages: list[PageResult], ol: OutloudResult | None) -> str:
    parts = []
    for p in pages:
        name = {"ua1": "PDF/UA-1", "2u": "PDF/A-2u"}[p.profile]
        parts.append(f"{name} {p.rules - p.failed_rules}/{p.rules} rules pass"
                     + (f" ({p.failed_checks} failed checks: {', '.join(r for r, _ in p.failures)})"
                        if p.failed_rules else ""))
    if ol is not None:
        parts.append(f"outloud {len(ol.errors)} errors, {len(ol.warnings)} warnings"
                     + (f" ({', '.join(sorted({f['rule'] for f in ol.errors + ol.warnings}))})"
                        if ol.errors or ol.warnings else "")
                     + (f", crashed: {ol.crashed}" if ol.crashed else ""))
    return f"{pdf}: " + "; ".join(parts)


def main(argv: list[str]) -> int:
    pdfs = [Path(a) for a in argv]
    if not pdfs:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    ol = outloud_check(pdfs)
    bad = 0
    for pdf in pdfs:
        pages = [page_check(pdf, UA)] + ([page_check(pdf, PDFA)] if claims_pdfa(pdf) else [])
        res = ol.get(pdf)
        print(summary(pdf, pages, res))
        if any(p.failed_rules for p in pages) or res is None or res.errors or res.crashed:
            bad += 1
    print(f"{len(pdfs)} file(s), {bad} with failures or errors")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
