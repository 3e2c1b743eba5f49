#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""dis against binutils on one real dump: for 48 functions sampled across
the vmlinux's .text and the test modules' functions, every instruction
vmca decodes from the dump equals objdump's decoding of the same bytes
(instruction boundaries, mnemonics and operands); where the dump's bytes
are the vmlinux file's (not patched at boot), it equals objdump -d of the
vmlinux relocated by the KASLR offset, call and jump targets named by the
same symbols; dis -l's file:line of every instruction of a few functions
equals addr2line's; dis -r ends at the address it is given.

capstone and binutils spell some instructions differently; these are
treated as the same, and nothing else: an operand-size suffix on the
mnemonic (movq/mov), decimal and hexadecimal numbers ($1/$0x1), an
explicit zero displacement or scale of 1 (0x0(%rax,%rax,1)/(%rax, %rax)),
spaces after commas, the implicit %es: of string instructions, the
implicit count of a shift by one (shrl $1, %eax/shr %eax), the port
operand of in/out ((%dx)/%dx) and "xchg %ax,%ax" for the two-byte nop."""
import os
import re
import subprocess
import tempfile

from vmcatest import setup

SAMPLES = 48
OBJDUMP_LINE = re.compile(r"\s*([0-9a-f]+):\t([0-9a-f ]+?)\s*\t(.*)$")


def text_section(vmlinux):
    out = subprocess.run(["readelf", "-SW", vmlinux], capture_output=True,
                         text=True, check=True).stdout
    for l in out.splitlines():
        m = re.match(r"\s*\[\s*\d+\]\s+\.text\s+\S+\s+([0-9a-f]+)\s+"
                     r"[0-9a-f]+\s+([0-9a-f]+)", l)
        if m:
            return int(m.group(1), 16), int(m.group(2), 16)
    raise SystemExit(f"{vmlinux}: no .text")


def sample_functions(vmlinux):
    """SAMPLES functions of .text, evenly spread by address, 32 to 1500
    bytes, link-time (address, size, name)."""
    lo, size = text_section(vmlinux)
    out = subprocess.run(["nm", "-S", "--defined-only", vmlinux],
                         capture_output=True, text=True, check=True).stdout
    funcs = []
    for l in out.splitlines():
        p = l.split()
        if len(p) == 4 and p[2] in "Tt" and "." not in p[3]:
            a, n = int(p[0], 16), int(p[1], 16)
            if lo <= a and a + n <= lo + size and 32 <= n <= 1500:
                funcs.append((a, n, p[3]))
    funcs.sort()
    # One name may be several local functions: keep the unique ones.
    count = {}
    for f in funcs:
        count[f[2]] = count.get(f[2], 0) + 1
    funcs = [f for f in funcs if count[f[2]] == 1]
    step = len(funcs) // SAMPLES
    return [funcs[i * step] for i in range(SAMPLES)]


def canon(text):
    """One instruction's text in a spelling both decoders agree on."""
    text = re.sub(r"<[^>]*>", "", text)        # symbol decoration
    text = re.sub(r"\s+#.*$", "", text)         # objdump's comments
    parts = text.strip().split(None, 1)
    prefixes = []
    while parts and parts[0] in ("lock", "rep", "repz", "repe", "repnz",
                                 "repne", "notrack", "bnd", "cs", "ds",
                                 "data16"):
        # The redundant ones capstone does not spell (cs of a call or
        # a nop, data16 of a nop) are dropped.
        if parts[0] not in ("cs", "ds", "data16"):
            prefixes.append({"repz": "rep", "repe": "rep",
                             "repne": "repnz"}.get(parts[0], parts[0]))
        parts = parts[1].split(None, 1) if len(parts) > 1 else []
    mn = parts[0] if parts else ""
    ops = parts[1] if len(parts) > 1 else ""
    ops = ops.replace(" ", "")
    ops = re.sub(r"%es:", "", ops)
    if mn.startswith("nop"):
        ops = ops.replace("%cs:", "")
    # Numbers: decimal to hex, 0x-prefixed everywhere.
    ops = re.sub(r"\$(-?)(\d+)(?![0-9a-fx])",
                 lambda m: "$" + m.group(1) + hex(int(m.group(2))), ops)
    ops = re.sub(r"(^|[,:])(-?)(\d+)(?=\()",
                 lambda m: m.group(1) + m.group(2) + hex(int(m.group(3))),
                 ops)
    ops = re.sub(r"(^|[,:])0x0\(", r"\1(", ops)
    ops = ops.replace(",1)", ")")
    ops = re.sub(r"^0x([0-9a-f]+)$", r"\1", ops)  # branch targets
    ops = ops.replace("(%dx)", "%dx")
    if re.fullmatch(r"(shl|shr|sar|sal|rol|ror|rcl|rcr)[bwlq]?", mn) and \
            "," not in ops:
        ops = "$0x1," + ops
    if mn == "xchg" and ops == "%ax,%ax":
        mn, ops = "nop", ""
    return prefixes, mn, ops


