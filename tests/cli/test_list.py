#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""list against one real dump and what its guest printed: the task list
in the kernel's order (against ps and the guest's tasks), a long-lived
process's VMAs (maple tree since 6.1; rb-tree and vm_next chain before)
against map_count and its /proc/PID/maps, the vmalloc rb-tree against
/proc/vmallocinfo, the pid idr (an xarray), a pid's hlist, iomem's chain
of resources; on ELF dumps, a cycle and a broken link planted in a copy
are reported where they are, not followed."""
import os
import shutil
import struct
import subprocess
import tempfile

from vmcatest import Bounds, elf_loads, patch_phys, setup


def num(x):
    """A JSON tree integer: a number, or a "0x..." string above 2^53."""
    return int(x, 16) if isinstance(x, str) else x


def main():
    d, truth, c, v = setup("list")
    base = ["-k", d["vmlinux"], d["vmcore"]]
    b = Bounds(truth)

    def lst(*args):
        return v.json(*base, "list", *args)

    # The task list: every process, in the kernel's order.
    j = lst("-H", "init_task.tasks", "task_struct.tasks", "-s", "pid,comm")
    c.equal(j["error"], None, "task list walked whole")
    c.equal((j["kind"], j["type"], j["member"]),
            ("list_head", "struct task_struct", "tasks"), "list's header")
    pids = [e["members"]["pid"] for e in j["entries"]]
    ps = v.json(*base, "ps")["tasks"]
    procs = [t["pid"] for t in ps if not t["is_idle"] and t["pid"] == t["tgid"]]
    c.equal(pids, procs, "the processes in ps' order")
    addrs = {t["pid"]: t["task"] for t in ps if not t["is_idle"]}
    c.check(all(addrs.get(e["members"]["pid"]) == e["address"]
                for e in j["entries"]), "entry addresses are the tasks'")
    near, far = ({g["pid"] for g in r["tasks"]} for r in b.both(lambda r: r))
    c.check(near & far <= set(pids) <= near | far,
            "the guest's processes, as both readings had them")
    c.equal(j["count"], len(pids), "count")
    comms = {e["members"]["pid"]: e["members"]["comm"] for e in j["entries"]}
    c.equal(comms.get(1), "init", "PID 1's comm")
    # From an entry: round the same list, the entry first.
    first = j["entries"][0]["address"]
    k = lst(first, "task_struct.tasks", "-s", "pid")
    round_pids = [e["members"]["pid"] for e in k["entries"]]
    c.equal(round_pids[:len(pids)], pids,
            "walking round from an entry sees the same order")
    c.equal(len(round_pids), len(pids) + 1,
            "... and init_task (pid 0) at the end")
    t = lst("-H", "init_task.tasks", "task_struct.tasks", "--max", "3")
    c.check(t["count"] == 3 and "more than 3" in t["error"]["message"],
            f"--max bounds the walk: {t['error']}")

    # The sleeper's VMAs: the guest's maps (but [vsyscall], no VMA).
    sleeper = truth["sleeper"]["pid"]
    task = addrs.get(sleeper)
    if c.check(task, f"the sleeper (pid {sleeper}) is a task"):
        mm = f"((struct task_struct *){task})->mm"
        count = v.json(*base, "eval", f"{mm}->map_count")["value"]
        maps = [(int(m["start"], 16), int(m["end"], 16))
                for m in truth["sleeper_maps"] if m["path"] != "[vsyscall]"]
        c.equal(count, len(maps), "map_count = the guest's maps lines")
        walks = []
        if "mm_mt" in v.json(*base, "eval", f"*{mm}")["value"]:
            walks.append(lst("--maple", f"&{mm}->mm_mt", "vm_area_struct",
                             "-s", "vm_start,vm_end"))
        else:
            walks.append(lst("-o", "vm_next", f"{mm}->mmap",
                             "-s", "vm_start,vm_end"))
            walks.append(lst("--rb", f"&{mm}->mm_rb",
                             "vm_area_struct.vm_rb", "-s", "vm_start,vm_end"))
        for w in walks:
            got = [(e["members"]["vm_start"], e["members"]["vm_end"])
                   for e in w["entries"]]
            c.equal(w["error"], None, f"{w['kind']} of VMAs walked whole")
            c.equal(got, maps, f"{w['kind']}: the VMAs of /proc/PID/maps")
            if w["kind"] == "maple_tree":
                c.check(all(e["index"] == hex(e["members"]["vm_start"]) and
                            int(e["last"], 16) + 1 == e["members"]["vm_end"]
                            for e in w["entries"]),
                        "maple ranges are the VMAs' [start, end)")

    # vmalloc areas: the busy rb-tree(s) are what /proc/vmallocinfo lists,
    # but for the lazily freed ("unpurged") areas it prints after them.
    # Since commit d093602919ad ("mm: vmalloc: remove global vmap_area_root
    # rb-tree") (v6.9) each vmap_node has a busy tree of its own.
    roots = []
    has_global = v.run(*base, "eval", "&vmap_area_root", check=False)
    if has_global.returncode == 0:
        roots.append("&vmap_area_root")
    else:
        nodes = v.json(*base, "eval", "nr_vmap_nodes")["value"]
        roots += [f"&vmap_nodes[{i}].busy.root" for i in range(nodes)]
    sizes = []
    for root in roots:
        w = lst("--rb", root, "vmap_area.rb_node", "-s", "va_start,va_end")
        c.equal(w["error"], None, f"{root} walked whole")
        starts = [num(e["members"]["va_start"]) for e in w["entries"]]
        c.equal(starts, sorted(starts), f"{root} in address order")
        sizes += [num(e["members"]["va_end"]) -
                  num(e["members"]["va_start"]) for e in w["entries"]]
    c.within(len(sizes), b.of(lambda r: sum(
        1 for a in r["vmallocinfo"] if "unpurged" not in a["flags"])),
        "busy vmap areas = /proc/vmallocinfo lines")
    # The guest's addresses are hashed (%pK): compare the sizes.
    guest = b.both(lambda r: sorted(
        a["size"] for a in r["vmallocinfo"] if "unpurged" not in a["flags"]))
    if guest[0] == guest[1]:
        c.equal(sorted(sizes), guest[0], "the areas' sizes are vmallocinfo's")

    # The pid idr, an xarray: every thread's pid at its number.
    x = lst("--xarray", "&init_pid_ns.idr.idr_rt", "pid", "-s",
            "numbers[0].nr")
    c.equal(x["error"], None, "pid idr walked whole")
    c.check(all(e["members"]["numbers[0].nr"] == e["index"]
                for e in x["entries"]), "each struct pid at its number")
    nrs = {e["index"] for e in x["entries"]}
    both = {g["tid"] for g in b.near["tasks"]} & \
        {g["tid"] for g in b.far["tasks"]}
    c.check(both <= nrs, f"every thread's pid in the idr: "
            f"{sorted(both - nrs)[:5]}")

    # A pid's hlist of tasks: PID 1 is the one task of its struct pid.
    if 1 in addrs:
        h = lst("--hlist", f"((struct task_struct *){addrs[1]})->thread_pid"
                "->tasks[0]", "task_struct.pid_links[0]", "-s", "pid")
        c.equal([(e["address"], e["members"]["pid"]) for e in h["entries"]],
                [(addrs[1], 1)], "hlist: PID 1's struct pid holds PID 1")

    # A NULL-terminated chain: iomem_resource's children, /proc/iomem's
    # top level (its addresses are real: the guest is root).
    r = lst("-o", "sibling", "iomem_resource.child", "resource", "-s",
            "start,end")
    top = [(int(e["start"], 16), int(e["end"], 16))
           for e in truth["iomem"] if e["depth"] == 0]
    c.equal([(e["members"]["start"], e["members"]["end"])
             for e in r["entries"]], top,
            "iomem's top-level resources, as /proc/iomem")

    text = v.run(*base, "list", "-H", "init_task.tasks", "task_struct.tasks",
                 "-s", "pid,comm").stdout.splitlines()
    c.check(text and text[0].startswith("0x") and "pid = " in text[0] and
            'comm = "' in text[0], f"text: {text[:1]}")

    bad = v.run(*base, "list", "init_task.tasks", check=False)
    c.check(bad.returncode == 2 and "usage" in bad.stderr,
            "list without TYPE.MEMBER is a usage error")
    bad = v.run(*base, "list", "-H", "init_task.tasks", "task_struct.nope",
                check=False)
    c.check(bad.returncode == 1 and "nope" in bad.stderr,
            f"an unknown member: {bad.stderr.strip()!r}")

    if d["kind"] == "qemu-elf":
        check_planted(c, v, d, j["entries"], r["entries"])
    c.finish()


def vtop(v, d, vaddr):
    return int(v.json("-k", d["vmlinux"], d["vmcore"], "vtop",
                      hex(vaddr))["paddr"], 16)


def planted(v, d, patches):
    """A copy of the dump with each (vaddr, u64) written; its path (the
    caller removes its directory)."""
    tmp = tempfile.mkdtemp(prefix="vmca-list-test-")
    core = os.path.join(tmp, "vmcore")
    subprocess.run(["cp", "--sparse=always", d["vmcore"], core], check=True)
    loads = elf_loads(core)
    for vaddr, value in patches:
        if not patch_phys(core, loads, vtop(v, d, vaddr),
                          struct.pack("<Q", value)):
            raise AssertionError(f"cannot patch {vaddr:#x}")
    return core


def check_planted(c, v, d, tasks, resources):
    """In copies of the dump: a task's tasks.next back to an earlier task
    (a cycle: in a list_head its prev no longer matches), a task's next
    into an unmapped address (a broken link), and the iomem chain made
    into a loop. Each reported where it is, the walk stopped there."""
    off = v.json("-k", d["vmlinux"], d["vmcore"], "eval",
                 "offsetof(struct task_struct, tasks)")["value"]
    a = int(tasks[2]["address"], 16) + off
    z = int(tasks[5]["address"], 16) + off
    e8 = int(tasks[8]["address"], 16) + off
    head = ["list", "-H", "init_task.tasks", "task_struct.tasks"]
    # The loop closes at task 2, after task 5: the walk names it, as a
    # cycle (Brent's check) or as the prev link that stopped matching.
    cases = [
        ([(z, a)], (f"cycle at {a:#x}", f"{a:#x}->prev is"), 6),
        ([(e8, 0xdead000000000100)], (f"broken link after {e8:#x}",), 9),
    ]
    for patches, wants, count in cases:
        core = planted(v, d, patches)
        try:
            j = v.json("-k", d["vmlinux"], core, *head)
            err = j["error"] or {}
            msg = err.get("message", "")
            c.check(any(w in msg for w in wants) and j["count"] == count,
                    f"planted {patches}: reported {err}, {j['count']} "
                    f"entries (want one of {wants}, {count})")
            p = v.run("-k", d["vmlinux"], core, *head)
            c.check(p.returncode == 0 and "error: " in p.stdout,
                    "the text says where the walk stopped")
        finally:
            shutil.rmtree(os.path.dirname(core))
    if len(resources) >= 3:
        sib = v.json("-k", d["vmlinux"], d["vmcore"], "eval",
                     "offsetof(struct resource, sibling)")["value"]
        r0 = int(resources[0]["address"], 16)
        r2 = int(resources[2]["address"], 16)
        core = planted(v, d, [(r2 + sib, r0 + 0)])
        try:
            j = v.json("-k", d["vmlinux"], core, "list", "-o", "sibling",
                       "iomem_resource.child", "resource")
            err = j["error"]
            c.check(j["count"] == 3 and err is None,
                    f"a chain back to its start ends there: {err}")
            r1 = int(resources[1]["address"], 16)
            shutil.rmtree(os.path.dirname(core))
            core = planted(v, d, [(r2 + sib, r1)])
            j = v.json("-k", d["vmlinux"], core, "list", "-o", "sibling",
                       "iomem_resource.child", "resource")
            err = j["error"] or {}
            c.check("cycle" in err.get("message", "") and j["count"] < 8,
                    f"a chain looping to its middle: a cycle: {err}, "
                    f"{j['count']}")
        finally:
            shutil.rmtree(os.path.dirname(core))


if __name__ == "__main__":
    main()
