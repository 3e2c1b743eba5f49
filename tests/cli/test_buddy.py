#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""buddy and meminfo against one real dump and the ground truth its guest
printed (/proc/buddyinfo, /proc/zoneinfo, /proc/meminfo).

Every figure is checked against the guest's two readings of it (the
truth's rounds, vmcatest.Bounds): equal where they agree, within them
where the figure moved (free pages shift between the per-CPU lists and
the buddy lists in batches; the vmstat counters fold per-CPU deltas in).
"""
import os
import re

from vmcatest import Bounds, setup

# Lines that cannot drift: configuration and totals (the bound is exact
# anyway where the readings agree; these must also agree).
EXACT_LINES = {"MemTotal", "SwapTotal", "SwapFree", "CommitLimit",
               "VmallocTotal", "VmallocChunk", "NFS_Unstable", "CmaTotal",
               "HugePages_Total", "HugePages_Free", "HugePages_Rsvd",
               "HugePages_Surp", "Hugepagesize", "Hugetlb"}


def raw_section(truth_path, name):
    """The guest's raw lines of one truth section (layout as printed)."""
    log = os.path.join(os.path.dirname(truth_path), "truth.log")
    lines, inside = [], False
    with open(log, errors="replace") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if line == f"VMCA-TRUTH-BEGIN {name}":
                inside = True
            elif line == f"VMCA-TRUTH-END {name}":
                break
            elif inside and line.startswith("@T "):
                lines.append(line[3:])
    return lines


