#!/usr/bin/env python3
"""Cold and warm builds of the Chinese sample against Typst's pipeline, interleaved round by round.

    python3 bench/cold_vs_typst.py [ROUNDS]        # from the top of the checkout; default 7 rounds

Each round times, in fresh processes: Typst cold (draw the five charts with matplotlib in a fresh
MPLCONFIGDIR, then compile), our cold build (empty $XDG_CACHE_HOME: charts drawn in the worker), Typst warm
(compile only) and our warm build (chart cache filled). Interleaving keeps a machine shared with other jobs
from favouring one side; the ratios are of the medians. The Typst side is exactly what
`../shared/reference/typst-bench/run` (beside the checkout, or `$TYPST_BENCH`) times; it is run once first to
install Typst. Both sides run with compiled bytecode, as installed copies do (bench/userenv.py): an untimed
round of each fills the bytecode folder first.
"""
from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from userenv import cleanup, user_env

ROOT = Path(__file__).resolve().parent.parent
# ../shared beside the checkout (a git worktree one level deeper: ../../shared)
BENCH = Path(os.environ.get("TYPST_BENCH") or next(
    (p for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared") if p.is_dir()), ROOT.parent / "shared")
    / "reference" / "typst-bench")


def timed(*cmds: list[str], env: dict | None = None) -> float:
    env = env or user_env()
    t = time.perf_counter()
    for c in cmds:
        subprocess.run(c, check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    if not (BENCH / "run").exists():
        raise SystemExit(f"no Typst reference at {BENCH} (set TYPST_BENCH)")
    subprocess.run([str(BENCH / "run"), "fonts"], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    work = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "briefing-typst-ref"
    tpy = str(work / "venv/bin/python")
    compile_ = [tpy, "-c", "import sys, typst; typst.compile(sys.argv[1], output=sys.argv[2], root='/', "
                "font_paths=[sys.argv[3]], sys_inputs={'lang': 'zh', 'charts': sys.argv[4]})",
                str(BENCH / "briefing.typ"), str(work / "out/briefing.zh.pdf"), str(work / "fonts"),
                str(work / "charts")]
    draw = [tpy, str(BENCH / "charts.py"), "--yaml", str(BENCH / "briefing.yaml"), "--lang", "zh",
            "--out", str(work / "charts"), "--fonts", str(work / "fonts")]
    out = Path(tempfile.mkdtemp(prefix="briefing-bench-")) / "zh.pdf"
    ours = [sys.executable, "-m", "briefing", "build", "content/jiaozuo-2025-h1.yaml", "--lang", "zh", "-o", str(out)]
    warm_cache = tempfile.mkdtemp(prefix="briefing-bench-cache-")
    timed(ours, env=user_env(**{"XDG_CACHE_HOME": warm_cache}))   # untimed: our chart cache and bytecode
    mpl = tempfile.mkdtemp()
    timed(draw, compile_, env=user_env(**{"MPLCONFIGDIR": mpl}))   # untimed: Typst's side's bytecode
    shutil.rmtree(mpl)
    r: dict[str, list[float]] = {"typst_cold_s": [], "ours_cold_s": [], "typst_warm_s": [], "ours_warm_s": []}
    for _ in range(rounds):
        mpl = tempfile.mkdtemp()
        r["typst_cold_s"].append(timed(draw, compile_, env=user_env(**{"MPLCONFIGDIR": mpl})))
        shutil.rmtree(mpl)
        cold = tempfile.mkdtemp()
        r["ours_cold_s"].append(timed(ours, env=user_env(**{"XDG_CACHE_HOME": cold})))
        shutil.rmtree(cold)
        r["typst_warm_s"].append(timed(compile_))
        r["ours_warm_s"].append(timed(ours, env=user_env(**{"XDG_CACHE_HOME": warm_cache})))
    med = {k: round(statistics.median(v), 3) for k, v in r.items()}
    print(json.dumps({**med, "cold_ratio": round(med["ours_cold_s"] / med["typst_cold_s"], 2),
                      "warm_ratio": round(med["ours_warm_s"] / med["typst_warm_s"], 2), "rounds": rounds,
                      "load_average": round(os.getloadavg()[0], 1)}))
    shutil.rmtree(warm_cache, ignore_errors=True)
    shutil.rmtree(out.parent, ignore_errors=True)
    cleanup()


if __name__ == "__main__":
    main()
