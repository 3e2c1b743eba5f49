#!/usr/bin/env python3
"""Generate the vmca test corpus: real vmcores of real Debian kernels.

Each dump comes from a Debian cloud kernel booted under QEMU (TCG) with a
busybox initramfs whose /init (testdata/guest/init) prints the guest's own
ground truth on a second serial port just before the dump is taken.

  testdata/generate.py [--kernel 5.10|6.1|6.12|all]
                       [--scenario idle|panic|leak|frag|timer|leakdebug|CRASH|all]
                       [--kind qemu-kdump|qemu-elf|kdump|all] [--jobs N]
                       [--force]

Everything goes into the cache directory
  $VMCA_TESTDATA_DIR  (default ${XDG_CACHE_HOME:-$HOME/.cache}/vmca-testdata)
and is reused when present: a dump whose truth.json exists is not
generated again (--force regenerates).  Missing host packages are
installed with apt-get (root only).  See testdata/README.md.

Python 3 standard library only.
"""

import argparse
import contextlib
import fcntl
import glob
import hashlib
import json
import lzma
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
GUEST_INIT = os.path.join(HERE, "guest", "init")
GUEST_SRC = os.path.join(HERE, "guest")
MODULE_SRC = os.path.join(HERE, "modules")

# Recorded in truth.json and the manifest.  A dump whose truth.json has a
# generator_version below MIN_GENERATOR_VERSION[scenario] is regenerated:
# raise both when a change invalidates the dumps of a scenario.
# 3: the truth in two rounds that bracket the dump, and the panic module
# loaded before the truth. 4: the test modules' .ko beside each dump, the
# modules' flags in the truth; Debian 11's 5.10. 5: vmca-cpuwake (no CPU
# holds a dead lazy mm), the end of a kdump's first kernel timed by the host.
# 6: vmca_oops passes known values down one frame more (an integer, a
# pointer to a global); the timer scenario (the oops in a timer callback).
# 7: the timer scenario's truth names the insmod (insmod_pid). 8: timer's
# spinner (CPU 1 spins with interrupts off: stopped by an NMI). 9: the
# crash scenarios (CRASH_SCENARIOS: vmca_oops' other contexts). 10: leak's
# cred references, vmalloc areas, thread stacks and shmem, the leaked
# objects' addresses; the leakdebug scenario; /proc/vmallocinfo with real
# addresses (kptr_restrict=1), its callers' modules and pages=.
# 11: the hostile scenario; a task's stat read whole (a comm may hold a
# newline), a truth line without "@T " joined to the one before (no
# other scenario's truth changes: their dumps stay valid).
GENERATOR_VERSION = 11
# (The crash scenarios': 9, below CRASH_SCENARIOS.)
MIN_GENERATOR_VERSION = {"idle": 5, "panic": 8, "leak": 10, "frag": 5, "timer": 8,
                         "leakdebug": 10, "hostile": 11}

# kernel short name -> Debian release string
KERNELS = {
    "5.10": "5.10.0-32-cloud-amd64",
    "6.1": "6.1.0-56-cloud-amd64",
    "6.12": "6.12.117+deb12-cloud-amd64",
}
# Kernels from another suite of the archive the machine's apt sources name:
# fetched with a private apt configuration (the machine's stays untouched),
# headers unpacked into the cache instead of installed. The newest 5.10
# (-46) has no -dbg package in the archive; -32 has.
KERNEL_SUITES = {"5.10": "bullseye"}
# Those headers ask for their suite's gcc (gcc-10); Debian 12's builds the
# test modules.
SUITE_HEADER_PACKAGES = {"5.10": ["linux-headers-5.10.0-32-cloud-amd64",
                                  "linux-headers-5.10.0-32-common", "linux-kbuild-5.10"]}
# Crash scenarios for `panic`: vmca_oops.ko's init crashes another way
# (its context= parameter, the scenario's name), after the guest set what
# the kernel needs for it (guest/init: sysctls). Each: the console line
# that starts the kernel's report (a regex), panic()'s message, and boot
# parameters. One kind of dump each (QEMU's kdump-compressed): the kinds
# differ in how the dump is read, not in what the crash is, and the panic
# and timer scenarios cover every kind.
CRASH_SCENARIOS = {
    # field case 2 with the kernel's struct oom_control
    "oomctl": {"report": r"BUG: kernel NULL pointer dereference",
               "panic": "Fatal exception", "cmdline": ""},
    "bug": {"report": r"kernel BUG at ", "panic": "Fatal exception", "cmdline": ""},
    "warn": {"report": r"WARNING: CPU: ", "panic": "panic_on_warn", "cmdline": ""},
    # CONFIG_DEBUG_LIST (Debian's): the second list_del() is reported
    "listdel": {"report": r"list_del corruption", "panic": "Fatal exception",
                "cmdline": ""},
    # KFENCE off: its sampled allocation would catch the use itself. The
    # module's cache asks for SLAB_POISON, which 5.10 honours only with
    # slub_debug on the command line (v5.12 enables it for such caches).
    "uaf": {"report": r"general protection fault", "panic": "Fatal exception",
            "cmdline": "kfence.sample_interval=0 slub_debug=P,vmca_oops_uaf"},
    "nullcall": {"report": r"BUG: kernel NULL pointer dereference",
                 "panic": "Fatal exception", "cmdline": ""},
    "hung": {"report": r"INFO: task \S+ blocked for more than", "panic": "hung_task",
             "cmdline": "hung_task_panic=1"},
    "lockup": {"report": r"BUG: soft lockup", "panic": "softlockup",
               "cmdline": ""},
    # the task's stack into its guard page: a double fault (#DF stack)
    "overflow": {"report": r"stack guard page was hit", "panic": "Fatal exception",
                 "cmdline": ""},
    # a hardware breakpoint's handler oopses on the #DB stack
    "debug": {"report": r"BUG: kernel NULL pointer dereference",
              "panic": "Fatal exception", "cmdline": ""},
    # vmca-hog in a 64 MB memory cgroup, vm.panic_on_oom=2 (guest/init)
    "oommemcg": {"report": r"invoked oom-killer", "panic": "Out of memory",
                 "cmdline": ""},
    # vmca-hog and a trigger that fill the machine, vm.panic_on_oom=1
    "oomglobal": {"report": r"invoked oom-killer", "panic": "Out of memory",
                  "cmdline": ""},
}
# Of those, the ones vmca_oops.ko does not crash (no module loaded).
OOM_SCENARIOS = ("oommemcg", "oomglobal")
# The leak scenario and its twin booted with slub_debug=U (SLAB_STORE_USER
# on every cache: each object's allocation and free track), for grouping
# leaked objects by allocation site. Boot parameters of scenarios other
# than the crash scenarios.
LEAK_SCENARIOS = ("leak", "leakdebug")
SCENARIO_CMDLINE = {"leakdebug": "slub_debug=U"}
# Scenario "hostile": processes whose names, and kernel log records whose
# text, hold markup, terminal escape sequences, quotes, a backslash, a
# newline and bytes that are not UTF-8 (guest/hostile.c), for the test
# that vmca's text, JSON and HTML keep them inert; QEMU's kdump-compressed
# only (what is tested is the output, not the reading of the dump).
SCENARIOS = ("idle", "panic", "leak", "frag", "timer", "leakdebug", "hostile") + \
    tuple(CRASH_SCENARIOS)
# The scenarios that crash by vmca_oops.ko (its init, or a timer callback).
OOPS_SCENARIOS = ("panic", "timer") + tuple(CRASH_SCENARIOS)
KINDS = ("qemu-kdump", "qemu-elf", "kdump", "kdump-d31")
# The kinds of dump of each scenario (every kind if not here).
SCENARIO_KINDS = {s: ("qemu-kdump",) for s in tuple(CRASH_SCENARIOS) + ("leakdebug", "hostile")}
# The crash scenarios' dumps of generator version 9 stay valid.
MIN_GENERATOR_VERSION.update({s: 9 for s in CRASH_SCENARIOS})
# One QEMU boot ("unit") yields these kinds.
UNIT_KINDS = {"qemu": ("qemu-kdump", "qemu-elf"), "kdump": ("kdump", "kdump-d31")}
# kdump-d31: the same capture dumped a second time with makedumpfile's usual
# -d 31, on the kernels where that level drops pages it should keep (6.10+
# with makedumpfile < 1.7.6: some slab and task pages read as free), so
# the suite sees a production dump with pages missing. A few scenarios.
D31_SCENARIOS = ("idle", "panic", "leak")

QEMU_MEMORY_MB = 1024
CRASHKERNEL = "256M"
# makedumpfile -d 31 (exclude zero, cache, private cache, user and free
# pages), as production kdump setups do.  But makedumpfile < 1.7.6 reads
# the page types of Linux >= 6.10 wrongly and drops slab pages as "free"
# (Debian 12 ships 1.7.2), so for those kernels we keep free pages: -d 15.
DUMP_LEVEL = 31
DUMP_LEVEL_NEW_PAGE_TYPES = 7
# Kernel command line of the first kernel.  No nokaslr: KASLR stays on.
# oops=panic sets panic_on_oops (a plain "panic_on_oops=1" is not a boot
# parameter and would be ignored).
# panic=0: after a panic the kernel spins forever, so QMP can dump it.
# ignore_loglevel: every printk record reaches the console, so the
# console is a complete copy of the printk ring buffer.
BASE_CMDLINE = "console=ttyS0 ignore_loglevel oops=panic panic=0"

# Test modules (modules/<name>.c), built per kernel into kernels/<rel>/<name>.ko
# and put into the initramfs as /<name>.ko.
TEST_MODULES = ("vmca_oops", "vmca_leak")
# Guest helper programs (guest/<source>), built with gcc -static on the host,
# installed in the initramfs as /sbin/<name>.
GUEST_TOOLS = {"vmca-leaker": "leaker.c", "vmca-fragment": "fragment.c",
               "vmca-sleeper": "sleeper.c", "vmca-cpuwake": "cpuwake.c",
               "vmca-hog": "hog.c", "vmca-stacks": "stacks.c", "vmca-shmem": "shmem.c",
               "vmca-hostile": "hostile.c"}
# Scenario "leak" (and "leakdebug"): tasks and creds held, kmalloc objects
# and vmalloc areas leaked, thread stacks never unmapped, shmem kept; the
# truth is checked against these (guest/init, vmca_leak.c, stacks.c and
# shmem.c use the same numbers: keep in step).
LEAK_TASKS = 150
LEAK_KMALLOC_COUNT = 2000
LEAK_KMALLOC_SIZE = 200
LEAK_MAGIC = "0x564d43414c45414b"
LEAK_CREDS = 40
LEAK_VMALLOC_SIZES = [64 << 10, 128 << 10, 192 << 10, 256 << 10, 512 << 10, 1024 << 10]
LEAK_VMALLOC_MAGIC = "0x564d4341564d414c"
LEAK_STACKS = 64
LEAK_STACK_BYTES = 256 << 10
LEAK_TMPFS = "/mnt/vmca-tmpfs"
LEAK_TMPFS_BYTES = 64 << 20
LEAK_TMPFS_FILE_BYTES = [n << 20 for n in (1, 2, 3, 4, 6, 8)]
LEAK_SYSV_KEY = 0x564d4341
LEAK_SYSV_BYTES = 4 << 20
LEAK_MEMFD_BYTES = 3 << 20
LEAK_SHMEM_FSTYPES = ("tmpfs", "ramfs", "rootfs", "devtmpfs")
# Scenario "frag": after the punching, at most this share of the main
# zone's free pages may sit at order >= FRAG_HIGH_ORDER, and nothing at
# order >= FRAG_EMPTY_ORDER (else the boot is retried).
FRAG_HIGH_ORDER = 4
FRAG_MAX_HIGH_ORDER_SHARE = 0.01
FRAG_EMPTY_ORDER = 8

# Modules loaded in the first kernel (so QEMU's dumps carry VMCOREINFO).
FIRST_MODULES = ["qemu_fw_cfg"]
# Modules the capture kernel needs for /dev/vda: these and what they
# depend on (modinfo), loaded dependencies first; those built into the
# kernel at hand are skipped. CAPTURE_MODULE_DEPS are extracted from the
# image when present (not every kernel has them: the virtio_pci_*_dev
# helpers came with v5.13).
CAPTURE_MODULES = ["virtio_pci", "virtio_blk"]
CAPTURE_MODULE_DEPS = ["virtio_ring", "virtio", "virtio_pci_legacy_dev",
                       "virtio_pci_modern_dev"]

# Host tools: command -> Debian package.
HOST_TOOLS = [
    ("qemu-system-x86_64", "qemu-system-x86"),
    ("makedumpfile", "makedumpfile"),
    ("kexec", "kexec-tools"),
    ("cpio", "cpio"),
    ("gzip", "gzip"),
    ("zstd", "zstd"),
    ("xz", "xz-utils"),
    ("gcc", "gcc"),
    ("make", "make"),
    ("dpkg-deb", "dpkg"),
    ("ldd", "libc-bin"),
]
TOOL_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# Timeouts in seconds (TCG on this class of machine: boot ~5 s, capture
# ~20 s); multiplied by $VMCA_TIMEOUT_SCALE.
T_QMP_CONNECT = 30
T_BOOT = 240          # QEMU start -> the guest's first request (VMCA-TRUTH-WARM)
T_TRUTH = 240         # one step of the truth (warm-up answered -> dump request, ...)
T_PANIC = 120         # truth done -> end of panic on the console
PANIC_QUIET_S = 10    # or panic()'s message and a console quiet this long
T_DUMP = 600          # one dump-guest-memory
T_CAPTURE = 600       # truth done -> capture kernel done, QEMU gone
T_QUIT = 60
BOOT_ATTEMPTS = 3


class GenError(Exception):
    """A failure with a message meant for the user."""


class BootFailed(Exception):
    """One QEMU boot went wrong; retry unless fatal."""

    def __init__(self, msg, fatal=False):
        super().__init__(msg)
        self.fatal = fatal


# ------------------------------------------------------------------ utils

_T0 = time.monotonic()
_log_lock = threading.Lock()


def log(msg):
    with _log_lock:
        sys.stderr.write("[vmca-testdata %6.1fs] %s\n" % (time.monotonic() - _T0, msg))
        sys.stderr.flush()


def timeout_scale():
    try:
        v = float(os.environ.get("VMCA_TIMEOUT_SCALE", "1"))
        return v if v > 0 else 1.0
    except ValueError:
        return 1.0


def cache_dir():
    d = os.environ.get("VMCA_TESTDATA_DIR")
    if not d:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(
            os.path.expanduser("~"), ".cache")
        d = os.path.join(base, "vmca-testdata")
    return os.path.abspath(d)


