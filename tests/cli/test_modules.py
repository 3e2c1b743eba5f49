#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""modules against one real dump and what its guest printed: every line of
/proc/modules (name, size, refcount, state, core address, flags), the
modules' symbols against the module lines of /proc/kallsyms, their
sections (/sys/module/NAME/sections) inside the parts vmca reports, and
sym inside modules: the oops' RIP, and the init code of a module still
loading."""
import re

from vmcatest import setup


def main():
    d, truth, c, v = setup("modules")
    base = ["-k", d["vmlinux"], d["vmcore"]]
    j = v.json(*base, "modules", "-s")
    mods = {m["name"]: m for m in j["modules"]}
    c.equal(len(mods), len(j["modules"]), "module names unique")
    c.equal([m["name"] for m in j["modules"]],
            [m["name"] for m in truth["modules"]],
            "the modules, in /proc/modules' order")
    for t in truth["modules"]:
        m = mods.get(t["name"])
        if not c.check(m, f"module {t['name']} listed"):
            continue
        c.equal(m["size"], t["size"], f"{t['name']} size")
        c.equal(m["refcount"], t["refcount"], f"{t['name']} refcount")
        c.equal(m["state"], t["state"], f"{t['name']} state")
        c.equal(m["core_address"], t["address"], f"{t['name']} address")
        c.equal(m["flags"], t.get("flags", ""), f"{t['name']} flags")
        c.equal(m.get("error"), None, f"{t['name']} read whole")

    # Symbols: /proc/kallsyms' module lines, exactly.
    guest = sorted((int(s["address"], 16), s["type"], s["name"], s["module"])
                   for s in truth["kallsyms_modules"])
    ours = sorted((int(s["address"], 16), s["type"], s["name"], m["name"])
                  for m in j["modules"] for s in m["symbol_list"])
    c.equal(len(ours), len(guest), "as many module symbols as kallsyms")
    missing = [g for g in guest if g not in set(ours)]
    c.check(not missing, f"module symbols as /proc/kallsyms: "
            f"{len(missing)} differ, first {missing[:3]}")

    # Sections lie in the parts of the module they belong to.
    parts_of = {".text": ("text",), ".init.text": ("init_text",),
                ".data": ("data",), ".bss": ("data",),
                ".rodata": ("rodata",),
                ".exit.text": ("text",)}
    for name, sections in truth["module_sections"].items():
        m = mods.get(name)
        if not m:
            continue
        for sec, addr in sections.items():
            want = parts_of.get(sec)
            a = int(addr, 16)
            # A live module's init memory is freed; sysfs keeps its
            # section addresses.
            if not want or not a or (sec.startswith(".init") and
                                     m["state"] == "Live"):
                continue
            inside = [p for p, r in m["parts"].items()
                      if int(r["base"], 16) <= a <
                      int(r["base"], 16) + r["size"]]
            c.check(set(inside) & set(want),
                    f"{name} {sec} at {addr} in its {want} part "
                    f"(found in {inside})")

    # sym inside modules (names only one module has: init_module and
    # cleanup_module are in each).
    seen = {}
    for s in truth["kallsyms_modules"]:
        seen[s["name"]] = seen.get(s["name"], 0) + 1
    for s in truth["kallsyms_modules"]:
        if s["type"].lower() != "t" or seen[s["name"]] > 1:
            continue
        got = v.json(*base, "sym", s["name"])
        c.equal((got["address"], got["module"]), (s["address"], s["module"]),
                f"sym {s['name']}")
        inside = v.json(*base, "sym", hex(int(s["address"], 16) + 1))
        c.check(inside["module"] == s["module"] and inside["offset"] in
                (0, 1), f"sym inside {s['name']}: {inside}")
    if truth.get("oops_rip"):
        m = re.search(r":(\w+)\+(0x[0-9a-f]+)/(0x[0-9a-f]+) \[(\w+)\]",
                      truth["oops_rip"])
        if c.check(m, f"the oops RIP {truth['oops_rip']!r} is in a module"):
            fn, off, size, mod = m.groups()
            at = int(v.json(*base, "sym", fn)["address"], 16) + int(off, 16)
            got = v.json(*base, "sym", hex(at))
            c.equal((got["name"], got["offset"], got["size"], got["module"]),
                    (fn, int(off, 16), int(size, 16), mod),
                    "sym of the oops RIP: function+offset/size [module]")
            text = v.run(*base, "sym", hex(at)).stdout
            c.check(f"{fn}+{off} [{mod}]" in text, f"text: {text.strip()!r}")
        # The init code of a module still loading resolves too.
        if "vmca_oops" in mods:
            init = v.json(*base, "sym", "vmca_oops_init")
            c.equal(init["module"], "vmca_oops", "sym of an .init.text one")
            part = mods["vmca_oops"]["parts"]["init_text"]
            a = int(init["address"], 16)
            c.check(int(part["base"], 16) <= a <
                    int(part["base"], 16) + part["size"],
                    "vmca_oops_init in the module's init text")
            ev = v.json(*base, "eval", "&vmca_oops_init")
            c.equal(ev["value"], init["address"], "eval finds it")

    text = v.run(*base, "modules").stdout.splitlines()
    c.check(text and text[0].split()[:2] == ["NAME", "SIZE"],
            f"text table: {text[:1]}")
    bad = v.run(*base, "modules", "no_such_module", check=False)
    c.check(bad.returncode == 1 and "no_such_module" in bad.stderr,
            "an unknown module is an error")
    c.finish()


if __name__ == "__main__":
    main()
