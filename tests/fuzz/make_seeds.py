#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the fuzz targets' seed corpora (tests/fuzz/seeds/<target>/).

usage: make_seeds.py --vmca BUILD/vmca --cache-fuzz BUILD/tests/cache_fuzz
                     [--walkers-fuzz BUILD/tests/walkers_fuzz] [--out DIR]

Seeds come from the real dumps of the corpus (testdata/, built by
testdata/generate.py; $VMCA_TESTDATA_DIR or ~/.cache/vmca-testdata), read
through vmca itself (`vmca --json VMCORE eval|rd|log|modules`) and the
vmlinux files' ELF sections, and are kept small (a few KB each). Nothing
of a dump or a vmlinux is committed beyond these excerpts:

  vmcoreinfo_fuzz  each kernel's VMCOREINFO note, from the dump file
  printk_fuzz      each kernel's first log records, re-encoded in small
                   rings of both formats (the lockless one, one wrapped;
                   the log_buf of before v5.10, which no corpus kernel has)
  kallsyms_fuzz    a module's symtab, typetab and strtab as the dump has
                   them (the first symbols)
  orc_fuzz         windows of each vmlinux's .orc_unwind_ip/.orc_unwind
  expr_fuzz        expressions of the kinds `vmca eval` takes
  dwarf_fuzz,      a small ELF with DWARF built here by cc -g, and its
  cache_fuzz       index cache image (cache_fuzz --seed)
  walkers_fuzz     patch lists over the anchors walkers_fuzz reports for
                   the 6.1 idle kdump: cycles, zeroed links, wild pointers