def kernel_short(name):
    """'6.1' or '6.1.0-56-cloud-amd64' -> '6.1'."""
    if name in KERNELS:
        return name
    for k, rel in KERNELS.items():
        if rel == name:
            return k
    raise GenError("unknown kernel %r (known: %s)" % (
        name, ", ".join(list(KERNELS) + list(KERNELS.values()))))


def which(cmd):
    return shutil.which(cmd, path=os.environ.get("PATH", "") + ":" + TOOL_PATH)


def run(cmd, what, cwd=None, env=None, stdin=None, stdout=None, timeout=None):
    """Run cmd; raise GenError with its output on failure."""
    try:
        p = subprocess.run(cmd, cwd=cwd, env=env, stdin=stdin,
                           stdout=stdout if stdout is not None else subprocess.PIPE,
                           stderr=subprocess.PIPE if stdout is not None else subprocess.STDOUT,
                           timeout=timeout)
    except FileNotFoundError:
        raise GenError("%s: command not found: %s" % (what, cmd[0]))
    except subprocess.TimeoutExpired:
        raise GenError("%s: timed out after %ss: %s" % (what, timeout, " ".join(cmd)))
    if p.returncode != 0:
        out = p.stderr if stdout is not None else p.stdout
        out = (out or b"").decode("utf-8", "replace")
        raise GenError("%s failed (exit %d): %s\n%s" % (
            what, p.returncode, " ".join(cmd), tail(out, 40)))
    return p


def tail(text, n):
    lines = text.rstrip("\n").split("\n")
    return "\n".join(("    " + l) for l in lines[-n:])


def atomic_write(path, data, mode=0o644):
    tmp = "%s.tmp-%d-%d" % (path, os.getpid(), threading.get_ident())
    with open(tmp, "wb") as f:
        f.write(data)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def write_json(path, obj):
    atomic_write(path, (json.dumps(obj, indent=1, sort_keys=False) + "\n").encode())


def rmtree(path):
    if os.path.lexists(path):
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.unlink(path)


def sha256_files(paths, extra=b""):
    h = hashlib.sha256(extra)
    for p in paths:
        h.update(os.path.basename(p).encode() + b"\0")
        with open(p, "rb") as f:
            h.update(f.read())
    return h.hexdigest()


def elf_has_interp(path):
    """True if the ELF file at path is dynamically linked (has PT_INTERP)."""
    with open(path, "rb") as f:
        hdr = f.read(64)
        if hdr[:4] != b"\x7fELF" or hdr[4] != 2:
            return True
        phoff, = struct.unpack_from("<Q", hdr, 0x20)
        phentsize, phnum = struct.unpack_from("<HH", hdr, 0x36)
        f.seek(phoff)
        ph = f.read(phentsize * phnum)
    for i in range(phnum):
        if struct.unpack_from("<I", ph, i * phentsize)[0] == 3:
            return True
    return False


def elf_symbol(path, name):
    """Value of symbol `name` in the .symtab of ELF64 file `path`, or None."""
    import mmap
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
        if m[:4] != b"\x7fELF" or m[4] != 2:
            return None
        shoff, = struct.unpack_from("<Q", m, 0x28)
        shentsize, shnum = struct.unpack_from("<HH", m, 0x3A)
        secs = [struct.unpack_from("<IIQQQQIIQQ", m, shoff + i * shentsize)
                for i in range(shnum)]
        want = name.encode()
        for s in secs:
            if s[1] != 2:       # SHT_SYMTAB
                continue
            strtab = secs[s[6]]
            stroff = strtab[4]
            off, size, entsize = s[4], s[5], s[9] or 24
            for o in range(off, off + size, entsize):
                st_name, = struct.unpack_from("<I", m, o)
                if m[stroff + st_name:stroff + st_name + len(want) + 1] == want + b"\0":
                    return struct.unpack_from("<Q", m, o + 8)[0]
    return None


# -------------------------------------------------------------- host deps

_apt_lock = threading.Lock()
_apt_updated = False


def apt_env():
    env = dict(os.environ)
    env["DEBIAN_FRONTEND"] = "noninteractive"
    env["PATH"] = env.get("PATH", "") + ":" + TOOL_PATH
    return env


def apt_update():
    global _apt_updated
    if _apt_updated:
        return
    log("apt-get update")
    run(["apt-get", "update"], "apt-get update", env=apt_env(), timeout=900)
    _apt_updated = True


def apt_install(pkgs):
    if not pkgs:
        return
    if os.geteuid() != 0:
        raise GenError("missing host packages: %s\nrun as root or install them: "
                       "apt-get install -y --no-install-recommends %s"
                       % (" ".join(pkgs), " ".join(pkgs)))
    with _apt_lock:
        apt_update()
        log("apt-get install %s" % " ".join(pkgs))
        run(["apt-get", "install", "-y", "--no-install-recommends"] + pkgs,
            "apt-get install", env=apt_env(), timeout=1800)


def find_busybox():
    for p in ("/bin/busybox", "/usr/bin/busybox", "/sbin/busybox", "/usr/sbin/busybox"):
        if os.path.isfile(p) and not elf_has_interp(p):
            return p
    return None


def headers_dir(release):
    """Where the kernel's headers are: installed, or for a kernel of
    another suite unpacked into the cache (unpack_suite_headers)."""
    short = kernel_short(release)
    if short in KERNEL_SUITES:
        return os.path.join(cache_dir(), "kernels", release, "headers", "usr", "src",
                            "linux-headers-%s" % release)
    return "/usr/src/linux-headers-%s" % release


def unpack_suite_headers(short):
    """linux-headers-<rel>, its -common and linux-kbuild, unpacked with
    dpkg-deb -x into kernels/<rel>/headers; the headers' Makefile, which
    includes the common tree by its installed path, is pointed at the
    unpacked one (the kbuild symlinks are relative)."""
    release = KERNELS[short]
    hdr = headers_dir(release)
    makefile = os.path.join(hdr, "Makefile")
    if os.path.isfile(makefile) and os.path.exists(makefile + ".vmca"):
        return
    root = os.path.join(cache_dir(), "kernels", release, "headers")
    rmtree(root)
    os.makedirs(root)
    for pkg in SUITE_HEADER_PACKAGES[short]:
        deb = find_deb(pkg, KERNEL_SUITES[short])
        log("%s: unpacking %s" % (release, os.path.basename(deb)))
        run(["dpkg-deb", "-x", deb, root], "dpkg-deb -x " + deb, timeout=600)
    with open(makefile) as f:
        text = f.read()
    new = re.sub(r"^include /usr/src/", "include %s/usr/src/" % root, text, flags=re.M)
    if new == text:
        raise GenError("%s: unexpected headers Makefile: %r" % (release, text[:200]))
    atomic_write(makefile, new.encode())
    atomic_write(makefile + ".vmca", b"unpacked by generate.py\n")


def have_static_libc():
    """libc.a for gcc -static (libc6-dev; gcc only recommends it)."""
    try:
        out = subprocess.run(["gcc", "-print-file-name=libc.a"], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, env=apt_env()).stdout.decode().strip()
    except OSError:
        return False
    return os.path.isabs(out) and os.path.isfile(out)


def ensure_tools():
    """Install missing host tools with apt-get (before anything asks one
    its version: which kinds a kernel gets depends on makedumpfile's)."""
    missing = [pkg for cmd, pkg in HOST_TOOLS if not which(cmd)]
    if missing:
        apt_install(sorted(set(missing)))


def ensure_host(releases):
    """Install missing host tools and kernel headers with apt-get."""
    missing = []
    for cmd, pkg in HOST_TOOLS:
        if not which(cmd) and pkg not in missing:
            missing.append(pkg)
    if not find_busybox():
        missing.append("busybox-static")
    if which("gcc") and not have_static_libc():
        missing.append("libc6-dev")
    if missing:
        apt_install(missing)
    for cmd, pkg in HOST_TOOLS:
        if not which(cmd):
            raise GenError("%s still missing after installing %s" % (cmd, pkg))
    if not find_busybox():
        raise GenError("no statically linked busybox found after installing busybox-static")
    if not have_static_libc():
        if "libc6-dev" not in missing:
            apt_install(["libc6-dev"])
        if not have_static_libc():
            raise GenError("gcc -static needs libc.a (package libc6-dev), still missing")
    for rel in releases:
        if kernel_short(rel) in KERNEL_SUITES:
            unpack_suite_headers(kernel_short(rel))
            continue
        if os.path.isfile(os.path.join(headers_dir(rel), "Makefile")):
            continue
        pkg = "linux-headers-" + rel
        try:
            apt_install([pkg])
        except GenError as e:
            debs = glob.glob(os.path.join(cache_dir(), "debs", pkg + "_*.deb"))
            if not debs or os.geteuid() != 0:
                raise
            log("installing %s from %s (%s)" % (pkg, debs[0], str(e).split("\n")[0]))
            apt_install([os.path.abspath(debs[0])])
        if not os.path.isfile(os.path.join(headers_dir(rel), "Makefile")):
            raise GenError("%s installed but %s/Makefile is missing" % (pkg, headers_dir(rel)))


def machine_archive():
    """(URI, signed-by keyring or None) of the Debian archive the machine's
    apt sources name for its own release's main suite (deb822 .sources or
    one-line .list files)."""
    codename = None
    with contextlib.suppress(OSError):
        with open("/etc/os-release") as f:
            m = re.search(r"^VERSION_CODENAME=\"?(\w+)", f.read(), re.M)
            codename = m.group(1) if m else None
    if not codename:
        raise GenError("cannot tell the machine's Debian release (/etc/os-release)")
    files = sorted(glob.glob("/etc/apt/sources.list.d/*.sources")) + \
        ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list"))
    for path in files:
        try:
            with open(path) as f:
                text = f.read()
        except OSError:
            continue
        if path.endswith(".sources"):
            for stanza in re.split(r"\n\s*\n", text):
                fields = {}
                for line in stanza.splitlines():
                    m = re.match(r"^([A-Za-z-]+):\s*(.*)$", line)
                    if m:
                        fields[m.group(1).lower()] = m.group(2).split()
                if "deb" in fields.get("types", []) and codename in fields.get("suites", []) \
                        and "main" in fields.get("components", []) and fields.get("uris"):
                    signed = fields.get("signed-by")
                    return fields["uris"][0], signed[0] if signed else None
        else:
            for line in text.splitlines():
                m = re.match(r"^deb\s+(?:\[([^]]*)\]\s+)?(\S+)\s+(\S+)\s+(.*)$", line.strip())
                if m and m.group(3) == codename and "main" in m.group(4).split():
                    signed = re.search(r"signed-by=(\S+)", m.group(1) or "")
                    return m.group(2), signed.group(1) if signed else None
    raise GenError("no apt source for Debian %s main found in /etc/apt" % codename)


_suite_updated = set()


def suite_apt_options(suite):
    """apt options for a private configuration reaching `suite` of the
    machine's archive: own sources list, lists and cache under
    $DIR/apt/<suite>, the machine's sources ignored. Runs apt-get update
    on it once per run."""
    base = os.path.join(cache_dir(), "apt", suite)
    for d in ("lists/partial", "cache/archives/partial"):
        os.makedirs(os.path.join(base, d), exist_ok=True)
    uri, keyring = machine_archive()
    sources = os.path.join(base, "sources.list")
    line = "deb %s%s %s main\n" % ("[signed-by=%s] " % keyring if keyring else "", uri, suite)
    if not os.path.exists(sources) or open(sources).read() != line:
        atomic_write(sources, line.encode())
    opts = ["-o", "Dir::Etc::sourcelist=" + sources, "-o", "Dir::Etc::sourceparts=-",
            "-o", "Dir::State::Lists=" + os.path.join(base, "lists"),
            "-o", "Dir::Cache=" + os.path.join(base, "cache")]
    if suite not in _suite_updated:
        log("apt-get update (private, %s %s)" % (uri, suite))
        run(["apt-get"] + opts + ["update"], "apt-get update for %s" % suite,
            env=apt_env(), timeout=900)
        _suite_updated.add(suite)
    return opts


def find_deb(pkg, suite=None):
    """Path of pkg's .deb in $DIR/debs, downloading it with apt-get if
    missing (from `suite` of the machine's archive, with a private apt
    configuration, if given)."""
    debdir = os.path.join(cache_dir(), "debs")
    os.makedirs(debdir, exist_ok=True)

    def local():
        found = sorted(glob.glob(os.path.join(debdir, glob.escape(pkg) + "_*.deb")))
        return found[-1] if found else None

    deb = local()
    if deb:
        return deb
    tmp = tempfile.mkdtemp(prefix=".download-", dir=debdir)
    try:
        os.chmod(tmp, 0o755)
        with _apt_lock:
            log("apt-get download %s%s" % (pkg, " (%s)" % suite if suite else ""))
            if suite:
                run(["apt-get"] + suite_apt_options(suite) + ["download", pkg],
                    "apt-get download " + pkg, cwd=tmp, env=apt_env(), timeout=1800)
            else:
                try:
                    run(["apt-get", "download", pkg], "apt-get download " + pkg,
                        cwd=tmp, env=apt_env(), timeout=1800)
                except GenError:
                    if _apt_updated or os.geteuid() != 0:
                        raise
                    apt_update()
                    run(["apt-get", "download", pkg], "apt-get download " + pkg,
                        cwd=tmp, env=apt_env(), timeout=1800)
        got = glob.glob(os.path.join(tmp, "*.deb"))
        if len(got) != 1:
            raise GenError("apt-get download %s produced %r" % (pkg, got))
        dst = os.path.join(debdir, os.path.basename(got[0]))
        os.replace(got[0], dst)
        return dst
    finally:
        rmtree(tmp)


def deb_members(deb, want):
    """Stream deb's data tarball (dpkg-deb --fsys-tarfile) and extract
    regular files: want(name) returns the destination path or None; once
    want.done() is true the rest of the archive is skipped."""
    p = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", deb],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    got = []
    stop = False
    error = None
    try:
        with tarfile.open(fileobj=p.stdout, mode="r|") as tf:
            for ti in tf:
                if _abort.is_set():
                    raise OSError("aborted")
                if not ti.isreg():
                    continue
                dest = want(ti.name)
                if not dest:
                    continue
                src = tf.extractfile(ti)
                tmp = dest + ".tmp-%d" % os.getpid()
                with open(tmp, "wb") as out:
                    shutil.copyfileobj(src, out, 1 << 20)
                os.replace(tmp, dest)
                got.append(ti.name)
                if want.done():
                    stop = True
                    break
    except (tarfile.TarError, OSError) as e:
        stop = True
        error = e
    finally:
        if stop:
            # Closing our end makes dpkg-deb's decompressor die of SIGPIPE.
            p.kill()
            p.stdout.close()
        else:
            p.stdout.read()
            p.stdout.close()
        err = p.stderr.read().decode("utf-8", "replace")
        p.stderr.close()
        p.wait()
    if error is not None:
        raise GenError("reading %s: %s %s" % (deb, error, err.strip()))
    if not stop and p.returncode != 0:
        raise GenError("dpkg-deb --fsys-tarfile %s failed: %s" % (deb, err.strip()))
    return got


