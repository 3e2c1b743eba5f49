#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""regs and ps' active tasks against one real dump: a register set for
every CPU from the dump's notes, each CPU's active task, and under kdump
the crashing CPU's registers against the RIP and RSP lines of the oops the
guest printed (the sysrq crash: in __crash_kexec); the saved context of a
sleeping task returns into __schedule."""
import re

from vmcatest import setup


def oops_regs(truth):
    """RIP (function, offset, module) and RSP of the first oops, as the
    guest's console printed them."""
    lines = [l[l.index("] ") + 2:] for l in truth["console_kernel_lines"]]
    if not truth.get("oops"):
        return None
    start = next(i for i, l in enumerate(lines) if truth["oops"] in l)
    rip = rsp = None
    for l in lines[start:]:
        m = re.match(r"RIP: 0010:(\w+)\+(0x[0-9a-f]+)/0x[0-9a-f]+(?: \[(\w+)\])?",
                     l)
        if m and rip is None:
            rip = (m.group(1), int(m.group(2), 16), m.group(3))
            continue
        m = re.match(r"RSP: [0-9a-f]{4}:([0-9a-f]+)", l)
        if m and rip and rsp is None:
            rsp = int(m.group(1), 16)
            break
    return rip, rsp


def main():
    d, truth, c, v = setup("regs")
    base = ["-k", d["vmlinux"], d["vmcore"]]
    cpus = v.json(*base, "sys")["cpus"]
    j = v.json(*base, "regs")["register_sets"]
    c.equal([r["cpu"] for r in j], list(range(cpus)),
            "a register set per CPU from the dump's notes")
    ps = v.json(*base, "ps")["tasks"]
    active = [t for t in ps if t["is_active"]]
    c.equal(len(active), cpus, "ps marks one active task per CPU")
    by_addr = {t["task"]: t for t in ps}
    for r in j:
        regs = r["registers"]
        c.check({"rip", "rsp", "rbp", "rax"} <= regs.keys(),
                f"CPU {r['cpu']}: registers {sorted(regs)}")
        c.check(r["rip_symbol"], f"CPU {r['cpu']} rip {regs.get('rip')} "
                "is in a function")
        t = by_addr.get(r["task"])
        c.check(t and t["is_active"] and t["cpu"] == r["cpu"],
                f"CPU {r['cpu']}'s task {r['task']} is its active task")
        if d["kind"] == "kdump" and t:
            c.equal(r["note_pid"], t["pid"],
                    f"CPU {r['cpu']}: the kernel's note names its task")
    panic = [t for t in ps if t["is_panic"]]
    if panic:
        c.check(panic[0]["is_active"], "the panic task is active")

    crashing = [r for r in j if by_addr.get(r["task"], {}).get("is_panic")]
    if d["kind"] == "kdump" and c.check(crashing, "a CPU ran the crash"):
        r = crashing[0]
        o = oops_regs(truth)
        if o:
            (fn, off, mod), rsp = o
            at = int(v.json(*base, "sym", fn)["address"], 16) + off
            c.equal(int(r["registers"]["rip"], 16), at,
                    f"the crashing CPU's RIP = the oops' {fn}+{off:#x}")
            c.equal(int(r["registers"]["rsp"], 16), rsp,
                    f"the crashing CPU's RSP = the oops' {rsp:#x}")
        else:
            c.check(r["rip_symbol"] and "crash_kexec" in r["rip_symbol"],
                    f"the sysrq crash saved its registers in "
                    f"__crash_kexec: {r['rip_symbol']}")

    # A sleeping task: its saved context returns into __schedule.
    sleeping = [t for t in ps if not t["is_active"] and not t["is_idle"]
                and t["state"] in "SDI"]
    if c.check(sleeping, "a sleeping task"):
        t = sleeping[0]
        r = v.json(*base, "regs", t["task"])["register_sets"][0]
        c.equal(r["source"], "saved_context", "off CPU: its saved context")
        c.check((r["rip_symbol"] or "").startswith("__schedule"),
                f"it returns into __schedule: {r['rip_symbol']}")
        c.check(set(r["registers"]) == {"rbx", "rbp", "rsp", "r12", "r13",
                                        "r14", "r15", "rip"},
                f"the callee-saved registers: {sorted(r['registers'])}")
        by_pid = v.json(*base, "regs", str(t["pid"]))["register_sets"][0]
        c.equal(by_pid["registers"], r["registers"], "regs PID = regs TASK")
    text = v.run(*base, "regs").stdout
    c.check("RIP: " in text and "CPU 0" in text, "text")
    bad = v.run(*base, "regs", "-c", "999", check=False)
    c.check(bad.returncode == 1 and "999" in bad.stderr, "an absent CPU")
    c.finish()


if __name__ == "__main__":
    main()
