// SPDX-License-Identifier: MIT
/**
 * @file Triage: every analysis on a dump, a headline and the findings. Each
 * analysis that fails says why; the others go on.
 */
#ifndef VMCA_ANALYZER_TRIAGE_H
#define VMCA_ANALYZER_TRIAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buddy.h"
#include "crash.h"
#include "leak.h"
#include "oom.h"
#include "printk.h"
#include "util/error.h"

struct vmca_session;

/** What a finding is about, for --fail-on and its exit status. */
enum vmca_triage_kind {
	/** A crash: an oops, BUG, panic, lockup, hung task (not sysrq). */
	VMCA_TRIAGE_PANIC,
	/** The OOM killer was running (or its panic). */
	VMCA_TRIAGE_OOM,
	/** Orphaned task-owned objects, or a cache's unreferenced objects. */
	VMCA_TRIAGE_LEAK,
	/** An order the kernel's watermark test fails in a zone. */
	VMCA_TRIAGE_FRAGMENTATION,
	/** The kernel is tainted (modules out of tree, unsigned, ...). */
	VMCA_TRIAGE_TAINT,
	VMCA_TRIAGE_NR_KINDS,
};

/** "panic", "oom", "leak", "fragmentation", "taint". */
const char *vmca_triage_kind_name(enum vmca_triage_kind kind);

struct vmca_triage_finding {
	enum vmca_triage_kind kind;
	/** A sentence (owned). */
	char *summary;
};

/** One analysis: whether it ran, why not, how long it took. */
struct vmca_triage_step {
	/** "crash", "oom", "leaks", "buddy", "modules", "log" (static). */
	const char *name;
	/** Its error (owned), NULL if it ran. */
	struct vmca_error *err;
	double seconds;
};

#define VMCA_TRIAGE_NR_STEPS 6

/** A zone's orders that fail the watermark test. */
struct vmca_triage_zone {
	uint32_t nid;
	char name[32];
	uint64_t free_pages;
	int largest_free_order;
	/** Bit o: order o fails __zone_watermark_ok() (GFP_KERNEL, min). */
	uint64_t failing_orders;
	/** The lowest failing order's arithmetic, "" if none fails. */
	char reason[512];
	/** Free blocks per order. */
	uint64_t nr_free[VMCA_BUDDY_MAX_ORDERS];
	uint32_t nr_orders;
};

struct vmca_triage_module {
	char name[64];
	/** /proc/modules' flags: taint letters ("OE"). */
	char flags[24];
};

struct vmca_triage_options {
	/** Lines of the log's end to keep (0: 20). */
	size_t log_lines;
	/** Run leaks' pointer scan (the slow part). */
	bool scan;
	/**
	 * Seconds each analysis may take (0: no limit). One past it fails
	 * with a VMCA_ERROR_TIMEOUT error and its partial result and
	 * findings are dropped; the next analysis goes on.
	 */
	double timeout;
};

struct vmca_triage {
	/** What crashed and why, in a sentence, or "no crash: ...". */
	char headline[1024];
	struct vmca_triage_finding *findings;
	size_t nr_findings;
	struct vmca_triage_step steps[VMCA_TRIAGE_NR_STEPS];
	size_t nr_steps;
	/** The analyses' results (NULL where a step failed). */
	struct vmca_crash *crash;
	struct vmca_oom *oom;
	struct vmca_leak *leak;
	struct vmca_triage_zone *zones;
	size_t nr_zones;
	struct vmca_triage_module *tainted;
	size_t nr_tainted;
	/** The log's last lines (owned texts, oldest first). */
	char **log;
	size_t nr_log;
};

/**
 * Run every analysis (the crash, the OOM killer's state when one was in
 * progress, leaks, the watermark test of every zone and order, the
 * modules' taints, the log's end) and make the headline and findings.
 * Fails only out of memory.
 */
struct vmca_error *vmca_triage_run(struct vmca_session *s,
				   const struct vmca_triage_options *opts,
				   struct vmca_triage **ret);
void vmca_triage_destroy(struct vmca_triage *t);

/** Whether t has a finding of kind. */
bool vmca_triage_has(const struct vmca_triage *t, enum vmca_triage_kind kind);

#endif /* VMCA_ANALYZER_TRIAGE_H */
