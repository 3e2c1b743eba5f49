#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""panic against one real dump and what its guest printed. The kind comes
from what the guest's console shows: the test module's NULL dereference
(the panic and timer scenarios) is null_deref, a dump forced with sysrq c
(kdump of the idle, leak and frag scenarios) is sysrq, a dump QEMU took of
a running guest is none. For the NULL dereference: the task, CPU and RIP
the oops printed; the faulting instruction's base register (NULL) and
displacement (0x28, the fault address the oops printed); the member,
vmca_oops_task.exit_signal, and the expression that produced the pointer,
ctl->chosen, through the module's DWARF and the code before the fault;
the struct vmca_oops_ctl it was read from, decoded, equal to what the
module printed (its address, totalpages, chosen NULL, chosen_points
LONG_MIN, the magic and the constraint of its context) and found in the
frame of the function that holds it. Without the module's debuginfo the
kind, function and instruction stay, and no member is named (never a
guess). Text output too.

The crash scenarios (one per way a kernel dies, each from vmca_oops.ko's
context of that name) get their kind, and what their module printed of
itself: field case 2 with the kernel's struct oom_control (oc->chosen,
task_struct.exit_signal, the oom_control decoded in its caller's frame);
BUG_ON and WARN_ON at the line the module printed; the second list_del()
of an entry (LIST_POISON1, in the function that called list_del); a
pointer read from a freed, poisoned slab object (POISON_FREE, the holder
a free object of its cache); a call through a NULL file_operations.write
(the member, the caller, the trace past the NULL frame); a task hung on a
mutex (the mutex, its owner); a soft lockup (the CPU, the function)."""
import os
import re
import subprocess

from vmcatest import setup

LONG_MIN = -(1 << 63)


def console(truth):
    return [l[l.index("] ") + 2:] if "] " in l else l
            for l in truth["console_kernel_lines"]]


def ko_line(ko, function, offset):
    """addr2line's file:line of function+offset in a module's .ko."""
    for l in subprocess.run(["objdump", "-t", ko], capture_output=True,
                            text=True, check=True).stdout.splitlines():
        f = l.split()
        if len(f) >= 6 and f[-1] == function and f[-3].startswith(".text"):
            at = int(f[0], 16) + offset
            out = subprocess.run(["addr2line", "-e", ko, "-j", f[-3],
                                  hex(at)], capture_output=True, text=True,
                                 check=True).stdout.strip()
            return re.sub(r" \(discriminator \d+\)$", "", out)
    return None


def num(x):
    """eval's tree: numbers, or "0x..." strings past 2^53 and pointers."""
    return int(x, 0) if isinstance(x, str) else x


# The crash scenarios (testdata/generate.py's CRASH_SCENARIOS): the kind
# each must get.
CRASH_KINDS = {"oomctl": "null_deref", "bug": "bug", "warn": "warn",
               "listdel": "bug", "uaf": "bad_address", "nullcall": "bad_call",
               "hung": "hung_task", "lockup": "lockup",
               "oommemcg": "oom", "oomglobal": "oom",
               "overflow": "stack_overflow", "debug": "null_deref"}


def module_line(truth, pattern):
    """The match of pattern in the first line vmca_oops printed that has
    it."""
    for l in truth["module_lines"]:
        m = re.search(pattern, l)
        if m:
            return m
    raise SystemExit(f"no module line matching {pattern!r}")


