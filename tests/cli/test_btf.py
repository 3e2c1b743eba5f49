#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""--btf against DWARF: with the types from the vmlinux's BTF (libbpf) and
no DWARF read, every command that needs only types and symbols gives the
JSON the DWARF index gives, but for what only DWARF has (README, `--btf`):
a frame's source file and line, and the inlined frames DWARF adds (which
renumber the frames); an OOM's oom_control (a local variable of its
frames: oom says it needs DWARF); and the seconds things took. The first
--btf run, from an empty cache, writes a BTF index and no DWARF one; a
vmlinux stripped of its DWARF will do; batch passes --btf on; a frame's
variables (bt -l) say they need DWARF rather than guess."""
import json
import os
import subprocess
import tempfile

from vmcatest import setup

COMMANDS = [["sys"], ["log"], ["ps"], ["ps", "-t"], ["slab"], ["buddy"],
            ["meminfo"], ["modules"], ["vmalloc"], ["vm"], ["oom"],
            ["leaks"], ["triage"], ["bt", "--all"],
            ["struct", "task_struct"], ["eval", "init_task.comm"],
            ["list", "init_task.tasks", "task_struct", "tasks"]]


def is_frame(x):
    return isinstance(x, dict) and "pc" in x and "function" in x


def dwarf_free(x):
    """x without what only DWARF (or the clock) gives."""
    if isinstance(x, list):
        return [dwarf_free(e) for e in x
                if not (is_frame(e) and e.get("is_inlined"))]
    if isinstance(x, dict):
        out = {}
        for k, v in x.items():
            if k == "seconds":
                continue
            # The inlined frames DWARF adds renumber the others.
            if is_frame(x) and k in ("file", "line", "index"):
                v = None
            out[k] = dwarf_free(v)
        return out
    return x


def first_difference(a, b, path=""):
    if type(a) is not type(b):
        return f"{path}: {a!r:.80} vs {b!r:.80}"
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return f"{path}.{k}: only with {'BTF' if k in a else 'DWARF'}"
            d = first_difference(a[k], b[k], f"{path}.{k}")
            if d:
                return d
    elif isinstance(a, list):
        for i, (p, q) in enumerate(zip(a, b)):
            d = first_difference(p, q, f"{path}[{i}]")
            if d:
                return d
        if len(a) != len(b):
            return f"{path}: {len(a)} entries vs {len(b)}"
    elif a != b:
        return f"{path}: {a!r:.80} vs {b!r:.80}"
    return None


def main():
    d, truth, c, v = setup("btf")
    base = ["-k", d["vmlinux"], d["vmcore"]]
    with tempfile.TemporaryDirectory() as cold:
        p = v.run("--cache-dir", cold, "--btf", *base, "sys")
        files = [f for f in os.listdir(cold) if f.endswith(".vmcaidx")]
        c.check(f"release: {truth['uname_r']}" in p.stdout,
                "cold --btf sys names the release")
        c.check(len(files) == 1 and files[0].endswith(".btf.vmcaidx"),
                f"a cold --btf run writes a BTF index, no DWARF one "
                f"({files})")
    # An OOM's oom_control is a local variable of its frames: with BTF
    # the oom command says it needs DWARF, and ranks the tasks as a
    # global OOM's; triage's account of the OOM differs with it.
    oom_dw = v.json(*base, "oom")
    has_control = oom_dw["oom_control"] is not None
    if has_control:
        oom_bt = v.json("--btf", *base, "oom")
        c.check(oom_bt["oom_control"] is None and
                any("needs DWARF" in n for n in oom_bt["notes"]),
                "oom: the oom_control needs DWARF, said so")
    for cmd in COMMANDS:
        what = " ".join(cmd)
        dw = v.run(*base, *cmd, json_out=True, check=False)
        bt = v.run("--btf", *base, *cmd, json_out=True, check=False)
        c.equal(bt.returncode, dw.returncode, f"{what}: exit status")
        if dw.returncode or bt.returncode:
            continue
        if has_control and cmd[0] in ("oom", "triage"):
            continue

        diff = first_difference(dwarf_free(json.loads(bt.stdout)),
                                dwarf_free(json.loads(dw.stdout)))
        c.check(diff is None, f"{what}: BTF's JSON is DWARF's ({diff})")
    # A vmlinux stripped of its DWARF (BTF stays: it is no debug
    # section) is enough for --btf; without --btf the error says so.
    with tempfile.TemporaryDirectory() as tmp:
        stripped = os.path.join(tmp, "vmlinux")
        subprocess.run(["objcopy", "--strip-debug", d["vmlinux"], stripped],
                       check=True)
        p = v.run("-k", stripped, d["vmcore"], "sys", check=False)
        c.check(p.returncode == 1 and "--btf" in p.stderr,
                f"stripped vmlinux without --btf: the error names --btf "
                f"({p.stderr.strip()})")
        c.equal(v.json("--btf", "-k", stripped, d["vmcore"], "ps"),
                v.json(*base, "ps"), "stripped vmlinux with --btf: ps")
    # batch passes --btf to its workers: triage --btf's verdict (on an
    # OOM dump, not DWARF's).
    lines = [json.loads(x) for x in
             v.run("--btf", "-k", d["vmlinux"], "batch",
                   d["vmcore"]).stdout.splitlines()]
    want = v.json("--btf", *base, "triage", "--summary")
    c.check(len(lines) == 1 and lines[0]["status"] == "ok" and
            lines[0]["triage"]["headline"] == want["headline"],
            "batch --btf: one line, ok, triage --btf's headline")
    # What needs DWARF says so.
    p = v.run("--btf", *base, "bt", "-l")
    c.check("need DWARF" in p.stdout and "no compilation unit" not in
            p.stdout, "bt -l: a frame's variables need DWARF, said so")
    c.finish()


if __name__ == "__main__":
    main()