Python 3 standard library only; run from anywhere.
"""
import argparse
import json
import os
import pathlib
import re
import struct
import subprocess
import sys
import tempfile

TOP = pathlib.Path(__file__).resolve().parents[2]
KERNELS = {
    "5.10": "5.10.0-32-cloud-amd64",
    "6.1": "6.1.0-56-cloud-amd64",
    "6.12": "6.12.117+deb12-cloud-amd64",
}


def data_dir():
    d = os.environ.get("VMCA_TESTDATA_DIR")
    if d:
        return pathlib.Path(d)
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return pathlib.Path(cache) / "vmca-testdata"


class Dump:
    def __init__(self, vmca, release, scenario="idle", kind="kdump"):
        self.vmca = vmca
        self.vmcore = data_dir() / "dumps" / release / scenario / kind / "vmcore"
        self.vmlinux = data_dir() / "kernels" / release / "vmlinux"

    def run(self, *args):
        out = subprocess.run(
            [self.vmca, "-k", str(self.vmlinux), "--json", str(self.vmcore)]
            + list(args), check=True, capture_output=True, text=True)
        return json.loads(out.stdout)

    def value(self, expr):
        v = self.run("eval", expr)["value"]
        return int(v, 0) if isinstance(v, str) else int(v)

    def read(self, address, size):
        out = bytearray()
        while len(out) < size:
            n = min(4096, size - len(out))
            vals = self.run("rd", "-8", hex(address + len(out)), str(n))
            out += bytes(int(x, 16) for x in vals["values"])
        return bytes(out)


def write(out, target, name, data):
    d = out / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data)
    print(f"{target}/{name}: {len(data)} bytes")


def vmcoreinfo(out, dumps):
    # The note as the dump file holds it (the kdump header's copy, which
    # libkdumpfile hands to vmca): its lines from OSRELEASE= on.
    for k, d in dumps.items():
        with open(d.vmcore, "rb") as f:
            head = f.read(4 << 20)
        start = head.find(b"OSRELEASE=")
        if start < 0:
            continue
        end = start
        while end < len(head) and end - start < 4096 and head[end] and (
                32 <= head[end] < 127 or head[end] == 10):
            end += 1
        write(out, "vmcoreinfo_fuzz", f"{k}.txt", head[start:end])


def prb_ring(records, count_bits, size_bits, first_id=0, wrap=False):
    """A lockless ring (5.10-6.12 layout) holding records from first_id."""
    count, size = 1 << count_bits, 1 << size_bits
    descs = bytearray(count * 24)
    infos = bytearray(count * 88)
    text = bytearray(size)
    pos = size - 64 if wrap else 0
    id_ = first_id
    for seq, (level, msg) in enumerate(records):
        msg = msg.encode()[:200]
        blk = 8 + len(msg)
        blk += -blk % 8
        begin = pos
        if (begin % size) + blk > size:  # the block wraps: starts at 0
            begin = pos + (size - pos % size)
        nxt = begin + blk
        if nxt - pos > size or id_ - first_id >= count:
            break
        idx = id_ % count
        struct.pack_into("<QQQ", descs, idx * 24, (1 << 62) | id_, pos, nxt)
        struct.pack_into("<QQHBBI", infos, idx * 88, seq, seq * 1000,
                         len(msg), 0, level << 5, 1)
        off = begin % size
        struct.pack_into("<Q", text, off, id_)
        text[off + 8:off + 8 + len(msg)] = msg
        pos = nxt
        id_ += 1
    head = id_ - 1
    hdr = struct.pack("<BBBQQ", 1, count_bits, size_bits, head, first_id)
    return hdr + bytes(descs) + bytes(infos) + bytes(text)


def log_buf(records, buf_len):
    buf = bytearray(buf_len)
    idx = 0
    for seq, (level, msg) in enumerate(records):
        msg = msg.encode()[:200]
        n = 16 + len(msg)
        n += -n % 8
        if idx + n > buf_len:
            break
        struct.pack_into("<QHHHBB", buf, idx, seq * 1000, n, len(msg), 0, 0,
                         level << 5)
        buf[idx + 16:idx + 16 + len(msg)] = msg
        idx += n
    return struct.pack("<BIIQ", 0, 0, idx, 0) + bytes(buf)


def printk(out, dumps):
    for k, d in dumps.items():
        recs = [(r["level"], r["text"]) for r in d.run("log")["records"][:24]]
        write(out, "printk_fuzz", f"prb-{k}.bin", prb_ring(recs[:8], 3, 10))
        write(out, "printk_fuzz", f"prb-wrapped-{k}.bin",
              prb_ring(recs[8:14], 3, 10, first_id=(1 << 20) - 2, wrap=True))
        write(out, "printk_fuzz", f"log_buf-{k}.bin", log_buf(recs[:12], 2048))


def kallsyms(out, dumps):
    d = dumps["6.1"]
    mods = d.run("modules")["modules"]
    m = min(mods, key=lambda m: m["symbols"])
    mod = f"((struct module *){m['module']})"
    n = min(d.value(f"{mod}->kallsyms->num_symtab"), 48)
    symtab = d.read(d.value(f"(unsigned long){mod}->kallsyms->symtab"), n * 24)
    types = d.read(d.value(f"(unsigned long){mod}->kallsyms->typetab"), n)
    names = [struct.unpack_from("<I", symtab, i * 24)[0] for i in range(n)]
    strtab = d.read(d.value(f"(unsigned long){mod}->kallsyms->strtab"),
                    min(max(names) + 64, 2048))
    text = m["parts"]["text"]
    init = m["parts"]["init_text"]
    hdr = struct.pack("<HBBQIQI", n, 1, 2, int(text["base"], 16),
                      text["size"], int(init["base"], 16), init["size"])
    write(out, "kallsyms_fuzz", f"{m['name']}-6.1.bin",
          hdr + symtab + types + strtab)


def elf_sections(path):
    with open(path, "rb") as f:
        eh = f.read(64)
        shoff, = struct.unpack_from("<Q", eh, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", eh, 0x3a)
        f.seek(shoff)
        shs = [struct.unpack("<IIQQQQIIQQ", f.read(shentsize)[:64])
               for _ in range(shnum)]
        strtab = shs[shstrndx]
        f.seek(strtab[4])
        names = f.read(strtab[5])
        secs = {}
        for sh in shs:
            name = names[sh[0]:names.index(b"\0", sh[0])].decode()
            secs[name] = sh
        return secs


def read_section_part(path, sh, offset, size):
    with open(path, "rb") as f:
        f.seek(sh[4] + offset)
        return f.read(size)


def orc(out, dumps):
    for k, d in dumps.items():
        secs = elf_sections(d.vmlinux)
        ip, ent = secs[".orc_unwind_ip"], secs[".orc_unwind"]
        nr = ip[5] // 4
        is_v6_4 = ".orc_header" in secs
        first, count = nr // 3, 160
        ips = read_section_part(d.vmlinux, ip, first * 4, count * 4)
        ents = read_section_part(d.vmlinux, ent, first * 6, count * 6)
        # Offsets of the code from the window's start (as the target
        # puts its table at one address, the ips stay relative).
        targets = [i * 4 + struct.unpack_from("<i", ips, i * 4)[0]
                   for i in range(count)]
        lo, hi = min(targets), max(targets) + 64
        pcs = b"".join(struct.pack("<i", t + j)
                       for t in targets[::8] for j in (0, 3))
        hdr = struct.pack("<BHii", int(is_v6_4), count, lo, hi)
        write(out, "orc_fuzz", f"vmlinux-{k}.bin", hdr + ips + ents + pcs)


EXPRESSIONS = [
    "init_task.pid",
    "init_task.comm",
    "init_task.tasks.next",
    "&init_task.tasks",
    "sizeof(struct task_struct)",
    "offsetof(struct task_struct, tasks)",
    "container_of(init_task.tasks.next, struct task_struct, tasks)->pid",
    "((struct task_struct *)&init_task)->mm",
    "per_cpu(runqueues, 0).nr_running",
    "jiffies - (unsigned long)1 << 3",
    "init_task.comm[0] == 's' ? 1 : -1",
    "(char)0x41 + 'a' * 2 / 3 % 5",
    "~0ULL >> 63 | 1 << 2 ^ 0x10 & 0xff",
    "!init_task.mm && init_task.pid <= 0 || 1 != 2",
    "*(unsigned int *)&init_task.flags",
    "ZONE_NORMAL",
    "(enum zone_type)1",
    "init_uts_ns.name.release",
    "schedule",
    "&((struct list_head *)0)->prev",
    "-(long)sizeof(int[4])",
    "init_task.thread.sp",
]


def expr(out):
    for i, e in enumerate(EXPRESSIONS):
        write(out, "expr_fuzz", f"{i:02d}.txt", e.encode())


def elf(out, cache_fuzz):
    with tempfile.TemporaryDirectory() as tmp:
        src = pathlib.Path(tmp) / "tiny.c"
        src.write_text(
            "struct list { struct list *next, *prev; };\n"
            "enum color { RED, GREEN = 5 };\n"
            "struct task { int pid; char comm[16]; struct list tasks;\n"
            "  unsigned flags : 3; enum color c; union { long l; void *p; } u; };\n"
            "typedef struct task task_t;\n"
            "task_t init_task = { 1, \"swapper\" };\n"
            "static int counter;\n"
            "int get(task_t *t) { return t->pid + counter; }\n")
        # Linked (a relocatable file is no vmlinux), without libc: small.
        obj = pathlib.Path(tmp) / "tiny"
        subprocess.run(["cc", "-g", "-O0", "-nostdlib", "-no-pie",
                        "-Wl,-e,get", "-Wl,-z,max-page-size=16",
                        "-Wl,-z,noseparate-code",
                        "-Wl,--build-id", str(src), "-o", str(obj)],
                       check=True)
        write(out, "dwarf_fuzz", "tiny.elf", obj.read_bytes())
        img = pathlib.Path(tmp) / "tiny.cache"
        subprocess.run([cache_fuzz, "--seed", str(obj), str(img)], check=True)
        write(out, "cache_fuzz", "tiny.cache", img.read_bytes())


BTF_SOURCE = r"""
typedef unsigned long pteval_t;
struct list_head { struct list_head *next, *prev; };
enum state { RUNNING = 0, SLEEPING = 1, DEAD = -1 };
enum big { BIG = 0x100000000ULL };
struct fwd;
union u { int i; float f; char c[3]; };
struct task {
    volatile long state;
    const char comm[16];
    unsigned int flags : 3, pf : 5;
    _Bool on_rq;
    struct list_head tasks;
    struct { int a; union { short b; char d; }; } anon;
    struct fwd *opaque;
    int (*fn)(struct task *, const char *, ...);
    pteval_t pte;
    enum state st;
    enum big bg;
    union u uu;
    double dd;
    int matrix[2][3];
    char *restrict rp;
    long tail[];
};
struct task t;
int f(struct task *p) { return p->flags; }
"""


def btf(out):
    """A small BTF of every kind vmca reads: a C file's DWARF made BTF by
    pahole (dwarves), its .BTF section as the seed."""
    with tempfile.TemporaryDirectory() as d:
        src, obj, blob = (os.path.join(d, n) for n in ("x.c", "x.o", "x.btf"))
        with open(src, "w") as f:
            f.write(BTF_SOURCE)
        subprocess.run(["cc", "-g", "-O0", "-c", src, "-o", obj], check=True)
        subprocess.run(["pahole", "-J", obj], check=True)
        subprocess.run(["objcopy", f"--dump-section=.BTF={blob}", obj],
                       check=True)
        with open(blob, "rb") as f:
            write(out, "btf_fuzz", "kinds.btf", f.read())


def walkers(out, walkers_fuzz, dumps):
    d = dumps["6.1"]
    env = dict(os.environ, VMCA_FUZZ_DUMP=str(d.vmcore),
               VMCA_FUZZ_VMLINUX=str(d.vmlinux))
    empty = pathlib.Path(tempfile.mkstemp()[1])
    empty.write_bytes(b"\0")
    err = subprocess.run([walkers_fuzz, str(empty)], env=env, check=True,
                         capture_output=True, text=True).stderr
    empty.unlink()
    anchors = {}
    for m in re.finditer(r"anchor (\d+): (.+?) at (0x[0-9a-f]+) \((\d+) bytes",
                         err):
        anchors[m.group(2)] = (int(m.group(1)), int(m.group(3), 16),
                               int(m.group(4)))

    def patch(anchor, offset, data):
        i = anchors[anchor][0]
        return struct.pack("<BHB", i, offset, len(data) - 1) + data

    def q(v):
        return struct.pack("<Q", v & (2**64 - 1))

    tasks = d.value("offsetof(struct task_struct, tasks)")
    stack = d.value("offsetof(struct task_struct, stack)")
    sp = d.value("offsetof(struct task_struct, thread.sp)")
    seeds = {"all": b"\0"}
    for bit, name in enumerate(["tasks", "stacks", "slab", "buddy", "trees",
                                "modules", "leaks"]):
        seeds[f"only-{name}"] = bytes([1 << bit])
    t = anchors["task"][1]
    seeds["task-self-cycle"] = b"\x01" + patch("task", tasks, q(t + tasks))
    seeds["task-links-zero"] = b"\x01" + patch("task", tasks, bytes(16))
    seeds["task-next-wild"] = b"\x01" + patch("task", tasks, q(0xdead0000))
    # The task's saved stack pointer into a frame that points at itself.
    s0 = anchors["stack"][1]
    seeds["stack-fp-loop"] = (b"\x02" + patch("task", sp, q(s0 + 0x100))
                              + patch("stack", 0x100, q(s0 + 0x100))
                              + patch("stack", 0x108, q(s0 + 0x100)))
    seeds["stack-pointer-wild"] = b"\x02" + patch("task", stack, q(1 << 47))
    if "slab memory" in anchors:
        m0, msize = anchors["slab memory"][1:]
        wild = b"".join(q(m0 + msize + 8 * i) for i in range(4))
        seeds["freelist-outside"] = b"\x04" + b"".join(
            patch("slab memory", o, wild) for o in range(0, 256, 32))
        seeds["slab-zero"] = b"\x04" + patch("slab", 0, bytes(32)) + patch(
            "slab", 32, bytes(32))
        seeds["cache-zero"] = b"\x04" + patch("kmem_cache", 0, bytes(32))
    if "zone" in anchors:
        f0 = anchors["free page"][1]
        seeds["free-page-cycle"] = b"\x08" + patch("free page", 8,
                                                   q(f0 + 8) + q(f0 + 8))
        seeds["zone-ff"] = b"\x08" + b"".join(
            patch("zone", o, b"\xff" * 32) for o in range(0, 1024, 128))
    for name in ("vmap_area_root node", "xa_node", "maple_node"):
        if name in anchors:
            a = anchors[name][1]
            seeds[name.split()[0] + "-self"] = b"\x10" + b"".join(
                patch(name, o, q(a)) for o in (0, 8, 16, 24))
    if "module" in anchors:
        seeds["module-ff"] = b"\x20" + b"".join(
            patch("module", o, b"\xff" * 32) for o in range(0, 512, 64))
    # The leak analysis (0x40 alone) over the damage the others have seen:
    # a task off its list (an orphan?), a slab without its metadata, a
    # freelist out of its slab.
    for name in ("task-links-zero", "slab-zero", "freelist-outside"):
        if name in seeds:
            seeds["leaks-" + name] = b"\x40" + seeds[name][1:]
    for name, data in seeds.items():
        write(out, "walkers_fuzz", name, data)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--vmca", required=True)
    p.add_argument("--cache-fuzz", required=True,
                   help="a standalone (non-libFuzzer) cache_fuzz")
    p.add_argument("--walkers-fuzz", help="a walkers_fuzz (either build)")
    p.add_argument("--out", default=str(TOP / "tests/fuzz/seeds"))
    args = p.parse_args()
    out = pathlib.Path(args.out)
    dumps = {k: Dump(args.vmca, r) for k, r in KERNELS.items()
             if (data_dir() / "dumps" / r / "idle/kdump/truth.json").exists()}
    if "6.1" not in dumps:
        sys.exit("make_seeds: the corpus has no 6.1 idle kdump "
                 "(testdata/generate.py --kernel 6.1 --scenario idle)")
    vmcoreinfo(out, dumps)
    printk(out, dumps)
    kallsyms(out, dumps)
    orc(out, dumps)
    expr(out)
    elf(out, args.cache_fuzz)
    btf(out)
    if args.walkers_fuzz:
        walkers(out, args.walkers_fuzz, dumps)


if __name__ == "__main__":
    main()
