#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The corruption suite (issue 12): corrupted copies of a real dump, made
at test time in the test's cache dir (never committed; the corpus is only
read), and vmca's commands run on each. Every run finishes within its
time bound (TIMEOUT, the ASan build's) and memory bound (the peak RSS of
the child, os.wait4; the release build also runs under RLIMIT_AS, the
ASan build with hard_rss_limit_mb), never by a signal nor with a
sanitizer report, with either a result (exit 0, 3-6; with --json, JSON
valid against the command's schema: vmcatest.check_schema) or exactly
one error line, which names the file when the file is what is broken.
What the corruption left intact is still right (the release, the panic,
the tasks outside the damaged objects), and what it broke is marked
(ps's and list's errors, slab's errors, a trace's error, log's lost).

The cases (corrupt.py writes them):

- truncated kdump-compressed files: inside the header, inside the
  bitmaps, mid-data, inside the last page; an ELF dump (the qemu-elf
  kind, as a sparse copy) cut inside its program headers and mid-segment;
- memory corruptions written into the kdump: the page holding a
  task's tasks link zeroed (a task in the middle of the task list), a
  slab page zeroed, a page table page zeroed (the PTE page mapping a
  task's stack), the printk ring's text and descriptors zeroed in part,
  seeded random bit flips in kernel memory (task_structs, slabs, the
  printk ring, page tables, struct pages), a task's tasks.next pointing
  back to an earlier task (a cycle), a freelist pointer out of its slab
  (encoded as SLAB_FREELIST_HARDENED stores it: ptr ^ s->random ^
  swab(&slot)), a sleeping task's stack with a frame pointer pointing at
  itself and the return address ORC reads replaced by a non-text value;
- the DWARF index cache file (dwarf/cache.c, CACHE_DIR/BUILDID.vmcaidx)
  with bits flipped, truncated, or another vmlinux's under this one's
  name: detected, rebuilt, and the results equal the good cache's;
- a module .ko of another kernel's build of the same module (-m): skipped
  with a warning; with the loaded module's build-id note zeroed, used
  with a warning that it is unverified.

Every command's examples (vmca help CMD, as test_examples.py runs them)
and bt --all run on the bit-flip case (JSON, and each command's first
example as text); each command's first example on the zeroed task and
the mid-data cut (JSON); the other
cases run the commands that read what they broke plus a cheap set (sys,
log, ps, panic, bt --all, slab, list, triage --summary)."""
import argparse
import json
import os
import random
import re
import resource
import shlex
import shutil
import signal
import subprocess
import tempfile
import threading
import time

import corrupt
from vmcatest import ROOT, Checker, check_schema, elf_loads, testdata_dir

SANITIZER = re.compile(r"(AddressSanitizer|LeakSanitizer|runtime error:|"
                       r"UndefinedBehaviorSanitizer|MemorySanitizer|"
                       r"ThreadSanitizer|ERROR: Sanitizer)")
RESULT_STATUS = (0, 3, 4, 5, 6)
# Per run: the ASan build on this 2-core machine takes 5 s at most on a
# good dump (triage, leaks); 12x that is a hang.
TIMEOUT = 60
# Peak RSS per run: 0.5 GB release, 0.45 GB ASan on a good dump.
RSS_LIMIT_MB = {False: 1536, True: 3072}
AS_LIMIT = 8 << 30  # release only: ASan reserves terabytes of shadow

# Cheap commands that read most of the kernel's state.
CHEAP = [["sys"], ["log"], ["ps"], ["panic"], ["bt", "--all"], ["slab"],
         ["list", "init_task", "task_struct.tasks", "-s", "pid,comm"],
         ["triage", "--summary", "--no-scan"]]


def corpus(kernel=None, scenario=None, kind=None, other_than=None):
    """A dump's manifest entry, from the manifest only (the corpus fixture
    made the suite's dumps; this test never generates one)."""
    with open(os.path.join(testdata_dir(), "manifest.json")) as f:
        dumps = json.load(f)["dumps"]
    for k in ((kernel,) if kernel else ("6.1", "6.12", "5.10")):
        for d in dumps:
            if k != other_than and (d["kernel"], d["scenario"],
                                    d["kind"]) == (k, scenario, kind) \
                    and os.path.exists(d["vmcore"]):
                return d
    raise SystemExit(f"no {kernel or 'other'} {scenario}/{kind} dump in "
                     f"the corpus ({testdata_dir()}): run the corpus "
                     f"fixture (testdata/generate.py)")


def is_sanitized(binary):
    with open(binary, "rb") as f:
        return b"__asan_init" in f.read()


class Runner:
    def __init__(self, binary, cache_dir, c):
        self.binary = os.path.abspath(binary)
        self.cache_dir = os.path.abspath(cache_dir)
        self.c = c
        self.asan = is_sanitized(self.binary)
        self.env = dict(os.environ)
        if self.asan:
            opts = self.env.get("ASAN_OPTIONS", "")
            self.env["ASAN_OPTIONS"] = ":".join(
                x for x in (opts, f"hard_rss_limit_mb={RSS_LIMIT_MB[True]}")
                if x)
            # A leak inside libaddrxlat on damaged page tables (see the
            # file).
            opts = self.env.get("LSAN_OPTIONS", "")
            self.env["LSAN_OPTIONS"] = ":".join(
                x for x in (opts, "print_suppressions=0", "suppressions=" +
                            os.path.join(ROOT, "tests", "lsan.supp")) if x)
        self.runs = 0
        self.slowest = (0.0, "")
        self.peak_mb = 0

    def raw(self, argv, cwd=None, cache_dir=None):
        """(status, stdout, stderr, seconds, peak RSS MB, timed out)."""
        argv = [self.binary, "--cache-dir", cache_dir or self.cache_dir] + [
            str(a) for a in argv]
        limit = None if self.asan else AS_LIMIT

        def pre():
            if limit:
                resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            t0 = time.monotonic()
            p = subprocess.Popen(argv, stdout=out, stderr=err, cwd=cwd,
                                 env=self.env, preexec_fn=pre,
                                 start_new_session=True)
            timed_out = []

            def kill():
                timed_out.append(True)
                os.killpg(p.pid, signal.SIGKILL)

            timer = threading.Timer(TIMEOUT, kill)
            timer.start()
            _, status, usage = os.wait4(p.pid, 0)
            timer.cancel()
            p.returncode = os.waitstatus_to_exitcode(status)
            secs = time.monotonic() - t0
            out.seek(0)
            err.seek(0)
            stdout = out.read().decode(errors="replace")
            stderr = err.read().decode(errors="replace")
        rss_mb = usage.ru_maxrss // 1024
        return p.returncode, stdout, stderr, secs, rss_mb, bool(timed_out)

    def run(self, what, argv, json_out=False, names=None, cwd=None,
            cache_dir=None):
        """Run and check the bounds and the shape of the outcome; returns
        (status, stdout, stderr), the JSON document parsed in place of
        stdout when json_out and it is one."""
        if json_out:
            argv = ["--json"] + list(argv)
        label = f"{what}: vmca {' '.join(str(a) for a in argv[-6:])}"
        rc, out, err, secs, rss, timed_out = self.raw(argv, cwd, cache_dir)
        self.runs += 1
        self.slowest = max(self.slowest, (secs, label))
        self.peak_mb = max(self.peak_mb, rss)
        c = self.c
        c.check(not timed_out, f"{label}: no result within {TIMEOUT} s")
        c.check(rc >= 0 or timed_out,
                f"{label}: killed by signal {-rc}: {err[-600:]}")
        c.check(not SANITIZER.search(err),
                f"{label}: sanitizer report: {err[-1500:]}")
        c.check(rss <= RSS_LIMIT_MB[self.asan],
                f"{label}: peak RSS {rss} MB over "
                f"{RSS_LIMIT_MB[self.asan]} MB")
        errors = [l for l in err.splitlines() if l.startswith("vmca: error: ")]
        if rc in RESULT_STATUS:
            c.check(out.strip(), f"{label}: a result (exit {rc}) prints it")
        elif rc == 1:
            c.check(len(errors) == 1,
                    f"{label}: exit 1 with one error line: {err[-600:]!r}")
            for name in names or ():
                c.check(errors and name in errors[0],
                        f"{label}: the error names {name}: {errors[:1]}")
        elif rc >= 0:
            c.check(False, f"{label}: exit {rc}: {err[-600:]}")
        doc = out
        if json_out and rc >= 0:
            try:
                check_schema(argv, out, rc)
            except AssertionError as e:
                c.check(False, f"{label}: {e}")
            try:
                doc = json.loads(out) if out.strip() else None
            except ValueError:
                doc = None
        return rc, doc, err

    def json(self, what, argv, **kw):
        """The JSON result of a run that must succeed (None if not)."""
        rc, doc, err = self.run(what, argv, json_out=True, **kw)
        if not self.c.check(rc in RESULT_STATUS and isinstance(doc, dict),
                            f"{what}: {' '.join(argv)}: a result "
                            f"(exit {rc}: {err.strip()[-400:]})"):
            return None
        return doc


def examples(r):
    """Every command's examples (vmca help CMD) and bt --all."""
    listing = subprocess.run([r.binary, "help"], capture_output=True,
                             text=True, check=True).stdout
    commands = re.findall(r"^  (\w+)\s", listing.split("Commands:", 1)[1],
                          re.M)
    runs = [["bt", "--all"]]
    for command in commands:
        text = subprocess.run([r.binary, "help", command],
                              capture_output=True, text=True,
                              check=True).stdout
        for line in text.splitlines():
            if line.startswith("  vmca VMCORE "):
                runs.append(shlex.split(line[len("  vmca VMCORE "):]))
    r.first_examples = [["bt", "--all"]] + [
        next(x for x in runs[1:] if x[0] == cmd) for cmd in commands
        if any(x[0] == cmd for x in runs[1:])]
    r.c.check(len(runs) > 40 and len(commands) >= 22,
              f"vmca help: the commands and their examples ({commands})")
    return runs


class Suite:
    def __init__(self, a, c):
        self.c = c
        self.r = Runner(a.vmca, a.cache_dir, c)
        self.d = corpus(a.kernel, "panic", "kdump")
        with open(self.d["truth"]) as f:
            self.truth = json.load(f)
        self.kernel = a.kernel
        os.makedirs(a.cache_dir, exist_ok=True)
        self.work = tempfile.mkdtemp(prefix=f"corrupt-{a.kernel}-",
                                     dir=os.path.abspath(a.cache_dir))
        self.base = ["-k", self.d["vmlinux"], "-m", self.d["modules"]]
        self.examples = None
        self.has_struct_slab = None
        self.page_offset = None
        self.outcomes = []

    def on(self, vmcore, *argv):
        return self.base + [vmcore] + list(argv)

    def good(self, *argv):
        """The JSON of a command on the intact dump."""
        doc = self.r.json("the intact dump", self.on(self.d["vmcore"], *argv))
        if doc is None:
            raise SystemExit(f"the intact dump fails {argv}")
        return doc

    def copy(self, name):
        return corrupt.copy(self.d["vmcore"], os.path.join(self.work, name))

    def note(self, case, text):
        self.outcomes.append(f"{case}: {text}")
        print(f"{case}: {text}", flush=True)

    def run_all(self, case, path, runs, text=True, json_out=True,
                names=None):
        """runs on path, each in a scratch cwd (triage --html writes)."""
        statuses = {}
        with tempfile.TemporaryDirectory(dir=self.work) as cwd:
            for argv in runs:
                for j in ([False] if text else []) + ([True] if json_out
                                                       else []):
                    rc, _, _ = self.r.run(case, self.on(path, *argv),
                                          json_out=j, names=names, cwd=cwd)
                    statuses.setdefault(rc, []).append(" ".join(argv))
        summary = ", ".join(f"exit {rc}: {len(v)}"
                            for rc, v in sorted(statuses.items()))
        failed = sorted(set(statuses.get(1, [])))
        self.note(case, f"{sum(map(len, statuses.values()))} runs ({summary})"
                  + (f"; exit 1: {failed[:6]}" if failed and
                     len(statuses) > 1 else ""))
        return statuses

    # The intact dump's facts the cases compare with.
    def reference(self):
        c = self.c
        self.sys = self.good("sys")
        c.equal(self.sys["release"], self.truth["release"], "intact: release")
        self.ps = {t["pid"]: t for t in self.good("ps")["tasks"]}
        self.order = [e for e in self.good(
            "list", "init_task", "task_struct.tasks", "-s", "pid,comm")[
                "entries"]]
        self.task_size = self.good("eval", "sizeof(struct task_struct)")[
            "value"]
        self.tasks_off = int(self.good(
            "eval", "&((struct task_struct *)0)->tasks")["value"], 16)
        self.panic = self.good("panic")
        self.log = self.good("log")
        self.slab = {x["name"]: x for x in self.good("slab")["caches"]}
        self.dd = corrupt.Diskdump(self.d["vmcore"])

    def partial_caches(self):
        """The caches with partial slabs (node 0's or a CPU's), most
        first."""
        def n(x):
            return (x["slabs_by_list"]["node_partial"] +
                    x["slabs_by_list"]["cpu_partial"])
        return [x["name"] for x in sorted(self.slab.values(),
                                          key=lambda x: -n(x)) if n(x)]

    def partial_slabs(self, name):
        """[(slab, freelist)] of cache name's partial slabs that have a
        freelist: node 0's list, else the first CPU's partial chain that
        has one."""
        cache = f"((struct kmem_cache *){self.slab[name]['address']})"
        if self.has_struct_slab is None:
            # Since commit d122019bf061 ("mm: Split slab into its own
            # type") (v5.17).
            self.has_struct_slab = self.r.run("the intact dump", self.on(
                self.d["vmcore"], "eval", "sizeof(struct slab)"),
                json_out=True)[0] == 0
        t = "slab" if self.has_struct_slab else "page"
        entries = self.good("list", "-H", f"{cache}->node[0]->partial",
                            f"{t}.slab_list", "-s", "freelist")["entries"]
        for n in range(self.sys["cpus"]):
            if any(int(e["members"]["freelist"], 16) for e in entries):
                break
            cpu = (f"((struct kmem_cache_cpu *)((unsigned long){cache}"
                   f"->cpu_slab + __per_cpu_offset[{n}]))")
            entries = self.good("list", "-o", "next", f"{cpu}->partial",
                                "-s", "freelist")["entries"]
        return [(int(e["address"], 16), int(e["members"]["freelist"], 16))
                for e in entries if int(e["members"]["freelist"], 16)]

    def slab_with_freelist(self, skip=()):
        """(cache name, [(slab, freelist)]) of the first cache with
        partial slabs holding free objects, but those in skip."""
        for name in self.partial_caches():
            if name not in skip:
                slabs = self.partial_slabs(name)
                if slabs:
                    return name, slabs
        return None, []

    def paddr(self, vaddr):
        """vaddr's physical address: by vtop, or by the direct map's
        offset for an address in it (checked against vtop once)."""
        if self.page_offset is None:
            self.page_offset = int(self.good("eval", "page_offset_base")[
                "value"], 16)
            task = int(self.ps[1]["task"], 16)
            c = self.c
            c.equal(int(self.good("vtop", hex(task))["paddr"], 16),
                    task - self.page_offset, "the direct map's offset")
        if self.page_offset <= vaddr < self.page_offset + (1 << 40):
            return vaddr - self.page_offset
        return int(self.good("vtop", hex(vaddr))["paddr"], 16)

    def damaged_tasks(self, lo, hi):
        """The pids of the task_structs overlapping [lo, hi) (vaddr)."""
        return {t["pid"] for t in self.ps.values()
                if int(t["task"], 16) < hi and
                int(t["task"], 16) + self.task_size > lo}

    def check_intact(self, case, path, damaged_pids=(), walk_cut=None):
        """sys, panic and ps on a corrupted copy: the release and the
        panic are the intact dump's; the tasks the task list reaches
        before walk_cut (the first damaged one, in list order) are there
        with their pid and comm."""
        c = self.c
        s = self.r.json(case, self.on(path, "sys"))
        if s:
            c.equal(s["release"], self.truth["release"], f"{case}: release")
        p = self.r.json(case, self.on(path, "panic"))
        if p:
            c.equal(p["kind"], self.panic["kind"], f"{case}: the panic")
            c.equal(p.get("pid"), self.panic.get("pid"),
                    f"{case}: the panic's task")
        ps = self.r.json(case, self.on(path, "ps"))
        if not ps:
            return None
        got = {t["pid"]: t for t in ps["tasks"] if "pid" in t}
        # A task_struct ps reached but could not read is listed by its
        # address with the error: it must be one of the damaged ones.
        damaged_at = {self.ps[pid]["task"] for pid in damaged_pids}
        unread = [t["task"] for t in ps["tasks"] if "pid" not in t]
        c.check(all(a in damaged_at for a in unread),
                f"{case}: ps: the tasks it cannot read are damaged ones "
                f"({unread[:5]}; damaged {sorted(damaged_at)[:5]})")
        c.check(all("error" in t for t in ps["tasks"] if "pid" not in t),
                f"{case}: ps: each unreadable task says why")
        before = []
        for e in self.order:
            pid = e["members"]["pid"]
            if walk_cut is not None and pid == walk_cut:
                break
            if pid in damaged_pids:
                continue
            before.append(pid)
        missing = [pid for pid in before if pid not in got]
        c.check(not missing,
                f"{case}: ps: the tasks before the damage are listed "
                f"(missing {missing[:10]})")
        wrong = [pid for pid in before if pid in got and got[pid]["comm"] !=
                 self.ps[pid]["comm"]]
        c.check(not wrong, f"{case}: ps: their comm is right ({wrong[:10]})")
        return ps

    # Truncations.
    def truncations(self):
        c, dd = self.c, self.dd
        size = os.path.getsize(self.d["vmcore"])
        last = dd.last_page_offset()
        cuts = {
            "cut-header": 200,
            "cut-sub-header": dd.block_size + 100,
            "cut-bitmap": dd.bitmap_offset + (dd.desc_offset -
                                              dd.bitmap_offset) // 3,
            "cut-descriptors": dd.desc_offset + dd.nr_pages * 12,
            "cut-mid-data": dd.data_offset + (size - dd.data_offset) // 2,
            "cut-last-page": last + 10,
        }
        for case, at in cuts.items():
            path = os.path.join(self.work, case)
            corrupt.copy(self.d["vmcore"], path, at)
            runs = (self.r.first_examples if case == "cut-mid-data"
                    else CHEAP[:3])
            st = self.run_all(case, path, runs, text=False, names=[path])
            c.check(list(st) == [1],
                    f"{case}: every command fails, naming the cut file "
                    f"({sorted(st)})")
            os.unlink(path)

    def elf_truncations(self):
        """An ELF dump (the 1 GB qemu-elf kind) as a sparse copy: its
        headers and notes kept, the rest a hole, cut inside the program
        headers and inside the last segment."""
        c = self.c
        elf = corpus(self.kernel, "panic", "qemu-elf")["vmcore"]
        loads = elf_loads(elf)
        with open(elf, "rb") as f:
            h = f.read(64)
        phoff = int.from_bytes(h[32:40], "little")
        keep = min(off for _, off, _ in loads)
        end = max(off + n for _, off, n in loads)
        for case, at in (("elf-cut-phdrs", phoff + 56 + 20),
                         ("elf-cut-mid-segment", end - (end - keep) // 3)):
            path = os.path.join(self.work, case)
            corrupt.sparse_cut(elf, path, min(keep, at), at)
            st = self.run_all(case, path, CHEAP[:3], text=False, names=[path])
            c.check(list(st) == [1], f"{case}: every command fails, naming "
                    f"the cut file ({sorted(st)})")
            os.unlink(path)

    # Memory corruptions.
    def zero_task(self):
        """The page holding the tasks link of a task in the middle of the
        task list, zeroed."""
        case = "zero-task"
        c = self.c
        pick = [e for e in self.order[len(self.order) // 2:]
                if not self.ps.get(e["members"]["pid"], {}).get("is_active")
                and not self.ps.get(e["members"]["pid"], {}).get("is_panic")
                ][0]
        task = int(pick["address"], 16)
        link = task + self.tasks_off
        page = link & ~0xfff
        damaged = self.damaged_tasks(page, page + 4096)
        path = self.copy(case)
        corrupt.Diskdump(path).zero_page(self.paddr(link))
        self.note(case, f"pid {pick['members']['pid']}'s tasks link at "
              f"{link:#x}: page {page:#x} zeroed (tasks {sorted(damaged)})")
        self.run_all(case, path, self.r.first_examples, text=False)
        ps = self.check_intact(case, path, damaged,
                               walk_cut=pick["members"]["pid"])
        if ps:
            c.check(ps.get("errors"), f"{case}: ps reports the broken link")
            self.note(case, f"ps: {len(ps['tasks'])} of {len(self.ps)} "
                      f"tasks; errors: {[e['message'] for e in ps.get('errors', [])][:2]}")
        lst = self.r.json(case, self.on(path, "list", "init_task",
                                        "task_struct.tasks", "-s", "pid,comm"))
        if lst:
            c.check(lst.get("error"), f"{case}: list reports the broken "
                    f"link ({lst.get('error')})")
        os.unlink(path)

    def cycle(self):
        """A task's tasks.next pointed back at an earlier task's link."""
        case = "task-cycle"
        c = self.c
        n = len(self.order)
        early, late = self.order[n // 4], self.order[3 * n // 4]
        link = int(late["address"], 16) + self.tasks_off
        target = int(early["address"], 16) + self.tasks_off
        path = self.copy(case)
        corrupt.Diskdump(path).patch(self.paddr(link), corrupt.u64(target))
        self.note(case, f"pid {late['members']['pid']}'s tasks.next -> pid "
              f"{early['members']['pid']}'s")
        self.run_all(case, path, CHEAP + [["ps", "-u"], ["vm"],
                                          ["leaks", "--no-scan"], ["oom"]],
                     text=False)
        ps = self.check_intact(case, path,
                               walk_cut=self.order[3 * n // 4 + 1][
                                   "members"]["pid"])
        if ps:
            # The walk checks each link's prev: the cycle's first entry
            # is a broken link from the task before it.
            c.check(any(re.search(r"cycle|loop|broken link", e["message"])
                        for e in ps.get("errors", [])),
                    f"{case}: ps reports the cycle ({ps.get('errors')})")
        lst = self.r.json(case, self.on(path, "list", "init_task",
                                        "task_struct.tasks", "-s", "pid,comm"))
        if lst:
            c.check(lst.get("error") and lst["count"] <= n,
                    f"{case}: list stops at the cycle ({lst.get('error')})")
            self.note(case, f"list: {lst['count']} entries, "
                      f"{lst.get('error')}")
        os.unlink(path)

    def zero_slab_page(self):
        """The page of a partial slab's first free object zeroed: its
        objects and the freelist link stored in it (which then decodes
        to ~garbage: 0 ^ s->random ^ swab(&slot))."""
        case = "zero-slab-page"
        c = self.c
        # Not the cache the freelist case corrupts.
        first, _ = self.slab_with_freelist()
        name, slabs = self.slab_with_freelist(skip=[first])
        if not slabs:
            name, slabs = self.slab_with_freelist()
        if not c.check(slabs, f"{case}: a partial slab with free objects"):
            return
        obj = slabs[0][1]
        path = self.copy(case)
        corrupt.Diskdump(path).zero_page(self.paddr(obj))
        self.note(case, f"the page of {name} object {obj:#x} zeroed")
        self.run_all(case, path, CHEAP + [["slab", name, "--objects"],
                                          ["slab", "--find", hex(obj)],
                                          ["leaks"]], text=False)
        self.check_intact(case, path)
        sl = self.r.json(case, self.on(path, "slab"))
        if sl:
            got = {x["name"]: x for x in sl["caches"]}
            c.check(name in got, f"{case}: slab lists {name}")
            same = [n for n in ("task_struct", "inode_cache", "dentry")
                    if n != name and n in got and n in self.slab and
                    got[n]["allocated"] != self.slab[n]["allocated"]]
            c.check(not same, f"{case}: the other caches' counts are the "
                    f"intact dump's ({same})")
            d = got.get(name, {})
            self.note(case, f"slab {name}: allocated "
                      f"{d.get('allocated')} (intact "
                      f"{self.slab[name]['allocated']}), unknown "
                      f"{d.get('unknown')}, errors "
                      f"{len(d.get('errors', []))}")
        os.unlink(path)

    def freelist(self):
        """A free object's next pointer aimed outside its slab, encoded as
        the hardened freelist stores it."""
        case = "freelist-out-of-slab"
        c = self.c
        name, slabs = self.slab_with_freelist()
        if not c.check(slabs, f"{case}: a partial slab with free objects"):
            return
        cache = self.slab[name]["address"]
        secret = int(self.good("eval", f"((struct kmem_cache *){cache})"
                               f"->random")["value"], 16)
        offset = self.good("eval", f"((struct kmem_cache *){cache})"
                           f"->offset")["value"]
        head = slabs[-1][1]
        slot = head + offset
        paddr = self.paddr(slot)
        stored = int.from_bytes(self.dd.read(paddr, 8), "little")
        nxt = stored ^ secret ^ corrupt.bswap64(slot)
        c.check(nxt == 0 or abs(nxt - head) < 1 << 16,
                f"{case}: the freelist decodes ({nxt:#x} after {head:#x})")
        target = int(self.ps[1]["task"], 16)  # pid 1's task_struct
        path = self.copy(case)
        corrupt.Diskdump(path).patch(paddr, corrupt.u64(
            target ^ secret ^ corrupt.bswap64(slot)))
        self.note(case, f"{name} free object {head:#x}: next -> "
                  f"{target:#x} (was {nxt:#x})")
        self.run_all(case, path, CHEAP + [["slab", name, "--objects"],
                                          ["slab", "--find", hex(head)],
                                          ["leaks"]], text=False)
        self.check_intact(case, path)
        sl = self.r.json(case, self.on(path, "slab", name))
        if sl:
            x = sl["caches"][0]
            c.check(x.get("errors") or x.get("unverified"),
                    f"{case}: slab marks the bad freelist "
                    f"({x.get('errors')}, unverified {x.get('unverified')})")
            self.note(case, f"slab {name}: errors "
                      f"{[e['message'] for e in x.get('errors', [])][:1]}, "
                      f"unverified {x.get('unverified')}")
        os.unlink(path)

    def stack_loop(self):
        """A sleeping task's stack: the saved frame pointer of its switch
        frame pointing at a slot that points at itself, and the return
        address ORC reads for its second real frame replaced by that
        slot's address (no text: ORC and CFI know nothing of it, the
        unwinder falls back to the frame pointer chain)."""
        case = "stack-loop"
        c = self.c
        pid = next(p for p, t in sorted(self.ps.items())
                   if t["state"] in ("S", "I") and not t["is_active"] and
                   p > 1 and not t["is_kernel_thread"]) if any(
            t["state"] in ("S", "I") and not t["is_active"] and p > 1 and
            not t["is_kernel_thread"] for p, t in self.ps.items()) else 1
        trace = self.good("bt", str(pid))["traces"][0]
        real = [f for f in trace["frames"] if not f["is_inlined"]]
        if not c.check(len(real) >= 4, f"{case}: pid {pid} has a trace"):
            return
        sp2 = int(real[2]["sp"], 16)
        ret_slot = sp2 - 8
        bp_slot = sp2 - 16
        task = trace["task"]
        bp_field = int(self.good(
            "eval", f"&((struct inactive_task_frame *)((struct task_struct *)"
            f"{task})->thread.sp)->bp")["value"], 16)
        path = self.copy(case)
        dd = corrupt.Diskdump(path)
        dd.patch(self.paddr(bp_slot), corrupt.u64(bp_slot))
        dd.patch(self.paddr(ret_slot), corrupt.u64(bp_slot))
        dd.patch(self.paddr(bp_field), corrupt.u64(bp_slot))
        self.note(case, f"pid {pid}: return address at {ret_slot:#x} and "
                  f"saved rbp at {bp_field:#x} -> {bp_slot:#x}, which "
                  f"points at itself")
        self.run_all(case, path, CHEAP + [["bt", str(pid)],
                                          ["bt", "-l", str(pid)],
                                          ["regs", str(pid)]],
                     text=False)
        self.check_intact(case, path)
        bt = self.r.json(case, self.on(path, "bt", str(pid)))
        if bt:
            t = bt["traces"][0]
            c.check(not t["is_complete"] and t["error"],
                    f"{case}: the trace is marked incomplete with an error")
            got = [f["function"] for f in t["frames"] if not f["is_inlined"]]
            c.equal(got[:1], [f["function"] for f in real[:1]],
                    f"{case}: the frame below the damage")
            c.check(len(t["frames"]) < 64, f"{case}: the trace is bounded")
            self.note(case, f"bt {pid}: {len(t['frames'])} frames, "
                      f"error {t['error'] and t['error']['message']}")
        os.unlink(path)

    def zero_page_table(self):
        """The PTE page that maps a task's (vmalloc'd) stack, zeroed."""
        case = "zero-page-table"
        c = self.c
        trace = self.good("bt", "1")["traces"][0]
        stack = int(trace["stacks"][0]["start"], 16)
        levels = self.good("vtop", hex(stack))["levels"]
        pte = [x for x in levels if x["level"] == "pte"]
        if not c.check(pte, f"{case}: the stack is mapped by 4K pages"):
            return
        table = int(pte[0]["entry_paddr"], 16)
        path = self.copy(case)
        corrupt.Diskdump(path).zero_page(table)
        self.note(case, f"the PTE page {table & ~0xfff:#x} mapping pid 1's "
                  f"stack {stack:#x} zeroed")
        self.run_all(case, path, CHEAP + [["bt", "1"], ["vtop", hex(stack)],
                                          ["vmalloc"], ["leaks"]],
                     text=False)
        self.check_intact(case, path)
        bt = self.r.json(case, self.on(path, "bt", "1"))
        if bt:
            t = bt["traces"][0]
            c.check(t["error"] and not t["is_complete"] and
                    not t["frames"],
                    f"{case}: pid 1's trace says its stack is unreadable "
                    f"({t['error']})")
            self.note(case, f"bt 1: {t['error'] and t['error']['message']}")
        rc, doc, err = self.r.run(case, self.on(path, "vtop", hex(stack)),
                                  json_out=True)
        c.check(rc == 1, f"{case}: vtop of the stack fails ({err.strip()})")
        os.unlink(path)

    def zero_printk(self):
        """Pages of the printk ring zeroed: one in the middle of its text
        ring, the first of its descriptors."""
        case = "zero-printk"
        c = self.c
        has_prb = self.r.json(case, self.on(self.d["vmcore"], "eval",
                                            "prb->text_data_ring"))
        if not c.check(has_prb, f"{case}: the kernel's printk ring"):
            return
        data = int(has_prb["value"]["data"], 16)
        size = 1 << has_prb["value"]["size_bits"]
        descs = int(self.good("eval", "prb->desc_ring")["value"]["descs"], 16)
        path = self.copy(case)
        dd = corrupt.Diskdump(path)
        dd.zero_page(self.paddr(data + size // 2))
        dd.zero_page(self.paddr(descs))
        self.note(case, f"text ring page at {data + size // 2:#x} and the "
                  f"descriptors' first page {descs:#x} zeroed")
        self.run_all(case, path, CHEAP + [["triage"]], text=False)
        self.check_intact(case, path)
        log = self.r.json(case, self.on(path, "log"))
        if log:
            n, m = len(log["records"]), len(self.log["records"])
            c.check(0 < n <= m, f"{case}: log keeps what it can read "
                    f"({n} of {m} records)")
            c.check(n < m or log.get("lost"),
                    f"{case}: log marks what it could not read "
                    f"({n} of {m} records, lost {log.get('lost')})")
            self.note(case, f"log: {n} of {m} records, lost "
                      f"{log.get('lost')}")
        os.unlink(path)

    def bit_flips(self):
        """Seeded random bit flips in kernel memory: the task_structs,
        struct pages of slabs, slab pages, the printk ring, page tables."""
        case = "bit-flips"
        pages = set()
        for t in self.ps.values():
            a = int(t["task"], 16)
            for off in range(0, self.task_size, 4096):
                pages.add(self.paddr(a + off) >> 12)
        for name in ("dentry", "kmalloc-64", "kmalloc-32", "vm_area_struct"):
            objs = self.good("slab", name, "--objects")["objects"]
            for o in objs[::32]:
                pages.add(self.paddr(int(o, 16)) >> 12)
        prb = self.good("eval", "prb->text_data_ring")["value"]
        pages.add(self.paddr(int(prb["data"], 16) + 4096) >> 12)
        for lv in self.good("vtop", self.ps[1]["task"])["levels"]:
            pages.add(int(lv["entry_paddr"], 16) >> 12)
        path = self.copy(case)
        dd = corrupt.Diskdump(path)
        pfns = sorted(p for p in pages if dd.is_dumped(p))
        flips = dd.flip_bits(pfns, 4 * len(pfns), seed=12)
        self.note(case, f"{len(flips)} bits flipped in {len(pfns)} pages "
                  f"(seed 12)")
        self.run_all(case, path, self.examples, text=False)
        self.run_all(case + " (text)", path, self.r.first_examples,
                     json_out=False)
        s = self.r.json(case, self.on(path, "sys"))
        if s:
            self.c.equal(s["release"], self.truth["release"],
                         f"{case}: release")
        os.unlink(path)

    # The index cache and module debuginfo.
    def other_kernel(self):
        """Another kernel's panic kdump (its vmlinux and test modules
        differ from this one's)."""
        return corpus(None, "panic", "kdump", other_than=self.kernel)

    def index_cache(self):
        """CACHE_DIR/BUILDID.vmcaidx with bits flipped, cut in half, and
        another vmlinux's index under this one's name, each in a cache
        dir of its own: vmca rebuilds it (the results are the good
        cache's) and the file it leaves is the good one."""
        c = self.c
        build_id = self.sys["build_id"]
        good = os.path.join(self.r.cache_dir, build_id + ".vmcaidx")
        if not c.check(os.path.exists(good), f"index cache: {good}"):
            return
        with open(good, "rb") as f:
            good_bytes = f.read()
        other = self.other_kernel()
        o_sys = self.r.json("the other kernel", ["-k", other["vmlinux"],
                                                 other["vmcore"], "sys"])
        foreign = os.path.join(self.r.cache_dir,
                               o_sys["build_id"] + ".vmcaidx")
        probes = [["sys"], ["sym", "jiffies"], ["struct", "task_struct"],
                  ["eval", "init_task.comm"], ["ps"]]
        want = [self.good(*p) for p in probes]
        for case in ("cache-bit-flips", "cache-truncated",
                     "cache-other-vmlinux"):
            cache_dir = os.path.join(self.work, case)
            os.makedirs(cache_dir)
            path = os.path.join(cache_dir, build_id + ".vmcaidx")
            if case == "cache-bit-flips":
                data = bytearray(good_bytes)
                rng = random.Random(12)
                for _ in range(64):
                    data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
                with open(path, "wb") as f:
                    f.write(data)
            elif case == "cache-truncated":
                with open(path, "wb") as f:
                    f.write(good_bytes[:len(good_bytes) // 2])
            else:
                shutil.copyfile(foreign, path)
            for i, argv in enumerate(probes):
                got = self.r.json(case, self.on(self.d["vmcore"], *argv),
                                  cache_dir=cache_dir)
                if argv == ["sys"] and got:
                    got.pop("vmcore", None)
                    want[i].pop("vmcore", None)
                c.equal(got, want[i], f"{case}: {' '.join(argv)} as with "
                        f"the good cache")
            with open(path, "rb") as f:
                rebuilt = f.read()
            c.check(rebuilt == good_bytes,
                    f"{case}: the file left is the rebuilt index "
                    f"({len(rebuilt)} bytes, the good one {len(good_bytes)})")
            self.note(case, "rejected, rebuilt; results as with the good "
                      "cache")
            shutil.rmtree(cache_dir)

    def foreign_module(self):
        """-m a directory of the test modules built for another kernel
        (the same names, other build-ids): each is skipped with a
        warning, the module's own types stay unknown, and what does not
        need them (the panic, its function from kallsyms) is right."""
        case = "foreign-ko"
        c = self.c
        other = self.other_kernel()
        mods = os.path.join(self.work, case)
        shutil.copytree(other["modules"], mods)
        names = sorted(os.listdir(mods))
        base = ["-k", self.d["vmlinux"], "-m", mods, self.d["vmcore"]]
        for argv in (["modules"], ["panic"], ["bt"], ["triage"],
                     ["struct", "vmca_oops_ctl"], ["sym", "-l",
                                                   "vmca_oops_evaluate"]):
            for j in (False, True):
                rc, doc, err = self.r.run(case, base + argv, json_out=j)
                if argv == ["modules"]:
                    warn = [l for l in err.splitlines()
                            if l.startswith("vmca: warning:") and
                            "differs" in l and "skipped" in l]
                    c.check(len(warn) >= 1,
                            f"{case}: a warning per foreign .ko "
                            f"({names}): {err.strip()[-400:]!r}")
                if argv[0] == "struct":
                    c.check(rc == 1, f"{case}: a module-only type is "
                            f"unknown (exit {rc})")
                if argv == ["panic"] and j and isinstance(doc, dict):
                    c.equal(doc["kind"], self.panic["kind"],
                            f"{case}: the panic")
                    c.equal(doc.get("function"), self.panic.get("function"),
                            f"{case}: the panic's function")
        self.note(case, f"{names} of {other['kernel']}: skipped with a "
                  f"warning")
        # The loaded module's build-id note zeroed: nothing ties a .ko to
        # it, so the foreign one is used, unverified, with a warning.
        case = "foreign-ko-no-build-id"
        m = [x for x in self.good("modules")["modules"]
             if x["name"] == "vmca_oops"]
        note = [x["address"] for x in (m[0]["sections"] if m else [])
                if x["name"] == ".note.gnu.build-id"]
        if c.check(note, f"{case}: vmca_oops's build-id note"):
            path = self.copy(case)
            corrupt.Diskdump(path).patch(self.paddr(int(note[0], 16)),
                                         bytes(36))
            base = ["-k", self.d["vmlinux"], "-m", mods, path]
            for argv in (["modules"], ["struct", "vmca_oops_ctl"],
                         ["panic"]):
                rc, doc, err = self.r.run(case, base + argv, json_out=True)
                c.check(rc == 0 and "used unverified" in err,
                        f"{case}: {argv[0]}: the .ko is used with a warning "
                        f"that it is unverified (exit {rc}: "
                        f"{err.strip()[-300:]!r})")
            self.note(case, "the foreign .ko used, with a warning that it "
                      "is unverified")
            os.unlink(path)
        shutil.rmtree(mods)


def main():
    ap = argparse.ArgumentParser()
    for arg in ("--vmca", "--cache-dir", "--kernel"):
        ap.add_argument(arg, required=True)
    ap.add_argument("--cases", default="all",
                    help="comma-separated case groups (default: all)")
    a = ap.parse_args()
    c = Checker(f"corrupt {a.kernel}")
    s = Suite(a, c)
    t0 = time.monotonic()
    try:
        s.examples = examples(s.r)
        s.reference()
        groups = {"truncate": s.truncations,
                  "elf-truncate": s.elf_truncations, "zero-task": s.zero_task,
                  "cycle": s.cycle, "slab": s.zero_slab_page,
                  "freelist": s.freelist, "stack": s.stack_loop,
                  "page-table": s.zero_page_table, "printk": s.zero_printk,
                  "bit-flips": s.bit_flips, "cache": s.index_cache,
                  "module": s.foreign_module}
        want = list(groups) if a.cases == "all" else a.cases.split(",")
        for g in want:
            groups[g]()
    finally:
        shutil.rmtree(s.work, ignore_errors=True)
    print(f"{s.r.runs} runs in {time.monotonic() - t0:.0f} s, slowest "
          f"{s.r.slowest[0]:.1f} s ({s.r.slowest[1]}), peak RSS "
          f"{s.r.peak_mb} MB")
    c.finish()


if __name__ == "__main__":
    main()
