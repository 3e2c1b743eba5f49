#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""sym -l against binutils' addr2line -f -i: the function, the chain of
inlined calls and each file:line at 50 addresses sampled from the
vmlinux's functions (a fixed sample, inlined code among it), at their
runtime (KASLR) addresses in one dump of the kernel."""
import os
import re
import subprocess

from vmcatest import setup

SAMPLES = 50
INLINED = 15  # of them with at least one inlined call


def addr2line(vmlinux, addresses):
    """[[(function, file, line)...] innermost first] per address."""
    p = subprocess.run(["addr2line", "-f", "-i", "-a", "-e", vmlinux] +
                       [hex(a) for a in addresses], capture_output=True,
                       text=True, check=True)
    out, cur = [], None
    lines = p.stdout.splitlines()
    i = 0
    while i < len(lines):
        if re.fullmatch(r"0x[0-9a-f]+", lines[i]):
            cur = []
            out.append(cur)
            i += 1
            continue
        fn, where = lines[i], lines[i + 1]
        where = re.sub(r" \(discriminator \d+\)$", "", where)
        file, _, line = where.rpartition(":")
        cur.append((fn, os.path.normpath(file) if file != "??" else None,
                    int(line) if line.isdigit() else 0))
        i += 2
    return out


def functions(vmlinux):
    """(address, size) of the vmlinux's text functions, from nm."""
    p = subprocess.run(["nm", "-S", "--defined-only", vmlinux],
                       capture_output=True, text=True, check=True)
    out = []
    for line in p.stdout.splitlines():
        f = line.split()
        if len(f) == 4 and f[2] in "tT" and int(f[1], 16) >= 16:
            out.append((int(f[0], 16), int(f[1], 16)))
    return sorted(set(out))


def main():
    d, truth, c, v = setup("lines")
    base = ["-k", d["vmlinux"], d["vmcore"]]
    kaslr = int(v.json(*base, "sys")["kaslr_offset"], 16)
    funcs = functions(d["vmlinux"])
    # A fixed spread over the text: every k-th function, a third into it.
    step = max(1, len(funcs) // (SAMPLES * 8))
    pool = [a + s // 3 for a, s in funcs[::step]]
    truth_lines = addr2line(d["vmlinux"], pool)
    # Where addr2line has lines (padding before functions, __pfx_*, it
    # reports as line 0 of some file or ??:0).
    known = [(a, t) for a, t in zip(pool, truth_lines)
             if all(f[1] and f[2] and f[0] != "??" for f in t)]
    inlined = [a for a, t in known if len(t) > 1]
    plain = [a for a, t in known if len(t) == 1]
    picked = inlined[:INLINED] + plain[:SAMPLES - min(INLINED, len(inlined))]
    c.check(len(inlined) >= INLINED, f"{len(inlined)} inlined samples")
    c.equal(len(picked), SAMPLES, "samples")
    expected = dict(zip(pool, truth_lines))
    differ = []
    for a in picked:
        j = v.json(*base, "sym", "-l", hex(a + kaslr))
        got = [(f["function"] or "??",
                os.path.normpath(f["file"]) if f["file"] else None,
                f["line"]) for f in j.get("frames", [])]
        if got != expected[a]:
            differ.append((hex(a), got, expected[a], j.get("lines_error")))
        frames = j.get("frames") or [{}]
        c.check(all(f["is_inlined"] for f in frames[:-1]) and
                not frames[-1].get("is_inlined"),
                f"{hex(a)}: inlined frames first, the function last")
    c.check(not differ, f"{len(differ)} of {len(picked)} differ from "
            f"addr2line: {differ[:2]}")
    text = v.run(*base, "sym", "-l", hex(picked[0] + kaslr)).stdout
    c.check(" at " in text and ":" in text, f"text: {text!r}")
    c.finish()


if __name__ == "__main__":
    main()