def decompress_module(path):
    """foo.ko.xz/.zst/.gz -> foo.ko (in place); returns the .ko path."""
    if path.endswith(".ko"):
        return path
    base, ext = os.path.splitext(path)
    tmp = base + ".tmp"
    if ext == ".xz":
        with lzma.open(path) as src, open(tmp, "wb") as dst:
            shutil.copyfileobj(src, dst)
    elif ext == ".gz":
        import gzip
        with gzip.open(path) as src, open(tmp, "wb") as dst:
            shutil.copyfileobj(src, dst)
    elif ext == ".zst":
        with open(tmp, "wb") as dst:
            run(["zstd", "-d", "-c", path], "zstd -d", stdout=dst)
    else:
        raise GenError("unknown module compression: " + path)
    os.replace(tmp, base)
    os.unlink(path)
    return base


def modinfo_depends(ko):
    with open(ko, "rb") as f:
        data = f.read()
    m = re.search(rb"(?:^|\0)depends=([^\0]*)\0", data)
    if not m or not m.group(1):
        return []
    return m.group(1).decode().split(",")


# ------------------------------------------------------------ guest tools

_guest_tools_lock = threading.Lock()


def guest_tool_path(name):
    return os.path.join(cache_dir(), "build", "guest", name)


def build_guest_tools():
    """guest/<source> -> build/guest/<name>: static binaries for the
    initramfs (kernel-independent; built once, rebuilt when the source
    changes)."""
    with _guest_tools_lock:
        d = os.path.join(cache_dir(), "build", "guest")
        os.makedirs(d, exist_ok=True)
        for name, source in GUEST_TOOLS.items():
            src = os.path.join(GUEST_SRC, source)
            cmd = ["gcc", "-static", "-O2", "-s", "-Wall", "-o", None, src]
            digest = sha256_files([src], " ".join(c for c in cmd if c and c != src).encode())
            out = guest_tool_path(name)
            stamp = out + ".sha256"
            if os.path.exists(out) and os.path.exists(stamp):
                with open(stamp) as f:
                    if f.read().strip() == digest:
                        continue
            log("building guest tool %s" % name)
            cmd[cmd.index(None)] = out + ".tmp"
            run(cmd, "building %s (gcc -static)" % name, env=apt_env(), timeout=300)
            if elf_has_interp(out + ".tmp"):
                raise GenError("%s is not statically linked" % out)
            os.replace(out + ".tmp", out)
            atomic_write(stamp, digest.encode() + b"\n")


# ----------------------------------------------------------------- kernel

class Kernel:
    def __init__(self, short):
        self.short = short
        self.release = KERNELS[short]
        self.suite = KERNEL_SUITES.get(short)
        self.dir = os.path.join(cache_dir(), "kernels", self.release)
        self.vmlinuz = os.path.join(self.dir, "vmlinuz")
        self.vmlinux = os.path.join(self.dir, "vmlinux")
        self.config = os.path.join(self.dir, "config")
        self.moddir = os.path.join(self.dir, "modules")
        self.oops_ko = os.path.join(self.dir, "vmca_oops.ko")
        self.test_kos = {m: os.path.join(self.dir, m + ".ko") for m in TEST_MODULES}
        self.initrd = os.path.join(self.dir, "initrd.img")
        self.capture_modules = None   # list of module names (load order)
        self._text = None
        self.vmlinux_future = None

    def prepare_boot(self):
        self.prepare_image()
        self.build_modules()
        build_guest_tools()
        self.build_initrd()

    # image deb: vmlinuz, config, modules.builtin and the few .ko we need
    def prepare_image(self):
        stamp = os.path.join(self.dir, ".image-ok")
        if os.path.exists(stamp) and os.path.exists(self.vmlinuz):
            with open(stamp) as f:
                self.capture_modules = json.load(f)["capture_modules"]
            if all(os.path.exists(os.path.join(self.moddir, m + ".ko"))
                   for m in FIRST_MODULES + self.capture_modules):
                return
        os.makedirs(self.moddir, exist_ok=True)
        deb = find_deb("linux-image-" + self.release, self.suite)
        log("%s: extracting vmlinuz and modules from %s" % (self.release, os.path.basename(deb)))
        rel = re.escape(self.release)
        names = FIRST_MODULES + CAPTURE_MODULES + CAPTURE_MODULE_DEPS
        ko_re = re.compile(r"^\./(?:usr/)?lib/modules/%s/kernel/.*/(%s)\.ko(\.xz|\.zst|\.gz)?$"
                           % (rel, "|".join(map(re.escape, names))))
        found = {}
        builtin_path = os.path.join(self.dir, "modules.builtin")

        def want(name):
            if name == "./boot/vmlinuz-" + self.release:
                return self.vmlinuz
            if name == "./boot/config-" + self.release:
                return self.config
            if re.match(r"^\./(?:usr/)?lib/modules/%s/modules\.builtin$" % rel, name):
                return builtin_path
            m = ko_re.match(name)
            if m:
                found[m.group(1)] = os.path.join(self.moddir, m.group(1) + ".ko" + (m.group(2) or ""))
                return found[m.group(1)]
            return None
        want.done = lambda: False
        deb_members(deb, want)
        for p in (self.vmlinuz, self.config, builtin_path):
            if not os.path.exists(p):
                raise GenError("%s: %s not found in %s" % (self.release, os.path.basename(p), deb))
        for name in list(found):
            found[name] = decompress_module(found[name])
        with open(builtin_path) as f:
            builtin = {os.path.basename(l.strip())[:-3] for l in f if l.strip().endswith(".ko")}
        builtin = {b.replace("-", "_") for b in builtin}
        for name in FIRST_MODULES + CAPTURE_MODULES:
            if name not in found and name not in builtin:
                raise GenError("%s: module %s is neither in %s nor built in"
                               % (self.release, name, os.path.basename(deb)))
        # dependency check + load order (requested order, deps first)
        order = []

        def add(name, stack=()):
            if name in order or name in builtin:
                return
            if name not in found:
                raise GenError("%s: module %s (needed by %s) not extracted"
                               % (self.release, name, stack[-1] if stack else "?"))
            if name in stack:
                raise GenError("module dependency loop: %s" % " -> ".join(stack + (name,)))
            for dep in modinfo_depends(found[name]):
                add(dep.replace("-", "_"), stack + (name,))
            order.append(name)
        for name in FIRST_MODULES:
            for dep in modinfo_depends(found[name]) if name in found else []:
                if dep.replace("-", "_") not in builtin:
                    raise GenError("%s: %s needs module %s; not supported" % (self.release, name, dep))
        for name in CAPTURE_MODULES:
            add(name)
        self.capture_modules = order
        log("%s: capture kernel modules: %s" % (self.release, " ".join(order) or "(all built in)"))
        write_json(stamp, {"capture_modules": order})

    def prepare_vmlinux(self):
        if os.path.exists(self.vmlinux):
            return
        os.makedirs(self.dir, exist_ok=True)
        deb = find_deb("linux-image-%s-dbg" % self.release, self.suite)
        log("%s: extracting vmlinux from %s" % (self.release, os.path.basename(deb)))
        target = "./usr/lib/debug/boot/vmlinux-" + self.release
        state = {"done": False}

        def want(name):
            if name == target:
                state["done"] = True
                return self.vmlinux
            return None
        want.done = lambda: state["done"]
        deb_members(deb, want)
        if not os.path.exists(self.vmlinux):
            raise GenError("%s not found in %s" % (target, deb))
        log("%s: vmlinux ready (%d MB)" % (self.release, os.path.getsize(self.vmlinux) >> 20))

    def build_modules(self):
        for name in TEST_MODULES:
            self.build_module(name)

    def build_module(self, name):
        """modules/<name>.c -> kernels/<rel>/<name>.ko, each module in its
        own build directory (build/<rel>/<name>) with its own Kbuild, so a
        change to one module does not rebuild the others."""
        src = os.path.join(MODULE_SRC, name + ".c")
        makefile = os.path.join(MODULE_SRC, "Makefile")
        kbuild = ("obj-m += %s.o\n" % name).encode()
        digest = sha256_files([makefile, src], self.release.encode() + b"\0" + kbuild)
        ko_out = self.test_kos[name]
        stamp = ko_out + ".sha256"
        if os.path.exists(ko_out) and os.path.exists(stamp):
            with open(stamp) as f:
                if f.read().strip() == digest:
                    return
        hdr = headers_dir(self.release)
        bdir = os.path.join(cache_dir(), "build", self.release, name)
        rmtree(bdir)
        os.makedirs(bdir)
        shutil.copy(src, bdir)
        shutil.copy(makefile, bdir)
        atomic_write(os.path.join(bdir, "Kbuild"), kbuild)
        log("%s: building %s.ko" % (self.release, name))
        make = ["make", "-C", hdr, "M=" + bdir]
        if self.suite:
            make.append("CC=gcc")
        run(make + ["modules"], "building %s.ko for %s" % (name, self.release),
            env=apt_env(), timeout=600)
        ko = os.path.join(bdir, name + ".ko")
        if not os.path.exists(ko):
            raise GenError("make succeeded but %s is missing" % ko)
        shutil.copy(ko, ko_out + ".tmp")
        os.replace(ko_out + ".tmp", ko_out)
        atomic_write(stamp, digest.encode() + b"\n")

    def build_initrd(self):
        """initrd.img = base cpio + cpio with /vmlinuz and /initrd.img (=base).

        The capture kernel gets the base archive (same /init), which sees
        /proc/vmcore and saves the dump."""
        base = Cpio()
        busybox = find_busybox()
        for d in ("bin", "sbin", "usr", "usr/bin", "usr/sbin", "lib", "lib64",
                  "proc", "sys", "dev", "tmp", "root", "etc", "modules", "frag",
                  "mnt"):
            base.dir(d)
        base.node("dev/console", 0o020600, 5, 1)
        base.node("dev/null", 0o020666, 1, 3)
        base.file("bin/busybox", busybox, 0o755)
        applets = subprocess.run([busybox, "--list"], stdout=subprocess.PIPE,
                                 check=True).stdout.decode().split()
        for a in applets:
            if a != "busybox":
                base.symlink("bin/" + a, "busybox")
        base.file("init", GUEST_INIT, 0o755)
        for tool in ("kexec", "makedumpfile"):
            path = which(tool)
            base.file("sbin/" + tool, path, 0o755)
            for lib in ldd(path):
                base.file(lib.lstrip("/"), lib, 0o755, mkdirs=True)
        for name in FIRST_MODULES + self.capture_modules:
            base.file("modules/%s.ko" % name, os.path.join(self.moddir, name + ".ko"), 0o644)
        base.data("modules/capture.list", "".join(m + "\n" for m in self.capture_modules).encode())
        for name in TEST_MODULES:
            base.file(name + ".ko", self.test_kos[name], 0o644)
        for name in GUEST_TOOLS:
            base.file("sbin/" + name, guest_tool_path(name), 0o755)
        base_img = base.finish()
        extra = Cpio()
        extra.file("vmlinuz", self.vmlinuz, 0o644)
        extra.data("initrd.img", base_img)
        atomic_write(self.initrd, base_img + extra.finish())

    def dump_level(self):
        """makedumpfile -d level for this kernel's kdump (see DUMP_LEVEL)."""
        if needs_low_dump_level(self.release):
            return DUMP_LEVEL_NEW_PAGE_TYPES
        return DUMP_LEVEL

    def kaslr_text(self):
        if self.vmlinux_future is not None:
            try:
                self.vmlinux_future.result()
            except Exception as e:
                raise BootFailed("vmlinux of %s unavailable: %s" % (self.release, e), fatal=True)
        if self._text is None:
            self._text = elf_symbol(self.vmlinux, "_text")
        return self._text


_qemu_version = None


def qemu_version():
    global _qemu_version
    if _qemu_version is None:
        out = run([which("qemu-system-x86_64"), "--version"], "qemu --version").stdout.decode()
        _qemu_version = out.split("\n")[0].strip()
    return _qemu_version


_mdf_version = None


def makedumpfile_version():
    global _mdf_version
    if _mdf_version is None:
        out = run(["makedumpfile", "-v"], "makedumpfile -v").stdout.decode()
        m = re.search(r"version (\d+)\.(\d+)\.(\d+)", out)
        if not m:
            raise GenError("cannot parse makedumpfile -v output: %r" % out[:200])
        _mdf_version = tuple(int(x) for x in m.groups())
    return _mdf_version


def ldd(path):
    """Shared libraries (incl. the dynamic loader) of path, as absolute paths."""
    out = run(["ldd", path], "ldd " + path).stdout.decode()
    libs = []
    for line in out.splitlines():
        line = line.strip()
        m = re.match(r"^\S+\s+=>\s+(/\S+)\s+\(", line) or re.match(r"^(/\S+)\s+\(", line)
        if m:
            libs.append(m.group(1))
        elif "not found" in line:
            raise GenError("ldd %s: %s" % (path, line))
    return libs


class Cpio:
    """Minimal writer of a newc cpio archive (what the kernel unpacks)."""

    def __init__(self):
        self.parts = []
        self.ino = 1
        self.seen = set()

    def _entry(self, name, mode, data=b"", rdev=(0, 0)):
        if name in self.seen:
            return
        self.seen.add(name)
        nameb = name.encode() + b"\0"
        hdr = "070701" + "".join("%08X" % v for v in (
            self.ino, mode, 0, 0, 2 if mode & 0o040000 else 1, 0, len(data),
            0, 0, rdev[0], rdev[1], len(nameb), 0))
        self.ino += 1
        blob = hdr.encode() + nameb
        blob += b"\0" * (-len(blob) % 4)
        blob += data
        blob += b"\0" * (-len(blob) % 4)
        self.parts.append(blob)

    def dir(self, name):
        self._entry(name, 0o040755)

    def _parents(self, name):
        parts = name.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            self.dir("/".join(parts[:i]))

    def file(self, name, src, mode, mkdirs=False):
        if mkdirs:
            self._parents(name)
        with open(src, "rb") as f:
            self._entry(name, 0o100000 | mode, f.read())

    def data(self, name, data, mode=0o644):
        self._entry(name, 0o100000 | mode, data)

    def symlink(self, name, target):
        self._entry(name, 0o120777, target.encode())

    def node(self, name, mode, major, minor):
        self._entry(name, mode, rdev=(major, minor))

    def finish(self):
        self._entry("TRAILER!!!", 0)
        data = b"".join(self.parts)
        return data + b"\0" * (-len(data) % 512)


# -------------------------------------------------------------------- QMP

