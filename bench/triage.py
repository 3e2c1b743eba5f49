#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""triage and batch, timed: warm `triage` (every analysis, the pointer
scan included) on the panic and leak dumps of one kernel, each kind
(median of N fresh processes, min/max, peak RSS), and `batch` over every
regular dump of that kernel (idle, panic, leak, frag, timer; three kinds
each) with one worker and with two, alternating, the speed-up -j 2 over
-j 1. No peer does either in one command. Not a test: timings vary."""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "cli"))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from startup import bench  # noqa: E402
from vmcatest import dump, testdata_dir  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--vmca", default=os.path.join(ROOT, "build", "vmca"))
    ap.add_argument("--kernel", default="6.1")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    cache = tempfile.mkdtemp(prefix="vmca-bench-")
    rows, dumps = [], []
    for sc in ("idle", "panic", "leak", "frag", "timer"):
        for kind in ("qemu-kdump", "qemu-elf", "kdump"):
            dumps.append(dump(a.kernel, sc, kind))
    for d in dumps:
        if d["scenario"] not in ("panic", "leak"):
            continue
        base = [a.vmca, "--cache-dir", cache, "-k", d["vmlinux"], "-m",
                d["modules"], d["vmcore"]]
        bench(base + ["sys"], 1)  # the index, warm
        rows.append({"dump": f"{a.kernel}/{d['scenario']}/{d['kind']}",
                     "triage": bench(base + ["triage"], a.runs)})
    kernels = os.path.join(testdata_dir(), "kernels")
    batch = [a.vmca, "--cache-dir", cache, "-k", kernels, "batch"] + [
        d["vmcore"] for d in dumps]
    walls = {1: [], 2: []}
    for _ in range(max(1, a.runs // 2)):
        for j in (1, 2):
            t0 = time.monotonic()
            subprocess.run(batch[:6] + ["-j", str(j)] + batch[6:],
                           capture_output=True, check=False)
            walls[j].append(time.monotonic() - t0)
    result = {"triage": rows,
              "batch": {"dumps": len(dumps),
                        "j1_s": statistics.median(walls[1]),
                        "j2_s": statistics.median(walls[2])}}
    if a.json:
        print(json.dumps(result, indent=1))
        return
    print(f"triage, median of {a.runs} runs (warm index)")
    print(f"{'DUMP':22s} {'MS':>8s} {'MIN_MS':>8s} {'RSS_MB':>7s}")
    for r in rows:
        t = r["triage"]
        print(f"{r['dump']:22s} {t['wall_s'] * 1e3:8.0f} "
              f"{t['min_s'] * 1e3:8.0f} {t['rss_mb']:7.1f}")
    b = result["batch"]
    print(f"batch of {b['dumps']} dumps: -j 1 {b['j1_s']:.1f} s, -j 2 "
          f"{b['j2_s']:.1f} s: {b['j1_s'] / b['j2_s']:.2f}x")


if __name__ == "__main__":
    main()
