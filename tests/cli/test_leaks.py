#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""leaks against what the guest printed about itself and what the leak
scenario planted (testdata/modules/vmca_leak.c, guest/leaker.c).

Every dump: the account of MemTotal is vmca's own meminfo, part for part,
and adds up to MemTotal, which is the guest's; the slab caches are ranked
by memory, each with its slabinfo memory (num_slabs * pagesperslab pages,
within the guest's two readings); no orphaned task_struct outside the leak
scenarios; the unreferenced objects outside the leak are few (their count
is printed). The leak scenarios: the orphaned task_structs are exactly the
tasks the module holds, all EXIT_DEAD with the leaker's children's comm,
each held from vmca_leak_tasks[i]; their signal_structs and creds owned by
orphans; the held creds exactly the orphaned creds, each held from
vmca_leak_creds[i]; of the leaked kmalloc objects (their addresses are in
the truth) at least 95% reported unreferenced, and under 5% of what is
reported unreferenced in their cache other objects; the largest group of
that cache starts with the module's magic."""
from vmcatest import Bounds, setup

# Unreferenced objects an idle guest may show: sysctl tables registered
# for good, which the kernel marks kmemleak_not_leak() (a handful).
MAX_IDLE_UNREFERENCED = 40


def meminfo_parts(mi):
    def g(*names):
        return sum(mi.get(n, 0) for n in names) * 1024
    return {
        "free": g("MemFree"),
        "page_cache": g("Cached", "Buffers") - g("Shmem"),
        "swap_cache": g("SwapCached"),
        "anon": g("AnonPages"),
        "shmem": g("Shmem"),
        "slab_reclaimable": g("SReclaimable"),
        "slab_unreclaimable": g("SUnreclaim"),
        "kernel_stack": g("KernelStack"),
        "page_tables": g("PageTables", "SecPageTables"),
        "vmalloc": g("VmallocUsed"),
        "percpu": g("Percpu"),
        "hugetlb": g("Hugetlb"),
    }


def main():
    d, truth, c, v = setup("leaks")
    sc = truth["scenario"]
    base = ["-k", d["vmlinux"], d["vmcore"]]
    j = v.json(*base, "leaks")
    bounds = Bounds(truth)

    # The account of MemTotal.
    mi = v.json(*base, "meminfo")
    bd = j["breakdown"]
    c.equal(bd["mem_total_bytes"], truth["meminfo"]["MemTotal"] * 1024,
            "MemTotal, the guest's")
    parts = {p["name"]: p["bytes"] for p in bd["parts"]}
    want = meminfo_parts(mi)
    for name, value in want.items():
        c.equal(parts.get(name), value, f"breakdown {name} from meminfo")
    c.equal(sum(parts.values()), bd["mem_total_bytes"],
            "the parts add up to MemTotal")
    c.within(parts["slab_unreclaimable"] // 1024,
             bounds.of(lambda r: r["meminfo"]["SUnreclaim"]),
             "SUnreclaim, the guest's")

    # The caches by memory, each with the guest's slabinfo memory.
    caches = j["caches"]
    mems = [x["memory_bytes"] for x in caches]
    c.equal(mems, sorted(mems, reverse=True), "caches ranked by memory")
    by_name = {x["name"]: x for x in caches}
    top = [x for x in truth["slabinfo"] if x["num_slabs"]]
    top.sort(key=lambda x: -x["num_slabs"] * x["pagesperslab"])
    for s in top[:5]:
        name = s["name"]

        def mem(r, name=name):
            e = next(x for x in r["slabinfo"] if x["name"] == name)
            return e["num_slabs"] * e["pagesperslab"] * 4096
        c.within(by_name.get(name, {}).get("memory_bytes"), bounds.of(mem),
                 f"{name}'s memory, the guest's slabinfo")
    unrecl = [x for x in caches if not x["reclaimable"]]
    flagged = [x["name"] for x in caches if x["flagged"]]
    c.check(flagged and flagged[0] == unrecl[0]["name"],
            f"the largest unreclaimable cache flagged first: {flagged}")

    orphans = j["orphans"]
    tasks = orphans["task_struct"]
    unref = j["unreferenced"]
    total_unref = j["scan"]["unreferenced"]
    print(f"unreferenced: {total_unref} objects in {len(unref)} caches: "
          + ", ".join(f"{u['cache']} {u['count']}" for u in unref[:8]))
    c.check(j["scan"]["has_run"] and j["scan"]["root_bytes"] > 0,
            "the pointer scan ran")

    if "leak" not in truth:
        c.equal(tasks["count"], 0, "no orphaned task_struct")
        c.check(total_unref <= MAX_IDLE_UNREFERENCED,
                f"{total_unref} unreferenced objects: a short list "
                f"(<= {MAX_IDLE_UNREFERENCED})")
        c.finish()
        return

    leak = truth["leak"]
    held = leak["held_tasks"]
    got = {int(o["address"], 16): o for o in tasks["objects"]
           if not o["explained"]}
    c.equal(sorted(got), sorted(int(h["task"], 16) for h in held),
            "the orphaned task_structs: the tasks the module holds")
    c.equal(tasks["count"], len(held), "orphaned task_struct count")
    c.check(all(g["comm"].startswith("vmca-leak-") and
                g["state"] == "EXIT_DEAD" for g in tasks["by_comm"]),
            f"by comm and state: the leaker's children, dead "
            f"({tasks['by_comm'][:3]})")
    holder = leak["holder"]
    for h in held:
        o = got.get(int(h["task"], 16))
        if not o:
            continue
        off = 8 * h["index"]
        want = "%s+%s [%s]" % (holder["symbol"], "%#x" % off if off else "0",
                               holder["module"])
        if not c.check(any(x["where"] == want for x in o["holders"]) and
                       o["pid"] == h["pid"] and o["comm"] == h["comm"],
                       f"task {h['task']} (pid {h['pid']}) held by {want}: "
                       f"{o['pid']} {o['comm']} {o['holders']}"):
            break
    # Their signal_structs and creds belong to the orphans.
    for kind, key in (("signal_struct", "signal"), ("cred", "cred")):
        k = orphans[kind]
        c.check(k["owned_by_orphan"] >= len(held),
                f"{kind}: {k['owned_by_orphan']} owned by orphaned tasks "
                f">= {len(held)}")
        listed = {int(o["address"], 16) for o in k["objects"]}
        c.check(not listed & {int(h[key], 16) for h in held},
                f"{kind}: the orphans' own not listed as owned by no task")
    creds = orphans["cred"]
    got = {int(o["address"], 16): o for o in creds["objects"]
           if not o["explained"]}
    c.equal(sorted(got), sorted(int(h["address"], 16)
                                for h in leak["held_creds"]),
            "the orphaned creds: those the module holds")
    ch = leak["cred_holder"]
    for h in leak["held_creds"]:
        o = got.get(int(h["address"], 16))
        off = 8 * h["index"]
        want = "%s+%s [%s]" % (ch["symbol"], "%#x" % off if off else "0",
                               ch["module"])
        if o and not c.check(any(x["where"] == want for x in o["holders"]),
                             f"cred {h['address']} held by {want}: "
                             f"{o['holders']}"):
            break

    # The leaked kmalloc objects: unreferenced, and few others with them.
    km = leak["kmalloc"]
    planted = {int(a, 16) for a in km["objects"]}
    cache = "kmalloc-%d" % km["ksize"]
    u = next((x for x in unref if x["cache"] == cache), None)
    if c.check(u, f"unreferenced objects in {cache}"):
        found = {int(a, 16) for a in u["objects"]}
        c.equal(len(found), u["count"], "every unreferenced object listed")
        hit = len(found & planted)
        c.check(hit >= 0.95 * len(planted),
                f"{hit} of {len(planted)} leaked objects found (>= 95%)")
        other = len(found - planted)
        c.check(other < 0.05 * len(found),
                f"{other} of {len(found)} reported in {cache} are not the "
                f"leak's (< 5%)")
        g = u["groups"][0]
        c.equal((g["first_word"], g["count"] >= 0.95 * len(planted)),
                (km["magic"], True),
                "the largest group: the module's magic first")
        if "slub_debug=U" in truth["cmdline"]:
            a = g["alloc"] or {}
            c.check(a.get("caller", "").startswith(km["function"] + "+")
                    and a["caller"].endswith(" [vmca_leak]")
                    and any(f.startswith(km["function"] + "+")
                            for f in a.get("stack", [])),
                    f"slub_debug=U: the group allocated at "
                    f"{km['function']} [vmca_leak], with its stack: {a}")
        else:
            c.equal(g["alloc"], None, "no tracks without slub_debug=U")

    # The module's vmalloc leak: one caller, its areas (each with its
    # guard page, as /proc/vmallocinfo counts them).
    vl = leak["vmalloc"]
    grp = [g for g in j["vmalloc"]["by_caller"]
           if g["caller"] == vl["function"] and g["module"] == "vmca_leak"]
    c.equal([(g["count"], g["size"], g["pages"]) for g in grp],
            [(len(vl["areas"]), sum(a["size"] + 4096 for a in vl["areas"]),
              sum(a["size"] // 4096 for a in vl["areas"]))],
            "vmalloc by caller: the module's areas")

    # shmem: every tmpfs-like mount as df showed it, SysV and memfd.
    sh = leak["shmem"]
    got = sorted((m["mountpoint"], m["fstype"], m["source"], m["used_bytes"],
                  m["size_bytes"]) for m in j["shmem"]["mounts"]
                 if m["mountpoint"] is not None)
    want = sorted((m["mountpoint"], m["fstype"], m["source"], m["used_bytes"],
                   m["size_bytes"]) for m in sh["mounts"])
    c.equal(got, want, "shmem mounts: used and size as df showed them")
    c.equal(sorted((x["key"], x["shmid"], x["size"], x["rss_bytes"])
                   for x in j["shmem"]["sysv"]),
            sorted((x["key"], x["shmid"], x["size"], x["rss_bytes"])
                   for x in sh["sysv"]),
            "SysV segments: key, id, size, memory")
    c.equal(sorted((x["name"], x["size"], x["pid"], x["fd"])
                   for x in j["shmem"]["memfd"]),
            sorted((x["name"], x["size"], x["pid"], x["fd"])
                   for x in sh["memfd"]),
            "memfds: name, size, holder")
    c.finish()


if __name__ == "__main__":
    main()