class QMP:
    def __init__(self, path, proc, timeout):
        deadline = time.monotonic() + timeout
        self.sock = None
        while True:
            if proc.poll() is not None:
                raise BootFailed("QEMU exited (code %s) before its QMP socket came up" % proc.returncode)
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(path)
                self.sock = s
                break
            except OSError:
                s.close()
                if time.monotonic() > deadline:
                    raise BootFailed("QMP socket %s did not come up in %ds" % (path, timeout))
                time.sleep(0.05)
        self.buf = b""
        self.events = []
        self.id = 0
        greeting = self._recv(timeout)
        if "QMP" not in greeting:
            raise BootFailed("unexpected QMP greeting: %r" % greeting)
        self.cmd("qmp_capabilities")

    def _recv(self, timeout):
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BootFailed("QMP: no answer in %ds" % timeout)
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            if not chunk:
                raise BootFailed("QMP: connection closed by QEMU")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line.decode("utf-8", "replace"))

    def cmd(self, name, timeout=60, **args):
        self.id += 1
        req = {"execute": name, "id": self.id}
        if args:
            req["arguments"] = args
        self.sock.sendall(json.dumps(req).encode() + b"\n")
        deadline = time.monotonic() + timeout
        while True:
            msg = self._recv(max(0.1, deadline - time.monotonic()))
            if "event" in msg:
                self.events.append(msg)
                continue
            if msg.get("id") != self.id:
                continue
            if "error" in msg:
                raise BootFailed("QMP %s: %s" % (name, msg["error"].get("desc", msg["error"])))
            return msg.get("return")

    def close(self):
        if self.sock:
            with contextlib.suppress(OSError):
                self.sock.close()
            self.sock = None


class Ctl:
    """The host's end of the guest's third serial port (ttyS2): the answers
    to the guest's requests on the truth port ("warm", "go")."""

    def __init__(self, path, proc, timeout):
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise BootFailed("QEMU exited (code %s) before its ttyS2 socket came up"
                                 % proc.returncode)
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(path)
                self.sock = s
                return
            except OSError:
                s.close()
                if time.monotonic() > deadline:
                    raise BootFailed("ttyS2 socket %s did not come up in %ds" % (path, timeout))
                time.sleep(0.05)

    def send(self, word):
        try:
            self.sock.sendall(word.encode() + b"\n")
        except OSError as e:
            raise BootFailed("writing %r to the guest's ttyS2: %s" % (word, e))

    def close(self):
        if self.sock:
            with contextlib.suppress(OSError):
                self.sock.close()
            self.sock = None


# ------------------------------------------------------------------- boot

_procs_lock = threading.Lock()
_procs = set()
_abort = threading.Event()      # set on error/interrupt: stop all boots now


def check_abort():
    if _abort.is_set():
        raise BootFailed("aborted", fatal=True)


def kill_all_qemu():
    with _procs_lock:
        procs = list(_procs)
    for p in procs:
        with contextlib.suppress(OSError):
            p.kill()


