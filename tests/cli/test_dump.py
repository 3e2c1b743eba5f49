#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""vmca against one real dump and the ground truth its guest printed:
sys (release, panic, KASLR, build-id), log (every console line, the oops),
struct layouts (against the kernel's own BTF, through pahole), sym, rd,
vtop; on ELF dumps, log on a copy with a corrupt ring buffer."""
import os
import re
import shutil
import struct
import subprocess
import tempfile

from vmcatest import elf_loads, kernel_config, pahole_layout, patch_phys, setup

STRUCTS = ["task_struct", "oom_control", "kmem_cache", "list_head",
           "mm_struct", "page"]


def vmca_layout(members, into=None):
    into = {} if into is None else into
    for m in members:
        if m.get("name") is None and "members" in m:
            vmca_layout(m["members"], into)
        elif m.get("name") is not None:
            into.setdefault(m["name"],
                            m["offset"] * 8 + (m.get("bit_offset") or 0))
    return into


def check_sys(c, v, d, truth):
    s = v.json("-k", d["vmlinux"], d["vmcore"], "sys")
    c.equal(s["release"], truth["uname_r"], "sys release = uname -r")
    c.check(s["kaslr_offset"].startswith("0x") and
            int(s["kaslr_offset"], 16) != 0, "KASLR offset found")
    if truth.get("kaslr_offset"):
        c.equal(int(s["kaslr_offset"], 16), int(truth["kaslr_offset"], 16),
                "KASLR offset = the guest's (from /proc/kallsyms)")
    c.check(re.fullmatch(r"[0-9a-f]{40}", s["build_id"] or ""),
            f"build-id {s['build_id']!r}")
    c.equal(s["cpus"], 2, "present CPUs")
    c.check(s["machine"] == "x86_64", "machine")
    for key in ("version", "memory_bytes", "uptime_s"):
        c.check(key in s, f"sys has {key}")
    # The guest has 1 GiB or more; MemTotal is below what is present.
    mem_kb = truth["meminfo"]["MemTotal"]
    c.check(s["memory_bytes"] >= mem_kb * 1024, "memory >= MemTotal")
    c.equal(s.get("memory_total_bytes"), mem_kb * 1024, "MemTotal")
    # The dump's uptime is the timekeeper's, which the tick advances: it
    # is at most the real time of the dump, and it trails the guest's
    # last read of /proc/uptime by at most two ticks (the reading CPU
    # was busy and ticking; the timekeeper accumulates whole tick
    # intervals: kernel/time/timekeeping.c).
    hz = kernel_config(truth, "HZ")
    lo = truth["dump_time"]["not_before"] - 2 / hz
    hi = truth["dump_time"]["not_after"]
    c.check(lo <= s["uptime_s"] <= hi,
            f"uptime {s['uptime_s']} within [{lo:.3f}, {hi:.3f}], when "
            f"the guest says the dump was taken (HZ={hz})")
    if truth.get("panic"):
        c.check(s["panic"] and truth["panic"] in s["panic"],
                f"panic {s['panic']!r} ~ {truth['panic']!r}")
    elif d["kind"] == "kdump":
        # An oops under kdump goes to crash_kexec() without panic()'s
        # line: the oops is what brought the system down.
        c.check(s["panic"] and truth["oops"] in s["panic"],
                f"panic {s['panic']!r} ~ oops {truth['oops']!r}")
    else:
        c.equal(s["panic"], None, "no panic")
    if truth.get("oops"):
        c.check(s["oops"] and truth["oops"] in s["oops"],
                f"oops {s['oops']!r} ~ {truth['oops']!r}")
    text = v.run("-k", d["vmlinux"], d["vmcore"], "sys").stdout
    c.check(truth["uname_r"] in text, "text sys shows the release")
    return s


def check_log(c, v, d, truth):
    lines = {l.rstrip() for l in
             v.run("-k", d["vmlinux"], d["vmcore"], "log").stdout.splitlines()}
    console = [l.rstrip() for l in truth["console_kernel_lines"]]
    missing = [l for l in console if l not in lines]
    c.check(len(console) > 100, f"console has {len(console)} kernel lines")
    c.check(not missing, f"{len(missing)} of {len(console)} console lines "
            f"missing from log, first: {missing[:3]}")
    if truth.get("oops"):
        c.check(any(truth["oops"] in l for l in lines),
                f"log has the oops line {truth['oops']!r}")
    j = v.json("-k", d["vmlinux"], d["vmcore"], "log")
    recs = j["records"]
    c.check(all({"ts_ns", "level", "text"} <= r.keys() for r in recs),
            "log records have ts_ns, level, text")
    c.check(all(a["seq"] < b["seq"] for a, b in zip(recs, recs[1:])),
            "log records in sequence order")


def check_corrupt_log(c, v, d):
    """A copy of the dump whose printk ring buffer claims 2^26
    descriptors (count_bits 26, what log_buf_len=2G would give): their
    7 GiB do not fit in the guest's memory, so log fails, saying so,
    without allocating them."""
    e = v.json("-k", d["vmlinux"], d["vmcore"], "eval",
               "&prb->desc_ring.count_bits")
    at = int(e["value"], 16)
    t = v.json("-k", d["vmlinux"], d["vmcore"], "vtop", hex(at))
    tmp = tempfile.mkdtemp(prefix="vmca-dump-test-")
    try:
        core = os.path.join(tmp, "vmcore")
        subprocess.run(["cp", "--sparse=always", d["vmcore"], core],
                       check=True)
        c.check(patch_phys(core, elf_loads(core), int(t["paddr"], 16),
                           struct.pack("<I", 26)),
                f"patched count_bits at {at:#x}")
        p = v.run("-k", d["vmlinux"], core, "log", check=False)
    finally:
        shutil.rmtree(tmp)
    c.check(p.returncode == 1 and "count_bits 26" in p.stderr and
            "do not fit in the" in p.stderr,
            f"log with count_bits 26: exit {p.returncode}, "
            f"{p.stderr.strip()[:300]!r}")


def check_structs(c, v, d):
    for name in STRUCTS:
        expected, size = pahole_layout(d["vmlinux"], name)
        j = v.json("-k", d["vmlinux"], d["vmcore"], "struct", name)
        c.equal(j["size"], size, f"sizeof(struct {name})")
        got = vmca_layout(j["members"])
        c.check(len(expected) > 1, f"pahole gave members of {name}")
        wrong = {k: (got.get(k), e) for k, e in expected.items()
                 if got.get(k) != e}
        c.check(not wrong, f"struct {name}: {len(wrong)} of "
                f"{len(expected)} members differ from BTF: "
                f"{list(wrong.items())[:4]}")
        c.check(all(k in expected for k in got),
                f"struct {name}: vmca has members BTF lacks: "
                f"{[k for k in got if k not in expected][:4]}")
    # Values: init_task is pid 0, swapper.
    j = v.json("-k", d["vmlinux"], d["vmcore"], "struct", "task_struct", "init_task")
    vals = {m["name"]: m.get("value") for m in j["members"] if m["name"]}
    c.equal(vals.get("pid"), 0, "init_task.pid")
    c.check(str(vals.get("comm", "")).startswith("swapper"),
            f"init_task.comm {vals.get('comm')!r}")
    text = v.run("-k", d["vmlinux"], d["vmcore"], "struct", "task_struct", "init_task").stdout
    c.check(re.search(r'comm\[16\] = "swapper', text),
            "text struct shows comm")


def check_sym_rd_vtop(c, v, d):
    s = v.json("-k", d["vmlinux"], d["vmcore"], "sym", "init_task")
    addr = int(s["address"], 16)
    c.equal(s["name"], "init_task", "sym by name")
    back = v.json("-k", d["vmlinux"], d["vmcore"], "sym", hex(addr + 8))
    c.equal((back["name"], back["offset"]), ("init_task", 8),
            "sym by address")
    r = v.json("-k", d["vmlinux"], d["vmcore"], "rd", "init_uts_ns", 4)
    c.equal(len(r["values"]), 4, "rd count")
    t = v.json("-k", d["vmlinux"], d["vmcore"], "vtop", hex(addr))
    c.check(len(t["levels"]) >= 2 and int(t["paddr"], 16) > 0, "vtop walk")
    # Reading the same bytes by physical address gives the same words.
    p = v.json("-k", d["vmlinux"], d["vmcore"], "rd", "-p", t["paddr"], 4)
    rv = v.json("-k", d["vmlinux"], d["vmcore"], "rd", hex(addr), 4)
    c.equal(p["values"], rv["values"], "rd -p at vtop's paddr")


def main():
    d, truth, c, v = setup("dump")
    check_sys(c, v, d, truth)
    check_log(c, v, d, truth)
    check_structs(c, v, d)
    check_sym_rd_vtop(c, v, d)
    if d["kind"] == "qemu-elf":
        check_corrupt_log(c, v, d)
    c.finish()


if __name__ == "__main__":
    main()
