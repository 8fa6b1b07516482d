#!/usr/bin/env python3
"""How fast `briefing watch` rebuilds after an edit to one paragraph of the sample.

    python3 bench/watch_edit.py [--lang zh] [--side zh|en|both] [--edits 8]

Starts `briefing watch` on a copy of the sample, waits for its first build, then saves the file `--edits`
times, each time with one more word in one paragraph (the Chinese side, the English side, or both), and
prints for each save: the rebuild time the watcher reports, the time from the save to the watcher's line
(the PDF is written by then), and the CPU time the watcher used for it (from /proc; on a machine shared
with other jobs the wall times grow with the load, the CPU time much less). Medians at the end.
"""
from __future__ import annotations

import argparse
import json
import os
import queue
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "content" / "jiaozuo-2025-h1.yaml"
ZH, EN = "上半年，全市", "In the first half"


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return float("nan")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lang", action="append")
    ap.add_argument("--side", default="zh", choices=["zh", "en", "both"])
    ap.add_argument("--edits", type=int, default=8)
    a = ap.parse_args()
    langs = a.lang or ["zh"]
    tmp = Path(tempfile.mkdtemp(prefix="briefing-watch-bench-"))
    src = SAMPLE.read_text("utf-8")
    doc = tmp / "b.yaml"
    doc.write_text(src, "utf-8")
    cmd = [sys.executable, "-m", "briefing", "watch", "b.yaml", "--out-dir", "out"]
    for lang in langs:
        cmd += ["--lang", lang]
    proc = subprocess.Popen(cmd, cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout], daemon=True).start()

    def next_build() -> str:
        while True:
            line = lines.get(timeout=120)
            if "→" in line or "not rebuilt" in line:
                return line.strip()

    print(next_build())
    reported, latency, cpu = [], [], []
    for i in range(a.edits):
        time.sleep(0.5)
        new = src
        if a.side in ("zh", "both"):
            new = new.replace(ZH, f"上半年{'又' * (i + 1)}，全市", 1)
        if a.side in ("en", "both"):
            new = new.replace(EN, f"In the {'very ' * (i + 1)}first half", 1)
        c0, t0 = cpu_seconds(proc.pid), time.perf_counter()
        doc.write_text(new, "utf-8")
        line = next_build()
        latency.append(time.perf_counter() - t0)
        cpu.append(cpu_seconds(proc.pid) - c0)
        reported.append(float(re.search(r"\((\d+\.\d+) s\)$", line).group(1)))
        print(f"{line}   save→line {latency[-1]:.3f} s, cpu {cpu[-1]:.2f} s")
    proc.send_signal(2)
    proc.wait(timeout=30)
    print(json.dumps({"langs": langs, "side": a.side, "edits": a.edits,
                      "rebuild_reported_s": statistics.median(reported),
                      "save_to_pdf_s": round(statistics.median(latency), 3),
                      "cpu_s": round(statistics.median(cpu), 3), "exit": proc.returncode,
                      "load_average": round(os.getloadavg()[0], 1)}))


if __name__ == "__main__":
    main()
