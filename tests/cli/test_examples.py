#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Every command's help and examples, run on a real dump: `vmca help`
lists every built-in command, `vmca help CMD` has its usage and at least
one example, and each example runs as written on the dump, in text and
with --json (its output valid against plugins/schema/CMD.schema.json, as
every --json run of the tests is: vmcatest.check_schema). `triage
--fail-on panic,oom` exits with the status of the findings its JSON
lists (3 for a panic, else 4 for an OOM, else 0), the other examples 0. The schema files: one per
command and batch, each a valid JSON Schema, none for a command that does
not exist."""
import json
import os
import re
import shlex
import tempfile

from vmcatest import SCHEMA_DIR, setup


def examples(v, command):
    text = v.run("help", command).stdout
    got, inside = [], False
    for line in text.splitlines():
        if line == "Examples:":
            inside = True
        elif inside and line.startswith("  vmca VMCORE "):
            got.append(line[len("  vmca VMCORE "):])
        elif inside and not line.startswith("      "):
            inside = False
    return text, got


def main():
    d, truth, c, v = setup("examples")
    v.binary = os.path.abspath(v.binary)  # the examples run in a temp dir
    v.cache_dir = os.path.abspath(v.cache_dir)
    listing = v.run("help").stdout
    commands = re.findall(r"^  (\w+)\s", listing.split("Commands:", 1)[1],
                          re.M)
    c.check(len(commands) >= 20, f"vmca help lists the commands: {commands}")
    schemas = sorted(f[:-len(".schema.json")] for f in os.listdir(SCHEMA_DIR)
                     if f.endswith(".schema.json"))
    c.equal(schemas, sorted(commands + ["batch", "error"]),
            "one schema per command, batch and error")
    base = ["-k", d["vmlinux"], "-m", d["modules"], d["vmcore"]]
    with tempfile.TemporaryDirectory() as tmp:
        cwd = os.getcwd()
        os.chdir(tmp)
        try:
            for command in commands:
                text, ex = examples(v, command)
                c.check(text.startswith(f"usage: vmca VMCORE {command}"),
                        f"help {command}: its usage")
                if not c.check(ex, f"help {command}: examples"):
                    continue
                for args in ex:
                    argv = shlex.split(args)
                    p = v.run(*base, *argv, check=False, timeout=900)
                    pj = v.run(*base, *argv, json_out=True, check=False,
                               timeout=900)
                    want = 0
                    if "--fail-on" in argv:
                        # The first finding of the kinds asked for.
                        kinds = [f["kind"] for f in
                                 json.loads(pj.stdout)["findings"]]
                        want = 3 if "panic" in kinds else \
                            4 if "oom" in kinds else 0
                    c.equal(p.returncode, want,
                            f"{args}: exit status ({p.stderr.strip()})")
                    c.check(p.stdout.strip(), f"{args}: prints something")
                    c.equal(pj.returncode, want, f"{args} --json: status")
        finally:
            os.chdir(cwd)
    c.finish()


if __name__ == "__main__":
    main()
