#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The program model's commands, side by side in one run on the same dump:
vmca (warm index) against drgn (built from source, in a venv: --drgn) and
crash (where it reads the kernel: not 6.12), for

  eval     init_task.comm
  list     every task on init_task.tasks with its pid and comm
  modules  the loaded modules
  sym -l   the function, inlined calls and file:line of schedule+0x30
           (vmca: DWARF read on demand, the first lookup of a process)
  sys      the start-up: the release (vmca sys)

Each is a fresh process, as a batch job runs it. Median wall time and peak
RSS of N runs, and the peers' ratios to vmca. Not a test: timings vary."""
import argparse
import json
import os
import shutil
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "cli"))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from startup import bench  # noqa: E402
from vmcatest import dump  # noqa: E402

DRGN_PRELUDE = """
import sys, drgn
from drgn.helpers.linux.list import list_for_each_entry
from drgn.helpers.linux.module import for_each_module
prog = drgn.Program()
prog.set_core_dump(sys.argv[1])
prog.load_debug_info([sys.argv[2]])
"""

DRGN = {
    "eval": "print(prog['init_task'].comm.string_().decode())",
    "list": ("for t in list_for_each_entry('struct task_struct', "
             "prog['init_task'].tasks.address_of_(), 'tasks'):\n"
             "    print(t.pid.value_(), t.comm.string_().decode())"),
    "modules": ("for m in for_each_module(prog):\n"
                "    print(m.name.string_().decode())"),
    "sym -l": ("a = prog.symbol('schedule').address + 0x30\n"
               "print(prog.source_location(a))"),
    "sys": "print(prog['init_uts_ns'].name.release.string_().decode())",
}

CRASH = {
    "eval": "p init_task.comm\n",
    "list": "list task_struct.tasks -s task_struct.pid,comm -h init_task\n",
    "modules": "mod\n",
    "sym -l": "info line *(schedule+0x30)\n",
    "sys": "sys\n",
}


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--vmca", default=os.path.join(ROOT, "build", "vmca"))
    ap.add_argument("--drgn", default="/opt/drgn-venv/bin/python3",
                    help="the python of a venv with drgn (from source)")
    ap.add_argument("--kernel", default="6.1")
    ap.add_argument("--scenario", default="panic")
    ap.add_argument("--kind", default="kdump")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    d = dump(a.kernel, a.scenario, a.kind)
    vm, core = d["vmlinux"], d["vmcore"]
    cache = tempfile.mkdtemp(prefix="vmca-bench-")
    vmca_cmds = {
        "eval": ["eval", "init_task.comm"],
        "list": ["list", "-H", "init_task.tasks", "task_struct.tasks",
                 "-s", "pid,comm"],
        "modules": ["modules"],
        "sym -l": ["sym", "-l", "schedule+0x30"],
        "sys": ["sys"],
    }
    has_drgn = os.path.exists(a.drgn)
    has_crash = shutil.which("crash") and a.kernel != "6.12"
    rows = []
    try:
        base = [a.vmca, "--cache-dir", cache, "-k", vm, core]
        # Warm the index (and rearrange a flattened dump) once.
        bench(base + ["sys"], 1)
        for name, args in vmca_cmds.items():
            row = {"command": name, "vmca": bench(base + args, a.runs)}
            if has_drgn:
                row["drgn"] = bench([a.drgn, "-c", DRGN_PRELUDE + DRGN[name],
                                     core, vm], max(3, a.runs // 2))
            if has_crash:
                row["crash"] = bench(["crash", "-s", vm, core], 1,
                                     stdin=CRASH[name] + "q\n")
            rows.append(row)
    finally:
        shutil.rmtree(cache)
    out = {"dump": f"{a.kernel}/{a.scenario}/{a.kind}",
           "bytes": os.path.getsize(core), "rows": rows}
    if a.json:
        print(json.dumps(out, indent=1))
        return
    print(f"{out['dump']} ({out['bytes'] / 1e6:.0f} MB), median of "
          f"{a.runs} runs (peers fewer)")
    print(f"{'COMMAND':10s} {'VMCA_MS':>8s} {'RSS_MB':>7s} {'DRGN_MS':>8s} "
          f"{'RATIO':>6s} {'CRASH_MS':>9s} {'RATIO':>6s}")
    for r in rows:
        v = r["vmca"]
        line = f"{r['command']:10s} {v['wall_s'] * 1e3:8.1f} {v['rss_mb']:7.1f}"
        for tool in ("drgn", "crash"):
            if tool in r:
                t = r[tool]
                ok = "" if t["exit"] == [0] else "!"
                line += (f" {t['wall_s'] * 1e3:8.0f}{ok}"
                         f" {t['wall_s'] / v['wall_s']:5.0f}x")
            else:
                line += f" {'-':>8s} {'-':>6s}"
        print(line)


if __name__ == "__main__":
    main()
