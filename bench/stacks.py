#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Stacks and code, side by side in one run: vmca (warm index) against drgn
(built from source, in a venv: --drgn) and crash (where it reads the
kernel: not 6.12), on the same dumps:

  bt        the panic task's backtrace (a panic dump)
  bt --all  every task's backtrace (an idle dump)
  dis -l    a function of about 200 instructions with its source lines
            (drgn has no disassembler: crash only)
  panic     the crash explained (no peer answers this in one command:
            vmca alone)
  oom       the OOM killer's state on the oommemcg dump (qemu-kdump; vmca
            alone)

Each is a fresh process, as a batch job runs it: median wall time and peak
RSS of N runs, the peers' ratios to vmca; a peer that fails gets no ratio.
PRIV_MB is the anonymous (private) part of what is resident at the end of
one more run: the rest of the RSS is mapped files (vmca's index, the dump,
the vmlinux, the libraries), clean page cache shared with every other
reader. (A host kernel >= 6.18 maps a file's large folios whole on the
first touch, so the RSS of a mapped file there follows the page cache's
folio sizes, not the pages read.) Not a test: timings vary."""
import argparse
import json
import os
import re
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

# drgn reports its memory the way vmca does (VMCA_MEMORY_REPORT).
DRGN_REPORT = """
import re as _re
_st = open("/proc/self/status").read()
_kb = {k: _re.search(k + r":\\s+(\\d+)", _st).group(1)
       for k in ("VmHWM", "RssAnon", "RssFile")}
sys.stderr.write("vmca: memory: peak_rss_kb=%s anon_kb=%s file_kb=%s\\n"
                 % (_kb["VmHWM"], _kb["RssAnon"], _kb["RssFile"]))
"""


def private_mb(argv, stdin=None):
    """The anonymous memory resident at the end of one run, in MB."""
    env = dict(os.environ, VMCA_MEMORY_REPORT="1")
    p = subprocess.run(argv, input=stdin, capture_output=True, text=True,
                       env=env)
    m = re.search(r"vmca: memory: .*anon_kb=(\d+)", p.stderr)
    return int(m.group(1)) / 1024 if m else None


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
             "dis -l": dump(a.kernel, "panic", a.kind),
             "panic": dump(a.kernel, "panic", a.kind),
             "oom": dump(a.kernel, "oommemcg", "qemu-kdump")}
    vmca_cmds = {"bt": ["bt"], "bt --all": ["bt", "--all"],
                 "dis -l": ["dis", "-l", a.function], "panic": ["panic"],
                 "oom": ["oom"]}
    has_drgn = os.path.exists(a.drgn)
    has_crash = shutil.which("crash")
    cache = tempfile.mkdtemp(prefix="vmca-bench-")
    rows = []
    try:
        for name, args in vmca_cmds.items():
            d = dumps[name]
            vm, core = d["vmlinux"], d["vmcore"]
            # panic and oom with the test module's debuginfo (its
            # types); bt and dis as a user first types them.
            mods = ["-m", d["modules"]] if name in ("panic", "oom") else []
            base = [a.vmca, "--cache-dir", cache, "-k", vm] + mods + [core]
            bench(base + ["sys"], 1)  # the index, warm
            row = {"command": name,
                   "dump": f"{a.kernel}/{d['scenario']}/{d['kind']}",
                   "vmca": bench(base + args, a.runs)}
            row["vmca"]["private_mb"] = private_mb(base + args)
            if name == "dis -l":
                j = json.loads(subprocess.run(
                    base[:3] + ["--json"] + base[3:] + args,
                    capture_output=True,
                    text=True, check=True).stdout)
                row["instructions"] = len(j["instructions"])
            if has_drgn and name in DRGN:
                drgn = [a.drgn, "-c", DRGN_PRELUDE + DRGN[name] + DRGN_REPORT,
                        core, vm]
                row["drgn"] = bench(drgn, max(3, a.runs // 2))
                row["drgn"]["private_mb"] = private_mb(drgn)
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
          f"{'PRIV_MB':>7s} {'DRGN_MS':>8s} {'RSS_MB':>7s} {'PRIV_MB':>7s} "
          f"{'RATIO':>7s} {'CRASH_MS':>9s} {'RATIO':>7s}")

    def priv(t):
        return (f" {t['private_mb']:7.1f}" if t.get("private_mb") is not None
                else f" {'-':>7s}")
    for r in rows:
        v = r["vmca"]
        line = (f"{r['command']:9s} {r['dump']:18s} {v['wall_s'] * 1e3:8.1f} "
                f"{v['rss_mb']:7.1f}" + priv(v))
        for tool in ("drgn", "crash"):
            t = r.get(tool)
            if not t:
                line += f" {'-':>8s}" + (f" {'-':>7s} {'-':>7s}"
                                         if tool == "drgn" else "")
                line += f" {'-':>7s}"
                continue
            line += f" {t['wall_s'] * 1e3:8.0f}"
            if tool == "drgn":
                line += f" {t['rss_mb']:7.1f}" + priv(t)
            line += (f" {t['wall_s'] / v['wall_s']:6.0f}x"
                     if t["exit"] == [0] else f" {'failed':>7s}")
        if "instructions" in r:
            line += f"  ({r['instructions']} instructions)"
        print(line)


if __name__ == "__main__":
    main()
