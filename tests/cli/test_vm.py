#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""vm against what the guest printed: `vm PID` of vmca-sleeper equals its
/proc/PID/maps line for line (start, end, perms, offset, inode, path:
files by d_path, [heap], [stack], [vvar], [vdso]), its VMA count is
map_count, its thread count the guest's; each VMA's resident pages from
the page tables add up to the mm's counters (exactly since v6.2, where
they are summed per-CPU counters; before, the counters plus the live
threads' unsynced task->rss_stat caches, which /proc does not add
either). The `vm` summary lists every user process of the guest once,
with its VMA count and threads. Leak scenario (corpus v10): vmca-stacks,
which leaked 64 thread stacks, equals its maps, each stack a rw-p VMA
with its ---p guard below, its VMA count far above its thread count (the
two VMAs of each leaked stack above the live threads), and the summary
lists it with that count."""
from vmcatest import setup


def maps_of(vm):
    """vm PID's VMAs in /proc/PID/maps' form (testdata's parse_maps)."""
    return [{"start": "0x%08x" % int(a["start"], 16),
             "end": "0x%08x" % int(a["end"], 16), "perms": a["flags"],
             "offset": "0x%08x" % a["offset"], "inode": a["inode"],
             "path": a["path"] or ""} for a in vm["vmas"]]


def guest_maps(maps):
    # [vsyscall] is no VMA; vmca lists it (is_gate) where the kernel has
    # one.
    return [m for m in maps if m["path"] != "[vsyscall]"]


def check_maps(c, v, base, pid, maps, what, percpu_rss):
    vm = v.json(*base, "vm", pid)
    got = maps_of({"vmas": [a for a in vm["vmas"] if not a.get("is_gate")]})
    want = guest_maps(maps)
    bad = [(i, g, w) for i, (g, w) in enumerate(zip(got, want)) if g != w]
    c.equal(len(got), len(want), f"{what}: as many VMAs as its maps")
    c.check(not bad, f"{what}: every VMA as its maps line "
                     f"({len(bad)} differ: {bad[:4]})")
    c.equal(vm["vma_count"], len(want), f"{what}: map_count")
    c.check(not any("error" in a or "rss_error" in a for a in vm["vmas"]),
            f"{what}: every VMA and its page tables read")
    c.equal(vm["notes"], [], f"{what}: no notes")
    c.check(all(a["dev"].count(":") == 1 for a in vm["vmas"]),
            f"{what}: dev as MAJOR:MINOR")
    rss = vm["rss"]
    total = vm.get("vma_rss") or {}
    c.equal(vm["rss_pages"], rss["file"] + rss["anon"] + rss["shmem"],
            f"{what}: rss_pages = file + anon + shmem")
    if percpu_rss:
        c.equal(total, rss, f"{what}: the VMAs' resident pages are the "
                            f"mm's counters (per-CPU sums)")
    else:
        # SPLIT_RSS_COUNTING: each thread caches up to 64 events'
        # deltas in task->rss_stat; the counters plus the live threads'
        # caches are what the page tables map.
        cached = [0, 0, 0, 0]
        ps = v.json(*base, "ps", vm["tgid"])["tasks"]
        for t in ps:
            e = v.json(*base, "eval",
                       f"((struct task_struct *){t['task']})->rss_stat")
            cached = [a + b for a, b in zip(cached, e["value"]["count"])]
        c.equal(total, {"file": rss["file"] + cached[0],
                        "anon": rss["anon"] + cached[1],
                        "shmem": rss["shmem"] + cached[3]},
                f"{what}: the VMAs' resident pages are the mm's counters "
                f"plus the threads' unsynced caches {cached}")
    text = v.run(*base, "vm", pid).stdout
    first = want[0]
    c.check("%s-%s %s %s" % (first["start"][2:], first["end"][2:],
                             first["perms"], first["offset"][2:]) in text,
            f"{what}: the text lists the VMAs as maps lines")
    return vm


def main():
    d, truth, c, v = setup("vm")
    base = ["-k", d["vmlinux"], d["vmcore"]]
    percpu_rss = "rss_stat[" in v.run(*base, "struct",
                                      "mm_struct").stdout
    sleeper = truth["sleeper"]["pid"]
    threads = {}
    for t in truth["tasks"]:
        threads[t["pid"]] = threads.get(t["pid"], 0) + 1
    vm = check_maps(c, v, base, sleeper, truth["sleeper_maps"],
                    "vmca-sleeper", percpu_rss)
    print(f"vmca-sleeper: {vm['vma_count']} VMAs, rss {vm['rss']}, "
          f"page tables {vm.get('vma_rss')}")
    c.equal((vm["pid"], vm["comm"], vm["threads"]),
            (sleeper, "vmca-sleeper", threads.get(sleeper)),
            "vmca-sleeper: pid, comm, threads")
    s = v.json(*base, "vm")
    rows = {t["pid"]: t for t in s["tasks"]}
    c.equal(len(rows), len(s["tasks"]), "the summary lists a process once")
    c.check(not s.get("notes") and
            not any("error" in t for t in s["tasks"]),
            f"the summary read every process: {s.get('notes')}")
    # The guest's user processes (not kthreadd's children), both readings.
    user = {t["pid"] for t in truth["tasks"]
            if t["pid"] != 2 and t["ppid"] != 2 and t["pid"] == t["tid"]}
    far = {t["pid"] for t in truth["rounds"][0]["tasks"]} & \
        {t["pid"] for t in truth["rounds"][1]["tasks"]}
    c.check(user & far <= rows.keys(),
            f"the summary lists the guest's processes: missing "
            f"{sorted((user & far) - rows.keys())}")
    r = rows.get(sleeper, {})
    c.equal((r.get("vma_count"), r.get("threads"), r.get("mm")),
            (vm["vma_count"], vm["threads"], vm["mm"]),
            "the summary's vmca-sleeper row")
    c.check(2 not in rows, "no kernel thread (kthreadd) in the summary")
    p = v.run(*base, "vm", 2, check=False)
    c.check(p.returncode == 1 and "has no mm" in p.stderr,
            f"vm of kthreadd: an error, no mm: {p.returncode} {p.stderr}")
    c.check(v.run(*base, "vm", 1, 2, check=False).returncode == 2,
            "vm PID PID: a usage error")
    c.check(all(t["rss_pages"] == t["file_pages"] + t["anon_pages"] +
                t["shmem_pages"] for t in s["tasks"]),
            "summary rss_pages = file + anon + shmem")

    st = (truth.get("leak") or {}).get("stacks")
    if st:
        vm = check_maps(c, v, base, st["pid"], st["maps"], "vmca-stacks",
                        percpu_rss)
        c.equal((vm["comm"], vm["threads"], vm["vma_count"]),
                (st["comm"], st["threads_alive"], st["vma_count"]),
                "vmca-stacks: comm, live threads, VMA count")
        vmas = {(int(a["start"], 16), int(a["end"], 16)): a
                for a in vm["vmas"]}
        missing = []
        for a in st["areas"]:
            lo = int(a["address"], 16)
            stack = vmas.get((lo, lo + a["size"]), {})
            guard = vmas.get((lo - st["guard_bytes"], lo), {})
            if stack.get("flags") != "rw-p" or guard.get("flags") != "---p":
                missing.append(a)
        c.check(not missing, f"each leaked stack a rw-p VMA over a ---p "
                             f"guard: {len(missing)} not: {missing[:3]}")
        c.check(vm["vma_count"] >= vm["threads"] + 2 * st["threads_created"],
                f"the VMA count ({vm['vma_count']}) far above the thread "
                f"count ({vm['threads']}): two VMAs per leaked stack")
        r = rows.get(st["pid"], {})
        c.equal((r.get("comm"), r.get("vma_count"), r.get("threads")),
                (st["comm"], st["vma_count"], st["threads_alive"]),
                "the summary's vmca-stacks row")
        top = max(s["tasks"], key=lambda t: t["vma_count"] - t["threads"])
        c.equal(top["pid"], st["pid"],
                "vmca-stacks has the most VMAs beyond its threads")
        print(f"vmca-stacks: {vm['vma_count']} VMAs, {vm['threads']} "
              f"thread(s)")
    print(f"vm: {len(rows)} processes")
    c.finish()


if __name__ == "__main__":
    main()
