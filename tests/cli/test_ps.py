#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""ps against the task list the guest printed (/proc/*/task/*/stat):
every thread present with its comm and parent; filters; the panic task."""

from vmcatest import setup


def main():
    d, truth, c, v = setup("ps")
    base = ["-k", d["vmlinux"], d["vmcore"]]
    j = v.json(*base, "ps")
    tasks = j["tasks"]
    c.check(not j.get("errors"), f"no walk errors: {j.get('errors')}")
    c.check(all({"pid", "tgid", "ppid", "state", "cpu", "comm", "task",
                 "rss_pages"} <= t.keys() for t in tasks),
            "tasks have the documented keys")
    c.check(all(t["task"].startswith("0x") for t in tasks),
            "task addresses are 0x strings")
    idle = [t for t in tasks if t["is_idle"]]
    c.equal(len(idle), 2, "one idle task per CPU")
    c.check(all(t["pid"] == 0 and t["comm"].startswith("swapper/")
                for t in idle), "idle tasks are swapper/N with pid 0")
    by_tid = {t["pid"]: t for t in tasks if not t["is_idle"]}
    c.equal(len(by_tid), len(tasks) - len(idle), "pids are unique")

    # Every thread the guest listed: same comm (the kernel's, not the
    # workqueue-decorated one /proc shows), parent and thread group.
    missing, wrong = [], []
    for g in truth["tasks"]:
        t = by_tid.get(g["tid"])
        if t is None:
            missing.append(g["tid"])
            continue
        comm = g.get("kcomm", g["comm"])
        # PID 1 exec'd insmod to load the crashing module after the
        # truth was printed.
        if g["tid"] == 1 and d["scenario"] == "panic":
            comm = "insmod"
        # /proc decorates workqueue workers' names ("kworker/0:1-events");
        # the kernel's comm is the first 15 bytes of that, or the name
        # without the decoration.
        if t["comm"] == g["comm"][:15]:
            comm = t["comm"]
        if (t["comm"], t["tgid"], t["ppid"]) != (comm, g["pid"], g["ppid"]):
            wrong.append((g["tid"], (t["comm"], t["tgid"], t["ppid"]),
                          (comm, g["pid"], g["ppid"])))
    c.check(len(truth["tasks"]) > 40, f"{len(truth['tasks'])} guest tasks")
    c.check(not missing, f"guest tasks missing from ps: {missing}")
    c.check(not wrong, f"tasks differing from the guest: {wrong[:5]}")
    # Kernel threads sleep or idle the same way across the dump's last
    # second; user tasks run the capture, so only kthreads are compared.
    kthreads = [g for g in truth["tasks"]
                if g["ppid"] == 2 and g["tid"] in by_tid]
    same = sum(by_tid[g["tid"]]["state"] == g["state"] for g in kthreads)
    c.check(same >= 0.9 * len(kthreads),
            f"kernel thread states: {same} of {len(kthreads)} equal")
    c.check(all(t["state"] in "RSDTtXZPI" for t in tasks), "state letters")

    user = v.json(*base, "ps", "-u")["tasks"]
    kern = v.json(*base, "ps", "-k")["tasks"]
    c.equal(len(user) + len(kern), len(tasks), "-u and -k partition ps")
    c.check(user and all(not t["is_kernel_thread"] for t in user),
            "-u lists user tasks")
    c.check(all(t["rss_pages"] > 0 for t in user), "user tasks have RSS")
    c.check(all(t["is_kernel_thread"] and t["rss_pages"] == 0
                for t in kern), "-k lists kernel threads")
    one = v.json(*base, "ps", "1")["tasks"]
    c.equal([t["pid"] for t in one], [1], "ps 1")

    panicked = [t for t in tasks if t["is_panic"]]
    if truth.get("panic") or truth.get("oops"):
        c.equal(len(panicked), 1, "one panic task")
        if panicked:
            c.equal(panicked[0]["pid"], 1, "the panic task is PID 1, "
                    "which wrote sysrq-trigger or exec'd insmod")
    else:
        c.equal(panicked, [], "no panic task without a panic")
    text = v.run(*base, "ps").stdout
    c.check(text.splitlines()[0].split()[:2] == ["PID", "TGID"],
            "text table header")
    c.finish()


if __name__ == "__main__":
    main()
