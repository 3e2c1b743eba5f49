#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Module debuginfo (-m) against one real dump, the test modules' .ko
files beside it and binutils/pahole: each module's sections equal the
guest's /sys/module/NAME/sections and its build-id the .ko's; with -m,
the types only a test module defines have pahole's layout of the .ko
(struct and eval), its globals are typed (eval), and sym -l at addresses
in the module's .text and .init.text equals addr2line -j SECTION on the
.ko; a .ko whose build-id differs is skipped with a warning; without -m
the types are unknown."""
import os
import re
import shutil
import subprocess
import tempfile

from vmcatest import setup

# The types each test module defines and the vmlinux does not.
MODULE_TYPES = {"vmca_oops": ("vmca_oops_ctl", "vmca_oops_task"),
                "vmca_leak": ("vmca_leak_obj",)}
SAMPLES_PER_FUNCTION = 4


def build_id(path):
    p = subprocess.run(["readelf", "-n", path], capture_output=True,
                       text=True, check=True)
    m = re.search(r"Build ID: ([0-9a-f]+)", p.stdout)
    return m.group(1) if m else None


def pahole(ko, name):
    """(size, [(member, offset, size)]) of struct name in ko, by pahole."""
    p = subprocess.run(["pahole", "-C", name, ko], capture_output=True,
                       text=True, check=True)
    members = []
    size = None
    for line in p.stdout.splitlines():
        m = re.search(r"\s(\w+)(\[\d*\])*;\s+/\*\s+(\d+)\s+(\d+)\s+\*/", line)
        if m:
            members.append((m.group(1), int(m.group(3)), int(m.group(4))))
        m = re.search(r"/\* size: (\d+),", line)
        if m:
            size = int(m.group(1))
    return size, members


def addr2line(ko, section, offsets):
    """[[(function, file, line)...] innermost first] per offset."""
    p = subprocess.run(["addr2line", "-f", "-i", "-a", "-j", section, "-e",
                        ko] + [hex(o) for o in offsets],
                       capture_output=True, text=True, check=True)
    out, lines, i = [], p.stdout.splitlines(), 0
    while i < len(lines):
        if re.fullmatch(r"0x[0-9a-f]+", lines[i]):
            out.append([])
            i += 1
            continue
        fn, where = lines[i], lines[i + 1]
        where = re.sub(r" \(discriminator \d+\)$", "", where)
        file, _, line = where.rpartition(":")
        out[-1].append((fn, os.path.normpath(file) if file != "??" else None,
                        int(line) if line.isdigit() else 0))
        i += 2
    return out


def main():
    d, truth, c, v = setup("moddebug")
    base = ["-k", d["vmlinux"], d["vmcore"]]
    with_m = ["-k", d["vmlinux"], "-m", d["modules"], d["vmcore"]]
    kos = {n[:-3]: os.path.join(d["modules"], n)
           for n in sorted(os.listdir(d["modules"])) if n.endswith(".ko")}
    c.check(set(kos) == set(MODULE_TYPES), f"the test modules: {sorted(kos)}")

    mods = {m["name"]: m for m in v.json(*with_m, "modules")["modules"]}
    for name, sections in truth["module_sections"].items():
        m = mods.get(name)
        if not c.check(m, f"module {name} listed"):
            continue
        got = {s["name"]: s["address"] for s in m["sections"]}
        c.equal(got, sections, f"{name}: sections as /sys/module/{name}/"
                "sections")
    loaded = [n for n in MODULE_TYPES if n in mods]
    if truth["scenario"] in ("panic", "timer"):
        c.check("vmca_oops" in loaded, "vmca_oops loaded (panic, timer)")
    if truth["scenario"] == "leak":
        c.check("vmca_leak" in loaded, "vmca_leak loaded (leak)")
    for name in loaded:
        m = mods[name]
        c.equal(m["build_id"], build_id(kos[name]), f"{name}: build-id")
        c.equal(m["debuginfo"], kos[name], f"{name}: its debuginfo found")
    for name in set(mods) - set(loaded):
        c.equal(mods[name]["debuginfo"], None,
                f"{name}: no debuginfo in {d['modules']}")

    for name in loaded:
        for t in MODULE_TYPES[name]:
            size, members = pahole(kos[name], t)
            c.check(members, f"pahole reads struct {t} of {name}.ko")
            j = v.json(*with_m, "struct", t)
            got = [(mm["name"], mm["offset"], mm["size"])
                   for mm in j["members"]]
            c.equal((j["size"], got), (size, members),
                    f"struct {t}: pahole's layout of {name}.ko")
            for mn, off, _ in members:
                e = v.json(*with_m, "eval", f"offsetof(struct {t}, {mn})")
                c.equal(e["value"], off, f"offsetof(struct {t}, {mn})")
            e = v.json(*with_m, "eval", f"sizeof(struct {t})")
            c.equal(e["value"], size, f"sizeof(struct {t})")
            # Without -m the vmlinux does not know it.
            r = v.run(*base, "struct", t, check=False)
            c.check(r.returncode == 1 and t in r.stderr and
                    "not found" in r.stderr,
                    f"struct {t} without -m: {r.stderr.strip()!r}")

    # A module's globals, typed by its DWARF: the tasks vmca_leak holds.
    if "vmca_leak" in loaded:
        leak = truth["leak"]
        c.equal(v.json(*with_m, "eval", "sizeof(vmca_leak_tasks)")["value"],
                8 * leak["holder"]["capacity"], "sizeof(vmca_leak_tasks)")
        c.equal(v.json(*with_m, "eval", "vmca_leak_ntasks")["value"],
                leak["holder"]["count"], "vmca_leak_ntasks (a static)")
        wrong = []
        for t in leak["held_tasks"][:10]:
            got = v.json(*with_m, "eval",
                         f"vmca_leak_tasks[{t['index']}]->pid")["value"]
            if got != t["pid"]:
                wrong.append((t["index"], got, t["pid"]))
        c.check(not wrong, f"vmca_leak_tasks[i]->pid as the guest held "
                f"them: {wrong[:3]}")
        j = v.json(*base, "eval", "vmca_leak_tasks")
        c.equal((j["type"], j["address"]), ("void", leak["holder"]["address"]),
                "without -m: the symbol, untyped")

    # sym -l in the modules' code against addr2line -j on the .ko.
    for name in loaded:
        sections = truth["module_sections"][name]
        texts = [s for s in (".text", ".init.text")
                 if s in sections and (s == ".text" or
                                       mods[name]["state"] == "Loading")]
        funcs = [s for s in truth["kallsyms_modules"]
                 if s["module"] == name and s["type"].lower() == "t"]
        by_section = {}
        for f in funcs:
            a = int(f["address"], 16)
            sec = max((s for s in texts if int(sections[s], 16) <= a),
                      key=lambda s: int(sections[s], 16), default=None)
            if sec:
                by_section.setdefault(sec, []).append(a)
        c.check(".text" in by_section, f"{name}: functions in .text")
        for sec, starts in sorted(by_section.items()):
            at = int(sections[sec], 16)
            addrs = sorted({a + k * 3 for a in starts
                            for k in range(SAMPLES_PER_FUNCTION)})
            want = addr2line(kos[name], sec, [a - at for a in addrs])
            differ = []
            for a, w in zip(addrs, want):
                if not all(f[1] and f[2] and f[0] != "??" for f in w):
                    continue
                j = v.json(*with_m, "sym", "-l", hex(a))
                got = [(f["function"] or "??",
                        os.path.normpath(f["file"]) if f["file"] else None,
                        f["line"]) for f in j.get("frames", [])]
                if got != w:
                    differ.append((hex(a), got, w, j.get("lines_error")))
            c.check(not differ, f"{name} {sec}: sym -l as addr2line "
                    f"({len(addrs)} addresses): {len(differ)} differ, "
                    f"first {differ[:2]}")
        # Without -m: a one-line error, the symbol still named.
        j = v.json(*base, "sym", "-l", hex(by_section[".text"][0]))
        c.check(j.get("module") == name and not j.get("frames") and
                "no debuginfo of module" in
                (j.get("lines_error") or {}).get("message", ""),
                f"sym -l without -m: {j}")

    # A module tree with depmod's modules.dep is read from that list (not
    # walked): the module is found where it says.
    for name in loaded:
        with tempfile.TemporaryDirectory() as tmp:
            os.makedirs(os.path.join(tmp, "updates", "vmca"))
            where = os.path.join(tmp, "updates", "vmca", name + ".ko")
            shutil.copy(kos[name], where)
            with open(os.path.join(tmp, "modules.dep"), "w") as f:
                f.write(f"kernel/fs/other.ko:\nupdates/vmca/{name}.ko: "
                        "kernel/fs/other.ko\n")
            m = {x["name"]: x for x in v.json("-k", d["vmlinux"], "-m", tmp,
                                             d["vmcore"], "modules")["modules"]}
            c.equal(m[name]["debuginfo"], where,
                    f"{name}: found through modules.dep")

    # A .ko of another build-id (its note's bytes changed) is skipped.
    for name in loaded:
        with tempfile.TemporaryDirectory() as tmp:
            copy = os.path.join(tmp, name + ".ko")
            shutil.copy(kos[name], copy)
            with open(copy, "r+b") as f:
                data = f.read()
                bid = bytes.fromhex(build_id(kos[name]))
                at = data.find(bid)
                c.check(at > 0, f"{name}: build-id bytes in the .ko")
                f.seek(at)
                f.write(bytes([data[at] ^ 0xff]))
            t = MODULE_TYPES[name][0]
            r = v.run("-k", d["vmlinux"], "-m", tmp, d["vmcore"], "struct", t,
                      check=False)
            warn = [line for line in r.stderr.splitlines()
                    if line.startswith("vmca: warning:")]
            c.check(r.returncode == 1 and len(warn) == 1 and copy in warn[0]
                    and "differs" in warn[0] and "skipped" in warn[0],
                    f"{name}: a .ko of another build-id is skipped with one "
                    f"warning: {r.stderr.strip()!r}")
    c.finish()


if __name__ == "__main__":
    main()
