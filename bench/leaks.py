#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Leaks, side by side in one run, on the leak scenario's dumps of one
kernel (kdump-compressed by makedumpfile, QEMU's kdump-compressed, QEMU's
ELF):

  vmca leaks            the whole analysis: the account of MemTotal, the
                        caches ranked, the orphans, the pointer scan
  vmca leaks --no-scan  the same without the scan
  drgn                  the nearest drgn script: the task_struct cache's
                        allocated objects less the tasks it can list
                        (for_each_task and the idle tasks): the orphans
                        alone, no scan
  crash kmem -s         crash's slab summary (it cannot tell orphans; not
                        6.12, which it refuses)

Fresh processes, warm index; median wall time and peak RSS of N runs,
the peers' ratios to vmca leaks; a peer that fails gets no ratio. SCAN_GBS
is the memory the scan read (slab pages and the kernel's own pages: roots)
over its time from the slab walk to the report, from vmca's JSON; DUMP_GBS
the dump's memory (MemTotal) over the whole run. Not a test: timings
vary."""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "cli"))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from startup import bench  # noqa: E402
from vmcatest import dump  # noqa: E402

DRGN = """
import sys, drgn
from drgn.helpers.linux.pid import for_each_task
from drgn.helpers.linux.cpumask import for_each_possible_cpu
from drgn.helpers.linux.sched import idle_task
from drgn.helpers.linux.slab import (find_slab_cache,
                                     slab_cache_for_each_allocated_object)
prog = drgn.Program()
prog.set_core_dump(sys.argv[1])
prog.load_debug_info([sys.argv[2]])
live = {t.value_() for t in for_each_task(prog)}
live |= {idle_task(prog, c).value_() for c in for_each_possible_cpu(prog)}
cache = find_slab_cache(prog, "task_struct")
orphans = [t for t in slab_cache_for_each_allocated_object(
    cache, "struct task_struct") if t.value_() not in live]
print(len(orphans), "orphaned task_structs")
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--vmca", default=os.path.join(ROOT, "build", "vmca"))
    ap.add_argument("--drgn", default="/opt/drgn-venv/bin/python3",
                    help="the python of a venv with drgn (from source)")
    ap.add_argument("--kernel", default="6.1")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    has_drgn = os.path.exists(a.drgn)
    has_crash = shutil.which("crash")
    cache = tempfile.mkdtemp(prefix="vmca-bench-")
    rows = []
    try:
        for kind in ("kdump", "qemu-kdump", "qemu-elf"):
            d = dump(a.kernel, "leak", kind)
            vm, core = d["vmlinux"], d["vmcore"]
            base = [a.vmca, "--cache-dir", cache, "-k", vm, core]
            bench(base + ["sys"], 1)  # the index, warm
            row = {"dump": f"{a.kernel}/leak/{kind}",
                   "leaks": bench(base + ["leaks"], a.runs),
                   "no_scan": bench(base + ["leaks", "--no-scan"], a.runs)}
            scans = []
            for _ in range(a.runs):
                j = json.loads(subprocess.run(
                    base[:5] + ["--json", core, "leaks"],
                    capture_output=True, text=True, check=True).stdout)
                scans.append(j["scan"]["bytes_read"] / j["scan"]["seconds"])
            row["scan_gbs"] = statistics.median(scans) / 1e9
            row["scan_mb"] = j["scan"]["bytes_read"] / 1e6
            row["dump_gbs"] = (j["breakdown"]["mem_total_bytes"] /
                               row["leaks"]["wall_s"] / 1e9)
            row["threads"] = j["scan"]["threads"]
            if has_drgn:
                row["drgn"] = bench([a.drgn, "-c", DRGN, core, vm],
                                    max(1, a.runs // 2))
            if has_crash:
                row["crash"] = bench(["crash", "-s", vm, core], 1,
                                     stdin="kmem -s\nq\n")
            rows.append(row)
    finally:
        shutil.rmtree(cache)
    if a.json:
        print(json.dumps(rows, indent=1))
        return
    print(f"median of {a.runs} runs (peers fewer)")
    print(f"{'DUMP':18s} {'LEAKS_MS':>8s} {'RSS_MB':>7s} {'NOSCAN_MS':>9s} "
          f"{'SCAN_MB':>7s} {'SCAN_GBS':>8s} {'DUMP_GBS':>8s} "
          f"{'DRGN_MS':>8s} {'RSS_MB':>7s} {'RATIO':>7s} {'CRASH_MS':>9s} "
          f"{'RATIO':>7s}")
    for r in rows:
        v = r["leaks"]
        line = (f"{r['dump']:18s} {v['wall_s'] * 1e3:8.1f} "
                f"{v['rss_mb']:7.1f} {r['no_scan']['wall_s'] * 1e3:9.1f} "
                f"{r['scan_mb']:7.1f} {r['scan_gbs']:8.2f} "
                f"{r['dump_gbs']:8.2f}")
        for tool in ("drgn", "crash"):
            t = r.get(tool)
            if not t:
                line += f" {'-':>8s}" + (f" {'-':>7s}" if tool == "drgn"
                                         else "") + f" {'-':>7s}"
                continue
            line += f" {t['wall_s'] * 1e3:8.0f}"
            if tool == "drgn":
                line += f" {t['rss_mb']:7.1f}"
            line += (f" {t['wall_s'] / v['wall_s']:6.0f}x"
                     if t["exit"] == [0] else f" {'failed':>7s}")
        print(line)


if __name__ == "__main__":
    main()
