# SPDX-License-Identifier: MIT
"""Shared helpers of the CLI tests: run vmca, find the corpus, count checks."""
import json
import os
import subprocess
import sys

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


class Checker:
    """Counts checks; prints failures as they happen and a summary."""

    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0

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

    def finish(self):
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
        return p

    def json(self, *args, **kw):
        p = self.run(*args, json_out=True, **kw)
        return json.loads(p.stdout)
