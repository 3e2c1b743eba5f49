#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Stacks and code, side by side in one run: vmca (warm index) against drgn
(built from source, in a venv: --drgn) and crash (where it reads the
kernel: not 6.12), on the same dumps:

  bt        the panic task's backtrace (a panic dump)
  bt --all  every task's backtrace (an idle dump)
  dis -l    a function of about 200 instructions with its source lines
            (drgn has no disassembler: crash only)

Each is a fresh process, as a batch job runs it: median wall time and peak
RSS of N runs, the peers' ratios to vmca; a peer that fails gets no ratio.
Not a test: timings vary."""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "cli"))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from startup import bench  # noqa: E402
from vmcatest import dump  # noqa: E402

DRGN_PRELUDE = """
import sys, drgn
from drgn.helpers.linux.pid import for_each_task
prog = drgn.Program()
prog.set_core_dump(sys.argv[1])
prog.load_debug_info([sys.argv[2]])
"""

DRGN = {
    "bt": "print(prog.crashed_thread().stack_trace())",
    "bt --all": ("for t in for_each_task(prog):\n"
                 "    try:\n"
                 "        print(prog.stack_trace(t))\n"
                 "    except Exception as e:\n"
                 "        print(t.pid.value_(), e)"),
}

CRASH = {
    "bt": "bt\n",
    "bt --all": "foreach bt\n",
    "dis -l": "dis -l {function}\n",
}


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--vmca", default=os.path.join(ROOT, "build", "vmca"))
    ap.add_argument("--drgn", default="/opt/drgn-venv/bin/python3",
                    help="the python of a venv with drgn (from source)")
    ap.add_argument("--kernel", default="6.1")
    ap.add_argument("--kind", default="kdump")
    ap.add_argument("--function", default="do_idle",
                    help="the function dis -l disassembles")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    dumps = {"bt": dump(a.kernel, "panic", a.kind),
             "bt --all": dump(a.kernel, "idle", a.kind),
             "dis -l": dump(a.kernel, "panic", a.kind)}
    vmca_cmds = {"bt": ["bt"], "bt --all": ["bt", "--all"],
                 "dis -l": ["dis", "-l", a.function]}
    has_drgn = os.path.exists(a.drgn)
    has_crash = shutil.which("crash")
    cache = tempfile.mkdtemp(prefix="vmca-bench-")
    rows = []
    try:
        for name, args in vmca_cmds.items():
            d = dumps[name]
            vm, core = d["vmlinux"], d["vmcore"]
            base = [a.vmca, "--cache-dir", cache, "-k", vm, core]
            bench(base + ["sys"], 1)  # the index, warm
            row = {"command": name,
                   "dump": f"{a.kernel}/{d['scenario']}/{d['kind']}",
                   "vmca": bench(base + args, a.runs)}
            if name == "dis -l":
                j = json.loads(subprocess.run(
                    base[:3] + ["--json"] + base[3:] + args,
                    capture_output=True,
                    text=True, check=True).stdout)
                row["instructions"] = len(j["instructions"])
            if has_drgn and name in DRGN:
                row["drgn"] = bench([a.drgn, "-c", DRGN_PRELUDE + DRGN[name],
                                     core, vm], max(3, a.runs // 2))
            if has_crash and name in CRASH:
                row["crash"] = bench(
                    ["crash", "-s", vm, core], 1,
                    stdin=CRASH[name].format(function=a.function) + "q\n")
            rows.append(row)
    finally:
        shutil.rmtree(cache)
    if a.json:
        print(json.dumps(rows, indent=1))
        return
    print(f"median of {a.runs} runs (peers fewer)")
    print(f"{'COMMAND':9s} {'DUMP':18s} {'VMCA_MS':>8s} {'RSS_MB':>7s} "
          f"{'DRGN_MS':>8s} {'RSS_MB':>7s} {'RATIO':>7s} {'CRASH_MS':>9s} "
          f"{'RATIO':>7s}")
    for r in rows:
        v = r["vmca"]
        line = (f"{r['command']:9s} {r['dump']:18s} {v['wall_s'] * 1e3:8.1f} "
                f"{v['rss_mb']:7.1f}")
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
        if "instructions" in r:
            line += f"  ({r['instructions']} instructions)"
        print(line)


if __name__ == "__main__":
    main()
