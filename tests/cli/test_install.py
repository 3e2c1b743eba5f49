#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""cmake --install into a fresh prefix: the program, vmca-plugin.h, the
man page, bash completion, the example plugin's source. The example
plugin builds out of tree against the installed header alone (cc -shared)
and runs in the installed vmca: its tasks equal `ps --json`'s; a shared
object that is no plugin is refused with a one-line error. The man page
renders (man -l) with a section for every command `vmca help` lists; the
bash completion completes a command name."""
import json
import os
import subprocess
import tempfile

from vmcatest import setup


# A plugin built against API version 1: five members, no examples.
V1_PLUGIN = r"""
#include <stdio.h>
struct vmca_session;
struct vmca_out;
struct vmca_error;
struct v1_plugin {
    const char *name, *summary, *usage, *help;
    struct vmca_error *(*run)(struct vmca_session *, struct vmca_out *,
                              int, char **);
};
static struct vmca_error *run(struct vmca_session *s, struct vmca_out *o,
                              int argc, char **argv)
{
    (void)s; (void)o; (void)argc; (void)argv;
    printf("version 1\n");
    fflush(stdout);
    return NULL;
}
static const struct v1_plugin p = {"vone", "a version 1 plugin", "vone",
                                   NULL, run};
const void *vmca_plugin_init(unsigned api_version)
{
    return api_version == 1 ? &p : NULL;
}
"""


def main():
    d, truth, c, v = setup("install")
    build = os.path.dirname(os.path.abspath(v.binary))
    with tempfile.TemporaryDirectory() as prefix:
        p = subprocess.run(["cmake", "--install", build, "--prefix", prefix],
                           capture_output=True, text=True)
        c.equal(p.returncode, 0, f"cmake --install: {p.stderr[-300:]}")
        files = {f: os.path.join(prefix, f) for f in (
            "bin/vmca", "include/vmca-plugin.h", "share/man/man1/vmca.1",
            "share/bash-completion/completions/vmca",
            "share/doc/vmca/examples/comm.c",
            "share/vmca/schema/triage.schema.json",
            "share/vmca/schema/batch.schema.json")}
        for f, path in files.items():
            c.check(os.path.exists(path), f"installed {f}")
        vmca = files["bin/vmca"]
        so = os.path.join(prefix, "comm.so")
        p = subprocess.run(["cc", "-shared", "-fPIC", "-Wall", "-Wextra",
                            "-Werror", "-I", os.path.join(prefix, "include"),
                            "-o", so, files["share/doc/vmca/examples/comm.c"]],
                           capture_output=True, text=True)
        c.equal(p.returncode, 0, f"the example builds out of tree: {p.stderr}")
        base = ["--cache-dir", v.cache_dir, "-k", d["vmlinux"]]
        p = subprocess.run([vmca, "--plugin", so, *base, "--json",
                            d["vmcore"], "comm"], capture_output=True,
                           text=True, timeout=300)
        got = sorted((t["pid"], t["comm"])
                     for t in json.loads(p.stdout)["tasks"]) \
            if p.returncode == 0 else p.stderr
        ps = v.json(*base, d["vmcore"], "ps")
        c.equal(got, sorted((t["pid"], t["comm"]) for t in ps["tasks"]),
                "the plugin's tasks: ps's")
        p = subprocess.run([vmca, "--plugin", so, *base, d["vmcore"],
                            "comm", "vmca-sl"], capture_output=True,
                           text=True, timeout=300)
        c.check(p.returncode == 0 and "vmca-sleeper" in p.stdout and
                "init" not in p.stdout, "the plugin's argument, in text")
        empty = os.path.join(prefix, "empty.so")
        src = os.path.join(prefix, "empty.c")
        with open(src, "w") as f:
            f.write("int vmca_not_a_plugin;\n")
        subprocess.run(["cc", "-shared", "-fPIC", "-o", empty, src],
                       check=True)
        p = subprocess.run([vmca, "--plugin", empty, *base, d["vmcore"],
                            "sys"], capture_output=True, text=True)
        c.check(p.returncode == 1 and "not a vmca plugin" in p.stderr and
                p.stderr.count("\n") == 1,
                f"no plugin: one line, exit 1: {p.stderr!r}")
        p = subprocess.run([vmca, "--plugin", so, "help", "comm"],
                           capture_output=True, text=True)
        c.check(p.returncode == 0 and
                "  vmca VMCORE comm kworker/\n" in p.stdout,
                f"the plugin's help has its examples: {p.stdout!r}")
        # A plugin of API version 1 (its struct ends before examples),
        # declining 2: loaded through vmca_plugin_init(1).
        v1 = os.path.join(prefix, "v1.so")
        src = os.path.join(prefix, "v1.c")
        with open(src, "w") as f:
            f.write(V1_PLUGIN)
        subprocess.run(["cc", "-shared", "-fPIC", "-o", v1, src],
                       check=True)
        p = subprocess.run([vmca, "--plugin", v1, *base, d["vmcore"],
                            "vone"], capture_output=True, text=True)
        c.check(p.returncode == 0 and p.stdout == "version 1\n",
                f"a version 1 plugin runs: {p.returncode} {p.stderr!r}")
        p = subprocess.run([vmca, "--plugin", v1, "help", "vone"],
                           capture_output=True, text=True)
        c.check(p.returncode == 0 and "vmca VMCORE vone" in p.stdout and
                "Examples" not in p.stdout,
                f"its help, without examples: {p.stdout!r}")
        # The man page: rendered, every command in it.
        p = subprocess.run(["man", "-l", files["share/man/man1/vmca.1"]],
                           capture_output=True, text=True,
                           env=dict(os.environ, MANWIDTH="100",
                                    MAN_KEEP_FORMATTING=""))
        cmds = [l.split()[0] for l in subprocess.run(
            [vmca, "help"], capture_output=True, text=True).stdout
            .split("Commands:\n", 1)[1].splitlines() if l.strip()]
        c.check(p.returncode == 0 and "SYNOPSIS" in p.stdout,
                "man -l renders vmca(1)")
        missing = [x for x in cmds
                   if f"\n   {x}\n" not in p.stdout]
        c.equal(missing, [], "every command has its section in vmca(1)")
        # Bash completion of a command after the dump.
        script = (f'source {files["share/bash-completion/completions/vmca"]}; '
                  f'COMP_WORDS=(vmca {d["vmcore"]} tri); COMP_CWORD=2; '
                  f'_vmca; echo "${{COMPREPLY[*]}}"')
        p = subprocess.run(["bash", "-c", script], capture_output=True,
                           text=True, env=dict(os.environ, PATH=os.path.join(
                               prefix, "bin") + ":" + os.environ["PATH"]))
        c.equal(p.stdout.split(), ["triage"], "bash completes tri -> triage")
    c.finish()


if __name__ == "__main__":
    main()
