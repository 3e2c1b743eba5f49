#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""batch over the whole corpus, two workers: one valid JSON line per dump
and one for a file that is no dump (its error said, the batch goes on),
each dump's kernel and headline as triage gives them, the vmlinux found
per dump under -k DIR (the corpus' kernels/RELEASE/vmlinux); --fail-on's
exit statuses (the highest finding's, 1 when a dump could not be
analyzed), --timeout (the late worker killed, its line says so),
--step-timeout; and a directory mixing good, cut, empty and random files
(a line each, the right verdicts, no worker dies)."""
import json
import os
import random
import re
import subprocess
import tempfile

from vmcatest import Checker, check_schema, testdata_dir


def batch(vmca, cache, *args):
    p = subprocess.run([vmca, "--cache-dir", cache,
                        "-k", os.path.join(testdata_dir(), "kernels"),
                        "batch", *args], capture_output=True, text=True,
                       timeout=3600)
    check_schema(p.args[1:], p.stdout, p.returncode)
    return p.returncode, [json.loads(l) for l in p.stdout.splitlines()]


def main():
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--vmca", required=True)
    ap.add_argument("--cache-dir", required=True)
    a = ap.parse_args()
    c = Checker("batch")
    with open(os.path.join(testdata_dir(), "manifest.json")) as f:
        dumps = json.load(f)["dumps"]
    with tempfile.TemporaryDirectory() as tmp:
        broken = os.path.join(tmp, "vmcore.broken")
        with open(broken, "wb") as f:
            f.write(os.urandom(65536))
        code, lines = batch(a.vmca, a.cache_dir, "-j", "2",
                            os.path.join(testdata_dir(), "dumps"), broken)
    c.equal(code, 1, "exit 1: one file could not be analyzed")
    by_dump = {l["dump"]: l for l in lines}
    c.equal(len(lines), len(dumps) + 1, "one line per dump and the broken")
    c.equal(sorted(by_dump), sorted([d["vmcore"] for d in dumps] + [broken]),
            "every dump, once")
    bad = by_dump.get(broken, {})
    c.check(bad.get("status") == "error" and "not a vmcore" in
            (bad.get("error") or ""), f"the broken file's line: {bad}")
    for d in dumps:
        l = by_dump.get(d["vmcore"], {})
        t = l.get("triage") or {}
        if not c.check(l.get("status") == "ok" and l.get("exit") == 0 and
                       t.get("kernel", {}).get("release") == d["release"] and
                       l.get("seconds", 0) > 0,
                       f"{d['vmcore']}: ok, its release: {l}"):
            break
    # Headlines as triage gives them, for one kernel's dumps.
    for d in [d for d in dumps if d["kernel"] == "6.1"]:
        p = subprocess.run([a.vmca, "--cache-dir", a.cache_dir, "--json",
                            "-k", d["vmlinux"], d["vmcore"], "triage",
                            "--summary"], capture_output=True, text=True)
        check_schema(p.args[1:], p.stdout, p.returncode)
        want = json.loads(p.stdout)
        got = (by_dump.get(d["vmcore"]) or {}).get("triage") or {}
        if not c.equal((got.get("headline"), got.get("findings")),
                       (want["headline"], want["findings"]),
                       f"{d['vmcore']}: triage's headline and findings"):
            break
    # --fail-on: the highest status among the dumps; an error outweighs.
    pick = {(d["kernel"], d["scenario"], d["kind"]): d["vmcore"]
            for d in dumps}
    idle = pick[("6.1", "idle", "qemu-elf")]
    leak = pick[("6.1", "leak", "qemu-elf")]
    panic = pick[("6.1", "panic", "qemu-elf")]
    code, lines = batch(a.vmca, a.cache_dir, "--fail-on", "leak", idle, leak)
    c.equal((code, sorted(l["exit"] for l in lines)), (5, [0, 5]),
            "--fail-on leak: idle 0, leak 5, the batch 5")
    code, lines = batch(a.vmca, a.cache_dir, "--fail-on", "any", idle,
                        panic, leak)
    c.equal((code, sorted(l["exit"] for l in lines)), (5, [0, 3, 5]),
            "--fail-on any: the highest status")
    code, _ = batch(a.vmca, a.cache_dir, "--fail-on", "panic", idle)
    c.equal(code, 0, "--fail-on panic on an idle dump: 0")
    # --timeout: a compressed dump takes longer than a millisecond.
    slow = pick[("6.1", "idle", "qemu-kdump")]
    code, lines = batch(a.vmca, a.cache_dir, "--timeout", "0.001", slow)
    c.equal((code, [(l["status"], l["triage"]) for l in lines]),
            (1, [("timeout", None)]), "--timeout: killed, said, exit 1")
    # --step-timeout: each worker's triage --timeout; the analyses that
    # read fail with code "timeout", the line is still the dump's.
    code, lines = batch(a.vmca, a.cache_dir, "--step-timeout", "0.000001",
                        idle)
    steps = {s["name"]: (s["error"] or {}).get("code")
             for s in ((lines[0]["triage"] or {}).get("steps") or [])}
    c.equal((code, lines[0]["status"], steps.get("crash"), steps.get("leaks")),
            (0, "ok", "timeout", "timeout"),
            f"--step-timeout: the analyses timed out, the line ok: {lines}")
    mixed(a, c, pick)
    c.finish()


def mixed(a, c, pick):
    """A directory of good dumps (links to them too), cut ones, empty and
    random files: a line for each, ok for the good, an error naming the
    file and what is wrong for the rest (no worker dies)."""
    kdump = pick[("6.12", "leak", "kdump")]
    elf = pick[("6.1", "idle", "qemu-elf")]
    size = os.path.getsize(kdump)
    with open(kdump, "rb") as f:
        head = f.read(size)
    with open(elf, "rb") as f:
        elf_head = f.read(1 << 20)
    with tempfile.TemporaryDirectory() as tmp:
        def put(name, data):
            with open(os.path.join(tmp, name), "wb") as f:
                f.write(data)
        os.symlink(kdump, os.path.join(tmp, "vmcore.good-link"))
        os.mkdir(os.path.join(tmp, "sub"))
        os.symlink(elf, os.path.join(tmp, "sub", "vmcore.good-elf"))
        want = {"vmcore.good-link": ("ok", None),
                "sub/vmcore.good-elf": ("ok", None)}
        cuts = {"header": 100, "subheader": 4200, "bitmap": 8192,
                "middle": size // 2, "last-page": size - 4096}
        for what, at in cuts.items():
            put(f"vmcore.cut-{what}", head[:at])
            want[f"vmcore.cut-{what}"] = ("error", "truncated|not a vmcore|"
                                          "corrupt|cut short")
        put("vmcore.elf-cut", elf_head)
        want["vmcore.elf-cut"] = ("error", "truncated|corrupt|cut short")
        put("vmcore.empty", b"")
        want["vmcore.empty"] = ("error", "empty file")
        rnd = random.Random(12)
        for i in range(3):
            put(f"vmcore.random{i}",
                bytes(rnd.getrandbits(8) for _ in range(4096 << i)))
            want[f"vmcore.random{i}"] = ("error", "not a vmcore")
        code, lines = batch(a.vmca, a.cache_dir, "-j", "2", tmp)
        got = {os.path.relpath(l["dump"], tmp): l for l in lines}
    c.equal((code, sorted(got)), (1, sorted(want)),
            "mixed: a line per file, exit 1")
    for name, (status, pattern) in want.items():
        l = got.get(name) or {}
        err = l.get("error") or ""
        c.check(l.get("status") == status and
                (pattern is None or (re.search(pattern, err) and
                                     name.split("/")[-1] in err)),
                f"mixed {name}: {status}"
                f"{' (' + pattern + ')' if pattern else ''}: {l}")


if __name__ == "__main__":
    main()
