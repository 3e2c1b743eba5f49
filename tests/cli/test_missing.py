#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A production kdump with pages missing (kdump-d31: 6.12 dumped with
makedumpfile's usual -d 31, which drops slab and task pages of 6.10+
kernels as free): every command's examples (vmca help CMD) and bt --all
finish within their bound with a result (exit 0, its JSON valid against
the command's schema: vmcatest.check_schema) or a clear one-line error
(exit 1), never a signal or a sanitizer report; and the results say what
is missing instead of guessing: the task walk's broken link is in ps's
errors, slab counts objects it could not read as unknown, leaks reports
the missing pages and unread objects in its scan, and the kernel's
release, log and panic (what the dump still holds) are right.

The per-check comparisons with the guest's truth on these dumps (which
counts hold exactly, which only as bounds) are issue 12's next step."""
import json
import os
import re
import shlex
import tempfile

from vmcatest import Bounds, setup

SANITIZER = re.compile(r"(AddressSanitizer|LeakSanitizer|runtime error:|"
                       r"UndefinedBehaviorSanitizer)")


def main():
    d, truth, c, v = setup("missing")
    v.binary = os.path.abspath(v.binary)
    v.cache_dir = os.path.abspath(v.cache_dir)
    base = ["-k", d["vmlinux"], "-m", d["modules"], d["vmcore"]]
    c.equal(truth.get("makedumpfile_dump_level"), 31, "a -d 31 dump")
    listing = v.run("help").stdout
    commands = re.findall(r"^  (\w+)\s", listing.split("Commands:", 1)[1],
                          re.M)
    runs = [["bt", "--all"]]
    for command in commands:
        for line in v.run("help", command).stdout.splitlines():
            if line.startswith("  vmca VMCORE "):
                runs.append(shlex.split(line[len("  vmca VMCORE "):]))
    with tempfile.TemporaryDirectory() as tmp:
        cwd = os.getcwd()
        os.chdir(tmp)
        try:
            for argv in runs:
                what = " ".join(argv)
                for json_out in (False, True):
                    p = v.run(*base, *argv, json_out=json_out, check=False,
                              timeout=300)
                    c.check(p.returncode >= 0,
                            f"{what}: killed by signal {-p.returncode}")
                    c.check(not SANITIZER.search(p.stderr),
                            f"{what}: sanitizer report: {p.stderr[-600:]}")
                    ok = p.returncode in (0, 3, 4, 5, 6)
                    errors = [l for l in p.stderr.splitlines()
                              if l.startswith("vmca: error: ")]
                    c.check(ok or (p.returncode == 1 and len(errors) == 1),
                            f"{what}{' --json' if json_out else ''}: a "
                            f"result or one clear error (exit "
                            f"{p.returncode}: {p.stderr.strip()[-300:]})")
        finally:
            os.chdir(cwd)
    # What the dump still holds.
    sys_j = v.json(*base, "sys")
    c.equal(sys_j["release"], truth["release"], "sys: the release")
    log = v.json(*base, "log")
    c.check(len(log["records"]) > 100, "log: the ring buffer's records")
    if truth.get("oops"):
        panic = v.json(*base, "panic")
        c.check(panic["kind"] != "none", f"panic: the crash ({panic['kind']})")
    # What it does not: reported, not guessed.
    ps = v.json(*base, "ps")
    missing_tasks = [e for e in ps.get("errors", [])
                     if "not in dump" in e["message"]]
    # A tasks list broken forwards is walked back from its head: the last
    # process (init_task.tasks.prev), when its task_struct is readable,
    # is listed with the pid it holds.
    tail = v.run(*base, "eval", "container_of(init_task.tasks.prev, "
                 "struct task_struct, tasks)->pid", json_out=True,
                 check=False)
    if tail.returncode == 0:
        pid = json.loads(tail.stdout)["value"]
        c.check(any(t["pid"] == pid and not t["is_idle"]
                    for t in ps["tasks"]),
                f"ps: the tasks list's last process (pid {pid}) is listed "
                f"({len(missing_tasks)} broken links)")
    # Exact where intact: every thread ps lists is the guest's (its tid,
    # comm and thread group), whichever way it was found (the tasks list
    # both ways, the pid idr between two breaks); at most the tasks whose
    # pages are gone are missing, and those breaks are in ps's errors.
    # (The guest's threads of both readings; a kernel comm is /proc's
    # kcomm or the first 15 bytes of its decorated name, as test_ps.)
    b = Bounds(truth)
    near, far = ({g["tid"]: g for g in r["tasks"]} for r in b.both(lambda r: r))
    guest = {tid: g for tid, g in near.items() if tid in far}
    listed = [t for t in ps["tasks"]
              if not t["is_idle"] and t["pid"] in guest]
    wrong = [(t["pid"], t["comm"]) for t in listed
             if t["comm"] not in (guest[t["pid"]].get("kcomm"),
                                  guest[t["pid"]]["comm"][:15]) or
             (t["tgid"], t["ppid"]) != (guest[t["pid"]]["pid"],
                                        guest[t["pid"]]["ppid"])]
    c.check(not wrong, f"ps: every listed task is the guest's: {wrong[:5]}")
    lost = len(guest) - len(listed)
    c.check(lost == 0 or missing_tasks,
            f"ps: {lost} tasks not listed, and the breaks said")
    print(f"ps: {len(listed)} of {len(guest)} guest threads listed")
    slab = v.json(*base, "slab")
    unknown = sum(x["unknown"] for x in slab["caches"])
    leaks = v.json(*base, "leaks")
    scan = leaks["scan"]
    c.check(scan["root_pages"] > 0 and scan["missing_root_pages"] > 0 and
            scan["unread_objects"] > 0,
            f"leaks: the scan read the kernel's pages and counts those "
            f"missing: {scan}")
    c.check(any("lacks" in n for n in leaks["notes"]),
            f"leaks: a note that the verdicts are weaker: {leaks['notes']}")
    # No orphan guessed: with the task walk broken, a task_struct it did
    # not reach is an orphan only if it has exited; those called orphans
    # are the ones the leak module holds (none elsewhere).
    held = {int(h["task"], 16) for h in
            (truth.get("leak") or {}).get("held_tasks", [])}
    called = [o for o in leaks["orphans"]["task_struct"]["objects"]
              if not o["explained"]]
    c.check(all(int(o["address"], 16) in held for o in called),
            f"leaks: every orphaned task_struct is one the module holds: "
            f"{[(o['pid'], o['comm'], o['state']) for o in called][:5]}")
    c.check(not held or len(called) > len(held) // 2,
            f"leaks: most of the {len(held)} held tasks still found "
            f"({len(called)})")
    c.check(missing_tasks or unknown,
            f"ps's errors or slab's unknown objects name what is missing "
            f"({len(missing_tasks)} task walk errors, {unknown} unknown)")
    print(f"missing: {len(missing_tasks)} task walk errors, {unknown} slab "
          f"objects unknown, {scan['missing_root_pages']} kernel pages, "
          f"{scan['unread_objects']} objects unread")
    c.finish()


if __name__ == "__main__":
    main()
