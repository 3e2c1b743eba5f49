#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""oom (and panic's oom kind) against the OOM scenarios and what their
guests printed. The kernel itself printed, as the OOM began, the gfp_mask
and order of the allocation, the memcg's usage and limit, and a table of
the tasks it considers (dump_tasks: rss, pgtables_bytes, swapents,
oom_score_adj): vmca's oom_control must hold that gfp_mask and order, its
constraint be CONSTRAINT_MEMCG (oommemcg: totalpages = the cgroup's limit
in pages, the memcg the test's cgroup, its tasks only) or CONSTRAINT_NONE
(oomglobal); every task of the kernel's table must have vmca's rss, swap
and page tables; the hog must rank first with the points the kernel's
formula gives from the guest's /proc/PID/status (VmRSS + VmSwap + VmPTE,
oom_score_adj 0), and its /proc/PID/oom_score must be what those points
give ((1000 + points * 1000 / totalram) * 2 / 3)."""
import re

from vmcatest import setup


def console(truth):
    return [l[l.index("] ") + 2:] if "] " in l else l
            for l in truth["console_kernel_lines"]]


def kb(status, key):
    return int(status.get(key, "0 kB").split()[0])


def main():
    d, truth, c, v = setup("oom")
    sc = truth["scenario"]
    base = ["-k", d["vmlinux"], d["vmcore"]]
    j = v.json(*base, "oom")
    lines = console(truth)
    oom = truth["oom"]
    oc = j["oom_control"]
    if not c.check(oc, "an oom_control in the crashed task's frames"):
        c.finish()
        return
    m = next(re.search(r"invoked oom-killer: gfp_mask=(0x[0-9a-f]+)\(.*\), "
                       r"order=(-?\d+)", l) for l in lines
             if "invoked oom-killer" in l)
    c.equal((oc["gfp_mask"], oc["order"]),
            (int(m.group(1), 16), int(m.group(2))),
            "the gfp_mask and order the kernel printed")
    c.equal(oc["chosen"], None, "panic_on_oom: nothing chosen yet")
    page = 4096
    if sc == "oommemcg":
        limit = oom["memcg_max_bytes"] // page
        c.equal(oc["constraint"], "CONSTRAINT_MEMCG", "constraint")
        c.equal(oc["totalpages"], limit,
                "totalpages = the cgroup's limit in pages")
        mg = j["memcg"] or {}
        c.equal((mg.get("path"), mg.get("limit_pages"), oc["memcg"]),
                ("/vmca", limit, mg.get("address")),
                "the memcg: the test's cgroup, its limit")
        u = next(re.search(r"memory: usage (\d+)kB, limit (\d+)kB", l)
                 for l in lines if "memory: usage" in l)
        c.equal((mg.get("usage_pages"), mg.get("limit_pages")),
                (int(u.group(1)) * 1024 // page,
                 int(u.group(2)) * 1024 // page),
                "usage and limit as the kernel printed them")
        c.equal(sorted(x["pid"] for x in j["candidates"]),
                sorted(oom["memcg_procs"]),
                "the candidates: the cgroup's tasks")
    else:
        c.equal(oc["constraint"], "CONSTRAINT_NONE", "constraint")
        c.equal(j["memcg"], None, "no memcg")
    # The kernel's own table of the tasks it considered, by its header
    # ("[  pid  ]   uid  tgid total_vm      rss [rss_anon rss_file
    # rss_shmem] pgtables_bytes swapents oom_score_adj name").
    table, cols = {}, None
    for l in lines:
        if l.startswith("[  pid  ]"):
            cols = l.replace("[  pid  ]", "pid").split()
            continue
        t = re.match(r"\[\s*(\d+)\]\s+(.*)$", l)
        if cols and t:
            f = [t.group(1)] + t.group(2).split()
            if len(f) == len(cols):
                row = dict(zip(cols, f))
                table[int(row["pid"])] = {
                    "rss": int(row["rss"]),
                    "pgtables": int(row["pgtables_bytes"]),
                    "swap": int(row["swapents"]),
                    "adj": int(row["oom_score_adj"])}
    by_pid = {x["pid"]: x for x in j["candidates"]}
    c.check(table, "the kernel printed its task table")
    for pid, t in table.items():
        x = by_pid.get(pid, {})
        c.equal((x.get("rss_pages"), x.get("pgtables_pages"),
                 x.get("swap_pages"), x.get("oom_score_adj")),
                (t["rss"], t["pgtables"] // page, t["swap"], t["adj"]),
                f"pid {pid}: rss, page tables, swap, adj = the kernel's")
    hog = oom["hog_pid"]
    # oom_badness(): rss + swap + page tables + adj * (totalpages / 1000),
    # from the counters the kernel read as the OOM began (its table).
    t = table.get(hog, {})
    points = (t.get("rss", 0) + t.get("swap", 0) + t.get("pgtables", 0) // page
              + t.get("adj", 0) * (oc["totalpages"] // 1000))
    first = j["candidates"][0] if j["candidates"] else {}
    c.equal((first.get("pid"), first.get("points")), (hog, points),
            "the hog first, with the kernel's badness from its own table")
    c.equal((j["chosen_would_be"] or {}).get("pid"), hog,
            "the kernel would choose the hog")
    # The guest's /proc/PID/status and oom_score, read before the OOM (the
    # hog idle since): the same counters where they are exact atomics
    # (5.10, 6.1). Since v6.2 mm->rss_stat are per-CPU counters: the OOM
    # killer reads their approximate count, /proc their sum (they differ
    # by what the CPUs have not folded in), so there the kernel's table
    # above is the truth.
    percpu = "rss_stat[" in v.run(*base, "struct", "mm_struct").stdout
    if not percpu:
        st = oom["hog_status"]
        status_points = (kb(st, "VmRSS") + kb(st, "VmSwap") +
                         kb(st, "VmPTE")) // 4
        c.equal(first.get("points"), status_points,
                "the hog's points from its /proc status")
        total = truth["meminfo"]["MemTotal"] // 4
        score = (1000 + status_points * 1000 // total) * 2 // 3
        c.equal(score, oom["hog_oom_score"],
                "its /proc/PID/oom_score from those points")
    else:
        print("rss_stat is per-CPU here: /proc's figures are exact sums, "
              "the OOM killer's approximate counts (checked against the "
              "kernel's own table)")
    p = v.json(*base, "panic")
    c.equal(p["kind"], "oom", "panic says oom")
    c.check("Out of memory" in p["headline"] and
            f"pid {hog}" in p["headline"],
            f"panic's headline: the message, the would-be victim: "
            f"{p['headline']}")
    text = v.run(*base, "oom").stdout
    c.check(re.search(rf"^>\s*{hog} ", text, re.M),
            "the text marks the hog with '>'")
    print(f"oom: {oc['constraint']}, {len(j['candidates'])} candidates, "
          f"hog {hog} {points} points")
    c.finish()


if __name__ == "__main__":
    main()
