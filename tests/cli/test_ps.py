#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""ps against the task list the guest printed (/proc/*/task/*/stat):
every thread present with its comm and parent; filters; the panic task."""

from vmcatest import Bounds, setup


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

    # Every thread the guest listed in both readings: same comm (the
    # kernel's, not the workqueue-decorated one /proc shows), parent and
    # thread group. A thread in one reading only came or went in between.
    b = Bounds(truth)
    near, far = ({g["tid"]: g for g in r["tasks"]} for r in b.both(lambda r: r))
    missing, wrong = [], []
    for tid, g in near.items():
        if tid not in far:
            continue
        t = by_tid.get(tid)
        if t is None:
            missing.append(tid)
            continue
        comm = g.get("kcomm", g["comm"])
        # /proc decorates workqueue workers' names ("kworker/0:1-events");
        # the kernel's comm is the first 15 bytes of that, or the name
        # without the decoration.
        if t["comm"] == g["comm"][:15]:
            comm = t["comm"]
        if (t["comm"], t["tgid"], t["ppid"]) != (comm, g["pid"], g["ppid"]):
            wrong.append((tid, (t["comm"], t["tgid"], t["ppid"]),
                          (comm, g["pid"], g["ppid"])))
    c.check(len(near) > 40, f"{len(near)} guest tasks")
    c.check(not missing, f"guest tasks missing from ps: {missing}")
    c.check(not wrong, f"tasks differing from the guest: {wrong[:5]}")
    c.within(len(tasks) - len(idle), b.of(lambda r: len(r["tasks"])),
             "number of threads")
    # A thread that was not scheduled in between the two readings
    # (schedstat's count of timeslices did not move) kept its state: it
    # must be the same in the dump. One that ran may be anywhere; the
    # task that crashes runs after the truth by design.
    crasher = truth.get("oops_pid")
    if crasher is None and d["kind"] == "kdump":
        crasher = 1  # PID 1 writes sysrq-trigger
    still, ran, woken = 0, 0, []
    for tid, g in near.items():
        f = far.get(tid)
        t = by_tid.get(tid)
        if f is None or t is None or tid in (crasher,
                                             truth.get("insmod_pid"),
                                             truth.get("spinner_pid")):
            continue
        if g["timeslices"] is None or g["timeslices"] != f["timeslices"]:
            ran += 1
            continue
        still += 1
        if t["state"] == "R" and g["state"] in "SDI":
            # Woken after the reading and not run yet (a wakeup takes no
            # timeslice): the timer scenario's ksoftirqd, woken by the
            # softirq the crash left pending on its CPU.
            woken.append(f"{tid} ({g['comm']})")
            continue
        c.equal(t["state"], g["state"],
                f"state of {tid} ({g['comm']}), not scheduled between the "
                f"guest's readings")
    c.check(still > len(near) // 2,
            f"{still} threads did not run between the readings, {ran} did")
    # A state misread as R would show as many "woken" threads.
    c.check(len(woken) <= max(2, still // 20),
            f"few threads woken without running: {woken}")
    print(f"note: {ran} threads ran between the guest's readings; woken, "
          f"not run: {woken}")
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
            c.equal(panicked[0]["pid"], crasher,
                    "the panic task is the one that crashed: insmod in "
                    "vmca_oops' init, the task the timer's interrupt "
                    "stopped, or PID 1 writing sysrq-trigger")
    else:
        c.equal(panicked, [], "no panic task without a panic")
    text = v.run(*base, "ps").stdout
    c.check(text.splitlines()[0].split()[:2] == ["PID", "TGID"],
            "text table header")
    c.finish()


if __name__ == "__main__":
    main()
