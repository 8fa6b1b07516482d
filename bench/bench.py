#!/usr/bin/env python3
"""Benchmark: build times, peak memory and PDF size, each the median of N whole processes, with the Typst
reference measured in the same run, so the ratios hold on whatever machine this runs on.

    python3 bench/bench.py                 # everything below (about 10 minutes on 2 cores)
    python3 bench/bench.py --quick         # the sample and the Typst reference only
    python3 bench/bench.py --runs 3 --json out.json

- sample: the Jiaozuo briefing, zh and en. Cold = a fresh process with empty caches (charts drawn by
  matplotlib, hyphenation patterns parsed); warm = a fresh process with the caches filled by an earlier run.
- Typst: bench/cold_vs_typst.py, which times the same Chinese briefing set by Typst 0.15 with the same
  fonts and matplotlib charts (../shared/reference/typst-bench) and ours, interleaved round by round (a
  shared machine's load changes over minutes): warm = compile with the charts pre-drawn / our chart cache
  filled, cold = draw the five charts with matplotlib and compile / our caches empty. Ratios of medians.
- long paragraphs: one Chinese (or English) paragraph of 10k, 20k, 40k and 100k characters in a short
  document, warm; the last column is seconds per 10,000 characters (flat = linear).
- long briefings: the sample's sections repeated 4, 8, 16 times (27, 53, 105 pages) and, with --long,
  32 times (209 pages: the most the loader's cap of 50,000 values allows), Chinese, warm, with peak memory.
- watch: bench/watch_edit.py, `briefing watch` on the Chinese sample, one paragraph edited and saved 5
  times: the rebuild time the watcher reports and the time from the save to its line (the PDF written).

Every timed process runs as a user's installed copy does, with compiled bytecode (pip compiles it at
install): the benchmark removes PYTHONDONTWRITEBYTECODE from the timed processes' environment, points
PYTHONPYCACHEPREFIX at a folder of its own and fills it with one untimed build first (bench/userenv.py).

Not a test: it prints the figures for the README (and, with --json, writes them).
"""
from __future__ import annotations

import argparse
import json
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
from userenv import NOTE, cleanup, user_env

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "content" / "jiaozuo-2025-h1.yaml"
LONG_SIZES = (10_000, 20_000, 40_000, 100_000)


def run_once(args: list[str], cache: str) -> tuple[float, float, float]:
    """Run `python -m briefing ARGS` and return (wall seconds, peak RSS in MB, CPU seconds) of that process
    (its CPU time, user + system, changes much less than the wall time with the load of a shared machine)."""
    env = user_env(XDG_CACHE_HOME=cache)
    with tempfile.TemporaryFile() as errors:   # (a pipe left unread would block a build that warns a lot)
        t = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "briefing", *args], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t
        errors.seek(0)
        err = errors.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"build failed: {' '.join(args)}\n{err}")
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def measure(args: list[str], runs: int, warm: bool) -> tuple[float, float, float]:
    """(median wall seconds, largest peak RSS in MB, median CPU seconds) over `runs` fresh processes."""
    times, rss, cpu = [], [], []
    for _ in range(runs):
        cache = tempfile.mkdtemp(prefix="briefing-bench-cache-")
        try:
            if warm:
                run_once(args, cache)
            w, r, c = run_once(args, cache)
            times.append(w)
            rss.append(r)
            cpu.append(c)
        finally:
            shutil.rmtree(cache, ignore_errors=True)
    return statistics.median(times), max(rss), statistics.median(cpu)


def typst(rounds: int) -> dict | None:
    """bench/cold_vs_typst.py's figures (medians and ratios, interleaved with ours), and the Typst PDF's size;
    None when the Typst reference is not beside the checkout."""
    r = subprocess.run([sys.executable, str(ROOT / "bench" / "cold_vs_typst.py"), str(rounds)], cwd=ROOT,
                       capture_output=True, text=True, env=user_env())
    if r.returncode != 0:
        print(f"(no Typst comparison: {(r.stderr.strip().splitlines() or ['?'])[-1]})", file=sys.stderr)
        return None
    out = json.loads(r.stdout.strip().splitlines()[-1])
    pdf = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "briefing-typst-ref/out/briefing.zh.pdf"
    out["typst_pdf_bytes"] = pdf.stat().st_size if pdf.is_file() else None
    return out


def synthetic(copies: int, folder: Path) -> Path:
    """The sample with its sections repeated `copies` times (ids made unique)."""
    doc = yaml.safe_load(SAMPLE.read_text("utf-8"))
    out = []
    for k in range(copies):
        for s in doc["sections"]:
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
    path.write_text(yaml.dump(doc, Dumper=_PlainDumper, allow_unicode=True, sort_keys=False), "utf-8")
    return path


