#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""vmalloc against the guest's /proc/vmallocinfo: every area (start, end,
size, caller as %pS prints it, pages, phys, flag words, N<node>= counts,
unpurged and vm_map_ram ranges) in the kernel's order, the text lines
equal to the kernel's; by_caller consistent with the areas. The guest
read vmallocinfo twice (round 1 and 2, see testdata/README.md); only an
entry that differs between the two readings may differ in the dump (the
corpus has none: idle guests allocate no vmalloc between the readings).
Before generator_version 10 the truth holds %pK hashes (the same address
hashes the same): there the areas must match in everything but the
addresses, and the addresses must map to the hashes one to one, and
only the first words the old parser kept (the caller without its module,
the words ioremap vmalloc vmap user vpages unpurged vm_map_ram) are
compared. Leak scenario: the 6 areas vmca_leak.ko leaked, at their
addresses with their sizes (one guard page more), caller
vmca_leak_vmalloc [vmca_leak], and by_caller's group of 6."""
import collections
import difflib
import re

from vmcatest import setup

# testdata/generate.py's parsers of a vmallocinfo line: version 10 (real
# addresses, every word) and before.
CALLER_RE = re.compile(r"^(\S+\+0x[0-9a-f]+/0x[0-9a-f]+|0x[0-9a-f]+)$")
OLD_FLAGS_RE = re.compile(
    r"^(ioremap|vmalloc|vmap|user|vpages|unpurged|vm_map_ram)$")
OLD_NOT_CALLER_RE = re.compile(
    r"^(pages|phys|ioremap|vmalloc|vmap|user|vpages|N\d)")


def parse_new(line):
    m = re.match(r"^(0x[0-9a-f]+)-(0x[0-9a-f]+)\s+(\d+)\s*(.*)$", line)
    rest = m.group(4).split()
    caller = None
    if rest and CALLER_RE.match(rest[0]):
        caller = rest.pop(0)
        if rest and re.match(r"^\[\S+\]$", rest[0]):
            caller += " " + rest.pop(0)
    pages = [int(w[6:]) for w in rest if re.match(r"^pages=\d+$", w)]
    return {"start": m.group(1), "end": m.group(2), "size": int(m.group(3)),
            "caller": caller, "pages": pages[0] if pages else None,
            "flags": [w for w in rest if not re.match(r"^pages=\d+$", w)]}


def parse_old(line):
    m = re.match(r"^(0x[0-9a-f]+)-(0x[0-9a-f]+)\s+(\d+)\s*(.*)$", line)
    rest = m.group(4).split()
    caller = rest[0] if rest and not OLD_NOT_CALLER_RE.match(rest[0]) \
        else None
    return {"start": m.group(1), "end": m.group(2), "size": int(m.group(3)),
            "caller": caller,
            "flags": [w for w in rest if OLD_FLAGS_RE.match(w)]}


def line_of(a):
    """The /proc/vmallocinfo line of a JSON area (s_show()'s format)."""
    head = "0x%016x-0x%016x %7d" % (int(a["start"], 16), int(a["end"], 16),
                                    a["size"])
    if a["kind"] == "vm_map_ram":
        return head + " vm_map_ram"
    if a["kind"] == "unpurged":
        return head + " unpurged vm_area"
    words = []
    if a["caller"] is not None:
        words.append(a.get("caller_symbol") or a["caller"])
    if a["pages"]:
        words.append("pages=%d" % a["pages"])
    if a.get("phys_addr"):
        words.append("phys=0x%016x" % int(a["phys_addr"], 16))
    words += a["flags"]
    words += ["%s=%d" % (k, n) for k, n in a["nodes"].items()]
    return " ".join([head] + words)


def readings(truth):
    """The guest's two readings (nearest the dump first) and whether they
    hold real addresses."""
    v = truth["vmallocinfo"]
    if isinstance(v, dict):
        near, far = ("first", "second") if truth["bracket"] == "around" \
            else ("second", "first")
        return v[near], v[far], True
    r1, r2 = (r["vmallocinfo"] for r in truth["rounds"])
    near, far = (r1, r2) if truth["bracket"] == "around" else (r2, r1)
    return near, far, False


def key(e, real):
    k = (e["size"], e["caller"], e.get("pages"), tuple(e["flags"]))
    return k + ((e["start"], e["end"]) if real else ())


