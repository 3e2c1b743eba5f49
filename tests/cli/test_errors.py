#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Every bad input gets a one-line error naming the file and the problem,
a non-zero exit and no signal, and the input files are never written."""
import argparse
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

from vmcatest import Checker, Vmca, dump


def expect_error(c, v, args, status, *needles, what):
    p = v.run(*args, check=False)
    c.check(p.returncode >= 0, f"{what}: killed by signal {-p.returncode}")
    c.equal(p.returncode, status, f"{what}: exit status")
    lines = p.stderr.splitlines()
    c.check(len(lines) == 1 and lines[0].startswith("vmca: error: "),
            f"{what}: one error line, got {p.stderr!r}")
    for n in needles:
        c.check(n in p.stderr, f"{what}: {n!r} in {p.stderr.strip()!r}")
    c.equal(p.stdout, "", f"{what}: nothing on stdout")
    pj = v.run(*args, json_out=True, check=False)
    c.equal(pj.returncode, status, f"{what} --json: exit status")
    try:
        err = json.loads(pj.stdout)["error"]
        c.check(err["message"] and err["code"], f"{what}: JSON error")
    except (ValueError, KeyError, TypeError):
        c.check(False, f"{what}: JSON error object, got {pj.stdout!r}")


def stat_sig(path):
    st = os.stat(path)
    return (st.st_size, st.st_mtime_ns)


def killed_runs(c, v, k61, q61, tmp):
    """Runs killed (SIGKILL) while they write the cache, the DWARF index of
    a vmlinux never seen and a flattened dump's rearrangement, at several
    moments: no entry a later run trusts is half written (the later run's
    answer is a clean run's), only hidden temporaries are left."""
    want = v.run("-k", k61["vmlinux"], "--json", q61["vmcore"], "sys").stdout
    for i, delay in enumerate((0.05, 0.2, 0.5, 1.0, 2.0)):
        cache = os.path.join(tmp, f"killed-cache-{i}")
        argv = [v.binary, "--cache-dir", cache, "-k", k61["vmlinux"],
                "--json", q61["vmcore"], "sys"]
        p = subprocess.Popen(argv, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        p.wait()
        visible = [os.path.relpath(os.path.join(d, f), cache)
                   for d, _, fs in os.walk(cache) for f in fs
                   if not f.startswith(".")]
        got = subprocess.run(argv, capture_output=True, text=True,
                             timeout=600)
        c.equal((got.returncode, got.stdout), (0, want),
                f"killed after {delay} s (cache then: {visible}): the next "
                f"run's answer is a clean run's")
        shutil.rmtree(cache)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vmca", required=True)
    ap.add_argument("--cache-dir", required=True)
    a = ap.parse_args()
    c = Checker("errors")
    v = Vmca(a.vmca, a.cache_dir)
    k61 = dump("6.1", "panic", "kdump")
    q61 = dump("6.1", "idle", "qemu-kdump")
    e61 = dump("6.1", "idle", "qemu-elf")
    k612 = dump("6.12", "idle", "qemu-kdump")
    inputs = [k61["vmcore"], q61["vmcore"], e61["vmcore"], k61["vmlinux"],
              k612["vmlinux"]]
    before = {p: stat_sig(p) for p in inputs}
    tmp = tempfile.mkdtemp(prefix="vmca-errors-")
    try:
        vmlinux = k61["vmlinux"]
        missing = os.path.join(tmp, "no-such-vmcore")
        expect_error(c, v, ["-k", vmlinux, missing, "sys"], 1, missing,
                     "No such file", what="missing file")
        empty = os.path.join(tmp, "empty")
        open(empty, "w").close()
        expect_error(c, v, ["-k", vmlinux, empty, "sys"], 1, empty,
                     "empty", what="empty file")
        junk = os.path.join(tmp, "junk")
        with open(junk, "wb") as f:
            f.write(os.urandom(1 << 20))
        expect_error(c, v, ["-k", vmlinux, junk, "sys"], 1, junk,
                     "not a vmcore", what="not a dump")
        expect_error(c, v, ["-k", vmlinux, vmlinux, "sys"], 1, vmlinux,
                     "not a vmcore", what="vmlinux given as the dump")
        for d, name in ((k61, "kdump"), (q61, "flattened"), (e61, "elf")):
            trunc = os.path.join(tmp, f"trunc-{name}")
            size = os.path.getsize(d["vmcore"])
            with open(d["vmcore"], "rb") as src, open(trunc, "wb") as dst:
                dst.write(src.read(size // 2))
            expect_error(c, v, ["-k", vmlinux, trunc, "sys"], 1, trunc,
                         "truncated", what=f"truncated {name} dump")
        expect_error(c, v, ["-k", "/bin/true", k61["vmcore"], "sys"], 1,
                     "/bin/true", "debug", what="vmlinux without debuginfo")
        expect_error(c, v, ["-k", missing, k61["vmcore"], "sys"], 1,
                     missing, what="missing vmlinux")
        expect_error(c, v, ["-k", k612["vmlinux"], k61["vmcore"], "sys"], 1,
                     k612["vmlinux"], "does not match", "build-id",
                     what="mismatched vmlinux")
        p = v.run("-k", k612["vmlinux"], "--force", k61["vmcore"], "sys",
                  check=False)
        c.check(p.returncode in (0, 1), "--force: no signal")
        vm = ["-k", vmlinux, k61["vmcore"]]
        expect_error(c, v, vm + ["struct", "no_such_type"], 1,
                     "no_such_type", what="unknown type")
        expect_error(c, v, vm + ["sym", "no_such_symbol"], 1,
                     "no_such_symbol", what="unknown symbol")
        expect_error(c, v, vm + ["rd", "0xdead000000000000"], 1,
                     "0xdead000000000000", what="unmapped address")
        expect_error(c, v, vm + ["rd", "-p", "0x7ff00000000"], 1,
                     "0x7ff00000000", "not in dump",
                     what="physical page not in dump")
        expect_error(c, v, vm + ["no-such-command"], 2, "no-such-command",
                     what="unknown command")
        expect_error(c, v, vm + ["rd"], 2, "usage", what="rd without address")
        # The vmlinux is found next to the dump without -k.
        auto = os.path.join(tmp, "auto")
        os.mkdir(auto)
        os.symlink(k61["vmcore"], os.path.join(auto, "vmcore"))
        os.symlink(vmlinux, os.path.join(auto, "vmlinux"))
        p = v.run(os.path.join(auto, "vmcore"), "sys", check=False)
        c.equal(p.returncode, 0, "vmlinux found next to the dump")
        release = json.loads(v.run("-k", vmlinux, "--json", k61["vmcore"],
                                   "sys").stdout)["release"]
        if not os.path.exists(f"/usr/lib/debug/boot/vmlinux-{release}"):
            expect_error(c, v, [k61["vmcore"], "sys"], 1, k61["vmcore"],
                         "no vmlinux found", what="no vmlinux to find")
        killed_runs(c, v, k61, q61, tmp)
    finally:
        shutil.rmtree(tmp)
    after = {p: stat_sig(p) for p in inputs}
    c.equal(after, before, "input files untouched")
    c.finish()


if __name__ == "__main__":
    main()