class _PlainDumper(yaml.SafeDumper):
    """Writes repeated parts out in full: anchors and aliases would count against the loader's alias limit."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def _plain_paragraphs(lang: str) -> str:
    """The sample's paragraphs in one language, placeholders replaced by a figure, run together."""
    doc = yaml.safe_load(SAMPLE.read_text("utf-8"))
    found: list[str] = []

    def walk(o: object) -> None:
        if isinstance(o, dict):
            if isinstance(o.get("paragraph"), dict):
                found.append(o["paragraph"][lang])
            for v in o.values():
                walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)

    walk(doc["sections"])
    text = (" " if lang == "en" else "").join(re.sub(r"\{[^}]*\}", "12.3", p).replace("**", "") for p in found)
    return text


def long_paragraph(chars: int, folder: Path) -> Path:
    """A short document whose one section holds one paragraph of `chars` characters in each language."""
    doc = yaml.safe_load(SAMPLE.read_text("utf-8"))
    sides = {lang: _plain_paragraphs(lang) for lang in ("zh", "en")}
    para = {lang: (t * (chars // len(t) + 1))[:chars].strip() for lang, t in sides.items()}
    out = {k: doc[k] for k in ("briefing", "masthead", "title", "date", "author", "keywords")}
    out["source"] = {lang: re.sub(r"\{[^}]*\}", "", doc["source"][lang]) for lang in ("zh", "en")}
    out["id"] = f"paragraph-{chars}"
    out["sections"] = [{"id": "long", "heading": {"zh": "长段落", "en": "A long paragraph"},
                        "blocks": [{"paragraph": para}]}]
    path = folder / f"paragraph-{chars}.yaml"
    path.write_text(yaml.safe_dump(out, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def pages(pdf: Path) -> int:
    from pypdf import PdfReader  # page objects sit in compressed object streams: read, not grepped

    return len(PdfReader(str(pdf)).pages)


def markdown(results: dict, runs: int) -> str:
    """The README's performance table: ours and Typst's side by side, each figure with its command."""
    rows, ref, w = results["rows"], results.get("typst") or {}, results.get("watch")
    build = "`python -m briefing build content/jiaozuo-2025-h1.yaml --lang {}`"
    out = ["| | briefing | Typst 0.15 | measured by |", "|---|---:|---:|---|"]
    if ref:
        out.append(f"| warm rebuild, Chinese sample (charts cached / pre-drawn) | {ref['ours_warm_s']:.2f} s | "
                   f"{ref['typst_warm_s']:.2f} s | `bench/cold_vs_typst.py {runs}` (ratio {ref['warm_ratio']:.2f}×) |")
        out.append(f"| cold, Chinese sample (charts drawn) | {ref['ours_cold_s']:.2f} s | "
                   f"{ref['typst_cold_s']:.2f} s | `bench/cold_vs_typst.py {runs}` (ratio {ref['cold_ratio']:.2f}×) |")
    typst_pdf = f"{ref['typst_pdf_bytes']:,}" if ref.get("typst_pdf_bytes") else "—"
    for lang, name in (("zh", "Chinese"), ("en", "English")):
        r = rows.get(f"sample {lang}, warm")
        if r:
            out.append(f"| PDF bytes, {name} sample ({r['pages'][0]} pages) | {r['bytes'][0]:,} | "
                       f"{typst_pdf if lang == 'zh' else '— (Chinese only)'} | {build.format(lang)} |")
    big = rows.get("sample x16 zh, warm")
    if big:
        out.append(f"| {big['pages'][0]} pages (sample ×16), Chinese, warm | {big['s']:.2f} s ({big['cpu_s']:.2f} s "
                   f"CPU), {big['peak_mb']} MB peak | — | `bench/bench.py` (synthetic x16) |")
    if w:
        out.append(f"| `briefing watch`: one paragraph edited, Chinese | {w['rebuild_reported_s']:.2f} s "
                   f"({w['save_to_pdf_s']:.2f} s save → PDF) | — | `bench/watch_edit.py --edits 5` |")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="the sample and the Typst reference only")
    ap.add_argument("--long", action="store_true", help="also a 209-page briefing")
    ap.add_argument("--no-typst", action="store_true", help="skip the Typst reference")
    ap.add_argument("--json", type=Path, help="also write the figures as JSON")
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="briefing-bench-"))
    results: dict = {"runs": a.runs, "python": sys.version.split()[0], "cores": os.cpu_count(), "rows": {}}

    def row(name: str, args: list[str], warm: bool, pdfs: list[Path]) -> tuple[float, float, float]:
        t, rss, cpu = measure(args, a.runs, warm)
        size = " + ".join(f"{p.stat().st_size / 1024:.0f} KB" for p in pdfs)
        npages = " + ".join(str(pages(p)) for p in pdfs)
        results["rows"][name] = {"s": round(t, 3), "cpu_s": round(cpu, 3), "peak_mb": round(rss),
                                 "bytes": [p.stat().st_size for p in pdfs], "pages": [pages(p) for p in pdfs]}
        print(f"{name:<40} {t:6.2f} s ({cpu:5.2f} s CPU) {rss:6.0f} MB  {size:>16}  {npages:>8} pages", flush=True)
        return t, rss, cpu

    print(f"median of {a.runs} runs, python {results['python']}, {results['cores']} cores, "
          f"load average {os.getloadavg()[0]:.1f}; {NOTE}", flush=True)
    warm_up = tempfile.mkdtemp(prefix="briefing-bench-cache-")
    run_once(["build", str(SAMPLE), "--out-dir", str(tmp)], warm_up)   # untimed: fills the bytecode folder
    shutil.rmtree(warm_up, ignore_errors=True)
    if not a.no_typst:
        ref = typst(a.runs)
        if ref:
            results["typst"] = ref
            print(f"{'Typst 0.15, zh, warm (charts pre-drawn)':<40} {ref['typst_warm_s']:6.2f} s   ours (same rounds) "
                  f"{ref['ours_warm_s']:.2f} s: {ref['warm_ratio']:.2f}x")
            print(f"{'Typst 0.15, zh, cold (charts drawn)':<40} {ref['typst_cold_s']:6.2f} s   ours (same rounds) "
                  f"{ref['ours_cold_s']:.2f} s: {ref['cold_ratio']:.2f}x")
            if ref["typst_pdf_bytes"]:
                print(f"{'Typst 0.15, zh, PDF':<40} {ref['typst_pdf_bytes'] / 1024:6.0f} KB", flush=True)
    for lang in ("zh", "en"):
        out = tmp / f"sample.{lang}.pdf"
        args = ["build", str(SAMPLE), "--lang", lang, "-o", str(out)]
        row(f"sample {lang}, cold", args, False, [out])
        row(f"sample {lang}, warm", args, True, [out])
    both = ["build", str(SAMPLE), "--out-dir", str(tmp)]
    pdfs = [tmp / "jiaozuo-2025-h1.zh.pdf", tmp / "jiaozuo-2025-h1.en.pdf"]
    row("sample zh+en in one command, cold", both, False, pdfs)
    row("sample zh+en in one command, warm", both, True, pdfs)
    watch = subprocess.run([sys.executable, str(ROOT / "bench" / "watch_edit.py"), "--edits", "5"], cwd=ROOT,
                           capture_output=True, text=True, env=user_env())
    if watch.returncode == 0:
        w = json.loads(watch.stdout.strip().splitlines()[-1])
        results["watch"] = w
        print(f"{'watch, zh, one paragraph edited':<40} {w['rebuild_reported_s']:6.2f} s rebuild (reported), "
              f"{w['save_to_pdf_s']:.2f} s from the save to the PDF", flush=True)
    else:
        print(f"(watch not measured: {(watch.stderr.strip().splitlines() or ['?'])[-1]})", file=sys.stderr)
    if not a.quick:
        for lang in ("zh", "en"):
            per = []
            for n in LONG_SIZES:
                src = long_paragraph(n, tmp)
                out = tmp / f"paragraph-{n}.{lang}.pdf"
                t, _, _ = row(f"paragraph of {n // 1000}k chars, {lang}, warm",
                           ["build", str(src), "--lang", lang, "-o", str(out)], True, [out])
                per.append(t / n * 10_000)
            print(f"{'':<40} s per 10k chars: {' '.join(f'{x:.2f}' for x in per)}", flush=True)
        for copies in (4, 8, 16) + ((32,) if a.long else ()):
            src = synthetic(copies, tmp)
            out = tmp / f"synthetic-{copies}.zh.pdf"
            row(f"sample x{copies} zh, warm", ["build", str(src), "--lang", "zh", "-o", str(out)], True, [out])
    print()
    print(markdown(results, a.runs))
    if a.json:
        a.json.write_text(json.dumps(results, indent=1, ensure_ascii=False), "utf-8")
    shutil.rmtree(tmp, ignore_errors=True)
    cleanup()


if __name__ == "__main__":
    main()
