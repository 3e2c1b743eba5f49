#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""eval against one real dump: globals and their members against what the
guest said of itself (uname -r, its tasks), sizeof and offsetof against
the kernel's own BTF (pahole), container_of, per_cpu, pointer arithmetic,
the JSON tree, and every error case with its one-line error and status."""

import subprocess

from vmcatest import pahole_layout, setup

# Members of task_struct whose offsets eval must give as BTF does (those
# every kernel of the corpus has).
TASK_MEMBERS = ["pid", "tgid", "comm", "tasks", "mm", "active_mm",
                "real_parent", "parent", "children", "sibling",
                "group_leader", "thread_info", "stack", "se", "cred",
                "exit_state", "exit_signal", "flags"]


def main():
    d, truth, c, v = setup("eval")
    base = ["-k", d["vmlinux"], d["vmcore"], "eval"]

    def ev(expr, *opts):
        return v.json(*base, *opts, expr)

    def value(expr):
        return ev(expr)["value"]

    c.equal(value("init_task.comm"), "swapper/0", "init_task.comm")
    c.equal(value("init_uts_ns.name.release"), truth["uname_r"],
            "init_uts_ns.name.release = uname -r")
    j = ev("init_task.comm")
    c.equal((j["expression"], j["type"]), ("init_task.comm", "char [16]"),
            "expression and type")
    c.check(j["address"].startswith("0x"), "a reference has its address")
    c.equal(ev("1 + 2")["address"], None, "a computed value has none")

    # sizeof and offsetof, as the kernel's BTF has them.
    layout, size = pahole_layout(d["vmlinux"], "task_struct")
    c.equal(value("sizeof(struct task_struct)"), size,
            "sizeof(struct task_struct) = BTF")
    for m in TASK_MEMBERS:
        if m not in layout:
            continue
        c.equal(value(f"offsetof(struct task_struct, {m})"), layout[m] // 8,
                f"offsetof(struct task_struct, {m}) = BTF")
    mm, mm_size = pahole_layout(d["vmlinux"], "mm_struct")
    c.equal(value("sizeof(struct mm_struct)"), mm_size, "sizeof mm_struct")
    c.equal(value("sizeof(init_task)"), size, "sizeof of an expression")

    # Every task by its address: its pid.
    tasks = v.json("-k", d["vmlinux"], d["vmcore"], "ps")["tasks"]
    wrong = []
    for t in tasks:
        got = value(f"((struct task_struct *){t['task']})->pid")
        if got != t["pid"]:
            wrong.append((t["task"], got, t["pid"]))
    c.check(len(tasks) > 40 and not wrong,
            f"((struct task_struct *)ADDR)->pid = ps' pid for "
            f"{len(tasks)} tasks: {wrong[:3]}")

    # The first task after init_task on the task list: PID 1.
    first = value("container_of(init_task.tasks.next, struct task_struct, "
                  "tasks)->comm")
    pid1 = [g for g in truth["tasks"] if g["tid"] == 1]
    c.equal(first, pid1[0]["kcomm"] if pid1 else None,
            "container_of(init_task.tasks.next, ...)->comm is PID 1's")
    c.equal(value("container_of(init_task.tasks.next, struct task_struct, "
                  "tasks)->pid"), 1, "... and its pid")

    c.equal(value("per_cpu(runqueues, 1).cpu"), 1, "per_cpu(runqueues, 1)")
    c.equal(value("per_cpu(runqueues, 0).cpu"), 0, "per_cpu(runqueues, 0)")
    # A per-CPU symbol is an offset into each CPU's area: KASLR leaves it
    # as nm shows it, and per_cpu() adds __per_cpu_offset[cpu].
    nm = subprocess.run(["nm", d["vmlinux"]], capture_output=True, text=True,
                        check=True).stdout
    link = {f[2]: int(f[0], 16) for f in (line.split() for line in
                                          nm.splitlines()) if len(f) == 3}
    c.equal(int(value("&runqueues"), 16), link["runqueues"],
            "&runqueues: the link-time per-CPU offset")
    c.equal(int(v.json("-k", d["vmlinux"], d["vmcore"], "sym",
                       "runqueues")["address"], 16), link["runqueues"],
            "sym runqueues: the same")
    c.equal(int(value("&per_cpu(runqueues, 1)"), 16),
            link["runqueues"] + int(value("__per_cpu_offset[1]"), 16),
            "&per_cpu(runqueues, 1) = &runqueues + __per_cpu_offset[1]")

    # Casts to a typedef, sizeof of one.
    j = ev("(pid_t)5")
    c.equal((j["type"], j["value"]), ("pid_t", 5), "(pid_t)5")
    c.equal(value("sizeof(pg_data_t)"), value("sizeof(struct pglist_data)"),
            "sizeof(pg_data_t) = sizeof(struct pglist_data)")
    c.equal(value("(u64)init_task.pid"), 0, "(u64)init_task.pid")

    # Pointer arithmetic moves by the pointee's size.
    a = int(value("&init_task"), 16)
    c.equal(int(value("&init_task + 1"), 16), a + size,
            "&init_task + 1 moves by sizeof(struct task_struct)")
    c.equal(value("(&init_task + 3) - &init_task"), 3, "pointer difference")
    c.equal(int(value("(char *)&init_task + 1"), 16), a + 1, "char * + 1")
    c.equal(value("&init_task == (struct task_struct *)" + hex(a)), 1,
            "pointer comparison")
    c.equal(ev("&init_task")["type"], "struct task_struct *", "&x's type")

    # C's arithmetic.
    c.equal(value("-1 < 0u"), 0, "usual arithmetic conversions: -1 < 0u")
    c.equal(value("-1 < 0"), 1, "-1 < 0")
    c.equal(value("(unsigned char)0x1ff"), 0xff, "cast truncates")
    c.equal(value("(int)0xffffffff"), -1, "cast to int")
    c.equal(value("7 / 2 * 2 + 7 % 2"), 7, "/ and %")
    c.equal(value("1UL << 40"), 1 << 40, "1UL << 40")
    c.equal(value("0 ? 1 : init_task.pid"), 0, "?:")
    c.equal(value("0 && *(int *)0"), 0, "&& short-circuits")
    c.equal(value("1 || *(int *)0"), 1, "|| short-circuits")
    c.equal(value("!init_task.pid"), 1, "!")
    c.equal(value("~0"), -1, "~")
    c.equal(value("'A'"), 65, "a character literal")
    c.equal(ev("sizeof(long)")["type"], "unsigned long", "sizeof's type")
    c.equal(value("(unsigned long)-1"), "0xffffffffffffffff",
            "an integer above 2^53 is a string in JSON")

    # Enum constants and enums by name.
    c.equal(value("ZONE_NORMAL") in ("ZONE_NORMAL",), True,
            "an enum constant is printed by name")
    c.equal(value("(int)ZONE_DMA"), 0, "an enum constant's value")

    # Nested structs as objects, arrays as lists.
    se = value("init_task.se")
    c.check(isinstance(se, dict) and "load" in se and
            isinstance(se["load"], dict), f"a struct is an object: {se!r}"[:200])
    tl = value("init_task.tasks")
    c.check(isinstance(tl, dict) and tl["next"].startswith("0x"),
            "pointers are 0x strings")
    arr = value("init_task.thread_info")
    c.check(isinstance(arr, dict), "thread_info is an object")

    # Text: the type, then the value; structs like struct TYPE ADDR.
    text = v.run(*base, "init_task.comm").stdout.strip()
    c.equal(text, '(char [16]) "swapper/0"', "text of a char array")
    text = v.run(*base, "&init_task").stdout.strip()
    c.check(text.startswith("(struct task_struct *) 0x") and
            text.endswith("<init_task>"), f"text of a pointer: {text!r}")
    text = v.run(*base, "init_task.se.load").stdout
    c.check(text.startswith("(struct load_weight) at 0x") and
            "[0x0] unsigned long weight = " in text,
            f"text of a struct: {text!r}")
    hexed = v.run(*base, "-x", "init_task.tgid + 255").stdout.strip()
    c.equal(hexed, "(int) 0xff", "-x prints in hex")
    shallow = v.run(*base, "-d", "1", "init_task.se").stdout
    c.check("{...}" in shallow, "-d 1 stops at the first level")

    # Errors: one line, the right status, naming what went wrong.
    def error(expr, status, *words):
        p = v.run(*base, expr, check=False)
        line = p.stderr.strip()
        c.check(p.returncode == status and "\n" not in line and
                all(w in line for w in words) and not p.stdout,
                f"eval {expr!r}: exit {p.returncode} {line!r}, want "
                f"{status} with {words}")

    error("init_task.pid +", 2, "column 16")
    error("(init_task", 2, "column 11", "')'")
    error("init_task.pid $ 2", 2, "column 15")
    error("no_such_thing", 1, "unknown identifier 'no_such_thing'")
    error("init_task.no_such_member", 1, "no member", "task_struct",
          "no_such_member")
    error("*init_task.pid", 1, "not a pointer", "*init_task.pid")
    error("init_task->pid", 1, "'->'")
    error("(struct no_such_struct *)0", 1, "no_such_struct")
    error("((struct task_struct *)0)->comm", 1,
          "((struct task_struct *)0)->comm", "address 0x")
    error("1 / 0", 1, "division by zero")
    j = v.run("--json", *base, "no_such_thing", check=False)
    c.check(j.returncode == 1 and '"error"' in j.stdout,
            f"--json error object: {j.stdout!r}")
    c.finish()


if __name__ == "__main__":
    main()
