#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Start-up benchmark, side by side in one run on the same dumps:
vmca `sys` warm (index cached), cold (DWARF index built) and cold with
--btf (types from BTF, no DWARF read), crash -s with `sys` + `q`, and
drgn printing init_uts_ns.name.release (ELF dumps only with Debian's
python3-drgn 0.0.22; --drgn-python names a Python with a newer drgn).
Median wall time and peak RSS of N runs, and the ratios; a peer that
failed (a non-zero exit: crash 8.0.2 refuses 6.12) says "failed" and
gets no ratio. Not a test: timings vary."""
import argparse
import json
import os
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
import drgn, sys
prog = drgn.Program()
prog.set_core_dump(sys.argv[1])
prog.load_debug_info([sys.argv[2]])
print(prog["init_uts_ns"].name.release.string_().decode())
"""


def run_child(argv, stdin=None, env=None):
    t = time.monotonic()
    pid = os.fork()
    if pid == 0:
        if stdin is not None:
            r, w = os.pipe()
            os.write(w, stdin.encode())
            os.close(w)
            os.dup2(r, 0)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        try:
            os.execvpe(argv[0], argv, env or os.environ)
        finally:
            os._exit(127)
    _, status, ru = os.wait4(pid, 0)
    return time.monotonic() - t, ru.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def bench(argv, runs, stdin=None, env=None, setup=None):
    walls, rss, codes = [], 0.0, set()
    for _ in range(runs):
        if setup:
            setup()
        w, r, code = run_child(argv, stdin, env)
        walls.append(w)
        rss = max(rss, r)
        codes.add(code)
    return {"wall_s": statistics.median(walls), "min_s": min(walls),
            "rss_mb": rss, "exit": sorted(codes)}


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--vmca", default=os.path.join(ROOT, "build", "vmca"))
    ap.add_argument("--kernel", default="6.1")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--drgn-python", default="/usr/bin/python3",
                    help="a Python that imports drgn")
    a = ap.parse_args()
    results = []
    cache = tempfile.mkdtemp(prefix="vmca-bench-")
    try:
        for kind in ("qemu-kdump", "qemu-elf", "kdump"):
            d = dump(a.kernel, "panic", kind)
            vm, core = d["vmlinux"], d["vmcore"]
            row = {"dump": f"{a.kernel}/panic/{kind}",
                   "bytes": os.path.getsize(core)}
            vmca = [a.vmca, "--cache-dir", cache, "-k", vm, core, "sys"]
            # Cold: an empty index cache each run (the flattened
            # rearrangement is kept: it is per dump, not per vmlinux).
            def clear_index():
                for f in os.listdir(cache):
                    if f.endswith(".vmcaidx"):
                        os.unlink(os.path.join(cache, f))
            row["vmca_cold"] = bench(vmca, max(1, a.runs // 2),
                                     setup=clear_index)
            row["vmca_warm"] = bench(vmca, a.runs)
            # Last: its clear_index() takes the DWARF index too.
            row["vmca_cold_btf"] = bench(vmca[:1] + ["--btf"] + vmca[1:],
                                         max(1, a.runs // 2),
                                         setup=clear_index)
            if shutil.which("crash"):
                row["crash"] = bench(["crash", "-s", vm, core], 1,
                                     stdin="sys\nq\n")
            if kind == "qemu-elf":
                row["drgn"] = bench([a.drgn_python, "-c", DRGN, core, vm],
                                    a.runs)
            results.append(row)
    finally:
        shutil.rmtree(cache)
    if a.json:
        print(json.dumps(results, indent=1))
        return
    for r in results:
        print(f"{r['dump']}  ({r['bytes'] / 1e6:.0f} MB)")
        for tool in ("vmca_warm", "vmca_cold", "vmca_cold_btf", "drgn",
                     "crash"):
            if tool in r:
                m = r[tool]
                print(f"  {tool:13s} {m['wall_s'] * 1000:8.1f} ms  "
                      f"{m['rss_mb']:6.1f} MB  exit {m['exit']}")
        for tool in ("drgn", "crash"):
            if tool not in r:
                continue
            if r[tool]["exit"] != [0]:
                print(f"  {tool}: failed (exit {r[tool]['exit']}): no ratio")
                continue
            for mine in ("vmca_warm", "vmca_cold_btf"):
                print(f"  {tool} / {mine}: "
                      f"{r[tool]['wall_s'] / r[mine]['wall_s']:.1f}x")


if __name__ == "__main__":
    main()
