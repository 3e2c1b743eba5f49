# SPDX-License-Identifier: MIT
"""Shared helpers of the CLI tests: run vmca, find the corpus, count checks."""
import json
import os
import re
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def testdata_dir():
    d = os.environ.get("VMCA_TESTDATA_DIR")
    if d:
        return d
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(
        os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "vmca-testdata")


def dump(kernel, scenario, kind):
    """The manifest entry of one dump; generates it if missing."""
    manifest = os.path.join(testdata_dir(), "manifest.json")
    for attempt in range(2):
        if os.path.exists(manifest):
            with open(manifest) as f:
                for d in json.load(f)["dumps"]:
                    if (d["kernel"], d["scenario"], d["kind"]) == (
                            kernel, scenario, kind) and os.path.exists(
                                d["vmcore"]):
                        return d
        if attempt == 0:
            subprocess.run([sys.executable,
                            os.path.join(ROOT, "testdata", "generate.py"),
                            "--kernel", kernel, "--scenario", scenario,
                            "--kind", kind], check=True)
    raise SystemExit(f"no dump {kernel}/{scenario}/{kind} in the corpus")


class Bounds:
    """What the dump may hold, from the guest's two readings of a figure
    (testdata/README.md, "Ground truth"):

    - bracket "around" (QEMU, idle/leak/frag): the dump was taken between
      round 1 and round 2, so it lies between the two readings;
    - bracket "before" (kdump, and panic under QEMU): round 1, a pause,
      round 2, then the crash at once, no later after round 2 than the
      rounds are apart: the figure is within its drift over the pause
      of the reading in round 2.

    Where the two readings agree the bound is that one value: exact."""

    def __init__(self, truth):
        self.bracket = truth["bracket"]
        r1, r2 = truth["rounds"]
        self.near, self.far = (r1, r2) if self.bracket == "around" else (r2, r1)

    def of(self, get):
        """(lo, hi) of get(round); a figure missing from the far round
        (get raises KeyError or returns None) is bounded by the near one."""
        a = get(self.near)
        try:
            b = get(self.far)
        except (KeyError, IndexError, StopIteration):
            b = None
        if b is None:
            return a, a
        if self.bracket == "around":
            return min(a, b), max(a, b)
        d = abs(a - b)
        return a - d, a + d

    def both(self, get):
        """get(round) of the near and the far round."""
        return get(self.near), get(self.far)


