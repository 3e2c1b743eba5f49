#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The Python module (`import vmca`, built against Debian's python3-dev)
in Debian's /usr/bin/python3: a script opens the dump, walks the task list
(init_task.tasks, and each process's threads on signal->thread_head) with
typed values, and finds ps's tasks, pid and comm; a command's JSON as
Python objects equals `vmca --json` of it; values index and convert
(init_task.comm[0], int(), .string(), .deref(), .address, .type); a bad
expression raises vmca.Error; open(btf=True) gives the same ps."""
import json
import os
import subprocess

from vmcatest import setup

SCRIPT = r"""
import json, sys, vmca
vmcore, vmlinux, cache = sys.argv[1:4]
d = vmca.open(vmcore, vmlinux, cache_dir=cache)
tasks = []
for p in d.list("init_task.tasks", "struct task_struct", "tasks"):
    head = "((struct task_struct *)%d)->signal->thread_head" % p.address
    for t in d.list(head, "struct task_struct", "thread_node"):
        tasks.append([int(t.pid), t.comm.string()])
it = d.eval("init_task")
out = {
    "tasks": tasks,
    "ps": d.command("ps"),
    "init": [int(it.pid), it.comm.string(), int(it.comm[0]), it.type,
             it.address, d.eval("&init_task").deref().address,
             repr(it)],
}
try:
    d.eval("no_such_symbol_here")
    out["error"] = None
except vmca.Error as e:
    out["error"] = str(e)
d.close()
# btf=True: the types from BTF, the same ps.
b = vmca.open(vmcore, vmlinux, cache_dir=cache, btf=True)
out["ps_btf"] = b.command("ps")
b.close()
print(json.dumps(out))
"""


def main():
    d, truth, c, v = setup("python")
    build = os.path.dirname(os.path.abspath(v.binary))
    module = os.path.join(build, "python", "vmca.so")
    c.check(os.path.exists(module), "the module is built")
    env = dict(os.environ, PYTHONPATH=os.path.join(build, "python"))
    # The sanitizer build's module needs its runtime loaded first (the
    # interpreter has none); leaks of the interpreter are not ours.
    ldd = subprocess.run(["ldd", module], capture_output=True,
                         text=True).stdout
    asan = [l.split("=>")[1].split()[0] for l in ldd.splitlines()
            if "libasan" in l and "=>" in l]
    if asan:
        env["LD_PRELOAD"] = asan[0]
        env["ASAN_OPTIONS"] = "detect_leaks=0"
    p = subprocess.run(["/usr/bin/python3", "-c", SCRIPT, d["vmcore"],
                        d["vmlinux"], v.cache_dir], capture_output=True,
                       text=True, env=env, timeout=600)
    if not c.equal(p.returncode, 0, f"the script ran: {p.stderr[-2000:]}"):
        c.finish()
    r = json.loads(p.stdout)
    ps = v.json("-k", d["vmlinux"], d["vmcore"], "ps")
    want = sorted([t["pid"], t["comm"]] for t in ps["tasks"]
                  if not t["is_idle"])
    c.equal(sorted(r["tasks"]), want,
            "the task list walked in Python: ps's tasks")
    c.equal(r["ps"], ps, "command('ps'): vmca --json ps")
    c.equal(r["ps_btf"], ps, "open(btf=True): command('ps') as with DWARF")
    pid, comm, c0, typ, addr, deref, rep = r["init"]
    c.equal((pid, comm, c0, typ), (0, "swapper/0", ord("s"),
                                   "struct task_struct"),
            "init_task: pid, comm, comm[0], its type")
    c.check(addr and addr == deref and rep ==
            f"vmca.Value(struct task_struct at {addr:#x})",
            f"address, &x->deref(), repr: {addr} {deref} {rep}")
    c.check(r["error"] and "no_such_symbol_here" in r["error"],
            f"vmca.Error: {r['error']}")
    c.finish()


if __name__ == "__main__":
    main()
