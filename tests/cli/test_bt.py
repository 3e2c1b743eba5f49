#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""bt against one real dump and what its guest printed: the panicking
task's trace holds the Call Trace of the oops (or of panic()'s stack dump)
as the same functions at the same offsets, in the same order, module
frames and .init.text included, down to the system call's entry, after an
exception frame whose RIP and RSP are the oops' RIP: and RSP: lines (on
QEMU's dumps, after the frames of the panic loop the CPU halted in); bt
--all reaches every task's entry point without an unwinding error:
kernel threads end at ret_from_fork, user tasks at their user registers,
idle tasks at the CPU's startup code; on QEMU's panic dumps the other
CPUs, stopped by an interrupt, cross from the IRQ (or NMI) stack back to
the task's stack; bt -l shows, at the test module's frames, the values
its code passed down (a pointer to a struct on the caller's stack, an
integer parameter, the struct's fields) equal to what the module printed,
and variables DWARF has no location for say so; eval -f and list -f
evaluate over a frame's variables; bt -f shows each frame's stack words
up to the return address into the next frame."""
import re

from vmcatest import setup

ENTRY = re.compile(r"(\? )?([\w.]+)\+0x([0-9a-f]+)/0x[0-9a-f]+(?: \[(\w+)\])?$")
KTHREAD_ENDS = {"ret_from_fork", "ret_from_fork_asm"}
IDLE_ENDS = {"secondary_startup_64", "secondary_startup_64_no_verify",
             "common_startup_64"}


def console(truth):
    return [l[l.index("] ") + 2:] if "] " in l else l
            for l in truth["console_kernel_lines"]]


def call_trace(lines, start):
    """The first Call Trace after line start, as the kernel's unwinder
    found it: [("entry", function, offset, module)] for each entry without
    "?", and ("regs", function, offset, module) where it printed the
    registers of an interrupted kernel context (an interrupt's pt_regs:
    "RIP: 0010:default_idle+0xb/0x10", then its register lines)."""
    i = next((j for j in range(start, len(lines))
              if lines[j].strip() == "Call Trace:"), None)
    if i is None:
        return None
    out = []
    for l in lines[i + 1:]:
        l = l.strip()
        if l in ("<TASK>", "<IRQ>", "</IRQ>", "<NMI>", "</NMI>",
                 "<SOFTIRQ>", "</SOFTIRQ>"):
            continue
        m = re.match(r"RIP: 0010:([\w.]+)\+0x([0-9a-f]+)/0x[0-9a-f]+"
                     r"(?: \[(\w+)\])?$", l)
        if m:
            out.append(("regs", m.group(1), int(m.group(2), 16),
                        m.group(3)))
            continue
        if re.match(r"(Code: |[A-Z0-9]{2,3}: [0-9a-f]{4}|[A-Z0-9]{2,3}: "
                    r"[0-9a-f]{16})", l):
            continue  # the rest of that register block
        m = ENTRY.match(l)
        if not m:
            if re.fullmatch(r"\? 0x[0-9a-f]+", l):
                continue
            break
        if not m.group(1):
            out.append(("entry", m.group(2), int(m.group(3), 16),
                        m.group(4)))
    return out


def same_symbols(v, base, got, expected):
    """got with each name that differs from expected's at the same place
    only as another name of the same address (aliases: the kernel's
    kallsyms picks one of them, the ELF symbol table's lookup another,
    e.g. asm_call_on_stack and asm_call_irq_on_stack) spelled as
    expected's."""
    out = []
    for g, e in zip(got, expected):
        if g != e and g[0] == e[0] and g[2] == e[2] and g[3] == e[3]:
            a = v.run(*base, "sym", g[1], check=False)
            b = v.run(*base, "sym", e[1], check=False)
            if a.returncode == 0 and a.stdout.split()[:1] == \
                    b.stdout.split()[:1]:
                g = e
        out.append(g)
    return out + list(got[len(expected):])


def ours(frames):
    """Our frames as the kernel prints them: an exception frame of a
    kernel context as its registers, the others as entries (inlined
    calls are not the kernel's)."""
    out = []
    for f in frames:
        if f["is_inlined"]:
            continue
        kind = "regs" if f["pt_regs"] else "entry"
        out.append((kind, f["function"], f["offset"], f["module"]))
    return out


def oops_regs(lines, start):
    rip = rsp = None
    for l in lines[start:]:
        m = re.match(r"RIP: 0010:([\w.]+)\+(0x[0-9a-f]+)/0x[0-9a-f]+"
                     r"(?: \[(\w+)\])?", l)
        if m and rip is None:
            rip = (m.group(1), int(m.group(2), 16), m.group(3))
            continue
        m = re.match(r"RSP: [0-9a-f]{4}:([0-9a-f]+)", l)
        if m and rip and rsp is None:
            return rip, int(m.group(1), 16)
    return None


LONG_MIN = -(1 << 63)


def num(x):
    """A JSON number, or a "0x..."/"-0x..." string of a wide one."""
    return int(x, 0) if isinstance(x, str) else x


def functions(frames):
    return [(f["function"], f["offset"], f["module"]) for f in frames
            if not f["is_inlined"]]


def in_irq(lines, truth):
    """Whether the oops' Call Trace in the console runs on the IRQ stack
    (<IRQ>): a timer's softirq on the IRQ exit, not in ksoftirqd."""
    if not truth.get("oops"):
        return False
    start = next(i for i, l in enumerate(lines) if truth["oops"] in l)
    for l in lines[start:start + 200]:
        if "<IRQ>" in l:
            return True
        if "---[ end trace" in l:
            break
    return False


def main():
    d, truth, c, v = setup("bt")
    base = ["-k", d["vmlinux"], "-m", d["modules"], d["vmcore"]]
    ps = {t["task"]: t for t in v.json(*base, "ps")["tasks"]}
    j = v.json(*base, "bt", "--all")
    traces = j["traces"]
    c.equal(j["nr_traces"], len(ps), "bt --all: a trace per task of ps")
    c.equal(sorted(t["task"] for t in traces), sorted(ps),
            "bt --all: the tasks of ps")
    bad = [(t["pid"], t["comm"], t["error"]["message"] if t["error"]
            else None) for t in traces if not t["is_complete"]]
    c.equal(j["nr_incomplete"], 0, f"every trace reaches its entry: {bad}")
    by_end = {"kthread": 0, "user": 0, "idle": 0}
    for t in traces:
        p = ps.get(t["task"], {})
        fr = [f for f in t["frames"] if not f["is_inlined"]]
        last = fr[-1]["function"] if fr else None
        what = f"PID {t['pid']} {t['comm']}"
        unnamed = [f["pc"] for f in t["frames"] if not f["function"]]
        c.check(not unnamed, f"{what}: every frame in a function {unnamed}")
        c.check(all(f["stack"] for f in t["frames"]),
                f"{what}: every frame on one of the task's stacks")
        if p.get("is_idle"):
            by_end["idle"] += 1
            c.check(last in IDLE_ENDS,
                    f"{what}: the idle task ends at the CPU's startup "
                    f"code: {last}")
        elif p.get("is_kernel_thread"):
            by_end["kthread"] += 1
            c.check(last in KTHREAD_ENDS and not t["user_regs"],
                    f"{what}: a kernel thread ends at ret_from_fork: "
                    f"{last}")
        else:
            by_end["user"] += 1
            c.check(t["user_regs"] and
                    int(t["user_regs"]["registers"]["cs"], 16) & 3 == 3,
                    f"{what}: a user task ends at its user registers "
                    f"({last})")
    print(f"bt --all: {len(traces)} traces: {by_end}")

    lines = console(truth)
    panic = [t for t in traces if ps.get(t["task"], {}).get("is_panic")]
    if truth.get("oops"):
        start = next(i for i, l in enumerate(lines) if truth["oops"] in l)
        expected = call_trace(lines, start)
        regs = oops_regs(lines, start)
        if c.check(panic and expected and regs,
                   "a panic task, the oops' Call Trace and registers"):
            t = panic[0]
            (fn, off, mod), rsp = regs
            at = [i for i, f in enumerate(t["frames"])
                  if f.get("registers") and not f["is_inlined"] and
                  (f["function"], f["offset"], f["module"]) == (fn, off, mod)]
            if c.check(at, f"a frame with registers at the oops' RIP "
                       f"{fn}+{off:#x}"):
                f = t["frames"][at[0]]
                c.equal(int(f["registers"]["rsp"], 16), rsp,
                        "its RSP = the oops' RSP")
                c.equal(f["sp"], f["registers"]["rsp"], "the frame's sp")
                if d["kind"] != "kdump":
                    # QEMU stopped the CPU in panic(): the fault's
                    # pt_regs are on the stack, under the panic frames.
                    c.check(f["pt_regs"] and at[0] > 0,
                            "QEMU: the exception frame follows the panic "
                            "loop's frames")
                got = ours(t["frames"][at[0] + 1:])
                c.equal(same_symbols(v, base, got, expected), expected,
                        "the frames after it = the oops' Call Trace")
                p = ps.get(t["task"], {})
                if p.get("is_idle"):
                    # An interrupt stopped the idle task (timer).
                    last = [f for f in t["frames"] if not f["is_inlined"]]
                    c.check(last and last[-1]["function"] in IDLE_ENDS,
                            "the idle task's trace ends at its startup")
                elif p.get("is_kernel_thread"):
                    # The timer's softirq run by ksoftirqd (a loaded host
                    # defers it there), not on the IRQ exit.
                    last = [f for f in t["frames"] if not f["is_inlined"]]
                    c.check(last and last[-1]["function"] in KTHREAD_ENDS
                            and not t["user_regs"],
                            "a kernel thread's trace ends at ret_from_fork")
                else:
                    c.check(t["user_regs"], "the trace ends at the system "
                            "call's user registers")
    elif truth.get("panic") and d["kind"] == "kdump":
        # panic() dumped its own stack: the frames above panic() are ours.
        start = next(i for i, l in enumerate(lines)
                     if "Kernel panic - not syncing" in l)
        expected = call_trace(lines, start)
        if c.check(panic and expected, "a panic task and panic()'s trace"):
            got = ours(panic[0]["frames"])
            names = [g[1] for g in got]
            exp_names = [e[1] for e in expected]
            if c.check("panic" in names and "panic" in exp_names,
                       f"panic() in both traces: {names}"):
                want = expected[exp_names.index("panic") + 1:]
                c.equal(same_symbols(v, base,
                                     got[names.index("panic") + 1:], want),
                        want,
                        "the frames below panic() = the printed trace")
            c.equal(panic[0]["frames"][0]["unwinder"], "start",
                    "the trace starts at the crash-time registers")

    if truth.get("oops") and d["kind"] != "kdump":
        # The other CPUs were stopped by panic()'s interrupt (or NMI).
        # (A CPU that was idle: its trace starts on that stack.)
        others = [t for t in traces
                  if ps.get(t["task"], {}).get("is_active") and
                  not ps[t["task"]].get("is_panic")]
        for t in others:
            stacks = [f["stack"] for f in t["frames"]]
            crossed = any(a != "task" and b == "task"
                          for a, b in zip(stacks, stacks[1:]))
            regs_frames = [f for f in t["frames"] if f["pt_regs"]]
            c.check(crossed and regs_frames,
                    f"CPU {t['cpu']}: from the {stacks[0]} stack back to "
                    f"the task's, through an interrupt frame: {stacks}")

    # timer: CPU 1's kernel thread spun with interrupts off; panic() had
    # to stop it with an NMI (QEMU: the CPU halted on its NMI stack).
    if truth.get("spinner_pid") is not None:
        sp = [t for t in traces if t["pid"] == truth["spinner_pid"]]
        if c.check(sp, f"the spinner (PID {truth['spinner_pid']})"):
            t = sp[0]
            fns = [f["function"] for f in t["frames"] if not f["is_inlined"]]
            stacks = [f["stack"] for f in t["frames"]]
            c.check("vmca_oops_spin_loop" in fns and t["is_complete"] and
                    fns[-1] in KTHREAD_ENDS,
                    f"the spinner's trace: its loop, down to "
                    f"ret_from_fork: {fns}")
            if d["kind"] != "kdump":
                # The first frame on the task's stack (after the functions
                # inlined there) is the loop, entered through pt_regs.
                k = stacks.index("task") if "task" in stacks else None
                fr = next((f for f in t["frames"][k:] if not f["is_inlined"]),
                          None) if k is not None else None
                c.check(stacks and stacks[0] == "nmi" and fr and
                        fr["pt_regs"] and
                        fr["function"] == "vmca_oops_spin_loop" and
                        all(x == "nmi" for x in stacks[:k]),
                        f"QEMU: from the NMI stack to the thread's, "
                        f"through the NMI's pt_regs: {stacks}")

    # bt -l: what the test module passed down, at its frames, against
    # the line it printed before the fault (and its source's constants).
    if truth.get("oops") and panic:
        m = next((re.search(r"vmca_oops: ctl=([0-9a-f]+) totalpages=(\d+) "
                            r"chosen=([0-9a-f]+) chosen_points=(-?\d+) "
                            r"depth=(\d+) global=([0-9a-f]+) "
                            r"context=(\w+)", l)
                  for l in lines if "vmca_oops: ctl=" in l), None)
        lt = v.json(*base, "bt", "-l", panic[0]["task"])["traces"][0]
        byfn = {}
        for f in lt["frames"]:
            byfn.setdefault(f["function"], f)
        # The frame holding the struct: the init, or the timer callback.
        holder = next((f for f in lt["frames"]
                       if any(x["name"] == "ctl" and
                              x["type"] == "struct vmca_oops_ctl"
                              for x in f.get("variables", []))), None)
        if c.check(m and "vmca_oops_evaluate" in byfn and
                   "vmca_oops_pass" in byfn and holder,
                   "bt -l: the module's printed values and its frames"):
            context = m.group(7)
            c.equal(holder["function"],
                    "vmca_oops_init" if context == "init"
                    else "vmca_oops_fire", "the struct's frame")
            ev = {x["name"]: x for x in byfn["vmca_oops_evaluate"]["variables"]}
            ps_ = {x["name"]: x for x in byfn["vmca_oops_pass"]["variables"]}
            init = {x["name"]: x for x in holder["variables"]}
            c.equal(num(ev.get("ctl", {}).get("value")), int(m.group(1), 16),
                    "vmca_oops_evaluate(ctl): the &ctl the module printed")
            c.equal(num(ev.get("points", {}).get("value")), LONG_MIN,
                    "vmca_oops_evaluate(points): LONG_MIN, as passed")
            c.equal(num(ps_.get("depth", {}).get("value")),
                    int(m.group(5)), "vmca_oops_pass(depth): as passed")
            glob = int(v.json(*base, "sym", "vmca_oops_global")["address"],
                       16)
            c.equal(num(ps_.get("global", {}).get("value")), glob,
                    "vmca_oops_pass(global): &vmca_oops_global")
            c.equal(int(m.group(6), 16), glob,
                    "the module printed the same &vmca_oops_global")
            ctl = init.get("ctl", {}).get("value") or {}
            c.equal({k: num(x) for k, x in ctl.items()},
                    {"totalpages": int(m.group(2)),
                     "chosen": int(m.group(3), 16),
                     "chosen_points": int(m.group(4)),
                     "constraint": 2 if context == "init" else 3,
                     "magic": 0x564d4341},
                    f"{holder['function']}'s struct vmca_oops_ctl on its "
                    f"stack")
            # eval -f and list -f: expressions over a frame's variables.
            n_ev = byfn["vmca_oops_evaluate"]["index"]
            n_init = holder["index"]
            n_pass = byfn["vmca_oops_pass"]["index"]
            ev_j = v.json(*base, "eval", "-f", str(n_ev), "ctl->totalpages")
            c.equal(ev_j["value"], int(m.group(2)),
                    f"eval -f {n_ev} ctl->totalpages: through the pointer "
                    f"into the caller's frame")
            c.equal(num(v.json(*base, "eval", "-f", str(n_init),
                               "ctl.magic")["value"]), 0x564d4341,
                    f"eval -f {n_init} ctl.magic")
            c.equal(num(v.json(*base, "eval", "-f", str(n_pass),
                               "global->magic")["value"]), 0x474c4f42,
                    f"eval -f {n_pass} global->magic: the global's")
            c.equal(v.json(*base, "eval", "-f", str(n_ev), "-t",
                           str(panic[0]["pid"]) if panic[0]["pid"] else
                           panic[0]["task"], "points")["value"],
                    v.json(*base, "eval", "-f", str(n_ev),
                           "points")["value"], "eval -f N -t TASK")
            if "do_init_module" in byfn:
                n = byfn["do_init_module"]["index"]
                names = {e["members"]["name"] for e in v.json(
                    *base, "list", "-f", str(n), "mod", "module.list",
                    "-s", "name")["entries"] if e.get("members")}
                mods = {x["name"] for x in v.json(*base, "modules")[
                    "modules"]}
                c.check(mods <= names, f"list -f {n} mod module.list: "
                        f"the modules round from do_init_module's mod "
                        f"{sorted(mods - names)}")
            if context == "timer" and in_irq(console(truth), truth):
                stacks = [f["stack"] for f in lt["frames"]]
                c.check(stacks and stacks[0] != "task" and
                        "task" in stacks and
                        all(x != "task" for x in
                            stacks[:stacks.index("task")]),
                        f"the timer's oops: from the IRQ stack back to "
                        f"the interrupted task's: {stacks}")
            elif context == "timer":
                # The console's trace had no <IRQ>: ksoftirqd ran it.
                stacks = {f["stack"] for f in lt["frames"]}
                fns = [f["function"] for f in lt["frames"]]
                c.check(stacks == {"task"} and "run_ksoftirqd" in fns,
                        f"the timer's oops in ksoftirqd, on its own stack: "
                        f"{stacks} {fns}")
        unavailable = [x for f in lt["frames"] for x in f["variables"]
                       if x["value"] is None]
        c.check(unavailable and all(x["is_optimized_out"] or x["reason"]
                                    for x in unavailable),
                f"bt -l: {len(unavailable)} variables not available say "
                f"why (optimized out, or what their location needs)")
    # bt -f: each frame's words, its sp up to the next frame's, the
    # return address last where the next frame came from a call.
    for t in v.json(*base, "bt", "-f", "--all")["traces"]:
        fr = [f for f in t["frames"] if not f["is_inlined"]]
        bad = []
        for f, nxt in zip(fr, fr[1:]):
            w = f["stack_words"]
            if not w or int(w[0]["address"], 16) != int(f["sp"], 16):
                bad.append((f["index"], "start"))
                continue
            if nxt["pt_regs"] or nxt["stack"] != f["stack"]:
                continue
            if int(w[-1]["address"], 16) + 8 != int(nxt["sp"], 16) or \
                    w[-1]["value"] != nxt["pc"]:
                bad.append((f["index"], w[-1], nxt["pc"]))
        c.check(not bad, f"bt -f PID {t['pid']}: frame words up to the "
                f"return address into the next frame {bad[:2]}")
    lall = v.json(*base, "bt", "-l", "--all")
    c.equal([functions(t["frames"]) for t in lall["traces"]],
            [functions(t["frames"]) for t in traces],
            "bt -l --all: the same frames as bt --all")

    # One task by pid, and the default: the panic task.
    if panic:
        # (By pid where the pid names one task: not an idle task's 0.)
        one = v.json(*base, "bt", str(panic[0]["pid"]) if panic[0]["pid"]
                     else panic[0]["task"])["traces"]
        c.equal([functions(x["frames"]) for x in one],
                [functions(panic[0]["frames"])], "bt PID = its bt --all")
        dflt = v.json(*base, "bt")["traces"]
        c.equal([x["task"] for x in dflt], [panic[0]["task"]],
                "bt without a task: the panic task")
    cpus = v.json(*base, "bt", "-a")["traces"]
    c.equal(len(cpus), v.json(*base, "sys")["cpus"],
            "bt -a: a trace per CPU")
    c.check(all(x["is_active"] for x in cpus), "bt -a: the active tasks")
    r = v.run(*base, "bt", "-x", check=False)
    c.check(r.returncode != 0 and "usage" in r.stderr,
            f"bt -x: usage error: {r.stderr.strip()!r}")
    c.finish()


if __name__ == "__main__":
    main()
