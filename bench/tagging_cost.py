#!/usr/bin/env python3
"""What tagging costs: the sample built in one process with and without the structure tree, alternately,
CPU time and bytes (the same code otherwise: fonts, typesetting, file writer).

    python3 bench/tagging_cost.py            # 15 builds of each kind per language
    python3 bench/tagging_cost.py --runs 30

The first build of each language is not counted (it fills the caches). Minimum and median CPU seconds
(process time), so other work on the machine matters less than in wall times. Not a test.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefing import render  # noqa: E402
from briefing.load import load  # noqa: E402
from briefing.pipeline import BuildOptions, build_model  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=15)
    a = ap.parse_args()
    tagged = {"on": True}
    plain_render = render.render

    def switchable(*args, **kw):
        if not tagged["on"]:
            kw["tree"] = None
        return plain_render(*args, **kw)

    render.render = switchable
    b = load(str(ROOT / "content" / "jiaozuo-2025-h1.yaml"))
    opts = BuildOptions(parallel=False)
    times: dict[tuple[str, bool], list[float]] = {}
    sizes: dict[tuple[str, bool], int] = {}
    for lang in ("zh", "en"):
        build_model(b, lang, opts)
    for _ in range(a.runs):
        for on in (True, False):
            tagged["on"] = on
            for lang in ("zh", "en"):
                t = time.process_time()
                sizes[(lang, on)] = len(build_model(b, lang, opts))
                times.setdefault((lang, on), []).append(time.process_time() - t)
    for lang in ("zh", "en"):
        off, on = times[(lang, False)], times[(lang, True)]
        print(f"{lang}: untagged {min(off):.3f} s (median {statistics.median(off):.3f}), {sizes[(lang, False)]:,} B;"
              f" tagged {min(on):.3f} s (median {statistics.median(on):.3f}), {sizes[(lang, True)]:,} B;"
              f" +{min(on) - min(off):.3f} s, +{sizes[(lang, True)] - sizes[(lang, False)]:,} B")


if __name__ == "__main__":
    main()
