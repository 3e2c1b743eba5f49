#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The interactive session as a person uses it, under tmux (send-keys,
capture-pane): the prompt; `sys` (the guest's release); `ps | grep
vmca-sleeper` (the sleeper's line and no other); tab completion of a
struct name (`struct task_st<Tab>` becomes `struct task_struct`, whose
layout follows) and of a member (`eval init_task.pid<Tab>`); history
recall (Up, Enter: the last command again); `help`; `sys > FILE`; `quit`
ends it and the history is saved. Without a terminal the lines are a
script, and `script FILE` runs a file's."""
import os
import shutil
import subprocess
import tempfile
import time

from vmcatest import setup


def tmux(*args, check=True):
    return subprocess.run(["tmux", *args], capture_output=True, text=True,
                          check=check)


class Pane:
    def __init__(self, name):
        self.name = name

    def text(self):
        return tmux("capture-pane", "-t", self.name, "-p", "-J", "-S",
                    "-10000").stdout

    def wait(self, cond, what, timeout=60):
        """Wait until cond(pane text) holds."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            t = self.text()
            if cond(t):
                return t
            time.sleep(0.1)
        raise SystemExit(f"timed out waiting for {what}:\n{self.text()}")

    def prompts(self):
        return self.text().count("vmca> ")

    def run(self, *keys, settle=True):
        """Send keys; wait for the next prompt."""
        n = self.prompts()
        tmux("send-keys", "-t", self.name, *keys)
        if settle:
            return self.wait(lambda t: t.count("vmca> ") > n,
                             f"the prompt after {keys}")


def after(text, command):
    """The output of the last `vmca> command` in text, up to the next
    prompt."""
    at = text.rfind("vmca> " + command)
    if at < 0:
        return None
    rest = text[at + len("vmca> " + command):].split("\n", 1)
    body = rest[1] if len(rest) > 1 else ""
    return body.split("vmca> ", 1)[0]


def main():
    d, truth, c, v = setup("interactive")
    if not c.check(shutil.which("tmux"), "tmux installed (tests/deps.sh)"):
        c.finish()
    name = f"vmca-test-{os.getpid()}"
    with tempfile.TemporaryDirectory() as home:
        out = os.path.join(home, "sys.txt")
        cmd = (f"env HOME={home} XDG_STATE_HOME= {v.binary} --cache-dir "
               f"{v.cache_dir} -k {d['vmlinux']} {d['vmcore']}")
        tmux("new-session", "-d", "-s", name, "-x", "200", "-y", "50", cmd)
        try:
            p = Pane(name)
            p.wait(lambda t: "vmca> " in t, "the first prompt")
            c.check(True, "the prompt")
            t = p.run("sys", "Enter")
            c.check(truth["uname_r"] in (after(t, "sys") or ""),
                    "sys: the guest's release")
            t = p.run("ps | grep vmca-sleeper", "Enter")
            body = [l for l in (after(t, "ps | grep vmca-sleeper") or "")
                    .splitlines() if l.strip()]
            c.check(len(body) >= 1 and all("vmca-sleeper" in l
                                           for l in body),
                    f"ps | grep: only the sleeper's lines: {body}")
            # Completion of a struct name, then its layout.
            tmux("send-keys", "-t", name, "struct task_st", "Tab")
            # (No space after it where other types start the same:
            # task_struct_ext...)
            t = p.wait(lambda t: "vmca> struct task_struct" in t,
                       "struct task_st<Tab> completed")
            c.check(True, "completion of a struct name")
            t = p.run("Enter")
            c.check("struct task_struct {" in
                    (after(t, "struct task_struct") or ""),
                    "the completed command ran: the layout")
            # Completion of a member of a variable.
            tmux("send-keys", "-t", name, "eval init_task.tg", "Tab")
            t = p.wait(lambda t: "vmca> eval init_task.tgid" in t,
                       "eval init_task.tg<Tab> completed")
            c.check(True, "completion of a member")
            t = p.run("Enter")
            c.check("0" in (after(t, "eval init_task.tgid") or ""),
                    "eval init_task.tgid ran")
            # History: Up recalls the last command.
            n = p.text().count("struct task_struct {")
            p.run("Up", "Up", "Enter")
            c.equal(p.text().count("struct task_struct {"), n + 1,
                    "Up Up Enter: struct task_struct again")
            t = p.run("help", "Enter")
            c.check("triage" in (after(t, "help") or "") and
                    "bt" in (after(t, "help") or ""), "help lists commands")
            p.run(f"sys > {out}", "Enter")
            c.check(os.path.exists(out) and truth["uname_r"] in
                    open(out).read(), "sys > FILE")
            tmux("send-keys", "-t", name, "quit", "Enter")
            end = time.monotonic() + 30
            while time.monotonic() < end and tmux(
                    "has-session", "-t", name, check=False).returncode == 0:
                time.sleep(0.1)
            c.check(tmux("has-session", "-t", name,
                         check=False).returncode != 0, "quit ends it")
            hist = os.path.join(home, ".local", "state", "vmca", "history")
            # (libedit writes its history vis(3)-encoded: spaces as \\040.)
            c.check(os.path.exists(hist) and "task_struct" in
                    open(hist).read(), "the history saved")
        finally:
            tmux("kill-session", "-t", name, check=False)
    # Without a terminal, the lines are a script.
    p = subprocess.run([v.binary, "--cache-dir", v.cache_dir, "-k",
                        d["vmlinux"], d["vmcore"]],
                       input="# a comment\nsys\nps | grep -c vmca-sleeper\n",
                       capture_output=True, text=True, timeout=300)
    c.check(p.returncode == 0 and truth["uname_r"] in p.stdout and
            "vmca> " not in p.stdout, "lines from a pipe: a script")
    # script FILE: every line runs in one session; a failing one makes
    # the status 1 and the rest still run.
    with tempfile.NamedTemporaryFile("w", suffix=".vmca") as f:
        f.write("sys | grep release\nno-such-command\nps | grep -c "
                "vmca-sleeper\n")
        f.flush()
        p = subprocess.run([v.binary, "--cache-dir", v.cache_dir, "-k",
                            d["vmlinux"], d["vmcore"], "script", f.name],
                           capture_output=True, text=True, timeout=300)
    lines = p.stdout.split()
    c.check(p.returncode == 1 and truth["uname_r"] in p.stdout and
            lines[-1].isdigit() and int(lines[-1]) >= 1 and
            "unknown command 'no-such-command'" in p.stderr,
            f"script FILE: {p.returncode} {p.stdout!r} {p.stderr!r}")
    c.finish()


if __name__ == "__main__":
    main()