def main():
    d, truth, c, v = setup("vmalloc")
    base = ["-k", d["vmlinux"], d["vmcore"]]
    j = v.json(*base, "vmalloc")
    areas = j["areas"]
    c.check(all({"start", "end", "size", "kind", "caller", "pages", "flags",
                 "nodes"} <= a.keys() for a in areas),
            "areas have the documented keys")
    c.check(all(a["start"].startswith("0x") and a["end"].startswith("0x")
                for a in areas), "addresses are 0x strings")
    c.check(not any("error" in a for a in areas),
            f"no area failed: {[a for a in areas if 'error' in a][:2]}")
    c.equal(j["notes"], [], "no walk broke")
    lines = [line_of(a) for a in areas]
    text = v.run(*base, "vmalloc").stdout.splitlines()
    c.equal(text[:len(lines)], lines,
            "the text lists the areas as /proc/vmallocinfo prints them")

    near, far, real = readings(truth)
    parse = parse_new if real else parse_old
    mine = [parse(l) for l in lines]
    # The entries that moved between the guest's two readings: only those
    # may differ in the dump.
    kn = collections.Counter(key(e, real) for e in near)
    kf = collections.Counter(key(e, real) for e in far)
    moving = set((kn - kf) + (kf - kn))
    print(f"vmallocinfo: {len(near)} entries, {len(moving)} differ between "
          f"the guest's two readings ({'real addresses' if real else '%pK hashes'})")
    a_keys = [key(e, real) for e in near]
    b_keys = [key(e, real) for e in mine]
    unexplained = []
    pairs = []
    sm = difflib.SequenceMatcher(a=a_keys, b=b_keys, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            pairs += zip(near[i1:i2], mine[j1:j2])
            continue
        unexplained += [("guest", near[i]) for i in range(i1, i2)
                        if a_keys[i] not in moving]
        unexplained += [("vmca", mine[i]) for i in range(j1, j2)
                        if b_keys[i] not in moving]
    c.check(not unexplained,
            f"every area as the guest read it (besides entries that moved "
            f"between its readings): {len(unexplained)} differ: "
            f"{unexplained[:6]}")
    c.check(len(pairs) >= len(near) - len(moving),
            f"{len(pairs)} of {len(near)} guest entries matched")
    if not real:
        # %pK hashes: one hash per address, one address per hash.
        fwd, back, bad = {}, {}, []
        for g, m in pairs:
            for h, a in ((g["start"], m["start"]), (g["end"], m["end"])):
                if fwd.setdefault(a, h) != h or back.setdefault(h, a) != a:
                    bad.append((a, h))
        c.check(not bad, f"addresses map to the guest's hashes one to one: "
                         f"{bad[:4]}")

    # by_caller: every area once, largest first, sums of its areas.
    groups = j["by_caller"]
    c.equal(sum(g["count"] for g in groups), len(areas),
            "by_caller counts every area once")
    c.equal(sum(g["size"] for g in groups), sum(a["size"] for a in areas),
            "by_caller's sizes add up")
    c.check(all(x["size"] >= y["size"] for x, y in zip(groups, groups[1:])),
            "by_caller largest first")
    by_fn = collections.defaultdict(lambda: [0, 0, 0])
    for a in areas:
        if a["kind"] == "area" and a.get("caller_symbol"):
            fn = a["caller_symbol"].split("+")[0]
            by_fn[fn][0] += 1
            by_fn[fn][1] += a["size"]
            by_fn[fn][2] += a["pages"]
    grouped = {g["caller"]: [g["count"], g["size"], g["pages"]]
               for g in groups if g["caller"] and g["kind"] == "area"}
    c.equal(grouped, dict(by_fn), "by_caller's groups are the areas' "
                                  "caller functions")

    leak = (truth.get("leak") or {}).get("vmalloc")
    if leak:
        by_start = {int(a["start"], 16): a for a in areas}
        for x in leak["areas"]:
            a = by_start.get(int(x["address"], 16), {})
            sym = a.get("caller_symbol") or ""
            c.check(a.get("size") == x["size"] + 4096 and
                    sym.startswith(leak["function"] + "+") and
                    sym.endswith(" [vmca_leak]") and
                    a.get("pages") == x["size"] // 4096 and
                    "vmalloc" in a.get("flags", []),
                    f"leaked area {x['index']} at {x['address']} "
                    f"({x['size']} bytes): {a}")
        g = next((g for g in groups if g["caller"] == leak["function"]), {})
        c.equal((g.get("module"), g.get("count"), g.get("size"),
                 g.get("pages")),
                ("vmca_leak", leak["count"],
                 sum(x["size"] + 4096 for x in leak["areas"]),
                 sum(x["size"] // 4096 for x in leak["areas"])),
                "by_caller's group of vmca_leak_vmalloc: the 6 areas")
        c.check(any(l.strip().endswith("vmca_leak_vmalloc [vmca_leak]")
                    for l in text[len(lines):]),
                "the text's by-caller table names vmca_leak_vmalloc")
    print(f"vmalloc: {len(areas)} areas, {len(groups)} callers, "
          f"{sum(1 for a in areas if a['kind'] == 'unpurged')} unpurged")
    c.finish()


if __name__ == "__main__":
    main()
