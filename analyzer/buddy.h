// SPDX-License-Identifier: MIT
/**
 * @file The buddy allocator per node and zone: free blocks by order and
 * migrate type, the watermarks, and the kernel's own watermark test.
 */
#ifndef VMCA_ANALYZER_BUDDY_H
#define VMCA_ANALYZER_BUDDY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"
#include "util/vector.h"

struct vmca_session;

// Bounds on what the debuginfo may claim. NR_PAGE_ORDERS is 11 by
// default and below 20 with any ARCH_FORCE_MAX_ORDER, MIGRATE_TYPES at
// most 6, MAX_NR_ZONES at most 6; struct zone is about 1.5 KiB.
#define VMCA_BUDDY_MAX_ORDERS	    24
#define VMCA_BUDDY_MAX_MIGRATETYPES 8
#define VMCA_BUDDY_MAX_ZONES	    16
#define MAX_ZONE_SIZE		    (UINT64_C(1) << 16)

// enum zone_watermarks: WMARK_MIN, WMARK_LOW, WMARK_HIGH.
enum {
	VMCA_BUDDY_MARK_MIN,
	VMCA_BUDDY_MARK_LOW,
	VMCA_BUDDY_MARK_HIGH,
	VMCA_BUDDY_NR_MARKS
};
extern const char *const vmca_buddy_mark_names[VMCA_BUDDY_NR_MARKS];

// A scalar or array-of-scalars member of struct zone (or of struct
// free_area), where atomic_t/atomic_long_t stand for their counter.
struct vmca_buddy_field {
	uint64_t offset;
	uint32_t type;
	uint64_t count;
	uint64_t stride;
};

struct vmca_buddy_layout {
	uint64_t zone_size;
	struct vmca_buddy_field boost, reserved_highatomic, free_highatomic,
		lowmem_reserve, managed, spanned, present, name, vm_stat,
		nr_free;
	bool has_boost, has_free_highatomic;
	/** The counter __zone_watermark_unusable_free() subtracts. */
	const char *highatomic_member;
	uint64_t free_area_offset, free_area_stride;
	uint32_t nr_orders;
	/** Offset of free_list[] in struct free_area, and its length. */
	uint64_t free_list_offset, list_head_size;
	uint32_t nr_migratetypes;
	int64_t item_free_pages, item_free_cma;
	bool has_cma;
	/** MIGRATE_PCPTYPES: the lists an ordinary request may use. */
	int64_t nr_pcptypes;
	char migratetype_names[VMCA_BUDDY_MAX_MIGRATETYPES][24];
	// Per-CPU data: zone->per_cpu_zonestats->vm_stat_diff[] (since
	// commit 28f836b6777b, "mm/page_alloc: split per cpu page lists and
	// zone stats", v5.14) and zone->per_cpu_pageset->count.
	bool has_zonestats, has_pcp;
	uint64_t zonestats_offset, stat_diff_offset, pcp_offset,
		pcp_count_offset;
	uint32_t nr_cpus;
};

struct vmca_buddy_zone {
	uint32_t nid, zone_idx;
	uint64_t address;
	char name[32];
	uint64_t managed, present, spanned, boost;
	uint64_t reserved_highatomic, free_highatomic;
	/** The one of the two the watermark test subtracts. */
	uint64_t highatomic;
	uint64_t wmark[VMCA_BUDDY_NR_MARKS];
	int64_t lowmem_reserve[VMCA_BUDDY_MAX_ZONES];
	uint32_t nr_lowmem_reserve;
	int64_t free_pages, free_cma;
	/** zone_page_state_snapshot(NR_FREE_PAGES): with per-CPU deltas. */
	int64_t free_pages_snapshot;
	/** Free pages on the per-CPU lists (not in the buddy lists). */
	int64_t pcp_pages;
	struct vmca_error *percpu_err;
	uint64_t nr_free[VMCA_BUDDY_MAX_ORDERS];
	uint64_t list_head[VMCA_BUDDY_MAX_ORDERS][VMCA_BUDDY_MAX_MIGRATETYPES];
	bool is_list_empty[VMCA_BUDDY_MAX_ORDERS][VMCA_BUDDY_MAX_MIGRATETYPES];
	uint64_t list_count[VMCA_BUDDY_MAX_ORDERS][VMCA_BUDDY_MAX_MIGRATETYPES];
	struct vmca_error
		*list_err[VMCA_BUDDY_MAX_ORDERS][VMCA_BUDDY_MAX_MIGRATETYPES];
	/** The zone could not be read: nothing else is valid. */
	struct vmca_error *err;
};
DEFINE_VECTOR(vmca_buddy_zone_vector, struct vmca_buddy_zone)

struct vmca_buddy {
	struct vmca_buddy_layout l;
	struct vmca_buddy_zone_vector zones;
	bool is_walking;
	int mark;
	int64_t highest_zoneidx;
	char highest_zone[32];
};

// The watermark test of one order, with every number that decided it.
struct vmca_buddy_verdict {
	bool ok;
	bool is_order0_ok;
	int64_t free_pages, unusable, usable, mark, reserve, needed;
	/** The order and list of the block that satisfied a high order. */
	int suitable_order, suitable_migratetype;
	/** Free blocks of order >= the request on lists it may not use. */
	uint64_t other_blocks;
};

/**
 * Fill b's zones (b->mark, b->is_walking, b->highest_zone set by the
 * caller: which watermark, whether to walk every free list, the highest
 * zone an allocation may use): every zone of every node, as
 * vmca_zone_walk() gives them; a zone that cannot be read carries its
 * error. Deinit b after, on success or not.
 */
struct vmca_error *vmca_buddy_read(struct vmca_session *s,
				   struct vmca_buddy *b);
void vmca_buddy_deinit(struct vmca_buddy *b);

/**
 * __zone_watermark_ok() of the kernel in hand for an ordinary request
 * (GFP_KERNEL-like) of order in zone zi, with every number that decided it.
 */
struct vmca_buddy_verdict
vmca_buddy_watermark_test(const struct vmca_buddy *b,
			  const struct vmca_buddy_zone *zi, uint32_t order);
/** __fragmentation_index() of mm/vmstat.c, in thousandths. */
int64_t vmca_buddy_fragmentation_index(const struct vmca_buddy *b,
				       const struct vmca_buddy_zone *zi,
				       uint32_t order);
/** The free block of the highest order, or -1 if none. */
int vmca_buddy_largest_free_order(const struct vmca_buddy *b,
				  const struct vmca_buddy_zone *zi);
/** The arithmetic behind a verdict, in one sentence. */
void vmca_buddy_verdict_reason(const struct vmca_buddy *b,
			       const struct vmca_buddy_zone *zi, uint32_t order,
			       const struct vmca_buddy_verdict *v, char *buf,
			       size_t size);
/** The lists an ordinary request may use, for people ("Unmovable, ..."). */
const char *vmca_buddy_migratetype_list(const struct vmca_buddy *b, char *buf,
					size_t size);

#endif /* VMCA_ANALYZER_BUDDY_H */