def frag_index(nr_free, order):
    """__fragmentation_index() of mm/vmstat.c, in thousandths."""
    total = sum(nr_free)
    free_pages = sum(n << o for o, n in enumerate(nr_free))
    suitable = sum(n << (o - order) for o, n in enumerate(nr_free)
                   if o >= order)
    if not total:
        return 0
    if suitable:
        return -1000
    return 1000 - (1000 + free_pages * 1000 // (1 << order)) // total


def zone_of(r, section, key):
    return next(z for z in r[section] if (z["node"], z["zone"]) == key)


def check_zone_truth(c, z, key, b, where):
    zi = lambda get: b.of(lambda r: get(zone_of(r, "zoneinfo", key)))
    for k, tkey in (("managed_pages", "managed"),
                    ("present_pages", "present"),
                    ("spanned_pages", "spanned")):
        c.within(z[k], zi(lambda t: t[tkey]), f"{where} {k} = zoneinfo {tkey}")
    for mark in ("min", "low", "high"):
        c.within(z["watermark"][mark], zi(lambda t: t[mark]),
                 f"{where} watermark {mark} = zoneinfo")
    if "boost" in zone_of(b.near, "zoneinfo", key):
        c.within(z["watermark"]["boost"], zi(lambda t: t["boost"]),
                 f"{where} boost")
    c.equal(z["lowmem_reserve"], zone_of(b.near, "zoneinfo", key)["protection"],
            f"{where} lowmem_reserve = zoneinfo protection")
    # zoneinfo's "pages free" is the zone's NR_FREE_PAGES counter, as is
    # vmca's free_pages.
    c.within(z["free_pages"], zi(lambda t: t["nr_free_pages"]),
             f"{where} free_pages = zoneinfo pages free")
    got = [a["nr_free"] for a in z["free_area"]]
    tb = zone_of(b.near, "buddyinfo", key)["free"]
    c.equal(len(got), len(tb), f"{where} number of orders")
    for o, n in enumerate(got):
        c.within(n, b.of(lambda r: zone_of(r, "buddyinfo", key)["free"][o]),
                 f"{where} order {o} nr_free = buddyinfo")


def check_zone_self(c, j, z, where):
    """The dump's numbers against each other and the kernel's rules."""
    nr_free = [a["nr_free"] for a in z["free_area"]]
    for a in z["free_area"]:
        o = a["order"]
        c.check(not a["errors"], f"{where} order {o} list walk errors "
                f"{a['errors']}")
        c.equal(sum(a["by_migratetype"].values()), a["nr_free"],
                f"{where} order {o}: blocks on the free lists = nr_free")
        c.equal(a["list_difference"], 0, f"{where} order {o} difference")
    c.equal(z["buddy_free_pages"],
            sum(n << o for o, n in enumerate(nr_free)),
            f"{where} buddy_free_pages")
    if "free_pages_snapshot" in z:
        c.equal(z["free_pages_snapshot"], z["buddy_free_pages"],
                f"{where} NR_FREE_PAGES + per-CPU deltas = pages on the "
                f"free lists")
    c.check(z.get("pcp_pages", 0) >= 0, f"{where} pcp_pages")

    highatomic = z[j["highatomic_counter"]]
    reserve = z["lowmem_reserve"][j["highest_zoneidx"]]
    allowed = j["migratetypes"][:3]  # MIGRATE_PCPTYPES
    failures = []
    for w in z["watermark_ok"]:
        o = w["order"]
        unusable = (1 << o) - 1 + highatomic + z.get("free_cma_pages", 0)
        c.equal(w["unusable_free"], unusable, f"{where} order {o} unusable")
        c.equal(w["usable_free"], z["free_pages"] - unusable,
                f"{where} order {o} usable")
        c.equal((w["mark"], w["lowmem_reserve"], w["needed"]),
                (z["watermark"]["min"], reserve,
                 z["watermark"]["min"] + reserve),
                f"{where} order {o} min + lowmem_reserve")
        c.equal(w["order0_ok"], w["usable_free"] > w["needed"],
                f"{where} order {o} order-0 check")
        # The walked lists, independently of the verdict.
        has_block = any(a["by_migratetype"][mt] > 0
                        for a in z["free_area"][o:] for mt in allowed)
        expected = w["order0_ok"] and (o == 0 or has_block)
        c.equal(w["ok"], expected, f"{where} order {o} verdict")
        if w["ok"] and o > 0:
            s = w["suitable_order"]
            c.check(s >= o and z["free_area"][s]["by_migratetype"][
                w["suitable_migratetype"]] > 0,
                f"{where} order {o} passes on a real block: {w}")
        if not w["ok"]:
            failures.append(o)
            c.check(f"= {w['usable_free']}" in w["reason"] and
                    f"{w['needed']}" in w["reason"],
                    f"{where} order {o} reason has the arithmetic: "
                    f"{w['reason']!r}")
            if w["order0_ok"]:
                c.check("no free block of order" in w["reason"],
                        f"{where} order {o} reason names the missing "
                        f"block: {w['reason']!r}")
        c.equal(round(z["fragmentation_index"][o] * 1000),
                frag_index(nr_free, o), f"{where} order {o} frag index")
    return failures


def check_buddy(c, v, d, truth):
    args = ("-k", d["vmlinux"], d["vmcore"], "buddy")
    j = v.json(*args)
    c.equal((j["mark"], j["highest_zone"]), ("min", "Normal"), "defaults")
    c.check("__zone_watermark_ok" in j["rule"], "the rule is named")
    zones = {(z["node"], z["zone"]): z for z in j["zones"]}
    buddyinfo = {(b["node"], b["zone"]): b for b in truth["buddyinfo"]}
    c.equal(sorted(zones), sorted(buddyinfo),
            "populated zones = /proc/buddyinfo's")
    failures = {}
    for key, z in zones.items():
        where = f"node {key[0]} {key[1]}"
        c.check("error" not in z, f"{where} read: {z.get('error')}")
        if "error" in z or key not in buddyinfo:
            continue
        check_zone_truth(c, z, key, Bounds(truth), where)
        failures[key] = check_zone_self(c, j, z, where)
        # Orders without a free block at or above them, in the guest's
        # view and the dump's alike, must fail.
        tb, nr = buddyinfo[key]["free"], [a["nr_free"] for a in
                                          z["free_area"]]
        for o in range(1, len(nr)):
            if not any(tb[o:]) and not any(nr[o:]):
                c.check(o in failures[key],
                        f"{where} order {o}: no block of order >= {o} in "
                        f"buddyinfo or the dump, yet the test passes")

    text = v.run(*args).stdout
    for key, z in zones.items():
        line = "Node %d, zone %8s %s" % (
            key[0], key[1],
            "".join("%6d " % a["nr_free"] for a in z["free_area"]))
        c.check(line in text.splitlines(),
                f"text has the buddyinfo line {line!r}")
        # A failing order has its line, or shares one with a run of
        # orders failing for the same reason ("orders 2-10: ...").
        head = "Node %d, zone %s (" % key
        section = text[text.find(head):] if head in text else ""
        section = section[:section.find("\nNode ", 1) + 1 or None]
        spans = []
        for m in re.finditer(r"^\s+orders?\s+(\d+)(?:-(\d+))?: free \d+ "
                             r"- unusable", section, re.M):
            spans.append((int(m.group(1)), int(m.group(2) or m.group(1))))
        for o in failures.get(key, []):
            c.check(any(a <= o <= b for a, b in spans),
                    f"text explains why order {o} of {key[1]} fails")
    if d["scenario"] == "frag":
        nfail = sum(len(f) for f in failures.values())
        print(f"note [frag]: {nfail} zone orders fail the watermark test: "
              f"{ {k[1]: f for k, f in failures.items() if f} }")

    # Without the list walks: the same counts and verdicts.
    nw = v.json(*args, "--no-walk")
    for z, n in zip(j["zones"], nw["zones"]):
        c.equal([w["ok"] for w in n["watermark_ok"]],
                [w["ok"] for w in z["watermark_ok"]],
                f"--no-walk verdicts of {z['zone']}")
        c.check(all("by_migratetype" not in a for a in n["free_area"]),
                "--no-walk has no per-migratetype counts")
    # Another highest zone picks another lowmem_reserve.
    dma32 = v.json(*args, "--highest-zone=DMA32", "--mark=low")
    for z in dma32["zones"]:
        w = z["watermark_ok"][0]
        c.equal((w["mark"], w["lowmem_reserve"]),
                (z["watermark"]["low"],
                 z["lowmem_reserve"][dma32["highest_zoneidx"]]),
                f"--highest-zone=DMA32 --mark=low on {z['zone']}")
    bad = v.run(*args, "--mark=lowest", check=False)
    c.check(bad.returncode != 0 and "usage" in bad.stderr,
            "a bad option is a usage error")


def check_meminfo(c, v, d, truth):
    args = ("-k", d["vmlinux"], d["vmcore"], "meminfo")
    j = v.json(*args)
    t = truth["meminfo"]
    b = Bounds(truth)
    c.equal(list(j), list(t), "meminfo: the kernel's lines, in its order")
    for key, expected in t.items():
        got = j.get(key)
        if not isinstance(got, int):
            c.check(False, f"meminfo {key}: {got!r}")
            continue
        if key in EXACT_LINES:
            c.equal(got, expected, f"meminfo {key}")
            continue
        c.within(got, b.of(lambda r: r["meminfo"][key]), f"meminfo {key}")
    # The lines that are sums of others, as the kernel adds them.
    for total, parts in (("Slab", ("SReclaimable", "SUnreclaim")),
                         ("Active", ("Active(anon)", "Active(file)")),
                         ("Inactive", ("Inactive(anon)", "Inactive(file)"))):
        c.equal(j[total], sum(j[p] for p in parts),
                f"meminfo {total} = {' + '.join(parts)}")
    direct = [k for k in t if k.startswith("DirectMap")]
    c.equal(sum(j[k] for k in direct), sum(t[k] for k in direct),
            "meminfo: the direct map in all")

    # Text: /proc/meminfo's own layout, line for line (same labels,
    # padding and right-aligned number columns).
    text = v.run(*args).stdout.splitlines()
    raw = raw_section(d["truth"], "meminfo")
    c.equal(len(text), len(raw), "meminfo text line count")
    shape = re.compile(r"^(\S+:)(\s+)(\d+)((?: kB)?)$")
    for ours, guest in zip(text, raw):
        m, g = shape.match(ours), shape.match(guest)
        c.check(m and g and (m.group(1), m.end(3), m.group(4)) ==
                (g.group(1), g.end(3), g.group(4)),
                f"meminfo text {ours!r} laid out as {guest!r}")


def main():
    d, truth, c, v = setup("buddy")
    check_buddy(c, v, d, truth)
    check_meminfo(c, v, d, truth)
    c.finish()


if __name__ == "__main__":
    main()