class Checker:
    """Counts checks; prints failures as they happen and a summary."""

    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0
        self.bounded = 0
        self.relaxed = []

    def check(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL [{self.name}] {what}", flush=True)
        return cond

    def equal(self, got, expected, what):
        return self.check(got == expected,
                          f"{what}: got {got!r}, expected {expected!r}")

    def within(self, got, bounds, what):
        """got within (lo, hi) from Bounds.of(); exact when lo == hi.
        Checks the bound relaxed (the figure moved between the guest's
        readings) are listed at the end."""
        lo, hi = bounds
        self.bounded += 1
        if lo == hi:
            return self.equal(got, lo, what)
        self.relaxed.append(f"{what} {got} in [{lo}, {hi}]")
        return self.check(lo <= got <= hi,
                          f"{what}: got {got!r}, expected within [{lo}, "
                          f"{hi}] (the guest's two readings)")

    def finish(self):
        if self.relaxed:
            print(f"relaxed: {len(self.relaxed)} of {self.bounded} bounded "
                  f"checks moved between the guest's readings: "
                  + "; ".join(self.relaxed))
        elif self.bounded:
            print(f"relaxed: 0 of {self.bounded} bounded checks")
        print(f"{self.passed} passed, {self.failed} failed")
        sys.exit(1 if self.failed or not self.passed else 0)


def setup(name):
    """The arguments every per-dump check takes; returns the dump's
    manifest entry, its truth, a Checker and a Vmca runner."""
    import argparse
    ap = argparse.ArgumentParser()
    for arg in ("--vmca", "--cache-dir", "--kernel", "--scenario", "--kind"):
        ap.add_argument(arg, required=True)
    a = ap.parse_args()
    d = dump(a.kernel, a.scenario, a.kind)
    with open(d["truth"]) as f:
        truth = json.load(f)
    return (d, truth, Checker(f"{name} {a.kernel}/{a.scenario}/{a.kind}"),
            Vmca(a.vmca, a.cache_dir))


def kernel_config(truth, name, default=None):
    """CONFIG_name of the dump's kernel, from the config file the
    generator extracted beside its vmlinux (an int where it is one)."""
    path = os.path.join(testdata_dir(), "kernels", truth["release"], "config")
    with open(path) as f:
        for line in f:
            if line.startswith(f"CONFIG_{name}="):
                v = line.split("=", 1)[1].strip()
                return int(v) if v.isdigit() else v
    return default


SCHEMA_DIR = os.path.join(ROOT, "plugins", "schema")
# vmca's options that take a value (analyzer/main.c).
VALUED_OPTIONS = {"-k", "--vmlinux", "-m", "--modules", "--cache-dir",
                  "--plugin"}
_validators = {}


def command_of(argv):
    """The command of a vmca command line (argv without the program):
    "batch", the plugin's name, or None (help, the session); and whether
    a --plugin was loaded."""
    words, plugin, i = [], False, 0
    while i < len(argv):
        a = argv[i]
        if a in VALUED_OPTIONS:
            plugin |= a == "--plugin"
            i += 2
            continue
        if a.startswith("--") and "=" in a:
            plugin |= a.startswith("--plugin=")
        elif not a.startswith("-"):
            words = argv[i:]
            break
        i += 1
    if words and words[0] == "batch":
        return "batch", plugin
    if len(words) >= 2 and words[1] not in ("help", "script"):
        return words[1], plugin
    return None, plugin


def validator(name):
    """The jsonschema validator of plugins/schema/NAME.schema.json (error:
    the error object every command writes when it fails). Debian's
    python3-jsonschema (tests/deps.sh); the tests run with /usr/bin/python3."""
    if name not in _validators:
        import jsonschema
        path = os.path.join(SCHEMA_DIR, name + ".schema.json")
        if not os.path.exists(path):
            raise AssertionError(f"no JSON schema for '{name}': {path}")
        with open(path) as f:
            schema = json.load(f)
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        _validators[name] = cls(schema)
    return _validators[name]


def check_schema(argv, stdout, returncode):
    """Validate a --json run's output (each line, for batch) against its
    command's schema, or the error schema when vmca failed; record it under
    $VMCA_JSON_RECORD (a directory) when set."""
    command, plugin = command_of(argv)
    if command is None or (plugin and not os.path.exists(os.path.join(
            SCHEMA_DIR, command + ".schema.json"))):
        return
    lines = stdout.splitlines() if command == "batch" else [stdout]
    for text in lines:
        if not text.strip():
            continue
        try:
            doc = json.loads(text)
        except ValueError:
            if returncode != 0:
                return  # a usage error: stderr only
            raise AssertionError(f"vmca {' '.join(argv)}: not JSON")
        name = command
        if returncode not in (0, 3, 4, 5, 6) and isinstance(
                doc, dict) and list(doc) == ["error"]:
            name = "error"
        record = os.environ.get("VMCA_JSON_RECORD")
        if record:
            os.makedirs(record, exist_ok=True)
            fd, path = tempfile.mkstemp(prefix=name + ".", suffix=".json",
                                        dir=record)
            with os.fdopen(fd, "w") as f:
                json.dump({"argv": argv, "doc": doc}, f)
            if not os.path.exists(os.path.join(SCHEMA_DIR,
                                               name + ".schema.json")):
                continue
        errors = list(validator(name).iter_errors(doc))
        if errors:
            import jsonschema
            e = jsonschema.exceptions.best_match(errors)
            while e.context:  # into oneOf: the variant's own complaint
                e = jsonschema.exceptions.best_match(e.context)
            where = "/".join(str(x) for x in e.absolute_path) or "(top)"
            raise AssertionError(
                f"vmca {' '.join(argv)}: the JSON does not follow "
                f"plugins/schema/{name}.schema.json at {where}: {e.message[:400]}"
                f" ({len(errors)} errors)")


class Vmca:
    def __init__(self, binary, cache_dir):
        self.binary = binary
        self.cache_dir = cache_dir

    def run(self, *args, json_out=False, check=True, timeout=300):
        argv = [self.binary, "--cache-dir", self.cache_dir]
        if json_out:
            argv.append("--json")
        argv += [str(a) for a in args]
        p = subprocess.run(argv, capture_output=True, text=True,
                           timeout=timeout, errors="replace")
        if check and p.returncode != 0:
            raise AssertionError(
                f"{' '.join(argv)} exited {p.returncode}: {p.stderr}")
        if "--json" in argv[1:]:
            check_schema(argv[1:], p.stdout, p.returncode)
        return p

    def json(self, *args, **kw):
        p = self.run(*args, json_out=True, **kw)
        return json.loads(p.stdout)


MEMBER_RE = re.compile(
    r"^\s*(.*?);\s*/\*\s*(\d+)(?::\s*(\d+))?\s+(\d+)\s*\*/")


def member_name(decl):
    decl = re.sub(r"__attribute__\(\(.*?\)\)", "", decl).strip()
    fp = re.search(r"\(\*\s*(\w+)\)", decl)
    if fp:
        return fp.group(1)
    decl = re.sub(r":\s*\d+$", "", decl).strip()
    decl = re.sub(r"(\[\d*\])+$", "", decl).strip()
    return re.findall(r"\w+", decl)[-1]


def pahole_layout(vmlinux, struct):
    """{member name: bit offset} and the size, from the kernel's BTF.
    Members of anonymous structs/unions appear by their own names, as C
    reads them; a named member of an inline-defined type is one member."""
    out = subprocess.run(["pahole", "-F", "btf", "-C", struct, vmlinux],
                         capture_output=True, text=True, check=True).stdout
    size = None
    stack = [{}]  # the members of each open brace block
    for line in out.splitlines():
        m = re.search(r"/\* size: (\d+)", line)
        if m and len(stack) <= 2:
            size = int(m.group(1))
        stripped = line.strip()
        if stripped.endswith("{"):
            stack.append({})
            continue
        if stripped.startswith("}"):
            inner = stack.pop() if len(stack) > 1 else {}
            mm = MEMBER_RE.match(line)
            tail = re.sub(r"__attribute__\(\(.*?\)\)", "",
                          stripped[1:].split(";")[0])
            named = re.search(r"\w", tail)
            if mm and named and len(stack) > 1:
                # "} name; /* off size */": one named member.
                name = member_name(stripped[1:].split(";")[0])
                bits = int(mm.group(2)) * 8 + int(mm.group(3) or 0)
                stack[-1].setdefault(name, bits)
            elif len(stack) > 1:
                for k, v in inner.items():
                    stack[-1].setdefault(k, v)
            elif len(stack) == 1:
                stack[0] = inner
            continue
        mm = MEMBER_RE.match(line)
        if mm and len(stack) > 1:
            bits = int(mm.group(2)) * 8 + int(mm.group(3) or 0)
            stack[-1].setdefault(member_name(mm.group(1)), bits)
    return stack[0], size


def elf_loads(path):
    """[(paddr, offset, filesz)] of an ELF64 core's PT_LOAD headers."""
    with open(path, "rb") as f:
        h = f.read(64)
        phoff, = struct.unpack_from("<Q", h, 32)
        phentsize, phnum = struct.unpack_from("<HH", h, 54)
        f.seek(phoff)
        ph = f.read(phentsize * phnum)
    loads = []
    for i in range(phnum):
        p_type, _, off, _, paddr, filesz = struct.unpack_from(
            "<IIQQQQ", ph, i * phentsize)
        if p_type == 1:
            loads.append((paddr, off, filesz))
    return loads


def patch_phys(path, loads, paddr, data):
    """Write data at a physical address in every PT_LOAD that maps it
    (QEMU's paging ELF maps physical pages once per virtual mapping)."""
    done = False
    with open(path, "r+b") as f:
        for base, off, size in loads:
            if base <= paddr and paddr + len(data) <= base + size:
                f.seek(off + paddr - base)
                f.write(data)
                done = True
    return done