class Boot:
    """One QEMU boot of kernel k for scenario; mode 'qemu' or 'kdump'."""

    def __init__(self, k, scenario, mode, workdir):
        self.k = k
        self.scenario = scenario
        self.mode = mode
        self.work = workdir
        self.console = os.path.join(workdir, "console.log")
        self.truthlog = os.path.join(workdir, "truth.log")
        self.proc = None
        self.qmp = None
        self.ctl = None
        self.sockdir = None
        # How the guest's two truth rounds relate to the dump (guest/init
        # decides the same way and reports it; build_truth checks).
        self.bracket = ("before" if mode == "kdump" or scenario in OOPS_SCENARIOS
                        else "around")
        # Bytes of the console when the VM was stopped for the dump
        # ("around": the guest prints on after it); None = all of it.
        self.console_at_dump = None
        self.stopped_after_read_s = None
        self.crash_seen_after_read_s = None
        self.cmdline = "%s vmca.scenario=%s vmca.kind=%s" % (BASE_CMDLINE, scenario, mode)
        extra = CRASH_SCENARIOS.get(scenario, {}).get("cmdline") or \
            SCENARIO_CMDLINE.get(scenario)
        if extra:
            self.cmdline += " " + extra
        self.kinds = [kd for kd in UNIT_KINDS[mode] if kd in scenario_kinds(scenario, k.release)]
        if mode == "kdump":
            self.dump_level = k.dump_level()
            self.cmdline += " crashkernel=%s vmca.dumplevel=%d" % (CRASHKERNEL, self.dump_level)
            if "kdump-d31" in self.kinds:
                self.cmdline += " vmca.dumplevel2=%d" % DUMP_LEVEL
        self.memory_mb = QEMU_MEMORY_MB
        self.args = None

    def label(self):
        return "%s/%s/%s" % (self.k.release, self.scenario, self.mode)

    def read(self, path):
        try:
            with open(path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def console_text(self):
        """The console up to the dump (all of it for a crash)."""
        try:
            with open(self.console, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            return ""
        if self.console_at_dump is not None:
            data = data[:self.console_at_dump]
        return data.decode("utf-8", "replace")

    def console_tail(self, n=25):
        text = self.read(self.console).replace("\r", "")
        return tail(text, n) if text.strip() else "    (console empty)"

    def start(self):
        rmtree(self.work)
        os.makedirs(self.work)
        self.sockdir = tempfile.mkdtemp(prefix="vmca-qmp-")
        qmp_path = os.path.join(self.sockdir, "qmp.sock")
        ctl_path = os.path.join(self.sockdir, "ctl.sock")
        args = [which("qemu-system-x86_64"),
                "-accel", "tcg",
                "-cpu", "max,la57=off",
                "-m", str(self.memory_mb),
                "-smp", "2",
                "-nographic", "-monitor", "none", "-nic", "none",
                "-no-reboot",
                "-device", "vmcoreinfo",
                "-kernel", self.k.vmlinuz,
                "-initrd", self.k.initrd,
                "-append", self.cmdline,
                "-serial", "file:" + self.console,      # ttyS0: kernel console
                "-serial", "file:" + self.truthlog,     # ttyS1: ground truth
                "-chardev", "socket,id=ctl,path=%s,server=on,wait=off" % ctl_path,
                "-serial", "chardev:ctl",               # ttyS2: the host's answers
                "-qmp", "unix:%s,server,nowait" % qmp_path]
        if self.mode == "kdump":
            self.disk = os.path.join(self.work, "disk.img")
            with open(self.disk, "wb") as f:
                f.truncate(2 << 30)     # sparse; holds the flattened dump
            args += ["-drive", "file=%s,format=raw,if=virtio" % self.disk.replace(",", ",,")]
            if "kdump-d31" in self.kinds:
                self.disk2 = os.path.join(self.work, "disk2.img")
                with open(self.disk2, "wb") as f:
                    f.truncate(2 << 30)
                args += ["-drive", "file=%s,format=raw,if=virtio" % self.disk2.replace(",", ",,")]
        self.args = args
        with open(os.path.join(self.work, "qemu.args"), "w") as f:
            f.write(" ".join(args) + "\n")
        # setpriv --pdeathsig: QEMU dies with us (a panicked guest spins
        # forever and would otherwise keep burning a CPU).
        setpriv = which("setpriv")
        if setpriv:
            args = [setpriv, "--pdeathsig", "KILL", "--"] + args
        self.qemu_err = open(os.path.join(self.work, "qemu.stderr"), "wb")
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=self.qemu_err,
                                     stderr=subprocess.STDOUT, cwd=self.work)
        with _procs_lock:
            _procs.add(self.proc)
        self.qmp = QMP(qmp_path, self.proc, T_QMP_CONNECT * timeout_scale())
        self.ctl = Ctl(ctl_path, self.proc, T_QMP_CONNECT * timeout_scale())

    def stop_qemu(self):
        if self.qmp:
            self.qmp.close()
            self.qmp = None
        if self.ctl:
            self.ctl.close()
            self.ctl = None
        if self.proc:
            if self.proc.poll() is None:
                self.proc.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(30)
            with _procs_lock:
                _procs.discard(self.proc)
        if self.sockdir:
            rmtree(self.sockdir)
            self.sockdir = None
        if getattr(self, "qemu_err", None):
            self.qemu_err.close()
            self.qemu_err = None

    def qemu_error(self):
        return self.read(os.path.join(self.work, "qemu.stderr")).strip()

    def wait_for(self, what, cond, timeout, allow_exit=False):
        """Poll until cond() is true.  cond may raise BootFailed.  Returns
        when the last poll that found cond() false began: what made it
        true happened after that."""
        deadline = time.monotonic() + timeout * timeout_scale()
        t_false = time.monotonic()
        while True:
            check_abort()
            t_poll = time.monotonic()
            if cond():
                return t_false
            t_false = t_poll
            if self.proc.poll() is not None and not allow_exit:
                if cond():
                    return
                raise BootFailed("QEMU exited (code %s) while waiting for %s\n  qemu: %s\n  console tail:\n%s"
                                 % (self.proc.returncode, what, self.qemu_error() or "-",
                                    self.console_tail()))
            if time.monotonic() > deadline:
                raise BootFailed("timed out after %ds waiting for %s\n  console tail:\n%s"
                                 % (timeout * timeout_scale(), what, self.console_tail()))
            time.sleep(0.02)

    def check_console(self):
        """Fail fast on things that will not get better by waiting."""
        text = self.read(self.console)
        m = re.search(r"VMCA: kexec -p: (failed\S*)", text)
        if m:
            raise BootFailed("kexec -p failed in the guest (%s)\n  console tail:\n%s"
                             % (m.group(1), self.console_tail()), fatal=True)
        m = re.search(r"VMCA-CAPTURE-END rc=(\d+)", text)
        if m and m.group(1) != "0":
            raise BootFailed("makedumpfile failed in the capture kernel (rc=%s)\n  console tail:\n%s"
                             % (m.group(1), self.console_tail(40)), fatal=True)
        return False

    def truth_has(self, marker):
        """cond for wait_for: the guest printed the line `marker` on the
        truth port."""
        def cond():
            self.check_console()
            return re.search("^%s\r?$" % re.escape(marker), self.read(self.truthlog),
                             re.M) is not None
        return cond

    def dump(self, path, **args):
        self.qmp.cmd("dump-guest-memory", protocol="file:" + path, detach=True, **args)
        deadline = time.monotonic() + T_DUMP * timeout_scale()
        while True:
            check_abort()
            st = self.qmp.cmd("query-dump")
            if st.get("status") == "completed":
                break
            if st.get("status") == "failed":
                raise BootFailed("dump-guest-memory %s failed" % args)
            if time.monotonic() > deadline:
                raise BootFailed("dump-guest-memory %s did not finish in %ds" % (args, T_DUMP))
            time.sleep(0.1)
        if not os.path.exists(path) or os.path.getsize(path) == 0:
            raise BootFailed("dump-guest-memory wrote nothing to %s" % path)

    def run(self):
        """Boot, crash or stop, dump.  Returns {kind: vmcore path in workdir}."""
        t0 = time.monotonic()
        try:
            self.start()
            # Every file the truth reads is read once, then the guest asks
            # for one answer on ttyS2 (which allocates its input buffer).
            self.wait_for("the guest's warm-up (VMCA-TRUTH-WARM on ttyS1)",
                          self.truth_has("VMCA-TRUTH-WARM"), T_BOOT)
            self.ctl.send("warm")
            if self.mode == "qemu" and self.bracket == "around":
                return self._run_qemu_around(t0)
            if self.mode == "qemu":
                return self._run_qemu_before(t0)
            return self._run_kdump(t0)
        finally:
            self.stop_qemu()

    def _dump_both(self, t0):
        t_stop = time.monotonic()
        log("%s: guest stopped %.1fs after start; dumping" % (self.label(), t_stop - t0))
        out = {}
        if "qemu-kdump" in self.kinds:
            out["qemu-kdump"] = os.path.join(self.work, "vmcore.qemu-kdump")
            self.dump(out["qemu-kdump"], paging=False, format="kdump-zlib")
        if "qemu-elf" in self.kinds:
            out["qemu-elf"] = os.path.join(self.work, "vmcore.qemu-elf")
            self.dump(out["qemu-elf"], paging=True, format="elf")
        log("%s: dumps written in %.1fs" % (self.label(), time.monotonic() - t_stop))
        return out

    def _quit(self):
        with contextlib.suppress(BootFailed):
            self.qmp.cmd("quit")
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(T_QUIT)

    def _run_qemu_around(self, t0):
        """Round 1, stop, dump, run on, round 2."""
        self.wait_for("the guest's request for the dump (VMCA-TRUTH-DUMP)",
                      self.truth_has("VMCA-TRUTH-DUMP"), T_TRUTH)
        self.qmp.cmd("stop")
        # QEMU writes the serial ports synchronously: the file holds
        # everything the guest printed before it stopped.
        self.console_at_dump = os.path.getsize(self.console)
        dumps = self._dump_both(t0)
        self.qmp.cmd("cont")
        self.ctl.send("go")
        self.wait_for("the guest's second truth round (VMCA-TRUTH-DONE)",
                      self.truth_has("VMCA-TRUTH-DONE"), T_TRUTH)
        self._quit()
        return dumps

    def _panic_done(self):
        """panic() ended ("---[ end Kernel panic"), or printed its message
        and then nothing for PANIC_QUIET_S: 5.10's panic() in a double
        fault's context stops the other CPUs and never gets to its last
        line."""
        text = self.read(self.console)
        if "---[ end Kernel panic - not syncing" in text:
            return True
        now = time.monotonic()
        if len(text) != getattr(self, "_panic_len", None):
            self._panic_len, self._panic_since = len(text), now
            return False
        return ("Kernel panic - not syncing" in text
                and now - self._panic_since >= PANIC_QUIET_S)

    def _run_qemu_before(self, t0):
        """Both rounds, then the guest crashes; dump the panicked VM."""
        # The last look at the truth port before round 2's last clock read.
        t_read = self.wait_for("the guest's second round of counters (VMCA-TRUTH-COUNTERS 2)",
                               self.truth_has("VMCA-TRUTH-COUNTERS 2"), T_TRUTH)
        self.wait_for("the guest's ground truth (VMCA-TRUTH-DONE)",
                      self.truth_has("VMCA-TRUTH-DONE"), T_TRUTH)
        self.wait_for("the panic on the console", self._panic_done, T_PANIC)
        self.qmp.cmd("stop")
        if "---[ end Kernel panic" not in self.read(self.console):
            # Ended by the quiet console: the crash was over when the
            # console last grew, not when the host saw it quiet.
            self.crash_seen_after_read_s = self._panic_since - t_read
        # panic() spins with interrupts on, so the guest's clock and its
        # timekeeper run until the stop: at most this long after round 2
        # read the clock (the guest's clock runs with the host's under TCG).
        self.stopped_after_read_s = time.monotonic() - t_read
        dumps = self._dump_both(t0)
        self._quit()
        return dumps

    def _run_kdump(self, t0):
        # The first kernel's clock stops in the crash, before the capture
        # kernel prints its banner: at most this long after round 2's last
        # clock read (the guest's clock runs with the host's under TCG).
        t_read = self.wait_for("the guest's second round of counters (VMCA-TRUTH-COUNTERS 2)",
                               self.truth_has("VMCA-TRUTH-COUNTERS 2"), T_TRUTH)

        # (host time after t_read, console size) at each poll that saw
        # the console grow: when the first kernel's last line came.
        growth = []

        def capture_started():
            self.check_console()
            text = self.read(self.console)
            if not growth or len(text) != growth[-1][1]:
                growth.append((time.monotonic() - t_read, len(text)))
            return capture_banner(text) is not None
        self.wait_for("the capture kernel's banner", capture_started, T_CAPTURE)
        self.stopped_after_read_s = time.monotonic() - t_read
        text = self.read(self.console)
        banner = capture_banner(text)
        end_first = text.rfind("\n", 0, banner) + 1
        self.crash_seen_after_read_s = next(t for t, n in growth if n >= end_first)

        def finished():
            self.check_console()
            return self.proc.poll() is not None
        self.wait_for("the capture kernel to save the dump and power off",
                      finished, T_CAPTURE, allow_exit=True)
        text = self.read(self.console)
        if "VMCA-CAPTURE-END rc=0" not in text:
            raise BootFailed("QEMU exited but the capture kernel did not report success\n"
                             "  qemu: %s\n  console tail:\n%s"
                             % (self.qemu_error() or "-", self.console_tail(40)))
        log("%s: capture done %.1fs after start; rearranging flattened dump"
            % (self.label(), time.monotonic() - t0))
        result = {}
        for kind, disk_path in (("kdump", self.disk), ("kdump-d31", getattr(self, "disk2", None))):
            if kind not in self.kinds:
                continue
            out = os.path.join(self.work, "vmcore." + kind)
            with open(disk_path, "rb") as disk:
                run(["makedumpfile", "-R", out], "makedumpfile -R (flattened -> kdump-compressed)",
                    stdin=disk, stdout=subprocess.DEVNULL, timeout=600)
            with open(out, "rb") as f:
                sig = f.read(8)
            if sig != b"KDUMP   ":
                raise BootFailed("rearranged dump %s has signature %r, not 'KDUMP   '" % (out, sig),
                                 fatal=True)
            os.unlink(disk_path)
            result[kind] = out
        return result


# ------------------------------------------------------------------ truth

KLINE_RE = re.compile(r"\[\s*\d+\.\d+\] ")
OOPS_RE = re.compile(r"^(BUG: |Oops: |general protection fault|kernel BUG at |"
                     r"Unable to handle kernel)")


BANNER_RE = re.compile(r"\] Linux version ")


def capture_banner(text):
    """Where the capture kernel's banner (the console's second "Linux
    version" line) begins in the raw console text, or None."""
    starts = [m.start() for m in BANNER_RE.finditer(text)]
    return starts[1] if len(starts) >= 2 else None


def kernel_lines(text):
    """Kernel printk lines of a raw serial log, '[ ts] msg' as printed."""
    out = []
    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.replace("\r", "")
        m = KLINE_RE.search(line)
        if m:
            out.append(line[m.start():])
    return out


def line_text(kline):
    return kline[kline.index("] ") + 2:]


def split_capture(lines):
    """First kernel's lines and the capture kernel's (from its 2nd 'Linux version')."""
    starts = [i for i, l in enumerate(lines) if line_text(l).startswith("Linux version ")]
    if len(starts) >= 2:
        return lines[:starts[1]], lines[starts[1]:]
    return lines, []


def truth_sections(text):
    """The truth channel's sections: ({name: lines} printed once,
    {round: {name: lines}}).  See guest/init."""
    static, rounds = {}, {}
    where = static
    cur = None
    done = False
    for raw in text.replace("\r", "").split("\n"):
        if raw.startswith("VMCA-TRUTH-ROUND-END "):
            where, cur = static, None
        elif raw.startswith("VMCA-TRUTH-ROUND "):
            where = rounds.setdefault(int(raw.split()[1]), {})
            cur = None
        elif raw.startswith("VMCA-TRUTH-BEGIN "):
            cur = raw.split(" ", 1)[1].strip()
            where[cur] = []
        elif raw.startswith("VMCA-TRUTH-END "):
            cur = None
        elif raw == "VMCA-TRUTH-DONE":
            done = True
        elif raw.startswith("@T ") and cur is not None:
            where[cur].append(raw[3:])
        elif cur is not None and where[cur]:
            # The rest of a line that held a newline (a task's comm): the
            # guest prefixes every line it prints, and nothing else writes
            # to this port.
            where[cur][-1] += "\n" + raw
    if not done:
        raise GenError("truth channel incomplete (no VMCA-TRUTH-DONE)")
    if sorted(rounds) != [1, 2]:
        raise GenError("truth channel: rounds %s, expected 1 and 2" % sorted(rounds))
    return static, rounds


def parse_kv_ints(lines):
    d = {}
    for l in lines:
        parts = l.replace(":", " ").split()
        if len(parts) >= 2:
            d[parts[0]] = int(parts[1])
    return d


def parse_slabinfo(lines):
    out = []
    for l in lines:
        if l.startswith("slabinfo -") or l.startswith("#"):
            continue
        f = l.split()
        # name active num objsize objperslab pagesperslab : tunables l b s : slabdata a n s
        if len(f) < 16 or f[6] != ":" or f[11] != ":":
            raise GenError("bad slabinfo line: %r" % l)
        out.append({"name": f[0], "active_objs": int(f[1]), "num_objs": int(f[2]),
                    "objsize": int(f[3]), "objperslab": int(f[4]), "pagesperslab": int(f[5]),
                    "active_slabs": int(f[13]), "num_slabs": int(f[14])})
    return out


def parse_buddyinfo(lines):
    out = []
    for l in lines:
        m = re.match(r"^Node\s+(\d+),\s+zone\s+(\S+)\s+(.*)$", l)
        if not m:
            raise GenError("bad buddyinfo line: %r" % l)
        out.append({"node": int(m.group(1)), "zone": m.group(2),
                    "free": [int(x) for x in m.group(3).split()]})
    return out


def parse_zoneinfo(lines):
    zones = []
    z = None
    where = None
    for l in lines:
        s = l.strip()
        m = re.match(r"^Node\s+(\d+),\s+zone\s+(\S+)$", s)
        if m:
            z = {"node": int(m.group(1)), "zone": m.group(2)}
            zones.append(z)
            where = "head"
            continue
        if z is None or not s:
            continue
        if s == "per-node stats":
            where = "node"
            z["per_node_stats"] = {}
            continue
        if s.startswith("pages free"):
            z["nr_free_pages"] = int(s.split()[2])
            where = "zone"
            continue
        if s == "pagesets":
            where = "pagesets"
            z["pagesets"] = []
            continue
        if where == "pagesets":
            m = re.match(r"^cpu:\s*(\d+)$", s)
            if m:
                z["pagesets"].append({"cpu": int(m.group(1))})
                continue
            m = re.match(r"^(count|high|batch|vm stats threshold|high_min|high_max):\s*(-?\d+)$", s)
            if m and z["pagesets"]:
                z["pagesets"][-1][m.group(1).replace(" ", "_")] = int(m.group(2))
                continue
        if s.startswith("protection:"):
            z["protection"] = [int(x) for x in re.findall(r"\d+", s.split(":", 1)[1])]
            continue
        f = s.split()
        if where == "node" and len(f) == 2:
            z["per_node_stats"][f[0]] = int(f[1])
        elif where == "zone" and len(f) == 2 and f[1].lstrip("-").isdigit():
            if f[0] in ("boost", "min", "low", "high", "promo", "spanned", "present",
                        "managed", "cma"):
                z[f[0]] = int(f[1])
            else:
                z.setdefault("stats", {})[f[0]] = int(f[1])
        elif f[0] in ("start_pfn:", "node_unreclaimable:") and len(f) == 2:
            z[f[0][:-1]] = int(f[1])
    for z in zones:
        for key in ("nr_free_pages", "min", "low", "high", "spanned", "present", "managed",
                    "protection"):
            if key not in z:
                raise GenError("zoneinfo: zone %s of node %d lacks %s" % (z["zone"], z["node"], key))
    return zones


def parse_tasks(lines):
    """The tasks section: "/proc/P/task/T RUN_NS WAIT_NS SLICES STAT" per
    thread (schedstat's three fields, "-" where there is none)."""
    tasks = []
    for l in lines:
        f = l.split(" ", 4)
        if len(f) != 5:
            raise GenError("bad task line: %r" % l)
        path, stat = f[0], f[4]
        m = re.match(r"^/proc/(\d+)/task/(\d+)$", path)
        lp, rp = stat.find("("), stat.rfind(")")
        if not m or lp < 0 or rp < lp:
            raise GenError("bad task line: %r" % l)
        rest = stat[rp + 2:].split()
        comm = stat[lp + 1:rp]
        # /proc shows workqueue workers as "kworker/0:1-events"; the
        # task_struct holds "kworker/0:1" (at most 15 characters).
        kcomm = comm
        if comm.startswith("kworker/") and "-" in comm:
            kcomm = comm.split("-", 1)[0]
        sched = [int(x) if x.isdigit() else None for x in f[1:4]]
        tasks.append({"pid": int(m.group(1)), "tid": int(m.group(2)),
                      "comm": comm, "state": rest[0], "ppid": int(rest[1]),
                      "kcomm": kcomm[:15], "run_ns": sched[0], "wait_ns": sched[1],
                      "timeslices": sched[2]})
        if int(stat[:lp].strip()) != tasks[-1]["tid"]:
            raise GenError("task stat pid mismatch: %r" % l)
    return tasks


# A caller as %pS prints it: "func+0x3c/0x90" (then " [module]" as a word
# of its own), or the bare address where no symbol covers it.
VMALLOC_CALLER_RE = re.compile(r"^(\S+\+0x[0-9a-f]+/0x[0-9a-f]+|0x[0-9a-f]+)$")


def parse_vmallocinfo(lines):
    """/proc/vmallocinfo: [{start, end, size, caller, pages, flags}]: caller as
    printed ("vmca_leak_vmalloc+0x3c/0x90 [vmca_leak]") or None, pages from
    "pages=N" or None, flags every other word in order ("phys=0x...",
    "ioremap", "vmalloc", "vmap", "user", "vpages", "N0=16", "unpurged",
    "vm_area", "vm_map_ram")."""
    out = []
    for l in lines:
        m = re.match(r"^(0x[0-9a-f]+)-(0x[0-9a-f]+)\s+(\d+)\s*(.*)$", l)
        if not m:
            raise GenError("bad vmallocinfo line: %r" % l)
        rest = m.group(4).split()
        caller = None
        if rest and VMALLOC_CALLER_RE.match(rest[0]):
            caller = rest.pop(0)
            if rest and re.match(r"^\[\S+\]$", rest[0]):
                caller += " " + rest.pop(0)
        pages = [int(w[6:]) for w in rest if re.match(r"^pages=\d+$", w)]
        out.append({"start": m.group(1), "end": m.group(2), "size": int(m.group(3)),
                    "caller": caller, "pages": pages[0] if pages else None,
                    "flags": [w for w in rest if not re.match(r"^pages=\d+$", w)]})
    return out


def parse_maps(lines):
    """/proc/PID/maps: [{start, end, perms, offset, inode, path}]."""
    out = []
    for l in lines:
        f = l.split(None, 5)
        if len(f) < 5 or "-" not in f[0]:
            raise GenError("bad maps line: %r" % l)
        start, end = f[0].split("-")
        out.append({"start": "0x" + start, "end": "0x" + end, "perms": f[1],
                    "offset": "0x" + f[2], "inode": int(f[4]),
                    "path": f[5].strip() if len(f) > 5 else ""})
    return out


def parse_module_sections(lines):
    """/sys/module/NAME/sections/SECTION: {NAME: {SECTION: "0x..."}}."""
    out = {}
    for l in lines:
        m = re.match(r"^/sys/module/([^/]+)/sections/(\S+) (0x[0-9a-f]+)$", l)
        if m:
            out.setdefault(m.group(1), {})[m.group(2)] = m.group(3)
    return out


def parse_kallsyms_modules(lines):
    """Module lines of /proc/kallsyms: [{address, type, name, module}]."""
    out = []
    for l in lines:
        m = re.match(r"^([0-9a-f]+) (\S) (\S+)\s+\[(\S+)\]", l)
        if m:
            out.append({"address": "0x" + m.group(1), "type": m.group(2),
                        "name": m.group(3), "module": m.group(4)})
    return out


def parse_modules(lines):
    """/proc/modules: name size refcount deps state address [(flags)]."""
    out = []
    for l in lines:
        f = l.split()
        out.append({"name": f[0], "size": int(f[1]),
                    "refcount": int(f[2]) if f[2].lstrip("-").isdigit() else None,
                    "deps": [d for d in f[3].split(",") if d and d != "-"],
                    "state": f[4], "address": f[5] if len(f) > 5 else None,
                    "flags": f[6].strip("()") if len(f) > 6 else ""})
    return out


def parse_iomem(lines):
    out = []
    for l in lines:
        m = re.match(r"^( *)([0-9a-f]+)-([0-9a-f]+) : (.*)$", l)
        if m:
            out.append({"depth": len(m.group(1)) // 2, "start": "0x" + m.group(2),
                        "end": "0x" + m.group(3), "name": m.group(4)})
    return out


def hexaddr(word):
    """An address the guest printed in hex without 0x -> "0x..."."""
    if not re.match(r"^[0-9a-f]+$", word):
        raise GenError("bad address %r" % word)
    return "0x" + word


def parse_leak(sec, tasks, slabinfo, vmallocinfo):
    """truth["leak"] from the leak scenarios' sections (see vmca_leak.c,
    guest/leaker.c, guest/stacks.c, guest/shmem.c, guest/init)."""
    leak = {"held_tasks": [], "holder": None, "kmalloc": None, "vmalloc": None,
            "held_creds": [], "cred_holder": None}
    objects, areas = [], []
    for l in sec.get("leak", []):
        f = l.split(" ")
        if f[0] == "holder" and len(f) == 3:
            leak["holder"] = {"module": "vmca_leak", "symbol": "vmca_leak_tasks",
                              "address": hexaddr(f[1]), "capacity": int(f[2])}
        elif f[0] == "kmalloc" and len(f) == 5:
            leak["kmalloc"] = {"count": int(f[1]), "size": int(f[2]), "ksize": int(f[3]),
                               "magic": f[4]}
        elif f[0] == "vmalloc" and len(f) == 3:
            leak["vmalloc"] = {"function": "vmca_leak_vmalloc", "count": int(f[1]),
                               "magic": f[2]}
        elif f[0] == "kobj" and len(f) == 3:
            objects.append((int(f[1]), hexaddr(f[2])))
        elif f[0] == "vobj" and len(f) == 4:
            areas.append({"index": int(f[1]), "address": hexaddr(f[2]), "size": int(f[3])})
        elif f[0] == "held" and len(f) >= 11:
            leak["held_tasks"].append({
                "index": int(f[1]), "pid": int(f[2]), "comm": " ".join(f[10:]),
                "task": hexaddr(f[3]), "usage": int(f[4]), "exit_state": int(f[5]),
                "state": int(f[6]), "signal": hexaddr(f[7]), "cred": hexaddr(f[8]),
                "real_cred": hexaddr(f[9])})
        else:
            raise GenError("bad /proc/vmca_leak line: %r" % l)
    for l in sec.get("leak_cred", []):
        f = l.split(" ")
        if f[0] == "credholder" and len(f) == 3:
            leak["cred_holder"] = {"module": "vmca_leak", "symbol": "vmca_leak_creds",
                                   "address": hexaddr(f[1]), "capacity": int(f[2])}
        elif f[0] == "cred" and len(f) >= 6:
            leak["held_creds"].append({"index": int(f[1]), "pid": int(f[2]),
                                       "address": hexaddr(f[3]), "usage": int(f[4]),
                                       "comm": " ".join(f[5:])})
        else:
            raise GenError("bad /proc/vmca_leak_cred line: %r" % l)
    leaker = (sec.get("leaker") or [""])[0].split()
    credleaker = (sec.get("leak_credleaker") or [""])[0].split()
    if leak["holder"] is None or leak["kmalloc"] is None or leak["vmalloc"] is None or \
            leak["cred_holder"] is None or len(leaker) != 3 or len(credleaker) != 3:
        raise GenError("leak scenario: /proc/vmca_leak, /proc/vmca_leak_cred or a leaker "
                       "report missing (vmca_leak.ko not loaded?)")
    leak["forked"], leak["registered"] = int(leaker[1]), int(leaker[2])
    leak["cred_forked"], leak["cred_registered"] = int(credleaker[1]), int(credleaker[2])
    leak["holder"]["count"] = len(leak["held_tasks"])
    leak["cred_holder"]["count"] = len(leak["held_creds"])
    before = parse_slabinfo(sec.get("leak_slabinfo_before", []))
    leak["slabinfo_before"] = before
    km = leak["kmalloc"]
    if km["magic"] != LEAK_MAGIC:
        raise GenError("vmca_leak reports magic %s, expected %s" % (km["magic"], LEAK_MAGIC))
    km["function"] = "vmca_leak_kmalloc"
    km["layout"] = ("u64 magic (little-endian, bytes 'KAELACMV'), u64 index 0..count-1, "
                    "then 0xa5 up to size")
    km["objects"] = [a for _, a in objects]
    # Which kmalloc cache grew: the one with the largest active_objs delta.
    was = {c["name"]: c["active_objs"] for c in before}
    grew = sorted(((c["active_objs"] - was.get(c["name"], 0), c["name"]) for c in slabinfo
                   if c["name"].startswith("kmalloc-")), reverse=True)
    if not grew:
        raise GenError("leak scenario: no kmalloc-* cache in slabinfo")
    delta, name = grew[0]
    km["cache"] = name
    km["cache_active_objs_before"] = was.get(name, 0)
    km["cache_active_objs"] = next(c["active_objs"] for c in slabinfo if c["name"] == name)
    vm = leak["vmalloc"]
    vm["layout"] = ("u64 magic (little-endian, bytes 'LAMVACMV'), u64 index, "
                    "then 0x5a up to size")
    vm["areas"] = areas
    # checks
    held = leak["held_tasks"]
    if len(held) != LEAK_TASKS or leak["registered"] != LEAK_TASKS:
        raise GenError("leak scenario: %d tasks held, %d registered, expected %d"
                       % (len(held), leak["registered"], LEAK_TASKS))
    if km["count"] != LEAK_KMALLOC_COUNT or km["size"] != LEAK_KMALLOC_SIZE:
        raise GenError("leak scenario: kmalloc %d x %d, expected %d x %d"
                       % (km["count"], km["size"], LEAK_KMALLOC_COUNT, LEAK_KMALLOC_SIZE))
    if [i for i, _ in objects] != list(range(km["count"])) or \
            len(set(km["objects"])) != km["count"] or \
            not all(int(a, 16) >= 0xffff800000000000 for a in km["objects"]):
        raise GenError("leak scenario: the %d kobj lines are not %d distinct kernel addresses "
                       "in index order" % (len(objects), km["count"]))
    if name != "kmalloc-%d" % km["ksize"] or delta < km["count"] * 9 // 10:
        raise GenError("leak scenario: expected kmalloc-%d to grow by ~%d objects, "
                       "largest growth: %s by %d" % (km["ksize"], km["count"], name, delta))
    live = {t["tid"] for t in tasks}
    for h in held:
        if h["pid"] in live:
            raise GenError("leak scenario: held pid %d is still a live task" % h["pid"])
        # reaped and RCU-freed: only our reference left; EXIT_DEAD, TASK_DEAD
        if h["usage"] != 1 or h["exit_state"] != 0x10 or h["state"] != 0x80:
            raise BootFailed("leak scenario: held task %r not in the expected state "
                             "(usage 1, exit_state 0x10, state 0x80)" % h)
    ts = [c for c in slabinfo if c["name"] == "task_struct"]
    if not ts or ts[0]["active_objs"] < len(tasks) + len(held):
        raise GenError("leak scenario: task_struct active_objs %s < %d tasks + %d held"
                       % (ts[0]["active_objs"] if ts else None, len(tasks), len(held)))
    if vm["magic"] != LEAK_VMALLOC_MAGIC or vm["count"] != len(LEAK_VMALLOC_SIZES) or \
            [a["index"] for a in areas] != list(range(vm["count"])) or \
            [a["size"] for a in areas] != LEAK_VMALLOC_SIZES:
        raise GenError("leak scenario: vmalloc areas %r (magic %s), expected sizes %r"
                       % (areas, vm["magic"], LEAK_VMALLOC_SIZES))
    # Each area in both readings of /proc/vmallocinfo: at its address, one
    # guard page more, allocated by vmca_leak_vmalloc.
    for which, info in sorted(vmallocinfo.items()):
        at = {a["start"]: a for a in info}
        for a in areas:
            v = at.get("0x%016x" % int(a["address"], 16))
            if not v or v["size"] != a["size"] + 4096 or \
                    not (v["caller"] or "").startswith(vm["function"] + "+") or \
                    not v["caller"].endswith(" [vmca_leak]") or \
                    v["pages"] != a["size"] // 4096 or "vmalloc" not in v["flags"]:
                raise GenError("leak scenario: vmalloc area %r is %r in the %s reading of "
                               "/proc/vmallocinfo" % (a, v, which))
    creds = leak["held_creds"]
    if len(creds) != LEAK_CREDS or leak["cred_registered"] != LEAK_CREDS:
        raise GenError("leak scenario: %d creds held, %d registered, expected %d"
                       % (len(creds), leak["cred_registered"], LEAK_CREDS))
    task_creds = {h["cred"] for h in held} | {h["real_cred"] for h in held}
    for i, c in enumerate(creds):
        if c["index"] != i or c["comm"] != "vmca-cred-%03d" % i or c["pid"] in live or \
                c["address"] in task_creds:
            raise GenError("leak scenario: held cred %r: expected index %d, comm "
                           "vmca-cred-%03d, a reaped task, a cred of its own" % (c, i, i))
        # the task reaped and freed: only our reference left
        if c["usage"] != 1:
            raise BootFailed("leak scenario: held cred %r not at usage 1" % c)
    if len({c["address"] for c in creds}) != len(creds):
        raise GenError("leak scenario: the held creds are not distinct")
    leak["stacks"] = parse_leak_stacks(sec)
    leak["shmem"] = parse_leak_shmem(sec)
    return leak


def parse_leak_stacks(sec):
    """truth["leak"]["stacks"]: vmca-stacks (guest/stacks.c), its maps and status."""
    st = {}
    areas = []
    for l in sec.get("leak_stacks", []):
        f = l.split()
        if f and f[0] == "stacks" and len(f) == 6:
            st = {"pid": int(f[1]), "threads_created": int(f[2]), "threads_joined": int(f[3]),
                  "stack_bytes": int(f[4]), "guard_bytes": int(f[5])}
        elif f and f[0] == "stack" and len(f) == 4:
            areas.append({"index": int(f[1]), "address": hexaddr(f[2]), "size": int(f[3])})
        else:
            raise GenError("bad vmca-stacks report line: %r" % l)
    status = {}
    for l in sec.get("leak_stacks_status", []):
        k, _, v = l.partition(":")
        status[k.strip()] = v.strip()
    if not st or not status:
        raise GenError("leak scenario: vmca-stacks' report or status missing")
    st["comm"] = status.get("Name")
    st["threads_alive"] = int(status.get("Threads", "0"))
    st["vm_size_kb"] = int(status.get("VmSize", "0 kB").split()[0])
    st["vm_rss_kb"] = int(status.get("VmRSS", "0 kB").split()[0])
    st["areas"] = areas
    st["maps"] = parse_maps(sec.get("leak_stacks_maps", []))
    st["vma_count"] = len([m for m in st["maps"] if m["path"] != "[vsyscall]"])
    # checks: every stack still mapped (read-write, its guard page below it)
    vmas = {(int(m["start"], 16), int(m["end"], 16)): m for m in st["maps"]}
    missing = []
    for a in areas:
        lo = int(a["address"], 16)
        vma = vmas.get((lo, lo + a["size"]))
        guard = vmas.get((lo - st["guard_bytes"], lo))
        if not vma or vma["perms"] != "rw-p" or not guard or guard["perms"] != "---p":
            missing.append(a)
    if st["threads_created"] != LEAK_STACKS or st["threads_joined"] != LEAK_STACKS or \
            len(areas) != LEAK_STACKS or st["stack_bytes"] != LEAK_STACK_BYTES or \
            st["threads_alive"] != 1 or st["comm"] != "vmca-stacks" or missing:
        raise GenError("leak scenario: vmca-stacks %r: expected %d threads created and joined, "
                       "1 alive, %d stacks of %d bytes mapped (not: %r)"
                       % ({k: v for k, v in st.items() if k not in ("maps", "areas")},
                          LEAK_STACKS, LEAK_STACKS, LEAK_STACK_BYTES, missing[:3]))
    return st


def parse_leak_shmem(sec):
    """truth["leak"]["shmem"]: the shmem-like mounts as df sees them, the
    SysV segments, vmca-shmem's memfd and files (guest/shmem.c)."""
    sh = {"tmpfs": LEAK_TMPFS, "mounts": [], "sysv": [], "memfd": [], "files": []}
    for l in sec.get("leak_mounts", []):
        f = l.split()
        if len(f) != 7 or not all(x.isdigit() for x in f[3:]):
            raise GenError("bad leak_mounts line: %r" % l)
        blocks, bfree, frsize = int(f[3]), int(f[4]), int(f[5])
        sh["mounts"].append({"mountpoint": f[1], "fstype": f[2], "source": f[0],
                             "used_bytes": (blocks - bfree) * frsize,
                             "size_bytes": blocks * frsize, "du_bytes": int(f[6]) * 1024})
    report = {}
    for l in sec.get("leak_shmem", []):
        f = l.split(None, 5)
        if f and f[0] == "file" and len(f) == 3:
            sh["files"].append({"path": f[1], "size": int(f[2])})
        elif f and f[0] == "sysv" and len(f) == 5:
            report["sysv"] = {"key": int(f[1], 16), "shmid": int(f[2]), "size": int(f[3]),
                              "address": hexaddr(f[4])}
        elif f and f[0] == "memfd" and len(f) == 6:
            sh["memfd"].append({"name": f[1], "size": int(f[2]), "pid": int(f[3]),
                                "fd": int(f[4]), "link": f[5]})
        else:
            raise GenError("bad vmca-shmem report line: %r" % l)
    shm = sec.get("leak_sysvipc_shm", [])
    if shm:
        head = shm[0].split()
        for l in shm[1:]:
            row = dict(zip(head, l.split()))
            seg = {"key": int(row["key"]), "shmid": int(row["shmid"]),
                   "size": int(row["size"]), "nattch": int(row["nattch"]),
                   "cpid": int(row["cpid"])}
            for k in ("rss", "swap"):
                if k in row:
                    seg[k + "_bytes"] = int(row[k])
            sh["sysv"].append(seg)
    # checks
    tm = [m for m in sh["mounts"] if m["mountpoint"] == LEAK_TMPFS]
    files = sum(f["size"] for f in sh["files"])
    if [f["size"] for f in sh["files"]] != LEAK_TMPFS_FILE_BYTES or len(tm) != 1 or \
            tm[0]["fstype"] != "tmpfs" or tm[0]["used_bytes"] != files or \
            tm[0]["size_bytes"] != LEAK_TMPFS_BYTES:
        raise GenError("leak scenario: tmpfs %s %r with files %r: expected %d bytes used of %d"
                       % (LEAK_TMPFS, tm, sh["files"], sum(LEAK_TMPFS_FILE_BYTES),
                          LEAK_TMPFS_BYTES))
    if not {m["fstype"] for m in sh["mounts"]} <= set(LEAK_SHMEM_FSTYPES) or \
            not any(m["mountpoint"] == "/" for m in sh["mounts"]):
        raise GenError("leak scenario: shmem mounts %r" % sh["mounts"])
    seg = [s for s in sh["sysv"] if s["key"] == LEAK_SYSV_KEY]
    if report.get("sysv", {}).get("key") != LEAK_SYSV_KEY or len(seg) != 1 or \
            seg[0]["shmid"] != report["sysv"]["shmid"] or seg[0]["size"] != LEAK_SYSV_BYTES or \
            seg[0]["nattch"] != 1 or seg[0].get("rss_bytes", LEAK_SYSV_BYTES) != LEAK_SYSV_BYTES:
        raise GenError("leak scenario: SysV segment %r, vmca-shmem says %r"
                       % (seg, report.get("sysv")))
    seg[0]["address"] = report["sysv"]["address"]
    if len(sh["memfd"]) != 1 or sh["memfd"][0]["size"] != LEAK_MEMFD_BYTES or \
            "memfd:vmca-memfd" not in sh["memfd"][0]["link"]:
        raise GenError("leak scenario: memfd %r" % sh["memfd"])
    return sh


def parse_hostile(sec, tasks):
    """The hostile scenario's report (guest/hostile.c): the mapped file's
    path, each task's pid and comm as the kernel holds it, each log
    record's text, in hex."""
    out = {"tasks": [], "log": [], "file_hex": None}
    for l in sec.get("hostile", []):
        f = l.split()
        if len(f) == 2 and f[0] == "file":
            out["file_hex"] = f[1]
        elif len(f) == 3 and f[0] == "task":
            out["tasks"].append({"pid": int(f[1]), "comm_hex": f[2]})
        elif len(f) == 2 and f[0] == "log":
            out["log"].append({"text_hex": f[1]})
        else:
            raise GenError("hostile: bad report line %r" % l)
    if len(out["tasks"]) < 5 or len(out["log"]) < 4:
        raise GenError("hostile: vmca-hostile reported %d tasks, %d log records"
                       % (len(out["tasks"]), len(out["log"])))
    tids = {t["tid"] for t in tasks}
    for t in out["tasks"]:
        if t["pid"] not in tids:
            raise GenError("hostile: task %d is not among the tasks" % t["pid"])
    return out


def parse_frag(sec, buddyinfo):
    """truth["frag"] from vmca-fragment's report (see guest/fragment.c)."""
    frag = {}
    bi = {}
    for l in sec.get("frag", []):
        key, _, rest = l.partition(" ")
        if key.startswith("buddyinfo_"):
            bi.setdefault(key, []).append(rest)
        elif key == "pcp_flush":
            frag.setdefault(key, []).append(
                {k: int(v) for k, v in (kv.split("=", 1) for kv in rest.split())})
        elif "=" in rest:
            frag[key] = {k: int(v) for k, v in (kv.split("=", 1) for kv in rest.split())}
        elif re.match(r"^-?\d+$", rest):
            frag[key] = int(rest)
        else:
            frag[key] = rest
    for key in ("buddyinfo_before", "buddyinfo_filled", "buddyinfo_punched", "buddyinfo_after"):
        frag[key] = parse_buddyinfo(bi.get(key, []))
    frag["path"] = frag.pop("file", None)
    for key in ("file_pages", "file_bytes", "punched_pages", "zone", "min_free_kbytes",
                "min_free_kbytes_after", "fill_zone_end"):
        if key not in frag:
            raise GenError("frag scenario: %s missing from the vmca-fragment report" % key)
    if frag["punched_pages"] != frag["file_pages"] // 2 or frag["file_pages"] < 1000:
        raise GenError("frag scenario: %d pages written, %d punched"
                       % (frag["file_pages"], frag["punched_pages"]))
    for key in ("min_free_kbytes", "watermark_scale_factor", "percpu_pagelist_high_fraction"):
        if frag.get(key + "_after") != frag.get(key):
            raise GenError("frag scenario: %s not restored (%s, was %s)"
                           % (key, frag.get(key + "_after"), frag.get(key)))
    # The point of the scenario, checked on the final truth (taken after
    # the punching): the main zone has plenty of free memory, nearly all
    # of it at order 0; at most FRAG_MAX_HIGH_ORDER_SHARE of it at order
    # >= FRAG_HIGH_ORDER, none at order >= FRAG_EMPTY_ORDER.  (A boot that
    # missed goes again.)
    zone = [z for z in buddyinfo if z["zone"] == frag["zone"]]
    if not zone:
        raise GenError("frag scenario: zone %s not in buddyinfo" % frag["zone"])
    free = zone[0]["free"]
    total = sum(n << o for o, n in enumerate(free))
    high = sum(n << o for o, n in enumerate(free) if o >= FRAG_HIGH_ORDER)
    frag["main_zone_free_pages"] = total
    frag["main_zone_free_pages_order_ge_%d" % FRAG_HIGH_ORDER] = high
    if total < frag["punched_pages"] // 2 or high > total * FRAG_MAX_HIGH_ORDER_SHARE or \
            any(free[FRAG_EMPTY_ORDER:]):
        raise BootFailed("frag scenario: zone %s has %d free pages, %d of them at order >= %d "
                         "(buddyinfo %s); expected plenty free, at most %.0f%% at order >= %d "
                         "and none at order >= %d"
                         % (frag["zone"], total, high, FRAG_HIGH_ORDER, free,
                            FRAG_MAX_HIGH_ORDER_SHARE * 100, FRAG_HIGH_ORDER, FRAG_EMPTY_ORDER))
    return frag


def one(sections, name):
    v = sections.get(name)
    if not v:
        raise GenError("truth section %s missing or empty" % name)
    return v[0]


def parse_round(sec):
    """One round of the truth: every figure that can drift."""
    return {
        "uptime_start": float(one(sec, "uptime_start")),
        "counters_start": float(one(sec, "counters_start")),
        "uptime_end": float(one(sec, "uptime_end")),
        "meminfo": parse_kv_ints(sec["meminfo"]),
        "slabinfo": parse_slabinfo(sec["slabinfo"]),
        "buddyinfo": parse_buddyinfo(sec["buddyinfo"]),
        "zoneinfo": parse_zoneinfo(sec["zoneinfo"]),
        "vmstat": parse_kv_ints(sec["vmstat"]),
        "tasks": parse_tasks(sec["tasks"]),
        "modules": parse_modules(sec.get("modules", [])),
        "vmallocinfo": parse_vmallocinfo(sec.get("vmallocinfo", [])),
        "sleeper_maps": parse_maps(sec.get("sleeper_maps", [])),
    }


# The figures of a round that are copied to the top level of truth.json
# from the round nearest the dump.
# (vmallocinfo: both rounds' readings, as {"first", "second"}.)
ROUND_KEYS = ("meminfo", "slabinfo", "buddyinfo", "zoneinfo", "vmstat", "tasks", "modules",
              "sleeper_maps")
# /proc/uptime prints centiseconds, rounded down.
UPTIME_RESOLUTION_S = 0.01


def parse_oom(sec):
    """The OOM scenarios' hog and trigger as the guest read them after the
    set-up (both idle from then until the trigger's signal)."""
    def status(name):
        out = {}
        for l in sec.get(name, []):
            k, _, v = l.partition(":")
            out[k.strip()] = v.strip()
        return out
    o = {"hog_pid": int(one(sec, "oom_hog_pid")),
         "trigger_pid": int(one(sec, "oom_trigger_pid")),
         "hog_status": status("oom_hog_status"),
         "hog_oom_score": int(one(sec, "oom_hog_score")),
         "hog_oom_score_adj": int(one(sec, "oom_hog_score_adj")),
         "trigger_status": status("oom_trigger_status")}
    if sec.get("oom_memcg_max"):
        o["memcg_max_bytes"] = int(one(sec, "oom_memcg_max"))
        o["memcg_procs"] = [int(x) for x in sec.get("oom_memcg_procs", []) if x.strip()]
    if not o["hog_status"].get("VmRSS"):
        raise GenError("OOM scenario: no VmRSS in the hog's status")
    return o


def build_truth(k, scenario, mode, boot_id, console_text, truth_text, cmdline_host, bracket,
                stopped_after_read_s=None, crash_seen_after_read_s=None):
    static, raw_rounds = truth_sections(truth_text)
    sec = static
    rounds = [parse_round(raw_rounds[1]), parse_round(raw_rounds[2])]
    lines = kernel_lines(console_text)
    first, capture = split_capture(lines)
    oops = panic = rip = None
    for l in first:
        t = line_text(l)
        if oops is None and OOPS_RE.match(t):
            oops = t
        if oops is not None and rip is None and t.startswith("RIP: "):
            rip = t[5:]
        if panic is None and t.startswith("Kernel panic - not syncing"):
            panic = t
    kallsyms = {}
    for name in ("kallsyms_text", "kallsyms_stext"):
        f = (sec.get(name) or [""])[0].split()
        if len(f) == 3:
            kallsyms[f[2]] = "0x" + f[0]
    cmdline = one(sec, "cmdline")
    guest_bracket = one(sec, "bracket")
    if guest_bracket != bracket:
        raise GenError("guest says the truth is %r the dump, the host expected %r"
                       % (guest_bracket, bracket))
    # The round nearest the dump gives the top-level figures: round 1 when
    # the dump comes between the rounds, round 2 when the crash follows it.
    near = rounds[0] if bracket == "around" else rounds[1]
    sleeper = one(sec, "sleeper").split()
    oops_pid = one(sec, "oops_pid").strip()
    t = {
        "release": k.release,
        "kernel": k.short,
        "scenario": scenario,
        "kind": None,
        "uname_r": one(sec, "uname"),
        "console_kernel_lines": first,
        "uptime_s": near["uptime_end"],
        "panic_on_oops": int(one(sec, "panic_on_oops")),
        "oops": oops,
        "panic": panic,
        "qemu_memory_mb": QEMU_MEMORY_MB,
        "qemu_version": qemu_version(),
        "cmdline": cmdline,
        "kaslr": "nokaslr" not in cmdline.split(),
        # extra keys
        "oops_rip": rip,
        "oops_pid": int(oops_pid) if oops_pid else None,
        "iomem": parse_iomem(sec.get("iomem", [])),
        "kallsyms": kallsyms,
        "kallsyms_modules": parse_kallsyms_modules(sec.get("kallsyms_modules", [])),
        "module_sections": parse_module_sections(sec.get("module_sections", [])),
        "sleeper": {"pid": int(sleeper[1]), "mapped": int(sleeper[2])} if len(sleeper) == 3
        else None,
        "kaslr_offset": None,
        "boot_id": boot_id,
        "boot_kinds": list(UNIT_KINDS[mode]),
        "generator_version": GENERATOR_VERSION,
        "bracket": bracket,
        "rounds": rounds,
    }
    for key in ROUND_KEYS:
        t[key] = near[key]
    t["vmallocinfo"] = {"first": rounds[0]["vmallocinfo"], "second": rounds[1]["vmallocinfo"]}
    if t["sleeper"] is None or not near["sleeper_maps"]:
        raise GenError("vmca-sleeper did not report, or its maps are empty")
    # Every CPU ran its vmca-cpuwake after the set-up (guest/cpuwake.c).
    wakes = {name[len("cpuwake_"):]: lines for name, lines in sec.items()
             if name.startswith("cpuwake_")}
    if not wakes:
        raise GenError("no vmca-cpuwake reported")
    for cpu, lines in sorted(wakes.items()):
        if "cpuwake %s %s" % (cpu, cpu) not in lines:
            raise GenError("vmca-cpuwake of CPU %s did not run there after the set-up: %r"
                           % (cpu, lines))
    # When the dump was taken, in /proc/uptime's clock (boot time).
    if bracket == "around":
        t["dump_time"] = {"not_before": float(one(sec, "dump_not_before")),
                          "not_after": float(one(sec, "dump_not_after")) + UPTIME_RESOLUTION_S}
    else:
        # Timed by the host from its last look at the truth port before
        # round 2's last clock read to when the first kernel had surely
        # stopped: the stop of a panicked VM (panic() spins with
        # interrupts on, the clock runs until then), the capture kernel's
        # banner after a kdump crash.  Not from the kernel log's
        # timestamps: they are the scheduler clock, which lags boot time
        # where the TSC is unstable (TCG's vCPUs: "Marking TSC unstable").
        if stopped_after_read_s is None:
            raise GenError("the host did not time the end of the first kernel")
        t["dump_time"] = {"not_before": rounds[1]["uptime_end"],
                          "not_after": rounds[1]["uptime_end"] + UPTIME_RESOLUTION_S
                          + stopped_after_read_s}
        t["pause_s"] = float(one(sec, "pause_s"))
        # The drift over the pause bounds the drift from round 2 to the
        # crash only if the crash came no later after round 2 than the
        # rounds are apart (each round reads its counters in the same
        # order, from counters_start on).  The crash, not the dump: after
        # a kdump crash the capture kernel takes seconds to start (its
        # decompressor is slow under TCG), but the first kernel's work
        # ended when its crash report was on the console (the crashing
        # CPU runs with interrupts off from there, and stops the others
        # with an NMI next).
        if crash_seen_after_read_s is None:
            crash_seen_after_read_s = stopped_after_read_s
        interval = rounds[1]["counters_start"] - rounds[0]["counters_start"]
        window = (rounds[1]["uptime_end"] + UPTIME_RESOLUTION_S + crash_seen_after_read_s
                  - rounds[1]["counters_start"])
        t["bracket_interval_s"] = round(interval, 3)
        t["bracket_window_s"] = round(window, 3)
        if window > interval:
            raise BootFailed("the crash came %.2fs after round 2 began, the rounds were "
                             "%.2fs apart: the pause does not bound the drift" % (window, interval))
    if t["uname_r"] != k.release:
        raise GenError("guest uname -r %r != %r" % (t["uname_r"], k.release))
    if cmdline.strip() != cmdline_host.strip():
        raise GenError("guest /proc/cmdline %r != %r" % (cmdline, cmdline_host))
    if t["panic_on_oops"] != 1:
        raise GenError("guest runs with panic_on_oops=%d, expected 1" % t["panic_on_oops"])
    if "MemTotal" not in t["meminfo"] or not t["slabinfo"] or not t["tasks"]:
        raise GenError("truth incomplete: meminfo/slabinfo/tasks")
    vm_text = k.kaslr_text()
    if "_text" not in kallsyms or vm_text is None:
        raise GenError("cannot compute the KASLR offset (guest _text %r, vmlinux _text %r)"
                       % (kallsyms.get("_text"), vm_text))
    offset = int(kallsyms["_text"], 16) - vm_text
    if offset == 0:
        # KASLR may draw slot 0; the corpus must exercise relocation.
        raise BootFailed("KASLR drew offset 0 this boot")
    t["kaslr_offset"] = "0x%x" % offset
    if mode == "kdump":
        t["capture_console_lines"] = capture
        t["crashkernel"] = CRASHKERNEL
        t["makedumpfile_dump_level"] = int(re.search(r"vmca\.dumplevel=(\d+)", cmdline).group(1))
        t["makedumpfile_version"] = "%d.%d.%d" % makedumpfile_version()
        if not capture:
            raise GenError("no capture kernel boot found on the console")
    if scenario in LEAK_SCENARIOS:
        t["leak"] = parse_leak(sec, t["tasks"], t["slabinfo"], t["vmallocinfo"])
    if scenario == "frag":
        t["frag"] = parse_frag(sec, t["buddyinfo"])
    if scenario == "hostile":
        t["hostile"] = parse_hostile(sec, t["tasks"])
    if scenario in CRASH_SCENARIOS:
        want = CRASH_SCENARIOS[scenario]
        report = None
        for l in first:
            if report is None and re.search(want["report"], line_text(l)):
                report = line_text(l)
        if report is None:
            raise GenError("%s scenario: no %r line on the console" % (scenario, want["report"]))
        t["report"] = report
        if not panic or want["panic"] not in panic:
            raise GenError("%s scenario: expected %r in panic()'s message, got %r"
                           % (scenario, want["panic"], panic))
        # What the module printed of itself ("vmca_oops: ...").
        t["module_lines"] = [line_text(l) for l in first
                             if line_text(l).startswith("vmca_oops: ")]
    elif scenario in OOPS_SCENARIOS and oops is None:
        raise GenError("%s scenario but no oops line on the console" % scenario)
    if scenario in OOM_SCENARIOS:
        t["oom"] = parse_oom(sec)
    if scenario == "panic":
        if t["oops_pid"] not in {x["tid"] for x in t["tasks"]}:
            raise GenError("panic scenario: insmod (pid %s) is not among the tasks" % t["oops_pid"])
    if scenario == "timer":
        # The oops hit whatever task the timer interrupt stopped (the
        # idle task, as a rule): the oops' "CPU: N PID: P Comm: C" names it.
        m = None
        for l in first:
            m = m or re.match(r"CPU: (\d+) (?:UID: \d+ )?PID: (\d+) Comm: (\S+)", line_text(l))
        if not m:
            raise GenError("timer scenario: no 'CPU: N PID: P' line after the oops")
        # The insmod whose init armed the timer (woken after the truth),
        # and the kernel thread that spins on CPU 1 from then on.
        t["insmod_pid"] = t["oops_pid"]
        spin = None
        for l in first:
            spin = spin or re.search(r"vmca_oops: spinner pid=(\d+) cpu=(\d+)", line_text(l))
        t["spinner_pid"] = int(spin.group(1)) if spin else None
        t["spinner_cpu"] = int(spin.group(2)) if spin else None
        if not spin:
            raise GenError("timer scenario: no 'vmca_oops: spinner pid=' line")
        t["oops_pid"] = int(m.group(2))
        t["oops_cpu"] = int(m.group(1))
        t["oops_comm"] = m.group(3)
    expected_panic = {"panic": "Kernel panic - not syncing: Fatal exception",
                      "timer": "Kernel panic - not syncing: Fatal exception in interrupt"}
    if scenario in expected_panic and mode == "qemu" and panic != expected_panic[scenario]:
        raise GenError("%s scenario: expected %r on the console, got %r"
                       % (scenario, expected_panic[scenario], panic))
    return t


DUMP_FORMAT = {
    "qemu-kdump": "kdump-compressed, makedumpfile flattened format (QEMU dump-guest-memory kdump-zlib)",
    "qemu-elf": "ELF64 core, PT_LOAD with virtual addresses (QEMU dump-guest-memory paging=true)",
    "kdump": "kdump-compressed (diskdump), makedumpfile -c -d N in a kdump capture kernel "
             "(N: makedumpfile_dump_level)",
    "kdump-d31": "kdump-compressed (diskdump), makedumpfile -c -d 31 of the same capture as kdump "
                 "(6.10+ kernels: pages makedumpfile 1.7.2 misreads as free are missing)",
}


# ------------------------------------------------------------------ layout

def dump_dir(release, scenario, kind):
    return os.path.join(cache_dir(), "dumps", release, scenario, kind)


def scenario_kinds(scenario, release=None):
    """The kinds of dump of a scenario (of a kernel: kdump-d31 only where
    Kernel.dump_level() cannot use 31)."""
    kinds = SCENARIO_KINDS.get(scenario, KINDS)
    if scenario not in D31_SCENARIOS or (
            release is not None and not needs_low_dump_level(release)):
        kinds = tuple(k for k in kinds if k != "kdump-d31")
    return kinds


def needs_low_dump_level(release):
    m = re.match(r"(\d+)\.(\d+)", release)
    return (int(m.group(1)), int(m.group(2))) >= (6, 10) and makedumpfile_version() < (1, 7, 6)


def dump_complete(release, scenario, kind):
    """The dump and its truth.json exist, and the truth is recent enough
    (generator_version >= MIN_GENERATOR_VERSION[scenario])."""
    d = dump_dir(release, scenario, kind)
    truth = os.path.join(d, "truth.json")
    if not (os.path.exists(truth) and os.path.exists(os.path.join(d, "vmcore"))):
        return False
    need = MIN_GENERATOR_VERSION.get(scenario, GENERATOR_VERSION)
    if need <= 1:
        return True     # every truth.json qualifies; skip parsing it
    try:
        with open(truth) as f:
            version = json.load(f).get("generator_version", 0)
    except (OSError, ValueError):
        return False
    return isinstance(version, int) and version >= need


def install_kind(k, scenario, kind, vmcore, boot, truth):
    """Move one finished dump into place; truth.json is written last."""
    final = dump_dir(k.release, scenario, kind)
    parent = os.path.dirname(final)
    new = os.path.join(parent, ".%s.new-%d" % (kind, os.getpid()))
    rmtree(new)
    os.makedirs(new)
    os.replace(vmcore, os.path.join(new, "vmcore"))
    os.chmod(os.path.join(new, "vmcore"), 0o644)    # QEMU creates it 0400
    shutil.copy(boot.console, os.path.join(new, "console.log"))
    shutil.copy(boot.truthlog, os.path.join(new, "truth.log"))
    # The test modules this boot loaded, with their DWARF: the .ko whose
    # build-id is the loaded module's (the cache's copy is rebuilt when
    # its source changes).
    os.makedirs(os.path.join(new, "modules"))
    for name in TEST_MODULES:
        shutil.copy(k.test_kos[name], os.path.join(new, "modules", name + ".ko"))
    t = dict(truth)
    t["kind"] = kind
    t["dump_format"] = DUMP_FORMAT[kind]
    if kind == "kdump-d31":
        t["makedumpfile_dump_level"] = DUMP_LEVEL
    t["vmcore_bytes"] = os.path.getsize(os.path.join(new, "vmcore"))
    write_json(os.path.join(new, "truth.json"), t)
    old = os.path.join(parent, ".%s.old-%d" % (kind, os.getpid()))
    if os.path.lexists(final):
        os.replace(final, old)
    os.replace(new, final)
    rmtree(old)


def run_unit(k, scenario, mode):
    """Boot (with retries) and install the kinds of this unit."""
    label = "%s/%s/%s" % (k.release, scenario, mode)
    parent = os.path.join(cache_dir(), "dumps", k.release, scenario)
    os.makedirs(parent, exist_ok=True)
    work = os.path.join(parent, ".work-" + mode)
    attempts = int(os.environ.get("VMCA_BOOT_ATTEMPTS", BOOT_ATTEMPTS))
    for attempt in range(1, attempts + 1):
        check_abort()
        boot = Boot(k, scenario, mode, work)
        log("%s: booting (attempt %d/%d)" % (label, attempt, attempts))
        t0 = time.monotonic()
        try:
            vmcores = boot.run()
            truth = build_truth(k, scenario, mode, str(uuid.uuid4()), boot.console_text(),
                                boot.read(boot.truthlog), boot.cmdline, boot.bracket,
                                boot.stopped_after_read_s, boot.crash_seen_after_read_s)
            truth["qemu_args"] = boot.args
            for kind, path in vmcores.items():
                install_kind(k, scenario, kind, path, boot, truth)
            rmtree(work)
            log("%s: done in %.1fs (%s)" % (label, time.monotonic() - t0, ", ".join(
                "%s %d MB" % (kind, os.path.getsize(os.path.join(
                    dump_dir(k.release, scenario, kind), "vmcore")) >> 20) for kind in vmcores)))
            return
        except Exception as e:     # noqa: BLE001 - reported, retried
            fatal = isinstance(e, BootFailed) and e.fatal
            what = str(e) if isinstance(e, (BootFailed, GenError)) else "%s: %s" % (
                type(e).__name__, e)
            msg = "%s: attempt %d failed: %s" % (label, attempt, what)
            if fatal or attempt == attempts:
                raise GenError(msg + "\n  (work dir kept: %s)" % work)
            log(msg + "\n  retrying")


# ---------------------------------------------------------- manifest, lock

def write_manifest():
    dumps = []
    base = os.path.join(cache_dir(), "dumps")
    for short, rel in KERNELS.items():
        for scenario in SCENARIOS:
            for kind in KINDS:
                if not dump_complete(rel, scenario, kind):
                    continue
                d = dump_dir(rel, scenario, kind)
                dumps.append({"release": rel, "kernel": short, "scenario": scenario, "kind": kind,
                              "vmcore": os.path.join(d, "vmcore"),
                              "vmlinux": os.path.join(cache_dir(), "kernels", rel, "vmlinux"),
                              "truth": os.path.join(d, "truth.json"),
                              "console": os.path.join(d, "console.log"),
                              "modules": os.path.join(d, "modules"),
                              "vmcore_bytes": os.path.getsize(os.path.join(d, "vmcore"))})
    os.makedirs(base, exist_ok=True)
    path = os.path.join(cache_dir(), "manifest.json")
    write_json(path, {"generator_version": GENERATOR_VERSION, "dir": cache_dir(), "dumps": dumps})
    return path


def clean_stale():
    """Leftovers of interrupted or failed runs (we hold the lock)."""
    d = cache_dir()
    for pat in ("dumps/*/*/.work-*", "dumps/*/*/.*.new-*", "dumps/*/*/.*.old-*",
                "debs/.download-*", "kernels/*/*.tmp-*", "kernels/*/*.tmp", "*.tmp-*"):
        for p in glob.glob(os.path.join(d, pat)):
            rmtree(p)


@contextlib.contextmanager
def cache_lock():
    """One generator per cache directory; the others wait."""
    d = cache_dir()
    os.makedirs(d, exist_ok=True)
    f = open(os.path.join(d, ".lock"), "a+")
    try:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log("waiting for another generator holding %s" % f.name)
            fcntl.flock(f, fcntl.LOCK_EX)
        yield
    finally:
        f.close()


# ------------------------------------------------------------------- main

def expand(value, allowed, what):
    if value in (None, "all"):
        return list(allowed)
    out = []
    for v in value.split(","):
        v = v.strip()
        if v == "all":
            return list(allowed)
        if what == "kernel":
            v = kernel_short(v)
        elif v not in allowed:
            raise GenError("unknown %s %r (choose from %s, all)" % (what, v, ", ".join(allowed)))
        if v not in out:
            out.append(v)
    return out


def generate(kernels=None, scenarios=None, kinds=None, jobs=2, force=False):
    """Make sure the selected dumps exist; returns the manifest path."""
    kernels = expand(kernels, list(KERNELS), "kernel")
    scenarios = expand(scenarios, SCENARIOS, "scenario")
    kinds = expand(kinds, KINDS, "kind")
    t0 = time.monotonic()
    with cache_lock():
        clean_stale()
        ensure_tools()
        units = []
        for short in kernels:
            rel = KERNELS[short]
            for scenario in scenarios:
                for mode, mkinds in UNIT_KINDS.items():
                    wanted = [kd for kd in mkinds if kd in kinds and
                              kd in scenario_kinds(scenario, rel)]
                    if not wanted:
                        continue
                    if force or not all(dump_complete(rel, scenario, kd) for kd in wanted):
                        units.append((short, scenario, mode))
        # Longest first (capture kernels take longest, 6.12 more than 6.1),
        # so the two job slots finish close together.
        units.sort(key=lambda u: (u[2] != "kdump", u[0] != "6.12"))
        needed = sorted({u[0] for u in units})
        # vmlinux is part of every manifest entry: always make sure it is there
        vmlinux_needed = [s for s in kernels if not os.path.exists(Kernel(s).vmlinux)]
        if not units and not vmlinux_needed:
            log("all %d selected dumps present in %s" % (
                sum(kd in kinds for short in kernels for sc in scenarios
                    for kd in scenario_kinds(sc, KERNELS[short])), cache_dir()))
            return write_manifest()
        ensure_host([KERNELS[s] for s in needed])
        ks = {s: Kernel(s) for s in set(needed) | set(vmlinux_needed)}
        jobs = max(1, int(jobs))
        errors = []
        # vmlinux extraction (~20 s of xz per kernel) runs beside the boots;
        # build_truth() waits for it (it reads _text from vmlinux).
        vx = ThreadPoolExecutor(max_workers=2)
        _abort.clear()
        try:
            for s, k in ks.items():
                k.vmlinux_future = vx.submit(k.prepare_vmlinux)
            with ThreadPoolExecutor(max_workers=2) as px:
                prep = [(s, px.submit(ks[s].prepare_boot)) for s in needed]
                for s, f in prep:
                    try:
                        f.result()
                    except GenError:
                        raise
                    except Exception as e:
                        raise GenError("preparing kernel %s: %s: %s"
                                       % (KERNELS[s], type(e).__name__, e))
            bx = ThreadPoolExecutor(max_workers=jobs)
            try:
                results = [bx.submit(run_unit, ks[s], sc, mode) for s, sc, mode in units]
                for f in results:
                    try:
                        f.result()
                    except GenError as e:
                        errors.append(str(e))
            except BaseException:
                _abort.set()
                kill_all_qemu()
                raise
            finally:
                bx.shutdown(wait=True, cancel_futures=True)
                kill_all_qemu()
            for k in ks.values():
                try:
                    k.vmlinux_future.result()
                except GenError:
                    raise
                except Exception as e:
                    raise GenError("extracting vmlinux of %s: %s: %s"
                                   % (k.release, type(e).__name__, e))
        except BaseException:
            _abort.set()
            raise
        finally:
            vx.shutdown(wait=True, cancel_futures=True)
        path = write_manifest()
        if errors:
            raise GenError("%d of %d boots failed:\n%s" % (len(errors), len(units), "\n".join(errors)))
        log("corpus ready in %.1fs: %s" % (time.monotonic() - t0, path))
        return path


def _sigterm(signum, frame):
    raise KeyboardInterrupt


def main(argv=None):
    import signal
    signal.signal(signal.SIGTERM, _sigterm)
    ap = argparse.ArgumentParser(description="Generate the vmca test corpus (real vmcores under QEMU).")
    ap.add_argument("--kernel", default="all", help="5.10, 6.1, 6.12 or all (comma list ok)")
    ap.add_argument("--scenario", default="all",
                    help="idle, panic, leak, frag, timer, leakdebug, hostile, a crash "
                    "scenario or all "
                    "(comma list ok)")
    ap.add_argument("--kind", default="all", help="qemu-kdump, qemu-elf, kdump or all")
    ap.add_argument("--jobs", type=int, default=2, help="parallel QEMU boots (default 2)")
    ap.add_argument("--force", action="store_true", help="regenerate even if present")
    a = ap.parse_args(argv)
    try:
        generate(a.kernel, a.scenario, a.kind, a.jobs, a.force)
    except GenError as e:
        sys.stderr.write("generate.py: error: %s\n" % e)
        return 1
    except KeyboardInterrupt:
        kill_all_qemu()
        sys.stderr.write("generate.py: interrupted\n")
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
