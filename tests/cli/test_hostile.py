#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Dump strings stay inert (the hostile scenario, guest/hostile.c): tasks
named with markup, terminal escape sequences, a quote, a backslash, a
newline and bytes that are not UTF-8, a mapped file named so, the same
bytes in the kernel log. Text output never carries a control character
but the layout's newlines and tabs (nor a C1 control, nor a byte that is
not UTF-8), whichever command prints them; JSON is valid UTF-8 and gives
the names back (analyzer/output.h: each byte that is not part of
well-formed UTF-8 as \\u00XX); the HTML report escapes markup and shows
the ESC byte as \\x1b."""

import codecs
import os
import re
import subprocess
import tempfile

from vmcatest import setup


def latin1_fallback(e):
    # analyzer/output.h: a byte that is not part of well-formed UTF-8 is
    # the code point of its value.
    return "".join(chr(b) for b in e.object[e.start:e.end]), e.end


codecs.register_error("vmca-latin1", latin1_fallback)


def json_form(b):
    """What a JSON string of vmca's decodes to, for the bytes b."""
    return b.decode("utf-8", "vmca-latin1")


def text_form(b, is_layout=False):
    """What vmca's text output shows for the bytes b (vmca_out_write_text:
    controls, C1 controls and bytes that are not UTF-8 as \\xNN; \\n, \\t,
    \\r in a value as two characters, newlines and tabs kept in lines)."""
    out = []
    for ch in b.decode("utf-8", "surrogateescape"):
        o = ord(ch)
        if 0xdc80 <= o <= 0xdcff:
            out.append("\\x%02x" % (o - 0xdc00))
        elif 0x80 <= o <= 0x9f:
            out += ["\\x%02x" % x for x in ch.encode()]
        elif ch in "\n\t" and is_layout:
            out.append(ch)
        elif ch in "\n\t\r":
            out.append({"\n": "\\n", "\t": "\\t", "\r": "\\r"}[ch])
        elif o < 0x20 or o == 0x7f:
            out.append("\\x%02x" % o)
        else:
            out.append(ch)
    return "".join(out).encode()


# The styles vmca_out_text_style() writes (triage --color=always).
SGR_RE = re.compile(rb"\x1b\[(?:1|1;31|0)m")


def not_inert(data, allow_sgr=False):
    """Why data (a command's stdout or stderr) could act on a terminal, or
    None: a byte that is not UTF-8, a control character other than a
    newline or a tab, a C1 control."""
    if allow_sgr:
        data = SGR_RE.sub(b"", data)
    try:
        s = data.decode("utf-8")
    except UnicodeDecodeError as e:
        return f"not UTF-8 at byte {e.start}: {data[e.start - 20:e.start + 20]!r}"
    for i, ch in enumerate(s):
        o = ord(ch)
        if (o < 0x20 and ch not in "\n\t") or 0x7f <= o <= 0x9f:
            return f"control character U+{o:04X}: {s[max(0, i - 30):i + 30]!r}"
    return None