def check_crash_scenario(c, v, d, truth, j):
    """What each crash scenario must say, from what its module printed."""
    sc = truth["scenario"]
    base = ["-k", d["vmlinux"], "-m", d["modules"], d["vmcore"]]
    h = j["headline"]
    c.equal(j["pid"], truth["oops_pid"], "the crashed task is the insmod")
    names = [f["function"] for f in j["frames"] or []]
    if sc == "oomctl":
        m = module_line(truth, r"oc=([0-9a-f]+) totalpages=(\d+) order=(\d+)")
        c.equal((j["member"], j["expression"], j["function"]),
                ("task_struct.exit_signal", "oc->chosen",
                 "vmca_oom_evaluate_task"),
                "case 2: the member, the expression, the function")
        for word in ("oc->chosen", "task_struct.exit_signal",
                     "vmca_oom_evaluate_task"):
            c.check(word in h, f"the headline says {word}: {h}")
        ob = (j["objects"] or [{}])[0]
        val = ob.get("value") or {}
        c.equal((ob.get("expression"), ob.get("type"), ob.get("address"),
                 ob.get("variable"), ob.get("function")),
                ("*oc", "struct oom_control", hex(int(m.group(1), 16)), "oc",
                 "vmca_oops_oomctl"),
                "the struct oom_control decoded, in its caller's frame")
        c.equal(tuple(num(val.get(k)) for k in
                      ("totalpages", "order", "chosen", "chosen_points")),
                (int(m.group(2)), int(m.group(3)), 0, LONG_MIN),
                "its members: chosen NULL, chosen_points LONG_MIN")
        c.equal(val.get("constraint"), "CONSTRAINT_NONE", "its constraint")
    elif sc in ("bug", "warn"):
        m = module_line(truth, r"(?:BUG_ON|WARN_ON) at line (\d+)")
        fn = "vmca_oops_check" if sc == "bug" else "vmca_oops_warn"
        c.equal(j["function"], fn, "the function of the BUG_ON/WARN_ON")
        c.check(j["bug_source"] and
                j["bug_source"].endswith(f"/vmca_oops.c:{m.group(1)}"),
                f"the report's file:line, vmca_oops.c:{m.group(1)}: "
                f"{j['bug_source']}")
        c.check(f"vmca_oops.c:{m.group(1)}" in h and fn in h,
                f"the headline names the place: {h}")
        c.check(j["instruction"] and j["instruction"].startswith("ud2"),
                f"the instruction is BUG()'s ud2: {j['instruction']}")
        if sc == "warn":
            c.check("panic_on_warn" in h, f"the headline: {h}")
    elif sc == "listdel":
        m = module_line(truth, r"item=([0-9a-f]+) deleted once")
        c.check(j["corruption"] and m.group(1) in j["corruption"] and
                "LIST_POISON1" in j["corruption"],
                f"the list corruption report names the entry: "
                f"{j['corruption']}")
        c.check(j["bad_value"] and j["bad_value"].startswith("LIST_POISON1"),
                f"the value is LIST_POISON1: {j['bad_value']}")
        c.equal((j["caller"] or {}).get("function"), "vmca_oops_unlink",
                "the caller of the check: the second list_del()'s")
        c.check("list_del() of an entry already deleted" in h and
                "vmca_oops_unlink" in h, f"the headline: {h}")
    elif sc == "uaf":
        m = module_line(truth, r"holder=([0-9a-f]+) freed")
        c.equal((j["member"], j["expression"], j["base_value"]),
                ("vmca_oops_task.exit_signal", "holder->task",
                 "0x6b6b6b6b6b6b6b6b"),
                "the pointer read from the freed object is POISON_FREE")
        c.equal((j["origin"] or {}).get("root_value"),
                hex(int(m.group(1), 16)), "the root: the freed holder")
        c.check("POISON_FREE" in (j["bad_value"] or "") and
                "free object of slab cache vmca_oops_uaf" in
                (j["bad_value"] or ""),
                f"the value is slab poison, the holder a free object: "
                f"{j['bad_value']}")
    elif sc == "nullcall":
        c.equal((j["rip"], j["member"], j["expression"], j["function"]),
                ("0x0", "file_operations.write", "fops->write",
                 "vmca_oops_call_write"),
                "the NULL call: the member called through, the caller")
        c.check(j["call"] and j["call"]["instruction"].startswith("call"),
                f"the call instruction: {j['call']}")
        c.check("vmca_oops_call_write" in names and "vmca_oops_init" in names,
                f"the backtrace goes on past the NULL frame: {names}")
    elif sc == "hung":
        m = module_line(truth, r"mutex=([0-9a-f]+) held by pid=(\d+)")
        lock = j["lock"] or {}
        c.equal((lock.get("name"), lock.get("address"), lock.get("owner_pid")),
                ("mutex vmca_oops_mutex [vmca_oops]",
                 hex(int(m.group(1), 16)), int(m.group(2))),
                "the mutex it waits for and its owner")
        c.check(j["seconds"] == 2 and "blocked for more than 2 seconds" in h,
                f"how long, as the report says: {j['seconds']} {h}")
    elif sc in ("oommemcg", "oomglobal"):
        # The trigger ran out of memory (test_oom.py checks the rest).
        c.check("Out of memory" in h and
                f"pid {truth['oom']['hog_pid']}" in h,
                f"the headline: panic_on_oom, the would-be victim: {h}")
        c.check("out_of_memory" in names or "check_panic_on_oom" in names,
                f"the backtrace goes through the OOM killer: {names}")
    elif sc == "debug":
        c.equal((j["member"], j["expression"], j["function"]),
                ("vmca_oops_task.exit_signal", "ctl->chosen",
                 "vmca_oops_evaluate"),
                "the fault in the breakpoint handler: member, expression")
        stacks = [f["stack"] for f in j["frames"] or []]
        c.check("debug" in stacks and "task" in stacks and
                stacks.index("debug") < stacks.index("task"),
                f"the trace crosses from the #DB stack to the task's: "
                f"{sorted(set(stacks))}")
        c.check("vmca_oops_debug" in names,
                f"the write that hit the breakpoint, below: {names}")
        last = [f["function"] for f in j["frames"] or []
                if not f["is_inlined"]][-1:]
        c.check(last and last[0].startswith("entry_SYSCALL_64"),
                f"down to the system call's entry: {last}")
    elif sc == "overflow":
        rec = j["recursion"] or {}
        c.equal((j["function"], rec.get("function")),
                ("vmca_oops_recurse", "vmca_oops_recurse"),
                "the overflow's function, and the run of its frames")
        c.check(rec.get("frames", 0) >= 10 and "stack overflow" in h,
                f"a recursion of many frames, said: {rec} {h}")
        stacks = [f["stack"] for f in j["frames"] or []]
        c.check("double_fault" in stacks and "task" in stacks and
                stacks.index("double_fault") < stacks.index("task"),
                f"the trace crosses from the #DF stack to the task's: "
                f"{sorted(set(stacks))}")
        last = [f["function"] for f in j["frames"] or []
                if not f["is_inlined"]][-1:]
        c.check(last and last[0].startswith("entry_SYSCALL_64"),
                f"down to the system call's entry: {last}")
    elif sc == "lockup":
        m = module_line(truth, r"spinning on CPU (\d+)")
        c.equal((j["cpu"], j["function"]), (int(m.group(1)),
                                             "vmca_oops_stuck"),
                "the CPU that spun, and in what")
        c.check(j["seconds"] and "soft lockup" in h and "vmca_oops_stuck" in h,
                f"the headline: {h}")
    # The text form says the same.
    text = v.run(*base, "panic").stdout
    c.check(f"HEADLINE:    {h}\n" in text, "the text's headline")


