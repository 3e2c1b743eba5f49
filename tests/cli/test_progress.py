#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Progress on stderr only when stderr is a terminal: the first index
build of a vmlinux (an empty cache) under a pseudo-terminal (script(1))
draws "vmca: indexing ..." lines with a percentage and the time left,
and clears its line at the end; the same with stderr a pipe writes
nothing but the command's output; VMCA_PROGRESS=0 turns it off on a
terminal too."""
import os
import shlex
import subprocess
import tempfile

from vmcatest import setup


def main():
    d, truth, c, v = setup("progress")

    def cold(env_extra, tty):
        with tempfile.TemporaryDirectory() as cache:
            argv = [v.binary, "--cache-dir", cache, "-k", d["vmlinux"],
                    d["vmcore"], "sys"]
            env = {k: x for k, x in os.environ.items()
                   if k != "VMCA_PROGRESS"}
            env.update(env_extra)
            if tty:
                argv = ["script", "-qec", shlex.join(argv), "/dev/null"]
            return subprocess.run(argv, capture_output=True, env=env,
                                  timeout=1200)
    p = cold({}, True)
    out = p.stdout.decode(errors="replace")
    c.check(p.returncode == 0 and "\r\x1b[Kvmca: indexing the vmlinux's "
            "DWARF (once): " in out and "% (" in out and "s left" in out,
            f"a terminal: progress drawn: {out[:300]!r}")
    c.check(truth["uname_r"] in out, "and the command's output")
    p = cold({}, False)
    c.check(p.returncode == 0 and b"\r" not in p.stderr and
            b"indexing" not in p.stderr,
            f"stderr a pipe: no progress: {p.stderr[:200]!r}")
    p = cold({"VMCA_PROGRESS": "0"}, True)
    c.check(p.returncode == 0 and b"indexing" not in p.stdout,
            "VMCA_PROGRESS=0 on a terminal: no progress")
    c.finish()


if __name__ == "__main__":
    main()
