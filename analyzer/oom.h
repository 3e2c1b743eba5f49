// SPDX-License-Identifier: MIT
/** @file The OOM killer's state: its oom_control and the tasks it ranks. */
#ifndef VMCA_ANALYZER_OOM_H
#define VMCA_ANALYZER_OOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"
#include "value.h"

struct vmca_session;

/** A task as oom_badness() of the kernel in hand scores it. */
struct vmca_oom_candidate {
	uint64_t task;
	uint64_t pid;
	char comm[32];
	int64_t oom_score_adj;
	/** get_mm_rss(): file + anon + shmem pages; swap entries; page
	 *  table pages (mm_pgtables_bytes / PAGE_SIZE). */
	uint64_t rss_pages, swap_pages, pgtables_pages;
	/** The score, or why the kernel would not consider the task. */
	int64_t points;
	const char *excluded;
};

struct vmca_oom {
	/** The oom_control found in the OOM path's frames (has_control). */
	bool has_control;
	uint64_t control;
	/** Its frame in the panic task's trace (bt's numbering), variable. */
	size_t frame;
	char function[128];
	char variable[64];
	/** The structure itself, for printing (a reference into the dump). */
	struct vmca_value value;
	uint64_t memcg;
	uint32_t gfp_mask;
	/** gfp_mask's flags by name ("__GFP_IO|__GFP_FS|..."), where the
	 *  kernel's DWARF names its bits; "" if not. */
	char gfp_flags[512];
	int32_t order;
	uint64_t totalpages;
	uint64_t chosen;
	int64_t chosen_points;
	char constraint[64];
	uint64_t nodemask;
	/** The memcg (memcg != 0): its cgroup path, usage and limit. */
	char memcg_path[256];
	uint64_t memcg_usage_pages, memcg_limit_pages;
	bool has_memcg_counters;
	/** The tasks ranked, highest first (excluded ones last). */
	struct vmca_oom_candidate *candidates;
	size_t nr_candidates;
	/** Whom the kernel would choose (index into candidates), if any. */
	bool has_choice;
	size_t choice;
	/** Why parts could not be done (owned strings). */
	char **notes;
	size_t nr_notes;
};

/**
 * Find the struct oom_control of the OOM in progress (a parameter or local
 * named oc in the frames of the panic task, else of any task whose trace
 * runs through out_of_memory()), decode it, and rank the tasks the OOM
 * killer would consider (the memcg's, for a memcg OOM) by the kernel's
 * own badness. Without an oom_control the tasks are ranked against
 * totalram_pages + total_swap_pages, as a global OOM would.
 */
struct vmca_error *vmca_oom_analyze(struct vmca_session *s,
				    struct vmca_oom **ret);
void vmca_oom_destroy(struct vmca_oom *o);

#endif /* VMCA_ANALYZER_OOM_H */
