#!/usr/bin/env python3
"""Benchmark: build times, peak memory and PDF size, each the median of N runs in fresh processes.

    python3 bench/bench.py            # sample + synthetic long briefings, 5 runs each
    python3 bench/bench.py --runs 3 --quick

Cold = a fresh process with an empty chart cache (matplotlib imported, charts drawn);
warm = a fresh process with the chart cache filled by an earlier run (matplotlib not imported).
Not a test: it prints figures for the README and the issue notes.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "content" / "jiaozuo-2025-h1.yaml"


def run_once(args: list[str], cache: str) -> tuple[float, float]:
    """Run `python -m briefing ARGS` and return (wall seconds, peak RSS in MB) of that process."""
    env = {**os.environ, "XDG_CACHE_HOME": cache}
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "briefing", *args], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    err = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"build failed: {' '.join(args)}\n{err}")
    return wall, usage.ru_maxrss / 1024


def measure(args: list[str], runs: int, warm: bool) -> tuple[float, float]:
    times, rss = [], []
    for _ in range(runs):
        cache = tempfile.mkdtemp(prefix="briefing-bench-cache-")
        try:
            if warm:
                run_once(args, cache)
            w, r = run_once(args, cache)
            times.append(w)
            rss.append(r)
        finally:
            shutil.rmtree(cache, ignore_errors=True)
    return statistics.median(times), max(rss)


def synthetic(copies: int, folder: Path) -> Path:
    """The sample with its sections repeated `copies` times (ids made unique)."""
    doc = yaml.safe_load(SAMPLE.read_text("utf-8"))
    sections = doc["sections"]
    out = []
    for k in range(copies):
        for s in sections:
            s2 = dict(s)
            s2["id"] = f"{s.get('id', 's')}-{k}"
            subs = []
            for j, sub in enumerate(s.get("sections", []) or []):
                sub2 = dict(sub)
                sub2["id"] = f"{sub.get('id', 'sub')}-{k}-{j}"
                subs.append(sub2)
            if subs:
                s2["sections"] = subs
            out.append(s2)
    doc["sections"] = out
    doc["id"] = f"synthetic-{copies}"
    path = folder / f"synthetic-{copies}.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def pages(pdf: Path) -> int:
    return len(re.findall(rb"/Type /Page\b", pdf.read_bytes()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="skip the synthetic long briefings")
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="briefing-bench-"))
    rows = []

    def row(name: str, args: list[str], warm: bool, pdfs: list[Path]) -> None:
        t, rss = measure(args, a.runs, warm)
        size = " + ".join(f"{p.stat().st_size / 1024:.0f} KB" for p in pdfs)
        npages = " + ".join(str(pages(p)) for p in pdfs)
        rows.append((name, t, rss, size, npages))
        print(f"{name:<34} {t:6.2f} s  {rss:6.0f} MB  {size:>16}  {npages:>8} pages", flush=True)

    print(f"median of {a.runs} runs, python {sys.version.split()[0]}, {os.cpu_count()} cores")
    for lang in ("zh", "en"):
        out = tmp / f"sample.{lang}.pdf"
        args = ["build", str(SAMPLE), "--lang", lang, "-o", str(out)]
        row(f"sample {lang}, cold", args, False, [out])
        row(f"sample {lang}, warm (chart cache)", args, True, [out])
    both = ["build", str(SAMPLE), "--out-dir", str(tmp)]
    pdfs = [tmp / "jiaozuo-2025-h1.zh.pdf", tmp / "jiaozuo-2025-h1.en.pdf"]
    row("sample zh+en in one command, cold", both, False, pdfs)
    row("sample zh+en in one command, warm", both, True, pdfs)
    if not a.quick:
        for copies in (4, 8, 16):
            src = synthetic(copies, tmp)
            out = tmp / f"synthetic-{copies}.zh.pdf"
            row(f"synthetic x{copies} zh, warm", ["build", str(src), "--lang", "zh", "-o", str(out)], True, [out])
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
