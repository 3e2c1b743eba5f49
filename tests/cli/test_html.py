#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""triage --html, rendered in headless Chromium (Debian's chromium) on a
few dumps of one kernel (the frag kdump, the memcg OOM, the leak): a
screenshot is produced and is not blank (many colours, much ink); the
DOM Chromium built holds the headline (as triage's JSON says it) and the
charts' SVG (the memory breakdown, the slab caches, a zone's free pages
by order); the page asks for nothing outside itself: a Content-Security-
Policy of default-src 'none', and no script, link, import or URL in it."""
import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
import zlib

from vmcatest import Checker, check_schema, dump


def png_pixels(path):
    """(width, height, rows of RGBA bytes) of an 8-bit RGB(A) PNG."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, color = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and color in (2, 6), "unexpected PNG format"
            bpp = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        ftype = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 255
            elif ftype == 2:
                line[i] = (line[i] + b) & 255
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pr) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


def chromium(*args):
    return subprocess.run(["chromium", "--headless", "--no-sandbox",
                           "--disable-gpu", "--hide-scrollbars", *args],
                          capture_output=True, text=True, timeout=180)


def main():
    import argparse
    ap = argparse.ArgumentParser()
    for arg in ("--vmca", "--cache-dir", "--kernel"):
        ap.add_argument(arg, required=True)
    a = ap.parse_args()
    c = Checker(f"html {a.kernel}")
    c.check(shutil.which("chromium"), "chromium installed (tests/deps.sh)")
    with tempfile.TemporaryDirectory() as tmp:
        for sc, kind in (("frag", "kdump"), ("oommemcg", "qemu-kdump"),
                         ("leak", "qemu-kdump")):
            d = dump(a.kernel, sc, kind)
            page = os.path.join(tmp, f"{sc}.html")
            p = subprocess.run([a.vmca, "--cache-dir", a.cache_dir, "--json",
                                "-k", d["vmlinux"], "-m", d["modules"],
                                d["vmcore"], "triage", "--html", page],
                               capture_output=True, text=True, timeout=600)
            c.equal(p.returncode, 0, f"{sc}: triage --html ran")
            check_schema(p.args[1:], p.stdout, p.returncode)
            headline = json.loads(p.stdout)["headline"]
            html = open(page, encoding="utf-8").read()
            c.check("Content-Security-Policy" in html and
                    "default-src 'none'" in html, f"{sc}: the CSP")
            outside = re.findall(r"<script|<link|@import|url\(|https?://|"
                                 r"\bsrc=|<iframe|<object|<embed", html,
                                 re.I)
            c.equal(outside, [], f"{sc}: nothing outside the page")
            dom = chromium("--dump-dom", "file://" + page).stdout
            esc = (headline.replace("&", "&amp;").replace("<", "&lt;")
                   .replace(">", "&gt;"))
            c.check(f'<h1 id="headline"' in dom and esc in dom,
                    f"{sc}: the DOM holds the headline")
            for chart in ("chart-memory", "chart-caches", "chart-zone-0"):
                c.check(re.search(r'<svg[^>]*id="%s"' % chart, dom),
                        f"{sc}: the DOM holds the {chart} SVG")
            shot = os.path.join(tmp, f"{sc}.png")
            chromium("--window-size=1200,1600", "--screenshot=" + shot,
                     "file://" + page)
            if not c.check(os.path.exists(shot), f"{sc}: a screenshot"):
                continue
            w, h, bpp, rows = png_pixels(shot)
            colors, ink = set(), 0
            for row in rows[::4]:
                for x in range(0, w * bpp, 4 * bpp):
                    px = row[x:x + 3]
                    colors.add(px)
                    ink += px != b"\xff\xff\xff"
            total = len(rows[::4]) * len(range(0, w * bpp, 4 * bpp))
            c.check(len(colors) > 20 and ink > 0.02 * total,
                    f"{sc}: the screenshot is not blank ({len(colors)} "
                    f"colours, {100 * ink / total:.1f}% ink)")
    c.finish()


if __name__ == "__main__":
    main()
