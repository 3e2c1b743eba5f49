#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Slab benchmark, side by side in one run on the same dumps: vmca `slab`
warm (every cache with the full allocated-object walk) against
`crash -s VMLINUX VMCORE` running `kmem -s` (Debian's crash 8.0.2 reads
the 6.1 dumps only), and optionally drgn's
slab_cache_for_each_allocated_object() over every cache (--drgn; ELF
dumps only). Median wall and CPU time, peak RSS, the ratios, and whether
crash's ALLOCATED/TOTAL/SLABS agree with vmca's allocated/num_objs/
num_slabs cache by cache. Not a test: timings vary."""
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

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "cli"))
from vmcatest import dump  # noqa: E402

DRGN = """
import sys, drgn
from drgn.helpers.linux.slab import (for_each_slab_cache,
                                     slab_cache_for_each_allocated_object)
prog = drgn.Program()
prog.set_core_dump(sys.argv[1])
prog.load_debug_info([sys.argv[2]])
n = 0
for s in for_each_slab_cache(prog):
    n += sum(1 for _ in slab_cache_for_each_allocated_object(s, "void"))
print(n)
"""

CRASH_ROW = re.compile(
    r"^([0-9a-f]{16})\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+\S+\s+(\S+)")


def run(argv, stdin=None):
    """Wall time, CPU time (user + system), peak RSS (MB), exit status
    and stdout of one run."""
    t = time.monotonic()
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True)
    if stdin:
        p.stdin.write(stdin)
    p.stdin.close()
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return (time.monotonic() - t, ru.ru_utime + ru.ru_stime,
            ru.ru_maxrss / 1024, p.returncode, out)


def bench(argv, runs, stdin=None):
    walls, cpus, rss, codes, out = [], [], 0.0, set(), ""
    for _ in range(runs):
        w, cpu, r, code, out = run(argv, stdin)
        walls.append(w)
        cpus.append(cpu)
        rss = max(rss, r)
        codes.add(code)
    return {"wall_s": statistics.median(walls), "min_s": min(walls),
            "cpu_s": statistics.median(cpus), "rss_mb": rss,
            "exit": sorted(codes), "stdout": out}


def agreement(vmca_json, crash_out):
    caches = {c["address"]: c for c in json.loads(vmca_json)["caches"]}
    rows = differ = 0
    for line in crash_out.splitlines():
        m = CRASH_ROW.match(line)
        if not m:
            continue
        rows += 1
        c = caches.get("0x" + m.group(1))
        got = (c["allocated"], c["num_objs"], c["num_slabs"]) if c else None
        if got != (int(m.group(3)), int(m.group(4)), int(m.group(5))):
            differ += 1
    return rows, differ


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--vmca", default=os.path.join(ROOT, "build", "vmca"))
    ap.add_argument("--kernel", default="6.1")
    ap.add_argument("--scenario", default="idle")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--drgn", action="store_true",
                    help="also time drgn over every cache (slow)")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    results = []
    cache = tempfile.mkdtemp(prefix="vmca-bench-")
    try:
        for kind in ("qemu-kdump", "qemu-elf", "kdump"):
            d = dump(a.kernel, a.scenario, kind)
            vm, core = d["vmlinux"], d["vmcore"]
            row = {"dump": f"{a.kernel}/{a.scenario}/{kind}",
                   "bytes": os.path.getsize(core)}
            vmca = [a.vmca, "--cache-dir", cache, "-k", vm, core]
            subprocess.run(vmca + ["slab"], capture_output=True)  # warm up
            row["vmca_slab"] = bench(vmca + ["slab"], a.runs)
            js = subprocess.run(vmca[:3] + ["--json"] + vmca[3:] + ["slab"],
                                capture_output=True, text=True).stdout
            if shutil.which("crash"):
                row["crash_kmem_s"] = bench(["crash", "-s", vm, core], 1,
                                            stdin="kmem -s\nq\n")
                row["agree"] = agreement(js, row["crash_kmem_s"]["stdout"])
            if a.drgn and kind == "qemu-elf":
                row["drgn_all_objects"] = bench(
                    ["/usr/bin/python3", "-c", DRGN, core, vm], 1)
            for k in list(row):
                if isinstance(row[k], dict):
                    row[k].pop("stdout", None)
            results.append(row)
    finally:
        shutil.rmtree(cache)
    if a.json:
        print(json.dumps(results, indent=1))
        return
    for r in results:
        print(f"{r['dump']}  ({r['bytes'] / 1e6:.0f} MB)")
        for tool in ("vmca_slab", "crash_kmem_s", "drgn_all_objects"):
            if tool in r:
                m = r[tool]
                print(f"  {tool:16s} {m['wall_s'] * 1000:9.1f} ms wall "
                      f"{m['cpu_s'] * 1000:9.1f} ms CPU "
                      f"{m['rss_mb']:7.1f} MB  exit {m['exit']}")
        w = r["vmca_slab"]["wall_s"]
        cpu = r["vmca_slab"]["cpu_s"] or 1e-3
        for tool in ("crash_kmem_s", "drgn_all_objects"):
            if tool in r:
                print(f"  {tool} / vmca slab: {r[tool]['wall_s'] / w:.0f}x "
                      f"wall, {r[tool]['cpu_s'] / cpu:.0f}x CPU")
        if "agree" in r:
            rows, differ = r["agree"]
            print(f"  crash kmem -s vs vmca: {rows - differ} of {rows} "
                  f"caches agree (allocated, total, slabs)")


if __name__ == "__main__":
    main()