def same(a, b):
    pa, ma, oa = canon(a)
    pb, mb, ob = canon(b)
    suffix = (ma == mb or (ma[:-1] == mb and ma[-1:] in "bwlq") or
              (mb[:-1] == ma and mb[-1:] in "bwlq"))
    return pa == pb and suffix and oa == ob


def objdump_binary(data, vma, tmp):
    path = os.path.join(tmp, "code.bin")
    with open(path, "wb") as f:
        f.write(data)
    out = subprocess.run(["objdump", "-D", "-b", "binary", "-m",
                          "i386:x86-64", f"--adjust-vma={vma:#x}", path],
                         capture_output=True, text=True, check=True).stdout
    return parse_objdump(out)


def parse_objdump(out):
    """{address: (bytes, text)}; a long instruction's continuation line
    adds its bytes."""
    insns, last = {}, None
    for l in out.splitlines():
        m = OBJDUMP_LINE.match(l)
        if m:
            last = int(m.group(1), 16)
            insns[last] = [m.group(2).replace(" ", ""), m.group(3)]
            continue
        m = re.match(r"\s*([0-9a-f]+):\t([0-9a-f ]+?)\s*$", l)
        if m and last is not None:
            insns[last][0] += m.group(2).replace(" ", "")
    return insns


def main():
    d, truth, c, v = setup("dis")
    base = ["-k", d["vmlinux"], "-m", d["modules"], d["vmcore"]]
    kaslr = int(v.json(*base, "sys")["kaslr_offset"], 16)
    names = [(a, n, name) for a, n, name in sample_functions(d["vmlinux"])]
    module_funcs = [f for f in ("vmca_oops_evaluate", "vmca_oops_write",
                                "vmca_oops_init", "vmca_leak_init")
                    if v.run(*base, "sym", f, check=False).returncode == 0]
    c.check(module_funcs, f"test module functions to disassemble: "
            f"{module_funcs}")
    nr_insns = nr_patched = nr_file_checked = 0
    not_decoded = []
    with tempfile.TemporaryDirectory() as tmp:
        for link, size, name in names + [(None, None, f)
                                          for f in module_funcs]:
            j = v.json(*base, "dis", name)
            ins = j["instructions"]
            if not c.check(ins, f"{name}: instructions"):
                continue
            start = int(ins[0]["address"], 16)
            c.equal(start, int(j["function_address"], 16),
                    f"{name}: from its start")
            data = bytes.fromhex("".join(i["bytes"].replace(" ", "")
                                         for i in ins))
            if link is not None:
                c.equal(start, link + kaslr, f"{name}: at nm's address "
                        "+ the KASLR offset")
                c.equal(len(data), size, f"{name}: its size in bytes")
            od = objdump_binary(data, start, tmp)
            # capstone 4 does not know some recent instructions
            # (pvalidate...): compare up to the first, and name it.
            unknown = next((k for k, i in enumerate(ins)
                            if i["is_unknown"]), None)
            if unknown is not None:
                o = od.get(int(ins[unknown]["address"], 16))
                c.check(o and not o[1].startswith("(bad)"),
                        f"{name}: bytes capstone cannot decode are an "
                        f"instruction for objdump: {o}")
                not_decoded.append((name, o[1] if o else None))
                ins = ins[:unknown]
            bad = []
            for i in ins:
                a = int(i["address"], 16)
                o = od.get(a)
                nr_insns += 1
                if not o or o[0] != i["bytes"].replace(" ", "") or \
                        not same(f"{i['mnemonic']} {i['operands']}", o[1]):
                    bad.append((hex(a), i["bytes"], i["mnemonic"],
                                i["operands"], o))
            c.check(not bad, f"{name}: {len(ins)} instructions = objdump "
                    f"of the same bytes {bad[:3]}")
            if link is None:
                continue
            # The vmlinux file's code, where the dump did not patch it.
            out = subprocess.run(
                ["objdump", "-d", f"--start-address={link:#x}",
                 f"--stop-address={link + size:#x}", d["vmlinux"]],
                capture_output=True, text=True, check=True).stdout
            fd = parse_objdump(out)
            bad = []
            for i in ins:
                a = int(i["address"], 16)
                o = fd.get(a - kaslr)
                if not o or o[0] != i["bytes"].replace(" ", ""):
                    nr_patched += 1
                    continue
                nr_file_checked += 1
                text = o[1]
                m = re.search(r"\b([0-9a-f]{16}) <([^>]+)>", text)
                if m and i["target"]:
                    # The target, and its symbol where objdump's names
                    # a function's start or an offset into the same one.
                    sym = m.group(2)
                    if int(i["target"], 16) != int(m.group(1), 16) + kaslr \
                            or (("+" not in sym or i["target_symbol"]) and
                                i["target_symbol"] != sym):
                        bad.append((hex(a), i["target"],
                                    i["target_symbol"], text))
                    continue
                if not same(f"{i['mnemonic']} {i['operands']}", text):
                    bad.append((hex(a), i["mnemonic"], i["operands"],
                                text))
            c.check(not bad, f"{name}: = objdump -d of the vmlinux "
                    f"{bad[:3]}")
    print(f"dis: {nr_insns} instructions compared with objdump; "
          f"{nr_file_checked} also with the vmlinux file's, {nr_patched} "
          f"patched at boot (alternatives, ftrace's nops); capstone did "
          f"not decode {not_decoded}")

    # dis -l against addr2line, for a few functions.
    for link, size, name in names[::12]:
        j = v.json(*base, "dis", "-l", name)
        ins = j["instructions"]
        addrs = [int(i["address"], 16) - kaslr for i in ins]
        out = subprocess.run(["addr2line", "-e", d["vmlinux"]] +
                             [hex(a) for a in addrs], capture_output=True,
                             text=True, check=True).stdout.splitlines()
        bad = []
        for i, want in zip(ins, out):
            want = re.sub(r" \(discriminator \d+\)$", "", want)
            src = i["source"]
            got = f"{src['file']}:{src['line']}" if src else "??:0"
            if got != want and not (want.startswith("??") and not src):
                bad.append((i["address"], got, want))
        c.check(not bad, f"dis -l {name}: {len(ins)} lines = addr2line's "
                f"{bad[:3]}")

    # dis -r: from the function's start to the address.
    link, size, name = names[len(names) // 2]
    full = v.json(*base, "dis", name)["instructions"]
    mid = full[len(full) // 2]["address"]
    r = v.json(*base, "dis", "-r", mid)["instructions"]
    c.equal([i["address"] for i in r],
            [i["address"] for i in full[:len(full) // 2 + 1]],
            f"dis -r {mid}: from {name}'s start to it")
    n = v.json(*base, "dis", name, "5")["instructions"]
    c.equal([i["address"] for i in n], [i["address"] for i in full[:5]],
            "dis NAME 5: five instructions")
    intel = v.run(*base, "dis", "--intel", name).stdout
    c.check("ptr" in intel or "%" not in intel,
            "--intel: Intel's syntax (no %registers)")
    r = v.run(*base, "dis", "-r", name, "3", check=False)
    c.check(r.returncode != 0 and "usage" in r.stderr,
            f"dis -r with a count: usage error {r.stderr.strip()!r}")
    c.finish()


if __name__ == "__main__":
    main()