def expected_kind(truth):
    if truth["scenario"] in CRASH_KINDS:
        return CRASH_KINDS[truth["scenario"]]
    oops = truth.get("oops") or ""
    panic = truth.get("panic") or ""
    if "NULL pointer dereference" in oops:
        return "null_deref"
    if "sysrq triggered crash" in panic:
        return "sysrq"
    if not oops and not panic:
        return "none"
    raise SystemExit(f"a scenario this test does not know: {oops!r} "
                     f"{panic!r}")


def main():
    d, truth, c, v = setup("panic")
    base = ["-k", d["vmlinux"], "-m", d["modules"], d["vmcore"]]
    j = v.json(*base, "panic")
    kind = expected_kind(truth)
    c.equal(j["kind"], kind, "kind")
    c.check(j["headline"], "a headline")
    lines = console(truth)
    text = v.run(*base, "panic").stdout
    c.check(f"KIND:        {kind}\n" in text and
            f"HEADLINE:    {j['headline']}\n" in text,
            "the text says the kind and the headline")

    if truth["scenario"] in CRASH_KINDS:
        check_crash_scenario(c, v, d, truth, j)
        print(f"panic: {j['headline']}")
        c.finish()
        return

    if kind == "none":
        c.check(j["headline"].startswith("no crash"),
                f"headline: no crash: {j['headline']}")
        for key in ("message", "task", "pid", "rip", "function", "member",
                    "expression", "frames"):
            c.equal(j[key], None, f"{key} on a dump of a running kernel")
        print(f"panic: {j['headline']}")
        c.finish()
        return

    if kind == "sysrq":
        # The console's "CPU: N PID: M Comm: C" line after panic()'s.
        at = next(i for i, l in enumerate(lines)
                  if "sysrq triggered crash" in l)
        m = next(re.search(r"CPU: (\d+) (?:UID: \d+ )?PID: (\d+) Comm: "
                           r"(\S+)", l) for l in lines[at:at + 4]
                 if "PID: " in l)
        c.equal((j["cpu"], j["pid"], j["comm"]),
                (int(m.group(1)), int(m.group(2)), m.group(3)),
                "the CPU, pid and comm the console printed")
        c.check("sysrq" in j["headline"] and m.group(3) in j["headline"],
                f"the headline names sysrq and who: {j['headline']}")
        c.equal(j["message"], "sysrq triggered crash", "panic()'s message")
        names = [f["function"] for f in j["frames"] or []]
        c.check("sysrq_handle_crash" in names,
                f"the backtrace holds sysrq_handle_crash: {names}")
        for key in ("member", "expression", "base_register"):
            c.equal(j[key], None, f"{key} for a crash on request")
        print(f"panic: {j['headline']}")
        c.finish()
        return

    # The test module's NULL dereference: the oops' "CPU: N PID: M Comm:"
    # line.
    at = next(i for i, l in enumerate(lines) if truth["oops"] in l)
    m = next(re.search(r"CPU: (\d+) (?:UID: \d+ )?PID: (\d+) Comm: (\S+)",
                       l) for l in lines[at:at + 10] if "PID: " in l)
    c.equal((j["cpu"], j["pid"], j["comm"]),
            (int(m.group(1)), int(m.group(2)), m.group(3)),
            "the CPU, pid and comm of the oops")
    rip = re.match(r"0010:([\w.]+)\+0x([0-9a-f]+)/0x[0-9a-f]+ \[(\w+)\]$",
                   truth["oops_rip"])
    c.equal((j["function"], j["offset"], j["module"]),
            (rip.group(1), int(rip.group(2), 16), rip.group(3)),
            f"the function, offset and module of the oops' RIP "
            f"{truth['oops_rip']}")
    address = int(re.search(r"address: ([0-9a-f]+)", truth["oops"]).group(1),
                  16)
    c.equal(j["fault_address"], hex(address),
            "the fault address the oops printed")
    c.equal((j["base_value"], j["displacement"]), ("0x0", 0x28),
            "the base register held NULL, the displacement is 0x28")
    c.check(j["instruction"] and
            f"0x28(%{j['base_register']})" in j["instruction"],
            f"the instruction reads 0x28(%base): {j['instruction']}")
    c.equal(j["member"], "vmca_oops_task.exit_signal", "member")
    c.equal(j["expression"], "ctl->chosen", "expression")
    o = j["origin"] or {}
    ctl_line = next(l for l in lines if l.startswith("vmca_oops: ctl="))
    m = re.search(r"ctl=([0-9a-f]+) totalpages=(\d+) chosen=([0-9a-f]+) "
                  r"chosen_points=(-?\d+) .* context=(\w+)", ctl_line)
    ctl, totalpages = int(m.group(1), 16), int(m.group(2))
    context = m.group(5)
    c.equal((o.get("root"), o.get("root_function"),
             o.get("root_is_parameter"), o.get("root_value")),
            ("ctl", "vmca_oops_evaluate", True, hex(ctl)),
            "the pointer's root: parameter ctl, the address printed")
    c.check(o.get("loads") == 1 and o.get("defined_at"),
            f"one load, at an instruction before the fault: {o}")
    where = ko_line(os.path.join(d["modules"], "vmca_oops.ko"),
                    j["function"], j["offset"])
    c.check(j["source"] and j["source"] == where,
            f"file:line of the fault = addr2line's {where}: {j['source']}")
    for word in ("NULL", "ctl->chosen", "vmca_oops_task.exit_signal",
                 "vmca_oops_evaluate"):
        c.check(word in j["headline"],
                f"the headline says {word}: {j['headline']}")
    objs = j["objects"]
    if c.equal(len(objs), 1, "one object decoded"):
        ob = objs[0]
        val = ob["value"] or {}
        c.equal((ob["expression"], ob["type"], ob["address"]),
                ("*ctl", "struct vmca_oops_ctl", hex(ctl)),
                "the object is *ctl, at the address printed")
        c.equal(tuple(num(val.get(k)) for k in
                      ("totalpages", "chosen", "chosen_points", "magic",
                       "constraint")),
                (totalpages, 0, LONG_MIN, 0x564d4341,
                 2 if context == "init" else 3),
                "its members = what the module printed")
        holder = "vmca_oops_init" if context == "init" else "vmca_oops_fire"
        c.equal((ob["variable"], ob["function"]), ("ctl", holder),
                "the frame variable that holds it")
        frames = j["frames"] or []
        c.check(ob["frame"] is not None and ob["frame"] < len(frames) and
                frames[ob["frame"]]["function"] == holder,
                f"its frame is {holder}'s in the backtrace")
    frames = j["frames"] or []
    c.check(any(f["function"] == "vmca_oops_evaluate" and f["registers"]
                for f in frames),
            "the backtrace holds the fault's frame with its registers")

    # Without the module's debuginfo: the same crash, no member named.
    k = v.json("-k", d["vmlinux"], d["vmcore"], "panic")
    c.equal((k["kind"], k["function"], k["instruction"], k["fault_address"]),
            (j["kind"], j["function"], j["instruction"], j["fault_address"]),
            "without -m: the same kind, function, instruction, address")
    c.equal(k["member"], None, "without -m: no member (no types)")
    c.check(k["expression"] != "ctl->chosen" and k["notes"],
            f"without -m: no DWARF name, and a note why: {k['expression']} "
            f"{k['notes']}")
    print(f"panic: {j['headline']}")
    c.finish()


if __name__ == "__main__":
    main()
