#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""vmca slab against one real dump and the /proc/slabinfo its guest printed:
every cache's counts as the kernel computes them, the allocated objects
found by walking every slab (consistent with the kernel's counters and
with the guest's task list), --objects, --find, and, on ELF dumps, a
copy of the dump with corrupted freelists (reported per slab, the walk
goes on)."""
import json
import os
import shutil
import struct
import subprocess
import tempfile

from vmcatest import Bounds, elf_loads, patch_phys, setup

CACHE_KEYS = {"name", "address", "object_size", "size", "objs_per_slab",
              "pages_per_slab", "active_objs", "num_objs", "active_slabs",
              "num_slabs", "allocated", "free", "memory_bytes", "reclaimable",
              "slabs_found", "objects_found", "unverified", "unknown",
              "errors"}


def slab_row(r, name):
    return next(t for t in r["slabinfo"] if t["name"] == name)


def stat_threshold_pages(r):
    """How far the global vmstat counters may lag the truth: each CPU
    folds its per-CPU delta in once it exceeds the node's stat threshold
    (mm/vmstat.c, the largest "vm stats threshold" of the node's zones in
    /proc/zoneinfo)."""
    per_cpu = {}
    for z in r["zoneinfo"]:
        for p in z.get("pagesets", []):
            per_cpu[p["cpu"]] = max(per_cpu.get(p["cpu"], 0),
                                    p.get("vm_stats_threshold", 0))
    return sum(per_cpu.values())


# Under slub_debug every cache is a debug cache and /proc/slabinfo counts
# exactly (no CPU slab is counted full), so the guest's reading counts the
# objects its own read holds open: the file (filp and its LSM blob), the
# seq_file and its 4 KiB buffer. These caches may differ by one between the
# reading and the dump, where the reader is gone; none other may.
READER_CACHES = ("filp", "lsm_file_cache", "seq_file", "kmalloc-4k",
                 "kmalloc-cg-4k")


def is_slub_debug(truth):
    return "slub_debug" in truth.get("cmdline", "")


def check_slabinfo(c, caches, truth, page_size):
    """The /proc/slabinfo columns, cache by cache, within the guest's two
    readings."""
    b = Bounds(truth)
    reader = 1 if is_slub_debug(truth) else 0
    for t in truth["slabinfo"]:
        name = t["name"]
        g = caches.get(name)
        if not c.check(g is not None, f"cache {name} listed"):
            continue
        c.equal(g["size"], t["objsize"], f"{name} objsize")
        c.equal(g["objs_per_slab"], t["objperslab"], f"{name} objperslab")
        c.equal(g["pages_per_slab"], t["pagesperslab"],
                f"{name} pagesperslab")
        for key in ("num_objs", "active_objs", "num_slabs", "active_slabs"):
            lo, hi = b.of(lambda r: slab_row(r, name)[key])
            if key == "active_objs" and name in READER_CACHES:
                lo, hi = lo - reader, hi + reader
            c.within(g[key], (lo, hi), f"{name} {key}")
    # SReclaimable is the slab pages of SLAB_RECLAIM_ACCOUNT caches: each
    # round's slabinfo, summed with vmca's flags, gives it up to the
    # counter's per-CPU lag.
    for i, r in enumerate(truth["rounds"], 1):
        recl = sum(t["num_slabs"] * t["pagesperslab"] * page_size // 1024
                   for t in r["slabinfo"]
                   if caches.get(t["name"], {}).get("reclaimable"))
        srecl = r["meminfo"]["SReclaimable"]
        lag = stat_threshold_pages(r) * page_size // 1024
        c.check(abs(recl - srecl) <= lag,
                f"round {i}: SReclaimable {srecl} kB ~ {recl} kB from its "
                f"slabinfo and vmca's reclaimable flags (per-CPU lag up "
                f"to {lag} kB)")


def check_walk(c, j, caches, d, truth):
    """The allocated-object walk: consistent with the kernel's counters."""
    c.equal(j["freelist_encoding"], "xor-random-swab",
            "CONFIG_SLAB_FREELIST_HARDENED encoding detected")
    # Debug caches (slub_debug) keep their full slabs on the node's full
    # list: the lists hold every slab, no struct page scan is needed.
    c.equal(j["scanned"], not is_slub_debug(truth),
            "struct pages scanned where full slabs are unlisted (not "
            "under slub_debug)")
    c.equal(j["errors"], [], "no errors")
    full = d["kind"] != "kdump"
    if full:
        c.equal(j["missing_pfns"], 0, "all struct pages in a full dump")
    total = 0
    memory = [g["memory_bytes"] for g in j["caches"]]
    c.check(memory == sorted(memory, reverse=True), "sorted by memory")
    for name, g in caches.items():
        c.check(CACHE_KEYS <= g.keys(),
                f"{name} has {sorted(CACHE_KEYS - g.keys())}")
        c.equal(g["memory_bytes"],
                g["num_slabs"] * g["pages_per_slab"] * j["page_size"],
                f"{name} memory_bytes")
        total += g["memory_bytes"]
        c.check(g["allocated"] <= g["active_objs"] <= g["num_objs"],
                f"{name}: allocated {g['allocated']} <= active "
                f"{g['active_objs']} <= num_objs {g['num_objs']}")
        c.equal(g["errors"], [], f"{name} errors")
        c.equal((g["unverified"], g["unknown"]), (0, 0),
                f"{name} every freelist walked")
        if full or not j["missing_pfns"]:
            c.equal(g["slabs_found"], g["num_slabs"],
                    f"{name}: every slab the kernel counts was found")
            c.equal(g["objects_found"], g["num_objs"],
                    f"{name}: objects in the slabs found")
            c.equal(g["allocated"] + g["free"], g["objects_found"],
                    f"{name}: allocated + free")
    c.equal(j["memory_bytes"], total, "total memory")
    c.equal(j["reclaimable_bytes"] + j["unreclaimable_bytes"], total,
            "reclaimable + unreclaimable")


def check_tasks(c, v, d, caches, truth):
    """Every task_struct is a task of the guest, an idle task of a CPU
    other than 0 (CPU 0's is the static init_task), or one the leak
    module holds."""
    cpus = v.json("-k", d["vmlinux"], d["vmcore"], "sys")["cpus"]
    held = truth.get("leak", {}).get("held_tasks", [])
    c.within(caches["task_struct"]["allocated"],
             Bounds(truth).of(lambda r: len(r["tasks"]) + cpus - 1 + len(held)),
             "allocated task_structs = tasks + idle tasks + held")


def slab_objects(v, d, name):
    return v.json("-k", d["vmlinux"], d["vmcore"], "slab", name, "--objects")


def find(v, d, address):
    return v.json("-k", d["vmlinux"], d["vmcore"], "slab", "--find",
                  hex(address))


def free_object(v, d, name, objects, exclude_cpu=False, accept=None):
    """An object of cache name that is free: a slot of an allocated
    object's slab that --objects (objects) does not list, and for which
    accept(address), if given, is true."""
    allocated = set(objects)
    seen = set()
    spans = []  # the objects of the slabs seen: one --find per slab
    for a in objects:
        if any(lo <= a < hi for lo, hi in spans):
            continue
        f = find(v, d, a)
        base = int(f["slab_base"], 16)
        spans.append((base, base + f["slab_objects"] * f["size"]))
        if f["slab"] in seen:
            continue
        seen.add(f["slab"])
        if exclude_cpu and f["list"] == "cpu":
            continue
        if f["slab_inuse"] >= f["slab_objects"]:
            continue
        first = a - f["index"] * f["size"]
        for i in range(f["slab_objects"]):
            o = first + i * f["size"]
            if o not in allocated and (accept is None or accept(o)):
                return o, f
        if len(seen) > 64:
            break
    return None, None


def check_objects_find(c, v, d, caches, truth):
    """--objects lists `allocated` objects; --find names them."""
    names = ["task_struct", "kmalloc-32", "dentry",
             max(caches, key=lambda n: caches[n]["allocated"])]
    for name in names:
        g = caches[name]
        o = slab_objects(v, d, name)
        objs = [int(x, 16) for x in o["objects"]]
        c.equal(len(objs), g["allocated"] - g["unverified"],
                f"{name} --objects count = allocated")
        c.equal(o["count"], len(objs), f"{name} --objects 'count'")
        c.equal(len(set(objs)), len(objs), f"{name} objects unique")
        c.equal(o["cache"], name, f"{name} --objects names the cache")
    # An allocated object, looked up by an address inside it.
    o = slab_objects(v, d, "kmalloc-32")
    objs = [int(x, 16) for x in o["objects"]]
    f = find(v, d, objs[len(objs) // 2] + 5)
    c.equal((f["cache"], f["state"], int(f["object"], 16), f["offset"]),
            ("kmalloc-32", "allocated", objs[len(objs) // 2], 5),
            "--find inside an allocated object")
    text = v.run("-k", d["vmlinux"], d["vmcore"], "slab", "--find",
                 hex(objs[0])).stdout
    c.check("allocated" in text and "kmalloc-32" in text,
            f"text --find: {text.strip()!r}")
    # A free object, by an address inside it.
    free, _ = free_object(v, d, "kmalloc-32", objs)
    if c.check(free is not None, "a free kmalloc-32 object found"):
        f = find(v, d, free + 3)
        c.equal((f["cache"], f["state"], int(f["object"], 16)),
                ("kmalloc-32", "free", free), "--find inside a free object")
    # Not slab memory.
    f = v.json("-k", d["vmlinux"], d["vmcore"], "slab", "--find",
               "init_task")
    c.equal((f["state"], f["cache"]), ("not_slab", None),
            "--find on init_task: not slab")
    # The leak: every task the module holds is an allocated task_struct.
    held = [int(h["task"], 16) for h in truth.get("leak", {})
            .get("held_tasks", [])]
    if held:
        o = slab_objects(v, d, "task_struct")
        objs = set(int(x, 16) for x in o["objects"])
        c.equal(sorted(set(held) - objs), [],
                "held task_structs are allocated objects")
        for h in held[:3] + held[-2:]:
            f = find(v, d, h + 0x10)
            c.equal((f["cache"], f["state"], int(f["object"], 16)),
                    ("task_struct", "allocated", h), f"--find held {h:#x}")
        k = truth["leak"]["kmalloc"]
        c.check(caches[k["cache"]]["allocated"] >= k["count"],
                f"{k['cache']} holds the {k['count']} leaked objects")


def check_text(c, v, d):
    p = v.run("-k", d["vmlinux"], d["vmcore"], "slab")
    lines = p.stdout.splitlines()
    c.check(lines and lines[0].split()[:3] == ["NAME", "ACTIVE", "OBJS"],
            f"text header {lines[:1]}")
    c.check(any(l.split()[:1] == ["task_struct"] for l in lines),
            "text has a task_struct row")
    c.check(any("caches," in l and "SReclaimable" in l for l in lines),
            "text totals line")
    p = v.run("-k", d["vmlinux"], d["vmcore"], "slab", "no-such-cache",
              check=False)
    c.check(p.returncode != 0 and "no slab cache" in p.stderr,
            f"unknown cache: {p.returncode} {p.stderr.strip()!r}")


# --- corrupted copies of an ELF dump ---

def cut_phys(path, holes):
    """Take the physical ranges [start, end) of holes out of an ELF64 core:
    every PT_LOAD is split around them, into a new program header table
    appended to the file (ELF allows it anywhere)."""
    with open(path, "r+b") as f:
        h = bytearray(f.read(64))
        phoff, = struct.unpack_from("<Q", h, 32)
        phentsize, phnum = struct.unpack_from("<HH", h, 54)
        f.seek(phoff)
        old = f.read(phentsize * phnum)
        out = []
        for i in range(phnum):
            ph = old[i * phentsize:(i + 1) * phentsize]
            (p_type, flags, off, vaddr, paddr, filesz, memsz,
             align) = struct.unpack_from("<IIQQQQQQ", ph)
            pieces = [(paddr, paddr + filesz)]
            if p_type == 1:
                for lo, hi in holes:
                    pieces = [q for a, b in pieces for q in
                              ((a, min(b, lo)), (max(a, hi), b)) if q[0] < q[1]]
            else:
                out.append(ph)
                continue
            for a, b in pieces:
                out.append(struct.pack("<IIQQQQQQ", p_type, flags,
                                       off + a - paddr, vaddr + a - paddr,
                                       a, b - a, b - a, align))
        f.seek(0, 2)
        end = (f.tell() + 7) & ~7
        f.seek(end)
        f.write(b"".join(out))
        struct.pack_into("<Q", h, 32, end)
        struct.pack_into("<H", h, 56, len(out))
        f.seek(0)
        f.write(h)


def member(v, d, type_name, address, name):
    j = v.json("-k", d["vmlinux"], d["vmcore"], "struct", type_name,
               hex(address))
    for m in j["members"]:
        if m.get("name") == name:
            return m["value"]
    raise KeyError(name)


def swab64(x):
    return int.from_bytes(x.to_bytes(8, "little"), "big")


def check_corruption(c, v, d, caches):
    """Two freelists corrupted in a copy of the dump: an object whose
    next pointer points at itself (a cycle) and one pointing nowhere.
    Each is reported against its slab; every other cache is unaffected
    and the command succeeds."""
    victims = {}
    for name in ("kmalloc-32", "kmalloc-96", "kmalloc-128", "kmalloc-192",
                 "kmalloc-16", "kmalloc-8", "kmalloc-64"):
        if len(victims) == 2:
            break
        g = caches[name]
        if not g["free"] or not g["allocated"]:
            continue
        objs = [int(x, 16) for x in slab_objects(v, d, name)["objects"]]
        free, f = free_object(v, d, name, objs, exclude_cpu=True)
        if free is not None:
            victims[name] = (free, f)
    if not c.check(len(victims) == 2, f"two victim caches: {list(victims)}"):
        return
    tmp = tempfile.mkdtemp(prefix="vmca-slab-test-")
    try:
        core = os.path.join(tmp, "vmcore")
        subprocess.run(["cp", "--sparse=always", d["vmcore"], core],
                       check=True)
        loads = elf_loads(core)
        kinds = {}
        for (name, (obj, f)), kind in zip(victims.items(),
                                          ("cycle", "outside")):
            cache = int(f["cache_address"], 16)
            offset = member(v, d, "kmem_cache", cache, "offset")
            random = member(v, d, "kmem_cache", cache, "random")
            at = obj + offset
            if kind == "cycle":
                value = obj ^ random ^ swab64(at)
            else:
                value = 0x4141414141414141
            paddr = int(v.json("-k", d["vmlinux"], d["vmcore"], "vtop",
                               hex(at))["paddr"], 16)
            c.check(patch_phys(core, loads, paddr,
                               struct.pack("<Q", value)),
                    f"patched {name} at {at:#x}")
            kinds[name] = (kind, f["slab"])
        j = v.json("-k", d["vmlinux"], core, "slab")
        got = {g["name"]: g for g in j["caches"]}
        for name, (kind, slab) in kinds.items():
            msgs = [e["message"] for e in got[name]["errors"]]
            word = "cycle" if kind == "cycle" else "outside the slab"
            c.check(len(msgs) == 1 and slab in msgs[0] and word in msgs[0],
                    f"{name}: {kind} reported for slab {slab}: {msgs}")
            c.check(got[name]["unverified"] > 0,
                    f"{name}: the slab's in-use count from slab->inuse")
            c.check(got[name]["allocated"] <= got[name]["num_objs"],
                    f"{name}: allocated still bounded")
        others = [n for n, g in got.items() if g["errors"] and n not in kinds]
        c.equal(others, [], "other caches unaffected")
        c.equal(sum(g["slabs_found"] for g in got.values()),
                sum(g["slabs_found"] for g in caches.values()),
                "the walk went on past the corrupt slabs")
    finally:
        shutil.rmtree(tmp)


# The struct pages cut out of a copy of the dump: SPAN pfns (8 pages of
# vmemmap), aligned.
SPAN = 512


def spans_of_big_caches(v, d, caches, page_size, pob):
    """Ranges of SPAN pfns holding objects of the caches with most slabs,
    most used first (slab memory is in the direct map at pob)."""
    count = {}
    for big in sorted(caches, key=lambda n: -caches[n]["num_slabs"])[:8]:
        for obj in slab_objects(v, d, big)["objects"]:
            first = (int(obj, 16) - pob) // page_size & ~(SPAN - 1)
            if first > 0:
                count[first] = count.get(first, 0) + 1
    return sorted(count, key=lambda f: -count[f])


def vmemmap_holes(v, d, vm, first_pfn):
    """The physical ranges of the struct pages of [first_pfn, first_pfn +
    SPAN): vmemmap is mapped page by page or by 2 MiB pages."""
    holes = []
    at, end = vm + first_pfn * 64, vm + (first_pfn + SPAN) * 64
    while at < end:
        t = v.json("-k", d["vmlinux"], d["vmcore"], "vtop", hex(at))
        pa, size = int(t["paddr"], 16), t["page_size"]
        n = min(size - pa % size, end - at)
        if holes and holes[-1][1] == pa:
            holes[-1][1] = pa + n
        else:
            holes.append([pa, pa + n])
        at += n
    return holes


def check_missing(c, v, d, caches, truth):
    """A copy of the dump without the struct pages of SPAN pfns and
    without one page of a slab whose freelist must be walked, as a
    filtered or cut dump would be: both are reported, nothing is
    guessed, the rest is counted. The victim slab must stay reachable:
    a section whose cut breaks the victim cache's own slab lists (a slab
    of it there, even an empty one) is passed over for the next."""
    vm = int(v.json("-k", d["vmlinux"], d["vmcore"], "rd", "vmemmap_base",
                    1)["values"][0], 16)
    page_size = 4096
    pob = int(v.json("-k", d["vmlinux"], d["vmcore"], "rd",
                     "page_offset_base", 1)["values"][0], 16)
    sections = spans_of_big_caches(v, d, caches, page_size, pob)
    if not c.check(sections, "slabs of the biggest caches found"):
        return
    # Victims: caches with a free object off the CPU slabs, fewest slabs
    # first; a span holding one of the victim's slabs (known from its
    # allocated objects) is skipped.
    victims = sorted((n for n, g in caches.items()
                      if g["free"] and g["allocated"] and
                      g["pages_per_slab"] == 1 and not g["errors"]),
                     key=lambda n: caches[n]["num_slabs"])
    tried = []
    for name in victims:
        objs = [int(x, 16) for x in slab_objects(v, d, name)["objects"]]
        pfns = {(o - pob) // page_size for o in objs if o >= pob}
        for first_pfn in sections:
            if len(tried) >= 12:
                break
            if any(first_pfn <= p < first_pfn + SPAN for p in pfns):
                continue
            done = try_missing(c, v, d, truth, vm, page_size, pob, name,
                               objs, first_pfn)
            if done is None:
                break  # no free object off the CPU slabs
            tried.append(f"{name}@{first_pfn:#x}")
            if done:
                return
    c.check(False, f"a section to cut that leaves the victim cache's lists "
            f"whole, among {tried}")


def try_missing(c, v, d, truth, vm, page_size, pob, name, objs, first_pfn):
    """Cut the struct pages of the span at first_pfn and one page of a
    slab of cache name outside it; check the result unless the cut broke
    one of that cache's slab lists (returns False then; None if the cache
    has no free object to plant the cut under)."""
    def paddr(vaddr):
        return vaddr - pob

    def outside(vaddr):
        return not first_pfn <= paddr(vaddr) // page_size < first_pfn + SPAN

    free, f = free_object(v, d, name, objs, exclude_cpu=True, accept=outside)
    if free is None:
        return None
    victim = (f["slab"], paddr(free) // page_size * page_size)
    holes = vmemmap_holes(v, d, vm, first_pfn)
    holes.append([victim[1], victim[1] + page_size])
    # libkdumpfile reads the last page of a gap between two PT_LOADs as
    # zeros, not as missing: each hole gets one more page, which then
    # reads as zeros (struct pages that say "no slab").
    for h in holes:
        h[1] += page_size
    tmp = tempfile.mkdtemp(prefix="vmca-slab-test-")
    try:
        core = os.path.join(tmp, "vmcore")
        subprocess.run(["cp", "--sparse=always", d["vmcore"], core],
                       check=True)
        cut_phys(core, [tuple(x) for x in holes])
        j = v.json("-k", d["vmlinux"], core, "slab")
    finally:
        shutil.rmtree(tmp)
    got = {g["name"]: g for g in j["caches"]}
    # A slab of the cache whose struct page was cut (or reads as zeros,
    # see above): a list, or a CPU's slab, that can no longer be followed
    # to the victim.
    if got[name]["slabs_found"] < got[name]["num_slabs"]:
        print(f"note: the cut of pfn {first_pfn:#x}+ takes {name} slabs "
              f"({got[name]['errors']}); next")
        return False
    if not any(g["slabs_found"] < g["num_slabs"] for g in got.values()):
        print(f"note: no slab in pfn {first_pfn:#x}+; next")
        return False
    check_missing_result(c, j, got, truth, first_pfn, name, victim,
                         page_size)
    return True


def check_missing_result(c, j, got, truth, first_pfn, name, victim,
                         page_size):
    msgs = [e["message"] for e in j["errors"]]
    # The cut pfns that are RAM (the guest's /proc/iomem).
    ram = [(int(r["start"], 16) // page_size,
            (int(r["end"], 16) + 1) // page_size)
           for r in truth["iomem"]
           if r["depth"] == 0 and r["name"] == "System RAM"]
    cut = [(max(a, first_pfn), min(b, first_pfn + SPAN))
           for a, b in ram if a < first_pfn + SPAN and b > first_pfn]
    for a, b in cut:
        want = f"struct pages of pfn {a:#x}-{b - 1:#x} not in the dump"
        c.check(any(m.startswith(want) for m in msgs),
                f"missing struct pages reported: {want!r} in {msgs}")
    c.equal(j["missing_pfns"], sum(b - a for a, b in cut), "missing_pfns")
    short = [n for n, g in got.items() if g["slabs_found"] < g["num_slabs"]]
    for n in short:
        c.check(any("struct pages missing from the dump" in e["message"]
                    for e in got[n]["errors"]),
                f"{n}: the shortfall is reported")
    k = got[name]
    c.check(any(victim[0] in e["message"] and "not in dump" in e["message"]
                for e in k["errors"]),
            f"{name}: the cut slab is reported: {k['errors']}")
    c.check(k["unverified"] > 0, f"{name}: its in-use count from "
            "slab->inuse, marked unverified")
    c.check(all(g["allocated"] <= g["num_objs"] for g in got.values()),
            "allocated bounded everywhere")


def copy_of_dump(d, tmp):
    core = os.path.join(tmp, "vmcore")
    subprocess.run(["cp", "--sparse=always", d["vmcore"], core], check=True)
    return core


def eval_value(v, d, expr):
    value = v.json("-k", d["vmlinux"], d["vmcore"], "eval", expr)["value"]
    return int(value, 16) if isinstance(value, str) else value


def paddr_of(v, d, vaddr):
    return int(v.json("-k", d["vmlinux"], d["vmcore"], "vtop",
                      hex(vaddr))["paddr"], 16)


def slab_without_page(c, v, d, page, what):
    """slab --json on a copy of the dump without the physical page at
    page (and the one after it, which reads as zeros: see try_missing)."""
    tmp = tempfile.mkdtemp(prefix="vmca-slab-test-")
    try:
        core = copy_of_dump(d, tmp)
        cut_phys(core, [(page, page + 2 * 4096)])
        return slab_on(c, v, d, core, what)
    finally:
        shutil.rmtree(tmp)


def slab_on(c, v, d, core, what, timeout=300):
    """slab --json on a corrupted copy: the JSON, or None (a failure, a
    sanitizer report or a timeout is a failed check)."""
    try:
        p = v.run("-k", d["vmlinux"], core, "slab", json_out=True,
                  check=False, timeout=timeout)
    except subprocess.TimeoutExpired:
        c.check(False, f"{what}: slab still running after {timeout} s")
        return None
    if not c.check(p.returncode == 0 and "Sanitizer" not in p.stderr,
                   f"{what}: slab exit {p.returncode}: "
                   f"{p.stderr.strip()[:600]!r}"):
        return None
    return json.loads(p.stdout)


def check_cycles(c, v, d, caches, clean):
    """Cycles in the lists the walk follows by hand: the prev pointers of
    slab_caches behind a break (the last cache's prev pointing at itself),
    and the siblings of iomem_resource (the last pointing back at the
    first) with max_pfn 2^40. Each is reported as an error of that walk;
    the caches are listed once; the struct page scan falls back to the
    pfns the dump holds, not every pfn below max_pfn."""
    # The third cache from the end points back at itself: the forward
    # walk breaks there, the backward one meets it again after the last
    # two caches.
    node = eval_value(v, d, "slab_caches.prev")
    for _ in range(2):
        node = eval_value(v, d, f"((struct list_head *){node:#x})->prev")
    cache = node - eval_value(v, d, "&((struct kmem_cache *)0)->list")
    tmp = tempfile.mkdtemp(prefix="vmca-slab-test-")
    try:
        core = copy_of_dump(d, tmp)
        c.check(patch_phys(core, elf_loads(core), paddr_of(v, d, node + 8),
                           struct.pack("<Q", node)),
                f"patched {node:#x}->prev")
        j = slab_on(c, v, d, core, "prev cycle", timeout=120)
    finally:
        shutil.rmtree(tmp)
    if j:
        msgs = [e["message"] for e in j["errors"]]
        c.check(any(f"cycle of prev pointers at {cache:#x}" in m
                    for m in msgs), f"prev cycle reported: {msgs}")
        c.check("slab_caches: 3 caches after the break reached backwards"
                in msgs, f"the caches after the break: {msgs}")
        names = [g["name"] for g in j["caches"]]
        c.equal(len(names), len(set(names)), "each cache listed once")
        c.equal(sorted(names), sorted(caches), "the same caches")

    nodes = [eval_value(v, d, "iomem_resource.child")]
    while len(nodes) < 256:
        n = eval_value(v, d, f"((struct resource *){nodes[-1]:#x})->sibling")
        if not n:
            break
        nodes.append(n)
    sibling = eval_value(v, d, f"&((struct resource *){nodes[-1]:#x})"
                         "->sibling")
    max_pfn = eval_value(v, d, "&max_pfn")
    tmp = tempfile.mkdtemp(prefix="vmca-slab-test-")
    try:
        core = copy_of_dump(d, tmp)
        loads = elf_loads(core)
        c.check(patch_phys(core, loads, paddr_of(v, d, sibling),
                           struct.pack("<Q", nodes[0])) and
                patch_phys(core, loads, paddr_of(v, d, max_pfn),
                           struct.pack("<Q", 1 << 40)),
                f"patched {nodes[-1]:#x}->sibling and max_pfn")
        j = slab_on(c, v, d, core, "sibling cycle", timeout=120)
    finally:
        shutil.rmtree(tmp)
    if j:
        msgs = [e["message"] for e in j["errors"]]
        c.check(any("iomem_resource: cycle of siblings" in m and
                    "scanning the pfns the dump holds" in m for m in msgs),
                f"sibling cycle reported: {msgs}")
        c.check(j["scanned_pfns"] <= clean["scanned_pfns"] + 4096,
                f"scanned {j['scanned_pfns']} pfns, the clean dump's "
                f"{clean['scanned_pfns']}")
        got = {g["name"]: g for g in j["caches"]}
        c.equal({n: got[n]["slabs_found"] for n in caches if n in got},
                {n: g["slabs_found"] for n, g in caches.items()},
                "every cache's slabs found by the fallback scan")


def check_unreadable_name(c, v, d, caches):
    """A copy of the dump without the page holding task_struct's cache
    name: the cache is listed as ?ADDRESS, and the failure is in the
    command's errors as well as the cache's."""
    address = int(caches["task_struct"]["address"], 16)
    name = eval_value(v, d, f"((struct kmem_cache *){address:#x})->name")
    j = slab_without_page(c, v, d, paddr_of(v, d, name) & ~4095,
                          "cache name cut")
    if not j:
        return
    want = f"?{address:#x}"
    got = {g["name"]: g for g in j["caches"]}
    if c.check(want in got, f"task_struct listed as {want}"):
        c.check(any("cache name" in e["message"] and "not in dump" in
                    e["message"] for e in got[want]["errors"]),
                f"{want}: the name's error: {got[want]['errors']}")
    msgs = [e["message"] for e in j["errors"]]
    c.check(any(m.startswith(f"kmem_cache at {address:#x}: name: ") and
                "not in dump" in m for m in msgs),
            f"the command's errors name kmem_cache {address:#x}: {msgs}")


def check_unreadable_ram_name(c, v, d, caches, truth):
    """A copy of the dump without the page holding the "System RAM" the
    RAM resources are named by (the errors of those reads are kept, not
    dropped: under LeakSanitizer a dropped one fails the run): the RAM
    map is then unknown, said so, and the scan falls back to the pfns the
    dump holds, finding every slab."""
    ram = {int(r["start"], 16) for r in truth["iomem"]
           if r["depth"] == 0 and r["name"] == "System RAM"}
    node, name = eval_value(v, d, "iomem_resource.child"), None
    for _ in range(256):
        if not node:
            break
        res = f"((struct resource *){node:#x})"
        if eval_value(v, d, f"{res}->start") in ram:
            name = eval_value(v, d, f"{res}->name")
            break
        node = eval_value(v, d, f"{res}->sibling")
    if not c.check(name, "a System RAM resource found"):
        return
    j = slab_without_page(c, v, d, paddr_of(v, d, name) & ~4095,
                          "System RAM name cut")
    if not j:
        return
    msgs = [e["message"] for e in j["errors"]]
    c.check(any(m.startswith("iomem_resource: name of the resource at ")
                and "not in dump" in m for m in msgs),
            f"the unreadable names reported: {msgs}")
    c.check(any("no System RAM in iomem_resource: scanning the pfns the "
                "dump holds" in m for m in msgs),
            f"the fallback reported: {msgs}")
    got = {g["name"]: g for g in j["caches"]}
    c.equal(sum(g["slabs_found"] for g in got.values()),
            sum(g["slabs_found"] for g in caches.values()),
            "every slab found by the fallback scan")


def main():
    d, truth, c, v = setup("slab")
    j = v.json("-k", d["vmlinux"], d["vmcore"], "slab")
    j["page_size"] = v.json("-k", d["vmlinux"], d["vmcore"],
                            "sys")["page_size"]
    caches = {g["name"]: g for g in j["caches"]}
    c.equal(len(caches), len(j["caches"]), "cache names unique")
    check_slabinfo(c, caches, truth, j["page_size"])
    check_walk(c, j, caches, d, truth)
    check_tasks(c, v, d, caches, truth)
    check_objects_find(c, v, d, caches, truth)
    check_text(c, v, d)
    if d["kind"] == "qemu-elf":
        check_corruption(c, v, d, caches)
        check_missing(c, v, d, caches, truth)
        check_cycles(c, v, d, caches, j)
        check_unreadable_name(c, v, d, caches)
        check_unreadable_ram_name(c, v, d, caches, truth)
    c.finish()


if __name__ == "__main__":
    main()
