#!/usr/bin/env python3
"""Find dumps of the vmca test corpus, generating them when missing.

Command line (paths go to stdout, progress and errors to stderr):

  corpus.py path --kernel 6.1 --scenario idle --kind qemu-kdump \\
                 [--what vmcore|vmlinux|truth|console|dir] [--no-generate]
  corpus.py list [--kernel K] [--scenario S] [--kind K]
        one line per complete dump:
        kernel<TAB>scenario<TAB>kind<TAB>vmcore<TAB>vmlinux<TAB>truth
  corpus.py dir      the cache directory

Exit status: 0 ok, 1 generation failed, 2 usage error or (with
--no-generate) the dump is missing.

From Python (testdata/ on sys.path):

  import corpus
  corpus.path("6.1", "idle", "qemu-kdump")            # vmcore path
  corpus.path("6.12", "panic", "kdump", what="truth")
  corpus.truth("6.1", "panic", "qemu-elf")            # parsed truth.json
  corpus.dumps()                                      # manifest entries

--kernel takes the short name (5.10, 6.1, 6.12) or the release string.
"""

import argparse
import json
import os
import sys

sys.dont_write_bytecode = True          # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate  # noqa: E402

WHATS = ("vmcore", "vmlinux", "truth", "console", "dir")


class CorpusError(Exception):
    pass


def cache_dir():
    return generate.cache_dir()


def _check(kernel, scenario, kind, what):
    try:
        short = generate.kernel_short(kernel)
    except generate.GenError as e:
        raise CorpusError(str(e))
    if scenario not in generate.SCENARIOS:
        raise CorpusError("unknown scenario %r (choose from %s)" % (
            scenario, ", ".join(generate.SCENARIOS)))
    if kind not in generate.KINDS:
        raise CorpusError("unknown kind %r (choose from %s)" % (kind, ", ".join(generate.KINDS)))
    if what not in WHATS:
        raise CorpusError("unknown --what %r (choose from %s)" % (what, ", ".join(WHATS)))
    return short


def _paths(short, scenario, kind):
    rel = generate.KERNELS[short]
    d = generate.dump_dir(rel, scenario, kind)
    return {
        "dir": d,
        "vmcore": os.path.join(d, "vmcore"),
        "truth": os.path.join(d, "truth.json"),
        "console": os.path.join(d, "console.log"),
        "vmlinux": os.path.join(cache_dir(), "kernels", rel, "vmlinux"),
    }


def ready(kernel, scenario, kind):
    """True if the dump and its vmlinux are in the cache."""
    short = _check(kernel, scenario, kind, "vmcore")
    p = _paths(short, scenario, kind)
    return generate.dump_complete(generate.KERNELS[short], scenario, kind) and \
        os.path.exists(p["vmlinux"])


def ensure(kernel, scenario, kind, jobs=2):
    """Generate the dump if missing; returns its dict of paths."""
    short = _check(kernel, scenario, kind, "vmcore")
    if not ready(short, scenario, kind):
        try:
            generate.generate(short, scenario, kind, jobs=jobs)
        except generate.GenError as e:
            raise CorpusError(str(e))
        if not ready(short, scenario, kind):
            raise CorpusError("generation finished but %s/%s/%s is still missing"
                              % (short, scenario, kind))
    return _paths(short, scenario, kind)


def path(kernel, scenario, kind, what="vmcore", generate_missing=True):
    """Absolute path of one file of a dump (see WHATS)."""
    short = _check(kernel, scenario, kind, what)
    if generate_missing:
        return ensure(short, scenario, kind)[what]
    if not ready(short, scenario, kind):
        raise CorpusError("dump %s/%s/%s not generated (run testdata/generate.py)"
                          % (short, scenario, kind))
    return _paths(short, scenario, kind)[what]


def truth(kernel, scenario, kind, generate_missing=True):
    with open(path(kernel, scenario, kind, "truth", generate_missing)) as f:
        return json.load(f)


def dumps(kernel="all", scenario="all", kind="all"):
    """Complete dumps in the cache (manifest entries), without generating."""
    out = []
    ks = generate.expand(kernel, list(generate.KERNELS), "kernel")
    for short in ks:
        for sc in generate.expand(scenario, generate.SCENARIOS, "scenario"):
            for kd in generate.expand(kind, generate.KINDS, "kind"):
                if ready(short, sc, kd):
                    p = _paths(short, sc, kd)
                    out.append({"release": generate.KERNELS[short], "kernel": short,
                                "scenario": sc, "kind": kd, "vmcore": p["vmcore"],
                                "vmlinux": p["vmlinux"], "truth": p["truth"]})
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description="Look up dumps of the vmca test corpus.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("path", help="print the path of a dump's file (generating it if missing)")
    p.add_argument("--kernel", required=True)
    p.add_argument("--scenario", required=True)
    p.add_argument("--kind", required=True)
    p.add_argument("--what", default="vmcore", choices=WHATS)
    p.add_argument("--no-generate", action="store_true",
                   help="fail (exit 2) instead of generating a missing dump")
    p.add_argument("--jobs", type=int, default=2)
    lp = sub.add_parser("list", help="list the complete dumps in the cache")
    lp.add_argument("--kernel", default="all")
    lp.add_argument("--scenario", default="all")
    lp.add_argument("--kind", default="all")
    sub.add_parser("dir", help="print the cache directory")
    a = ap.parse_args(argv)
    try:
        if a.cmd == "dir":
            print(cache_dir())
        elif a.cmd == "list":
            for d in dumps(a.kernel, a.scenario, a.kind):
                print("\t".join((d["kernel"], d["scenario"], d["kind"], d["vmcore"],
                                 d["vmlinux"], d["truth"])))
        else:
            if a.no_generate:
                print(path(a.kernel, a.scenario, a.kind, a.what, generate_missing=False))
            else:
                _check(a.kernel, a.scenario, a.kind, a.what)
                print(ensure(a.kernel, a.scenario, a.kind, a.jobs)[a.what])
    except (CorpusError, generate.GenError) as e:
        sys.stderr.write("corpus.py: error: %s\n" % e)
        if a.cmd == "path" and a.no_generate:
            return 2
        return 1 if "unknown" not in str(e) else 2
    except KeyboardInterrupt:
        generate.kill_all_qemu()
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