def main():
    d, truth, c, v = setup("hostile")
    base = ["-k", d["vmlinux"], d["vmcore"]]
    h = truth["hostile"]
    names = {t["pid"]: bytes.fromhex(t["comm_hex"]) for t in h["tasks"]}
    logs = [bytes.fromhex(r["text_hex"]) for r in h["log"]]
    path = bytes.fromhex(h["file_hex"]) if h.get("file_hex") else None
    c.check(len(names) >= 5 and len(logs) >= 4,
            f"the guest's report: {len(names)} tasks, {len(logs)} records")
    c.check(any(b"\x1b" in n for n in names.values()) and
            any(b"<script>" in n for n in names.values()) and
            any(b"\n" in n and b"\\" in n and b'"' in n and b"\xff" in n
                for n in names.values()),
            "the names hold ESC, markup, a newline, a backslash, a quote "
            "and a byte that is not UTF-8")

    def run(*args, check=True, allow_sgr=False):
        """stdout of vmca ARGS (bytes), both streams checked inert."""
        argv = [v.binary, "--cache-dir", v.cache_dir] + [str(a) for a in args]
        p = subprocess.run(argv, capture_output=True, timeout=900)
        what = " ".join(str(a) for a in args[len(base):])
        if check:
            c.check(p.returncode == 0,
                    f"{what}: exit {p.returncode}: {p.stderr[-300:]!r}")
        for stream, data in (("stdout", p.stdout), ("stderr", p.stderr)):
            why = not_inert(data, allow_sgr)
            c.check(why is None, f"{what}: {stream} inert: {why}")
        return p.stdout

    def run_json(*args):
        """vmca --json ARGS: the raw output is UTF-8 without a raw control
        or C1 character (inert on a terminal too); the schema checked."""
        args = [str(a) for a in args]
        argv = [v.binary, "--cache-dir", v.cache_dir, "--json"] + list(base)
        raw = subprocess.run(argv + args, capture_output=True,
                             timeout=900).stdout
        why = not_inert(raw)
        c.check(why is None, f"--json {' '.join(args)}: raw output inert: {why}")
        return v.json(*base, *args)

    # ps: every hostile task, its comm exact in JSON, escaped in text.
    j = run_json("ps")
    by_pid = {t["pid"]: t for t in j["tasks"]}
    for pid, name in sorted(names.items()):
        t = by_pid.get(pid)
        if not c.check(t is not None, f"ps: task {pid} ({name!r}) found"):
            continue
        c.equal(t["comm"], json_form(name), f"ps: task {pid}'s comm in JSON")
        if all(ord(ch) < 0x80 or 0xdc80 <= ord(ch) <= 0xdcff
               for ch in name.decode("utf-8", "surrogateescape")):
            # ASCII and bytes that are not UTF-8: the bytes exactly.
            c.equal(t["comm"].encode("latin-1"), name,
                    f"ps: task {pid}'s comm bytes recovered from JSON")
    text = run(*base, "ps")
    for pid, name in sorted(names.items()):
        line = [ln for ln in text.split(b"\n")
                if re.match(rb"^[ *>]*%d\s" % pid, ln)]
        c.check(line and line[0].endswith(b"  " + text_form(name)),
                f"ps: task {pid}'s line shows {text_form(name)!r}: {line[:1]!r}")
    c.check(b"<script>alert(1" in text, "ps: the markup is text (a terminal "
            "does not act on it)")
    for pid, name in sorted(names.items()):
        one = run(*base, "ps", pid)
        c.check(text_form(name) in one, f"ps {pid}: {text_form(name)!r}")

    # The kernel log: the records exact in JSON, escaped line by line in
    # text (log prints each line of a record with the record's stamp).
    j = run_json("log")
    texts = [r["text"] for r in j["records"]]
    for rec in logs:
        c.check(json_form(rec) in texts, f"log: record {rec!r} in JSON")
    text = run(*base, "log")
    for rec in logs:
        for part in rec.split(b"\n"):
            c.check(b"] " + text_form(part, True) + b"\n" in text,
                    f"log: line {text_form(part, True)!r} in text")
    c.check(b"vmca-hostile: <script>alert(1)</script>\n" in text,
            "log: the markup line as written")

    # bt, vm, struct/eval of each hostile task.
    j = run_json("bt", *sorted(names))
    comms = {t["pid"]: t["comm"] for t in j["traces"]}
    for pid, name in sorted(names.items()):
        c.equal(comms.get(pid), json_form(name), f"bt {pid}: comm in JSON")
    text = run(*base, "bt", *sorted(names))
    for pid, name in sorted(names.items()):
        c.check(b'COMMAND: "' + text_form(name) + b'"' in text,
                f"bt: task {pid}'s header shows {text_form(name)!r}")
    j = run_json("vm")
    vm_comms = {t["pid"]: t["comm"] for t in j["tasks"]}
    text = run(*base, "vm")
    for pid, name in sorted(names.items()):
        c.equal(vm_comms.get(pid), json_form(name), f"vm: task {pid}'s comm")
        c.check(b"  " + text_form(name) + b" " in text,
                f"vm: task {pid} shows {text_form(name)!r}")
    for pid, name in sorted(names.items())[:2]:
        j = run_json("vm", pid)
        text = run(*base, "vm", pid)
        if path is not None:
            # As /proc/PID/maps shows it (seq_file_path(): a newline as
            # \012), then made inert.
            shown = path.replace(b"\n", b"\\012")
            paths = [m.get("path") for m in j["vmas"]]
            c.check(json_form(shown) in paths,
                    f"vm {pid}: the mapped file's path in JSON ({paths})")
            c.check(text_form(shown) in text,
                    f"vm {pid}: the path shows as {text_form(shown)!r}")
        task = by_pid[pid]["task"]
        text = run(*base, "struct", "task_struct", task)
        c.check(b"comm" in text, f"struct task_struct {task}: comm shown")
        text = run(*base, "eval", f"((struct task_struct *){task})->comm")
        c.check(len(text) > 2, f"eval ->comm of {pid}: {text!r}")

    # Every other command that prints the dump's strings: inert.
    for args in (("sys",), ("modules",), ("slab",), ("leaks",), ("panic",),
                 ("oom",), ("vmalloc",), ("meminfo",), ("buddy",),
                 ("bt", "--all")):
        run(*base, *args, check=False)
        run_json(*args)

    # triage: text (plain and coloured: its styles are the only escape
    # sequences), JSON, and the HTML page.
    text = run(*base, "triage", "--log-lines", "10000")
    c.check(text_form(logs[1], True) in text,
            "triage: the log line with ESC shown escaped")
    colour = run(*base, "triage", "--log-lines", "10000", "--color=always",
                 allow_sgr=True)
    c.check(SGR_RE.search(colour) is not None, "triage --color=always: styled")
    j = run_json("triage", "--log-lines", "10000")
    joined = "\n".join(j["log"])
    for rec in logs:
        c.check(json_form(rec).split("\n")[0] in joined,
                f"triage: record {rec[:40]!r} among the log lines")
    with tempfile.TemporaryDirectory() as tmp:
        page = os.path.join(tmp, "report.html")
        run(*base, "triage", "--log-lines", "10000", "--html", page)
        with open(page, "rb") as f:
            html = f.read()
    c.check(b"\x1b" not in html, "html: no ESC byte")
    c.check(b"<script" not in html.lower(), "html: no <script")
    c.check(not re.search(rb"[\x00-\x08\x0b-\x1f\x7f]", html),
            "html: no control byte but newline and tab")
    c.check(b"&lt;script&gt;alert(1)&lt;/script&gt;" in html,
            "html: the markup escaped")
    c.check(b"\\x1b[2J\\x1b]0;pwn\\x07" in html, "html: ESC and BEL shown")
    c.check(b"&amp;amp;&#39;x&#39;&gt;" in html, "html: & ' > escaped")
    c.check(b"d\\xffe" in html, "html: the byte that is not UTF-8 shown")
    c.finish()


if __name__ == "__main__":
    main()
