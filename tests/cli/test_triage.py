#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""triage against what each scenario is (testdata/README.md) and what the
other commands say of the same dump.

The headline names the cause: idle, frag, leak: "no crash: dump taken on
request" (with "(sysrq)" under kdump); each crash scenario: panic's own
headline (its kind, function, cause) first; a memcg OOM: the constraint
and the hog (the scenario's hog pid); the leaks: the orphaned
task_structs and the leaking comm. The findings: a panic finding for
every crash, an OOM finding where the OOM killer ran, leak findings on
the leak scenarios only, fragmentation findings exactly where buddy's
watermark test fails an order; every analysis ran. --fail-on sets the
exit status: panic 3, oom 4, leak 5, fragmentation 6, else 0."""
from test_panic import expected_kind
from vmcatest import setup

EXIT = {"panic": 3, "oom": 4, "leak": 5, "fragmentation": 6}


def main():
    d, truth, c, v = setup("triage")
    sc = truth["scenario"]
    base = ["-k", d["vmlinux"], "-m", d["modules"], d["vmcore"]]
    j = v.json(*base, "triage")
    h = j["headline"]
    kinds = [f["kind"] for f in j["findings"]]
    kind = expected_kind(truth)
    c.equal(j["crash"]["kind"], kind, "the crash's kind")
    c.equal([(s["name"], s["error"]) for s in j["steps"]],
            [(n, None) for n in ("crash", "oom", "leaks", "buddy", "modules",
                                 "log")],
            "every analysis ran")
    if kind in ("none", "sysrq"):
        want = "no crash: dump taken on request" + (
            " (sysrq)" if kind == "sysrq" else "")
        c.check(h.startswith(want), f"headline {h!r} starts {want!r}")
        c.check("panic" not in kinds, "no panic finding")
    else:
        p = v.json(*base, "panic")
        c.check(h.startswith(p["headline"]),
                f"headline {h!r} starts with panic's {p['headline']!r}")
        # The function: where it faulted, or the code that called the
        # checking helper that BUG()ed (an OOM panic's story is the OOM
        # killer's, told below).
        fn = (p.get("caller") or {}).get("function") or p["function"]
        c.check(kind == "oom" or fn is None or fn in h,
                f"the function {fn} in the headline")
        c.check("panic" in kinds, "a panic finding")
    if sc == "oommemcg":
        hog = truth["oom"]["hog_pid"]
        c.check("CONSTRAINT_MEMCG" in h and "vmca-hog" in h and
                f"pid {hog}," in h,
                f"the constraint and the hog (pid {hog}) in {h!r}")
    if sc.startswith("oom"):
        c.check("oom" in kinds, "an OOM finding")
    if "leak" in truth:
        c.check("orphaned task_struct" in h and "vmca-leak-" in h,
                f"the orphaned task_structs and the leaking comm in {h!r}")
        c.check(any(f["kind"] == "leak" and "kmalloc-" in f["summary"]
                    for f in j["findings"]),
                "a leak finding for the unreferenced kmalloc objects")
    else:
        c.check("leak" not in kinds, f"no leak finding: {j['findings']}")
    # Fragmentation: exactly the zones and orders buddy's test fails.
    b = v.json(*base, "buddy")
    want = sorted((z["node"], z["zone"],
                   tuple(w["order"] for w in z["watermark_ok"]
                         if not w["ok"]))
                  for z in b["zones"] if z["managed_pages"])
    got = sorted((z["node"], z["zone"], tuple(z["failing_orders"]))
                 for z in j["fragmentation"])
    c.equal(got, want, "failing orders per zone, as buddy's test")
    c.equal("fragmentation" in kinds, any(w[2] for w in want),
            "a fragmentation finding where an order fails")
    # The exit status by finding.
    for sel in ("panic", "oom", "leak", "fragmentation"):
        # Without the scan (it only adds unreferenced objects to the leak
        # findings; the leak scenarios' orphans make theirs).
        code = v.run(*base, "triage", "--fail-on", sel, "--no-scan",
                     check=False).returncode
        c.equal(code, EXIT[sel] if sel in kinds else 0,
                f"--fail-on {sel}")
    first = next((EXIT[k] for k in EXIT if k in kinds), 0)
    code = v.run(*base, "triage", "--fail-on", "any", "--no-scan",
                 check=False).returncode
    c.equal(code, first, "--fail-on any: the first finding's status")
    # The text form: the headline first, the sections after.
    text = v.run(*base, "triage", "--color=never").stdout
    c.check(text.startswith(h + "\n"), "the text starts with the headline")
    # --timeout: a limit no analysis comes near changes nothing; one no
    # analysis that reads 64 times can keep (1 us: the clock is asked
    # every 64th read) fails the crash and leaks analyses with error code
    # "timeout", drops what they found, and the rest still report.
    roomy = v.json(*base, "triage", "--timeout", "100000")
    c.equal((roomy["headline"], roomy["findings"]), (h, j["findings"]),
            "--timeout 100000: the same headline and findings")
    t = v.json(*base, "triage", "--timeout", "0.000001")
    err = {s["name"]: s["error"] for s in t["steps"]}
    c.equal([s["name"] for s in t["steps"]],
            ["crash", "oom", "leaks", "buddy", "modules", "log"],
            "--timeout: every analysis has its step")
    for name in ("crash", "leaks"):
        c.equal((err[name] or {}).get("code"), "timeout",
                f"--timeout 1us: {name} timed out ({err[name]})")
    c.check(t["crash"] is None and t["leaks"] is None,
            "--timeout: no partial crash or leaks result")
    c.check(t["headline"].startswith("crash not known: its analysis failed: "
                                     "no result within the timeout"),
            f"--timeout: the headline says the crash is unknown: "
            f"{t['headline']!r}")
    c.check(not any(f["kind"] in ("panic", "leak") for f in t["findings"]),
            f"--timeout: no finding of a timed-out analysis: {t['findings']}")
    c.finish()


if __name__ == "__main__":
    main()
